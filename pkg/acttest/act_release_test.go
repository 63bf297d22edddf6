package acttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// releaseVersion is the tag the release test pushes: major v1, so the
// README's `@v1` references resolve to the release it makes.
const releaseVersion = "v1.99.0"

// gitCmd runs git in dir with a fixed identity and returns its output.
func gitCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Release Test", "GIT_AUTHOR_EMAIL=release@example.invalid",
		"GIT_COMMITTER_NAME=Release Test", "GIT_COMMITTER_EMAIL=release@example.invalid", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// sourceRepository copies the working tree (tracked and untracked files
// that are not ignored) into a new git repository with one commit tagged
// releaseVersion, and gives it an origin: a bare clone, which the release
// job pushes its tags to. Returns the work tree and the bare remote.
func sourceRepository(t *testing.T, root string) (src, remote string) {
	t.Helper()
	dir := t.TempDir()
	src, remote = filepath.Join(dir, "src"), filepath.Join(dir, "remote.git")
	files := strings.Split(gitCmd(t, root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"), "\x00")
	for _, f := range files {
		if f == "" {
			continue
		}
		info, err := os.Lstat(filepath.Join(root, f))
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the work tree, or not a file
		}
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFileMode(t, filepath.Join(src, f), data, info.Mode().Perm())
	}
	gitCmd(t, src, "init", "-q", "-b", "main")
	gitCmd(t, src, "add", "-A")
	gitCmd(t, src, "commit", "-q", "-m", "source of the release test")
	gitCmd(t, src, "tag", "-a", releaseVersion, "-m", releaseVersion)
	gitCmd(t, dir, "clone", "-q", "--bare", src, remote)
	gitCmd(t, src, "remote", "add", "origin", remote)
	return src, remote
}

func writeFileMode(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// builderImage is the Go builder `make image` builds with (.ci/builder-image.sh).
func builderImage(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("BUILDER_IMAGE"); b != "" {
		return b
	}
	v := strings.TrimPrefix(runtimeGoVersion(t), "go")
	return "ecosystem-actions/go-builder:" + v
}

func runtimeGoVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

var digestPattern = regexp.MustCompile(`@(sha256:[0-9a-f]{64})$`)

// TestActRelease runs .github/workflows/release.yml for a pushed version
// tag under act, against a registry on 127.0.0.1 (go-containerregistry's,
// blobs in a temporary directory) and a bare git remote: the image job builds the root
// Dockerfile with a Go builder pinned by digest, pushes it, checks each
// action binary reports the version and attests the pushed digest; the
// release job commits action.yml files pinned to that digest on top of the
// tag, moves the version and major tags to it in the remote and creates
// the release on the API. Then the README's usage example runs, as a
// user's workflow, against the released v1: its actions run the image
// pulled from the registry by digest, and it reaches the domains with a
// GitHub App installation token.
func TestActRelease(t *testing.T) {
	s := requireAct(t)
	// The tagged source, pushed: in the git remote and, as GitHub would
	// show it, on the API (the tag that started the workflow).
	src, remote := sourceRepository(t, s.root)
	sourceSHA := gitCmd(t, src, "rev-parse", "HEAD")
	w := newWorld(t, s, withRepository(ownRepository, sourceSHA, releaseVersion))

	// Blobs on disk: the builder alone is a few hundred MB.
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0)),
		registry.WithBlobHandler(registry.NewDiskBlobHandler(t.TempDir()))))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://")

	// The Go builder, pushed to the registry and named by digest: what the
	// Dockerfile pins for releases (golang:<version>@sha256:…), offline.
	builder := builderImage(t)
	builderRef := host + "/go-builder:release-test"
	docker(t, "tag", builder, builderRef)
	docker(t, "push", builderRef)
	pinnedBuilder := ""
	for _, d := range strings.Fields(docker(t, "image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", builderRef)) {
		if strings.HasPrefix(d, host+"/go-builder@") {
			pinnedBuilder = d
		}
	}
	if !digestPattern.MatchString(pinnedBuilder) {
		t.Fatalf("no digest for the pushed builder %s", builderRef)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", builderRef).Run() })

	dockerConfig := filepath.Join(w.work, "docker-config") // docker login writes here, not to ~/.docker
	event := fmt.Sprintf(`{"ref": "refs/tags/%s", "ref_type": "tag", "after": %q, "repository": {"full_name": %q}}`, releaseVersion, sourceSHA, ownRepository)
	res := w.act(run{event: "push", workflow: ".github/workflows/release.yml", runID: "7001", repo: ownRepository, dir: src,
		eventJSON: event,
		env:       map[string]string{"GITHUB_REF": "refs/tags/" + releaseVersion, "DOCKER_CONFIG": dockerConfig},
		vars: map[string]string{
			"RELEASE_REGISTRY":      host,
			"RELEASE_GO_IMAGE":      pinnedBuilder,
			"RELEASE_BUILD_NETWORK": "host", // this CI's dockerd runs without a bridge
		}})
	wantJobs(t, res, jobResults{"image": "success", "release": "success"})

	image := host + "/" + ownRepository
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", image+":"+releaseVersion).Run() })
	var digest string
	for _, d := range strings.Fields(docker(t, "image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", image+":"+releaseVersion)) {
		if m := digestPattern.FindStringSubmatch(d); m != nil && strings.HasPrefix(d, image+"@") {
			digest = m[1]
		}
	}
	if digest == "" {
		t.Fatalf("the image job pushed no %s:%s", image, releaseVersion)
	}
	pinned := image + "@" + digest
	// The registry serves it by digest (what users' runners pull).
	req, _ := http.NewRequest(http.MethodHead, reg.URL+"/v2/"+ownRepository+"/manifests/"+digest, nil)
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the registry does not serve %s: %v %v", pinned, err, resp)
	}
	// Built with the pinned builder, stamped with the version and the source.
	labels := docker(t, "image", "inspect", "--format", "{{json .Config.Labels}}", pinned)
	var lab map[string]string
	if err := json.Unmarshal([]byte(labels), &lab); err != nil {
		t.Fatal(err)
	}
	if lab["org.opencontainers.image.base.name"] != pinnedBuilder || lab["org.opencontainers.image.revision"] != sourceSHA || lab["org.opencontainers.image.version"] != releaseVersion {
		t.Errorf("image labels %v: want base.name %s, revision %s, version %s", lab, pinnedBuilder, sourceSHA, releaseVersion)
	}
	if out := docker(t, "run", "--rm", "--network", "none", "--entrypoint", "/action-stale", pinned, "--version"); !strings.Contains(out, releaseVersion) {
		t.Errorf("/action-stale --version of the released image: %q, want %s", out, releaseVersion)
	}
	// The provenance statement names the pushed digest and the source commit.
	statement := decode[struct {
		Subject []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
		Predicate struct {
			BuildDefinition struct {
				ResolvedDependencies []struct {
					Digest map[string]string `json:"digest"`
				} `json:"resolvedDependencies"`
			} `json:"buildDefinition"`
		} `json:"predicate"`
	}](t, "the attestation", mustRead(t, filepath.Join(w.work, "standin", "attestations", strings.TrimPrefix(digest, "sha256:")+".json")))
	if len(statement.Subject) != 1 || statement.Subject[0].Name != image || "sha256:"+statement.Subject[0].Digest["sha256"] != digest {
		t.Errorf("attestation subject %+v, want %s", statement.Subject, pinned)
	}
	if deps := statement.Predicate.BuildDefinition.ResolvedDependencies; len(deps) != 1 || deps[0].Digest["gitCommit"] != sourceSHA {
		t.Errorf("attestation source %+v, want commit %s", deps, sourceSHA)
	}

	// The remote: v1.99.0 and v1 name one commit on top of the source
	// commit, in which every action.yml runs the pinned image.
	tagged := gitCmd(t, remote, "rev-parse", releaseVersion+"^{commit}")
	if major := gitCmd(t, remote, "rev-parse", "v1^{commit}"); major != tagged {
		t.Errorf("v1 is %s, %s is %s: want one commit", major, releaseVersion, tagged)
	}
	if parent := gitCmd(t, remote, "rev-parse", tagged+"^"); parent != sourceSHA {
		t.Errorf("the release commit's parent is %s, want the tagged source %s", parent, sourceSHA)
	}
	released := filepath.Join(t.TempDir(), "released")
	gitCmd(t, filepath.Dir(released), "clone", "-q", "--branch", "v1", remote, released)
	if code, out := pinScriptIn(t, released, "--check", pinned); code != 0 {
		t.Errorf("the released tree is not pinned to %s: exit %d\n%s", pinned, code, out)
	}
	if changed := gitCmd(t, released, "diff", "--name-only", sourceSHA, "HEAD"); !regexp.MustCompile(`^(action-[a-z]+/action\.yml\n?)+$`).MatchString(changed) {
		t.Errorf("the release commit changes %q, want only action-*/action.yml", changed)
	}

	// The release on the API, naming the pinned image.
	var release *emulator.Release
	for _, r := range w.srv.State().Repositories {
		for i, rel := range r.Releases {
			if r.FullName == ownRepository && rel.TagName == releaseVersion {
				release = &r.Releases[i]
			}
		}
	}
	if release == nil {
		t.Errorf("no release %s on the API", releaseVersion)
	} else if !strings.Contains(release.Body, pinned) || !strings.Contains(release.Body, sourceSHA) {
		t.Errorf("release %s body %q does not name the image %s and the source %s", releaseVersion, release.Body, pinned, sourceSHA)
	}

	// The README's example, as a user's workflow in the hub, on the release.
	readmeExample(t, w, released)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// pinScriptIn runs the released tree's own .ci/release/pin-image.sh.
func pinScriptIn(t *testing.T, root string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(root, ".ci", "release", "pin-image.sh")}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// readmeWorkflowPath is where the README's example goes in the user's
// repository (a temporary one).
const readmeWorkflowPath = ".github/workflows/ecosystem.yml"

// readmeWorkflow returns the workflow of README.md's "Using the actions"
// section: its first ```yaml block.
func readmeWorkflow(t *testing.T, root string) string {
	t.Helper()
	readme := string(mustRead(t, filepath.Join(root, "README.md")))
	_, section, ok := strings.Cut(readme, "\n## Using the actions\n")
	if !ok {
		t.Fatal("README.md has no \"## Using the actions\" section")
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	if !ok {
		t.Fatal("README.md's \"Using the actions\" has no ```yaml block")
	}
	block, _, ok = strings.Cut(block, "```")
	if !ok {
		t.Fatal("README.md's workflow block is not closed")
	}
	return block
}

// readmeExample runs README.md's usage example as the hub's workflow, with
// sparesparrow/ecosystem-actions@v1 at the released commit: the monitor,
// fixer and alert steps run the released image (docker://…@sha256:…), and
// the alert issues are written with the installation token the workflow
// minted.
func readmeExample(t *testing.T, w *world, released string) {
	t.Helper()
	hub := t.TempDir()
	writeFileMode(t, filepath.Join(hub, filepath.FromSlash(readmeWorkflowPath)), []byte(readmeWorkflow(t, w.root)), 0o644)
	before := w.srv.State()
	res := w.act(run{event: "schedule", workflow: readmeWorkflowPath, runID: "7002", dir: hub, ownRepository: released})
	after := w.srv.State()
	for id, r := range res {
		if r != "success" {
			t.Errorf("README example: job %s %s", id, r)
		}
	}
	if len(res) == 0 {
		t.Errorf("README example: no job ran")
	}
	if log := w.logged("7002", ""); !strings.Contains(log, "docker pull image="+releasedImageOf(t, released)) && !strings.Contains(log, releasedImageOf(t, released)) {
		t.Errorf("README example: the log never names the released image %s", releasedImageOf(t, released))
	}
	created := newIssues(before, after)
	if len(created) == 0 {
		t.Errorf("README example: no alert issue was opened in %s", hubRepository)
	}
	for _, is := range created {
		if is.Repo != hubRepository {
			t.Errorf("README example opened %s#%d outside the hub", is.Repo, is.Number)
		}
		if w.app != nil && is.User != w.app.slug+"[bot]" {
			t.Errorf("README example: %s#%d was opened by %s, want the App's installation identity %s[bot]", is.Repo, is.Number, is.User, w.app.slug)
		}
	}
}

// releasedImageOf reads the image action-monitor/action.yml runs.
func releasedImageOf(t *testing.T, root string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s+image:\s*docker://(\S+)`).FindStringSubmatch(string(mustRead(t, filepath.Join(root, "action-monitor", "action.yml"))))
	if m == nil {
		t.Fatalf("%s/action-monitor/action.yml does not run a docker:// image", root)
	}
	return m[1]
}
