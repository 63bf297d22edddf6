package entry

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/stale"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner/runnertest"
)

// TestActionYAMLMatchesSpec keeps action.yml in step with the inputs main.go
// reads and the outputs it writes. action.yml leaves the long warning
// templates' defaults empty ("unset or empty = the built-in message").
func TestActionYAMLMatchesSpec(t *testing.T) {
	t.Parallel()
	runnertest.CheckActionYAML(t, Spec(), "../action.yml", runnertest.OutputNames((*stale.Result)(nil)), runnertest.AllowEmptyDefaults())
}

// TestRunAgainstEmulator runs the entrypoint the way the Actions runner
// does (INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files) on a
// small fixture and checks every output is written and the summary escaped.
func TestRunAgainstEmulator(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fx := &emulator.Fixture{ReferenceTime: now, Repositories: []emulator.Repository{{
		Owner: "acme", Name: "app", DefaultBranch: "main",
		Branches: []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: strings.Repeat("a", 40), Author: "bob", Date: now}}},
		Pulls: []emulator.Pull{{Number: 7, Title: "Old @team work <b>", User: "alice", CreatedAt: now.AddDate(0, 0, -45),
			Head: emulator.Ref{Ref: "old"}, Base: emulator.Ref{Ref: "main"}}},
	}}}
	srv := emulator.StartForTest(t, fx, emulator.Options{Now: func() time.Time { return now }})
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_REPOSITORY": "acme/app", "GITHUB_API_URL": srv.URL(),
		"INPUT_GITHUB_TOKEN": "secret-token", "INPUT_OUTPUT_DIR": filepath.Join(dir, "reports"), "INPUT_CACHE_DIR": filepath.Join(dir, "cache"),
	}
	step := runnertest.Execute(t, Spec(), Run, env, nil, now)
	code, stdout := step.Code, step.Stdout
	if code != runner.ExitOK {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	out := step.Outputs
	for _, name := range []string{"staled_prs", "closed_prs", "deleted_branches", "warned_branches"} {
		if !strings.Contains(out, name+"<<") {
			t.Errorf("output %s not written:\n%s", name, out)
		}
	}
	if !strings.Contains(out, `"number":7`) {
		t.Errorf("staled_prs lacks #7:\n%s", out)
	}
	sum := step.Summary
	if !strings.Contains(sum, "Stale pull requests") || strings.Contains(sum, "@team") || strings.Contains(sum, "<b>") {
		t.Errorf("summary:\n%s", sum)
	}
	// ::add-mask:: is the one place the token may appear (it asks the
	// runner to hide it everywhere else).
	printed := strings.ReplaceAll(stdout, "::add-mask::secret-token", "")
	if strings.Contains(printed+out+sum, "secret-token") {
		t.Errorf("token leaked:\nstdout: %s\nout: %s\nsum: %s", stdout, out, sum)
	}
	if _, err := os.Stat(filepath.Join(dir, "reports", "stale_analysis.json")); err != nil {
		t.Errorf("report not written: %v", err)
	}
}

// TestExplicitlyEmptyInputs: a workflow that writes an empty value for the close
// message, the branch note, the branch patterns or ignore_actors gets no
// comment / note / pattern / ignored actor, while an empty warning message
// (which action.yml defaults to "") still means the built-in one.
func TestExplicitlyEmptyInputs(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GITHUB_REPOSITORY": "acme/app", "INPUT_CLOSE_MESSAGE": "", "INPUT_STALE_BRANCH_MESSAGE": "",
		"INPUT_EXEMPT_BRANCH_PATTERNS": "", "INPUT_IGNORE_ACTORS": "", "INPUT_STALE_PR_MESSAGE": "", "INPUT_CACHE_DIR": ""}
	r, err := runner.Load(Spec(), runner.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	if err != nil {
		t.Fatal(err)
	}
	p := policy(r)
	if p.CloseMessage != "" || p.StaleBranchMessage != "" || p.ExemptBranchPatterns != nil || p.IgnoreActors != nil {
		t.Errorf("explicitly empty inputs not empty: close %q, branch note %q, patterns %q, ignore_actors %q",
			p.CloseMessage, p.StaleBranchMessage, p.ExemptBranchPatterns, p.IgnoreActors)
	}
	if p.StalePRMessage != stale.DefaultStalePRMessage {
		t.Errorf("empty stale_pr_message = %q, want the built-in message", p.StalePRMessage)
	}
	if got := r.String("cache_dir"); got != "" {
		t.Errorf("cache_dir = %q, want empty (cache disabled)", got)
	}
	if err := p.Validate(""); err != nil {
		t.Errorf("policy with empty inputs is invalid: %v", err)
	}
}

// TestFailedWriteFailsTheStep (issue #10, item 6): a write that fails for
// good fails the step (exit 1) with an annotation naming what was not done;
// the outputs are still written.
func TestFailedWriteFailsTheStep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fx := &emulator.Fixture{ReferenceTime: now, Repositories: []emulator.Repository{{
		Owner: "acme", Name: "app", DefaultBranch: "main",
		Branches: []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: strings.Repeat("a", 40), Author: "bob", Date: now}}},
		Pulls: []emulator.Pull{{Number: 7, Title: "Old", User: "alice", CreatedAt: now.AddDate(0, 0, -45),
			Head: emulator.Ref{Ref: "old"}, Base: emulator.Ref{Ref: "main"}}},
	}}}
	srv := emulator.StartForTest(t, fx, emulator.Options{Now: func() time.Time { return now },
		Faults: []emulator.Fault{{Kind: emulator.FaultInternalError, Method: "POST", Path: "/repos/acme/app/issues/7/labels"}}})
	dir := t.TempDir()
	env := map[string]string{"GITHUB_REPOSITORY": "acme/app", "GITHUB_API_URL": srv.URL(), "INPUT_GITHUB_TOKEN": "secret-token-1",
		"INPUT_INCLUDE_BRANCHES": "false", "INPUT_OUTPUT_DIR": filepath.Join(dir, "reports"), "INPUT_CACHE_DIR": filepath.Join(dir, "cache")}
	step := runnertest.Execute(t, Spec(), Run, env, nil, now)
	if step.Code != runner.ExitFailure {
		t.Fatalf("exit %d, want %d\n%s", step.Code, runner.ExitFailure, step.Stdout)
	}
	if !strings.Contains(step.Stdout, "::error title=Not done::acme/app: warn (POST /repos/acme/app/issues/7/labels: add label stale) pull request #7 not done") {
		t.Errorf("no Not done annotation naming the write:\n%s", step.Stdout)
	}
	if !strings.Contains(step.Outputs, "staled_prs<<") {
		t.Errorf("outputs not written:\n%s", step.Outputs)
	}
}

// TestZeroDaysAndEnterpriseRestore: days_until_stale 0 is accepted (stale
// at once), and on GitHub Enterprise Server the reopen command names the
// host.
func TestZeroDaysAndEnterpriseRestore(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	fx := &emulator.Fixture{ReferenceTime: now, Repositories: []emulator.Repository{{
		Owner: "acme", Name: "app", DefaultBranch: "main",
		Branches: []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: strings.Repeat("a", 40), Author: "bob", Date: now}}},
		Pulls: []emulator.Pull{{Number: 7, Title: "New", User: "alice", CreatedAt: now.Add(-time.Hour),
			Head: emulator.Ref{Ref: "new"}, Base: emulator.Ref{Ref: "main"}}},
	}}}
	srv := emulator.StartForTest(t, fx, emulator.Options{Now: func() time.Time { return now }})
	dir := t.TempDir()
	env := map[string]string{"GITHUB_REPOSITORY": "acme/app", "GITHUB_API_URL": srv.URL() + "/api/v3", "GITHUB_SERVER_URL": "https://ghe.example.com",
		"INPUT_GITHUB_TOKEN": "secret-token-1", "INPUT_DAYS_UNTIL_STALE": "0", "INPUT_DAYS_UNTIL_CLOSE": "0", "INPUT_CLOSE_PRS": "true",
		"INPUT_INCLUDE_BRANCHES": "false", "INPUT_OUTPUT_DIR": filepath.Join(dir, "reports"), "INPUT_CACHE_DIR": filepath.Join(dir, "cache")}
	step := runnertest.Execute(t, Spec(), Run, env, nil, now)
	if step.Code != runner.ExitOK {
		t.Fatalf("exit %d\n%s", step.Code, step.Stdout)
	}
	if !strings.Contains(step.Outputs, `"number":7`) {
		t.Errorf("days_until_stale 0 did not warn #7:\n%s", step.Outputs)
	}
	// Warned now, closed by the next run (grace 0 days, counted from the warning).
	step = runnertest.Execute(t, Spec(), Run, env, nil, now)
	if step.Code != runner.ExitOK {
		t.Fatalf("second run: exit %d\n%s", step.Code, step.Stdout)
	}
	want := "gh pr reopen 7 --repo ghe.example.com/acme/app && gh pr edit 7 --repo ghe.example.com/acme/app --remove-label stale"
	if !strings.Contains(strings.ReplaceAll(step.Outputs, `\u0026`, "&"), want) {
		t.Errorf("closed_prs lacks the GHES reopen command %q:\n%s", want, step.Outputs)
	}
}

// TestRunRefusesMalformedRepositories: a repository name is checked where
// it enters, the repositories input (the runner's Repos kind) or the
// GITHUB_REPOSITORY fallback: a malformed one fails the step as bad input
// naming repositories and the value, before any request.
func TestRunRefusesMalformedRepositories(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, input, self, value string
	}{
		{name: "too_many_slashes", input: "acme/app/x", self: "acme/app", value: "acme/app/x"},
		{name: "empty_owner", input: "acme/app,/app", self: "acme/app", value: "/app"},
		{name: "bare_name_without_owner", input: "app", value: "app"},
		{name: "bad_character", input: "acme/a b", self: "acme/app", value: "acme/a b"},
		{name: "fallback_bad_character", self: "acme/a b", value: "acme/a b"},
		{name: "fallback_dot_name", self: "acme/..", value: "acme/.."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			fx := &emulator.Fixture{ReferenceTime: now, Repositories: []emulator.Repository{{Owner: "acme", Name: "app", DefaultBranch: "main",
				Branches: []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: strings.Repeat("a", 40), Author: "bob", Date: now}}}}}}
			srv := emulator.StartForTest(t, fx, emulator.Options{Now: func() time.Time { return now }})
			dir := t.TempDir()
			env := map[string]string{"GITHUB_API_URL": srv.URL(), "INPUT_GITHUB_TOKEN": "secret-token-1",
				"INPUT_OUTPUT_DIR": filepath.Join(dir, "reports"), "INPUT_CACHE_DIR": filepath.Join(dir, "cache")}
			if tc.input != "" {
				env["INPUT_REPOSITORIES"] = tc.input
			}
			if tc.self != "" {
				env["GITHUB_REPOSITORY"] = tc.self
			}
			step := runnertest.Execute(t, Spec(), Run, env, nil, now)
			if step.Code != runner.ExitBadInput {
				t.Fatalf("exit %d, want %d (bad input)\n%s", step.Code, runner.ExitBadInput, step.Stdout)
			}
			if !strings.Contains(step.Stdout, "repositories") || !strings.Contains(step.Stdout, tc.value) {
				t.Errorf("the error does not name repositories and %q:\n%s", tc.value, step.Stdout)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests reached the emulator, want none: %v", n, srv.Requests())
			}
		})
	}
}
