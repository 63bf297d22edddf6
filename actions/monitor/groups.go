package monitor

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// FailureGroup is the failures of one workflow of one domain in the window,
// as the dashboard lists them: how many, since when, the newest one's job
// and step, and its root cause and suggested fix.
type FailureGroup struct {
	Domain   string `json:"domain"`
	Workflow string `json:"workflow"`
	// Jobs counts the failed jobs (rows of failures[]), Runs the failed runs.
	Jobs      int       `json:"jobs"`
	Runs      int       `json:"runs"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Branches  []string  `json:"branches"`
	// Job, Step and URL are the newest failure's; Note says why it has no
	// job.
	Job          string `json:"job,omitempty"`
	Step         string `json:"step,omitempty"`
	NewestBranch string `json:"newest_branch,omitempty"`
	Note         string `json:"note,omitempty"`
	Conclusion   string `json:"conclusion"`
	URL          string `json:"url,omitempty"`
	// Cause is the root cause of the newest classified failure of the
	// group: the fixer's when its report names one, else the monitor's own
	// (analyze_failures).
	Cause *GroupCause `json:"cause,omitempty"`
}

// GroupCause is a failure group's root cause and suggested fix.
type GroupCause struct {
	// Source is "fixer" (failure_analysis.json) or "monitor"
	// (analyze_failures).
	Source      string   `json:"source"`
	Category    string   `json:"category"`
	Severity    string   `json:"severity"`
	Text        string   `json:"text"`
	Line        int      `json:"line,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
	// PullRequest is the fixer's pull request carrying the workflow patch.
	PullRequest string `json:"pull_request,omitempty"`
}

// FixerReports are the fixer's reports read for the dashboard.
type FixerReports struct {
	Files    []string
	Analyses []*contract.FailureAnalysis
}

// LoadFixerReports reads the failure_analysis.json files the patterns name.
// A pattern that matches nothing is not an error (the fixer is skipped when
// nothing failed; Missing lists it); a file that is not a fixer report is,
// so that a page never goes out without the root causes the fixer found.
func LoadFixerReports(patterns []string) (FixerReports, []string, error) {
	var out FixerReports
	var missing []string
	seen := map[string]bool{}
	for _, p := range patterns {
		matches, err := filepath.Glob(p)
		if err != nil {
			return out, nil, &config.SettingError{Source: "input", Name: "fixer_report", Value: p, Reason: "not a valid glob: " + err.Error()}
		}
		if len(matches) == 0 {
			missing = append(missing, p)
		}
		sort.Strings(matches)
		for _, m := range matches {
			if seen[m] {
				continue
			}
			seen[m] = true
			data, err := os.ReadFile(m)
			if err != nil {
				return out, nil, fmt.Errorf("failed to read the fixer report %s: %w", m, err)
			}
			doc, err := contract.Decode(data, m)
			if err != nil {
				return out, nil, fmt.Errorf("failed to read the fixer report: %w", err)
			}
			if doc.Failure == nil {
				return out, nil, fmt.Errorf("fixer_report %s is a %s report, want %s (action-fixer's failure_analysis.json)", m, doc.Kind, contract.KindFailure)
			}
			out.Files = append(out.Files, m)
			out.Analyses = append(out.Analyses, doc.Failure)
		}
	}
	return out, missing, nil
}

// fixerCauses indexes the fixer's root causes by job id and by domain and
// workflow (newest run first).
type fixerCauses struct {
	byJob      map[int64]*GroupCause
	byWorkflow map[string]*GroupCause
}

func indexFixer(fx FixerReports) fixerCauses {
	idx := fixerCauses{byJob: map[int64]*GroupCause{}, byWorkflow: map[string]*GroupCause{}}
	newestRun := map[string]int64{}
	for _, a := range fx.Analyses {
		pr := ""
		prRepo := ""
		if a.Patch != nil && a.Patch.PullRequest != nil {
			pr, prRepo = safeURL(a.Patch.PullRequest.URL), a.Patch.PullRequest.Repository
		}
		for i := range a.Failures {
			f := &a.Failures[i]
			c := &GroupCause{Source: "fixer", Category: string(f.Category), Severity: string(f.Severity), Text: f.Text,
				Line: f.Line, Suggestions: f.Suggestions}
			if pr != "" && strings.EqualFold(prRepo, f.Domain) {
				c.PullRequest = pr
			}
			if f.JobID != 0 {
				if _, ok := idx.byJob[f.JobID]; !ok {
					idx.byJob[f.JobID] = c
				}
			}
			if f.Domain != "" && f.Workflow != "" {
				key := f.Domain + "\x00" + f.Workflow
				if f.RunID >= newestRun[key] {
					newestRun[key] = f.RunID
					idx.byWorkflow[key] = c
				}
			}
		}
	}
	return idx
}

// GroupFailures groups the report's failures by domain and workflow, each
// group with the root cause the fixer's reports (or the monitor's own
// analysis) give its newest classified failure. Groups come in the order of
// the domains (worst first), then newest first.
func GroupFailures(r Report, fx FixerReports) []FailureGroup {
	idx := indexFixer(fx)
	byKey := map[string]*FailureGroup{}
	var order []string
	runs := map[string]map[int64]bool{}
	branches := map[string]map[string]bool{}
	// failures[] is newest first within a domain.
	for _, f := range r.Failures {
		key := f.Domain + "\x00" + f.Workflow
		g, ok := byKey[key]
		if !ok {
			g = &FailureGroup{Domain: f.Domain, Workflow: f.Workflow, FirstSeen: f.CreatedAt, LastSeen: f.CreatedAt,
				Job: f.Job, Step: f.Step, Note: f.Note, Conclusion: f.Conclusion, URL: safeURL(f.URL), NewestBranch: f.HeadBranch}
			byKey[key] = g
			order = append(order, key)
			runs[key], branches[key] = map[int64]bool{}, map[string]bool{}
		}
		g.Jobs++
		runs[key][f.RunID] = true
		if f.HeadBranch != "" {
			branches[key][f.HeadBranch] = true
		}
		if f.CreatedAt.Before(g.FirstSeen) {
			g.FirstSeen = f.CreatedAt
		}
		if f.CreatedAt.After(g.LastSeen) {
			g.LastSeen = f.CreatedAt
		}
		if g.Cause == nil {
			switch {
			case f.JobID != 0 && idx.byJob[f.JobID] != nil:
				g.Cause = idx.byJob[f.JobID]
			case f.Analysis != nil:
				g.Cause = &GroupCause{Source: "monitor", Category: f.Analysis.Category, Severity: f.Analysis.Severity,
					Text: f.Analysis.RootCause, Line: f.Analysis.Line, Suggestions: f.Analysis.Suggestions}
			}
		}
	}
	out := make([]FailureGroup, 0, len(order))
	for _, key := range order {
		g := byKey[key]
		if g.Cause == nil {
			g.Cause = idx.byWorkflow[key]
		}
		if g.Cause == nil && g.Conclusion == "startup_failure" {
			// A run that never started has no log to classify; its
			// conclusion is the cause.
			g.Cause = &GroupCause{Source: "monitor", Category: "workflow", Severity: string(SeverityWarning),
				Text:        "the workflow did not start (startup_failure): no job ran",
				Suggestions: []string{"Check that the workflow file parses (actionlint finds the line) and that every reusable workflow it calls exists at the ref it names."}}
		}
		g.Runs = len(runs[key])
		for b := range branches[key] {
			g.Branches = append(g.Branches, b)
		}
		sort.Strings(g.Branches)
		out = append(out, *g)
	}
	rank := domainRanks(r)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if rank[a.Domain] != rank[b.Domain] {
			return rank[a.Domain] < rank[b.Domain]
		}
		return a.LastSeen.After(b.LastSeen)
	})
	return out
}

// bandRank orders bands worst first; unknown (a band nothing proves) comes
// after the bands that need action and before the healthy ones.
var bandRank = map[string]int{BandCritical: 0, BandWarning: 1, BandUnknown: 2, BandHealthy: 3, BandArchived: 4}

// WorstFirst orders the report's domains worst first: by band, then by
// score (lowest first; no score after the scored), then by name.
func WorstFirst(r Report) []string {
	names := sortedNames(r.Domains)
	sort.SliceStable(names, func(i, j int) bool {
		a, b := r.Domains[names[i]], r.Domains[names[j]]
		if bandRank[a.Band] != bandRank[b.Band] {
			return bandRank[a.Band] < bandRank[b.Band]
		}
		if (a.HealthScore == nil) != (b.HealthScore == nil) {
			return a.HealthScore != nil
		}
		if a.HealthScore != nil && *a.HealthScore != *b.HealthScore {
			return *a.HealthScore < *b.HealthScore
		}
		return false
	})
	return names
}

func domainRanks(r Report) map[string]int {
	out := map[string]int{}
	for i, n := range WorstFirst(r) {
		out[n] = i
	}
	return out
}

// NextStep is the one thing to do first, in a sentence: the worst domain
// that needs action and, when a workflow of its default branch is red, that
// workflow with the root cause and the first suggested fix its failure group
// has. "" when no domain needs action.
func NextStep(r Report, groups []FailureGroup) string {
	for _, name := range WorstFirst(r) {
		d := r.Domains[name]
		switch d.Band {
		case BandCritical, BandWarning:
		case BandUnknown:
			if d.Error != "" {
				return fmt.Sprintf("Check that %s exists and the token can read it: %s.", name, d.Error)
			}
			continue
		default:
			continue
		}
		msg := fmt.Sprintf("Start with %s (%s, score %s)", name, d.Band, scoreText(d.HealthScore))
		for _, w := range d.Workflows {
			if w.FailingSince == nil {
				continue
			}
			msg += fmt.Sprintf(": workflow %q has been failing on %s since %s (%s in the window)",
				w.Workflow, d.DefaultBranch, w.FailingSince.UTC().Format("2 Jan 15:04 UTC"), plural(w.Failures, "failed run", "failed runs"))
			for _, g := range groups {
				if g.Domain == name && g.Workflow == w.Workflow && g.Cause != nil {
					msg += fmt.Sprintf("; root cause (%s): %s", g.Cause.Category, clipText(logText(g.Cause.Text), 160))
					if len(g.Cause.Suggestions) > 0 {
						msg += "; fix: " + clipText(g.Cause.Suggestions[0], 200)
					}
					break
				}
			}
			return sentence(msg)
		}
		if len(d.Recommendations) > 0 {
			return sentence(clipText(d.Recommendations[0], 300))
		}
		return sentence(msg)
	}
	return ""
}

// sentence ends s with one full stop.
func sentence(s string) string {
	return strings.TrimRight(s, ". ") + "."
}

// clipText cuts s to n runes with an ellipsis.
func clipText(s string, n int) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
