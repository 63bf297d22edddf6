package monitor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// runExampleWith runs the monitor on the example ecosystem (14-day window)
// with cfg's job budget.
func runExampleWith(t *testing.T, mod func(*Config)) (Report, *emulator.Server) {
	t.Helper()
	f := sharedExample(t)
	e := newEnv(t, f, emulator.Options{}, "")
	var domains []ghname.Repo
	for _, r := range f.Repositories {
		domains = append(domains, ghname.Repo{Owner: r.Owner, Name: r.Name})
	}
	cfg := Config{Domains: domains, Now: f.ReferenceTime, OutputDir: t.TempDir(), Window: 14 * 24 * time.Hour}
	if mod != nil {
		mod(&cfg)
	}
	res, err := Run(context.Background(), cfg, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	return res.Report, e.srv
}

// defaultExample is the shared default run of the example ecosystem.
func defaultExample(t *testing.T) Report {
	t.Helper()
	rep, err := defaultExampleRun()
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestFailuresSayTheirJobOrWhyNot: on the example ecosystem with the
// default budget every failure row names its job and step, or says why it
// has none (a startup failure has no jobs, a run beyond the budget says
// so); the newest failure of every workflow has its job; a timed-out job
// names the step that was running; no recommendation names an empty job.
func TestFailuresSayTheirJobOrWhyNot(t *testing.T) {
	t.Parallel()
	rep := defaultExample(t)
	if len(rep.Failures) == 0 {
		t.Fatal("no failures in the example ecosystem")
	}
	timedOut := 0
	for _, f := range rep.Failures {
		switch {
		case f.Job == "" && f.Note == "":
			t.Errorf("failure of run %d (%s / %s, %s) has neither a job nor a note", f.RunID, f.Domain, f.Workflow, f.Conclusion)
		case f.Job != "" && f.Step == "":
			t.Errorf("failed job %s of run %d (%s) has no step", f.Job, f.RunID, f.Conclusion)
		case f.Job == "" && f.Conclusion != "startup_failure" && !strings.Contains(f.Note, "budget"):
			t.Errorf("run %d (%s / %s) has no job: %s", f.RunID, f.Domain, f.Workflow, f.Note)
		}
		if f.Conclusion == "timed_out" {
			timedOut++
			if f.Step != "Run Trivy filesystem scan" {
				t.Errorf("timed-out job %s of run %d stopped at step %q, want the step that was running (Run Trivy filesystem scan)", f.Job, f.RunID, f.Step)
			}
		}
	}
	if timedOut == 0 {
		t.Error("no timed-out job in the 14-day window: the step check proved nothing")
	}
	for _, r := range rep.Recommendations {
		if strings.Contains(r, `job ""`) {
			t.Errorf("recommendation names an empty job: %s", r)
		}
	}
	newest := map[string]bool{}      // domain + workflow of a newer failure seen
	for _, f := range rep.Failures { // newest first per domain
		key := f.Domain + "\x00" + f.Workflow
		if !newest[key] && f.Job == "" && f.Conclusion != "startup_failure" {
			t.Errorf("the newest failure of %s / %s (run %d) has no job: %s", f.Domain, f.Workflow, f.RunID, f.Note)
		}
		newest[key] = true
	}
	for name, d := range rep.Domains {
		if c := d.JobCoverage; c.EssentialNotRead != 0 || c.Read+c.NotRead != c.Runs || c.Read < c.Essential {
			t.Errorf("%s: job coverage %+v with the default budget, want every essential run read", name, c)
		}
	}
}

// TestJobBudgetSaysWhatWasNotRead: with a budget of 3 listings a domain,
// the re-runs and the newest failure of each workflow come first, the rest
// is counted as not read and each such row says so; the job listings sent
// are exactly the ones read.
func TestJobBudgetSaysWhatWasNotRead(t *testing.T) {
	t.Parallel()
	rep, srv := runExampleWith(t, func(c *Config) { c.MaxJobRuns = 3 })
	listings := map[string]int{}
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/jobs") {
			listings[strings.Join(strings.Split(r.Path, "/")[2:4], "/")]++
		}
	}
	sawBudget := false
	for name, d := range rep.Domains {
		c := d.JobCoverage
		if d.Archived || d.Error != "" {
			continue // read from metadata alone
		}
		if c.Read > 3 || c.Read+c.NotRead+c.Failed != c.Runs || c.Budget != 3 || c.EssentialNotRead != max(c.Essential-3, 0) {
			t.Errorf("%s: coverage %+v, want read <= 3, read + not_read = runs, essential beyond 3 not read", name, c)
		}
		if listings[name] != c.Read+c.Failed {
			t.Errorf("%s: %d job listings sent, coverage says %d read", name, listings[name], c.Read)
		}
		notes := 0
		for _, f := range rep.Failures {
			if f.Domain == name && strings.Contains(f.Note, "budget of 3 job listings") {
				notes++
			}
		}
		if c.NotRead > 0 {
			sawBudget = true
			if notes == 0 {
				t.Errorf("%s: %d runs not read but no failure row says the budget was spent", name, c.NotRead)
			}
		}
	}
	if !sawBudget {
		t.Fatal("no domain exceeded a budget of 3: the test proved nothing")
	}
}

// TestPlanJobReads: re-runs first, then the newest failure of each
// workflow, then round robin; startup failures are never read.
func TestPlanJobReads(t *testing.T) {
	t.Parallel()
	runs := []WorkflowRun{ // newest first
		{ID: 1, WorkflowID: 10, Conclusion: "failure", Attempt: 1},
		{ID: 2, WorkflowID: 10, Conclusion: "failure", Attempt: 1},
		{ID: 3, WorkflowID: 20, Conclusion: "startup_failure", Attempt: 1},
		{ID: 4, WorkflowID: 10, Conclusion: "failure", Attempt: 1},
		{ID: 5, WorkflowID: 30, Conclusion: "success", Attempt: 2},
		{ID: 6, WorkflowID: 40, Conclusion: "timed_out", Attempt: 1},
		{ID: 7, WorkflowID: 40, Conclusion: "success", Attempt: 1},
	}
	p := planJobReads(runs, 4)
	ids := func(idx []int) (out []int64) {
		for _, i := range idx {
			out = append(out, runs[i].ID)
		}
		return out
	}
	if got, want := ids(p.read), []int64{5, 1, 6, 2}; !equalIDs(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	if got, want := ids(p.skipped), []int64{4}; !equalIDs(got, want) {
		t.Errorf("skipped %v, want %v", got, want)
	}
	if got, want := ids(p.noJobs), []int64{3}; !equalIDs(got, want) {
		t.Errorf("no jobs %v, want %v", got, want)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
