package monitor

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// MaxMarkdownFailures caps the failure table of the summary (newest first
// per domain); the JSON report and the dashboard list more.
const MaxMarkdownFailures = 30

var bandIcon = map[string]string{
	BandHealthy: "🟢", BandWarning: "🟡", BandCritical: "🔴", BandArchived: "📦", BandUnknown: "⚪",
}

// RenderMarkdown renders ecosystem_summary.md (also the job summary). Every
// piece of text that comes from GitHub is escaped with pkg/report.
func RenderMarkdown(r Report) string {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "# Ecosystem health\n\n")
	fmt.Fprintf(&b, "Generated %s · window %s · recent activity = last %s · alert level **%s**\n\n",
		r.Timestamp.Format("2006-01-02 15:04 UTC"), hoursText(r.Settings.WindowHours), hoursText(r.Settings.RecentHours), s.AlertLevel)
	if r.Partial {
		fmt.Fprintf(&b, "> [!WARNING]\n> Partial report: %s. Not read: %s.\n\n",
			report.Markdown(r.MissingReason), report.Markdown(strings.Join(r.Missing, ", ")))
	}
	if s.NextStep != "" {
		fmt.Fprintf(&b, "**Do first:** %s\n\n", report.Markdown(s.NextStep))
	}
	avg := "n/a"
	if s.AverageScore != nil {
		avg = fmt.Sprintf("%.1f", *s.AverageScore)
	}
	fmt.Fprintf(&b, "**%d domains**: %d healthy, %d warning, %d critical, %d archived, %d unknown · average score %s · %d events · %d failures · %d flaky jobs\n\n",
		s.TotalDomains, s.HealthyDomains, s.WarningDomains, s.CriticalDomains, s.ArchivedDomains, s.UnknownDomains,
		avg, s.TotalEvents, s.TotalFailures, s.FlakyJobs)

	t := report.Table{Header: []string{"Domain", "Band", "Score", "Δ", "Confidence", "CI success", "Streak", "Events (recent)", "Open PRs (stale)", "Critical alerts"}}
	for _, name := range sortedNames(r.Domains) {
		d := r.Domains[name]
		t.Rows = append(t.Rows, []string{
			domainLink(name, d.URL), bandIcon[d.Band] + " " + d.Band, scoreText(d.HealthScore), deltaText(r.Delta, name),
			fmt.Sprintf("%.0f%%", d.Confidence*100), componentText(d, ComponentCISuccessRate, true),
			componentText(d, ComponentFailureStreak, false),
			fmt.Sprintf("%d (%d)", d.TotalEvents, d.RecentActivity),
			fmt.Sprintf("%d (%d)", d.OpenPullRequests, d.StalePullRequests), fmt.Sprint(len(d.CriticalAlerts)),
		})
	}
	b.WriteString(t.Markdown())
	b.WriteString("\n")

	var details strings.Builder
	for _, name := range sortedNames(r.Domains) {
		d := r.Domains[name]
		if len(d.Findings) == 0 {
			continue
		}
		fmt.Fprintf(&details, "### %s\n\n", report.Markdown(name))
		for _, f := range d.Findings {
			fmt.Fprintf(&details, "- **%s** %s\n", f.Severity, report.Markdown(f.Message))
		}
		details.WriteString("\n")
	}
	if details.Len() > 0 {
		b.WriteString("## Findings\n\n")
		b.WriteString(details.String())
	}

	if len(r.Failures) > 0 {
		b.WriteString("## Failures\n\n")
		ft := report.Table{Header: []string{"Domain", "Workflow", "Job", "Step", "Conclusion", "Branch", "Root cause", "Run"}}
		shown := r.Failures
		if len(shown) > MaxMarkdownFailures {
			shown = shown[:MaxMarkdownFailures]
		}
		for _, f := range shown {
			cause := ""
			if f.Analysis != nil {
				cause = report.Markdown(f.Analysis.Category) + ": " + report.Code(report.NeutralizeMentions(f.Analysis.RootCause, nil))
			}
			ft.Rows = append(ft.Rows, []string{report.Markdown(f.Domain), report.Markdown(f.Workflow), report.Markdown(f.Job),
				report.Markdown(f.Step), report.Markdown(f.Conclusion), report.Code(f.HeadBranch), cause,
				link(fmt.Sprintf("#%d", f.RunID), f.URL)})
		}
		b.WriteString(ft.Markdown())
		if more := len(r.Failures) - len(shown); more > 0 {
			fmt.Fprintf(&b, "\n%d more failures are listed in `%s` and the dashboard.\n", more, ReportFile)
		}
		b.WriteString("\n")
	}

	var flaky []string
	for _, name := range sortedNames(r.Domains) {
		for _, j := range r.Domains[name].Flaky.Jobs {
			flaky = append(flaky, fmt.Sprintf("- %s: %s / %s flaked in %s (domain flaky rate %.0f%%)",
				report.Markdown(name), report.Markdown(j.Workflow), report.Markdown(j.Job), plural(j.Count, "run", "runs"), r.Domains[name].Flaky.Rate*100))
		}
	}
	if len(flaky) > 0 {
		b.WriteString("## Flaky jobs\n\n" + strings.Join(flaky, "\n") + "\n\n")
	}

	if len(r.Recommendations) > 0 {
		b.WriteString("## Recommendations\n\n")
		for _, rec := range r.Recommendations {
			fmt.Fprintf(&b, "- %s\n", report.Markdown(rec))
		}
		b.WriteString("\n")
	}
	if req, ok := r.API["requests"].(float64); ok {
		nm, _ := r.API["not_modified"].(float64)
		pts, _ := r.API["rate_limit_points"].(float64)
		fmt.Fprintf(&b, "<sub>GitHub API: %.0f requests, %.0f not modified, %.0f rate-limit points.</sub>\n", req, nm, pts)
	}
	return b.String()
}

func hoursText(h float64) string {
	if h >= 48 && int(h)%24 == 0 {
		return fmt.Sprintf("%dd", int(h)/24)
	}
	return fmt.Sprintf("%gh", h)
}

func scoreText(s *int) string {
	if s == nil {
		return "–"
	}
	return fmt.Sprint(*s)
}

func deltaText(d *Delta, name string) string {
	if d == nil {
		return "–"
	}
	dd, ok := d.Domains[name]
	if !ok {
		return "new"
	}
	if dd.ScoreChange == nil {
		return "–"
	}
	return fmt.Sprintf("%+d", *dd.ScoreChange)
}

func componentText(d DomainReport, name string, rate bool) string {
	c, ok := d.Components[name]
	if !ok {
		return "–"
	}
	if rate {
		return fmt.Sprintf("%.0f%%", c.Value*100)
	}
	return fmt.Sprintf("%g", c.Value)
}

func domainLink(name, u string) string { return link(name, u) }

// link renders [text](url) with the text escaped; a URL that is not http(s)
// is dropped.
func link(text, u string) string {
	su := safeURL(u)
	if su == "" {
		return report.Markdown(text)
	}
	return "[" + report.Markdown(text) + "](" + su + ")"
}

// safeURL returns u when it is an absolute http(s) URL, with characters that
// could end a Markdown link target percent-encoded; "" otherwise.
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E", `"`, "%22").Replace(p.String())
}
