package runner

import (
	"fmt"
	"io"
	"strings"

	githubactions "github.com/sethvargo/go-githubactions"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// EscapeLine makes untrusted text safe to print as (part of) one log line:
//   - '%' becomes %25 first, so the encoding below is unambiguous;
//   - CR and LF become %0D and %0A, so the text stays on one line and no
//     later part of it can start a line of its own;
//   - every "::" becomes ":%3A", so no command can start anywhere in it (the
//     runner trims leading whitespace before looking for "::"), and
//     "::add-mask::", "::stop-commands::" etc. cannot appear;
//   - every "##[" becomes "##%5B", the runner's older command syntax.
//
// The result is readable, and decoding %3A, %5B, %0D, %0A and %25 (in that
// order) restores the original.
func EscapeLine(s string) string {
	if !strings.ContainsAny(s, "%\r\n:#") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b.WriteString("%25")
		case c == '\r':
			b.WriteString("%0D")
		case c == '\n':
			b.WriteString("%0A")
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			b.WriteString(":%3A")
			i++
		case c == '#' && strings.HasPrefix(s[i:], "##["):
			b.WriteString("##%5B")
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// guard breaks the two command markers the runner recognises without
// escaping anything else; it is applied to whole formatted lines.
func guard(s string) string {
	if strings.Contains(s, "::") {
		s = strings.ReplaceAll(s, "::", ":%3A")
	}
	if strings.Contains(s, "##[") {
		s = strings.ReplaceAll(s, "##[", "##%5B")
	}
	return s
}

// escapedArg formats its value with the caller's verb and escapes the result
// with EscapeLine, so Infof("%d files in %q", n, name) keeps working.
// Secrets are redacted before the escaping, so a secret the escaping would
// disguise (a key block across lines, a value with "%") is still found.
type escapedArg struct {
	v   any
	red *redact.Redactor
}

func (e escapedArg) Format(f fmt.State, verb rune) {
	_, _ = f.Write([]byte(EscapeLine(e.red.String(fmt.Sprintf(fmt.FormatString(f, verb), e.v)))))
}

func escapeArgs(red *redact.Redactor, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = escapedArg{a, red}
	}
	return out
}

// command renders a workflow command; go-githubactions escapes the message
// (%, CR, LF) and the property values (also ':' and ',').
func command(name string, props githubactions.CommandProperties, msg string) string {
	c := githubactions.Command{Name: name, Message: msg, Properties: props}
	return c.String() + "\n"
}

// write prints text as is (callers have escaped it), with secrets redacted.
func (r *Run) write(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writeLocked(s)
}

// writeLocked is the one way to stdout (log lines, annotations, groups,
// errors, outputs on the command line), so every line is redacted here,
// after its parts were (see escapedArg). Only the ::add-mask:: command,
// which must carry the value, bypasses it (addSecret).
func (r *Run) writeLocked(s string) {
	// A failing stdout cannot be reported anywhere; the exit code still is.
	_, _ = io.WriteString(r.w, r.red.String(s))
}

// Infof prints an informational log line. The format is trusted; every
// argument is escaped with EscapeLine and the whole line is guarded, so no
// argument can start a workflow command, and known secrets are redacted.
// Line breaks in the format itself are kept.
func (r *Run) Infof(format string, args ...any) {
	r.write(r.logLine(format, args))
}

func (r *Run) logLine(format string, args []any) string {
	line := guard(fmt.Sprintf(format, escapeArgs(r.red, args)...))
	return r.redact(strings.TrimRight(line, "\n")) + "\n"
}

// Debugf prints a debug line only when LOG_LEVEL=DEBUG or RUNNER_DEBUG=1.
// With RUNNER_DEBUG=1 under the runner it is a ::debug:: command (shown when
// step debug logging is on); otherwise it is a plain "debug: " line.
func (r *Run) Debugf(format string, args ...any) {
	if !r.debug && !r.rdebug {
		return
	}
	if r.actions && r.rdebug && !r.debug {
		msg := r.redact(fmt.Sprintf(format, args...))
		r.write(command("debug", nil, msg))
		return
	}
	r.write(r.logLine("debug: "+format, args))
}

// DebugEnabled reports whether Debugf prints.
func (r *Run) DebugEnabled() bool { return r.debug || r.rdebug }

// Group starts a collapsible log group (::group::) and returns the function
// that ends it (calling it again does nothing).
//
//	defer r.Group("Fetching repositories")()
func (r *Run) Group(title string) (end func()) {
	title = r.redact(title)
	r.write(command("group", nil, title))
	done := false
	return func() {
		if !done {
			done = true
			r.write(command("endgroup", nil, ""))
		}
	}
}
