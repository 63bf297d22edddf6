package alert

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// MaxBodyChars is GitHub's limit on an issue or comment body.
const MaxBodyChars = 65536

// maxTitleChars is GitHub's limit on an issue title.
const maxTitleChars = 256

// Text escapes untrusted text for issue titles, bodies and comments:
// Markdown and HTML are neutralised by pkg/report, and every @mention is made
// inert except those of the logins (or org/team) in mention.
type Text struct {
	Mention []string
}

var brokenMention = regexp.MustCompile("@" + report.MentionBreaker + `([A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?)`)

// MD escapes s for Markdown on one line.
func (t Text) MD(s string) string { return t.revive(report.Markdown(s)) }

// revive turns the neutralised mentions of allowed logins live again.
func (t Text) revive(s string) string {
	if len(t.Mention) == 0 {
		return s
	}
	return brokenMention.ReplaceAllStringFunc(s, func(m string) string {
		login := strings.TrimPrefix(m, "@"+report.MentionBreaker)
		for _, a := range t.Mention {
			if strings.EqualFold(strings.TrimPrefix(a, "@"), login) {
				return "@" + login
			}
		}
		return m
	})
}

// Title renders an issue title: plain text (GitHub does not render Markdown
// in titles), on one line, mentions neutralised, at most 256 characters.
func (t Text) Title(a Alert) string {
	s := fmt.Sprintf("[%s] %s", a.Level, a.Title)
	s = strings.Join(strings.Fields(s), " ")
	s = report.NeutralizeMentions(s, t.Mention)
	if r := []rune(s); len(r) > maxTitleChars {
		s = string(r[:maxTitleChars-1]) + "…"
	}
	return s
}

// link renders a Markdown link to an http(s) URL; anything else is shown as
// escaped text, never as a link.
func (t Text) link(text, raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return t.MD(text)
	}
	s := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u.String())
	return "[" + t.MD(text) + "](" + s + ")"
}

var levelIcon = map[Level]string{
	LevelCritical: "🔴", LevelHigh: "🟠", LevelWarning: "🟡", LevelMedium: "🟡", LevelLow: "🔵",
}

// BodyContext is what a body needs besides the alert.
type BodyContext struct {
	State State
	// RunURL is this workflow run; ArtifactURL is where the full report is
	// (the run's artifacts).
	RunURL, ArtifactURL string
	// Label is the alert label (shown in the footer).
	Label string
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.RFC3339)
}

// Body renders an alert's issue body: the hidden fingerprint marker and state
// block, a headline, a table, links, next steps and the details collapsed,
// truncated to GitHub's 65,536 characters with the rest linked to the report
// artifact.
func (t Text) Body(a Alert, c BodyContext) string {
	var b strings.Builder
	b.WriteString(Marker(a.Fingerprint) + "\n")
	b.WriteString(c.State.Block() + "\n")
	fmt.Fprintf(&b, "## %s %s\n\n", levelIcon[a.Level], t.MD(a.Title))
	if a.Summary != "" {
		b.WriteString(t.MD(a.Summary) + "\n\n")
	}
	rows := [][]string{
		{"**Level**", t.MD(string(a.Level))},
		{"**Type**", t.MD(string(a.Type))},
	}
	for _, r := range a.Rows {
		if r[1] == "" {
			continue
		}
		v := t.MD(r[1])
		if r[0] == "Root cause" {
			v = report.Code(r[1])
			v = t.revive(report.NeutralizeMentions(v, nil))
		}
		rows = append(rows, []string{t.MD(r[0]), v})
	}
	rows = append(rows,
		[]string{"**First seen**", fmtTime(c.State.FirstSeen)},
		[]string{"**Last seen**", fmtTime(c.State.LastSeen)},
		[]string{"**Occurrences**", fmt.Sprintf("%d run(s)", c.State.Occurrences)},
	)
	if a.ReportPath != "" {
		rows = append(rows, []string{"**Report**", t.MD(fmt.Sprintf("%s (%s)", a.ReportPath, a.Source))})
	}
	b.WriteString(report.Table{Header: []string{"", ""}, Rows: rows}.Markdown())
	b.WriteString("\n")
	var links []string
	for _, l := range a.Links {
		links = append(links, t.link(l[0], l[1]))
	}
	if c.ArtifactURL != "" {
		links = append(links, t.link("full report (run artifacts)", c.ArtifactURL))
	}
	if c.RunURL != "" && c.RunURL != c.ArtifactURL {
		links = append(links, t.link("alert run", c.RunURL))
	}
	if len(links) > 0 {
		b.WriteString("**Links:** " + strings.Join(links, " · ") + "\n\n")
	}
	if len(a.Suggestions) > 0 {
		b.WriteString("### Next steps\n\n")
		for _, s := range a.Suggestions {
			b.WriteString("- " + t.MD(s) + "\n")
		}
		b.WriteString("\n")
	}
	if len(a.Details) > 0 {
		var d strings.Builder
		for _, s := range a.Details {
			d.WriteString("- " + t.MD(s) + "\n")
		}
		b.WriteString(report.Details(fmt.Sprintf("Details (%d)", len(a.Details)), strings.TrimRight(d.String(), "\n")))
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "---\n<sub>Kept current by ecosystem-actions alert (label %s, fingerprint %s). It is updated while the problem lasts, closed when it clears and reopened if it comes back. Close it as “not planned” to mute it.</sub>\n",
		report.Code(c.Label), report.Code(a.Fingerprint))
	return truncateBody(b.String(), c.ArtifactURL)
}

// truncateBody keeps a body within GitHub's limit; the note links the full
// report.
func truncateBody(body, artifactURL string) string {
	return report.TruncateFunc(body, MaxBodyChars, func(cut report.Cut) string {
		where := "in the run's artifacts"
		if artifactURL != "" {
			where = "in the run's artifacts: " + artifactURL
		}
		return fmt.Sprintf("\n\n_… %d line(s) were cut to fit GitHub's 65,536-character limit; the full report is %s._\n", cut.CutLines, where)
	})
}

// comment renders a lifecycle comment: what happened plus the occurrence
// count, first and last seen, and the allowed mentions.
func (t Text) comment(headline string, s State, runURL string) string {
	var b strings.Builder
	b.WriteString(headline + "\n\n")
	fmt.Fprintf(&b, "Occurrences: %d · first seen %s · last seen %s", s.Occurrences, fmtTime(s.FirstSeen), fmtTime(s.LastSeen))
	if runURL != "" {
		b.WriteString(" · " + t.link("run", runURL))
	}
	b.WriteString("\n")
	if len(t.Mention) > 0 {
		var ms []string
		for _, m := range t.Mention {
			ms = append(ms, "@"+strings.TrimPrefix(m, "@"))
		}
		b.WriteString("\ncc " + strings.Join(ms, " ") + "\n")
	}
	return truncateBody(b.String(), "")
}

// changeHeadline says what changed between two sightings.
func (t Text) changeHeadline(a Alert, prev State) string {
	if prev.Level != "" && prev.Level != a.Level {
		dir := "rose"
		if a.Level.Rank() < prev.Level.Rank() {
			dir = "fell"
		}
		return fmt.Sprintf("**Changed:** the level %s from %s to %s. %s", dir, prev.Level, a.Level, t.MD(a.Summary))
	}
	return "**Changed:** what is wrong is different from the last run: " + t.MD(a.Summary)
}
