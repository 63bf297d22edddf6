package containertest

import (
	"fmt"
	"html"
	"regexp"
	"sort"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// PageGroup is one row of the dashboard's "Failures by domain and workflow"
// table (action-monitor's pages_content/index.html) as a person reads it:
// the text of each cell, markup removed.
type PageGroup struct {
	Domain, Workflow string
	// Category, Cause and Source are empty when the row says "not
	// classified". Source reads "from the fixer's report" or "from the
	// monitor's log analysis".
	Category, Cause, Source string
	Fix                     string
}

// FromFixer reports whether the row's root cause comes from the fixer.
func (g PageGroup) FromFixer() bool { return g.Source == "from the fixer's report" }

var (
	groupRow  = regexp.MustCompile(`(?s)<tr class="group"[^>]*><td>(.*?)</td><td>(.*?)</td>.*?<td class="cause">(.*?)</td>\s*<td class="fix">(.*?)</td></tr>`)
	causeCell = regexp.MustCompile(`(?s)^<strong>(.*?)</strong>: <code>(.*?)</code><br><span class="meta">(.*?)</span>$`)
	markup    = regexp.MustCompile(`<[^>]*>`)
)

// PageGroups reads the failure groups of a dashboard page.
func PageGroups(page []byte) []PageGroup {
	var out []PageGroup
	text := func(s string) string { return strings.TrimSpace(html.UnescapeString(markup.ReplaceAllString(s, " "))) }
	for _, m := range groupRow.FindAllStringSubmatch(string(page), -1) {
		g := PageGroup{Domain: text(m[1]), Workflow: text(m[2]), Fix: text(m[4])}
		if c := causeCell.FindStringSubmatch(strings.TrimSpace(m[3])); c != nil {
			g.Category, g.Cause, g.Source = text(c[1]), html.UnescapeString(c[2]), text(c[3])
		}
		out = append(out, g)
	}
	return out
}

// FixerCausesShown checks a dashboard page against the fixer's report: every
// failure group (domain and workflow) the fixer found a root cause for
// shows one of those root causes, marked as the fixer's. It returns the
// groups that do, and an error naming each that does not (or a page
// without a failure table).
func FixerCausesShown(page []byte, fa *contract.FailureAnalysis) ([]PageGroup, error) {
	type key struct{ domain, workflow string }
	found := map[key][]contract.Finding{}
	for _, f := range fa.Failures {
		if f.Domain != "" && f.Workflow != "" {
			k := key{f.Domain, f.Workflow}
			found[k] = append(found[k], f)
		}
	}
	groups := PageGroups(page)
	if len(groups) == 0 {
		return nil, fmt.Errorf("the page has no failure groups")
	}
	var shown []PageGroup
	var problems []string
	for _, g := range groups {
		fs := found[key{g.Domain, g.Workflow}]
		if len(fs) == 0 {
			continue
		}
		switch {
		case !g.FromFixer():
			problems = append(problems, fmt.Sprintf("%s / %s: the fixer found %q, the page shows %q (%s)", g.Domain, g.Workflow, fs[0].Text, g.Cause, orNone(g.Source)))
		case !causeOf(g, fs):
			problems = append(problems, fmt.Sprintf("%s / %s: the page's root cause %q is none of the fixer's for it", g.Domain, g.Workflow, g.Cause))
		default:
			shown = append(shown, g)
		}
	}
	if len(shown) == 0 && len(problems) == 0 {
		var names []string
		for k := range found {
			names = append(names, k.domain+" / "+k.workflow)
		}
		sort.Strings(names)
		problems = append(problems, fmt.Sprintf("none of the %d groups on the page is one the fixer analysed (%s)", len(groups), strings.Join(names, ", ")))
	}
	if len(problems) > 0 {
		return shown, fmt.Errorf("the page does not show the fixer's root causes:\n  %s", strings.Join(problems, "\n  "))
	}
	return shown, nil
}

// causeOf reports whether the row's cause is one of the fixer's root-cause
// lines (the page trims a "##[error]" prefix and clips long lines with …).
func causeOf(g PageGroup, fs []contract.Finding) bool {
	shown := strings.TrimSuffix(g.Cause, "…")
	for _, f := range fs {
		text := strings.TrimSpace(strings.ReplaceAll(f.Text, "\n", " "))
		for _, p := range []string{"##[error]", "##[warning]", "::error::", "::warning::"} {
			text = strings.TrimSpace(strings.TrimPrefix(text, p))
		}
		if shown != "" && strings.HasPrefix(text, shown) && string(f.Category) == g.Category {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "not classified"
	}
	return s
}
