package containertest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadAction(t *testing.T) {
	t.Parallel()
	a, err := LoadAction(filepath.Join("testdata", "action-sample"))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID() != "sample" {
		t.Errorf("ID() = %q, want %q", a.ID(), "sample")
	}
	if diff := cmp.Diff([]string{"days until stale", "domains", "dry-run", "github_token"}, a.InputNames()); diff != "" {
		t.Errorf("InputNames mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"report_path", "summary_json"}, a.OutputNames()); diff != "" {
		t.Errorf("OutputNames mismatch (-want +got):\n%s", diff)
	}
	want := Runs{Using: "docker", Image: "../Dockerfile", Entrypoint: "/action-sample"}
	if diff := cmp.Diff(want, a.Runs); diff != "" {
		t.Errorf("Runs mismatch (-want +got):\n%s", diff)
	}
	if got := a.Inputs["dry-run"].Default; got != "true" {
		t.Errorf("unquoted bool default = %q, want %q", got, "true")
	}
}

func TestLoadAction_rejects_unknown_keys(t *testing.T) {
	t.Parallel()
	_, err := LoadAction(filepath.Join("testdata", "action-unknownkey"))
	if err == nil || !strings.Contains(err.Error(), "endpoint") {
		t.Fatalf("LoadAction error = %v, want one naming the unknown key endpoint", err)
	}
}

func TestFindActions(t *testing.T) {
	t.Parallel()
	actions, err := FindActions("testdata")
	if err == nil || !strings.Contains(err.Error(), "action-unknownkey") {
		t.Errorf("FindActions error = %v, want one naming action-unknownkey", err)
	}
	if len(actions) != 1 || actions[0].ID() != "sample" {
		t.Fatalf("FindActions returned %d actions, want only the sample", len(actions))
	}
	none, err := FindActions(t.TempDir())
	if err != nil || len(none) != 0 {
		t.Errorf("FindActions(empty dir) = %v, %v; want none and no error", none, err)
	}
}

func TestInputEnvName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"github_token": "INPUT_GITHUB_TOKEN",
		"github-token": "INPUT_GITHUB-TOKEN",
		"my input":     "INPUT_MY_INPUT",
	} {
		if got := InputEnvName(in); got != want {
			t.Errorf("InputEnvName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestActionInputEnv(t *testing.T) {
	t.Parallel()
	a, err := LoadAction(filepath.Join("testdata", "action-sample"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := &Context{
		GitHub: map[string]string{"token": "ghs_dummy"},
		Steps:  map[string]map[string]string{"monitor": {"unhealthy": `["a"]`}},
	}
	tests := []struct {
		name        string
		with        map[string]string
		want        []string
		wantUnknown []string
		wantErr     string
	}{
		{
			name: "defaults_for_every_declared_input",
			with: nil,
			want: []string{
				"INPUT_DAYS_UNTIL_STALE=30",
				"INPUT_DOMAINS=",
				"INPUT_DRY-RUN=true",
				"INPUT_GITHUB_TOKEN=ghs_dummy",
			},
		},
		{
			name: "step_values_win_and_unknown_inputs_pass",
			with: map[string]string{"dry-run": "false", "domains": "${{ steps.monitor.outputs.unhealthy }}", "extra": "x"},
			want: []string{
				"INPUT_DAYS_UNTIL_STALE=30",
				`INPUT_DOMAINS=["a"]`,
				"INPUT_DRY-RUN=false",
				"INPUT_EXTRA=x",
				"INPUT_GITHUB_TOKEN=ghs_dummy",
			},
			wantUnknown: []string{"extra"},
		},
		{
			name:    "missing_step_output_is_an_error",
			with:    map[string]string{"domains": "${{ steps.fixer.outputs.failures }}"},
			wantErr: `input "domains" of testdata/action-sample: cannot evaluate ${{ steps.fixer.outputs.failures }}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, unknown, err := a.InputEnv(tt.with, ctx)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("InputEnv error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("InputEnv mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUnknown, unknown); diff != "" {
				t.Errorf("unknown inputs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
