package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// fakeResult is an action's result as the runner sees it.
type fakeResult struct {
	outputs  map[string]any
	summary  string
	files    []string
	findings []contract.Finding
}

func (f fakeResult) Outputs() map[string]any      { return f.outputs }
func (f fakeResult) Summary() string              { return f.summary }
func (f fakeResult) ReportFiles() []string        { return f.files }
func (f fakeResult) Findings() []contract.Finding { return f.findings }

func TestFinish(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outFile, sumFile := filepath.Join(dir, "out"), filepath.Join(dir, "sum")
	for _, f := range []string{outFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res := fakeResult{
		outputs: map[string]any{"zeta": "z", "alpha": []string{"a"}},
		summary: "## Report\n",
		files:   []string{"reports/x.json", "reports/x.md"},
		findings: []contract.Finding{
			{Domain: "o/fips", Title: "FIPS self-test failed", Category: "fips", Severity: contract.SeverityCritical, Text: "SELF_TEST failed", RuleID: "fips.x", Source: "a.log", Line: 7},
			{Domain: "o/app", Category: "test", Severity: contract.SeverityMedium, Text: "a test failed", RootCause: true},
			{Domain: "o/app", Category: contract.CategoryMissingData, Severity: contract.SeverityWarning, Text: "workflow runs could not be read"},
			{Domain: "o/old", Category: contract.CategoryStale, Severity: contract.SeverityLow, Text: "::warning::pull request #1 is stale"},
			{Domain: "o/more", Category: "build", Severity: contract.SeverityHigh, Text: "over the limit"},
		},
	}
	var stdout bytes.Buffer
	code := Execute(context.Background(), Spec{Name: "x"}, func(_ context.Context, r *Run) error {
		return r.Finish(res, MaxFindingAnnotations(4))
	}, WithGetenv(fakeEnv(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": sumFile})),
		WithStdout(&stdout), WithRandom(strings.NewReader(strings.Repeat("0123456789abcdef", 8))))
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stdout.String())
	}
	out, _ := os.ReadFile(outFile)
	if i, j := bytes.Index(out, []byte("alpha<<")), bytes.Index(out, []byte("zeta<<")); i < 0 || j < i || !bytes.Contains(out, []byte(`["a"]`)) {
		t.Errorf("outputs (want alpha as JSON, then zeta):\n%s", out)
	}
	want := []string{
		"::error title=o/fips%3A FIPS self-test failed::SELF_TEST failed (rule fips.x, a.log line 7)\n",
		// A root cause is an error whatever its severity: the job failed.
		"::error title=o/app%3A test::a test failed\n",
		"::warning title=o/app%3A missing_data::workflow runs could not be read\n",
		// Untrusted text stays the command's data (after its "::").
		"::notice title=o/old%3A stale::::warning::pull request #1 is stale\n",
	}
	for _, w := range want {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), "over the limit") {
		t.Errorf("a finding beyond MaxFindingAnnotations was annotated:\n%s", stdout.String())
	}
	sum, _ := os.ReadFile(sumFile)
	if !strings.HasPrefix(string(sum), "## Report\n") {
		t.Errorf("summary = %q", sum)
	}
}
