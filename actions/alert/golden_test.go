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

// TestGolden_issue_bodies renders the group issues (title, body and the
// opening announcement) built from the example fixer and stale reports.
func TestGolden_issue_bodies(t *testing.T) {
	t.Parallel()
	b, err := Build(loadTestReports(t, "failure_analysis.json", "stale_analysis.json"), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 11, 30, 0, 0, time.UTC)
	txt := Text{Mention: []string{"sparesparrow"}}
	var out string
	for _, g := range GroupAlerts(b.Alerts, GroupDomain, DefaultLabel, FileInAlertRepo, "sparesparrow/mcp-project-orchestrator") {
		plan := mergeGroup(nil, mergeInput{group: g, runID: 42, now: now})
		plan.next.Claim = "run 42 nonce 00000000"
		out += "# " + txt.groupTitle(g, plan.next) + "\n\n" + txt.groupBody(g, plan.next, DefaultLabel, "") + "\n\n"
	}
	golden(t, "issue_bodies.golden.md", out)
}
