package fixer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

func TestTimeoutLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want int
	}{
		{"##[error]The job has exceeded the maximum execution time of 1h0m0s", 60},
		{"##[error]The job running on runner GitHub Actions 5 has exceeded the maximum execution time of 360 minutes.", 360},
		{"##[error]The job has exceeded the maximum execution time of 45m0s", 45},
		{"##[error]The operation was canceled.", 0},
	}
	for _, tt := range tests {
		if got := timeoutLimit(tt.text); got != tt.want {
			t.Errorf("timeoutLimit(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestJobStep(t *testing.T) {
	t.Parallel()
	step := func(name, status, conclusion string) *github.TaskStep {
		s := &github.TaskStep{Name: github.String(name), Status: github.String(status)}
		if conclusion != "" {
			s.Conclusion = github.String(conclusion)
		}
		return s
	}
	tests := []struct {
		name       string
		conclusion string
		steps      []*github.TaskStep
		want       string
	}{
		{"failed_step", "failure", []*github.TaskStep{step("Set up job", "completed", "success"), step("Build", "completed", "failure"),
			step("Post Run actions/checkout@v4", "completed", "success")}, "Build"},
		// A timed-out job has no failed step: the running step was cancelled.
		{"timed_out", "timed_out", []*github.TaskStep{step("Set up job", "completed", "success"), step("Run Trivy filesystem scan", "completed", "cancelled"),
			step("Run Bandit", "completed", "skipped"), step("Post Run actions/checkout@v4", "completed", "success"), step("Complete job", "completed", "success")},
			"Run Trivy filesystem scan"},
		{"timed_out_in_progress", "timed_out", []*github.TaskStep{step("Set up job", "completed", "success"), step("Soak test", "in_progress", "")}, "Soak test"},
		{"post_step_cancelled_does_not_count", "cancelled", []*github.TaskStep{step("Build", "completed", "success"),
			step("Post Cache", "completed", "cancelled")}, ""},
		{"no_steps", "timed_out", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := JobStep(tt.conclusion, tt.steps); got != tt.want {
				t.Errorf("JobStep() = %q, want %q", got, tt.want)
			}
		})
	}
}

// The nightly security scan of openssl-tools in the example ecosystem ran
// into its 60-minute limit while "Run Trivy filesystem scan" downloaded
// the vulnerability database.
const (
	timeoutRun = 11739413040
	timeoutJob = 32641508310
)

// TestTimedOutJobGetsItsStep: a timed-out job has no failed step; its root
// cause is placed in the step that was running (the API's step name, not
// the log's last group title), whichever way the job is named.
func TestTimedOutJobGetsItsStep(t *testing.T) {
	t.Parallel()
	srv := emulator.StartForTest(t, exampleEcosystem(t), emulator.Options{})
	api := emulatorAPI(t, srv)
	report := filepath.Join(t.TempDir(), "ecosystem_analysis.json")
	monitorReport := `{"kind":"ecosystem_analysis","schema_version":"2.1","producer":{"action":"action-monitor","version":"dev"},
"generated_at":"2026-11-20T12:00:00Z","domains":{},"failures":[{"domain":"sparesparrow/openssl-tools","workflow":"Nightly Security Scan",
"run_id":11739413040,"run_attempt":1,"job":"security-scan","job_id":32641508310,"step":"Run Trivy filesystem scan","conclusion":"timed_out",
"head_branch":"master","head_sha":"x","url":"https://github.com/x","created_at":"2026-11-17T02:47:00Z"}]}`
	if err := os.WriteFile(report, []byte(monitorReport), 0o644); err != nil {
		t.Fatal(err)
	}
	reportWithoutStep := filepath.Join(t.TempDir(), "ecosystem_analysis.json")
	if err := os.WriteFile(reportWithoutStep, []byte(strings.Replace(monitorReport, `"step":"Run Trivy filesystem scan"`, `"step":""`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"run_id", Config{Repository: conanRepo, RunID: timeoutRun}},
		{"job_ids", Config{Repository: conanRepo, JobIDs: []int64{timeoutJob}}},
		{"report", Config{ReportPath: report}},
		// A monitor that names failed steps only leaves a timed-out job's
		// step empty: the fixer asks the job.
		{"report_without_step", Config{ReportPath: reportWithoutStep}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.OutputDir = t.TempDir()
			res, err := Run(context.Background(), tt.cfg, Deps{API: api})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Report.Failures) != 1 {
				t.Fatalf("failures = %+v", res.Report.Failures)
			}
			f := res.Report.Failures[0]
			if f.RuleID != "workflow.job_timeout" || f.Step != "Run Trivy filesystem scan" {
				t.Errorf("root cause %s in step %q, want workflow.job_timeout in \"Run Trivy filesystem scan\"", f.RuleID, f.Step)
			}
			if len(f.Suggestions) == 0 || !strings.Contains(f.Suggestions[0], `Step "Run Trivy filesystem scan" was running when the job hit its 60-minute limit`) {
				t.Errorf("suggestions = %q", f.Suggestions)
			}
			if !strings.Contains(res.Markdown, "Run Trivy filesystem scan") {
				t.Errorf("the summary does not name the step:\n%s", res.Markdown)
			}
		})
	}
}

// TestAddTimeoutOnlyWhereItHelps: timeout-minutes goes to the job that
// timed out, and only when it is below the limit the job ran into; a job
// that already sets one is not given another.
func TestAddTimeoutOnlyWhereItHelps(t *testing.T) {
	t.Parallel()
	log, err := os.ReadFile("../../testdata/ecosystem/logs/tools-security-scan-timeout.log")
	if err != nil {
		t.Fatal(err)
	}
	wf := filepath.Join(patchDir, "timeout.yml")
	tests := []struct {
		name    string
		log     string
		minutes int
		applied []string
		skipped []string
	}{
		{"below_the_limit", string(log), 30, []string{"job security-scan: timeout-minutes: 30"}, nil},
		{"not_below_the_limit", string(log), 60, nil, []string{
			"job security-scan: timeout-minutes: 60 would not end it sooner than the 60 minutes it ran into; raise the limit only if the running step was still making progress"}},
		{"job_unknown", strings.ReplaceAll(string(log), "Complete job name: security-scan", "Complete job"), 30, nil, []string{
			"add_timeout not made: the log does not say which job timed out (give run_id or job_ids, or a raw log with its set-up section)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := filepath.Join(dir, "scan.log")
			if err := os.WriteFile(p, []byte(tt.log), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), Config{LogFiles: []string{p}, WorkflowFile: wf, TimeoutMinutes: tt.minutes, OutputDir: dir}, Deps{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.applied, res.Report.Patch.Applied, cmpEmpty); diff != "" {
				t.Errorf("applied (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.skipped, res.Report.Patch.Skipped, cmpEmpty); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
			if p := res.Report.Patch.PatchedPath; p != "" {
				patched, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				src, _ := os.ReadFile(wf)
				checkCommentsAttached(t, src, patched)
				if fs := actionlintFindings(t, wf, patched); len(fs) > 0 {
					t.Errorf("actionlint: %q", fs)
				}
			}
		})
	}
	// The job that sets its own limit and ran into it keeps it.
	src, err := os.ReadFile(wf)
	if err != nil {
		t.Fatal(err)
	}
	res, err := PatchWorkflow("timeout.yml", src, []PatchRequest{{Fix: classify.FixAddTimeout, Job: "build", LimitMinutes: 45}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"job build already sets timeout-minutes: 45; it ran into that limit: raise it if the running step was still making progress, or give a step that hangs its own timeout-minutes"}
	if diff := cmp.Diff(want, res.Skipped); diff != "" || res.Changed() {
		t.Errorf("skipped (-want +got):\n%s\ndiff:\n%s", diff, res.Diff)
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.Transformer("empty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})
