package main

import (
	"os"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// TestActionYAMLMatchesSpec keeps action.yml and the inputs main.go reads in
// step: the same names, and the same defaults where action.yml sets one.
func TestActionYAMLMatchesSpec(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
		Outputs map[string]any `yaml:"outputs"`
		Runs    struct {
			Using, Image, Entrypoint string
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var yml, spc []string
	for name := range doc.Inputs {
		yml = append(yml, name)
	}
	for _, in := range spec().Inputs {
		spc = append(spc, in.Name)
		d, ok := doc.Inputs[in.Name]
		if ok && d.Default != "" && in.Name != "github_token" && d.Default != in.Default {
			t.Errorf("input %s: action.yml default %q, main.go default %q", in.Name, d.Default, in.Default)
		}
	}
	sort.Strings(yml)
	sort.Strings(spc)
	if diff := cmp.Diff(spc, yml); diff != "" {
		t.Errorf("inputs (-main.go +action.yml):\n%s", diff)
	}
	for _, o := range []string{"staled_prs", "closed_prs", "deleted_branches", "warned_branches"} {
		if _, ok := doc.Outputs[o]; !ok {
			t.Errorf("action.yml lacks output %s", o)
		}
	}
	if doc.Runs.Using != "docker" || doc.Runs.Image != "../Dockerfile" || doc.Runs.Entrypoint != "/action-stale" {
		t.Errorf("runs = %+v", doc.Runs)
	}
}
