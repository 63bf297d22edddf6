package runnertest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// Step is what one run of an entrypoint left behind.
type Step struct {
	Code    int    // exit code
	Stdout  string // everything printed
	Outputs string // the GITHUB_OUTPUT file, raw
	Summary string // the GITHUB_STEP_SUMMARY file
	Dir     string // the temporary directory holding both files
}

// Execute runs an action's entrypoint the way the Actions runner does:
// GITHUB_ACTIONS=true, empty GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files in
// a fresh temporary directory, env as the environment (those three are
// added unless env sets them), inputs as INPUT_<NAME> variables, and now as
// the clock. Nothing of the process environment is read.
func Execute(t testing.TB, spec runner.Spec, fn func(context.Context, *runner.Run) error, env, inputs map[string]string, now time.Time) Step {
	t.Helper()
	dir := t.TempDir()
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, f := range []string{outFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	all := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": sumFile}
	for k, v := range env {
		all[k] = v
	}
	for k, v := range inputs {
		all["INPUT_"+strings.ToUpper(k)] = v
	}
	var stdout strings.Builder
	code := runner.Execute(context.Background(), spec, fn, runner.WithArgs(nil), runner.WithStdout(&stdout),
		runner.WithGetenv(func(k string) string { return all[k] }), runner.WithNow(func() time.Time { return now }))
	out, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(sumFile)
	if err != nil {
		t.Fatal(err)
	}
	return Step{Code: code, Stdout: stdout.String(), Outputs: string(out), Summary: string(sum), Dir: dir}
}
