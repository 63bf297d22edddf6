package monitor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// TestUnparsableHistoryIsAnError: a history_file that exists but is not a
// history (truncated JSON, another file, a directory) stops the run before
// any request with an error naming the file, and the file is left as it was
// (issue #10 item 6: it used to be overwritten silently).
func TestUnparsableHistoryIsAnError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, content string
		dir           bool
		want          string
	}{
		{name: "truncated_json", content: `{"entries": [{"timestamp": "2026-05-0`, want: "not a history file"},
		{name: "another_json_file", content: `{"name": "my-package", "version": "1.0.0"}`, want: "not a history file"},
		{name: "entries_not_a_list", content: `{"entries": {"a": 1}}`, want: "not a history file"},
		{name: "a_directory", dir: true, want: "cannot be read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := genFixture(genOptions{Domains: 2})
			e := newEnv(t, f, emulator.Options{}, "")
			cfg := genConfig(t, f)
			cfg.HistoryFile = filepath.Join(t.TempDir(), "history.json")
			if tc.dir {
				if err := os.Mkdir(cfg.HistoryFile, 0o755); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(cfg.HistoryFile, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Run(context.Background(), cfg, e.deps())
			var he *HistoryError
			switch {
			case err == nil:
				t.Fatal("Run accepted an unparsable history file")
			case !errors.As(err, &he):
				t.Errorf("error %v is not a *HistoryError", err)
			case !strings.Contains(err.Error(), cfg.HistoryFile) || !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %q does not name the file %s and say %q", err, cfg.HistoryFile, tc.want)
			}
			if n := len(e.srv.Requests()); n != 0 {
				t.Errorf("%d requests were sent before the history error", n)
			}
			if !tc.dir {
				got, rerr := os.ReadFile(cfg.HistoryFile)
				if rerr != nil || string(got) != tc.content {
					t.Errorf("history file changed: %q (%v), want it untouched", got, rerr)
				}
			}
			if _, serr := os.Stat(filepath.Join(cfg.OutputDir, ReportFile)); serr == nil {
				t.Errorf("a report was written although the run failed")
			}
		})
	}
}

// TestMissingHistoryStartsOne: a history file that does not exist yet is
// the first run of a history, not an error.
func TestMissingHistoryStartsOne(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 2})
	e := newEnv(t, f, emulator.Options{}, "")
	cfg := genConfig(t, f)
	cfg.HistoryFile = filepath.Join(t.TempDir(), "sub", "history.json")
	if _, err := Run(context.Background(), cfg, e.deps()); err != nil {
		t.Fatal(err)
	}
	h, err := LoadHistory(cfg.HistoryFile)
	if err != nil || len(h.Entries) != 1 {
		t.Fatalf("history after the first run: %+v, %v", h, err)
	}
}
