package acttest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

type usesRef struct {
	File, Job string
	Line      int
	Uses      string
	Comment   string
}

// workflowUses returns every `uses:` of the YAML file (job-level and step
// level, workflows and composite actions), with its line comment.
func workflowUses(t *testing.T, path string) ([]usesRef, *yaml.Node) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var refs []usesRef
	// depth counts mappings from the document's; the keys of the top-level
	// jobs: mapping (depth 1 under "jobs") are the job ids.
	var walk func(n *yaml.Node, job string, depth int, inJobs bool)
	walk = func(n *yaml.Node, job string, depth int, inJobs bool) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				j := job
				if inJobs {
					j = k.Value
				}
				if k.Value == "uses" && v.Kind == yaml.ScalarNode {
					refs = append(refs, usesRef{File: filepath.Base(path), Job: job, Line: v.Line, Uses: v.Value, Comment: v.LineComment})
				}
				walk(v, j, depth+1, depth == 0 && k.Value == "jobs")
			}
			return
		}
		for _, c := range n.Content {
			walk(c, job, depth, false)
		}
	}
	walk(doc.Content[0], "", 0, false)
	return refs, doc.Content[0]
}

var (
	shaRef      = regexp.MustCompile(`^([^/@]+/[^/@]+)(/[^@]*)?@([0-9a-f]{40})$`)
	versionNote = regexp.MustCompile(`^# v\d+(\.\d+){0,2}\b`)
)

const ownRepository = "sparesparrow/ecosystem-actions"

// TestWorkflowsPinThirdPartyActions: every third-party action is pinned by
// a full commit SHA with a "# vX.Y.Z" comment, one SHA per action across
// the workflows, the callers and README.md's example, and our own actions
// are referenced as ./action-* or sparesparrow/ecosystem-actions/...@v1.
func TestWorkflowsPinThirdPartyActions(t *testing.T) {
	t.Parallel()
	files := append(actWorkflowFiles(t, repoRoot(t)), readmeWorkflowFile(t))
	shaOf := map[string]string{}
	for _, f := range files {
		refs, _ := workflowUses(t, f)
		for _, r := range refs {
			where := r.File + ":" + strconv.Itoa(r.Line)
			switch {
			case strings.HasPrefix(r.Uses, "./"):
				if _, err := os.Stat(filepath.Join(repoRoot(t), r.Uses)); err != nil {
					t.Errorf("%s: %s does not exist in the repository", where, r.Uses)
				}
			case strings.HasPrefix(r.Uses, ownRepository+"/"):
				if !strings.HasSuffix(r.Uses, "@v1") {
					t.Errorf("%s: our own action %s should be referenced at @v1 (the release's major tag)", where, r.Uses)
				}
			default:
				m := shaRef.FindStringSubmatch(r.Uses)
				if m == nil {
					t.Errorf("%s: %s is not pinned by a full commit SHA", where, r.Uses)
					continue
				}
				if !versionNote.MatchString(r.Comment) {
					t.Errorf("%s: %s has no \"# vX.Y.Z\" comment (got %q)", where, r.Uses, r.Comment)
				}
				if prev, ok := shaOf[m[1]]; ok && prev != m[3] {
					t.Errorf("%s: %s is pinned to %s here and %s elsewhere", where, m[1], m[3], prev)
				}
				shaOf[m[1]] = m[3]
			}
		}
	}
}

// TestEndToEndActionsAreStoodIn: every third-party action the workflows
// and the callers reach (through reusable workflows and stand-ins too) has
// a stand-in or is skipped by act, and every stand-in is used.
func TestEndToEndActionsAreStoodIn(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	used := map[string]bool{}
	paths := actWorkflowFiles(t, root)
	for _, s := range StandIns {
		matches, _ := filepath.Glob(filepath.Join(root, s.Dir, "action.yml"))
		sub, _ := filepath.Glob(filepath.Join(root, s.Dir, "*", "action.yml"))
		if len(matches)+len(sub) == 0 {
			t.Errorf("stand-in %s has no action.yml under %s", s.Key(), s.Dir)
		}
		paths = append(paths, append(matches, sub...)...)
	}
	for _, p := range paths {
		refs, _ := workflowUses(t, p)
		for _, r := range refs {
			if strings.HasPrefix(r.Uses, "./") || strings.HasPrefix(r.Uses, ownRepository+"/") {
				continue
			}
			if m := shaRef.FindStringSubmatch(r.Uses); m != nil {
				used[m[1]+"@"+m[3]] = true
			} else {
				t.Errorf("%s:%d: %s is not pinned by SHA", r.File, r.Line, r.Uses)
			}
		}
	}
	var got []string
	for k := range used {
		got = append(got, k)
	}
	sort.Strings(got)
	if diff := cmp.Diff(standInKeys(), got); diff != "" {
		t.Errorf("stood-in actions (-StandIns/SkippedByAct +used by the e2e workflows):\n%s", diff)
	}
}

// TestWorkflowJobsDeclarePermissions: least privilege is explicit: every
// workflow sets `permissions: {}` at the top and every job its own.
func TestWorkflowJobsDeclarePermissions(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), ".github", "workflows", "*.yml"))
	for _, f := range files {
		_, top := workflowUses(t, f)
		m := mapping(top)
		if p, ok := m["permissions"]; !ok || p.Kind != yaml.MappingNode || len(p.Content) != 0 {
			t.Errorf("%s: want a top-level `permissions: {}`", filepath.Base(f))
		}
		jobs := mapping(m["jobs"])
		if len(jobs) == 0 {
			t.Errorf("%s: no jobs", filepath.Base(f))
		}
		for id, job := range jobs {
			if _, ok := mapping(job)["permissions"]; !ok {
				t.Errorf("%s: job %s has no permissions", filepath.Base(f), id)
			}
		}
	}
}

func mapping(n *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n == nil || n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1]
	}
	return out
}

// actWorkflowFiles lists every workflow the act tests run: the shipped ones
// and the callers under testdata/act/callers.
func actWorkflowFiles(t *testing.T, root string) []string {
	t.Helper()
	shipped, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if err != nil || len(shipped) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	callers, err := filepath.Glob(filepath.Join(root, "testdata", "act", "callers", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return append(shipped, callers...)
}

// actRunWorkflow matches the workflow of an act run in the tests' source:
// workflow: ".github/workflows/x.yml" or "testdata/act/callers/x.yml".
var actRunWorkflow = regexp.MustCompile(`workflow:\s*"([^"]+\.yml)"`)

// TestEveryWorkflowRunsUnderAct: every workflow in .github/workflows is run
// by an act test, directly or called (job-level uses:) by a workflow that
// is, and every reusable (workflow_call) workflow is called by a caller
// workflow as its README shows, not only run on its own.
func TestEveryWorkflowRunsUnderAct(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	sources, err := filepath.Glob(filepath.Join(root, "pkg", "acttest", "act_*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string]bool{}
	var queue []string
	for _, src := range sources {
		for _, m := range actRunWorkflow.FindAllStringSubmatch(readFile(t, src), -1) {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(m[1]))); err != nil {
				t.Errorf("%s runs %s, which does not exist", filepath.Base(src), m[1])
				continue
			}
			if !ran[m[1]] {
				ran[m[1]] = true
				queue = append(queue, m[1])
			}
		}
	}
	called := map[string]bool{}
	for len(queue) > 0 {
		wf := queue[0]
		queue = queue[1:]
		refs, _ := workflowUses(t, filepath.Join(root, filepath.FromSlash(wf)))
		for _, r := range refs {
			var target string
			switch {
			case strings.HasPrefix(r.Uses, "./.github/workflows/"):
				target = strings.TrimPrefix(r.Uses, "./")
			case strings.HasPrefix(r.Uses, ownRepository+"/.github/workflows/"):
				target = strings.TrimSuffix(strings.TrimPrefix(r.Uses, ownRepository+"/"), "@v1")
			default:
				continue
			}
			called[target] = true
			if !ran[target] {
				ran[target] = true
				queue = append(queue, target)
			}
		}
	}
	shipped, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	for _, f := range shipped {
		rel := ".github/workflows/" + filepath.Base(f)
		if !ran[rel] {
			t.Errorf("%s is never run under act (no act test runs it, and no workflow they run calls it)", rel)
		}
		_, top := workflowUses(t, f)
		if on := mapping(mapping(top)["on"]); on["workflow_call"] != nil && !called[rel] {
			t.Errorf("%s is a reusable workflow that no caller workflow calls under act", rel)
		}
	}
}

// readmeWorkflowFile writes README.md's usage example to a temporary
// workflow file and returns its path.
func readmeWorkflowFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "readme-example.yml")
	writeFile(t, path, readmeWorkflow(t, repoRoot(t)))
	return path
}

// actionlintVersion is the Makefile's ACTIONLINT_VERSION.
func actionlintVersion(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^ACTIONLINT_VERSION\s*\?=\s*(\S+)`).FindStringSubmatch(readFile(t, filepath.Join(repoRoot(t), "Makefile")))
	if m == nil {
		t.Fatal("the Makefile has no ACTIONLINT_VERSION")
	}
	return m[1]
}

// TestWorkflowsPassActionlint runs the pinned actionlint (`make tools`
// installs it) over every shipped workflow, the callers and README.md's
// example, which `make lint` does not cover. Without actionlint the test
// skips, and fails with CI=true.
func TestWorkflowsPassActionlint(t *testing.T) {
	t.Parallel()
	want := actionlintVersion(t)
	bin := os.Getenv("ACTIONLINT")
	if bin == "" {
		gopath, err := exec.Command("go", "env", "GOPATH").Output()
		if err == nil {
			bin = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "actionlint")
		}
	}
	out, err := exec.Command(bin, "-version").Output()
	if err != nil || strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0]) != want {
		msg := fmt.Sprintf("actionlint %s is not installed at %s (make tools installs it): %v %q", want, bin, err, out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	files := append(actWorkflowFiles(t, repoRoot(t)), readmeWorkflowFile(t))
	cmd := exec.Command(bin, append([]string{"-no-color"}, files...)...)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint %s: %v\n%s", want, err, out)
	}
}

// TestJobsGrantWhatTheirActionsNeed: the permissions act cannot check (it
// grants everything): a job that uses an action needing the runner's OIDC
// token or writing attestations or Pages declares that permission, as the
// actions' READMEs say.
func TestJobsGrantWhatTheirActionsNeed(t *testing.T) {
	t.Parallel()
	needs := map[string][]string{
		"actions/deploy-pages":                {"pages: write", "id-token: write"},
		"actions/attest":                      {"id-token: write", "attestations: write"},
		"cloudsmith-io/cloudsmith-cli-action": {"id-token: write"},
	}
	for _, f := range actWorkflowFiles(t, repoRoot(t)) {
		refs, top := workflowUses(t, f)
		jobs := mapping(mapping(top)["jobs"])
		for _, r := range refs {
			m := shaRef.FindStringSubmatch(r.Uses)
			if m == nil || r.Job == "" {
				continue
			}
			perms := mapping(mapping(jobs[r.Job])["permissions"])
			for _, need := range needs[m[1]] {
				k, v, _ := strings.Cut(need, ": ")
				if p := perms[k]; p == nil || p.Value != v {
					t.Errorf("%s: job %s uses %s but does not grant %s", filepath.Base(f), r.Job, m[1], need)
				}
			}
		}
	}
}
