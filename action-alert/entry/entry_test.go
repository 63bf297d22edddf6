package entry

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/alert"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner/runnertest"
)

// TestActionYAMLMatchesSpec keeps action.yml in step with the inputs main.go
// reads and the outputs it writes.
func TestActionYAMLMatchesSpec(t *testing.T) {
	t.Parallel()
	runnertest.CheckActionYAML(t, Spec(), "../action.yml", runnertest.OutputNames((*alert.Result)(nil)))
}

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func fixture() *emulator.Fixture {
	repo := func(name string) emulator.Repository {
		return emulator.Repository{Owner: "eco", Name: name, DefaultBranch: "main",
			Branches: []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: strings.Repeat("a", 40), Author: "dev", Date: now}}}}
	}
	return &emulator.Fixture{ReferenceTime: now, Repositories: []emulator.Repository{repo("alerts"), repo("one"), repo("two")}}
}

type step struct {
	code    int
	stdout  string
	outputs string
	summary string
}

func execute(t *testing.T, srv *emulator.Server, inputs map[string]string) step {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_REPOSITORY": "eco/alerts", "GITHUB_API_URL": srv.URL(), "GITHUB_RUN_ID": "4242",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_WORKSPACE": dir,
		"INPUT_GITHUB_TOKEN": "secret-token", "INPUT_OUTPUT_DIR": filepath.Join(dir, "reports"), "INPUT_CACHE_DIR": filepath.Join(dir, "cache"),
	}
	s := runnertest.Execute(t, Spec(), Run, env, inputs, now)
	return step{s.Code, s.Stdout, s.Outputs, s.Summary}
}

const report = `{"schema_version":"2.0","timestamp":"2026-11-20T11:00:00Z","summary":{},"failures":[],"partial":false,"missing":[],
 "domains":{"eco/app":{"health_score":41,"band":"critical","confidence":1,"url":"https://github.com/eco/app",
  "findings":[{"severity":"critical","component":"failure_streak","message":"::warning::owned @octocat <b>red</b>"}]}}}`

func TestRunAgainstEmulator(t *testing.T) {
	t.Parallel()
	srv := emulator.StartForTest(t, fixture(), emulator.Options{Now: func() time.Time { return now }})
	s := execute(t, srv, map[string]string{"reports": report, "channels": "issue,repository_dispatch",
		"dispatch_targets": "one,eco/two", "slack_webhook_url": ""})
	if s.code != runner.ExitOK {
		t.Fatalf("exit %d\n%s", s.code, s.stdout)
	}
	for _, name := range alert.OutputNames {
		if !strings.Contains(s.outputs, name+"<<") {
			t.Errorf("output %s not written:\n%s", name, s.outputs)
		}
	}
	for _, w := range []string{`"created":[1]`, `"target":"eco/one"`, `"status":"delivered"`, "critical"} {
		if !strings.Contains(s.outputs, w) {
			t.Errorf("outputs lack %s:\n%s", w, s.outputs)
		}
	}
	if !strings.Contains(s.summary, "Ecosystem alerts") || strings.Contains(s.summary, "<b>") {
		t.Errorf("summary:\n%s", s.summary)
	}
	// Nothing untrusted becomes a workflow command on stdout.
	for _, line := range strings.Split(s.stdout, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::warning::owned") || strings.Contains(line, "<b>red") && strings.HasPrefix(line, "::") {
			t.Errorf("untrusted text became a command: %q", line)
		}
	}
	printed := strings.ReplaceAll(s.stdout, "::add-mask::secret-token", "")
	if strings.Contains(printed+s.outputs+s.summary, "secret-token") {
		t.Error("token leaked")
	}
	if len(srv.Dispatches()) != 2 {
		t.Errorf("%d dispatches, want 2", len(srv.Dispatches()))
	}

	// The same run again: nothing new.
	before := len(srv.Requests())
	s = execute(t, srv, map[string]string{"reports": report, "channels": "issue,repository_dispatch", "dispatch_targets": "one,eco/two"})
	if s.code != runner.ExitOK || len(srv.Dispatches()) != 2 {
		t.Fatalf("re-run: exit %d, %d dispatches\n%s", s.code, len(srv.Dispatches()), s.stdout)
	}
	for _, r := range srv.Requests()[before:] {
		if r.Method != "GET" {
			t.Errorf("re-run wrote: %s %s", r.Method, r.Path)
		}
	}
}

func TestBadInputExitsBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	srv := emulator.StartForTest(t, fixture(), emulator.Options{Now: func() time.Time { return now }})
	tests := []struct {
		name   string
		inputs map[string]string
		want   string
		// The runner rejects enum and repository inputs before the
		// action runs (no outputs then); the library's own checks run
		// inside it, and every output is still written.
		outputs bool
	}{
		{"unknown_alert_type", map[string]string{"reports": report, "alert_type": "urgent"}, "alert_type", false},
		{"missing_report", map[string]string{"reports": "nope.json"}, "no such file", true},
		{"malformed_target", map[string]string{"reports": report, "channels": "repository_dispatch", "dispatch_targets": "a/b/c"}, "dispatch_targets", false},
		{"webhook_secret_not_echoed", map[string]string{"reports": report, "channels": "webhook", "slack_webhook_url": "ftp://hooks.example/TOPSECRET"}, "slack_webhook_url", true},
		{"type_does_not_fit_report", map[string]string{"reports": report, "alert_type": "stale"}, "alert_type stale needs stale_analysis.json", true},
	}
	// The group waits for its parallel cases before the request count is checked.
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				s := execute(t, srv, tt.inputs)
				if s.code != runner.ExitBadInput || !strings.Contains(s.stdout, tt.want) {
					t.Errorf("exit %d, stdout:\n%s", s.code, s.stdout)
				}
				if strings.Contains(strings.ReplaceAll(s.stdout, "::add-mask::ftp://hooks.example/TOPSECRET", ""), "TOPSECRET") {
					t.Errorf("secret echoed:\n%s", s.stdout)
				}
				for _, name := range alert.OutputNames {
					if tt.outputs && !strings.Contains(s.outputs, name+"<<") {
						t.Errorf("output %s not written on bad input", name)
					}
				}
			})
		}
	})
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("bad input made %d requests", n)
	}
}

func TestHalfWayFailureExitsNonZero(t *testing.T) {
	t.Parallel()
	// eco/two cannot be reached by the token (404, not retried).
	f := fixture()
	f.Repositories[2].Status = 404
	srv := emulator.StartForTest(t, f, emulator.Options{Now: func() time.Time { return now }})
	s := execute(t, srv, map[string]string{"reports": report, "channels": "issue,repository_dispatch", "dispatch_targets": "eco/one,eco/two"})
	if s.code != runner.ExitFailure {
		t.Fatalf("exit %d, want %d\n%s", s.code, runner.ExitFailure, s.stdout)
	}
	if !strings.Contains(s.outputs, `"target":"eco/one","kind":"repository_dispatch","event":"ecosystem-alert","status":"delivered"`) ||
		!strings.Contains(s.outputs, `"target":"eco/two","kind":"repository_dispatch","event":"ecosystem-alert","status":"failed"`) {
		t.Errorf("dispatches output:\n%s", s.outputs)
	}
}

// TestFailedWriteAnnotatesWhatWasNotDone: GitHub refuses the issue; the
// step exits 1 and its ::error annotation names the group and the write.
func TestFailedWriteAnnotatesWhatWasNotDone(t *testing.T) {
	t.Parallel()
	srv := emulator.StartForTest(t, fixture(), emulator.Options{Now: func() time.Time { return now },
		Faults: []emulator.Fault{{Method: "POST", PathRegex: `^/repos/eco/alerts/issues$`, Kind: emulator.FaultServiceUnavailable}}})
	s := execute(t, srv, map[string]string{"reports": report})
	if s.code != runner.ExitFailure {
		t.Fatalf("exit %d, want %d\n%s", s.code, runner.ExitFailure, s.stdout)
	}
	found := false
	for _, line := range strings.Split(s.stdout, "\n") {
		if strings.HasPrefix(line, "::error title=eco/alerts%3A alert issue not fully written::") && strings.Contains(line, "eco/app") &&
			strings.Contains(line, "failed to create the issue") {
			found = true
		}
	}
	if !found {
		t.Errorf("no annotation naming the issue that was not created:\n%s", s.stdout)
	}
}

// TestOwnIssuesByTheTokensIdentity: with a personal access token the
// issues are written by its user; the next run reads that identity (GET
// /user) and adopts them instead of filing new ones, while an issue with
// the same marker by github-actions[bot] is not this token's.
func TestOwnIssuesByTheTokensIdentity(t *testing.T) {
	t.Parallel()
	f := fixture()
	f.Tokens = map[string]emulator.Token{"secret-token": {Login: "maintainer"}}
	srv := emulator.StartForTest(t, f, emulator.Options{Now: func() time.Time { return now }})
	for run := 0; run < 2; run++ {
		if s := execute(t, srv, map[string]string{"reports": report}); s.code != runner.ExitOK {
			t.Fatalf("run %d: exit %d\n%s", run, s.code, s.stdout)
		}
	}
	var issues []emulator.Issue
	for _, r := range srv.State().Repositories {
		if r.FullName == "eco/alerts" {
			issues = r.Issues
		}
	}
	if len(issues) != 1 || issues[0].User != "maintainer" {
		t.Errorf("issues %+v, want one by maintainer", issues)
	}
}
