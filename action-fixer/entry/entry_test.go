package entry

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/actions/fixer"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract/contracttest"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner/runnertest"
)

// TestActionYAMLMatchesSpec keeps action.yml in step with the inputs main.go
// reads and the outputs it writes.
func TestActionYAMLMatchesSpec(t *testing.T) {
	t.Parallel()
	runnertest.CheckActionYAML(t, Spec(), "../action.yml", runnertest.OutputNames((*fixer.Result)(nil)))
}

func execute(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var stdout bytes.Buffer
	code := runner.Execute(context.Background(), Spec(), Run,
		runner.WithArgs(args), runner.WithStdout(&stdout),
		runner.WithGetenv(func(k string) string { return env[k] }),
		runner.WithNow(func() time.Time { return time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC) }))
	return code, stdout.String()
}

// TestLogCannotInjectWorkflowCommands runs the action on a log whose lines
// are workflow commands: none may reach stdout as a command, and the
// Markdown report neutralises mentions and HTML.
func TestLogCannotInjectWorkflowCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := strings.Join([]string{
		"2026-11-19T02:13:44.0000000Z ##[group]Run make",
		"2026-11-19T02:13:44.0000000Z ##[endgroup]",
		"2026-11-19T02:13:45.0000000Z src/a.c:1:1: error: ::add-mask::hunter2",
		"2026-11-19T02:13:45.0000000Z ::set-output name=top_category::pwned",
		"2026-11-19T02:13:45.0000000Z ::stop-commands::resume-token",
		"2026-11-19T02:13:46.0000000Z ##[error]Resource not accessible by integration ::error::fake @octocat <img src=x onerror=alert(1)>",
		"2026-11-19T02:13:46.0000000Z ##[error]Process completed with exit code 1.",
	}, "\n") + "\n"
	path := filepath.Join(dir, "evil.log")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	summary := filepath.Join(dir, "summary.md")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "GITHUB_REPOSITORY": "sparesparrow/openssl-tools"}
	code, stdout := execute(t, env, "--log-files", path, "--output-dir", out)
	if code != runner.ExitOK {
		t.Fatalf("exit code %d, stdout:\n%s", code, stdout)
	}
	for _, line := range strings.Split(stdout, "\n") {
		for _, cmd := range []string{"::add-mask::", "::set-output", "::stop-commands::", "::error::fake"} {
			if strings.HasPrefix(line, cmd) || strings.Contains(line, cmd) && !strings.HasPrefix(line, "::error title=") {
				t.Errorf("log text reached stdout as a command: %q", line)
			}
		}
	}
	if !strings.Contains(stdout, "::error title=") {
		t.Errorf("no annotation for the root cause:\n%s", stdout)
	}
	md, err := os.ReadFile(filepath.Join(out, "failure_analysis.md"))
	if err != nil {
		t.Fatal(err)
	}
	// HTML is inert only inside code spans and fenced blocks.
	outside := regexp.MustCompile("(?s)```.*?```|``.*?``|`[^`\n]*`").ReplaceAllString(string(md), "")
	if strings.Contains(string(md), "@octocat") || strings.Contains(outside, "<img") {
		t.Errorf("report keeps a live mention or HTML:\n%s", md)
	}
	var rep struct {
		Summary struct {
			TopCategory string `json:"top_category"`
		} `json:"summary"`
		Failures []struct {
			RuleID string `json:"rule_id"`
			Line   int    `json:"line"`
		} `json:"failures"`
	}
	data, err := os.ReadFile(filepath.Join(out, "failure_analysis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.TopCategory != "workflow" || len(rep.Failures) != 1 || rep.Failures[0].RuleID != "workflow.resource_not_accessible" || rep.Failures[0].Line != 6 {
		t.Errorf("report = %s", data)
	}
}

func TestBadInputs(t *testing.T) {
	t.Parallel()
	// log_files must match a file (checked before anything else happens).
	logFile := filepath.Join(t.TempDir(), "x.log")
	if err := os.WriteFile(logFile, []byte("ok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no_source", nil, "log_files"},
		{"bad_job_id", []string{"--job-ids", "12,abc", "--repository", "o/r"}, "abc"},
		{"timeout_out_of_range", []string{"--log-files", logFile, "--timeout-minutes", "0"}, "timeout_minutes"},
		{"cooperation_without_targets", []string{"--log-files", logFile, "--cooperation"}, "target_repos"},
		{"pull_request_without_workflow", []string{"--log-files", logFile, "--create-pull-request"}, "workflow_file"},
		{"log_files_matching_nothing", []string{"--log-files", "no-such-file-*.log"}, "matches no file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout := execute(t, map[string]string{}, tt.args...)
			if code != runner.ExitBadInput || !strings.Contains(stdout, tt.want) {
				t.Errorf("code %d, stdout %q; want bad input naming %q", code, stdout, tt.want)
			}
		})
	}
}

// TestRunFromAPI fetches the failed jobs of a run from the emulator (the
// job-logs 302 followed, the body streamed) and classifies them.
func TestRunFromAPI(t *testing.T) {
	t.Parallel()
	conan, err := os.ReadFile("../../testdata/fixer/corpus/conan/conan2-missing-prebuilt-openssl.log")
	if err != nil {
		t.Fatal(err)
	}
	green, err := os.ReadFile("../../testdata/fixer/corpus/none/go-test-failover-names.log")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC)
	f := &emulator.Fixture{ReferenceTime: now, Repositories: []emulator.Repository{{
		Owner: "sparesparrow", Name: "openssl-tools", DefaultBranch: "master", CreatedAt: now.AddDate(-1, 0, 0), PushedAt: now,
		Workflows: []emulator.Workflow{{ID: 7, Name: "conan", Path: ".github/workflows/conan.yml"}},
		Runs: []emulator.Run{{ID: 900, WorkflowID: 7, Event: "push", Conclusion: "failure", HeadBranch: "master",
			HeadSHA: "3f2a9c1e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a39", CreatedAt: now.Add(-time.Hour), Jobs: []emulator.Job{
				{ID: 9001, Name: "conan-build", Conclusion: "failure", Log: string(conan)},
				{ID: 9002, Name: "unit", Conclusion: "success", Log: string(green)},
			}}},
	}}}
	srv := emulator.StartForTest(t, f, emulator.Options{Now: func() time.Time { return now }})
	out := filepath.Join(t.TempDir(), "out")
	env := map[string]string{"GITHUB_API_URL": srv.URL(), "GITHUB_REPOSITORY": "sparesparrow/openssl-tools", "GITHUB_TOKEN": "t"}
	code, stdout := execute(t, env, "--run-id", "900", "--output-dir", out)
	if code != runner.ExitOK {
		t.Fatalf("exit code %d:\n%s", code, stdout)
	}
	data, err := os.ReadFile(filepath.Join(out, "failure_analysis.json"))
	if err != nil {
		t.Fatal(err)
	}
	contracttest.Check(t, contract.KindFailure, data)
	var rep struct {
		Summary struct {
			Logs        int    `json:"logs"`
			TopCategory string `json:"top_category"`
		} `json:"summary"`
		Failures []struct {
			RuleID string `json:"rule_id"`
			Line   int    `json:"line"`
			Job    string `json:"job"`
		} `json:"failures"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Logs != 1 || len(rep.Failures) != 1 || rep.Failures[0].RuleID != "conan.missing_prebuilt_package" ||
		rep.Failures[0].Line != 95 || rep.Failures[0].Job != "conan-build" {
		t.Errorf("report = %s", data)
	}
}

// TestReportWithoutFailures: a healthy ecosystem gives an empty analysis,
// not an error.
func TestReportWithoutFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep := filepath.Join(dir, "ecosystem_analysis.json")
	if err := os.WriteFile(rep, []byte(`{"schema_version": "2.0", "domains": {}, "summary": {}, "failures": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout := execute(t, map[string]string{"GITHUB_REPOSITORY": "sparesparrow/openssl-tools"}, "--report", rep, "--output-dir", dir)
	if code != runner.ExitOK {
		t.Fatalf("exit code %d:\n%s", code, stdout)
	}
	if !strings.Contains(stdout, "0 logs") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "failure_analysis.json")); err != nil {
		t.Error(err)
	}
}

// TestCooperationDispatches sends the fixer-analysis repository_dispatch
// through pkg/dispatch to the emulator: every reachable target receives a
// compact payload even when another target fails.
func TestCooperationDispatches(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC)
	repo := func(name string) emulator.Repository {
		return emulator.Repository{Owner: "sparesparrow", Name: name, DefaultBranch: "main", CreatedAt: now.AddDate(-1, 0, 0), PushedAt: now}
	}
	f := &emulator.Fixture{ReferenceTime: now, Repositories: []emulator.Repository{repo("openssl-tools"), repo("openssl-conan-base"), repo("mcp-project-orchestrator")}}
	srv := emulator.StartForTest(t, f, emulator.Options{Now: func() time.Time { return now }})
	dir := t.TempDir()
	env := map[string]string{"GITHUB_API_URL": srv.URL(), "GITHUB_REPOSITORY": "sparesparrow/openssl-tools", "GITHUB_TOKEN": "ghs_cooperation_token", "GITHUB_RUN_ID": "4242"}
	code, stdout := execute(t, env, "--log-files", "../../testdata/fixer/corpus/conan/conan2-missing-prebuilt-openssl.log",
		"--output-dir", dir, "--cooperation",
		"--target-repos", "sparesparrow/does-not-exist,sparesparrow/openssl-conan-base,sparesparrow/mcp-project-orchestrator")
	// One target is missing: the step fails, after the others got theirs.
	if code == runner.ExitOK {
		t.Errorf("exit code %d, want a failure for the missing target:\n%s", code, stdout)
	}
	if !strings.Contains(stdout, "failed to send fixer-analysis to 1 of 3 repositories") {
		t.Errorf("stdout does not report the failed target:\n%s", stdout)
	}
	got := srv.Dispatches()
	var repos []string
	for _, d := range got {
		repos = append(repos, d.Repo)
		if d.Kind != "repository_dispatch" || d.EventType != "fixer-analysis" {
			t.Errorf("dispatch = %+v", d)
		}
		if n := len(d.ClientPayload); n > 10 {
			t.Errorf("payload to %s has %d top-level keys, GitHub allows 10", d.Repo, n)
		}
		p := d.ClientPayload
		if p["top_category"] != "conan" || p["max_severity"] != "high" || p["source_repository"] != "sparesparrow/openssl-tools" ||
			p["run_id"] != float64(4242) || p["failed"] != float64(1) {
			t.Errorf("payload to %s = %v", d.Repo, p)
		}
		fs, _ := p["failures"].([]any)
		if len(fs) != 1 {
			t.Fatalf("payload failures = %v", p["failures"])
		}
		if first, _ := fs[0].(map[string]any); first["rule_id"] != "conan.missing_prebuilt_package" || first["fingerprint"] == "" {
			t.Errorf("payload failure = %v", first)
		}
	}
	sort.Strings(repos)
	if diff := cmp.Diff([]string{"sparesparrow/mcp-project-orchestrator", "sparesparrow/openssl-conan-base"}, repos); diff != "" {
		t.Errorf("dispatched to (-want +got):\n%s", diff)
	}
}

// TestCooperationBadTargetsSendNothing: an invalid target fails the step
// before any request reaches GitHub.
func TestCooperationBadTargetsSendNothing(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC)
	f := &emulator.Fixture{ReferenceTime: now, Repositories: []emulator.Repository{{Owner: "sparesparrow", Name: "openssl-tools", CreatedAt: now, PushedAt: now}}}
	for _, targets := range []string{"sparesparrow/openssl-tools,not a repo", "sparesparrow/openssl-tools,a/b/c"} {
		srv := emulator.StartForTest(t, f, emulator.Options{Now: func() time.Time { return now }})
		env := map[string]string{"GITHUB_API_URL": srv.URL(), "GITHUB_REPOSITORY": "sparesparrow/openssl-tools", "GITHUB_TOKEN": "ghs_cooperation_token"}
		code, stdout := execute(t, env, "--log-files", "../../testdata/fixer/corpus/conan/conan2-missing-prebuilt-openssl.log",
			"--output-dir", t.TempDir(), "--cooperation", "--target-repos", targets)
		if code != runner.ExitBadInput || !strings.Contains(stdout, "target_repos") {
			t.Errorf("targets %q: code %d, stdout:\n%s", targets, code, stdout)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("targets %q: %d requests reached the emulator before the input error", targets, n)
		}
	}
}

// TestCreatePullRequestFromAction runs the action on the failed Conan
// Build run of the example ecosystem with a workflow_file that is not
// checked out: it is read through the API and the fix is opened as a pull
// request; a second run reports the open pull request.
func TestCreatePullRequestFromAction(t *testing.T) {
	t.Parallel()
	f, err := emulator.LoadFixture(emulator.ExampleFixturePath())
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.StartForTest(t, f, emulator.Options{})
	env := map[string]string{"GITHUB_API_URL": srv.URL(), "GITHUB_REPOSITORY": "sparesparrow/openssl-tools", "GITHUB_TOKEN": "ghs_pull_request_token"}
	args := []string{"--run-id", "11616337095", "--workflow-file", ".github/workflows/conan-build.yml", "--create-pull-request"}
	code, stdout := execute(t, env, append(args, "--output-dir", t.TempDir())...)
	if code != runner.ExitOK || !strings.Contains(stdout, "(opened)") || !regexp.MustCompile(`(?m)^output pull_request_url=\S+/sparesparrow/openssl-tools/pull/\d+$`).MatchString(stdout) {
		t.Fatalf("exit code %d, want a pull request opened:\n%s", code, stdout)
	}
	code, stdout = execute(t, env, append(args, "--output-dir", t.TempDir())...)
	if code != runner.ExitOK || !strings.Contains(stdout, "already open, left unchanged") {
		t.Fatalf("re-run: exit code %d, want the open pull request reported:\n%s", code, stdout)
	}
	if n := len(srv.FileWrites()); n != 1 {
		t.Errorf("%d file writes, want 1", n)
	}
}

// TestUndecodableLogIsAnnotated gives log_dir a directory with an xz'd log
// and a UTF-16 one: the first is an error annotation naming it, the second
// is classified.
func TestUndecodableLogIsAnnotated(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"conan2-missing-prebuilt.log.xz", "conan2-missing-prebuilt.utf16le-bom.log"} {
		data, err := os.ReadFile(filepath.Join("../../pkg/classify/testdata/encoded", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "sparesparrow/openssl-tools", "LOG_DIR": dir}
	code, stdout := execute(t, env, "--output-dir", t.TempDir())
	if code != runner.ExitOK {
		t.Fatalf("exit code %d, stdout:\n%s", code, stdout)
	}
	if !regexp.MustCompile(`(?m)^::error title=Log not classified::.*conan2-missing-prebuilt\.log\.xz: xz-compressed data`).MatchString(stdout) {
		t.Errorf("no error annotation for the xz log:\n%s", stdout)
	}
	if !regexp.MustCompile(`(?m)^::error title=.*Conan has no prebuilt binary.*utf16le-bom\.log line 95\)`).MatchString(stdout) {
		t.Errorf("the UTF-16 log's root cause is not annotated:\n%s", stdout)
	}
}

// TestNotDoneFailsTheStep: what was asked and not done (a workflow_file
// that does not parse, a write GitHub refused) fails the step with a "Not
// done" annotation naming it, after the analysis is reported: the report
// is written and every output is set.
func TestNotDoneFailsTheStep(t *testing.T) {
	t.Parallel()
	f, err := emulator.LoadFixture(emulator.ExampleFixturePath())
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.StartForTest(t, f, emulator.Options{Faults: []emulator.Fault{
		{Method: "PUT", Path: "/repos/sparesparrow/openssl-tools/contents/", Kind: emulator.FaultInternalError}}})
	env := map[string]string{"GITHUB_API_URL": srv.URL(), "GITHUB_REPOSITORY": "sparesparrow/openssl-tools", "GITHUB_TOKEN": "ghs_not_done_token"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"workflow_does_not_parse", []string{"--log-files", "../../testdata/fixer/corpus/conan/conan2-missing-prebuilt-openssl.log",
			"--workflow-file", "../../testdata/ecosystem/files/openssl-tools/.github/workflows/fips-nightly.yml"},
			"::error title=Not done::patch workflow_file ../../testdata/ecosystem/files/openssl-tools/.github/workflows/fips-nightly.yml: failed to parse workflow"},
		{"contents_put_refused", []string{"--run-id", "11616337095", "--workflow-file", ".github/workflows/conan-build.yml", "--create-pull-request"},
			"::error title=Not done::the patch of .github/workflows/conan-build.yml was not pushed to ecosystem-actions/fix-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			code, stdout := execute(t, env, append(tt.args, "--output-dir", dir)...)
			if code != runner.ExitFailure || !strings.Contains(stdout, tt.want) {
				t.Fatalf("exit code %d, want %d and %q:\n%s", code, runner.ExitFailure, tt.want, stdout)
			}
			if _, err := os.Stat(filepath.Join(dir, "failure_analysis.json")); err != nil {
				t.Errorf("report not written: %v", err)
			}
			for _, want := range []string{"output report_path=" + filepath.Join(dir, "failure_analysis.json"), "output top_category=conan", "output pull_request_url="} {
				if !strings.Contains(stdout, want+"\n") {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if strings.Contains(stdout, "::error::failed:") {
				t.Errorf("the not-done items are repeated as a failure:\n%s", stdout)
			}
		})
	}
}
