package monitor

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Dashboard file names under pages_content/.
const (
	DashboardFile = "index.html"
	DataFile      = "data.json"
)

// Dashboard limits. Up to MaxDomainCards domains each get a card; a larger
// ecosystem gets the sortable table of every domain and cards for its
// MaxLargeCards worst domains that need action. The page lists at most
// MaxDashboardGroups failure groups and MaxDashboardWorkflows workflows;
// data.json holds them all.
const (
	MaxDomainCards        = 40
	MaxLargeCards         = 6
	MaxDashboardGroups    = 150
	MaxLargeGroups        = 60
	MaxDashboardWorkflows = 40
	MaxCardWorkflows      = 6
)

// DashboardData is pages_content/data.json: the report, the history the
// trend charts are drawn from, the failure groups with their root causes and
// the fixer reports they were read from.
type DashboardData struct {
	Report       Report         `json:"report"`
	History      []HistoryEntry `json:"history"`
	Groups       []FailureGroup `json:"failure_groups"`
	FixerReports []string       `json:"fixer_reports"`
}

// Pages is what WritePages renders.
type Pages struct {
	Report   Report
	Markdown string
	History  *History
	Fixer    FixerReports
	// FixerMissing are fixer_report patterns that matched no file.
	FixerMissing []string
}

// WritePages writes pages_content/: the two reports, data.json and the
// static dashboard index.html (one inline script, allowed by its hash; no
// external resources, works from file:// and offline).
func WritePages(dir string, p Pages) error {
	var entries []HistoryEntry
	if p.History != nil {
		entries = p.History.Entries
	}
	groups := GroupFailures(p.Report, p.Fixer)
	html, err := RenderDashboard(p, groups)
	if err != nil {
		return err
	}
	if err := report.WriteJSON(filepath.Join(dir, ReportFile), p.Report); err != nil {
		return fmt.Errorf("failed to write the pages report: %w", err)
	}
	if err := report.WriteFile(filepath.Join(dir, SummaryFile), []byte(p.Markdown)); err != nil {
		return fmt.Errorf("failed to write the pages summary: %w", err)
	}
	data := DashboardData{Report: p.Report, History: nonNil(entries), Groups: nonNil(groups), FixerReports: nonNil(p.Fixer.Files)}
	if err := report.WriteJSON(filepath.Join(dir, DataFile), data); err != nil {
		return fmt.Errorf("failed to write the dashboard data: %w", err)
	}
	if err := report.WriteFile(filepath.Join(dir, DashboardFile), html); err != nil {
		return fmt.Errorf("failed to write the dashboard: %w", err)
	}
	return nil
}

// ---- views ----------------------------------------------------------------

type dashboardView struct {
	Generated, GeneratedISO, Window, Recent string
	AlertLevel, AlertText, NextStep         string
	Summary                                 Summary
	Average                                 string
	Partial                                 bool
	Missing, MissingReason                  string
	Rows                                    []rowView
	Cards                                   []cardView
	Large                                   bool
	HiddenCards                             int
	Groups                                  []groupView
	MoreGroups                              int
	Workflows                               []workflowView
	MoreWorkflows                           int
	FixerFiles                              string
	FixerMissing                            string
	ClassifiedGroups, Groups0               int
	Script                                  template.JS
	CSP                                     string
}

// rowView is one domain in the domain table; Sort* are the values the
// sortable table orders by ("" sorts last).
type rowView struct {
	Name, URL, Band, BandRank                   string
	Repo                                        ghname.Repo
	BandClass, RedSort                          string
	Score, ScoreSort, Change, ChangeSort        string
	CI, CISort, Streak, StreakSort, Last, LastS string
	Failures, FailuresSort, RedSince            string
	Anchor                                      string
}

type cardView struct {
	Name, URL, Anchor, Band, Score, Change, Confidence string
	Headline, Error                                    string
	Range                                              string
	Components                                         []componentView
	Missing                                            []string
	Findings                                           []Finding
	Trend                                              chartView
	CI                                                 chartView
	Workflows                                          []workflowView
	MoreWorkflows                                      int
	Signals                                            []signalView
	SignalsRead, SignalsUnread                         int
	// Compact leaves the signals out (a large ecosystem's page; data.json
	// has them).
	Compact bool
}

type componentView struct{ Name, Value, Score, Detail string }

type signalView struct{ Name, Value, Source, Why string }

type workflowView struct {
	Domain, Workflow, Red                      string
	Rate, RateSort, Runs                       string
	P50, P50Sort, P95, Queue, QueueSort        string
	TTR, TTRSort, Trend, TrendClass, TrendText string
}

type groupView struct {
	Domain, Workflow, Count, CountSort           string
	First, Last, LastSort, Branches              string
	Job, Note, URL, Conclusion                   string
	Cause, Category, Fix, CauseSource, PR, Where string
	HasCause                                     bool
}

// ---- charts -----------------------------------------------------------------

// chartView is an inline SVG chart on a real time axis: X is time, labelled
// with dates; Y is a value with labelled ticks and thresholds. Missing data
// is a gap, never a zero.
type chartView struct {
	W, H              int
	ID, Title, Desc   string
	Empty             bool
	EmptyText         string
	Segments          []string
	Dots              []dotView
	Bars              []barView
	XTicks, YTicks    []tickView
	Thresholds        []lineView
	Missing           []tickView
	Current           *tickView
	PlotX0, PlotX1    float64
	PlotY0, PlotY1    float64
	YUnit, XAxisLabel string
}

type dotView struct {
	X, Y  float64
	Title string
}

type barView struct {
	X, W, Y, H, FY, FH float64
	Title              string
}

type tickView struct {
	X, Y  float64
	Label string
	// Anchor is the label's text-anchor: the first tick starts at its
	// mark and the last ends there, so neither is cut at the chart's edge.
	Anchor string
}

type lineView struct {
	Y            float64
	Label, Class string
}

const (
	chartW, chartH           = 360, 170
	chartLeft, chartRight    = 30, 34
	chartTop, chartBottom    = 10, 30
	dayFormat, dayTimeFormat = "2 Jan", "2 Jan 15:04"
	isoMinute                = "2006-01-02 15:04 UTC"
	minTrendSpan             = 24 * time.Hour
)

func plotBox() (x0, x1, y0, y1 float64) {
	return chartLeft, chartW - chartRight, chartTop, chartH - chartBottom
}

// timeTicks are up to four labelled times spread over [from, to].
func timeTicks(from, to time.Time, x func(time.Time) float64) []tickView {
	span := to.Sub(from)
	format := dayFormat
	if span < 4*24*time.Hour {
		format = dayTimeFormat
	}
	n := 3
	var out []tickView
	for i := 0; i <= n; i++ {
		t := from.Add(time.Duration(float64(span) * float64(i) / float64(n)))
		out = append(out, tickView{X: round1(x(t)), Label: t.UTC().Format(format)})
	}
	return anchorTicks(out)
}

// scoreTrend draws a domain's health score over the history and this run.
// A run in which the domain had no score (unread, archived, missing from a
// partial report) breaks the line and is marked at the foot of the chart.
func scoreTrend(name string, r Report, entries []HistoryEntry, anchor string) chartView {
	type pt struct {
		t     time.Time
		score *int
	}
	var pts []pt
	for _, e := range entries {
		if e.Timestamp.Equal(r.Timestamp) {
			continue
		}
		p, ok := e.Domains[name]
		var s *int
		if ok {
			s = p.Score
		}
		pts = append(pts, pt{e.Timestamp, s})
	}
	pts = append(pts, pt{r.Timestamp, r.Domains[name].HealthScore})
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].t.Before(pts[j].t) })

	cv := chartView{W: chartW, H: chartH, ID: "trend-" + anchor, YUnit: "score", XAxisLabel: "run time (UTC)"}
	cv.PlotX0, cv.PlotX1, cv.PlotY0, cv.PlotY1 = plotBox()
	from, to := pts[0].t, r.Timestamp
	if to.Sub(from) < minTrendSpan {
		from = to.Add(-minTrendSpan)
	}
	x := func(t time.Time) float64 {
		return cv.PlotX0 + (cv.PlotX1-cv.PlotX0)*float64(t.Sub(from))/float64(to.Sub(from))
	}
	y := func(v float64) float64 { return cv.PlotY1 - (cv.PlotY1-cv.PlotY0)*v/100 }
	cv.XTicks = timeTicks(from, to, x)
	bands := r.Settings.Bands
	if bands.Healthy == 0 {
		bands = DefaultHealthConfig().Bands
	}
	for _, v := range []int{0, bands.Warning, bands.Healthy, 100} {
		cv.YTicks = append(cv.YTicks, tickView{Y: round1(y(float64(v))), Label: fmt.Sprint(v)})
	}
	cv.Thresholds = []lineView{
		{Y: round1(y(float64(bands.Healthy))), Label: fmt.Sprintf("healthy ≥ %d", bands.Healthy), Class: "th-healthy"},
		{Y: round1(y(float64(bands.Warning))), Label: fmt.Sprintf("warning ≥ %d", bands.Warning), Class: "th-warning"},
	}
	var seg []string
	var scored, missing int
	var values []string
	for _, p := range pts {
		if p.score == nil {
			missing++
			if len(seg) > 0 {
				cv.Segments = append(cv.Segments, strings.Join(seg, " "))
				seg = nil
			}
			cv.Missing = append(cv.Missing, tickView{X: round1(x(p.t)), Label: p.t.UTC().Format(isoMinute) + ": no score"})
			continue
		}
		scored++
		px, py := round1(x(p.t)), round1(y(float64(*p.score)))
		seg = append(seg, fmt.Sprintf("%.1f,%.1f", px, py))
		cv.Dots = append(cv.Dots, dotView{X: px, Y: py, Title: fmt.Sprintf("%s: score %d", p.t.UTC().Format(isoMinute), *p.score)})
		values = append(values, fmt.Sprintf("%s %d", p.t.UTC().Format(dayTimeFormat), *p.score))
	}
	if len(seg) > 0 {
		cv.Segments = append(cv.Segments, strings.Join(seg, " "))
	}
	cv.Title = fmt.Sprintf("Health score of %s, %s to %s", name, from.UTC().Format(dayFormat), to.UTC().Format(dayFormat))
	if cur := r.Domains[name].HealthScore; cur != nil {
		last := cv.Dots[len(cv.Dots)-1]
		cv.Current = &tickView{X: last.X + 5, Y: last.Y + 4, Label: fmt.Sprint(*cur)}
	}
	switch {
	case scored == 0:
		cv.Desc = fmt.Sprintf("No score in any of the %s shown: the domain had no readable data to score.", plural(len(pts), "run", "runs"))
	default:
		cv.Desc = fmt.Sprintf("Score 0 to 100 over %s (thresholds: healthy from %d, warning from %d): %s.",
			plural(len(pts), "run", "runs"), bands.Healthy, bands.Warning, strings.Join(lastN(values, 6), ", "))
		if missing > 0 {
			cv.Desc += fmt.Sprintf(" No score in %s.", plural(missing, "run", "runs"))
		}
		if cur := r.Domains[name].HealthScore; cur != nil {
			cv.Desc += fmt.Sprintf(" Now %d.", *cur)
		} else {
			cv.Desc += " No score now."
		}
	}
	return cv
}

func lastN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append([]string{"…"}, s[len(s)-n:]...)
}

// ciChart draws the domain's workflow runs per day in the window, the
// failed part of each day marked; a domain whose runs could not be read
// has no chart (missing, not zero).
func ciChart(name string, d DomainReport, anchor string) chartView {
	cv := chartView{W: chartW, H: chartH, ID: "ci-" + anchor, YUnit: "runs/day", XAxisLabel: "day (UTC)"}
	cv.PlotX0, cv.PlotX1, cv.PlotY0, cv.PlotY1 = plotBox()
	type day struct {
		date           time.Time
		runs, failures int
	}
	byDate := map[string]*day{}
	var days []*day
	for _, w := range d.Workflows {
		for _, dy := range w.Daily {
			dd, ok := byDate[dy.Date]
			if !ok {
				t, err := time.Parse(time.DateOnly, dy.Date)
				if err != nil {
					continue
				}
				dd = &day{date: t}
				byDate[dy.Date] = dd
				days = append(days, dd)
			}
			dd.runs += dy.Runs
			dd.failures += dy.Failures
		}
	}
	if len(days) == 0 {
		cv.Empty = true
		cv.EmptyText = "No workflow runs in the window"
		if d.Error != "" || d.Archived {
			cv.EmptyText = "No CI data: the domain's runs were not read"
		}
		for _, f := range d.Findings {
			if f.Category == "missing_data" && strings.Contains(f.Component, "runs") {
				cv.EmptyText = "No CI data: " + f.Text
			}
		}
		cv.Title = "Workflow runs per day of " + name
		cv.Desc = cv.EmptyText + "."
		return cv
	}
	sort.Slice(days, func(i, j int) bool { return days[i].date.Before(days[j].date) })
	maxRuns := 1
	total, failed := 0, 0
	for _, dd := range days {
		maxRuns = max(maxRuns, dd.runs)
		total += dd.runs
		failed += dd.failures
	}
	top := niceCeil(maxRuns)
	from, to := days[0].date, days[len(days)-1].date.Add(24*time.Hour)
	x := func(t time.Time) float64 {
		return cv.PlotX0 + (cv.PlotX1-cv.PlotX0)*float64(t.Sub(from))/float64(to.Sub(from))
	}
	y := func(v float64) float64 { return cv.PlotY1 - (cv.PlotY1-cv.PlotY0)*v/float64(top) }
	bw := (cv.PlotX1 - cv.PlotX0) / float64(len(days))
	for _, dd := range days {
		bx := x(dd.date) + bw*0.15
		b := barView{X: round1(bx), W: round1(bw * 0.7), Y: round1(y(float64(dd.runs))), H: round1(y(0) - y(float64(dd.runs))),
			FY: round1(y(float64(dd.failures))), FH: round1(y(0) - y(float64(dd.failures))),
			Title: fmt.Sprintf("%s: %s, %d failed", dd.date.Format("Mon 2 Jan"), plural(dd.runs, "run", "runs"), dd.failures)}
		cv.Bars = append(cv.Bars, b)
	}
	for _, v := range []int{0, top / 2, top} {
		cv.YTicks = append(cv.YTicks, tickView{Y: round1(y(float64(v))), Label: fmt.Sprint(v)})
	}
	// Date labels at the first, middle and last day.
	for _, i := range []int{0, len(days) / 2, len(days) - 1} {
		cv.XTicks = append(cv.XTicks, tickView{X: round1(x(days[i].date) + bw/2), Label: days[i].date.Format(dayFormat)})
	}
	cv.XTicks = anchorTicks(dedupTicks(cv.XTicks))
	last := days[len(days)-1]
	cv.Title = fmt.Sprintf("Workflow runs per day of %s, %s to %s", name, from.Format(dayFormat), days[len(days)-1].date.Format(dayFormat))
	cv.Desc = fmt.Sprintf("%s in %s, %d failed (the darker part of each bar). Last day, %s: %d of %d failed.",
		plural(total, "run", "runs"), plural(len(days), "day", "days"), failed, last.date.Format(dayFormat), last.failures, last.runs)
	return cv
}

// anchorTicks anchors the first label at its start, the last at its end
// and the others in the middle.
func anchorTicks(ts []tickView) []tickView {
	for i := range ts {
		ts[i].Anchor = "middle"
	}
	if len(ts) > 1 {
		ts[0].Anchor, ts[len(ts)-1].Anchor = "start", "end"
	}
	return ts
}

func dedupTicks(ts []tickView) []tickView {
	var out []tickView
	for _, t := range ts {
		if len(out) > 0 && out[len(out)-1].Label == t.Label {
			continue
		}
		out = append(out, t)
	}
	return out
}

// niceCeil rounds n up to 2, 5 or 10 times a power of ten (an even number
// so that half of it is a whole tick).
func niceCeil(n int) int {
	if n <= 2 {
		return 2
	}
	p := int(math.Pow(10, math.Floor(math.Log10(float64(n)))))
	for _, m := range []int{1, 2, 4, 5, 10} {
		if m*p >= n && (m*p)%2 == 0 {
			return m * p
		}
	}
	return 10 * p
}

// ---- text with units ----------------------------------------------------------

// secondsText renders a duration in seconds with its unit.
func secondsText(s *float64) string {
	if s == nil {
		return "no data"
	}
	return durationText(time.Duration(*s * float64(time.Second)))
}

func durationText(d time.Duration) string {
	switch {
	case d < 90*time.Second:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case d < 90*time.Minute:
		return fmt.Sprintf("%.0f min", d.Minutes())
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmt.Sprintf("%.1f d", d.Hours()/24)
}

// agoText is how long ago something happened.
func agoText(d time.Duration) string {
	if d < time.Minute {
		return "under 1 min ago"
	}
	return durationText(d) + " ago"
}

func pctText(v *float64) string {
	if v == nil {
		return "no data"
	}
	return fmt.Sprintf("%.0f %%", *v*100)
}

func floatSort(v *float64) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf("%g", *v)
}

// componentValue renders a component's measured value with its unit.
func componentValue(name string, c Component) string {
	switch name {
	case ComponentCISuccessRate:
		return fmt.Sprintf("%.0f %% of runs succeeded", c.Value*100)
	case ComponentFailureStreak:
		return plural(int(c.Value), "failing run in a row", "failing runs in a row")
	case ComponentActivityRecency:
		return "last activity " + agoText(time.Duration(c.Value*float64(time.Hour)))
	case ComponentStalePRLoad:
		return fmt.Sprintf("%.0f %% of open pull requests stale", c.Value*100)
	case ComponentOpenCriticalAlerts:
		return plural(int(c.Value), "open critical alert", "open critical alerts")
	}
	return fmt.Sprintf("%g", c.Value)
}

func changeText(d *Delta, name string) (string, string) {
	if d == nil {
		return "first run", ""
	}
	dd, ok := d.Domains[name]
	switch {
	case !ok:
		return "new", ""
	case dd.ScoreChange == nil:
		return "no score", ""
	case *dd.ScoreChange > 0:
		return fmt.Sprintf("▲ +%d", *dd.ScoreChange), fmt.Sprint(*dd.ScoreChange)
	case *dd.ScoreChange < 0:
		return fmt.Sprintf("▼ −%d", -*dd.ScoreChange), fmt.Sprint(*dd.ScoreChange)
	}
	return "= 0", "0"
}

// bandClass is the short class of a band's badge in the domain table.
var bandClass = map[string]string{BandHealthy: "h", BandWarning: "w", BandCritical: "c", BandUnknown: "u", BandArchived: "a"}

func anchorFor(name string) string {
	var b strings.Builder
	b.WriteString("d-")
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

func scoreOf(d DomainReport) string {
	if d.HealthScore != nil {
		return fmt.Sprint(*d.HealthScore)
	}
	if d.ScoreRange != nil {
		return fmt.Sprintf("%d–%d", d.ScoreRange.Min, d.ScoreRange.Max)
	}
	return "no score"
}

// ---- the page ---------------------------------------------------------------

// RenderDashboard renders index.html with html/template (every value
// escaped for its context).
func RenderDashboard(p Pages, groups []FailureGroup) ([]byte, error) {
	r := p.Report
	var entries []HistoryEntry
	if p.History != nil {
		entries = p.History.Entries
	}
	v := dashboardView{
		Generated: r.Timestamp.UTC().Format(isoMinute), GeneratedISO: r.Timestamp.UTC().Format(time.RFC3339),
		Window: hoursText(r.Settings.WindowHours), Recent: hoursText(r.Settings.RecentHours),
		AlertLevel: r.Summary.AlertLevel, Summary: r.Summary, Average: "no score",
		Partial: r.Partial, Missing: strings.Join(r.Missing, ", "), MissingReason: r.MissingReason,
		NextStep: r.Summary.NextStep, FixerFiles: strings.Join(p.Fixer.Files, ", "), FixerMissing: strings.Join(p.FixerMissing, ", "),
		Script: template.JS(dashboardScript), CSP: dashboardCSP,
	}
	if v.NextStep == "" {
		v.NextStep = NextStep(r, groups)
	}
	if r.Summary.AverageScore != nil {
		v.Average = fmt.Sprintf("%.1f", *r.Summary.AverageScore)
	}
	s := r.Summary
	switch {
	case s.CriticalDomains > 0:
		v.AlertText = fmt.Sprintf("%d of %d domains critical, %d warning", s.CriticalDomains, s.TotalDomains, s.WarningDomains)
	case s.WarningDomains > 0 || s.UnknownDomains > 0:
		v.AlertText = fmt.Sprintf("%d of %d domains need attention (%d warning, %d unknown)", s.WarningDomains+s.UnknownDomains, s.TotalDomains, s.WarningDomains, s.UnknownDomains)
	default:
		v.AlertText = fmt.Sprintf("All %d domains healthy", s.TotalDomains)
	}
	failCount := map[string]int{}
	for _, g := range groups {
		failCount[g.Domain] += g.Runs
	}
	order := WorstFirst(r)
	v.Large = len(order) > MaxDomainCards
	for _, name := range order {
		d := r.Domains[name]
		anchor := anchorFor(name)
		change, changeSort := changeText(r.Delta, name)
		owner, repo, _ := strings.Cut(name, "/")
		row := rowView{Name: name, Repo: ghname.Repo{Owner: owner, Name: repo}, URL: safeURL(d.URL), Band: d.Band, BandRank: fmt.Sprint(bandRank[d.Band]),
			BandClass: bandClass[d.Band],
			Score:     scoreOf(d), Change: change, ChangeSort: changeSort, Anchor: anchor,
			CI: "no data", Streak: "no data", Last: "no data", Failures: fmt.Sprint(failCount[name]), FailuresSort: fmt.Sprint(failCount[name])}
		if d.HealthScore != nil {
			row.ScoreSort = fmt.Sprint(*d.HealthScore)
		}
		if c, ok := d.Components[ComponentCISuccessRate]; ok {
			row.CI, row.CISort = fmt.Sprintf("%.0f %%", c.Value*100), fmt.Sprintf("%g", c.Value)
		}
		if c, ok := d.Components[ComponentFailureStreak]; ok {
			row.Streak, row.StreakSort = plural(int(c.Value), "run", "runs"), fmt.Sprintf("%g", c.Value)
		}
		if d.LastActivity != nil {
			ago := r.Timestamp.Sub(*d.LastActivity)
			row.Last, row.LastS = agoText(ago), fmt.Sprintf("%.0f", ago.Seconds())
		}
		for _, w := range d.Workflows {
			if w.FailingSince != nil {
				row.RedSince, row.RedSort = w.FailingSince.UTC().Format(dayTimeFormat), fmt.Sprint(w.FailingSince.Unix())
				break
			}
		}
		v.Rows = append(v.Rows, row)
	}
	// Cards: every domain of a small ecosystem; in a large one the worst
	// ones that need action.
	for _, name := range order {
		d := r.Domains[name]
		if v.Large && (len(v.Cards) >= MaxLargeCards || bandRank[d.Band] > bandRank[BandUnknown]) {
			if bandRank[d.Band] <= bandRank[BandUnknown] {
				v.HiddenCards++
			}
			continue
		}
		card := buildCard(name, r, entries)
		card.Compact = v.Large
		v.Cards = append(v.Cards, card)
	}
	// Failure groups.
	maxGroups := MaxDashboardGroups
	if v.Large {
		maxGroups = MaxLargeGroups
	}
	for i, g := range groups {
		if i == maxGroups {
			v.MoreGroups = len(groups) - i
			break
		}
		gv := groupView{Domain: g.Domain, Workflow: g.Workflow, Count: countText(g), CountSort: fmt.Sprint(g.Runs),
			First: g.FirstSeen.UTC().Format(dayTimeFormat), Last: g.LastSeen.UTC().Format(dayTimeFormat),
			LastSort: fmt.Sprint(g.LastSeen.Unix()), Branches: branchesText(g), Job: g.Job, Note: g.Note,
			URL: g.URL, Conclusion: g.Conclusion}
		if g.Step != "" {
			gv.Where = "step " + g.Step
		}
		if c := g.Cause; c != nil {
			gv.HasCause = true
			gv.Cause, gv.Category, gv.PR = clipText(logText(c.Text), 240), c.Category, c.PullRequest
			gv.CauseSource = "from the fixer's report"
			if c.Source == "monitor" {
				gv.CauseSource = "from the monitor's log analysis"
			}
			if len(c.Suggestions) > 0 {
				gv.Fix = clipText(c.Suggestions[0], 400)
			}
			v.ClassifiedGroups++
		}
		v.Groups = append(v.Groups, gv)
	}
	v.Groups0 = len(groups)
	// Workflows across every domain, worst first.
	var all []WorkflowMetrics
	for _, name := range order {
		all = append(all, r.Domains[name].Workflows...)
	}
	sort.SliceStable(all, func(i, j int) bool { return worseWorkflow(all[i], all[j]) })
	for i, w := range all {
		if w.Failures == 0 && w.FailingSince == nil {
			continue
		}
		if len(v.Workflows) == MaxDashboardWorkflows {
			v.MoreWorkflows = len(all) - i
			break
		}
		v.Workflows = append(v.Workflows, workflowRow(w))
	}
	var buf bytes.Buffer
	if err := dashboardTemplate.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("failed to render the dashboard: %w", err)
	}
	return buf.Bytes(), nil
}

// branchesText names the newest failure's branch and how many others the
// group failed on.
func branchesText(g FailureGroup) string {
	if len(g.Branches) == 0 {
		return ""
	}
	out := g.NewestBranch
	if out == "" {
		out = g.Branches[0]
	}
	if n := len(g.Branches) - 1; n > 0 {
		out += fmt.Sprintf(" (+%d more)", n)
	}
	return out
}

// logText is a log line as shown on the page: without the runner's
// ##[error] / ##[warning] marker.
func logText(s string) string {
	s = strings.TrimSpace(s)
	for _, m := range []string{"##[error]", "##[warning]", "::error::", "::warning::"} {
		s = strings.TrimPrefix(s, m)
	}
	return strings.TrimSpace(s)
}

func countText(g FailureGroup) string {
	s := plural(g.Runs, "failed run", "failed runs")
	if g.Jobs > g.Runs {
		s += fmt.Sprintf(" (%d jobs)", g.Jobs)
	}
	return s
}

func workflowRow(w WorkflowMetrics) workflowView {
	wv := workflowView{Domain: w.Domain, Workflow: w.Workflow, Rate: pctText(w.FailureRate), RateSort: floatSort(w.FailureRate),
		Runs: plural(w.Runs, "run", "runs"), P50: secondsText(w.DurationP50), P50Sort: floatSort(w.DurationP50),
		P95: secondsText(w.DurationP95), Queue: secondsText(w.QueueP50), QueueSort: floatSort(w.QueueP50),
		TTR: secondsText(w.TimeToRecoveryP50), TTRSort: floatSort(w.TimeToRecoveryP50), Trend: w.Trend.Direction}
	if w.QueueP50 != nil {
		wv.Queue += fmt.Sprintf(" (%s)", plural(w.QueueJobs, "job", "jobs"))
	}
	if w.TimeToRecoveryP50 == nil && w.Recoveries == 0 {
		wv.TTR = "no recovery in the window"
	}
	if w.FailingSince != nil {
		wv.Red = "failing since " + w.FailingSince.UTC().Format(dayTimeFormat)
	}
	switch w.Trend.Direction {
	case TrendWorse:
		wv.TrendClass, wv.TrendText = "worse", "▼ worse"
	case TrendBetter:
		wv.TrendClass, wv.TrendText = "better", "▲ better"
	case TrendSteady:
		wv.TrendClass, wv.TrendText = "steady", "= steady"
	default:
		wv.TrendClass, wv.TrendText = "unknown", "not enough runs"
	}
	if c := w.Trend.FailureRateChange; c != nil && w.Trend.Direction != TrendUnknown {
		wv.TrendText += fmt.Sprintf(" (failure rate %+.0f points)", *c*100)
	}
	return wv
}

func buildCard(name string, r Report, entries []HistoryEntry) cardView {
	d := r.Domains[name]
	anchor := anchorFor(name)
	change, _ := changeText(r.Delta, name)
	c := cardView{Name: name, URL: safeURL(d.URL), Anchor: anchor, Band: d.Band, Score: scoreOf(d), Change: change,
		Confidence: fmt.Sprintf("%.0f %%", d.Confidence*100), Findings: d.Findings, Error: d.Error,
		Trend: scoreTrend(name, r, entries, anchor), CI: ciChart(name, d, anchor)}
	if d.ScoreRange != nil {
		c.Range = fmt.Sprintf("Score between %d and %d, whatever the data that could not be read holds.", d.ScoreRange.Min, d.ScoreRange.Max)
	}
	for _, cn := range ComponentNames {
		comp, ok := d.Components[cn]
		if !ok {
			continue
		}
		c.Components = append(c.Components, componentView{Name: strings.ReplaceAll(cn, "_", " "),
			Value: componentValue(cn, comp), Score: fmt.Sprintf("%d / 100", comp.Score), Detail: comp.Detail})
	}
	for _, m := range d.MissingComponents {
		c.Missing = append(c.Missing, strings.ReplaceAll(m, "_", " "))
	}
	for i, w := range d.Workflows {
		if w.Failures == 0 && w.FailingSince == nil {
			continue
		}
		if len(c.Workflows) == MaxCardWorkflows {
			c.MoreWorkflows = len(d.Workflows) - i
			break
		}
		c.Workflows = append(c.Workflows, workflowRow(w))
	}
	for _, sn := range SignalNames {
		sg, ok := d.Signals[sn]
		if !ok {
			continue
		}
		sv := signalView{Name: sn, Source: sg.Source}
		if sg.Value != nil {
			c.SignalsRead++
			sv.Value, sv.Why = fmt.Sprint(*sg.Value), sg.Note
		} else {
			c.SignalsUnread++
			sv.Value, sv.Why = "not read", sg.Reason
		}
		c.Signals = append(c.Signals, sv)
	}
	switch {
	case d.Error != "":
		c.Headline = "Could not be read: " + d.Error
	case d.Archived:
		c.Headline = "Archived: read from its metadata alone."
	default:
		for _, f := range d.Findings {
			if f.Severity == SeverityCritical || f.Severity == SeverityWarning {
				c.Headline = f.Text
				break
			}
		}
	}
	return c
}

// The dashboard's one script (sorting and filtering the tables) is inline
// and allowed by its SHA-256 in the Content-Security-Policy, so the page
// needs no other origin and no 'unsafe-inline' for scripts.
var dashboardCSP = func() string {
	sum := sha256.Sum256([]byte(dashboardScript))
	return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

var dashboardTemplate = template.Must(template.New("dashboard").Funcs(template.FuncMap{
	// URLs are checked by safeURL before they reach the view.
	"safeURL": func(s string) template.URL { return template.URL(s) },
	"sub":     func(a, b float64) float64 { return round1(a - b) },
}).Parse(dashboardHTML))
