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

// plainTitle renders an issue title: plain text (GitHub does not render
// Markdown in titles), on one line, mentions neutralised, at most 256
// characters.
func (t Text) plainTitle(s string) string {
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

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.RFC3339)
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
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
