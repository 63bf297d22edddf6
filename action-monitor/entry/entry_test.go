package entry

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/monitor"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner/runnertest"
)

// TestActionYAMLMatchesSpec keeps action.yml in step with the inputs main.go
// reads and the outputs it writes.
func TestActionYAMLMatchesSpec(t *testing.T) {
	t.Parallel()
	runnertest.CheckActionYAML(t, Spec(), "../action.yml", runnertest.OutputNames((*monitor.Result)(nil)))
}

type execResult struct {
	code    int
	stdout  string
	outputs string
	summary string
	dir     string
	srv     *emulator.Server
}

// execute runs the entrypoint the way the Actions runner does: INPUT_*
// variables and the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
func execute(t *testing.T, fx *emulator.Fixture, inputs map[string]string) execResult {
	t.Helper()
	now := fx.ReferenceTime
	srv := emulator.StartForTest(t, fx, emulator.Options{Now: func() time.Time { return now }})
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_REPOSITORY": "sparesparrow/mcp-project-orchestrator", "GITHUB_API_URL": srv.URL(),
		"INPUT_GITHUB_TOKEN": "secret-token", "INPUT_OUTPUT_DIR": filepath.Join(dir, "reports"), "INPUT_CACHE_DIR": filepath.Join(dir, "cache"),
	}
	s := runnertest.Execute(t, Spec(), Run, env, inputs, now)
	return execResult{code: s.Code, stdout: s.Stdout, outputs: s.Outputs, summary: s.Summary, dir: dir, srv: srv}
}

// outputValue reads a NAME<<DELIM ... DELIM or NAME=VALUE output.
func outputValue(t *testing.T, file, name string) string {
	t.Helper()
	lines := strings.Split(file, "\n")
	for i, l := range lines {
		if v, ok := strings.CutPrefix(l, name+"="); ok {
			return v
		}
		if delim, ok := strings.CutPrefix(l, name+"<<"); ok {
			var val []string
			for _, v := range lines[i+1:] {
				if v == delim {
					return strings.Join(val, "\n")
				}
				val = append(val, v)
			}
		}
	}
	t.Errorf("output %s not written:\n%s", name, file)
	return ""
}

func TestRunOnExampleEcosystem(t *testing.T) {
	t.Parallel()
	domains := "openssl-tools, openssl-conan-base, openssl-fips-policy, mcp-project-orchestrator, legacy-monitor"
	tests := []struct {
		name     string
		failOn   string
		wantCode int
	}{
		{"fail_on_never_succeeds", "never", runner.ExitOK},
		{"fail_on_critical_fails", "critical", runner.ExitFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx, err := emulator.LoadFixture("../../testdata/ecosystem/ecosystem.yaml")
			if err != nil {
				t.Fatalf("failed to load the example ecosystem: %v", err)
			}
			res := execute(t, fx, map[string]string{"domains": domains, "fail_on": tc.failOn})
			if res.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s", res.code, tc.wantCode, res.stdout)
			}
			if got := outputValue(t, res.outputs, "alert_level"); got != "critical" {
				t.Errorf("alert_level = %q, want critical", got)
			}
			var unhealthy []string
			if err := json.Unmarshal([]byte(outputValue(t, res.outputs, "unhealthy_domains")), &unhealthy); err != nil || len(unhealthy) == 0 {
				t.Errorf("unhealthy_domains = %v (%v)", unhealthy, err)
			}
			for _, d := range unhealthy {
				if d == "sparesparrow/legacy-monitor" {
					t.Error("an archived domain is listed as unhealthy")
				}
			}
			var health map[string]map[string]any
			if err := json.Unmarshal([]byte(outputValue(t, res.outputs, "health_json")), &health); err != nil || len(health) != 5 {
				t.Errorf("health_json = %v (%v)", health, err)
			}
			if p := outputValue(t, res.outputs, "report_path"); p == "" {
				t.Error("report_path is empty")
			} else if _, err := os.Stat(p); err != nil {
				t.Errorf("report_path: %v", err)
			}
			if !strings.Contains(res.summary, "# Ecosystem health") {
				t.Errorf("job summary lacks the report:\n%.300s", res.summary)
			}
			printed := strings.ReplaceAll(res.stdout, "::add-mask::secret-token", "")
			if strings.Contains(printed+res.outputs+res.summary, "secret-token") {
				t.Error("token leaked")
			}
		})
	}
}

func TestBadInputFailsBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	cfgFile := filepath.Join(t.TempDir(), "monitor.yml")
	if err := os.WriteFile(cfgFile, []byte("weights:\n  speed: 1\nbands: {healthy: 50, warning: 70}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badHistory := filepath.Join(t.TempDir(), "history.json")
	if err := os.WriteFile(badHistory, []byte(`{"entries": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		inputs map[string]string
		want   []string
	}{
		{"unparsable_history_file", map[string]string{"domains": "openssl-tools", "history_file": badHistory},
			[]string{"history_file", badHistory, "not a history file", "nothing was written"}},
		{"org_climbs_the_url", map[string]string{"org": "../../user"}, []string{"org", "../../user", "not a GitHub owner"}},
		{"malformed_domain", map[string]string{"domains": "a/b/c"}, []string{"domains", "a/b/c"}},
		{"unknown_weight_and_bad_bands", map[string]string{"domains": "openssl-tools", "config": cfgFile},
			[]string{`"speed"`, "allowed: ci_success_rate", "0 < warning < healthy"}},
		{"bad_shard", map[string]string{"domains": "openssl-tools", "shard": "5/4"}, []string{"shard", "5/4"}},
		{"bad_fail_on", map[string]string{"domains": "openssl-tools", "fail_on": "always"}, []string{"fail_on", "always"}},
		{"zero_hours", map[string]string{"domains": "openssl-tools", "hours": "0"}, []string{"hours"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := &emulator.Fixture{ReferenceTime: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
				Repositories: []emulator.Repository{{Owner: "sparesparrow", Name: "openssl-tools", DefaultBranch: "master"}}}
			res := execute(t, fx, tc.inputs)
			if res.code == runner.ExitOK {
				t.Fatalf("exit 0 for bad input\n%s", res.stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("stdout does not mention %q:\n%s", w, res.stdout)
				}
			}
			if n := len(res.srv.Requests()); n != 0 {
				t.Errorf("%d requests sent before the input error", n)
			}
		})
	}
}
