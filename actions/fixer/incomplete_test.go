package fixer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract/contracttest"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// TestUnreadableWorkflowKeepsAnalysis: a workflow_file that cannot be read
// or patched costs the patch, not the analysis: failure_analysis.json is
// written with every failure, the file's error is in it, and Run says what
// was not done.
func TestUnreadableWorkflowKeepsAnalysis(t *testing.T) {
	t.Parallel()
	logPath := filepath.Join(corpusDir, "conan/conan2-missing-prebuilt-openssl.log")
	tests := []struct {
		name     string
		workflow func(dir string) string
		want     string
	}{
		{"directory", func(dir string) string { return dir }, "is a directory"},
		{"missing_without_api", func(dir string) string { return filepath.Join(dir, "nope.yml") }, "no such file"},
		// The example ecosystem's startup failure: the file does not parse.
		{"invalid_yaml", func(string) string {
			return filepath.Join(ecosystemFiles, "openssl-tools/.github/workflows/fips-nightly.yml")
		},
			"did not find expected '-' indicator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			wf := tt.workflow(dir)
			res, err := Run(context.Background(), Config{LogFiles: []string{logPath}, Repository: conanRepo, WorkflowFile: wf, OutputDir: dir, TimeoutMinutes: 60}, Deps{})
			var inc *IncompleteError
			if !errors.As(err, &inc) || len(inc.NotDone) != 1 || !strings.Contains(inc.NotDone[0], wf) || !strings.Contains(inc.NotDone[0], tt.want) {
				t.Fatalf("err = %v, want an IncompleteError naming %s (%s)", err, wf, tt.want)
			}
			if res == nil {
				t.Fatal("no result")
			}
			data, err := os.ReadFile(filepath.Join(dir, "failure_analysis.json"))
			if err != nil {
				t.Fatalf("failure_analysis.json not written: %v", err)
			}
			contracttest.Check(t, contract.KindFailure, data)
			doc, err := contract.Decode(data, "failure_analysis.json")
			if err != nil {
				t.Fatal(err)
			}
			rep := doc.Failure
			if len(rep.Failures) != 1 || rep.Failures[0].Category != "conan" {
				t.Errorf("failures = %+v, want the Conan root cause", rep.Failures)
			}
			if rep.Patch == nil || !strings.Contains(rep.Patch.Error, tt.want) || rep.Patch.DiffPath != "" {
				t.Errorf("patch = %+v, want the file's error and no diff", rep.Patch)
			}
			if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], wf) {
				t.Errorf("errors = %q", rep.Errors)
			}
			if !strings.Contains(res.Markdown, "Inputs that could not be read") {
				t.Errorf("summary does not say what could not be read:\n%s", res.Markdown)
			}
		})
	}
}

// TestFailedWriteIsNotDone: each write of create_pull_request failing on
// the emulator (500) leaves the analysis and the patch written, no pull
// request, and a not-done item naming the write and what was done before
// it; a re-run without the fault opens the pull request.
func TestFailedWriteIsNotDone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  emulator.Fault
		want   []string
		branch bool // the fix branch exists after the failure
	}{
		{"create_branch", emulator.Fault{Method: "POST", Path: "/repos/sparesparrow/openssl-tools/git/refs", Kind: emulator.FaultInternalError},
			[]string{"no branch pushed and no pull request opened for .github/workflows/conan-build.yml in sparesparrow/openssl-tools: creating branch ecosystem-actions/fix-", "500"}, false},
		{"put_contents", emulator.Fault{Method: "PUT", Path: "/repos/sparesparrow/openssl-tools/contents/", Kind: emulator.FaultInternalError},
			[]string{"the patch of .github/workflows/conan-build.yml was not pushed to ecosystem-actions/fix-", "no pull request was opened", "500",
				"was created in sparesparrow/openssl-tools (undo: git push origin --delete ecosystem-actions/fix-"}, true},
		{"create_pull", emulator.Fault{Method: "POST", Path: "/repos/sparesparrow/openssl-tools/pulls", Kind: emulator.FaultInternalError},
			[]string{"no pull request was opened from ecosystem-actions/fix-", "into master", "500", "the patch of .github/workflows/conan-build.yml is on branch"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.StartForTest(t, exampleEcosystem(t), emulator.Options{Faults: []emulator.Fault{tt.fault}})
			// The fault is permanent: ghclient's retries (its own tests)
			// would only make this test slow.
			c, err := ghclient.New(ghclient.Config{Token: "ghs_fixer_test_token", APIURL: srv.URL(), MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			api := GitHubAPI{Client: c.Client}
			cfg := Config{Repository: conanRepo, RunID: conanRun, WorkflowFile: conanWF, TimeoutMinutes: 60, CreatePullRequest: true, OutputDir: t.TempDir()}
			res, err := Run(context.Background(), cfg, Deps{API: api})
			var inc *IncompleteError
			if !errors.As(err, &inc) || len(inc.NotDone) != 1 {
				t.Fatalf("err = %v, want one thing not done", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(inc.NotDone[0], w) {
					t.Errorf("not done %q lacks %q", inc.NotDone[0], w)
				}
			}
			if res == nil || res.PullRequest != nil {
				t.Fatalf("result = %+v, want one without a pull request", res)
			}
			data, err := os.ReadFile(res.JSONPath)
			if err != nil {
				t.Fatal(err)
			}
			contracttest.Check(t, contract.KindFailure, data)
			if p := res.Report.Patch; p == nil || p.PatchedPath == "" || len(p.NotDone) != 1 || p.PullRequest != nil {
				t.Errorf("patch = %+v, want the patch written and the write not done", p)
			}
			if !strings.Contains(res.Markdown, "### Not done") {
				t.Errorf("the summary does not say what was not done:\n%s", res.Markdown)
			}
			branch := ""
			for _, r := range srv.State().Repositories {
				if r.FullName != conanRepo {
					continue
				}
				for _, b := range r.Branches {
					if strings.HasPrefix(b.Name, BranchPrefix) {
						branch = b.Name
					}
				}
				for _, p := range r.Pulls {
					if strings.HasPrefix(p.Head.Ref, BranchPrefix) {
						t.Errorf("a pull request was opened: #%d", p.Number)
					}
				}
			}
			if (branch != "") != tt.branch {
				t.Errorf("fix branch %q after the failure, want one: %v", branch, tt.branch)
			}

			// The fault gone, a re-run completes what was not done.
			if err := srv.SetFaults(nil); err != nil {
				t.Fatal(err)
			}
			cfg.OutputDir = t.TempDir()
			again, err := Run(context.Background(), cfg, Deps{API: api})
			if err != nil {
				t.Fatalf("re-run: %v", err)
			}
			if again.PullRequest == nil || !again.PullRequest.Created {
				t.Errorf("re-run pull request = %+v", again.PullRequest)
			}
		})
	}
}

// TestGitHubTokenCannotPushAWorkflowPatch: GitHub answers 404 to a
// GITHUB_TOKEN writing under .github/workflows (it never has the workflows
// permission); the step is not done, says why and what token works, and
// names the branch it left.
func TestGitHubTokenCannotPushAWorkflowPatch(t *testing.T) {
	t.Parallel()
	f := *exampleEcosystem(t)
	f.Tokens = map[string]emulator.Token{"ghs_run_token": {Kind: emulator.TokenGitHubToken, Repository: conanRepo,
		Permissions: map[string]string{"contents": "write", "pull_requests": "write", "actions": "read"}}}
	srv := emulator.StartForTest(t, &f, emulator.Options{})
	c, err := ghclient.New(ghclient.Config{Token: "ghs_run_token", APIURL: srv.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Repository: conanRepo, RunID: conanRun, WorkflowFile: conanWF, TimeoutMinutes: 60, CreatePullRequest: true, OutputDir: t.TempDir()}
	res, err := Run(context.Background(), cfg, Deps{API: GitHubAPI{Client: c.Client}})
	var inc *IncompleteError
	if !errors.As(err, &inc) || len(inc.NotDone) != 1 {
		t.Fatalf("err = %v, want one thing not done", err)
	}
	for _, w := range []string{"the patch of .github/workflows/conan-build.yml was not pushed", "404", "a GITHUB_TOKEN never has it", "workflows: write", "undo: git push origin --delete ecosystem-actions/fix-"} {
		if !strings.Contains(inc.NotDone[0], w) {
			t.Errorf("not done %q lacks %q", inc.NotDone[0], w)
		}
	}
	if res == nil || res.PullRequest != nil {
		t.Errorf("result = %+v, want one without a pull request", res)
	}
	if w := srv.FileWrites(); len(w) != 0 {
		t.Errorf("the refused write was applied: %+v", w)
	}
}
