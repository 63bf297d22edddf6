// Package runnertest holds test helpers for action entrypoints built on
// pkg/runner. It imports "testing" and is meant for _test.go files only.
package runnertest

import (
	"errors"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// actionYAML is the part of an action.yml metadata file the check reads.
// See https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions
type actionYAML struct {
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
	Runs struct {
		Using      string `yaml:"using"`
		Image      string `yaml:"image"`
		Entrypoint string `yaml:"entrypoint"`
	} `yaml:"runs"`
}

// CheckActionYAML reports, with t.Errorf, every way the action.yml at path
// disagrees with the spec the entrypoint reads and the outputs it writes:
//   - the inputs have the same names, and each has a description;
//   - action.yml's default equals spec's Default (a ${{ }} expression, such
//     as github_token's ${{ github.token }}, is the runner's to evaluate and
//     is not compared). This matters most for AllowEmpty inputs: the runner
//     passes action.yml's default when the workflow omits the input, so an
//     empty INPUT_<NAME> means "explicitly empty" only if both agree;
//   - each default is a valid value of the input's Kind (runner.Load
//     accepts it), and the description of an input with Allowed values
//     lists every one of them;
//   - the outputs are exactly outputs, each with a description;
//   - runs is {using: docker, image: ../Dockerfile, entrypoint: /<spec.Name>}.
func CheckActionYAML(t testing.TB, spec runner.Spec, path string, outputs []string, opts ...Option) {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("failed to read action metadata: %v", err)
	}
	var doc actionYAML
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("failed to parse %s: %v", path, err)
	}

	var yml, spc []string
	for name, in := range doc.Inputs {
		yml = append(yml, name)
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("%s: input %s has no description", path, name)
		}
	}
	env := map[string]string{"GITHUB_REPOSITORY": "owner/repository"}
	for _, in := range spec.Inputs {
		spc = append(spc, in.Name)
		d, ok := doc.Inputs[in.Name]
		if !ok {
			continue
		}
		if isExpression(d.Default) {
			continue
		}
		omitted := o.emptyDefaults && d.Default == "" && !in.AllowEmpty
		if d.Default != in.Default && !omitted {
			why := ""
			if in.AllowEmpty {
				why = " (the input allows empty values, so the two must be the same)"
			}
			t.Errorf("%s: input %s: action.yml default %q, spec default %q%s", path, in.Name, d.Default, in.Default, why)
		}
		if d.Default != "" {
			env[in.InputEnv()] = d.Default
		}
		for _, a := range in.Allowed {
			if !strings.Contains(d.Description, a) {
				t.Errorf("%s: input %s: description does not list the allowed value %q", path, in.Name, a)
			}
		}
	}
	sort.Strings(yml)
	sort.Strings(spc)
	if diff := cmp.Diff(spc, yml); diff != "" {
		t.Errorf("%s: inputs (-spec +action.yml):\n%s", path, diff)
	}
	// Kinds: the runner must accept every default action.yml passes it.
	_, err = runner.Load(spec, runner.WithArgs(nil), runner.WithGetenv(func(k string) string { return env[k] }))
	for _, e := range leaves(err) {
		var ie *runner.InputError
		if errors.As(e, &ie) && env[runner.Input{Name: ie.Input}.InputEnv()] == "" {
			continue // not about an action.yml default (e.g. a required input)
		}
		t.Errorf("%s: default not accepted by the runner: %v", path, e)
	}

	var outs []string
	for name, o := range doc.Outputs {
		outs = append(outs, name)
		if strings.TrimSpace(o.Description) == "" {
			t.Errorf("%s: output %s has no description", path, name)
		}
	}
	sort.Strings(outs)
	want := append([]string(nil), outputs...)
	sort.Strings(want)
	if diff := cmp.Diff(want, outs); diff != "" {
		t.Errorf("%s: outputs (-written by the action +action.yml):\n%s", path, diff)
	}

	if r := doc.Runs; r.Using != "docker" || r.Image != "../Dockerfile" || r.Entrypoint != "/"+spec.Name {
		t.Errorf("%s: runs = %+v, want {using: docker, image: ../Dockerfile, entrypoint: /%s}", path, r, spec.Name)
	}
}

// Option changes what CheckActionYAML accepts.
type Option func(*options)

type options struct {
	emptyDefaults bool
}

// AllowEmptyDefaults accepts an empty action.yml default where the spec has
// one, on inputs without AllowEmpty: runner.Load treats the empty
// INPUT_<NAME> the Actions runner then passes as unset and uses the spec's
// Default. It is for an action.yml that documents "empty = the built-in
// value" instead of repeating a long default such as a message template.
// AllowEmpty inputs still need the same default in both.
func AllowEmptyDefaults() Option {
	return func(o *options) { o.emptyDefaults = true }
}

// isExpression reports whether an action.yml value is a ${{ }} expression,
// which the Actions runner evaluates before the action sees it.
func isExpression(s string) bool {
	return strings.Contains(s, "${{")
}

// leaves flattens an errors.Join tree.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// OutputNames are the outputs a result writes (the keys of a nil result's
// Outputs, sorted): what action.yml must declare.
func OutputNames(res runner.Result) []string {
	var out []string
	for n := range res.Outputs() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
