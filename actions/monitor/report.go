package monitor

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// ProducerAction is the action named as the producer of the report.
const ProducerAction = "action-monitor"

// Alert levels (the alert_level output).
const (
	AlertNone     = contract.AlertNone
	AlertWarning  = contract.AlertWarning
	AlertCritical = contract.AlertCritical
)

// Report is ecosystem_analysis.json (pkg/contract EcosystemAnalysis). The
// fields existing scripts read (timestamp, domains, summary, failures,
// recommendations) keep their names; the rest is the breakdown.
type Report = contract.EcosystemAnalysis

// Echo records the settings the report was made with.
type Echo = contract.EcosystemSettings

// DomainReport is one domain of the report.
type DomainReport = contract.DomainHealth

// FlakyReport is the flaky part of a domain.
type FlakyReport = contract.FlakyStats

// AlertRef is an open critical alert issue.
type AlertRef = contract.AlertRef

// Summary aggregates the domains.
type Summary = contract.EcosystemSummary

// DomainReportFrom turns an assessment into its report entry.
func DomainReportFrom(a Assessment, d DomainData) DomainReport {
	r := DomainReport{
		HealthScore: a.Score, ScoreRange: a.ScoreRange, TotalEvents: a.TotalEvents, EventTypes: a.EventTypes,
		Signals: a.Signals, Workflows: nonNil(a.Workflows),
		RecentActivity: a.RecentActivity, LastActivity: a.LastActivity, Band: a.Band,
		Confidence: a.Confidence, Components: a.Components, MissingComponents: nonNil(a.Missing),
		Findings: a.Findings, CI: a.CI,
		Flaky:            FlakyReport{Rate: a.Flaky.Rate, Runs: len(a.Flaky.Runs), Jobs: a.Flaky.Jobs},
		OpenPullRequests: a.OpenPulls, StalePullRequests: a.StalePulls, OpenIssues: a.OpenIssues,
		EventsTruncated: d.EventsTruncated, EventsNote: d.EventsNote, PollInterval: d.PollInterval,
		DefaultBranch: d.Meta.DefaultBranch, URL: d.Meta.HTMLURL, Archived: d.Meta.Archived,
		Error: d.Error, Status: d.Status, JobCoverage: d.Jobs,
	}
	r.Findings = []Finding{}
	for _, f := range a.Findings {
		f.Domain, f.Message = a.Name, f.Text
		if f.Category == "" {
			f.Category = contract.CategoryHealth
		}
		if f.Fingerprint == "" {
			f.Fingerprint = contract.FactFingerprint(a.Name, string(f.Category), f.Component, string(f.Severity))
		}
		r.Findings = append(r.Findings, f)
	}
	if r.Flaky.Jobs == nil {
		r.Flaky.Jobs = []FlakyJob{}
	}
	r.IssuesDetected = []string{}
	for _, f := range a.Findings {
		r.IssuesDetected = append(r.IssuesDetected, f.Text)
	}
	r.CriticalAlerts = []AlertRef{}
	for _, it := range a.Alerts {
		r.CriticalAlerts = append(r.CriticalAlerts, AlertRef{Number: it.Number, Title: it.Title, URL: it.HTMLURL})
	}
	r.Recommendations = recommend(a.Name, r, a.Failures, a.OldestPullDays)
	return r
}

// recommend derives the concrete next steps for a domain.
func recommend(name string, r DomainReport, fails []Failure, oldestPR float64) []string {
	out := []string{}
	add := func(format string, args ...any) { out = append(out, name+": "+fmt.Sprintf(format, args...)) }
	if r.Error != "" {
		add("check that the domain exists and the token can read it (%s)", r.Error)
		return out
	}
	if r.Archived {
		return out
	}
	for _, f := range r.Findings {
		switch {
		case f.Category != contract.CategoryMissingData:
		case f.Permission != "":
			add("give the token %s (the job's permissions block) so the monitor can read the %s; until then the band is only what the rest proves", f.Permission, f.Component)
		case f.Status != 0:
			add("the %s could not be read (HTTP %d); re-run when GitHub answers again", f.Component, f.Status)
		default:
			add("the %s could not be read (no response); re-run when GitHub answers again", f.Component)
		}
	}
	if c, ok := r.Components[ComponentFailureStreak]; ok && c.Value > 0 {
		msg := "fix the default branch: " + c.Detail
		for _, f := range fails {
			if f.HeadBranch != r.DefaultBranch {
				continue
			}
			switch {
			case f.Job != "":
				msg += fmt.Sprintf("; latest failure in job %q", f.Job)
				if f.Step != "" {
					msg += fmt.Sprintf(" at step %q", f.Step)
				}
			case f.Conclusion == "startup_failure":
				msg += fmt.Sprintf("; latest failure: workflow %q did not start (startup_failure): check the workflow file and the reusable workflows it calls", f.Workflow)
			default:
				msg += fmt.Sprintf("; latest failure: run %d of workflow %q (%s)", f.RunID, f.Workflow, f.Note)
			}
			break
		}
		add("%s", msg)
	}
	seen := map[string]bool{}
	for _, f := range fails {
		if f.Analysis == nil || len(f.Analysis.Suggestions) == 0 || seen[f.Analysis.Category] {
			continue
		}
		seen[f.Analysis.Category] = true
		add("%s in %s / %s: %s", f.Analysis.Category, f.Workflow, f.Job, f.Analysis.Suggestions[0])
	}
	for _, j := range r.Flaky.Jobs {
		add("stabilise or quarantine flaky job %q of workflow %q (flaked in %s)", j.Job, j.Workflow, plural(j.Count, "run", "runs"))
	}
	for _, al := range r.CriticalAlerts {
		add("resolve open critical alert #%d (%s)", al.Number, al.Title)
	}
	if r.StalePullRequests > 0 {
		add("review, merge or close %s (oldest open for %.0f days)", plural(r.StalePullRequests, "stale pull request", "stale pull requests"), oldestPR)
	}
	return out
}

// reportInput is what a report is built from, both for a run and when shard
// reports are merged.
type reportInput struct {
	Now      time.Time
	Domains  map[string]DomainReport
	Failures []Failure
	Partial  bool
	Missing  []string
	Reason   string
	Settings Echo
	API      map[string]any
	History  *History
	// Version and RunURL are recorded as the report's producer.
	Version, RunURL string
}

// buildReport assembles the document: summary, sorted failures and
// recommendations, the delta against the last history entry.
func buildReport(in reportInput) Report {
	r := Report{
		Envelope:  contract.NewEnvelope(contract.KindEcosystem, contract.Producer{Action: ProducerAction, Version: in.Version, RunURL: in.RunURL}, in.Now),
		Timestamp: in.Now.UTC(), Domains: in.Domains,
		Failures: append([]Failure{}, in.Failures...), Recommendations: []string{},
		Partial: in.Partial, Missing: nonNil(in.Missing), MissingReason: in.Reason,
		Settings: in.Settings, API: in.API,
	}
	if r.Domains == nil {
		r.Domains = map[string]DomainReport{}
	}
	sort.Strings(r.Missing)
	sort.SliceStable(r.Failures, func(i, j int) bool {
		a, b := r.Failures[i], r.Failures[j]
		switch {
		case a.Domain != b.Domain:
			return a.Domain < b.Domain
		case !a.CreatedAt.Equal(b.CreatedAt):
			return a.CreatedAt.After(b.CreatedAt)
		case a.RunID != b.RunID:
			return a.RunID > b.RunID
		}
		return a.Job < b.Job
	})
	names := sortedNames(r.Domains)
	s := Summary{TotalDomains: len(names) + len(r.Missing), Unhealthy: []string{}}
	var scoreSum float64
	scored := 0
	for _, n := range names {
		d := r.Domains[n]
		s.TotalEvents += d.TotalEvents
		s.TotalIssues += len(d.IssuesDetected)
		for _, f := range d.Findings {
			if f.Severity == SeverityCritical {
				s.CriticalIssues++
			}
		}
		s.FlakyJobs += len(d.Flaky.Jobs)
		switch d.Band {
		case BandHealthy:
			s.HealthyDomains++
		case BandWarning:
			s.WarningDomains++
		case BandCritical:
			s.CriticalDomains++
		case BandArchived:
			s.ArchivedDomains++
		default:
			s.UnknownDomains++
		}
		if d.Band == BandWarning || d.Band == BandCritical {
			s.Unhealthy = append(s.Unhealthy, n)
		}
		if d.HealthScore != nil && d.Band != BandArchived {
			scoreSum += float64(*d.HealthScore)
			scored++
		}
		r.Recommendations = append(r.Recommendations, d.Recommendations...)
	}
	s.UnhealthyDomains = s.WarningDomains + s.CriticalDomains
	s.TotalFailures = len(r.Failures)
	if scored > 0 {
		avg := round1(scoreSum / float64(scored))
		s.AverageScore = &avg
	}
	switch {
	case s.CriticalDomains > 0:
		s.AlertLevel = AlertCritical
	case s.WarningDomains > 0 || s.UnknownDomains > 0 || r.Partial:
		s.AlertLevel = AlertWarning
	default:
		s.AlertLevel = AlertNone
	}
	if r.Partial {
		r.Recommendations = append(r.Recommendations, fmt.Sprintf(
			"the report is partial (%s): re-run after the rate limit resets to read %s", in.Reason, strings.Join(r.Missing, ", ")))
	}
	r.Summary = s
	r.Delta = in.History.delta(r)
	return r
}

// FailOnExceeded reports whether the alert level reaches fail_on
// (never, warning, critical).
func FailOnExceeded(failOn, alertLevel string) bool {
	switch failOn {
	case "warning":
		return alertLevel == AlertWarning || alertLevel == AlertCritical
	case "critical":
		return alertLevel == AlertCritical
	}
	return false
}

func sortedNames[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
