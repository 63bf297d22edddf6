package monitor

import (
	"math"
	"sort"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// WorkflowMetrics are one workflow's CI figures in the window.
type WorkflowMetrics = contract.WorkflowMetrics

// Trend directions (WorkflowTrend.Direction).
const (
	TrendBetter  = "better"
	TrendWorse   = "worse"
	TrendSteady  = "steady"
	TrendUnknown = "unknown"
)

// Thresholds of a trend: a failure rate that moves by more than
// trendRateStep, or a median run time by more than trendDurationShare of
// the older one, between the two halves of the window.
const (
	trendRateStep      = 0.10
	trendDurationShare = 0.20
)

// workflowMetrics computes, per workflow, what GitHub's Actions
// performance metrics show an organisation — failure rate, run time and
// queue time — plus the default branch's time to recovery, with a trend
// (newer half of the window against the older half) and a daily series.
// Conclusions count as GitHub counts them: a run that failed is a failure
// even when a re-run on the same commit passed later.
func workflowMetrics(d DomainData, windowStart, now time.Time) []WorkflowMetrics {
	byWorkflow := map[int64][]WorkflowRun{}
	for _, r := range d.Runs {
		if !r.CreatedAt.Before(windowStart) {
			byWorkflow[r.WorkflowID] = append(byWorkflow[r.WorkflowID], r)
		}
	}
	mid := windowStart.Add(now.Sub(windowStart) / 2)
	out := make([]WorkflowMetrics, 0, len(byWorkflow))
	for id, runs := range byWorkflow {
		sort.SliceStable(runs, func(i, j int) bool { return newer(runs[j], runs[i]) }) // oldest first
		m := WorkflowMetrics{Domain: d.Name, Workflow: runs[len(runs)-1].Name, WorkflowID: id, Runs: len(runs), Daily: []contract.WorkflowDay{}}
		last := runs[len(runs)-1].CreatedAt
		m.LastRun = &last
		var durations, queues []float64
		var halves [2]struct {
			ok, failed int
			durations  []float64
		}
		for _, r := range runs {
			half := 0
			if !r.CreatedAt.Before(mid) {
				half = 1
			}
			switch {
			case isSuccess(r.Conclusion):
				m.Successes++
				halves[half].ok++
			case isFailure(r.Conclusion):
				m.Failures++
				halves[half].failed++
			}
			if dur, ok := runDuration(r); ok {
				durations = append(durations, dur)
				halves[half].durations = append(halves[half].durations, dur)
			}
			for _, j := range r.Jobs {
				// A re-run's jobs wait for the re-run, not for a runner:
				// only first attempts measure the queue.
				if j.Attempt == 1 && !j.CreatedAt.IsZero() && !j.StartedAt.IsZero() && !j.StartedAt.Before(j.CreatedAt) {
					queues = append(queues, j.StartedAt.Sub(j.CreatedAt).Seconds())
				}
			}
		}
		m.FailureRate = rate(m.Failures, m.Successes+m.Failures)
		m.DurationP50, m.DurationP95 = percentile(durations, 50), percentile(durations, 95)
		m.QueueP50, m.QueueP95, m.QueueJobs = percentile(queues, 50), percentile(queues, 95), len(queues)
		m.Recoveries, m.TimeToRecoveryP50, m.FailingSince = recoveries(runs, d.Meta.DefaultBranch)
		m.Trend = trendOf(rate(halves[0].failed, halves[0].ok+halves[0].failed), rate(halves[1].failed, halves[1].ok+halves[1].failed),
			percentile(halves[0].durations, 50), percentile(halves[1].durations, 50))
		m.Daily = daily(runs, windowStart, now)
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool { return worseWorkflow(out[i], out[j]) })
	return out
}

// worseWorkflow orders workflows worst first: a default branch still red
// (the longest first), then the higher failure rate, then by name.
func worseWorkflow(a, b WorkflowMetrics) bool {
	switch {
	case (a.FailingSince != nil) != (b.FailingSince != nil):
		return a.FailingSince != nil
	case a.FailingSince != nil && !a.FailingSince.Equal(*b.FailingSince):
		return a.FailingSince.Before(*b.FailingSince)
	}
	ra, rb := -1.0, -1.0
	if a.FailureRate != nil {
		ra = *a.FailureRate
	}
	if b.FailureRate != nil {
		rb = *b.FailureRate
	}
	if ra != rb {
		return ra > rb
	}
	if a.Workflow != b.Workflow {
		return a.Workflow < b.Workflow
	}
	return a.WorkflowID < b.WorkflowID
}

// runDuration is a completed run's run time: from run_started_at (its
// creation when absent) to its last update.
func runDuration(r WorkflowRun) (float64, bool) {
	if r.Status != "" && r.Status != "completed" {
		return 0, false
	}
	start := r.StartedAt
	if start.IsZero() {
		start = r.CreatedAt
	}
	if start.IsZero() || r.UpdatedAt.IsZero() || !r.UpdatedAt.After(start) {
		return 0, false
	}
	return r.UpdatedAt.Sub(start).Seconds(), true
}

// end is when a run finished (its last update; its creation when unknown).
func end(r WorkflowRun) time.Time {
	if !r.UpdatedAt.IsZero() {
		return r.UpdatedAt
	}
	return r.CreatedAt
}

// recoveries walks the workflow's default-branch runs oldest first: each
// failure streak that a green run ends is one recovery, lasting from the end
// of its first failing run to the end of the green one. A streak still open
// at the end gives failingSince (at the earliest the window start).
func recoveries(oldestFirst []WorkflowRun, defaultBranch string) (int, *float64, *time.Time) {
	var lengths []float64
	var open *time.Time
	for _, r := range oldestFirst {
		if r.HeadBranch != defaultBranch || defaultBranch == "" {
			continue
		}
		switch {
		case isFailure(r.Conclusion) && open == nil:
			t := end(r)
			open = &t
		case isSuccess(r.Conclusion) && open != nil:
			lengths = append(lengths, end(r).Sub(*open).Seconds())
			open = nil
		}
	}
	return len(lengths), percentile(lengths, 50), open
}

func trendOf(oldRate, newRate, oldP50, newP50 *float64) contract.WorkflowTrend {
	t := contract.WorkflowTrend{Direction: TrendUnknown}
	if oldRate != nil && newRate != nil {
		c := round3(*newRate - *oldRate)
		t.FailureRateChange = &c
	}
	if oldP50 != nil && newP50 != nil {
		c := round1(*newP50 - *oldP50)
		t.DurationP50Change = &c
	}
	switch {
	case t.FailureRateChange != nil && *t.FailureRateChange > trendRateStep:
		t.Direction = TrendWorse
	case t.FailureRateChange != nil && *t.FailureRateChange < -trendRateStep:
		t.Direction = TrendBetter
	case t.DurationP50Change != nil && *oldP50 > 0 && *t.DurationP50Change > trendDurationShare**oldP50:
		t.Direction = TrendWorse
	case t.DurationP50Change != nil && *oldP50 > 0 && *t.DurationP50Change < -trendDurationShare**oldP50:
		t.Direction = TrendBetter
	case t.FailureRateChange != nil || t.DurationP50Change != nil:
		t.Direction = TrendSteady
	}
	return t
}

// daily is one point per UTC day from the window start to now.
func daily(runs []WorkflowRun, windowStart, now time.Time) []contract.WorkflowDay {
	first := windowStart.UTC().Truncate(24 * time.Hour)
	var out []contract.WorkflowDay
	idx := map[string]int{}
	for day := first; !day.After(now); day = day.Add(24 * time.Hour) {
		idx[day.Format(time.DateOnly)] = len(out)
		out = append(out, contract.WorkflowDay{Date: day.Format(time.DateOnly)})
	}
	durations := make([][]float64, len(out))
	for _, r := range runs {
		i, ok := idx[r.CreatedAt.UTC().Format(time.DateOnly)]
		if !ok || (!isSuccess(r.Conclusion) && !isFailure(r.Conclusion)) {
			continue
		}
		out[i].Runs++
		if isFailure(r.Conclusion) {
			out[i].Failures++
		}
		if dur, ok := runDuration(r); ok {
			durations[i] = append(durations[i], dur)
		}
	}
	for i := range out {
		out[i].DurationP50 = percentile(durations[i], 50)
	}
	return out
}

// rate is n/of rounded to 3 decimals, nil when of is 0.
func rate(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	r := round3(float64(n) / float64(of))
	return &r
}

// percentile is the nearest-rank p-th percentile, rounded to 0.1; nil for
// no values.
func percentile(values []float64, p float64) *float64 {
	if len(values) == 0 {
		return nil
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	v := round1(s[max(rank, 1)-1])
	return &v
}
