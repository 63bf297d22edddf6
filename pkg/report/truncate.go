package report

import (
	"strings"
	"unicode/utf8"
)

// Cut describes what Truncate removed, for building the note that says so.
type Cut struct {
	TotalBytes int // size of the original text
	KeptBytes  int // bytes of the original kept
	KeptLines  int // complete lines kept; the first cut line is KeptLines+1
	CutBytes   int // bytes of the original removed
	CutLines   int // lines (or partial lines) removed
}

// Truncate returns markdown unchanged when it is at most max bytes long.
// Otherwise it keeps the longest prefix that ends at a line boundary (never
// inside a multi-byte rune), closes a code fence or <details> block the cut
// left open, and appends note, so that the result is at most max bytes. Use
// it for the 1 MiB job summary and 65,536-character issue bodies (GitHub
// counts characters there; bytes are an upper bound, so the result fits).
func Truncate(markdown string, max int, note string) string {
	return TruncateFunc(markdown, max, func(Cut) string { return note })
}

// TruncateFunc is Truncate with a note built from what was cut, e.g.
// "… 1,234 lines (56 KiB) from line 789 were cut; the full report is in …".
// note may be called more than once.
func TruncateFunc(markdown string, max int, note func(Cut) string) string {
	if len(markdown) <= max {
		return markdown
	}
	if max <= 0 {
		return ""
	}
	total := len(markdown)
	n := note(Cut{TotalBytes: total, KeptBytes: total, KeptLines: total, CutBytes: total, CutLines: total})
	budget := max - len(n)
	for budget > 0 {
		kept := cutAtLine(markdown, budget)
		n = note(cutStats(markdown, kept))
		closers := closeOpenBlocks(kept)
		out := kept + closers + ensureNewlineBefore(kept+closers, n)
		if len(out) <= max {
			return out
		}
		budget -= len(out) - max
	}
	// The note alone does not fit: return as much of the note as fits.
	n = note(Cut{TotalBytes: total, CutBytes: total, CutLines: strings.Count(strings.TrimSuffix(markdown, "\n"), "\n") + 1})
	return cutAtRune(n, max)
}

func ensureNewlineBefore(prefix, note string) string {
	if note == "" || prefix == "" || strings.HasSuffix(prefix, "\n") {
		return note
	}
	return "\n" + note
}

// cutAtLine returns the longest prefix of s of at most n bytes that ends
// just after a '\n'. Without any line break in range it falls back to a rune
// boundary.
func cutAtLine(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if n >= len(s) {
		return s
	}
	if i := strings.LastIndexByte(s[:n], '\n'); i >= 0 {
		return s[:i+1]
	}
	return cutAtRune(s, n)
}

// cutAtRune returns the longest prefix of s of at most n bytes that does not
// split a UTF-8 sequence.
func cutAtRune(s string, n int) string {
	if n >= len(s) {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func cutStats(all, kept string) Cut {
	rest := all[len(kept):]
	c := Cut{
		TotalBytes: len(all),
		KeptBytes:  len(kept),
		KeptLines:  strings.Count(kept, "\n"),
		CutBytes:   len(rest),
		CutLines:   strings.Count(rest, "\n"),
	}
	if rest != "" && !strings.HasSuffix(rest, "\n") {
		c.CutLines++
	}
	return c
}

// closeOpenBlocks returns what must follow kept so that a fenced code block
// or a <details> element cut in the middle is closed again.
func closeOpenBlocks(kept string) string {
	var b strings.Builder
	if !strings.HasSuffix(kept, "\n") && kept != "" {
		b.WriteByte('\n')
	}
	fence := "" // the fence that opened the current code block
	for _, line := range strings.Split(kept, "\n") {
		t := strings.TrimLeft(line, " ")
		switch {
		case fence == "" && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")):
			fence = t[:3]
		case fence != "" && strings.HasPrefix(t, fence):
			fence = ""
		}
	}
	if fence != "" {
		b.WriteString(fence + "\n")
	}
	if open := strings.Count(kept, "<details") - strings.Count(kept, "</details>"); open > 0 {
		b.WriteString(strings.Repeat("</details>\n", open))
	}
	return b.String()
}

// Clip shortens s to at most n bytes on a rune boundary and marks the cut
// with "…" (so the result may be up to n+3 bytes). Use it for one-line texts
// such as titles and log lines; Truncate is for Markdown documents.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
