package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// TestDemo runs `make demo` as the README describes it: the action
// binaries built from this tree, the chain on the example ecosystem through
// the emulator; the dashboard the README tells users to open
// (reports/pages_content/index.html) shows the fixer's root cause of every
// failure group the fixer analysed, among them a workflow that is failing
// on its default branch.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the four actions and runs the whole chain")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, a := range []string{"monitor", "fixer", "stale", "alert"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, "action-"+a), "./action-"+a)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./action-%s: %v\n%s", a, err, out)
		}
	}
	out := t.TempDir()
	t.Chdir(root) // the demo runs in the work tree, as make demo does
	var stdout, stderr bytes.Buffer
	err = realMain(context.Background(), []string{"-bin", bin, "-fixture", filepath.Join("testdata", "ecosystem", "ecosystem.yaml"), "-out", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	page, err := os.ReadFile(filepath.Join(out, "pages_content", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, "failure_analysis.json"))
	if err != nil {
		t.Fatal(err)
	}
	fixer, err := contract.Decode(raw, "failure_analysis.json")
	if err != nil {
		t.Fatal(err)
	}
	shown, err := containertest.FixerCausesShown(page, fixer.Failure)
	if err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile(filepath.Join(out, "ecosystem_analysis.json"))
	if err != nil {
		t.Fatal(err)
	}
	eco, err := contract.Decode(raw, "ecosystem_analysis.json")
	if err != nil {
		t.Fatal(err)
	}
	failing := 0
	for _, g := range shown {
		for _, w := range eco.Ecosystem.Domains[g.Domain].Workflows {
			if w.Workflow == g.Workflow && w.FailingSince != nil {
				failing++
			}
		}
	}
	if failing == 0 {
		t.Errorf("no workflow failing on its default branch shows the fixer's root cause; shown: %+v", shown)
	}
	if !strings.Contains(stdout.String(), "== dashboard: ") {
		t.Errorf("the demo does not say it checked the dashboard:\n%s", stdout.String())
	}
	t.Logf("%d failure groups show the fixer's root cause, %d of them failing on the default branch", len(shown), failing)
}
