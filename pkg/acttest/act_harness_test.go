package acttest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// ActVersion is the nektos/act release the end-to-end tests are written for
// (.ci/e2e-act.sh installs it with go install).
const ActVersion = "v0.2.89"

// hubRepository is the repository the top-level workflows run in: the
// orchestrator of the example ecosystem, where the alert issues go.
const hubRepository = "sparesparrow/mcp-project-orchestrator"

var (
	ecosystemDomains = []string{"openssl-tools", "openssl-conan-base", "openssl-fips-policy", "mcp-project-orchestrator"}
	dispatchTargets  = []string{"openssl-tools", "openssl-conan-base", "openssl-fips-policy"}
)

// suite is what every act test shares, made once per test binary: the act
// binary, the stand-in program, and the action image tagged under the names
// act looks for.
type suite struct {
	act, root, standin string
}

var (
	suiteOnce sync.Once
	suiteVal  *suite
	suiteErr  error
	suiteDir  string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	if suiteDir != "" {
		os.RemoveAll(suiteDir)
	}
	os.Exit(code)
}

// requireAct skips unless ACT_E2E=1, and then needs act and a Docker engine:
// missing ones skip the test, or fail it when CI=true. It returns the
// shared suite, built on first use.
func requireAct(t *testing.T) *suite {
	t.Helper()
	if os.Getenv("ACT_E2E") != "1" {
		t.Skip("the act end-to-end tests run with ACT_E2E=1 (.ci/e2e-act.sh installs act, builds the image and runs them)")
	}
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (CI=true and ACT_E2E=1: the act end-to-end tests must run)", msg)
		}
		t.Skip(msg)
	}
	act := os.Getenv("ACT")
	if act == "" {
		var err error
		if act, err = exec.LookPath("act"); err != nil {
			missing("act is not installed: go install github.com/nektos/act@%s (or run .ci/e2e-act.sh)", ActVersion)
		}
	}
	out, err := exec.Command(act, "--version").CombinedOutput()
	if err != nil {
		missing("%s --version failed: %v: %s", act, err, out)
	}
	if !strings.Contains(string(out), strings.TrimPrefix(ActVersion, "v")) {
		t.Logf("warning: %s is %s; the tests are written for act %s", act, strings.TrimSpace(string(out)), ActVersion)
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		missing("no Docker engine: docker info: %v: %s", err, bytes.TrimSpace(out))
	}
	suiteOnce.Do(func() { suiteVal, suiteErr = newSuite(act, repoRoot(t)) })
	if suiteErr != nil {
		t.Fatal(suiteErr)
	}
	return suiteVal
}

func newSuite(act, root string) (*suite, error) {
	dir, err := os.MkdirTemp("", "acttest-suite-")
	if err != nil {
		return nil, err
	}
	suiteDir = dir
	if err := tagActionImage(root); err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "standin")
	cmd := exec.Command("go", "build", "-o", bin, "./pkg/acttest/cmd/standin")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("failed to build the stand-in program: %v\n%s", err, out)
	}
	return &suite{act: act, root: root, standin: bin}, nil
}

// actionImage is the image built from the root Dockerfile
// (ECOSYSTEM_ACTIONS_IMAGE, as `make image` builds it).
func actionImage() string {
	if image := os.Getenv("ECOSYSTEM_ACTIONS_IMAGE"); image != "" {
		return image
	}
	return "ecosystem-actions:acttest"
}

// tagActionImage tags the action image under the names act gives the
// actions' images, so that act, run with --rebuild=false, uses it instead
// of building the Dockerfile (whose Go builder cannot be pulled offline).
func tagActionImage(root string) error {
	image := actionImage()
	if os.Getenv("ECOSYSTEM_ACTIONS_IMAGE") == "" {
		cmd := exec.Command("make", "--no-print-directory", "image", "IMAGE="+image)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("make image failed (set ECOSYSTEM_ACTIONS_IMAGE to a prebuilt image): %v\n%s", err, out)
		}
	}
	dirs, err := filepath.Glob(filepath.Join(root, "action-*", "action.yml"))
	if err != nil {
		return err
	}
	for _, d := range dirs {
		name := filepath.Base(filepath.Dir(d))
		// act: "act-" + "./action-monitor" with non-alphanumerics as "-",
		// trimmed, + "-dockeraction:latest" (pkg/runner/action.go).
		// Remote references (sparesparrow/ecosystem-actions/action-monitor@v1,
		// mapped to this checkout with --local-repository): act names the
		// image after the cached action folder and the path.
		for _, tag := range []string{
			"act-" + name + "-dockeraction:latest",
			"act-sparesparrow-ecosystem-actions-" + name + "-v1-" + name + "-dockeraction:latest",
		} {
			if out, err := exec.Command("docker", "tag", image, tag).CombinedOutput(); err != nil {
				return fmt.Errorf("docker tag %s %s: %v: %s", image, tag, err, out)
			}
		}
	}
	return nil
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// world is one scenario's setting: an emulator, a work directory (act's
// artifact server files, the stand-ins' disk, logs), and the GitHub App
// the workflows mint tokens from.
type world struct {
	*suite
	t            *testing.T
	work         string
	srv          *emulator.Server
	artifactPort string
	// vars and secrets every run gets (a run's own ones are added).
	vars, secrets map[string]string
	// offset is added to the emulator's clock (advance).
	offset atomic.Int64
	// app is the GitHub App of the fixture the workflows mint installation
	// tokens from (vars.ECOSYSTEM_APP_CLIENT_ID, secrets.ECOSYSTEM_APP_PRIVATE_KEY);
	// nil when the fixture has none.
	app *appFixture
}

// appFixture is a GitHub App the emulator knows: its client id, its slug
// (the installation token's identity is "<slug>[bot]") and its private key.
type appFixture struct {
	clientID, slug, keyPEM string
}

// worldOption changes the fixture before the emulator starts.
type worldOption func(*emulator.Fixture)

// withRepository adds repository owner/name to the fixture, its main
// branch at sha with the given tags (all at sha).
func withRepository(full, sha string, tags ...string) worldOption {
	return func(fx *emulator.Fixture) {
		owner, name, _ := strings.Cut(full, "/")
		r := emulator.Repository{Owner: owner, Name: name, DefaultBranch: "main",
			Branches: []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: sha, Author: owner, Date: fx.ReferenceTime}}}}
		for _, t := range tags {
			r.Tags = append(r.Tags, emulator.Tag{Name: t, SHA: sha})
		}
		fx.Repositories = append(fx.Repositories, r)
	}
}

// advance moves the emulator's clock forward by d, as the time between two
// scheduled runs passes: rate-limit windows (GitHub's secondary limit of 80
// content-creating requests a minute) and token lifetimes see it.
func (w *world) advance(d time.Duration) { w.offset.Add(int64(d)) }

// newWorld starts an emulator with the example ecosystem for one scenario.
// ACT_E2E_KEEP=dir keeps the work directory (logs) under dir.
func newWorld(t *testing.T, s *suite, opts ...worldOption) *world {
	t.Helper()
	work := t.TempDir()
	if keep := os.Getenv("ACT_E2E_KEEP"); keep != "" {
		work = filepath.Join(keep, strings.ReplaceAll(t.Name(), "/", "_"))
		if err := os.RemoveAll(work); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(work, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fx, err := emulator.LoadFixture(filepath.Join(s.root, "testdata", "ecosystem", "ecosystem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(fx)
	}
	w := &world{suite: s, t: t, work: work, artifactPort: freePort(t),
		vars: map[string]string{
			"ECOSYSTEM_DOMAINS":          strings.Join(ecosystemDomains, ","),
			"ECOSYSTEM_DISPATCH_TARGETS": strings.Join(dispatchTargets, ","),
			"CLOUDSMITH_NAMESPACE":       "sparesparrow",
			"CLOUDSMITH_REPOSITORY":      "ecosystem",
			"CLOUDSMITH_SERVICE_SLUG":    "ecosystem-actions-ci",
		},
		secrets: map[string]string{"GITHUB_TOKEN": "emulator-token"},
	}
	// The example ecosystem's GitHub App, installed on every domain: the
	// workflows mint their tokens from it, as the documented setup does.
	if len(fx.Apps) > 0 {
		key, err := emulator.ExampleAppKey()
		if err != nil {
			t.Fatal(err)
		}
		app := fx.Apps[0]
		w.app = &appFixture{clientID: app.ClientID, slug: app.Slug, keyPEM: key}
		w.vars["ECOSYSTEM_APP_CLIENT_ID"] = app.ClientID
		w.secrets["ECOSYSTEM_APP_PRIVATE_KEY"] = key
	}
	w.srv = emulator.StartForTest(t, fx, emulator.Options{
		Now: func() time.Time { return time.Now().Add(time.Duration(w.offset.Load())) },
	})
	return w
}

// run is one act invocation.
type run struct {
	event    string
	workflow string // relative to the work tree: .github/workflows/x.yml or testdata/act/callers/x.yml
	runID    string
	repo     string // GITHUB_REPOSITORY; default hubRepository
	inputs   map[string]string
	vars     map[string]string
	secrets  map[string]string
	env      map[string]string
	// dir is the work tree act runs in (default: the repository root).
	dir string
	// ownRepository is the folder sparesparrow/ecosystem-actions@v1 maps
	// to (default: the repository root).
	ownRepository string
	eventJSON     string
}

// jobResults maps a job id to act's result for it ("success", "failure").
type jobResults map[string]string

// act runs r and returns the job results; the JSON log is kept in
// work/act-<runID>.log.
func (w *world) act(r run) jobResults {
	t := w.t
	t.Helper()
	dir := r.dir
	if dir == "" {
		dir = w.root
	}
	own := r.ownRepository
	if own == "" {
		own = w.root
	}
	repo := r.repo
	if repo == "" {
		repo = hubRepository
	}
	xdg := filepath.Join(w.work, "xdg")
	args := []string{r.event,
		"-W", filepath.FromSlash(r.workflow),
		"--json",
		// Self-hosted: run: steps on this machine, container actions in
		// Docker with host networking (the emulator listens on 127.0.0.1)
		// and act's work directory mounted at the same path, because act
		// passes host paths (GITHUB_OUTPUT, ...) to the containers.
		"-P", "ubuntu-latest=-self-hosted",
		"--container-options", "--network host -v " + filepath.Join(xdg, "act") + ":" + filepath.Join(xdg, "act"),
		// Use the pre-built image; fetch nothing.
		"--rebuild=false", "--pull=false", "--action-offline-mode",
		"--env", "GITHUB_API_URL=" + w.srv.URL(),
		"--env", "GITHUB_REPOSITORY=" + repo,
		"--env", "GITHUB_RUN_ID=" + r.runID,
		"--env", "ACT_STANDIN=" + w.standin,
		"--env", "ACT_STANDIN_DIR=" + filepath.Join(w.work, "standin"),
		"--env", "ACT_STANDIN_PAGES_URL=https://sparesparrow.github.io/mcp-project-orchestrator/",
		"--artifact-server-addr", "127.0.0.1",
		"--artifact-server-port", w.artifactPort,
		"--artifact-server-path", filepath.Join(w.work, "artifacts"),
		"--cache-server-addr", "127.0.0.1",
		"--local-repository", ownRepository + "@v1=" + own,
	}
	for _, m := range []struct {
		flag         string
		base, extras map[string]string
	}{{"--var", w.vars, r.vars}, {"-s", w.secrets, r.secrets}, {"--env", nil, r.env}, {"--input", nil, r.inputs}} {
		merged := map[string]string{}
		for k, v := range m.base {
			merged[k] = v
		}
		for k, v := range m.extras {
			merged[k] = v
		}
		for _, k := range sortedKeys(merged) {
			if merged[k] == "" && m.flag != "--input" {
				continue // an empty value unsets a default
			}
			args = append(args, m.flag, k+"="+merged[k])
		}
	}
	if r.eventJSON != "" {
		path := filepath.Join(w.work, "event-"+r.runID+".json")
		if err := os.WriteFile(path, []byte(r.eventJSON), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-e", path)
	}
	args = append(args, LocalRepositoryArgs(w.root)...)

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.suite.act, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+xdg)
	logPath := filepath.Join(w.work, "act-"+r.runID+".log")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	if werr := os.WriteFile(logPath, out.Bytes(), 0o644); werr != nil {
		t.Fatal(werr)
	}
	results := parseJobResults(out.Bytes())
	t.Logf("act %s %s (run %s in %s): %v in %s, jobs %v; log %s", r.event, r.workflow, r.runID, repo, err, time.Since(start).Round(time.Second), results, logPath)
	if ctx.Err() != nil {
		t.Fatalf("act did not finish in time; the end of its log:\n%s", tail(out.Bytes(), 60))
	}
	if err != nil {
		t.Errorf("act failed: %v; the end of its log:\n%s", err, tail(out.Bytes(), 80))
	}
	return results
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func parseJobResults(log []byte) jobResults {
	res := jobResults{}
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var line struct {
			JobID     string `json:"jobID"`
			JobResult string `json:"jobResult"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.JobResult != "" {
			res[line.JobID] = line.JobResult
		}
	}
	return res
}

// wantJobs checks the results of the named jobs.
func wantJobs(t *testing.T, got jobResults, want jobResults) {
	t.Helper()
	for id, w := range want {
		if got[id] != w {
			t.Errorf("job %s: %q, want %q (all jobs: %v)", id, got[id], w, got)
		}
	}
}

// tail returns the last n lines of log, each JSON line shortened to its msg.
func tail(log []byte, n int) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(log), "\n"), "\n") {
		if !strings.Contains(l, "LocalRepositoryCache") {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		var line struct{ Job, Msg string }
		if json.Unmarshal([]byte(l), &line) == nil && line.Msg != "" {
			lines[i] = strings.TrimSpace(line.Job) + " " + strings.TrimRight(line.Msg, "\n")
		}
	}
	return strings.Join(lines, "\n")
}

// logged returns the msg of every JSON log line of run runID's job jobID
// (every job when jobID is empty), joined by newlines.
func (w *world) logged(runID, jobID string) string {
	w.t.Helper()
	data, err := os.ReadFile(filepath.Join(w.work, "act-"+runID+".log"))
	if err != nil {
		w.t.Fatal(err)
	}
	var msgs []string
	for _, l := range strings.Split(string(data), "\n") {
		var line struct {
			JobID string `json:"jobID"`
			Msg   string `json:"msg"`
		}
		if json.Unmarshal([]byte(l), &line) == nil && (jobID == "" || line.JobID == jobID) {
			msgs = append(msgs, line.Msg)
		}
	}
	return strings.Join(msgs, "\n")
}

// artifactFiles lists the files of artifact name uploaded by run runID to
// act's artifact server, with their contents.
func (w *world) artifactFiles(runID, name string) map[string][]byte {
	t := w.t
	t.Helper()
	path := filepath.Join(w.work, "artifacts", runID, name, name+".zip")
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("artifact %s of run %s: %v", name, runID, err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = buf.Bytes()
	}
	return files
}

func (w *world) artifactNames(runID string) []string {
	w.t.Helper()
	entries, err := os.ReadDir(filepath.Join(w.work, "artifacts", runID))
	if err != nil {
		w.t.Fatalf("no artifacts for run %s: %v", runID, err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// issueView is what the tests compare of an issue or a pull request (an
// issue on GitHub's side too): what a maintainer sees.
type issueView struct {
	Repo, Title, State, User string
	Number                   int
	Pull                     bool
	Labels                   []string
	Comments                 int
	Body                     string
}

// issues returns the issues and pull requests of st by "owner/repo#N".
func issues(st emulator.State) map[string]issueView {
	out := map[string]issueView{}
	sorted := func(l []string) []string {
		l = append([]string(nil), l...)
		sort.Strings(l)
		return l
	}
	for _, r := range st.Repositories {
		for _, is := range r.Issues {
			out[fmt.Sprintf("%s#%d", r.FullName, is.Number)] = issueView{
				Repo: r.FullName, Title: is.Title, State: is.State, User: is.User, Number: is.Number,
				Labels: sorted(is.Labels), Comments: len(is.Comments), Body: is.Body,
			}
		}
		for _, pr := range r.Pulls {
			out[fmt.Sprintf("%s#%d", r.FullName, pr.Number)] = issueView{
				Repo: r.FullName, Title: pr.Title, State: pr.State, User: pr.User, Number: pr.Number, Pull: true,
				Labels: sorted(pr.Labels), Comments: len(pr.Comments), Body: pr.Body,
			}
		}
	}
	return out
}

// newIssues returns the issues of after that before did not have.
func newIssues(before, after emulator.State) []issueView {
	was := issues(before)
	var created []issueView
	for k, is := range issues(after) {
		if _, ok := was[k]; !ok {
			created = append(created, is)
		}
	}
	sort.Slice(created, func(i, j int) bool {
		if created[i].Repo != created[j].Repo {
			return created[i].Repo < created[j].Repo
		}
		return created[i].Number < created[j].Number
	})
	return created
}

// unchanged reports every issue or pull request that after changed (state,
// comments, labels) or added, compared with before.
func unchanged(t *testing.T, what string, before, after emulator.State) {
	t.Helper()
	was, now := issues(before), issues(after)
	for k, is := range now {
		prev, ok := was[k]
		switch {
		case !ok:
			t.Errorf("%s opened %s %q", what, k, is.Title)
		case prev.State != is.State:
			t.Errorf("%s changed %s from %s to %s", what, k, prev.State, is.State)
		case prev.Comments != is.Comments:
			t.Errorf("%s commented on %s (%d → %d comments)", what, k, prev.Comments, is.Comments)
		case !equal(prev.Labels, is.Labels):
			t.Errorf("%s relabelled %s: %v → %v", what, k, prev.Labels, is.Labels)
		}
	}
	if n := len(after.Dispatches) - len(before.Dispatches); n != 0 {
		t.Errorf("%s sent %d dispatches", what, n)
	}
	if n := len(after.RefChanges) - len(before.RefChanges); n != 0 {
		t.Errorf("%s changed %d refs", what, n)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func keys[V any](m map[string]V) []string { return sortedKeys(m) }

func containsRepo(names []string, full string) bool {
	for _, n := range names {
		if full == n || strings.HasSuffix(full, "/"+n) {
			return true
		}
	}
	return false
}

// tokenCalls counts, in the emulator's request log from index from on, the
// installation tokens minted (POST …/access_tokens answered 201) and
// revoked (DELETE /installation/token answered 204), and the requests made
// as the App's installation ("<slug>[bot]").
func (w *world) tokenCalls(from int) (minted, revoked, asApp int, next int) {
	reqs := w.srv.Requests()
	for _, r := range reqs[min(from, len(reqs)):] {
		switch {
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/access_tokens") && r.Status == 201:
			minted++
		case r.Method == "DELETE" && r.Path == "/installation/token" && r.Status == 204:
			revoked++
		}
		if w.app != nil && r.Login == w.app.slug+"[bot]" {
			asApp++
		}
	}
	return minted, revoked, asApp, len(reqs)
}

// checkAppTokens: the run minted want installation tokens, revoked every
// one of them, and made its API requests as the App's installation.
func (w *world) checkAppTokens(what string, from, want int) int {
	w.t.Helper()
	minted, revoked, asApp, next := w.tokenCalls(from)
	if w.app == nil {
		w.t.Fatalf("%s: the fixture has no GitHub App", what)
	}
	if minted != want || revoked != minted || asApp == 0 {
		w.t.Errorf("%s: %d installation tokens minted (want %d, one per job that reaches the domains), %d revoked, %d requests as %s[bot]", what, minted, want, revoked, asApp, w.app.slug)
	}
	return next
}

// lastCommentAuthor returns the login of the newest comment on the issue or
// pull request key ("owner/repo#N") in st.
func (w *world) lastCommentAuthor(st emulator.State, key string) string {
	for _, r := range st.Repositories {
		for _, is := range r.Issues {
			if fmt.Sprintf("%s#%d", r.FullName, is.Number) == key && len(is.Comments) > 0 {
				return is.Comments[len(is.Comments)-1].User
			}
		}
		for _, pr := range r.Pulls {
			if fmt.Sprintf("%s#%d", r.FullName, pr.Number) == key && len(pr.Comments) > 0 {
				return pr.Comments[len(pr.Comments)-1].User
			}
		}
	}
	return ""
}
