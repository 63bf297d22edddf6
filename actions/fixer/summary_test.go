package fixer

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
)

// TestUnexplainedCountsGenericFallbacks: a log that only the catch-all
// rules match ("Process completed with exit code 1") is not explained, any
// more than a log with error markers and no finding at all.
func TestUnexplainedCountsGenericFallbacks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fips, err := os.ReadFile(filepath.Join(corpusDir, "fips", "fipsinstall-failed.log"))
	if err != nil {
		t.Fatal(err)
	}
	logs := map[string]string{
		"explained.log":   string(fips),
		"exit-code.log":   "2026-11-20T10:00:00.0000000Z ./run-checks.sh\n2026-11-20T10:00:01.0000000Z ##[error]Process completed with exit code 2.\n",
		"marker-only.log": "2026-11-20T10:00:00.0000000Z ##[error]Process completed with exit code 0.\n",
		"green-job.log":   "2026-11-20T10:00:00.0000000Z all good\n",
	}
	var files []string
	for name, text := range logs {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	res, err := Run(context.Background(), Config{LogFiles: files, OutputDir: dir, Repository: "o/r"}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Report.Summary
	if s.Logs != 4 || s.Failed != 2 || s.Unexplained != 2 {
		t.Errorf("summary logs %d, failed %d, unexplained %d; want 4, 2 (fips and the exit code), 2 (the exit code and the bare marker)",
			s.Logs, s.Failed, s.Unexplained)
	}
	for _, f := range res.Report.Failures {
		if f.Category == classify.CategoryUnknown && f.Domain != "o/r" {
			t.Errorf("generic finding without its domain: %+v", f)
		}
	}
}
