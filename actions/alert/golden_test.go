package alert

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// TestGolden_issue_bodies renders the issue of each alert built from the
// example fixer and stale reports.
func TestGolden_issue_bodies(t *testing.T) {
	t.Parallel()
	b, err := Build(loadTestReports(t, "failure_analysis.json", "stale_analysis.json"), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2026, 11, 20, 11, 30, 0, 0, time.UTC)
	var out string
	for _, a := range b.Alerts {
		st := State{Type: a.Type, Source: a.Source, Scope: a.Scope, Problem: a.Problem, Level: a.Level, Digest: factsDigest(a),
			FirstSeen: first, LastSeen: first.Add(8 * time.Hour), Occurrences: 3, LastRunID: 42, LastSeenRunID: 42}
		txt := Text{Mention: []string{"sparesparrow"}}
		out += "# " + txt.Title(a) + "\n\n" + txt.Body(a, BodyContext{State: st, RunURL: "https://github.com/sparesparrow/mcp-project-orchestrator/actions/runs/42",
			Label: DefaultLabel}) + "\n\n"
	}
	golden(t, "issue_bodies.golden.md", out)
}
