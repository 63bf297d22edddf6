package classify

import (
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// WithRedactor sets the redactor findings pass through before Analyze
// returns them (default: pkg/redact's rules alone). Pass the run's
// (runner.Run.Redactor) so the values the run masked are found too.
//
// Redacting the findings where they are made keeps secrets out of
// everything downstream: every report, summary, annotation, issue and
// payload made from them, including the ones that escape text for Markdown
// (which would disguise a token from a later search). The fingerprint of
// a finding whose line held a secret is computed from the redacted line,
// so a token that changes every run does not change it.
func WithRedactor(r *redact.Redactor) AnalyzerOption {
	return func(a *Analyzer) {
		if r != nil {
			a.red = r
		}
	}
}

// redactAnalysis redacts every log-derived string of res's findings: the
// line, its context window, the step and group titles (a step's title is
// its command: "Run curl -H 'Authorization: …'"). Only the few lines that
// become findings are redacted, not the whole log, so classification keeps
// its speed.
//
// A private key block is recognised across the window's lines: from a
// BEGIN line on (redact.Stream), and, when the window starts inside a
// block whose BEGIN line lies above it, every line up to the END line.
// Findings whose redacted lines fingerprint alike are merged (occurrences
// added; the better-ranked one kept).
func redactAnalysis(res *Analysis, red *redact.Redactor) {
	if res == nil || len(res.Findings) == 0 {
		return
	}
	seen := map[string]int{}
	out := res.Findings[:0]
	for _, f := range res.Findings {
		redactFinding(&f, red)
		if i, ok := seen[f.Fingerprint]; ok {
			out[i].Occurrences += f.Occurrences
			continue
		}
		seen[f.Fingerprint] = len(out)
		out = append(out, f)
	}
	res.Findings = out
}

func redactFinding(f *Finding, red *redact.Redactor) {
	// The window in log order: context before, the line, context after.
	lines := make([]*string, 0, len(f.Context)+1)
	placed := false
	for i := range f.Context {
		if !placed && f.Context[i].Line > f.Line {
			lines, placed = append(lines, &f.Text), true
		}
		lines = append(lines, &f.Context[i].Text)
	}
	if !placed {
		lines = append(lines, &f.Text)
	}
	// A window that starts inside a key block: an END line before any
	// BEGIN line.
	for _, l := range lines {
		if pemMarker(*l, "-----BEGIN ") {
			break
		}
		if pemMarker(*l, "-----END ") {
			for _, k := range lines {
				if k == l {
					break
				}
				*k = redact.Marker(redact.PrivateKey)
			}
			break
		}
	}
	text := f.Text
	st := red.Stream()
	for _, l := range lines {
		*l = st.Line(*l)
	}
	if f.Text != text {
		f.Fingerprint = Fingerprint(f.RuleID, f.Text)
	}
	f.Step, f.Group = red.String(f.Step), red.String(f.Group)
}

// pemMarker reports whether line holds a PEM boundary of a private key
// (marker is "-----BEGIN " or "-----END ").
func pemMarker(line, marker string) bool {
	i := strings.Index(line, marker)
	return i >= 0 && strings.Contains(line[i:], "PRIVATE KEY")
}
