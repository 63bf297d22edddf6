package fixer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

const ecosystemFiles = "../../testdata/ecosystem/files"

func TestWorkflowJobID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		workflow string
		job      string
		want     string
	}{
		{"literal_name", "openssl-tools/.github/workflows/conan-build.yml", "conan-build (linux-gcc12)", "conan-build"},
		{"id_without_name", "openssl-tools/.github/workflows/conan-build.yml", "upload-to-cloudsmith", "upload-to-cloudsmith"},
		{"matrix_template", "openssl-tools/.github/workflows/ci.yml", "build (ubuntu-22.04, gcc-12, true)", "build"},
		{"id_of_named_job_is_not_its_name", "openssl-tools/.github/workflows/conan-build.yml", "conan-build", ""},
		{"unknown", "openssl-tools/.github/workflows/ci.yml", "deploy", ""},
		{"empty", "openssl-tools/.github/workflows/ci.yml", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join(ecosystemFiles, tt.workflow))
			if err != nil {
				t.Fatal(err)
			}
			if got := WorkflowJobID(src, tt.job); got != tt.want {
				t.Errorf("WorkflowJobID(%q) = %q, want %q", tt.job, got, tt.want)
			}
		})
	}
}

func TestWorkflowJobIDMatrixDefaultName(t *testing.T) {
	t.Parallel()
	src := []byte("jobs:\n  test:\n    strategy:\n      matrix:\n        go: [1.25, 1.26]\n    runs-on: ubuntu-latest\n    steps: []\n  lint:\n    runs-on: ubuntu-latest\n    steps: []\n")
	if got := WorkflowJobID(src, "test (1.26)"); got != "test" {
		t.Errorf("got %q, want test", got)
	}
}

var (
	exampleOnce    sync.Once
	exampleFixture *emulator.Fixture
	exampleErr     error
)

func exampleEcosystem(t *testing.T) *emulator.Fixture {
	t.Helper()
	exampleOnce.Do(func() { exampleFixture, exampleErr = emulator.LoadFixture(emulator.ExampleFixturePath()) })
	if exampleErr != nil {
		t.Fatal(exampleErr)
	}
	return exampleFixture
}

func emulatorAPI(t *testing.T, srv *emulator.Server) GitHubAPI {
	t.Helper()
	c, err := ghclient.New(ghclient.Config{Token: "ghs_fixer_test_token", APIURL: srv.URL(), MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	return GitHubAPI{Client: c.Client}
}

// The failed Conan Build run of openssl-tools in the example ecosystem:
// job "conan-build (linux-gcc12)" has no prebuilt package.
const (
	conanRepo = "sparesparrow/openssl-tools"
	conanRun  = 11616337095
	conanWF   = ".github/workflows/conan-build.yml"
)

// TestPatchFetchedWorkflowTargetsFailedJob reads the workflow of the failed
// run through the API and fixes the failing job only: the other job of the
// workflow also installs Conan but did not fail.
func TestPatchFetchedWorkflowTargetsFailedJob(t *testing.T) {
	t.Parallel()
	srv := emulator.StartForTest(t, exampleEcosystem(t), emulator.Options{})
	dir := t.TempDir()
	res, err := Run(context.Background(), Config{Repository: conanRepo, RunID: conanRun, WorkflowFile: conanWF, OutputDir: dir, TimeoutMinutes: 60},
		Deps{API: emulatorAPI(t, srv)})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Report.Patch
	if p == nil || p.Repository != conanRepo || p.Ref == "" {
		t.Fatalf("patch = %+v, want one read from %s at the run's head", p, conanRepo)
	}
	if strings.Count(res.Diff, "actions/cache@v4") != 1 {
		t.Errorf("want one cache step (in conan-build only), diff:\n%s", res.Diff)
	}
	if !strings.Contains(res.Diff, "+        run: conan install --build=missing . --profile:all=profiles/linux-gcc12 --lockfile=conan.lock -r cloudsmith") {
		t.Errorf("conan install not fixed, diff:\n%s", res.Diff)
	}
	want, err := os.ReadFile(filepath.Join(ecosystemFiles, "openssl-tools", conanWF))
	if err != nil {
		t.Fatal(err)
	}
	patched, err := os.ReadFile(p.PatchedPath)
	if err != nil {
		t.Fatal(err)
	}
	// Everything from the upload job on is untouched.
	tail := func(b []byte) string { return string(b[strings.Index(string(b), "  upload-to-cloudsmith:"):]) }
	if diff := cmp.Diff(tail(want), tail(patched)); diff != "" {
		t.Errorf("the job that did not fail was changed (-want +got):\n%s", diff)
	}
	for _, r := range srv.Requests() {
		if r.Method != "GET" {
			t.Errorf("patching without create_pull_request wrote to GitHub: %s %s", r.Method, r.Path)
		}
	}
}

// TestCreatePullRequest opens a pull request with the patched workflow on
// the emulator, then runs again: the open pull request is found and
// nothing is written a second time.
func TestCreatePullRequest(t *testing.T) {
	t.Parallel()
	srv := emulator.StartForTest(t, exampleEcosystem(t), emulator.Options{})
	api := emulatorAPI(t, srv)
	cfg := Config{Repository: conanRepo, RunID: conanRun, WorkflowFile: conanWF, TimeoutMinutes: 60, CreatePullRequest: true}
	var logs []string
	logf := func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }

	cfg.OutputDir = t.TempDir()
	first, err := Run(context.Background(), cfg, Deps{API: api, Logf: logf})
	if err != nil {
		t.Fatal(err)
	}
	pr := first.PullRequest
	if pr == nil || !pr.Created || pr.Repository != conanRepo || !strings.HasPrefix(pr.Branch, BranchPrefix) || pr.Base != "master" {
		t.Fatalf("pull request = %+v", pr)
	}
	if first.Report.Patch.PullRequest != pr {
		t.Errorf("the report does not name the pull request")
	}
	writes := srv.FileWrites()
	if len(writes) != 1 {
		t.Fatalf("writes = %+v, want one", writes)
	}
	w := writes[0]
	patched, err := os.ReadFile(first.Report.Patch.PatchedPath)
	if err != nil {
		t.Fatal(err)
	}
	if w.Repo != conanRepo || w.Branch != pr.Branch || w.Path != conanWF || w.Created || w.Content != string(patched) {
		t.Errorf("write = %+v, want the patched %s on %s", w, conanWF, pr.Branch)
	}
	var pulls []emulator.Pull
	for _, r := range srv.State().Repositories {
		if r.FullName != conanRepo {
			continue
		}
		for _, p := range r.Pulls {
			if p.Head.Ref == pr.Branch {
				pulls = append(pulls, p)
			}
		}
	}
	if len(pulls) != 1 || pulls[0].Number != pr.Number || pulls[0].State != "open" || pulls[0].Base.Ref != "master" {
		t.Fatalf("pulls from %s = %+v", pr.Branch, pulls)
	}
	body := pulls[0].Body
	for _, want := range []string{"conan-build (linux-gcc12)", "Missing prebuilt package", "```diff", "--build=missing"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if !slices.ContainsFunc(logs, func(s string) bool { return strings.Contains(s, "undo") }) {
		t.Errorf("no undo hint logged: %q", logs)
	}

	// Re-run: the same failure gives the same branch; nothing is written.
	before := len(srv.Requests())
	cfg.OutputDir = t.TempDir()
	second, err := Run(context.Background(), cfg, Deps{API: api})
	if err != nil {
		t.Fatal(err)
	}
	if p := second.PullRequest; p == nil || p.Created || p.Number != pr.Number || p.Branch != pr.Branch {
		t.Errorf("re-run pull request = %+v, want #%d found open", p, pr.Number)
	}
	for _, r := range srv.Requests()[before:] {
		if r.Method != "GET" {
			t.Errorf("re-run wrote to GitHub: %s %s", r.Method, r.Path)
		}
	}
	if n := len(srv.FileWrites()); n != 1 {
		t.Errorf("%d file writes after the re-run, want 1", n)
	}
}

// TestPullBodyIsInert: log text in the pull request body cannot mention
// anyone or inject HTML.
func TestPullBodyIsInert(t *testing.T) {
	t.Parallel()
	f := classify.Finding{Title: "Conan <b>", Source: "@octocat/log", Job: "build @admins", Line: 3,
		Text: "ERROR: @octocat <img src=x onerror=alert(1)> ``` x", Fix: classify.FixConanBuildMissing, Fingerprint: "f"}
	body := pullBody(".github/workflows/ci.yml", &PatchResult{Applied: []string{"conan_build_missing: @team"}, Diff: "+ @octocat\n```\n"}, []classify.Finding{f})
	if regexp.MustCompile(`(^|[^\w\x60])@(octocat|admins|team)`).MatchString(body) {
		t.Errorf("live mention in body:\n%s", body)
	}
	outside := regexp.MustCompile("(?s)```diff.*?```\n|````.*?````|```.*?```|``.*?``|`[^`\n]*`").ReplaceAllString(body, "")
	if strings.Contains(outside, "<img") || strings.Contains(outside, "<b>") {
		t.Errorf("raw HTML outside code:\n%s", body)
	}
}

// TestPatchFetchedWorkflowFromJobIDs: with job_ids the job's name and run
// (hence the workflow and head commit) are looked up; the failed job is
// upload-to-cloudsmith, which lacks id-token: write, and only it gets it.
func TestPatchFetchedWorkflowFromJobIDs(t *testing.T) {
	t.Parallel()
	srv := emulator.StartForTest(t, exampleEcosystem(t), emulator.Options{})
	res, err := Run(context.Background(), Config{Repository: conanRepo, JobIDs: []int64{32574841796}, WorkflowFile: conanWF,
		OutputDir: t.TempDir(), TimeoutMinutes: 60}, Deps{API: emulatorAPI(t, srv)})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Report.Analyses[0].Job; got != "upload-to-cloudsmith" {
		t.Errorf("job name = %q", got)
	}
	p := res.Report.Patch
	if p == nil || p.Repository != conanRepo || p.Ref == "" {
		t.Fatalf("patch = %+v", p)
	}
	if diff := cmp.Diff([]string{"job upload-to-cloudsmith: permissions: id-token: write"}, p.Applied); diff != "" {
		t.Errorf("applied (-want +got):\n%s\ndiff:\n%s", diff, res.Diff)
	}
	if !strings.Contains(res.Diff, "+      id-token: write") || strings.Count(res.Diff, "\n+") != 2 { // "+++ b/…" and the line
		t.Errorf("diff:\n%s", res.Diff)
	}
}

// TestCreatePullRequestAfterClose: the pull request of a previous run was
// closed but its branch remains; the next run pushes onto the branch (with
// the branch's blob SHA) and opens a new pull request.
func TestCreatePullRequestAfterClose(t *testing.T) {
	t.Parallel()
	srv := emulator.StartForTest(t, exampleEcosystem(t), emulator.Options{})
	api := emulatorAPI(t, srv)
	cfg := Config{Repository: conanRepo, RunID: conanRun, WorkflowFile: conanWF, TimeoutMinutes: 60, CreatePullRequest: true, OutputDir: t.TempDir()}
	first, err := Run(context.Background(), cfg, Deps{API: api})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.Client.PullRequests.Edit(context.Background(), "sparesparrow", "openssl-tools", first.PullRequest.Number,
		&github.PullRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	cfg.OutputDir = t.TempDir()
	second, err := Run(context.Background(), cfg, Deps{API: api})
	if err != nil {
		t.Fatal(err)
	}
	pr := second.PullRequest
	if pr == nil || !pr.Created || pr.Number == first.PullRequest.Number || pr.Branch != first.PullRequest.Branch {
		t.Errorf("second pull request = %+v, first %+v", pr, first.PullRequest)
	}
	if ws := srv.FileWrites(); len(ws) != 2 || ws[1].Branch != pr.Branch {
		t.Errorf("writes = %+v", ws)
	}
}
