package fixer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRunReadsLogsAsMaintainersHaveThem gives log_files a directory of
// logs stored as maintainers keep them: each decodable one is classified,
// each other one is an error naming the file, and none reads as green.
func TestRunReadsLogsAsMaintainersHaveThem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	encoded := "../../pkg/classify/testdata/encoded"
	for _, name := range []string{"conan2-missing-prebuilt.log.gz", "conan2-missing-prebuilt.utf16le.log",
		"conan2-missing-prebuilt.cr.log", "conan2-missing-prebuilt.log.xz"} {
		data, err := os.ReadFile(filepath.Join(encoded, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Run(context.Background(), Config{LogFiles: []string{dir}, OutputDir: t.TempDir()}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Report.Summary; s.Logs != 3 || s.Failed != 3 {
		t.Errorf("summary = %+v, want 3 logs, 3 failed", s)
	}
	for _, f := range res.Report.Failures {
		if f.RuleID != "conan.missing_prebuilt_package" {
			t.Errorf("%s: root cause %s, want conan.missing_prebuilt_package", f.Source, f.RuleID)
		}
	}
	xz := filepath.Join(dir, "conan2-missing-prebuilt.log.xz")
	if !slices.ContainsFunc(res.Report.Errors, func(e string) bool { return strings.HasPrefix(e, xz+": xz-compressed data") }) {
		t.Errorf("errors = %q, want one naming %s", res.Report.Errors, xz)
	}
}
