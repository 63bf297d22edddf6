package alert

import (
	"fmt"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Markdown renders alert_summary.md (also the job summary). Every piece of
// report text is escaped; secrets never appear (webhooks are named).
func (r *Result) Markdown(t Text) string {
	var b strings.Builder
	mode := ""
	if r.DryRun {
		mode = " (dry run: nothing was written)"
	}
	fmt.Fprintf(&b, "## Ecosystem alerts%s\n\n", mode)
	fmt.Fprintf(&b, "%d alert(s), highest level **%s**, alert type %s, min level %s, channels %s.",
		r.AlertCount, r.MaxLevel, t.MD(string(r.AlertType)), t.MD(string(r.MinLevel)), t.MD(strings.Join(r.Channels, ", ")))
	if r.BelowMinLevel > 0 {
		fmt.Fprintf(&b, " %d below the minimum level or outside the alert type were left out.", r.BelowMinLevel)
	}
	b.WriteString("\n\n")
	if !r.Complete {
		b.WriteString("> [!WARNING]\n> Not everything was delivered: see the failed rows below and `alert_results.json`.\n\n")
	}
	is := r.Issues
	fmt.Fprintf(&b, "Issues: %d created, %d updated, %d commented, %d closed, %d reopened, %d duplicates closed, %d failed.\n\n",
		len(is.Created), len(is.Updated), len(is.Commented), len(is.Closed), len(is.Reopened), len(is.Duplicates), is.Failed)
	if rt := r.ResponseTime; rt.Alerts > 0 {
		fmt.Fprintf(&b, "Alert response time (first sighting to delivery) over %d alert(s): min %s, average %s, max %s.\n\n",
			rt.Alerts, human(*rt.MinSeconds), human(*rt.AvgSeconds), human(*rt.MaxSeconds))
	}
	if len(r.Groups) > 0 {
		tb := report.Table{Header: []string{"Issue", "Group", "Action", "Open", "Explained", "Cleared"}}
		for _, g := range r.Groups {
			issue := ""
			if g.Issue > 0 {
				issue = t.link(fmt.Sprintf("%s#%d", g.Repository, g.Issue), g.IssueURL)
			}
			action := g.Action
			if g.Notify != "" {
				action += " (" + g.Notify + ")"
			}
			if len(g.Errors) > 0 {
				action += ": " + strings.Join(g.Errors, "; ")
			} else if g.Reason != "" {
				action += ": " + g.Reason
			}
			tb.Rows = append(tb.Rows, []string{issue, t.MD(nonEmpty(g.Title, g.Key)), t.MD(action), fmt.Sprint(g.Problems), fmt.Sprint(g.Suppressed), fmt.Sprint(g.Resolved)})
		}
		b.WriteString("### Issues (grouped by " + t.MD(r.GroupBy) + ")\n\n" + tb.Markdown() + "\n")
		b.WriteString("### Problems\n\n")
	}
	if len(r.Alerts) > 0 {
		tb := report.Table{Header: []string{"Level", "Alert", "Action", "Issue", "Occurrences", "First seen", "Response"}}
		for _, a := range r.Alerts {
			issue := ""
			if a.Issue > 0 {
				issue = t.link(fmt.Sprintf("#%d", a.Issue), a.IssueURL)
			}
			action := a.Action
			if a.Notify != "" {
				action += " (" + a.Notify + ")"
			}
			if len(a.Errors) > 0 {
				action += ": " + strings.Join(a.Errors, "; ")
			} else if a.Reason != "" {
				action += ": " + a.Reason
			}
			resp := ""
			if a.ResponseSeconds != nil {
				resp = human(*a.ResponseSeconds)
			}
			tb.Rows = append(tb.Rows, []string{t.MD(string(a.Level)), t.MD(a.Title), t.MD(action), issue,
				fmt.Sprint(a.Occurrences), fmtTime(a.FirstSeen), resp})
		}
		b.WriteString(tb.Markdown() + "\n")
	}
	if len(r.Dispatches) > 0 {
		tb := report.Table{Header: []string{"Kind", "Target", "Event", "Alerts", "Status", "Run", "Error"}}
		for _, d := range r.Dispatches {
			run := ""
			if d.RunURL != "" {
				run = t.link(fmt.Sprint(d.RunID), d.RunURL)
			}
			tb.Rows = append(tb.Rows, []string{d.Kind, t.MD(d.Target), t.MD(d.Event), fmt.Sprint(len(d.Alerts)), string(d.Status), run, t.MD(d.Error)})
		}
		b.WriteString("### Dispatches\n\n" + tb.Markdown() + "\n")
	}
	if len(r.Webhooks) > 0 {
		tb := report.Table{Header: []string{"Webhook", "Status", "Alerts", "Attempts", "Error"}}
		for _, w := range r.Webhooks {
			status := w.Status
			if w.PossibleDuplicate {
				status += " (possibly received more than once)"
			}
			tb.Rows = append(tb.Rows, []string{t.MD(w.Name), status, fmt.Sprint(w.Alerts), fmt.Sprint(w.Attempts), t.MD(w.Error)})
		}
		b.WriteString("### Webhooks\n\n" + tb.Markdown() + "\n")
	}
	if len(r.Calls) > 0 {
		tb := report.Table{Header: []string{"Channel", "Call", "Target", "Status", "Error"}}
		for _, c := range r.Calls {
			tb.Rows = append(tb.Rows, []string{c.Channel, t.MD(c.Action), t.MD(c.Target), c.Status, t.MD(c.Error)})
		}
		title := "Writes"
		if r.DryRun {
			title = "Planned writes"
		}
		b.WriteString(report.Details(fmt.Sprintf("%s (%d)", title, len(r.Calls)), tb.Markdown()))
		b.WriteString("\n")
	}
	if len(r.Errors) > 0 {
		b.WriteString("### Errors\n\n")
		for _, e := range r.Errors {
			b.WriteString("- " + t.MD(e) + "\n")
		}
	}
	return b.String()
}

// human renders seconds as "3d 4h", "2h 5m", "42s".
func human(s float64) string {
	d := int64(s)
	switch {
	case d >= 86400:
		return fmt.Sprintf("%dd %dh", d/86400, d%86400/3600)
	case d >= 3600:
		return fmt.Sprintf("%dh %dm", d/3600, d%3600/60)
	case d >= 60:
		return fmt.Sprintf("%dm %ds", d/60, d%60)
	}
	return fmt.Sprintf("%ds", d)
}
