package runner

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// SummaryLimit is GitHub's cap on a step's job summary file, in bytes
// (the runner's AttachmentSizeLimit). A larger file is rejected whole.
const SummaryLimit = 1024 * 1024

// AddSummary appends Markdown to the job summary. It is buffered and written
// by Close, so the 1 MiB cap can be applied deliberately. Known secrets are
// redacted.
func (r *Run) AddSummary(markdown string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.summary.WriteString(markdown)
}

// SetReportLocation says where the full report is (e.g. "the
// ecosystem-report artifact, reports/ecosystem_summary.md"); the note added
// when the summary is truncated points there.
func (r *Run) SetReportLocation(where string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reportLocation = where
}

// Summary returns the job summary as Close would write it before truncation
// (buffered Markdown plus the "More findings" list).
func (r *Run) Summary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.redact(r.summary.String() + r.overflowMarkdown())
}

// Close writes the job summary (with the findings beyond the annotation
// caps) to GITHUB_STEP_SUMMARY, keeping the file, including what earlier
// writes put there, within SummaryLimit: the summary is cut at a line
// boundary and ends with a note saying how much was cut and where the full
// report is. Without a summary path the summary is skipped. Close is
// idempotent.
func (r *Run) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	text := r.redact(r.summary.String() + r.overflowMarkdown())
	where := r.reportLocation
	r.mu.Unlock()

	if text == "" || r.summaryPath == "" {
		return nil
	}
	existing := 0
	if st, err := os.Stat(r.summaryPath); err == nil {
		existing = int(st.Size())
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("failed to write job summary: %w", err)
	}
	budget := SummaryLimit - existing
	if budget <= 0 {
		r.Infof("job summary not written: %s already holds %d bytes, GitHub's limit is %d", r.summaryPath, existing, SummaryLimit)
		return nil
	}
	out := report.TruncateFunc(text, budget, func(c report.Cut) string {
		return truncationNote(c, where)
	})
	if len(out) < len(text) {
		r.Infof("job summary truncated from %d to %d bytes to stay under GitHub's 1 MiB limit", len(text), len(out))
	}
	if err := appendFile(r.summaryPath, out); err != nil {
		return fmt.Errorf("failed to write job summary: %w", err)
	}
	return nil
}

func truncationNote(c report.Cut, where string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n> [!WARNING]\n> **Summary truncated.** GitHub limits a job summary to 1 MiB, so the last %d lines (%d of %d bytes, from line %d on) were cut.",
		c.CutLines, c.CutBytes, c.TotalBytes, c.KeptLines+1)
	if where != "" {
		b.WriteString(" The full report is in " + report.Markdown(where) + ".")
	}
	b.WriteString("\n")
	return b.String()
}
