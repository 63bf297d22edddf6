//go:build e2e

package containertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// These tests run the action image the way the GitHub runner runs a Docker
// container action (NOTES §8): `docker run --workdir /github/workspace
// --entrypoint /action-<name> -e INPUT_... -v .../_runner_file_commands:/github/file_commands`,
// with --network host so the container reaches the emulator on 127.0.0.1.
//
// ECOSYSTEM_ACTIONS_IMAGE names an image already built (make e2e does that);
// otherwise the test builds one with the local Go builder image.
// Without a Docker engine the tests skip, except with CI=true, where they fail.

const maxImageBytes = 30 * 1000 * 1000

var (
	imageOnce sync.Once
	imageRef  string
	imageErr  error
)

func requireDocker(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		skipOrFail(t, "the docker CLI is not installed (%v)", err)
	}
	out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput()
	if err != nil {
		skipOrFail(t, "no Docker engine answers (docker info: %v: %s); .ci/run installs and starts one", err, bytes.TrimSpace(out))
	}
}

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and the container tests cannot run: "+format, args...)
	}
	t.Skipf("container tests skipped: "+format, args...)
}

// actionImage returns the image under test, building it once if needed.
func actionImage(t *testing.T) string {
	t.Helper()
	requireDocker(t)
	imageOnce.Do(func() {
		if ref := os.Getenv("ECOSYSTEM_ACTIONS_IMAGE"); ref != "" {
			imageRef = ref
			return
		}
		imageRef, imageErr = buildImage()
	})
	if imageErr != nil {
		t.Fatalf("failed to build the action image: %v", imageErr)
	}
	return imageRef
}

func buildImage() (string, error) {
	out, err := exec.Command(filepath.Join(repoRoot, ".ci", "builder-image.sh")).Output()
	if err != nil {
		return "", fmt.Errorf("failed to make the builder image: %w", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 {
		return "", fmt.Errorf("builder-image.sh printed no image reference")
	}
	builder := lines[len(lines)-1]
	proxy, _ := exec.Command("go", "env", "GOPROXY").Output()
	var ids []string
	matches, _ := filepath.Glob(filepath.Join(repoRoot, "action-*", "main.go"))
	for _, m := range matches {
		ids = append(ids, strings.TrimPrefix(filepath.Base(filepath.Dir(m)), "action-"))
	}
	const ref = "ecosystem-actions:containertest"
	cmd := exec.Command("docker", "build", "--network", "host",
		"--build-arg", "GO_IMAGE="+builder,
		"--build-arg", "GOPROXY="+strings.TrimSpace(string(proxy)),
		"--build-arg", "ACTIONS="+strings.Join(ids, " "),
		"-t", ref, repoRoot)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("docker build: %w\n%s", err, out)
	}
	return ref, nil
}

// imageConfig is the part of `docker image inspect` the tests check.
type imageConfig struct {
	Size   int64
	Config struct {
		User       string
		WorkingDir string
		Entrypoint []string
		Labels     map[string]string
	}
}

func inspectImage(t *testing.T, ref string) imageConfig {
	t.Helper()
	out, err := exec.Command("docker", "image", "inspect", ref).Output()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", ref, err)
	}
	var got []imageConfig
	if err := json.Unmarshal(out, &got); err != nil || len(got) != 1 {
		t.Fatalf("docker image inspect %s: %v (%d results)", ref, err, len(got))
	}
	return got[0]
}

func repoActions(t *testing.T) []*Action {
	t.Helper()
	actions, err := FindActions(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) == 0 {
		t.Skip("no action-*/action.yml in the repository yet")
	}
	return actions
}

func TestImage(t *testing.T) {
	ref := actionImage(t)
	img := inspectImage(t, ref)
	t.Logf("%s: %d bytes (%.1f MB)", ref, img.Size, float64(img.Size)/1e6)
	if img.Size >= maxImageBytes {
		t.Errorf("image %s is %d bytes, want < %d", ref, img.Size, maxImageBytes)
	}
	if img.Config.User != "" {
		t.Errorf("image user = %q, want empty (root): container actions must run as root", img.Config.User)
	}
	if img.Config.WorkingDir != "" {
		t.Errorf("image working dir = %q, want empty: the runner sets /github/workspace", img.Config.WorkingDir)
	}
	if len(img.Config.Entrypoint) != 1 || img.Config.Entrypoint[0] != "/action-monitor" {
		t.Errorf("image entrypoint = %q, want [/action-monitor]", img.Config.Entrypoint)
	}
}

func TestVersion(t *testing.T) {
	ref := actionImage(t)
	want := inspectImage(t, ref).Config.Labels["org.opencontainers.image.version"]
	for _, a := range repoActions(t) {
		t.Run(a.ID(), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "docker", "run", "--rm", "--network", "none",
				"--entrypoint", a.Runs.Entrypoint, ref, "--version")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s --version: %v\nstdout:\n%s\nstderr:\n%s", a.Runs.Entrypoint, err, &stdout, &stderr)
			}
			got := strings.TrimSpace(stdout.String())
			if got == "" {
				t.Fatalf("%s --version printed nothing", a.Runs.Entrypoint)
			}
			if want != "" && !strings.Contains(got, want) {
				t.Errorf("%s --version = %q, want it to contain the image version %q", a.Runs.Entrypoint, got, want)
			}
		})
	}
}

// startEmulator serves the example ecosystem on a real 127.0.0.1 port, so a
// container on the host network reaches it.
func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	f, err := emulator.LoadFixture(filepath.Join(repoRoot, "testdata", "ecosystem", "ecosystem.yaml"))
	if err != nil {
		t.Fatalf("failed to load the example ecosystem: %v", err)
	}
	srv, err := emulator.NewChecked(f, emulator.Options{})
	if err != nil {
		t.Fatalf("failed to start the emulator: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	srv.SetURL("http://" + ln.Addr().String())
	return srv
}

// TestChainInContainers runs DemoChain, one container per step, sharing the
// workspace and the emulator, and checks each step's outputs and summary the
// way the runner would read them. Actions that are in the repository but not
// in the chain run afterwards with their defaults.
func TestChainInContainers(t *testing.T) {
	ref := actionImage(t)
	actions := map[string]*Action{}
	for _, a := range repoActions(t) {
		actions[a.ID()] = a
	}
	srv := startEmulator(t)

	dir := t.TempDir()
	host := Paths{
		Workspace:    filepath.Join(dir, "workspace"),
		FileCommands: filepath.Join(dir, "temp", "_runner_file_commands"),
		Temp:         filepath.Join(dir, "temp"),
		Home:         filepath.Join(dir, "temp", "_github_home"),
		Workflow:     filepath.Join(dir, "temp", "_github_workflow"),
	}
	for _, d := range []string{host.Workspace, host.Home, host.Workflow} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(host.Workflow, "event.json"), []byte(`{"schedule":"0 */4 * * *"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mounts := map[string]string{
		host.Workspace:    ContainerPaths.Workspace,
		host.FileCommands: ContainerPaths.FileCommands,
		host.Temp:         ContainerPaths.Temp,
		host.Home:         ContainerPaths.Home,
		host.Workflow:     ContainerPaths.Workflow,
	}

	steps := DemoChain()
	inChain := map[string]bool{}
	for _, s := range steps {
		inChain[s.Action] = true
	}
	for _, id := range sortedKeys(actions) {
		if !inChain[id] {
			steps = append(steps, Step{ID: id, Action: id})
		}
	}

	ctx := GitHubContextForTest()
	ctx.Steps = map[string]map[string]string{}
	ctx.Env = map[string]string{"REPORTS": "reports"}
	for _, step := range steps {
		a, ok := actions[step.Action]
		if !ok {
			t.Run(step.ID, func(t *testing.T) {
				t.Skipf("action-%s/action.yml is not in the repository yet", step.Action)
			})
			continue
		}
		before := len(srv.Requests())
		t.Run(step.ID, func(t *testing.T) {
			outputs := runStepInContainer(t, ref, a, step, ctx, srv.URL(), host, mounts)
			ctx.Steps[step.ID] = outputs
			reqs := srv.Requests()[before:]
			t.Logf("%s: %d API requests", step.ID, len(reqs))
			if check := chainChecks[step.ID]; check != nil {
				check(t, outputs, reqs, srv.State())
			}
		})
	}
	// The chain's last step re-rendered the pages: the dashboard shows the
	// fixer's root causes.
	t.Run("dashboard", func(t *testing.T) {
		page, err := os.ReadFile(filepath.Join(host.Workspace, "reports", "pages_content", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(host.Workspace, "reports", "failure_analysis.json"))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := contract.Decode(raw, "reports/failure_analysis.json")
		if err != nil {
			t.Fatal(err)
		}
		shown, err := FixerCausesShown(page, doc.Failure)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("the dashboard shows the fixer's root cause for %d failure groups", len(shown))
	})
	st := srv.State()
	issues := 0
	for _, r := range st.Repositories {
		issues += len(r.Issues)
	}
	t.Logf("emulator after the chain: %d requests, %d issues, %d dispatches", len(srv.Requests()), issues, len(st.Dispatches))
}

func runStepInContainer(t *testing.T, ref string, a *Action, step Step, ctx *Context, apiURL string, host Paths, mounts map[string]string) map[string]string {
	t.Helper()
	fc, err := NewFileCommands(host.FileCommands)
	if err != nil {
		t.Fatal(err)
	}
	inputs, unknown, err := a.InputEnv(step.With, ctx)
	if err != nil {
		t.Fatalf("step %s: %v", step.ID, err)
	}
	if len(unknown) > 0 {
		t.Logf("warning: step %s sets inputs action-%s does not declare: %s", step.ID, a.ID(), strings.Join(unknown, ", "))
	}
	ctx.GitHub["action"] = step.ID
	env := append(StepEnv(ctx, apiURL, ContainerPaths, fc), inputs...)

	run, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(run, "docker", DockerRunArgs(ref, a, env, mounts, "host")...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	t.Logf("docker %s\nstdout:\n%s\nstderr:\n%s", strings.Join(DockerRunArgs(ref, a, env, mounts, "host"), " "), indent(stdout.String()), indent(stderr.String()))
	if runErr != nil {
		t.Fatalf("step %s (%s) exited with %v", step.ID, a.Runs.Entrypoint, runErr)
	}

	outputs, err := fc.ReadOutputs()
	if err != nil {
		t.Fatalf("step %s: the runner would fail this step: %v", step.ID, err)
	}
	for _, name := range a.OutputNames() {
		v, ok := outputs[name]
		if !ok {
			t.Errorf("declared output %q was not set (set: %s)", name, strings.Join(sortedKeys(outputs), ", "))
			continue
		}
		if wantsJSON(name, a.Outputs[name].Description) && !json.Valid([]byte(v)) {
			t.Errorf("output %q should be JSON, got %q", name, truncate(v, 200))
		}
	}
	summary, err := fc.ReadSummary()
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(summary) == "" {
		t.Errorf("step %s wrote an empty job summary", step.ID)
	}
	if len(summary) > 1<<20 {
		t.Errorf("step %s wrote a %d-byte summary; the runner rejects more than 1 MiB", step.ID, len(summary))
	}
	// The one place the token may appear is the runner's own masking
	// command, which tells the runner to hide it from the log.
	logOut := strings.ReplaceAll(stdout.String(), "::add-mask::"+DummyToken+"\n", "")
	for where, text := range map[string]string{"stdout": logOut, "stderr": stderr.String(),
		"summary": summary, "outputs": fmt.Sprint(outputs)} {
		if strings.Contains(text, DummyToken) {
			t.Errorf("the token appears in the step's %s", where)
		}
	}
	assertNoTokenInFiles(t, host.Workspace)
	return outputs
}

// chainChecks are what each DemoChain step must have done on the emulator,
// beyond the outputs every step is checked for.
var chainChecks = map[string]func(t *testing.T, outputs map[string]string, reqs []emulator.LoggedRequest, st emulator.State){
	"monitor": func(t *testing.T, _ map[string]string, reqs []emulator.LoggedRequest, _ emulator.State) {
		if len(reqs) == 0 {
			t.Error("the monitor sent no request to GITHUB_API_URL")
		}
		for _, r := range reqs {
			if r.Method != http.MethodGet {
				t.Errorf("the monitor only reads, but sent %s %s", r.Method, r.Path)
			}
		}
	},
	"pages": func(t *testing.T, _ map[string]string, reqs []emulator.LoggedRequest, _ emulator.State) {
		// merge_reports: the pages are re-rendered from the reports alone.
		for _, r := range reqs {
			t.Errorf("re-rendering the pages sent %s %s; merge mode makes no API call", r.Method, r.Path)
		}
	},
	"stale": func(t *testing.T, _ map[string]string, reqs []emulator.LoggedRequest, _ emulator.State) {
		// dry_run: true must change nothing on GitHub. POST /graphql is the
		// identity query ({viewer{login}}), a read.
		for _, r := range reqs {
			if r.Method != http.MethodGet && r.Method != http.MethodHead && !strings.HasSuffix(r.Path, "/graphql") {
				t.Errorf("dry run sent a write: %s %s", r.Method, r.Path)
			}
		}
	},
	"alert": func(t *testing.T, outputs map[string]string, _ []emulator.LoggedRequest, st emulator.State) {
		// Every issue the alert says it created exists in the target repository.
		var issues struct {
			Created []int `json:"created"`
		}
		if err := json.Unmarshal([]byte(outputs["issues"]), &issues); err != nil {
			t.Fatalf("output issues: %v", err)
		}
		have := map[int]bool{}
		for _, r := range st.Repositories {
			if r.FullName == DemoRepository {
				for _, is := range r.Issues {
					have[is.Number] = true
				}
			}
		}
		for _, n := range issues.Created {
			if !have[n] {
				t.Errorf("output issues lists #%d as created, but %s has no issue #%d", n, DemoRepository, n)
			}
		}
		// Every dispatch it reports delivered was recorded, and no others.
		var dispatches []struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(outputs["dispatches"]), &dispatches); err != nil {
			t.Fatalf("output dispatches: %v", err)
		}
		delivered := 0
		for _, d := range dispatches {
			if d.Status == "delivered" {
				delivered++
			}
		}
		if delivered != len(st.Dispatches) {
			t.Errorf("output dispatches reports %d delivered, the emulator recorded %d", delivered, len(st.Dispatches))
		}
	},
}

// wantsJSON reports whether an output is documented as JSON.
func wantsJSON(name, description string) bool {
	return strings.Contains(strings.ToLower(name), "json") || strings.Contains(description, "JSON")
}

func assertNoTokenInFiles(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && bytes.Contains(data, []byte(DummyToken)) {
			t.Errorf("the token appears in %s", path)
		}
		return nil
	})
}

func indent(s string) string {
	if s == "" {
		return "    (empty)"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "… (" + strconv.Itoa(len(s)) + " bytes)"
}
