package classify

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeFile(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeZip(t *testing.T, p string, members map[string]string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, data := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestFindLogs reads a directory laid out like GitHub's run log archive
// (job logs beside per-step folders that repeat them), with an archive, a
// compressed log and files that are not logs.
func TestFindLogs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	failed := "ERROR: Missing binary: zlib/1.3.1\n##[error]Process completed with exit code 1.\n"
	writeFile(t, filepath.Join(dir, "0_build.txt"), failed)
	writeFile(t, filepath.Join(dir, "build", "3_Run conan install.txt"), failed)
	writeFile(t, filepath.Join(dir, "build", "system.txt"), "runner: x\n")
	writeFile(t, filepath.Join(dir, "notes.md"), "# not a log\n")
	writeFile(t, filepath.Join(dir, ".cache", "x.log"), failed)
	writeFile(t, filepath.Join(dir, "nightly", "job.log"), failed)
	writeZip(t, filepath.Join(dir, "run.zip"), map[string]string{
		"1_test.txt": "ok\n", "test/2_Run go test.txt": "ok\n", "README.md": "x",
	})
	logs, err := FindLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range logs {
		rel, _ := filepath.Rel(dir, l.Name)
		names = append(names, filepath.ToSlash(rel))
	}
	want := []string{"0_build.txt", "nightly/job.log", "run.zip!1_test.txt"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
	a := testAnalyzer(t)
	for _, l := range logs {
		rc, err := l.Open()
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.Analyze(context.Background(), rc, l.Name)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		// The failed logs are found failed, the green one green.
		if got, want := res.RootCause() != nil, !strings.Contains(l.Name, "run.zip!"); got != want {
			t.Errorf("%s: root cause found = %v, want %v", l.Name, got, want)
		}
	}
}

func TestFindLogsErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "empty", "README.md"), "x")
	writeZip(t, filepath.Join(dir, "images.zip"), map[string]string{"a.png": "x"})
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "empty"), "holds no log file (allowed: files named *.log, *.txt"},
		{filepath.Join(dir, "images.zip"), "zip archive " + filepath.Join(dir, "images.zip") + " holds no log file"},
		{filepath.Join(dir, "missing"), "no such file or directory"},
	}
	for _, tt := range tests {
		if _, err := FindLogs(tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("FindLogs(%s) error = %v, want %q", tt.path, err, tt.want)
		}
	}
}
