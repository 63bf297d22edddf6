package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Result is what every action's run returns, whatever the action: its
// outputs, its job summary, the report files it wrote and its findings.
// A nil result (the run failed before it had one) must still answer:
// Outputs with every declared output's empty value, the others empty.
type Result interface {
	// Outputs are every output action.yml declares: a string is written as
	// it is, anything else as JSON.
	Outputs() map[string]any
	// Summary is the job summary (Markdown).
	Summary() string
	// ReportFiles are the files written, the JSON report first.
	ReportFiles() []string
	// Findings are the facts worth an annotation.
	Findings() []contract.Finding
}

// FinishOption configures Finish.
type FinishOption func(*finish)

type finish struct{ maxFindings int }

// MaxFindingAnnotations annotates at most n findings (the rest stay in the
// reports); n < 0 means no limit. GitHub's own caps apply either way.
func MaxFindingAnnotations(n int) FinishOption { return func(f *finish) { f.maxFindings = n } }

// Finish hands a result to the runner: every output (in name order), the
// job summary, the report location (the Markdown report when there is one,
// else the first file) and one annotation per finding (AnnotateFindings).
// Each report file is checked for the values the run masked (which
// pkg/report's writers cannot know) and rewritten without them.
// Call it once, also when the run failed, so that every declared output is
// written.
func (r *Run) Finish(res Result, opts ...FinishOption) error {
	o := finish{maxFindings: -1}
	for _, opt := range opts {
		opt(&o)
	}
	errs := []error{r.writeOutputs(res.Outputs())}
	if s := res.Summary(); s != "" {
		r.AddSummary(s)
	}
	if files := res.ReportFiles(); len(files) > 0 {
		errs = append(errs, r.redactFiles(files))
		where := files[0]
		for _, f := range files {
			if strings.HasSuffix(f, ".md") {
				where = f
				break
			}
		}
		r.SetReportLocation(filepath.ToSlash(where))
	}
	fs := res.Findings()
	if o.maxFindings >= 0 && len(fs) > o.maxFindings {
		fs = fs[:o.maxFindings]
	}
	r.AnnotateFindings(fs)
	return errors.Join(errs...)
}

// AnnotateFindings issues one annotation per finding, the one place
// findings become annotations: an error for critical and high, a warning
// for warning and medium, a notice for low and info; titled "<domain>:
// <title>" (the category when there is no title); the message is the
// finding's text with its rule and log line. The root cause of a failed
// job's log is an error whatever its severity: the job failed. Every string is escaped, and
// GitHub's caps (10 per level per step, 50 per job) apply: beyond them the
// job summary lists the rest under "More findings".
func (r *Run) AnnotateFindings(fs []contract.Finding) {
	for _, f := range fs {
		title := f.Title
		if title == "" {
			title = string(f.Category)
		}
		if f.Domain != "" {
			title = f.Domain + ": " + title
		}
		msg := f.Text
		var where []string
		if f.RuleID != "" {
			where = append(where, "rule "+f.RuleID)
		}
		if f.Source != "" && f.Line > 0 {
			where = append(where, f.Source+" line "+strconv.Itoa(f.Line))
		}
		if f.Job != "" {
			where = append(where, "job "+f.Job)
		}
		if len(where) > 0 {
			msg += " (" + strings.Join(where, ", ") + ")"
		}
		level := levelOf(f.Severity)
		if f.RootCause {
			level = "error" // the decisive finding of a failed job's log
		}
		r.annotate(level, Annotation{Title: title}, msg)
	}
}

// levelOf is the annotation level of a severity: error for critical and
// high, warning for warning and medium, notice below.
func levelOf(s contract.Severity) string {
	switch {
	case s.Rank() >= contract.SeverityHigh.Rank():
		return "error"
	case s.Rank() >= contract.SeverityMedium.Rank():
		return "warning"
	}
	return "notice"
}

// redactFiles rewrites each file that holds a value the run masked (see
// Redactor), atomically: JSON documents string by string (redact.JSON),
// other files as text. The libraries' writers (pkg/report) redact what
// pkg/redact finds by its shape; only the run knows what it masked.
func (r *Run) redactFiles(paths []string) error {
	if r.red.Values() == 0 {
		return nil
	}
	var errs []error
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("failed to check %s for secrets: %w", p, err))
			continue
		}
		var out []byte
		if strings.HasSuffix(p, ".json") {
			out = r.red.JSON(data)
		} else if s := string(data); r.red.String(s) != s {
			out = []byte(r.red.String(s))
		}
		if out == nil || string(out) == string(data) {
			continue
		}
		if err := report.WriteFile(p, out); err != nil {
			errs = append(errs, fmt.Errorf("failed to redact %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// writeOutputs sets every output, in name order: a string as it is,
// anything else as JSON.
func (r *Run) writeOutputs(outs map[string]any) error {
	names := make([]string, 0, len(outs))
	for n := range outs {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		var err error
		if s, ok := outs[n].(string); ok {
			err = r.SetOutput(n, s)
		} else {
			err = r.SetJSONOutput(n, outs[n])
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
