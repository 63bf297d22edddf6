package monitor

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestWorkflowMetricsByHand: figures worked out by hand for one workflow
// on main over four days.
func TestWorkflowMetricsByHand(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	at := func(day, hour int) time.Time { return time.Date(2026, 5, day, hour, 0, 0, 0, time.UTC) }
	run := func(id int64, created time.Time, minutes int, concl string, jobQueue time.Duration) WorkflowRun {
		r := WorkflowRun{ID: id, WorkflowID: 7, Name: "CI", HeadBranch: "main", Status: "completed", Conclusion: concl, Attempt: 1,
			CreatedAt: created, StartedAt: created, UpdatedAt: created.Add(time.Duration(minutes) * time.Minute)}
		if jobQueue > 0 {
			r.Jobs = []Job{{ID: id * 10, Name: "build", Attempt: 1, CreatedAt: created, StartedAt: created.Add(jobQueue)}}
			r.JobsKnown = true
		}
		return r
	}
	d := DomainData{Name: "o/r", Meta: RepoMeta{DefaultBranch: "main"}, Runs: []WorkflowRun{
		run(1, at(1, 10), 10, "success", 0),
		run(2, at(2, 10), 20, "failure", 30*time.Second),
		run(3, at(2, 14), 30, "failure", 90*time.Second),
		run(4, at(3, 10), 40, "success", 0), // recovers: 3 May 10:40 − 2 May 10:20 = 87600 s
		run(5, at(4, 6), 50, "failure", 60*time.Second),
		{ID: 6, WorkflowID: 7, Name: "CI", HeadBranch: "main", Status: "in_progress", CreatedAt: at(4, 11), StartedAt: at(4, 11)},
	}}
	ms := workflowMetrics(d, now.Add(-4*24*time.Hour), now)
	if len(ms) != 1 {
		t.Fatalf("%d workflows, want 1", len(ms))
	}
	m := ms[0]
	f := func(v float64) *float64 { return &v }
	since := at(4, 6).Add(50 * time.Minute)
	last := at(4, 11)
	want := WorkflowMetrics{Domain: "o/r", Workflow: "CI", WorkflowID: 7, Runs: 6, Successes: 2, Failures: 3,
		FailureRate: f(0.6),
		// Durations 10, 20, 30, 40, 50 min: p50 = 30 min, p95 = 50 min.
		DurationP50: f(1800), DurationP95: f(3000),
		// Queues 30, 60, 90 s.
		QueueP50: f(60), QueueP95: f(90), QueueJobs: 3,
		Recoveries: 1, TimeToRecoveryP50: f(87600), FailingSince: &since, LastRun: &last}
	// Halves: 30 Apr 12:00–2 May 12:00 holds runs 1, 2 (1 of 2 failed,
	// p50 of 10 and 20 min = 10 min); the newer half runs 3, 4, 5 (2 of 3
	// failed, p50 40 min): failure rate +0.167, worse.
	want.Trend.Direction, want.Trend.FailureRateChange, want.Trend.DurationP50Change = TrendWorse, f(0.167), f(1800)
	got := m
	got.Daily = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	var days []string
	for _, dy := range m.Daily {
		days = append(days, dy.Date)
	}
	if diff := cmp.Diff([]string{"2026-04-30", "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04"}, days); diff != "" {
		t.Errorf("daily dates (-want +got):\n%s", diff)
	}
	if d2 := m.Daily[2]; d2.Runs != 2 || d2.Failures != 2 || d2.DurationP50 == nil || *d2.DurationP50 != 1200 {
		t.Errorf("2 May = %+v, want 2 runs, 2 failures, p50 1200 s", d2)
	}
	if d0 := m.Daily[0]; d0.Runs != 0 || d0.DurationP50 != nil {
		t.Errorf("30 Apr = %+v, want no runs and no duration (missing, not 0)", d0)
	}
}

// TestWorkflowMetricsOnTheExample checks figures the example ecosystem's
// README states: fips-policy's Daily FIPS Check red since the run of
// 2026-11-17 (last green 2026-11-16), openssl-tools' CI red since the merge
// of #213 on 2026-11-20 03:18, the Ecosystem Monitor of the orchestrator red
// for the whole window, and the Nightly Security Scan's two time-outs each
// followed by a green night.
func TestWorkflowMetricsOnTheExample(t *testing.T) {
	t.Parallel()
	rep := defaultExample(t) // 14 days
	find := func(domain, wf string) WorkflowMetrics {
		for _, m := range rep.Domains[domain].Workflows {
			if m.Workflow == wf {
				return m
			}
		}
		t.Fatalf("%s has no workflow %q", domain, wf)
		return WorkflowMetrics{}
	}
	day := func(tm *time.Time) string {
		if tm == nil {
			return "never"
		}
		return tm.Format(time.DateOnly)
	}
	if m := find("sparesparrow/openssl-fips-policy", "Daily FIPS Check"); day(m.FailingSince) != "2026-11-17" || m.Failures != 4 {
		t.Errorf("Daily FIPS Check failing since %s with %d failures, want 2026-11-17 and 4", day(m.FailingSince), m.Failures)
	}
	if m := find("sparesparrow/openssl-tools", "CI"); m.FailingSince == nil || m.FailingSince.Before(time.Date(2026, 11, 20, 3, 18, 0, 0, time.UTC)) {
		t.Errorf("openssl-tools CI failing since %v, want after the merge of #213 (2026-11-20T03:18Z)", m.FailingSince)
	}
	if m := find("sparesparrow/mcp-project-orchestrator", "Ecosystem Monitor"); m.Successes != 0 || m.FailureRate == nil || *m.FailureRate != 1 || m.FailingSince == nil {
		t.Errorf("Ecosystem Monitor %+v, want a failure rate of 1 and still failing", m)
	}
	m := find("sparesparrow/openssl-tools", "Nightly Security Scan")
	if m.Recoveries != 2 || m.TimeToRecoveryP50 == nil || *m.TimeToRecoveryP50 < 20*3600 || *m.TimeToRecoveryP50 > 28*3600 || m.FailingSince != nil {
		t.Errorf("Nightly Security Scan: %d recoveries, median %v s, failing since %v; want 2 recoveries of about a night each", m.Recoveries, m.TimeToRecoveryP50, m.FailingSince)
	}
	// Worst first: every domain lists its still-red workflows before the
	// others.
	for name, d := range rep.Domains {
		green := false
		for _, w := range d.Workflows {
			if w.FailingSince == nil {
				green = true
			} else if green {
				t.Errorf("%s: red workflow %s listed after a green one", name, w.Workflow)
			}
		}
	}
}
