package runnertest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// recorder is a testing.TB that keeps the failures instead of failing.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// check runs CheckActionYAML in its own goroutine (Fatalf ends it) and
// returns what it reported.
func check(t *testing.T, spec runner.Spec, path string, outputs []string, opts ...Option) []string {
	t.Helper()
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		CheckActionYAML(rec, spec, path, outputs, opts...)
	}()
	<-done
	return rec.errors
}

func testSpec() runner.Spec {
	return runner.Spec{Name: "action-demo", Inputs: []runner.Input{
		runner.TokenInput(),
		{Name: "mode", Kind: runner.Enum, Default: "fast", Allowed: []string{"fast", "slow"}},
		{Name: "window", Kind: runner.Duration, Default: "7d"},
		{Name: "note", Kind: runner.String, Default: "hello", AllowEmpty: true},
	}}
}

const goodYAML = `name: demo
description: a demo
inputs:
  github_token:
    description: token
    default: ${{ github.token }}
  mode:
    description: "fast or slow"
    default: fast
  window:
    description: how far back
    default: 7d
  note:
    description: a note
    default: hello
outputs:
  result:
    description: what happened
runs:
  using: docker
  image: ../Dockerfile
  entrypoint: /action-demo
`

func TestCheckActionYAML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		yaml    string
		outputs []string
		opts    []Option
		want    []string // substrings, one per reported error, in order
	}{
		{"consistent", goodYAML, []string{"result"}, nil, nil},
		{"empty_default", strings.Replace(goodYAML, "default: 7d", `default: ""`, 1),
			[]string{"result"}, nil, []string{`input window: action.yml default "", spec default "7d"`}},
		{"empty_default_allowed", strings.Replace(goodYAML, "default: 7d", `default: ""`, 1),
			[]string{"result"}, []Option{AllowEmptyDefaults()}, nil},
		{"empty_default_allowed_but_not_for_allow_empty_input", strings.Replace(goodYAML, "default: hello", `default: ""`, 1),
			[]string{"result"}, []Option{AllowEmptyDefaults()}, []string{`input note: action.yml default "", spec default "hello" (the input allows empty values`}},
		{"missing_input", strings.Replace(goodYAML, "  window:\n    description: how far back\n    default: 7d\n", "", 1),
			[]string{"result"}, nil, []string{`inputs (-spec +action.yml)`}},
		{"undocumented_input", strings.Replace(goodYAML, "description: how far back", `description: ""`, 1),
			[]string{"result"}, nil, []string{"input window has no description"}},
		{"different_default", strings.Replace(goodYAML, "default: 7d", "default: 30d", 1),
			[]string{"result"}, nil, []string{`input window: action.yml default "30d", spec default "7d"`}},
		{"allow_empty_default_missing", strings.Replace(goodYAML, "default: hello", `default: ""`, 1),
			[]string{"result"}, nil, []string{`input note: action.yml default "", spec default "hello" (the input allows empty values`}},
		{"default_of_wrong_kind", strings.Replace(goodYAML, "default: 7d", "default: seven", 1),
			[]string{"result"}, nil, []string{`default "seven"`, `default not accepted by the runner: input window value "seven" from INPUT_WINDOW`}},
		{"allowed_value_not_described", strings.Replace(goodYAML, `"fast or slow"`, `"how fast"`, 1),
			[]string{"result"}, nil, []string{`does not list the allowed value "slow"`}},
		{"undeclared_output", goodYAML, []string{"result", "extra"}, nil, []string{`outputs (-written by the action +action.yml)`}},
		{"undocumented_output", strings.Replace(goodYAML, "description: what happened", "value: x", 1),
			[]string{"result"}, nil, []string{"output result has no description"}},
		{"wrong_entrypoint", strings.Replace(goodYAML, "/action-demo", "/demo", 1),
			[]string{"result"}, nil, []string{"entrypoint: /action-demo}"}},
		{"not_yaml", "inputs: [", nil, nil, []string{"failed to parse"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "action.yml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			got := check(t, testSpec(), path, tt.outputs, tt.opts...)
			if len(got) != len(tt.want) {
				t.Fatalf("%d errors, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("error %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestCheckActionYAMLMissingFile(t *testing.T) {
	t.Parallel()
	got := check(t, testSpec(), filepath.Join(t.TempDir(), "action.yml"), nil)
	if len(got) != 1 || !strings.Contains(got[0], "failed to read action metadata") {
		t.Errorf("errors = %q", got)
	}
}
