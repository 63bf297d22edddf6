package runner

import (
	"fmt"
	"strconv"
	"strings"

	githubactions "github.com/sethvargo/go-githubactions"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Annotation locates a finding in the run's annotations. All fields are
// optional; File is relative to the repository root.
type Annotation struct {
	Title   string
	File    string
	Line    int
	EndLine int
	Col     int
}

// AnnotationLimits caps annotations. GitHub shows at most 10 error and 10
// warning annotations per step and 50 per job; everything beyond that is
// dropped silently, so Run stops issuing annotations at the caps and lists
// the rest in the job summary under "More findings".
type AnnotationLimits struct {
	Errors, Warnings, Notices int // per step
	Total                     int // this step's share of the per-job limit
}

// DefaultAnnotationLimits are GitHub's limits.
var DefaultAnnotationLimits = AnnotationLimits{Errors: 10, Warnings: 10, Notices: 10, Total: 50}

type overflowAnnotation struct {
	level string
	a     Annotation
	msg   string
}

// Errorf issues an error annotation (::error title=…,file=…,line=…::msg).
// The message and properties are escaped as the runner requires, so
// untrusted text cannot break out of the command. Beyond the caps the
// finding goes to the summary's "More findings" list and to the log.
func (r *Run) Errorf(a Annotation, format string, args ...any) {
	r.annotate("error", a, fmt.Sprintf(format, args...))
}

// Warningf issues a warning annotation; see Errorf.
func (r *Run) Warningf(a Annotation, format string, args ...any) {
	r.annotate("warning", a, fmt.Sprintf(format, args...))
}

// Noticef issues a notice annotation; see Errorf.
func (r *Run) Noticef(a Annotation, format string, args ...any) {
	r.annotate("notice", a, fmt.Sprintf(format, args...))
}

func (r *Run) limitFor(level string) int {
	switch level {
	case "error":
		return r.limits.Errors
	case "warning":
		return r.limits.Warnings
	}
	return r.limits.Notices
}

func (r *Run) annotate(level string, a Annotation, msg string) {
	msg = r.redact(msg)
	a.Title = r.redact(a.Title)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts[level] >= r.limitFor(level) || r.counts["total"] >= r.limits.Total {
		r.overflow = append(r.overflow, overflowAnnotation{level: level, a: a, msg: msg})
		r.writeLocked(guard(fmt.Sprintf("%s (over the annotation limit, listed in the job summary): %s", level, EscapeLine(a.describe(msg)))) + "\n")
		return
	}
	r.counts[level]++
	r.counts["total"]++
	r.writeLocked(command(level, a.properties(), msg))
}

func (a Annotation) properties() githubactions.CommandProperties {
	p := githubactions.CommandProperties{}
	if a.Title != "" {
		p["title"] = a.Title
	}
	if a.File != "" {
		p["file"] = a.File
		if a.Line > 0 {
			p["line"] = strconv.Itoa(a.Line)
		}
		if a.EndLine > 0 {
			p["endLine"] = strconv.Itoa(a.EndLine)
		}
		if a.Col > 0 {
			p["col"] = strconv.Itoa(a.Col)
		}
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// describe renders "title: file:line: msg" for plain log lines.
func (a Annotation) describe(msg string) string {
	var parts []string
	if a.Title != "" {
		parts = append(parts, a.Title)
	}
	if a.File != "" {
		loc := a.File
		if a.Line > 0 {
			loc += ":" + strconv.Itoa(a.Line)
		}
		parts = append(parts, loc)
	}
	return strings.Join(append(parts, msg), ": ")
}

// overflowMarkdown renders the findings beyond the caps. Called with mu held.
func (r *Run) overflowMarkdown() string {
	if len(r.overflow) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n### More findings\n\n%d more annotations exceeded GitHub's limits (%d errors, %d warnings, %d notices per step; %d per job):\n\n",
		len(r.overflow), r.limits.Errors, r.limits.Warnings, r.limits.Notices, r.limits.Total)
	for _, o := range r.overflow {
		b.WriteString("- **" + o.level + "**")
		if o.a.Title != "" {
			b.WriteString(" " + report.Markdown(o.a.Title))
		}
		if o.a.File != "" {
			loc := o.a.File
			if o.a.Line > 0 {
				loc += ":" + strconv.Itoa(o.a.Line)
			}
			b.WriteString(" " + report.Code(loc))
		}
		b.WriteString(": " + report.Markdown(o.msg) + "\n")
	}
	return b.String()
}
