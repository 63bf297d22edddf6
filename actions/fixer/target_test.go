package fixer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
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
