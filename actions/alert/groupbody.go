package alert

import (
	"fmt"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// groupTitle renders a group issue's title from its state.
func (t Text) groupTitle(g *Group, st GroupState) string {
	active, _, _ := st.count()
	level := string(st.level())
	if active == 0 {
		level = "resolved"
	}
	var s string
	switch g.Mode {
	case GroupFingerprint:
		title := g.Key
		if p := st.Problems[g.Key]; p != nil {
			title = p.Title
		}
		s = fmt.Sprintf("[%s] %s", level, title)
	case groupEcosystem:
		if active == 0 {
			s = fmt.Sprintf("[%s] Ecosystem: no domain has open problems", level)
		} else {
			s = fmt.Sprintf("[%s] Ecosystem: %s with open problems", level, plural(active, "domain", "domains"))
		}
	default:
		where := g.Domain
		if g.Mode == GroupDomainCategory {
			where += " · " + g.Category
		}
		if active == 0 {
			s = fmt.Sprintf("[%s] %s: all problems cleared", level, where)
		} else {
			s = fmt.Sprintf("[%s] %s: %s", level, where, plural(active, "open problem", "open problems"))
		}
	}
	return t.plainTitle(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// problemLabel is a problem's title inside its group's issue: the domain
// prefix is dropped where the group is the domain.
func problemLabel(g *Group, p *ProblemState) string {
	if g.Mode == GroupDomain || g.Mode == GroupDomainCategory {
		for _, prefix := range []string{p.Scope + ": ", g.Domain + ": "} {
			if prefix != ": " && strings.HasPrefix(p.Title, prefix) {
				return strings.TrimPrefix(p.Title, prefix)
			}
		}
	}
	return p.Title
}

// problemLine renders one checklist line and its detail line.
func (t Text) problemLine(g *Group, st GroupState, fp string) string {
	p := st.Problems[fp]
	var b strings.Builder
	label := t.MD(problemLabel(g, p))
	switch p.Status {
	case StatusResolved:
		fmt.Fprintf(&b, "- [x] ~~%s~~ — cleared %s\n", label, fmtTime(derefTime(p.ResolvedAt)))
		return b.String()
	case StatusSuppressed:
		fmt.Fprintf(&b, "- %s %s · %s", levelIcon[p.Level], t.MD(string(p.Level)), label)
	default:
		fmt.Fprintf(&b, "- [ ] %s **%s** · %s", levelIcon[p.Level], t.MD(string(p.Level)), label)
	}
	b.WriteString("\n")
	var facts []string
	if p.Status == StatusSuppressed {
		var by []string
		for _, s := range p.SuppressedBy {
			if q := st.Problems[s]; q != nil {
				by = append(by, t.MD(problemLabel(g, q)))
			} else {
				by = append(by, report.Code(s))
			}
		}
		facts = append(facts, "explained by: "+strings.Join(by, "; "))
	}
	if p.RootCause != "" {
		facts = append(facts, "root cause: "+t.revive(report.NeutralizeMentions(report.Code(report.Clip(p.RootCause, 300)), nil)))
	}
	if p.Workflow != "" {
		facts = append(facts, "workflow "+t.MD(p.Workflow))
	}
	if p.Job != "" {
		facts = append(facts, "job "+t.MD(p.Job))
	}
	if p.RunURL != "" {
		text := "failed job"
		if g.Mode == groupEcosystem {
			text = "issue"
		}
		facts = append(facts, t.link(text, p.RunURL))
	}
	facts = append(facts, "since "+fmtTime(p.FirstSeen))
	b.WriteString("  - " + strings.Join(facts, " · ") + "\n")
	if p.Fix != "" && p.Status == StatusActive {
		b.WriteString("  - next step: " + t.MD(report.Clip(p.Fix, 500)) + "\n")
	}
	return b.String()
}

// groupBody renders a group issue's body from its state alone (never from
// the run: a run that changes no state renders the same bytes). It starts
// with the group marker and the state block, then the checklist of open
// problems, the problems explained by a root cause, and the cleared ones;
// it is kept within GitHub's 65,536 characters, the rest linked to the run's
// artifacts.
func (t Text) groupBody(g *Group, st GroupState, label, artifactURL string) string {
	var b strings.Builder
	b.WriteString(GroupMarker(g.ID) + "\n")
	b.WriteString(st.Block() + "\n")
	active, suppressed, resolved := st.count()
	head := strings.TrimPrefix(t.groupTitle(g, st), "["+string(st.level())+"] ")
	fmt.Fprintf(&b, "## %s %s\n\n", levelIcon[st.level()], t.MD(head))
	var parts []string
	if active > 0 {
		parts = append(parts, fmt.Sprintf("highest level **%s**", st.level()))
	}
	parts = append(parts, plural(active, "open problem", "open problems"))
	if suppressed > 0 {
		parts = append(parts, fmt.Sprintf("%d explained by a root cause", suppressed))
	}
	if resolved > 0 {
		parts = append(parts, fmt.Sprintf("%d cleared", resolved))
	}
	b.WriteString(strings.Join(parts, " · ") + ".\n\n")
	var open, expl, gone []string
	for _, fp := range st.fps() {
		switch st.Problems[fp].Status {
		case StatusActive:
			open = append(open, fp)
		case StatusSuppressed:
			expl = append(expl, fp)
		default:
			gone = append(gone, fp)
		}
	}
	if len(open) > 0 {
		b.WriteString("### Problems\n\n")
		for _, fp := range open {
			b.WriteString(t.problemLine(g, st, fp))
		}
		b.WriteString("\n")
	}
	if len(expl) > 0 {
		fmt.Fprintf(&b, "### Explained by a root cause above (%d)\n\nSymptoms of the problems listed above; they are never announced on their own.\n\n", len(expl))
		for _, fp := range expl {
			b.WriteString(t.problemLine(g, st, fp))
		}
		b.WriteString("\n")
	}
	if len(gone) > 0 {
		fmt.Fprintf(&b, "### Cleared (%d)\n\n", len(gone))
		for _, fp := range gone {
			b.WriteString(t.problemLine(g, st, fp))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "---\n<sub>Kept current by ecosystem-actions alert (label %s, group %s, grouped by %s). The list is edited as problems come and go; a comment is added only when a problem is new or gets worse. The issue closes when every problem cleared and reopens if one comes back. Close it as “not planned” to mute this group.</sub>\n",
		report.Code(label), report.Code(g.ID), t.MD(g.Mode))
	return truncateBody(b.String(), artifactURL)
}

// groupComment renders the comment announcing a transition: what is new,
// worse, back or cleared, the run, and the allowed mentions. It starts with
// the comment marker of the group and generation.
func (t Text) groupComment(g *Group, st GroupState, lead string, resolveAfter int, runURL string) string {
	var b strings.Builder
	b.WriteString(commentMarker(g.ID, st.Gen) + "\n")
	if lead != "" {
		b.WriteString(lead + "\n\n")
	}
	n := st.Notified
	var about []string
	if n != nil {
		want := map[string]bool{}
		for _, fp := range n.Problems {
			want[fp] = true
		}
		for _, fp := range st.fps() {
			if want[fp] {
				about = append(about, fp)
			}
		}
	}
	switch {
	case n == nil:
	case n.Event == NotifyChanged:
		fmt.Fprintf(&b, "**New or worse** (%d):\n\n", len(about))
	case n.Event == NotifyReopened:
		fmt.Fprintf(&b, "**Back again**: %s open.\n\n", plural(len(about), "problem is", "problems are"))
	case n.Event == NotifyResolved:
		fmt.Fprintf(&b, "**Resolved:** every problem in this group cleared (each was not seen in %d covering run(s); resolve_after is %d). Closing; it reopens if a problem comes back.\n\n", max(resolveAfter, 1), resolveAfter)
	}
	for _, fp := range about {
		p := st.Problems[fp]
		if p == nil {
			continue
		}
		line := fmt.Sprintf("- %s **%s** · %s", levelIcon[p.Level], t.MD(string(p.Level)), t.MD(problemLabel(g, p)))
		if p.RunURL != "" {
			text := "failed job"
			if g.Mode == groupEcosystem {
				text = "issue"
			}
			line += " · " + t.link(text, p.RunURL)
		}
		b.WriteString(line + "\n")
	}
	if runURL != "" {
		b.WriteString("\n" + t.link("alert run", runURL) + "\n")
	}
	if len(t.Mention) > 0 {
		var ms []string
		for _, m := range t.Mention {
			ms = append(ms, "@"+strings.TrimPrefix(m, "@"))
		}
		b.WriteString("\ncc " + strings.Join(ms, " ") + "\n")
	}
	return truncateBody(b.String(), runURL)
}
