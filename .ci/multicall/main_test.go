package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPick(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		argv     []string
		want     string
		wantArgs []string
		wantErr  string
	}{
		{name: "symlink", argv: []string{"/action-monitor", "--help"}, want: "action-monitor", wantArgs: []string{"--help"}},
		{name: "first_argument", argv: []string{"/ecosystem-actions", "stale", "--dry-run"}, want: "action-stale", wantArgs: []string{"--dry-run"}},
		{name: "first_argument_full_name", argv: []string{"ecosystem-actions", "action-alert"}, want: "action-alert", wantArgs: []string{}},
		{name: "unknown", argv: []string{"/ecosystem-actions", "deploy"}, wantErr: `not "ecosystem-actions"`},
		{name: "nothing", argv: []string{"/ecosystem-actions"}, wantErr: "action-alert, action-fixer, action-monitor, action-stale"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, args, err := pick(tc.argv)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("pick(%q) error = %v, want %q", tc.argv, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want || !cmp.Equal(args, tc.wantArgs) {
				t.Errorf("pick(%q) = %q, %q, %v; want %q, %q", tc.argv, got, args, err, tc.want, tc.wantArgs)
			}
		})
	}
}

// TestEveryActionIsDispatched: each action-<name>/ directory of the
// repository has an entry in the multi-call binary, and each entry runs
// the spec of its own action.
func TestEveryActionIsDispatched(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("..", "..", "action-*", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range dirs {
		want = append(want, filepath.Base(filepath.Dir(d)))
	}
	var got []string
	for name, a := range actions {
		got = append(got, name)
		if spec := a.spec(); spec.Name != name {
			t.Errorf("%s runs the spec of %s", name, spec.Name)
		}
		if _, err := os.Stat(filepath.Join("..", "..", name, "entry")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	sort.Strings(got)
	if len(want) == 0 || !cmp.Equal(want, got) {
		t.Errorf("actions in the repository %v, dispatched %v", want, got)
	}
}
