package fixer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// actionlintFindings lints a workflow with actionlint (the version the
// Makefile pins, v1.7.12, as a library: go.mod), without shellcheck and
// pyflakes so the result does not depend on what this machine has
// installed. Each finding is "line:col: message [kind]".
func actionlintFindings(t *testing.T, name string, src []byte) []string {
	t.Helper()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{StdinFileName: name})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint("<stdin>", src, nil)
	if err != nil {
		t.Fatalf("actionlint %s: %v", name, err)
	}
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, fmt.Sprintf("%d:%d: %s [%s]", e.Line, e.Column, e.Message, e.Kind))
	}
	return out
}

// withoutPosition drops "line:col: " so findings before and after a patch
// (which moves lines) can be compared.
func withoutPosition(fs []string) map[string]int {
	out := map[string]int{}
	for _, f := range fs {
		_, msg, _ := strings.Cut(f, ": ")
		out[msg]++
	}
	return out
}

// newFindings are the findings of after that before did not have.
func newFindings(before, after []string) []string {
	b := withoutPosition(before)
	var out []string
	for _, f := range after {
		_, msg, _ := strings.Cut(f, ": ")
		if b[msg] > 0 {
			b[msg]--
			continue
		}
		out = append(out, f)
	}
	return out
}

// ecosystemWorkflows are the workflow files of the example ecosystem,
// relative to testdata/ecosystem/files.
func ecosystemWorkflows(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(ecosystemFiles, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.Contains(filepath.ToSlash(p), "/.github/workflows/") && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			rel, _ := filepath.Rel(ecosystemFiles, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// patchKinds is every patch the fixer can produce, one request each, and
// all of them at once.
var patchKinds = []struct {
	name string
	reqs []PatchRequest
}{
	{"upgrade_artifact_action", []PatchRequest{{Fix: classify.FixUpgradeArtifactAction}}},
	{"add_timeout", []PatchRequest{{Fix: classify.FixAddTimeout, TimeoutMinutes: 30}}},
	{"add_permission_id_token", []PatchRequest{{Fix: classify.FixAddPermission, Permission: "id-token: write"}}},
	{"add_permission_contents", []PatchRequest{{Fix: classify.FixAddPermission, Permission: "contents: write"}}},
	{"add_permission_packages", []PatchRequest{{Fix: classify.FixAddPermission, Permission: "packages: write"}}},
	{"add_permission_issues", []PatchRequest{{Fix: classify.FixAddPermission, Permission: "issues: write"}}},
	{"conan_build_missing", []PatchRequest{{Fix: classify.FixConanBuildMissing}}},
	{"add_conan_cache", []PatchRequest{{Fix: classify.FixAddConanCache}}},
	{"all", []PatchRequest{{Fix: classify.FixUpgradeArtifactAction}, {Fix: classify.FixAddTimeout}, {Fix: classify.FixAddPermission, Permission: "id-token: write"},
		{Fix: classify.FixAddPermission, Permission: "pull-requests: write"}, {Fix: classify.FixConanBuildMissing}, {Fix: classify.FixAddConanCache}}},
}

// TestEcosystemPatchesPassActionlint applies every patch kind to every
// workflow of the example ecosystem and lints the result with actionlint:
// a patch never adds a finding, the artifact upgrade removes actionlint's
// "too old to run" errors, and with every fix applied each workflow that
// parses is clean. The one that does not parse (fips-nightly.yml, the
// ecosystem's startup failure) is refused with an error, not patched.
func TestEcosystemPatchesPassActionlint(t *testing.T) {
	t.Parallel()
	files := ecosystemWorkflows(t)
	if len(files) < 10 {
		t.Fatalf("only %d ecosystem workflows found", len(files))
	}
	// Per patch kind: workflows patched, how many of them actionlint
	// passes before and after, and the findings the patches add.
	type cell struct{ total, changed, cleanBefore, cleanAfter, added int }
	table := map[string]*cell{}
	for _, rel := range files {
		src, err := os.ReadFile(filepath.Join(ecosystemFiles, rel))
		if err != nil {
			t.Fatal(err)
		}
		before := actionlintFindings(t, rel, src)
		for _, k := range patchKinds {
			c := table[k.name]
			if c == nil {
				c = &cell{}
				table[k.name] = c
			}
			res, err := PatchWorkflow(rel, src, k.reqs)
			if err != nil {
				if !strings.HasSuffix(rel, "fips-nightly.yml") {
					t.Errorf("%s %s: %v", rel, k.name, err)
				}
				continue
			}
			c.total++
			if !res.Changed() {
				if len(res.Applied) > 0 {
					t.Errorf("%s %s: applied %q but nothing changed", rel, k.name, res.Applied)
				}
				continue
			}
			c.changed++
			if len(before) == 0 {
				c.cleanBefore++
			}
			checkCommentsAttached(t, src, res.Patched)
			after := actionlintFindings(t, rel, res.Patched)
			if n := newFindings(before, after); len(n) > 0 {
				c.added += len(n)
				t.Errorf("%s %s: the patch adds actionlint findings %q\ndiff:\n%s", rel, k.name, n, res.Diff)
			}
			if k.name == "upgrade_artifact_action" || k.name == "all" {
				for _, f := range after {
					if strings.Contains(f, "-artifact@") {
						t.Errorf("%s %s: artifact finding left: %s", rel, k.name, f)
					}
				}
			}
			if k.name == "all" && len(after) > 0 {
				t.Errorf("%s with every fix: actionlint %q\ndiff:\n%s", rel, after, res.Diff)
			}
			if len(after) == 0 {
				c.cleanAfter++
			}
		}
	}
	for _, k := range patchKinds {
		c := table[k.name]
		t.Logf("%-26s %2d of %2d workflows changed; actionlint clean %2d before, %2d after; %d findings added",
			k.name, c.changed, c.total, c.cleanBefore, c.cleanAfter, c.added)
	}
}

// TestFixerRunsPassActionlint runs the fixer the way a workflow does on the
// example ecosystem (emulator): for every workflow of the ecosystem with a
// failed run, its latest failed run with workflow_file set. Every patch it
// writes passes actionlint, and every patch kind the ecosystem calls for is
// among them.
func TestFixerRunsPassActionlint(t *testing.T) {
	t.Parallel()
	f := exampleEcosystem(t)
	srv := emulator.StartForTest(t, f, emulator.Options{})
	api := emulatorAPI(t, srv)
	kinds := map[classify.Fix]int{}
	patched := 0
	for _, r := range f.Repositories {
		paths := map[int64]string{}
		for _, w := range r.Workflows {
			paths[w.ID] = w.Path
		}
		latest := map[string]emulator.Run{}
		for _, run := range r.Runs {
			p := paths[run.WorkflowID]
			if _, ok := r.Files[p]; !ok || run.Conclusion != "failure" && run.Conclusion != "timed_out" {
				continue
			}
			if l, ok := latest[p]; !ok || run.CreatedAt.After(l.CreatedAt) {
				latest[p] = run
			}
		}
		for p, run := range latest {
			res, err := Run(context.Background(), Config{Repository: r.FullName(), RunID: run.ID, WorkflowFile: p, OutputDir: t.TempDir(), TimeoutMinutes: 60},
				Deps{API: api})
			if err != nil {
				t.Errorf("%s %s run %d: %v", r.FullName(), p, run.ID, err)
				continue
			}
			if res.Report.Patch == nil || res.Report.Patch.PatchedPath == "" {
				t.Logf("%s %s run %d: no patch (%v)", r.FullName(), p, run.ID, res.Report.Patch)
				continue
			}
			patched++
			for _, req := range res.patchRequests {
				kinds[req.Fix]++
			}
			out, err := os.ReadFile(res.Report.Patch.PatchedPath)
			if err != nil {
				t.Fatal(err)
			}
			if fs := actionlintFindings(t, p, out); len(fs) > 0 {
				t.Errorf("%s %s: the fixer's patch fails actionlint: %q\ndiff:\n%s", r.FullName(), p, fs, res.Diff)
			}
			t.Logf("%s %s run %d: %q", r.FullName(), p, run.ID, res.Report.Patch.Applied)
		}
	}
	for _, want := range []classify.Fix{classify.FixUpgradeArtifactAction, classify.FixAddPermission, classify.FixConanBuildMissing, classify.FixAddConanCache} {
		if kinds[want] == 0 {
			t.Errorf("no ecosystem run produced a %s patch (kinds %v)", want, kinds)
		}
	}
	if patched == 0 {
		t.Fatal("no patch produced")
	}
}

// TestActionlintVersionMatchesMakefile keeps the actionlint these tests
// link (go.mod) the one `make lint` runs (ACTIONLINT_VERSION).
func TestActionlintVersionMatchesMakefile(t *testing.T) {
	t.Parallel()
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^ACTIONLINT_VERSION\s*\?=\s*(\S+)`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("no ACTIONLINT_VERSION in the Makefile")
	}
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	g := regexp.MustCompile(`(?m)^\s*github\.com/rhysd/actionlint\s+(\S+)`).FindSubmatch(gomod)
	if g == nil {
		t.Fatal("go.mod does not require github.com/rhysd/actionlint")
	}
	if string(g[1]) != string(m[1]) {
		t.Errorf("go.mod has actionlint %s, the Makefile pins %s", g[1], m[1])
	}
}
