package alert

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// Categories of alerts that are not failures (Alert.Category).
const (
	CategoryHealth     = "health"
	CategoryUnreadable = "unreadable"
	CategoryStale      = "stale"
)

// Problem names (Alert.Problem).
const (
	ProblemUnhealthy  = "unhealthy"
	ProblemUnreadable = "unreadable"
	ProblemFailure    = "failure"
	ProblemStale      = "stale-items"
)

// BuildOptions select and shape the alerts built from reports.
type BuildOptions struct {
	// Type is the alert_type: auto, or one family.
	Type Type
	// MinLevel drops alerts below it (they count as not seen, so an open
	// alert that falls below it is resolved).
	MinLevel Level
	// DefaultDomain is the repository fixer findings belong to when the
	// report does not say (the current repository).
	DefaultDomain string
}

// Coverage records which (report kind, domain) pairs this run's reports
// looked at, so that only alerts whose place was looked at and found fine are
// resolved. A partial monitor report does not cover its missing domains; an
// unreadable domain covers only the "unreadable" problem.
type Coverage struct {
	// Kinds are the report kinds given this run.
	Kinds map[Kind]bool `json:"kinds"`
	// Scopes maps kind → lower-cased domain → covered problems ("*" = all).
	Scopes map[Kind]map[string][]string `json:"scopes"`
}

// Covers reports whether a report of kind looked at problem in scope.
func (c Coverage) Covers(kind Kind, scope, problem string) bool {
	for _, p := range c.Scopes[kind][strings.ToLower(scope)] {
		if p == "*" || p == problem {
			return true
		}
	}
	return false
}

func (c *Coverage) add(kind Kind, scope string, problems ...string) {
	if c.Scopes == nil {
		c.Scopes = map[Kind]map[string][]string{}
	}
	if c.Scopes[kind] == nil {
		c.Scopes[kind] = map[string][]string{}
	}
	k := strings.ToLower(scope)
	c.Scopes[kind][k] = append(c.Scopes[kind][k], problems...)
}

// Built is the outcome of Build.
type Built struct {
	// Alerts at or above MinLevel, one per fingerprint, highest level first.
	Alerts   []Alert  `json:"alerts"`
	Coverage Coverage `json:"coverage"`
	// BelowMinLevel counts alerts dropped by MinLevel or by the type.
	BelowMinLevel int `json:"below_min_level"`
}

// CheckType checks that every report fits the alert type: stale needs stale
// reports, ecosystem needs monitor or fixer reports; auto, critical and
// maintenance take any report.
func CheckType(t Type, reports []Report) error {
	for _, r := range reports {
		switch {
		case t == TypeStale && r.Kind != KindStale,
			t == TypeEcosystem && r.Kind == KindStale:
			want := "stale_analysis.json"
			if t == TypeEcosystem {
				want = "ecosystem_analysis.json or failure_analysis.json"
			}
			return &config.SettingError{Source: config.InputSource, Name: "alert_type", Value: string(t),
				Reason:  fmt.Sprintf("for report %s (a %s report): alert_type %s needs %s; use auto to take the type from each report", r.Name(), r.Kind, t, want),
				Allowed: "auto, stale, critical, ecosystem, maintenance"}
		}
	}
	return nil
}

// Build turns reports into alerts. It is pure: the same reports and options
// give the same alerts.
func Build(reports []Report, opts BuildOptions) (Built, error) {
	if opts.Type == "" {
		opts.Type = TypeAuto
	}
	if opts.MinLevel == "" {
		opts.MinLevel = LevelLow
	}
	if err := CheckType(opts.Type, reports); err != nil {
		return Built{}, err
	}
	out := Built{Coverage: Coverage{Kinds: map[Kind]bool{}}}
	var all []Alert
	for _, r := range reports {
		out.Coverage.Kinds[r.Kind] = true
		switch r.Kind {
		case KindMonitor:
			all = append(all, monitorAlerts(r, &out.Coverage)...)
		case KindFixer:
			all = append(all, fixerAlerts(r, opts.DefaultDomain, &out.Coverage)...)
		case KindStale:
			all = append(all, staleAlerts(r, &out.Coverage)...)
		}
	}
	byFP := map[string]int{}
	for _, a := range all {
		a.Type = typeFor(opts.Type, a)
		if !keep(opts, a) {
			out.BelowMinLevel++
			continue
		}
		if i, ok := byFP[a.Fingerprint]; ok {
			out.Alerts[i] = merge(out.Alerts[i], a)
			continue
		}
		byFP[a.Fingerprint] = len(out.Alerts)
		out.Alerts = append(out.Alerts, a)
	}
	sort.SliceStable(out.Alerts, func(i, j int) bool {
		a, b := out.Alerts[i], out.Alerts[j]
		if a.Level.Rank() != b.Level.Rank() {
			return a.Level.Rank() > b.Level.Rank()
		}
		if a.Scope != b.Scope {
			return a.Scope < b.Scope
		}
		return a.Title < b.Title
	})
	if out.Alerts == nil {
		out.Alerts = []Alert{}
	}
	Inhibit(out.Alerts)
	return out, nil
}

// typeFor is the alert's type under the alert_type input.
func typeFor(t Type, a Alert) Type {
	if t != TypeAuto {
		return t
	}
	switch {
	case a.Source == KindStale:
		return TypeStale
	case a.Level == LevelCritical:
		return TypeCritical
	case a.Level == LevelLow:
		return TypeMaintenance
	}
	return TypeEcosystem
}

// keep applies min_level and the level a type implies (critical: only
// critical; maintenance: only low).
func keep(opts BuildOptions, a Alert) bool {
	if a.Level.Rank() < opts.MinLevel.Rank() || a.Level == LevelNone {
		return false
	}
	switch opts.Type {
	case TypeCritical:
		return a.Level == LevelCritical
	case TypeMaintenance:
		return a.Level == LevelLow
	}
	return true
}

// merge combines two alerts with one fingerprint (two reports saw the same
// problem): the higher level wins, details are joined.
func merge(a, b Alert) Alert {
	if b.Level.Rank() > a.Level.Rank() {
		a, b = b, a
	}
	a.Details = appendUnique(a.Details, b.Details...)
	a.Suggestions = appendUnique(a.Suggestions, b.Suggestions...)
	a.Facts = appendUnique(a.Facts, b.Facts...)
	sort.Strings(a.Facts)
	a.Workflows = appendUnique(a.Workflows, b.Workflows...)
	if !b.DetectedAt.IsZero() && (a.DetectedAt.IsZero() || b.DetectedAt.Before(a.DetectedAt)) {
		a.DetectedAt = b.DetectedAt
	}
	return a
}

func appendUnique(list []string, more ...string) []string {
	seen := map[string]bool{}
	for _, s := range list {
		seen[s] = true
	}
	for _, s := range more {
		if !seen[s] {
			seen[s] = true
			list = append(list, s)
		}
	}
	return list
}

// monitorBand returns the domain's band, derived from the score with the
// default bands when the report predates the band field.
func monitorBand(d contract.DomainHealth) string {
	if d.Band != "" {
		return d.Band
	}
	switch {
	case d.Archived:
		return bandArchived
	case d.HealthScore == nil:
		return bandUnknown
	case LevelForScore(*d.HealthScore) == LevelNone:
		return bandHealthy
	case LevelForScore(*d.HealthScore) == LevelWarning:
		return bandWarning
	}
	return bandCritical
}

func monitorAlerts(r Report, cov *Coverage) []Alert {
	m := r.Monitor
	var out []Alert
	names := make([]string, 0, len(m.Domains))
	for n := range m.Domains {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		d := m.Domains[name]
		band := monitorBand(d)
		if band == bandUnknown {
			cov.add(KindMonitor, name, ProblemUnreadable)
		} else {
			cov.add(KindMonitor, name, "*")
		}
		switch band {
		case bandWarning, bandCritical:
			out = append(out, unhealthyAlert(r, name, d, band))
		case bandUnknown:
			out = append(out, unreadableAlert(r, name, d))
		}
	}
	out = append(out, failureAlerts(r)...)
	return out
}

func unhealthyAlert(r Report, name string, d contract.DomainHealth, band string) Alert {
	score := "n/a"
	if d.HealthScore != nil {
		score = strconv.Itoa(*d.HealthScore) + "/100"
	}
	a := Alert{
		Fingerprint: Fingerprint(name, ProblemUnhealthy), Level: LevelForBand(band), Source: KindMonitor,
		Scope: name, Problem: ProblemUnhealthy, DetectedAt: r.Time, ReportPath: r.Path,
		Title:   fmt.Sprintf("%s: health %s", name, band),
		Summary: fmt.Sprintf("Health score %s (%s band; healthy is 80 or more, warning 60-79, critical below 60), confidence %.0f%%.", score, band, d.Confidence*100),
		Facts:   []string{"band:" + band},
	}
	a.Category = CategoryHealth
	comps := map[string]bool{}
	for _, f := range d.Findings {
		if f.Severity == "warning" || f.Severity == "critical" {
			comps[f.Component+":"+string(f.Severity)] = true
			a.Components = appendUnique(a.Components, f.Component)
		}
		a.Details = append(a.Details, fmt.Sprintf("[%s] %s: %s", f.Severity, f.Component, findingText(f)))
	}
	if len(d.Findings) == 0 {
		for _, s := range d.IssuesDetected {
			a.Details = append(a.Details, s)
		}
	}
	for c := range comps {
		a.Facts = append(a.Facts, c)
	}
	sort.Strings(a.Facts)
	a.Rows = [][2]string{{"Domain", name}, {"Health score", score}, {"Band", band}, {"Confidence", fmt.Sprintf("%.0f%%", d.Confidence*100)}}
	if d.CI.Runs > 0 {
		a.Rows = append(a.Rows, [2]string{"CI runs (failed)", fmt.Sprintf("%d (%d)", d.CI.Runs, d.CI.Failures)})
	}
	if d.CI.LastGreen != nil {
		a.Rows = append(a.Rows, [2]string{"Last green", d.CI.LastGreen.UTC().Format(time.RFC3339)})
	}
	if d.OpenPullRequests > 0 {
		a.Rows = append(a.Rows, [2]string{"Open PRs (stale)", fmt.Sprintf("%d (%d)", d.OpenPullRequests, d.StalePullRequests)})
	}
	a.Suggestions = append(a.Suggestions, d.Recommendations...)
	if d.URL != "" {
		a.Links = [][2]string{{"repository", d.URL}, {"actions", d.URL + "/actions"}}
	}
	return a
}

func unreadableAlert(r Report, name string, d contract.DomainHealth) Alert {
	reason := d.Error
	var missing []contract.Finding
	for _, f := range d.Findings {
		if f.Category == contract.CategoryMissingData {
			missing = append(missing, f)
		}
	}
	if reason == "" && len(missing) > 0 {
		var parts []string
		for _, f := range missing {
			parts = append(parts, findingText(f))
		}
		reason = strings.Join(parts, "; ")
	}
	if reason == "" {
		reason = "the monitor could not read it"
	}
	a := Alert{
		Fingerprint: Fingerprint(name, ProblemUnreadable), Level: LevelWarning, Source: KindMonitor,
		Scope: name, Problem: ProblemUnreadable, DetectedAt: r.Time, ReportPath: r.Path,
		Title:    name + ": domain could not be read",
		Summary:  "The monitor could not read this domain: " + reason + ".",
		Facts:    []string{"status:" + strconv.Itoa(d.Status)},
		Rows:     [][2]string{{"Domain", name}, {"HTTP status", strconv.Itoa(d.Status)}},
		Category: CategoryUnreadable,
	}
	if len(missing) > 0 {
		a.Title = name + ": health unknown, data could not be read"
		a.Rows = [][2]string{{"Domain", name}, {"Band", bandUnknown}}
		a.Facts = nil
	}
	for _, f := range missing {
		a.Facts = append(a.Facts, "missing:"+f.Component)
		a.Rows = append(a.Rows, [2]string{"Not read", fmt.Sprintf("%s (HTTP %d)", f.Component, f.Status)})
		if f.Permission != "" {
			a.Rows = append(a.Rows, [2]string{"Token needs", f.Permission})
		}
	}
	if d.ScoreRange != nil {
		a.Rows = append(a.Rows, [2]string{"Score between", fmt.Sprintf("%d and %d", d.ScoreRange.Min, d.ScoreRange.Max)})
	}
	a.Suggestions = append(a.Suggestions, d.Recommendations...)
	return a
}

var volatile = regexp.MustCompile(`(?i)\b[0-9a-f]{7,}\b|\d+`)

// stableText masks numbers and hashes so the same failure with other values
// reads the same (for Facts).
func stableText(s string) string {
	return strings.TrimSpace(volatile.ReplaceAllString(s, "N"))
}

// failureAlerts groups the monitor's failed jobs on each domain's default
// branch by (domain, workflow): one alert per workflow that keeps failing.
// The workflow, not the category, is the "where": the monitor classifies only
// some failed logs, and a category in the fingerprint would split one red
// workflow into several alerts. The category of the latest classified failure
// is a fact (a change of cause is a change worth a comment). Failures on other
// branches (pull requests, features) are not alerts.
func failureAlerts(r Report) []Alert {
	m := r.Monitor
	type key struct{ domain, workflow string }
	groups := map[key][]contract.FailedJob{}
	var order []key
	for _, f := range m.Failures {
		d, ok := m.Domains[f.Domain]
		if !ok {
			continue
		}
		if d.DefaultBranch != "" && f.HeadBranch != "" && f.HeadBranch != d.DefaultBranch {
			continue
		}
		k := key{f.Domain, f.Workflow}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	var out []Alert
	for _, k := range order {
		fs := groups[k]
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].CreatedAt.After(fs[j].CreatedAt) })
		latest := fs[0]
		level := LevelNone
		first := latest.CreatedAt
		category, root, step := "", "", latest.Step
		a := Alert{
			Fingerprint: Fingerprint(k.domain, ProblemFailure, k.workflow), Source: KindMonitor,
			Scope: k.domain, Problem: ProblemFailure, ReportPath: r.Path,
		}
		for _, f := range fs {
			if f.CreatedAt.Before(first) {
				first = f.CreatedAt
			}
			if f.Analysis != nil {
				level = MaxLevel(level, levelForSeverity(f.Analysis.Severity, f.Analysis.Category))
				a.Suggestions = appendUnique(a.Suggestions, f.Analysis.Suggestions...)
				if category == "" {
					category, root = f.Analysis.Category, f.Analysis.RootCause
				}
			} else {
				level = MaxLevel(level, LevelMedium)
			}
			line := fmt.Sprintf("run %d attempt %d, job %q", f.RunID, f.RunAttempt, f.Job)
			if f.Step != "" {
				line += fmt.Sprintf(", step %q", f.Step)
			}
			line += fmt.Sprintf(": %s at %s", f.Conclusion, f.CreatedAt.UTC().Format(time.RFC3339))
			if f.Analysis != nil && f.Analysis.RootCause != "" {
				line += " — " + f.Analysis.Category + ": " + f.Analysis.RootCause
			}
			a.Details = append(a.Details, line)
		}
		category = nonEmpty(category, "unclassified")
		a.Level = level
		a.DetectedAt = first
		a.Title = fmt.Sprintf("%s: %s failing on %s", k.domain, k.workflow, nonEmpty(latest.HeadBranch, "the default branch"))
		a.Summary = fmt.Sprintf("%d failed job(s) of workflow %s on %s in the monitor's window; the latest failed in job %s (%s).",
			len(fs), k.workflow, nonEmpty(latest.HeadBranch, "the default branch"), latest.Job, category)
		a.Facts = []string{"category:" + category}
		a.Category, a.Workflow, a.Job, a.RunURL, a.RootCause = category, k.workflow, latest.Job, latest.URL, root
		if root != "" {
			a.Facts = append(a.Facts, "root:"+stableText(root))
		}
		a.Rows = [][2]string{{"Domain", k.domain}, {"Workflow", k.workflow}, {"Branch", latest.HeadBranch},
			{"Category", fmt.Sprintf("%s (%s)", category, level)}, {"Failed jobs in the window", strconv.Itoa(len(fs))},
			{"Latest failed job", latest.Job}}
		if step != "" {
			a.Rows = append(a.Rows, [2]string{"Step", step})
		}
		if root != "" {
			a.Rows = append(a.Rows, [2]string{"Root cause", root})
		}
		if latest.URL != "" {
			a.Links = append(a.Links, [2]string{"latest failed job", latest.URL})
		}
		out = append(out, a)
	}
	return out
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// findingText is a finding's text; reports older than the contract wrote
// the monitor's domain findings under "message".
func findingText(f contract.Finding) string {
	return nonEmpty(f.Text, f.Message)
}

// fixerAlerts files one alert per root cause of a failed log, under the
// domain whose job failed (the finding's domain; defaultDomain only for a
// finding that names none, such as a bare findings list from a log file).
func fixerAlerts(r Report, defaultDomain string, cov *Coverage) []Alert {
	f := r.Fixer
	// Every domain whose logs were analysed is covered, also when its logs
	// explained nothing.
	covered := 0
	for _, an := range f.Analyses {
		if an.Repository != "" {
			cov.add(KindFixer, an.Repository, "*")
			covered++
		}
	}
	// The root cause of each log: the findings flagged root_cause, or the
	// first one (the fixer lists the decisive finding first).
	bySource := map[string][]contract.Finding{}
	var order []string
	for _, x := range f.Failures {
		k := x.Source + "\x00" + x.Job
		if _, ok := bySource[k]; !ok {
			order = append(order, k)
		}
		bySource[k] = append(bySource[k], x)
	}
	var roots []contract.Finding
	for _, k := range order {
		fs := bySource[k]
		var flagged []contract.Finding
		for _, x := range fs {
			if x.RootCause {
				flagged = append(flagged, x)
			}
		}
		if len(flagged) == 0 {
			flagged = fs[:1]
		}
		roots = append(roots, flagged...)
	}
	if covered == 0 && len(roots) == 0 && defaultDomain != "" {
		cov.add(KindFixer, defaultDomain, "*")
	}
	var out []Alert
	for _, x := range roots {
		domain := nonEmpty(x.Domain, defaultDomain)
		cov.add(KindFixer, domain, "*")
		fp := Fingerprint(domain, ProblemFailure, x.Fingerprint)
		if x.Fingerprint == "" {
			fp = Fingerprint(domain, ProblemFailure, string(x.Category), x.RuleID)
		}
		category := nonEmpty(string(x.Category), "unclassified")
		level := levelForSeverity(string(x.Severity), string(x.Category))
		title := nonEmpty(x.Title, x.RuleID)
		a := Alert{
			Fingerprint: fp, Level: level, Source: KindFixer, Scope: domain, Problem: ProblemFailure,
			DetectedAt: r.Time, ReportPath: r.Path,
			Title:       fmt.Sprintf("%s: %s (%s)", domain, nonEmpty(title, "CI failure"), category),
			Summary:     fmt.Sprintf("The fixer classified a failed job as %s (%s, rule %s, confidence %.0f%%).", category, level, nonEmpty(x.RuleID, "none"), x.Confidence*100),
			Facts:       []string{"category:" + string(x.Category), "rule:" + x.RuleID},
			Suggestions: append([]string(nil), x.Suggestions...),
			Category:    category, Workflow: x.Workflow, Job: x.Job, RunURL: x.RunURL, RootCause: x.Text,
		}
		if x.Workflow != "" {
			a.Workflows = []string{x.Workflow}
		}
		a.Rows = [][2]string{{"Domain", domain}, {"Rule", x.RuleID}, {"Category", fmt.Sprintf("%s (%s)", category, level)}}
		if x.Workflow != "" {
			a.Rows = append(a.Rows, [2]string{"Workflow", x.Workflow})
		}
		if x.Job != "" {
			a.Rows = append(a.Rows, [2]string{"Job", x.Job})
		}
		if x.Step != "" {
			a.Rows = append(a.Rows, [2]string{"Step", x.Step})
		}
		if x.Line > 0 {
			a.Rows = append(a.Rows, [2]string{"Log line", strconv.Itoa(x.Line)})
		}
		if x.Occurrences > 0 {
			a.Rows = append(a.Rows, [2]string{"Occurrences in the log", strconv.Itoa(x.Occurrences)})
		}
		if x.Text != "" {
			a.Rows = append(a.Rows, [2]string{"Root cause", x.Text})
		}
		for _, c := range x.Context {
			a.Details = append(a.Details, fmt.Sprintf("%6d | %s", c.Line, c.Text))
		}
		if x.RunURL != "" {
			a.Links = append(a.Links, [2]string{"failed job", x.RunURL})
		}
		if u := f.Producer.RunURL; u != "" {
			a.Links = append(a.Links, [2]string{"fixer run", u})
		}
		out = append(out, a)
	}
	return out
}

func staleAlerts(r Report, cov *Coverage) []Alert {
	s := r.Stale
	failed := map[string]bool{}
	for _, e := range s.Errors {
		failed[strings.ToLower(e.Repository)] = true
	}
	repos := append([]string(nil), s.Repositories...)
	if len(repos) == 0 && s.Repository != "" {
		repos = []string{s.Repository}
	}
	for _, rp := range repos {
		if !failed[strings.ToLower(rp)] {
			cov.add(KindStale, rp, "*")
		}
	}
	type counts struct {
		prs, issues, branches int
		entries               []contract.StaleEntry
		kinds                 []string
	}
	byRepo := map[string]*counts{}
	var order []string
	note := func(kind string, list []contract.StaleEntry) {
		for _, e := range list {
			rp := nonEmpty(e.Repository, s.Repository)
			c, ok := byRepo[rp]
			if !ok {
				c = &counts{}
				byRepo[rp] = c
				order = append(order, rp)
			}
			switch kind {
			case "pr":
				c.prs++
			case "issue":
				c.issues++
			case "branch":
				c.branches++
			}
			c.entries = append(c.entries, e)
			c.kinds = append(c.kinds, kind)
		}
	}
	note("pr", s.StalePRs)
	note("issue", s.StaleIssues)
	note("branch", s.StaleBranches)
	sort.Strings(order)
	var out []Alert
	for _, rp := range order {
		c := byRepo[rp]
		a := Alert{
			Fingerprint: Fingerprint(rp, ProblemStale), Level: LevelLow, Source: KindStale, Scope: rp,
			Problem: ProblemStale, DetectedAt: r.Time, ReportPath: r.Path,
			Title:   rp + ": stale pull requests, issues or branches",
			Summary: fmt.Sprintf("%d stale pull request(s), %d stale issue(s) and %d stale branch(es).", c.prs, c.issues, c.branches),
			Rows: [][2]string{{"Repository", rp}, {"Stale pull requests", strconv.Itoa(c.prs)},
				{"Stale issues", strconv.Itoa(c.issues)}, {"Stale branches", strconv.Itoa(c.branches)}},
			Suggestions: []string{"Review, merge or close the stale pull requests; delete branches that are no longer needed (action-stale can do it after a grace period)."},
			Category:    CategoryStale,
		}
		if s.DryRun {
			a.Rows = append(a.Rows, [2]string{"Stale run", "dry run (nothing was warned)"})
		}
		for i, e := range c.entries {
			var id, line string
			switch c.kinds[i] {
			case "branch":
				id = "branch " + e.Branch
				line = fmt.Sprintf("branch %s: inactive %.0f days", e.Branch, e.InactiveDays)
			default:
				id = fmt.Sprintf("%s #%d", c.kinds[i], e.Number)
				line = fmt.Sprintf("%s #%d %s: inactive %.0f days", c.kinds[i], e.Number, e.Title, e.InactiveDays)
			}
			if e.Decision != "" {
				line += " (" + e.Decision + ")"
			}
			a.Facts = append(a.Facts, id)
			a.Details = append(a.Details, line)
		}
		sort.Strings(a.Facts)
		out = append(out, a)
	}
	return out
}
