package monitor

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// Band names (pkg/contract).
const (
	BandHealthy  = contract.BandHealthy
	BandWarning  = contract.BandWarning
	BandCritical = contract.BandCritical
	BandArchived = contract.BandArchived
	// BandUnknown is a domain that could not be read (404/403), has no
	// data for any component, or misses data that decides its band.
	BandUnknown = contract.BandUnknown
)

// Severities of health findings.
const (
	SeverityInfo     = contract.SeverityInfo
	SeverityWarning  = contract.SeverityWarning
	SeverityCritical = contract.SeverityCritical
)

// eventsRetention is how long GitHub keeps repository events.
const eventsRetention = 30 * 24 * time.Hour

// Component is one scored component of a domain's health.
type Component = contract.HealthComponent

// Finding is one reason a domain is not fully healthy (the contract's one
// Finding: Severity, Component and Text are set here; DomainReportFrom adds
// the domain, the category and the fingerprint).
type Finding = contract.Finding

// Failure is one failed job of a failed (not flaky) run.
type Failure = contract.FailedJob

// CIStats counts the runs in the window.
type CIStats = contract.CIStats

// healthFinding is a finding about component ("" for the domain as a whole).
func healthFinding(sev contract.Severity, component, text string) Finding {
	return Finding{Category: contract.CategoryHealth, Severity: sev, Component: component, Text: text, Message: text}
}

// Assessment is the health of one domain.
type Assessment struct {
	Name string
	// Score is nil for archived and unreadable domains, and when data that
	// could not be read leaves it open (ScoreRange then bounds it).
	Score      *int
	ScoreRange *contract.ScoreRange
	Band       string
	Confidence float64
	Components map[string]Component
	// Missing lists enabled components without data.
	Missing  []string
	Findings []Finding
	Flaky    Flakiness
	CI       CIStats
	Failures []Failure

	TotalEvents    int
	EventTypes     map[string]int
	Signals        map[string]Signal
	Workflows      []WorkflowMetrics
	RecentActivity int
	LastActivity   *time.Time
	OpenPulls      int
	StalePulls     int
	OpenIssues     int
	OldestPullDays float64
	Alerts         []Item
}

// Assess scores one domain. It is pure: the same data, configuration and
// clock give the same assessment.
func Assess(d DomainData, cfg HealthConfig, set Settings, now time.Time) Assessment {
	a := Assessment{Name: d.Name, Components: map[string]Component{}, EventTypes: map[string]int{}}
	for _, t := range SignalNames {
		a.EventTypes[t] = 0
	}
	windowStart := now.Add(-set.Window)
	signals, activity := assessSignals(d, windowStart)
	a.Signals = signals
	if d.Error != "" {
		a.Band = BandUnknown
		a.Findings = append(a.Findings, healthFinding(SeverityWarning, "", "domain could not be read: "+d.Error))
		return a
	}

	// Activity: the feed's events (but for the types it does not carry,
	// which come from their own APIs) and the deployments. total_events
	// sums every signal read.
	seen := func(at time.Time) {
		if now.Sub(at) <= set.Recent {
			a.RecentActivity++
		}
		if a.LastActivity == nil || at.After(*a.LastActivity) {
			t := at
			a.LastActivity = &t
		}
	}
	for _, e := range d.Events {
		if notInFeed(e.Type) || e.CreatedAt.Before(windowStart) {
			continue
		}
		a.EventTypes[e.Type]++
		seen(e.CreatedAt)
	}
	for name, sig := range signals {
		if notInFeed(name) && sig.Value != nil {
			a.EventTypes[name] = *sig.Value
		}
	}
	for _, n := range a.EventTypes {
		a.TotalEvents += n
	}
	for _, at := range activity {
		if !at.Before(windowStart) {
			seen(at)
		}
	}
	if !d.Meta.PushedAt.IsZero() && (a.LastActivity == nil || d.Meta.PushedAt.After(*a.LastActivity)) {
		t := d.Meta.PushedAt
		a.LastActivity = &t
	}
	if d.EventsTruncated {
		a.Findings = append(a.Findings, healthFinding(SeverityInfo, ComponentActivityRecency, d.EventsNote))
	}

	a.Flaky = DetectFlaky(d.Runs)
	a.CI = ciStats(d, a.Flaky)
	a.Workflows = workflowMetrics(d, windowStart, now)
	a.Failures = failures(d, a.Flaky)
	weight := func(name string) float64 { return cfg.Weights[name] }
	add := func(name string, value float64, score float64, detail string) {
		if weight(name) <= 0 {
			return
		}
		a.Components[name] = Component{Value: value, Weight: weight(name), Score: clampScore(score), Detail: detail}
	}

	// ci_success_rate
	if counted := a.CI.Successes + a.CI.Failures; d.RunsKnown && counted > 0 {
		rate := float64(a.CI.Successes) / float64(counted)
		detail := fmt.Sprintf("%d of %d runs succeeded in %s", a.CI.Successes, counted, humanDuration(set.Window))
		if a.CI.Flaky > 0 {
			detail += fmt.Sprintf(" (%d flaky set apart)", a.CI.Flaky)
		}
		add(ComponentCISuccessRate, round3(rate), rate*100, detail)
		switch pct := rate * 100; {
		case pct < float64(cfg.Bands.Warning):
			a.Findings = append(a.Findings, healthFinding(SeverityCritical, ComponentCISuccessRate, "CI success rate "+percent(rate)+": "+detail))
		case pct < float64(cfg.Bands.Healthy):
			a.Findings = append(a.Findings, healthFinding(SeverityWarning, ComponentCISuccessRate, "CI success rate "+percent(rate)+": "+detail))
		}
	}
	if len(a.Flaky.Jobs) > 0 {
		names := make([]string, 0, len(a.Flaky.Jobs))
		for _, j := range a.Flaky.Jobs {
			names = append(names, fmt.Sprintf("%s / %s (%d×)", j.Workflow, j.Job, j.Count))
		}
		a.Findings = append(a.Findings, healthFinding(SeverityWarning, ComponentCISuccessRate,
			fmt.Sprintf("flaky jobs (rate %s): %s", percent(a.Flaky.Rate), strings.Join(names, ", "))))
	}

	// failure_streak on the default branch.
	if streak, wf, green, ok := failureStreak(d, a.Flaky); ok {
		detail := fmt.Sprintf("%s on %s", plural(streak, "consecutive failing run", "consecutive failing runs"), d.Meta.DefaultBranch)
		if wf != "" {
			detail += " (workflow " + wf + ")"
		}
		switch {
		case streak == 0:
		case green != nil:
			detail += "; its last green run " + humanDuration(now.Sub(*green)) + " ago"
		default:
			detail += "; no green run of it in " + humanDuration(set.Window)
		}
		add(ComponentFailureStreak, float64(streak), 100-cfg.StreakPenalty*float64(streak), detail)
		switch {
		case streak >= 3:
			a.Findings = append(a.Findings, healthFinding(SeverityCritical, ComponentFailureStreak, detail))
		case streak >= 1:
			a.Findings = append(a.Findings, healthFinding(SeverityWarning, ComponentFailureStreak, detail))
		}
	}

	// activity_recency
	if a.LastActivity != nil {
		since := now.Sub(*a.LastActivity)
		if since < 0 {
			since = 0
		}
		score := 100.0
		if since > set.Recent {
			score = 100 * (1 - float64(since-set.Recent)/float64(eventsRetention-set.Recent))
		}
		detail := fmt.Sprintf("%s in the last %s; last activity %s ago", plural(a.RecentActivity, "event", "events"), humanDuration(set.Recent), humanDuration(since))
		add(ComponentActivityRecency, round1(since.Hours()), score, detail)
		if since > 14*24*time.Hour {
			a.Findings = append(a.Findings, healthFinding(SeverityInfo, ComponentActivityRecency, "no activity for "+humanDuration(since)))
		}
	}

	// stale_pr_load and open_critical_alerts.
	if d.OpenKnown {
		staleAfter := time.Duration(cfg.StalePRDays * float64(24*time.Hour))
		active := 0
		for _, it := range d.Open {
			if !it.IsPull {
				a.OpenIssues++
				if hasLabel(it.Labels, cfg.CriticalLabels) {
					a.Alerts = append(a.Alerts, it)
				}
				continue
			}
			a.OpenPulls++
			if age := now.Sub(it.CreatedAt).Hours() / 24; age > a.OldestPullDays {
				a.OldestPullDays = round1(age)
			}
			if it.Draft {
				continue
			}
			active++
			last := it.UpdatedAt
			if last.IsZero() {
				last = it.CreatedAt
			}
			if now.Sub(last) > staleAfter {
				a.StalePulls++
			}
		}
		load := 0.0
		if active > 0 {
			load = float64(a.StalePulls) / float64(active)
		}
		detail := fmt.Sprintf("%d of %d open non-draft pull requests not updated for %g days", a.StalePulls, active, cfg.StalePRDays)
		add(ComponentStalePRLoad, round3(load), 100*(1-load), detail)
		if a.StalePulls > 0 {
			sev := SeverityInfo
			if load >= 0.5 {
				sev = SeverityWarning
			}
			a.Findings = append(a.Findings, healthFinding(sev, ComponentStalePRLoad, detail))
		}

		sort.Slice(a.Alerts, func(i, j int) bool { return a.Alerts[i].Number < a.Alerts[j].Number })
		add(ComponentOpenCriticalAlerts, float64(len(a.Alerts)), 100-cfg.AlertPenalty*float64(len(a.Alerts)),
			fmt.Sprintf("%d open issues labelled %s", len(a.Alerts), strings.Join(cfg.CriticalLabels, " / ")))
		for _, it := range a.Alerts {
			a.Findings = append(a.Findings, healthFinding(SeverityCritical, ComponentOpenCriticalAlerts,
				fmt.Sprintf("open critical alert #%d: %s", it.Number, it.Title)))
		}
	}

	// Data that could not be read: a finding each; the components it
	// feeds are missing for want of data, not for want of activity.
	unreadComponent := map[string]bool{}
	for _, u := range d.Unread {
		a.Findings = append(a.Findings, contract.MissingData(d.Name, u.Data, u.Reason, u.Permission, u.Status))
		for _, c := range u.Components {
			unreadComponent[c] = true
		}
	}

	// Total.
	var total, present, sum, unreadWeight float64
	for _, name := range ComponentNames {
		w := weight(name)
		if w <= 0 {
			continue
		}
		total += w
		c, ok := a.Components[name]
		if !ok {
			a.Missing = append(a.Missing, name)
			if unreadComponent[name] {
				unreadWeight += w
			}
			continue
		}
		present += w
		sum += w * float64(c.Score)
	}
	if total > 0 {
		a.Confidence = round3(present / total)
	}
	switch {
	case d.Meta.Archived:
		a.Band = BandArchived
		a.Findings = []Finding{healthFinding(SeverityInfo, "", "repository is archived")}
		a.Failures = nil
	case present == 0:
		a.Band = BandUnknown
		a.Findings = append(a.Findings, healthFinding(SeverityWarning, "", "no data for any health component"))
	case unreadWeight > 0:
		// Data that could not be read may hold any score from 0 to 100:
		// the band is what the readable data proves whatever it holds,
		// otherwise unknown. Never the band of the readable part alone,
		// which reads a domain as healthier than it may be.
		lo := int(math.Round(sum / (present + unreadWeight)))
		hi := int(math.Round((sum + 100*unreadWeight) / (present + unreadWeight)))
		a.ScoreRange = &contract.ScoreRange{Min: lo, Max: hi}
		a.Band = BandUnknown
		if band(lo, cfg.Bands) == band(hi, cfg.Bands) {
			a.Band = band(lo, cfg.Bands)
		}
	default:
		s := int(math.Round(sum / present))
		a.Score = &s
		a.Band = band(s, cfg.Bands)
	}
	if d.Meta.Disabled {
		a.Findings = append(a.Findings, healthFinding(SeverityWarning, "", "repository is disabled"))
	}
	sortFindings(a.Findings)
	return a
}

func band(score int, b Bands) string {
	switch {
	case score >= b.Healthy:
		return BandHealthy
	case score >= b.Warning:
		return BandWarning
	}
	return BandCritical
}

func ciStats(d DomainData, fl Flakiness) CIStats {
	var s CIStats
	for _, r := range d.Runs {
		s.Runs++
		switch {
		case fl.Runs[r.ID]:
			s.Flaky++
		case isSuccess(r.Conclusion):
			s.Successes++
		case isFailure(r.Conclusion):
			s.Failures++
		case r.Conclusion == "cancelled":
			s.Cancelled++
		}
		if isSuccess(r.Conclusion) && r.HeadBranch == d.Meta.DefaultBranch && d.Meta.DefaultBranch != "" {
			if s.LastGreen == nil || r.CreatedAt.After(*s.LastGreen) {
				t := r.CreatedAt
				s.LastGreen = &t
			}
		}
	}
	return s
}

// failureStreak is the longest run of consecutive failures, newest first,
// of any workflow on the default branch; flaky and cancelled runs are
// skipped; lastGreen is that workflow's newest success. ok is false when
// the default branch has no concluded runs.
func failureStreak(d DomainData, fl Flakiness) (streak int, workflow string, lastGreen *time.Time, ok bool) {
	if d.Meta.DefaultBranch == "" {
		return 0, "", nil, false
	}
	byWorkflow := map[int64][]WorkflowRun{}
	for _, r := range d.Runs {
		if r.HeadBranch != d.Meta.DefaultBranch || fl.Runs[r.ID] {
			continue
		}
		if !isSuccess(r.Conclusion) && !isFailure(r.Conclusion) {
			continue
		}
		byWorkflow[r.WorkflowID] = append(byWorkflow[r.WorkflowID], r)
		ok = true
	}
	ids := make([]int64, 0, len(byWorkflow))
	for id := range byWorkflow {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		rs := byWorkflow[id]
		sort.SliceStable(rs, func(i, j int) bool { return newer(rs[i], rs[j]) })
		n := 0
		for _, r := range rs {
			if !isFailure(r.Conclusion) {
				break
			}
			n++
		}
		if n > streak {
			streak, workflow, lastGreen = n, rs[0].Name, nil
			if n < len(rs) {
				t := rs[n].CreatedAt
				lastGreen = &t
			}
		}
	}
	return streak, workflow, lastGreen, ok
}

func newer(a, b WorkflowRun) bool {
	if a.CreatedAt.Equal(b.CreatedAt) {
		return a.ID > b.ID
	}
	return a.CreatedAt.After(b.CreatedAt)
}

// failures lists the failed jobs of failed, non-flaky runs, newest first.
func failures(d DomainData, fl Flakiness) []Failure {
	var out []Failure
	runs := append([]WorkflowRun(nil), d.Runs...)
	sort.SliceStable(runs, func(i, j int) bool { return newer(runs[i], runs[j]) })
	for _, r := range runs {
		if !isFailure(r.Conclusion) || fl.Runs[r.ID] {
			continue
		}
		base := Failure{Domain: d.Name, Workflow: r.Name, RunID: r.ID, RunAttempt: max(r.Attempt, 1),
			Conclusion: r.Conclusion, HeadBranch: r.HeadBranch, HeadSHA: r.HeadSHA, URL: r.HTMLURL, CreatedAt: r.CreatedAt}
		var jobs []Job
		for _, j := range latestJobs(r) {
			if isFailure(j.Conclusion) {
				jobs = append(jobs, j)
			}
		}
		if len(jobs) == 0 {
			base.Note = r.JobsNote
			if r.JobsKnown {
				base.Note = "no job of the latest attempt failed (the run failed outside its jobs)"
			}
			out = append(out, base)
			continue
		}
		sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].Name < jobs[j].Name })
		for _, j := range jobs {
			f := base
			f.Job, f.JobID, f.Step, f.Analysis = j.Name, j.ID, j.FailedStep, j.Analysis
			if j.HTMLURL != "" {
				f.URL = j.HTMLURL
			}
			f.Conclusion = j.Conclusion
			out = append(out, f)
		}
	}
	return out
}

func hasLabel(labels, wanted []string) bool {
	for _, l := range labels {
		for _, w := range wanted {
			if strings.EqualFold(l, w) {
				return true
			}
		}
	}
	return false
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity.Rank() > fs[j].Severity.Rank() })
}

func clampScore(v float64) int {
	switch {
	case math.IsNaN(v) || v < 0:
		return 0
	case v > 100:
		return 100
	}
	return int(math.Round(v))
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// plural renders "1 run" / "3 runs".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func percent(rate float64) string { return fmt.Sprintf("%.0f%%", rate*100) }

// humanDuration renders a duration as "45m", "4h", "3d".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
