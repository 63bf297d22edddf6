// Package report escapes untrusted text for Markdown and HTML, renders small
// Markdown building blocks (tables, details blocks, code spans), truncates
// Markdown deliberately, and writes report files atomically.
//
// Everything that ends up in a job summary, an issue body or a dashboard goes
// through this package: PR titles, log lines, branch names and payload fields
// are attacker-controlled and must neither inject Markdown/HTML nor notify
// people with live @mentions.
//
// Secrets are redacted (pkg/redact) before anything is escaped: escaping
// disguises them from any later search ("ghp_" becomes "ghp\_" in
// Markdown), so Markdown, HTML and Code redact first, and WriteFile and
// WriteJSON redact what they write.
package report

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// MentionBreaker is inserted right after an '@' that would otherwise start a
// GitHub @mention. It is a zero-width joiner: invisible when rendered, but not
// part of a login, so GitHub does not link or notify.
const MentionBreaker = "\u200d"

// Markdown escapes s so that it renders as the same literal text in GitHub
// Flavored Markdown, on one line, with its secrets redacted first: Markdown specials are backslash-escaped, HTML
// specials become entities, line breaks become spaces and @mentions are
// neutralised (see NeutralizeMentions). The result is safe inside paragraphs,
// list items, headings and table cells.
func Markdown(s string) string {
	s = NeutralizeMentions(redact.String(s), nil)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	atLineStart := true
	digitsOnly := true // only digits since the start: "1." would start a list
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteByte(' ')
		case '\n':
			b.WriteByte(' ')
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\\', '`', '*', '_', '[', ']', '(', ')', '|', '~', '#', '!', '{', '}':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '-', '+', '=':
			if atLineStart {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		case '.':
			if digitsOnly && i > 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		atLineStart = atLineStart && (c == ' ' || c == '\t')
		digitsOnly = digitsOnly && c >= '0' && c <= '9'
	}
	return b.String()
}

// HTML escapes s for HTML text and attribute values (&, <, >, ", ') and
// neutralises @mentions, its secrets redacted first, for the dashboard and for HTML blocks inside
// Markdown such as <summary>.
func HTML(s string) string {
	return html.EscapeString(NeutralizeMentions(redact.String(s), nil))
}

// NeutralizeMentions inserts MentionBreaker after every '@' that GitHub would
// treat as the start of a user (@octocat) or team (@org/team) mention, so the
// text reads the same but notifies nobody. Logins in allowed (compared
// case-insensitively, "org/team" for teams) are left live. E-mail addresses
// such as a@b.com are not mentions and stay unchanged.
func NeutralizeMentions(s string, allowed []string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := rune(-1)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '@' && !isWordRune(prev) {
			login := mentionAt(s[i+1:])
			if login != "" && !isAllowedMention(login, allowed) {
				b.WriteString("@" + MentionBreaker)
				i += size
				prev = r
				continue
			}
		}
		b.WriteString(s[i : i+size])
		i += size
		prev = r
	}
	return b.String()
}

// mentionAt returns the login (or org/team) that starts at s, or "" when s
// does not start with something GitHub would link as a mention.
func mentionAt(s string) string {
	n := 0
	for n < len(s) && isLoginByte(s[n]) {
		n++
	}
	if n == 0 || s[0] == '-' {
		return ""
	}
	login := s[:n]
	if n < len(s) && s[n] == '/' {
		m := n + 1
		for m < len(s) && (isLoginByte(s[m]) || s[m] == '_') {
			m++
		}
		if m > n+1 {
			return s[:m]
		}
	}
	return login
}

func isLoginByte(c byte) bool {
	return c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isAllowedMention(login string, allowed []string) bool {
	for _, a := range allowed {
		a = strings.TrimPrefix(a, "@")
		if strings.EqualFold(a, login) {
			return true
		}
		// "@org/team" where only "org" is listed is still a team mention:
		// it is allowed only when the team itself is listed.
	}
	return false
}

// Code renders s as an inline code span that shows s literally: the fence is
// one backtick longer than the longest run of backticks in s, line breaks
// become spaces, and padding is added when s starts or ends with a backtick
// or a space. An empty s renders as an empty-looking span. Secrets in s are
// redacted first.
func Code(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(redact.String(s))
	if s == "" {
		return "` `"
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// Table is a GitHub Flavored Markdown table. Cells hold Markdown (escape
// untrusted text with Markdown or Code first); Markdown escapes the pipes and
// line breaks that would break the table structure.
type Table struct {
	Header []string
	Rows   [][]string
}

// Markdown renders the table with a trailing newline. Rows shorter than the
// widest row are padded with empty cells. A table without header and rows
// renders as "".
func (t Table) Markdown() string {
	width := len(t.Header)
	for _, r := range t.Rows {
		width = max(width, len(r))
	}
	if width == 0 {
		return ""
	}
	var b strings.Builder
	writeRow := func(cells []string) {
		b.WriteByte('|')
		for i := 0; i < width; i++ {
			cell := ""
			if i < len(cells) {
				cell = tableCell(cells[i])
			}
			if cell != "" {
				b.WriteString(" " + cell)
			}
			b.WriteString(" |")
		}
		b.WriteByte('\n')
	}
	writeRow(t.Header)
	b.WriteByte('|')
	for i := 0; i < width; i++ {
		b.WriteString(" --- |")
	}
	b.WriteByte('\n')
	for _, r := range t.Rows {
		writeRow(r)
	}
	return b.String()
}

// tableCell escapes every '|' that is not already backslash-escaped (GFM
// splits cells on unescaped pipes even inside code spans) and turns line
// breaks into <br>.
func tableCell(s string) string {
	s = strings.NewReplacer("\r\n", "<br>", "\r", "<br>", "\n", "<br>").Replace(s)
	if !strings.Contains(s, "|") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	backslashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '|' && backslashes%2 == 0 {
			b.WriteByte('\\')
		}
		if c == '\\' {
			backslashes++
		} else {
			backslashes = 0
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String())
}

// Details renders a collapsed <details> block. summary is plain text (it is
// HTML-escaped); body is Markdown the caller has already escaped.
func Details(summary, body string) string {
	var b strings.Builder
	b.WriteString("<details><summary>")
	b.WriteString(HTML(strings.Join(strings.Fields(summary), " ")))
	b.WriteString("</summary>\n\n")
	b.WriteString(strings.TrimRight(body, "\n"))
	b.WriteString("\n\n</details>\n")
	return b.String()
}
