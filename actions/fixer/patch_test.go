package fixer

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite golden files")

const patchDir = "../../testdata/fixer/patches"

func TestPatchWorkflowGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		reqs []PatchRequest
	}{
		{"release-oidc", []PatchRequest{{Fix: classify.FixUpgradeArtifactAction}, {Fix: classify.FixAddPermission, Permission: "id-token: write"},
			{Fix: classify.FixAddTimeout, TimeoutMinutes: 30}}},
		{"conan-build", []PatchRequest{{Fix: classify.FixConanBuildMissing}, {Fix: classify.FixAddConanCache}, {Fix: classify.FixAddTimeout}}},
		{"permissions-existing", []PatchRequest{{Fix: classify.FixAddPermission, Permission: "issues: write", Job: "report"},
			{Fix: classify.FixAddPermission, Permission: "id-token: write", Job: "notify"}}},
		// v4 semantics: one name per matrix leg and per uploading job or
		// step, downloads by pattern with merge-multiple, hidden paths,
		// download-artifact v1's directory, point-release refs.
		{"artifacts-matrix", []PatchRequest{{Fix: classify.FixUpgradeArtifactAction, Job: "publish"}}},
		{"artifacts-jobs", []PatchRequest{{Fix: classify.FixUpgradeArtifactAction}}},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, "-", "_"), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join(patchDir, tt.name+".yml"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := PatchWorkflow(".github/workflows/"+tt.name+".yml", src, tt.reqs)
			if err != nil {
				t.Fatalf("PatchWorkflow() = %v", err)
			}
			golden(t, filepath.Join(patchDir, tt.name+".golden.yml"), string(res.Patched))
			golden(t, filepath.Join(patchDir, tt.name+".golden.diff"), res.Diff)
			// Comments survive, each still above the line it describes.
			for _, l := range strings.Split(string(src), "\n") {
				if i := strings.Index(l, "#"); i >= 0 && !strings.Contains(string(res.Patched), l[i:]) {
					t.Errorf("comment %q lost", l[i:])
				}
			}
			checkCommentsAttached(t, src, res.Patched)
			if fs := actionlintFindings(t, tt.name, res.Patched); len(fs) > 0 {
				t.Errorf("the patched workflow fails actionlint: %q", fs)
			}
			var n yaml.Node
			if err := yaml.Unmarshal(res.Patched, &n); err != nil {
				t.Errorf("patched file is not YAML: %v", err)
			}
			if len(res.Applied) == 0 {
				t.Error("no fix applied")
			}
		})
	}
}

// checkCommentsAttached checks that every comment line of src still
// describes the same line in patched: the first line below it that is
// neither blank nor a comment is that line (or, when the patch rewrote
// that line, its rewritten version), never an inserted one. Lines are
// aligned by their longest common subsequence.
func checkCommentsAttached(t *testing.T, src, patched []byte) {
	t.Helper()
	a, b := strings.Split(string(src), "\n"), strings.Split(string(patched), "\n")
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	inA, inB := make([]int, len(a)), make([]int, len(b))
	for i := range inA {
		inA[i] = -1
	}
	for j := range inB {
		inB[j] = -1
	}
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			inA[i], inB[j] = j, i
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	following := func(lines []string, i int) int {
		for j := i + 1; j < len(lines); j++ {
			if s := strings.TrimSpace(lines[j]); s != "" && !strings.HasPrefix(s, "#") {
				return j
			}
		}
		return -1
	}
	for i, l := range a {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		j := inA[i]
		if j < 0 {
			t.Errorf("comment line %d %q is gone", i+1, l)
			continue
		}
		n, g := following(a, i), following(b, j)
		if n < 0 || g < 0 {
			if n != g {
				t.Errorf("comment %q (line %d) now ends the file or no longer does", strings.TrimSpace(l), i+1)
			}
			continue
		}
		if inB[g] == n || inB[g] < 0 && inA[n] < 0 {
			continue
		}
		t.Errorf("comment %q (line %d) now describes %q, not %q", strings.TrimSpace(l), i+1, strings.TrimSpace(b[g]), strings.TrimSpace(a[n]))
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestPatchWorkflowErrors(t *testing.T) {
	t.Parallel()
	src := []byte("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n")
	tests := []struct {
		name string
		req  PatchRequest
		want string
	}{
		{"bad_permission", PatchRequest{Fix: classify.FixAddPermission, Permission: "id-token=write"}, `invalid permission "id-token=write"`},
		{"unknown_job", PatchRequest{Fix: classify.FixAddPermission, Permission: "id-token: write", Job: "zzz"}, `job "zzz" not found`},
		{"unknown_fix", PatchRequest{Fix: "rewrite_everything"}, `unknown fix "rewrite_everything"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := PatchWorkflow("w.yml", src, []PatchRequest{tt.req})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := PatchWorkflow("w.yml", []byte("jobs: [\n"), nil); err == nil {
		t.Error("invalid YAML accepted")
	}
}

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	a := []byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n")
	b := []byte("1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\nthirteen\n")
	want := "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n@@ -10,3 +10,4 @@\n 10\n 11\n 12\n+thirteen\n"
	if diff := cmp.Diff(want, UnifiedDiff("a", "b", a, b)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := UnifiedDiff("a", "b", a, a); got != "" {
		t.Errorf("diff of equal files = %q", got)
	}
}

func TestFixRequests(t *testing.T) {
	t.Parallel()
	res := classifyCorpusLog(t, filepath.Join(corpusDir, "workflow/missing-id-token-aws.log"))
	got := FixRequests(res.Findings)
	want := []PatchRequest{{Fix: classify.FixAddPermission, Permission: "id-token: write"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	res = classifyCorpusLog(t, filepath.Join(corpusDir, "conan/conan2-missing-prebuilt-openssl.log"))
	want = []PatchRequest{{Fix: classify.FixConanBuildMissing}, {Fix: classify.FixAddConanCache}}
	if diff := cmp.Diff(want, FixRequests(res.Findings)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// corpusDir holds the classifier's labelled logs (pkg/classify's corpus).
const corpusDir = "../../testdata/fixer/corpus"

// classifyCorpusLog classifies one corpus log with the embedded catalog.
func classifyCorpusLog(t *testing.T, path string) *classify.Analysis {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := classify.Classify(context.Background(), f, filepath.ToSlash(path))
	if err != nil {
		t.Fatalf("Classify(%s) = %v", path, err)
	}
	return res
}

// TestUpgradeArtifactsAllOrNothing: an artifact step pinned to a commit of
// v3 cannot be moved without its v4 SHA, and v4 downloads cannot read v3
// uploads: nothing is upgraded, and the patch says why.
func TestUpgradeArtifactsAllOrNothing(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join(patchDir, "artifacts-pinned.yml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := PatchWorkflow("pinned.yml", src, []PatchRequest{{Fix: classify.FixUpgradeArtifactAction}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() || len(res.Applied) > 0 {
		t.Errorf("half an upgrade:\n%s", res.Diff)
	}
	want := []string{"artifact upgrade not made: job build line 10: actions/upload-artifact is pinned to a commit (# v3.1.3); pin a v4 release by hand"}
	if diff := cmp.Diff(want, res.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

// TestUpgradeArtifactsNotes: what the patch cannot do for the reader is
// said: renamed artifacts and downloads of every artifact.
func TestUpgradeArtifactsNotes(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join(patchDir, "artifacts-matrix.yml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := PatchWorkflow("m.yml", src, []PatchRequest{{Fix: classify.FixUpgradeArtifactAction}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`artifact "wheels" is now uploaded as "wheels-${{ matrix.os }}-${{ matrix.python }}": readers outside this workflow (the REST API, other workflows) need the new names, or merge them back with actions/upload-artifact/merge@v4`,
		`job publish line 49 downloads every artifact, each into a directory named after it: "wheels" now arrive in one directory per upload`,
	}
	if diff := cmp.Diff(want, res.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

// TestUpgradeArtifactsEdgeCases: shapes of artifact steps the goldens do
// not have. Each patched workflow passes actionlint, or nothing changes and
// the patch says why.
func TestUpgradeArtifactsEdgeCases(t *testing.T) {
	t.Parallel()
	head := "on: push\njobs:\n"
	tests := []struct {
		name    string
		jobs    string
		changed bool
		want    []string // in the patched file
		skipped string   // in a skipped note
	}{
		{"per_leg_name_is_kept", `  t:
    strategy: {matrix: {go: ["1.25", "1.26"]}}
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/upload-artifact@v3
        with:
          name: cover-${{ matrix.go }}
          path: cover.out
`, true, []string{"uses: actions/upload-artifact@v4", "name: cover-${{ matrix.go }}\n"}, ""},
		{"matrix_from_json_uses_job_index", `  plan:
    runs-on: ubuntu-24.04
    outputs:
      matrix: ${{ steps.m.outputs.matrix }}
    steps:
      - id: m
        run: echo 'matrix={"os":["a","b"]}' >> "$GITHUB_OUTPUT"
  t:
    needs: plan
    strategy:
      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/upload-artifact@v3
        with:
          name: results
          path: out/
`, true, []string{"name: results-${{ strategy.job-index }}"}, ""},
		{"matrix_value_with_slash_uses_job_index", `  t:
    strategy:
      matrix:
        image: [debian/bookworm, alpine/3.20]
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/upload-artifact@v3
        with:
          name: logs
          path: logs/
`, true, []string{"name: logs-${{ strategy.job-index }}"}, ""},
		{"unnamed_matrix_upload_gets_a_name", `  t:
    strategy:
      matrix:
        os: [ubuntu-24.04, macos-14]
    runs-on: ${{ matrix.os }}
    steps:
      - uses: actions/upload-artifact@v3
        with:
          # what the legs built
          path: out/
`, true, []string{"          name: artifact-${{ matrix.os }}\n          # what the legs built\n          path: out/"}, ""},
		{"flow_mapping_blocks_the_rename", `  t:
    strategy:
      matrix:
        os: [ubuntu-24.04, macos-14]
    runs-on: ${{ matrix.os }}
    steps:
      - uses: actions/upload-artifact@v3
        with: {name: dist, path: dist/}
`, false, nil, "with: is a flow mapping; rename it by hand"},
		{"download_everything_without_with", `  a:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/upload-artifact@v3
        with:
          path: out/
  b:
    needs: a
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/download-artifact@v3
`, true, []string{"      - uses: actions/download-artifact@v4\n"}, ""},
		{"quoted_uses_and_branch_ref", `  a:
    runs-on: ubuntu-24.04
    steps:
      - uses: "actions/upload-artifact@v3"
        with:
          path: out/
      - uses: actions/download-artifact@main
`, true, []string{`- uses: "actions/upload-artifact@v4"`, "actions/download-artifact@main"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := []byte(head + tt.jobs)
			res, err := PatchWorkflow("w.yml", src, []PatchRequest{{Fix: classify.FixUpgradeArtifactAction}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Changed() != tt.changed {
				t.Fatalf("changed = %v, want %v; diff:\n%s\nskipped: %q", res.Changed(), tt.changed, res.Diff, res.Skipped)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(res.Patched), w) {
					t.Errorf("patched file lacks %q:\n%s", w, res.Patched)
				}
			}
			if tt.skipped != "" && !strings.Contains(strings.Join(res.Skipped, "\n"), tt.skipped) {
				t.Errorf("skipped = %q, want %q", res.Skipped, tt.skipped)
			}
			if res.Changed() {
				checkCommentsAttached(t, src, res.Patched)
				if fs := actionlintFindings(t, tt.name, res.Patched); len(fs) > 0 {
					t.Errorf("actionlint: %q\n%s", fs, res.Patched)
				}
			}
		})
	}
}
