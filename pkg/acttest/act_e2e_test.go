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
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// ActVersion is the nektos/act release the end-to-end test is written for
// (.ci/e2e-act.sh installs it with go install).
const ActVersion = "v0.2.89"

// hubRepository is the repository the workflows run in: the orchestrator of
// the example ecosystem, where the alert issues go.
const hubRepository = "sparesparrow/mcp-project-orchestrator"

var (
	ecosystemDomains = []string{"openssl-tools", "openssl-conan-base", "openssl-fips-policy", "mcp-project-orchestrator"}
	dispatchTargets  = []string{"openssl-tools", "openssl-conan-base", "openssl-fips-policy"}
)

// requireActE2E skips unless ACT_E2E=1, and then needs act and a Docker
// engine: missing ones skip the test, or fail it when CI=true.
func requireActE2E(t *testing.T) string {
	t.Helper()
	if os.Getenv("ACT_E2E") != "1" {
		t.Skip("the act end-to-end test runs with ACT_E2E=1 (.ci/e2e-act.sh installs act, builds the image and runs it)")
	}
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (CI=true and ACT_E2E=1: the act end-to-end test must run)", msg)
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
		t.Logf("warning: %s is %s; the test is written for act %s", act, strings.TrimSpace(string(out)), ActVersion)
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		missing("no Docker engine: docker info: %v: %s", err, bytes.TrimSpace(out))
	}
	return act
}

// actionImage returns the image built from the root Dockerfile
// (ECOSYSTEM_ACTIONS_IMAGE, as `make image` builds it) and tags it under
// the names act gives the local actions' images, so that act, run with
// --rebuild=false, uses it instead of building the Dockerfile (whose
// default Go builder cannot be pulled offline).
func actionImage(t *testing.T, root string) {
	t.Helper()
	image := os.Getenv("ECOSYSTEM_ACTIONS_IMAGE")
	if image == "" {
		image = "ecosystem-actions:acttest"
		cmd := exec.Command("make", "--no-print-directory", "image", "IMAGE="+image)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make image failed (set ECOSYSTEM_ACTIONS_IMAGE to a prebuilt image): %v\n%s", err, out)
		}
	}
	dirs, err := filepath.Glob(filepath.Join(root, "action-*", "action.yml"))
	if err != nil {
		t.Fatal(err)
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
				t.Fatalf("docker tag %s %s: %v: %s", image, tag, err, out)
			}
		}
	}
}

// buildStandin compiles testdata/act/standin, the program behind every
// stand-in action.
func buildStandin(t *testing.T, root, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin", "standin")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/act/standin")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("failed to build the stand-in program: %v\n%s", err, out)
	}
	return bin
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

// actEnv is one act invocation's setting.
type actEnv struct {
	act, root, work, apiURL, standin, artifactPort string
}

// jobResults maps a job id to act's result for it ("success", "failure").
type jobResults map[string]string

// run runs act for event on workflow with GITHUB_RUN_ID=runID and returns
// the job results; the JSON log is kept in work/act-<runID>.log.
func (e actEnv) run(t *testing.T, event, workflow, runID string, extra ...string) jobResults {
	t.Helper()
	xdg := filepath.Join(e.work, "xdg")
	args := []string{event,
		"-W", filepath.Join(".github", "workflows", workflow),
		"--json",
		// Self-hosted: run: steps on this machine, container actions in
		// Docker with host networking (the emulator listens on 127.0.0.1)
		// and act's work directory mounted at the same path, because act
		// passes host paths (GITHUB_OUTPUT, ...) to the containers.
		"-P", "ubuntu-latest=-self-hosted",
		"--container-options", "--network host -v " + filepath.Join(xdg, "act") + ":" + filepath.Join(xdg, "act"),
		// Use the pre-built image; fetch nothing.
		"--rebuild=false", "--pull=false", "--action-offline-mode",
		"--env", "GITHUB_API_URL=" + e.apiURL,
		"--env", "GITHUB_REPOSITORY=" + hubRepository,
		"--env", "GITHUB_RUN_ID=" + runID,
		"--env", "ACT_STANDIN=" + e.standin,
		"--env", "ACT_STANDIN_DIR=" + filepath.Join(e.work, "standin"),
		"--env", "ACT_STANDIN_PAGES_URL=https://sparesparrow.github.io/mcp-project-orchestrator/",
		"--var", "ECOSYSTEM_DOMAINS=" + strings.Join(ecosystemDomains, ","),
		"--var", "ECOSYSTEM_DISPATCH_TARGETS=" + strings.Join(dispatchTargets, ","),
		"--var", "CLOUDSMITH_NAMESPACE=sparesparrow",
		"--var", "CLOUDSMITH_REPOSITORY=ecosystem",
		"--var", "CLOUDSMITH_SERVICE_SLUG=ecosystem-actions-ci",
		"-s", "GITHUB_TOKEN=emulator-token",
		"--artifact-server-addr", "127.0.0.1",
		"--artifact-server-port", e.artifactPort,
		"--artifact-server-path", filepath.Join(e.work, "artifacts"),
		"--cache-server-addr", "127.0.0.1",
	}
	args = append(args, LocalRepositoryArgs(e.root)...)
	args = append(args, extra...)

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.act, args...)
	cmd.Dir = e.root
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+xdg)
	logPath := filepath.Join(e.work, "act-"+runID+".log")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	if werr := os.WriteFile(logPath, out.Bytes(), 0o644); werr != nil {
		t.Fatal(werr)
	}
	results := parseJobResults(out.Bytes())
	t.Logf("act %s %s (run %s): %v in %s, jobs %v; log %s", event, workflow, runID, err, time.Since(start).Round(time.Second), results, logPath)
	if ctx.Err() != nil {
		t.Fatalf("act did not finish in time; the end of its log:\n%s", tail(out.Bytes(), 60))
	}
	if err != nil {
		t.Errorf("act failed: %v; the end of its log:\n%s", err, tail(out.Bytes(), 80))
	}
	return results
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

// loggedMessages returns the msg of every JSON log line of job jobID.
func loggedMessages(t *testing.T, path, jobID string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, l := range strings.Split(string(data), "\n") {
		var line struct {
			JobID string `json:"jobID"`
			Msg   string `json:"msg"`
		}
		if json.Unmarshal([]byte(l), &line) == nil && line.JobID == jobID {
			msgs = append(msgs, line.Msg)
		}
	}
	return msgs
}

// artifactFiles lists the files of artifact name uploaded by run runID to
// act's artifact server, with their contents.
func artifactFiles(t *testing.T, work, runID, name string) map[string][]byte {
	t.Helper()
	path := filepath.Join(work, "artifacts", runID, name, name+".zip")
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

func artifactNames(t *testing.T, work, runID string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(work, "artifacts", runID))
	if err != nil {
		t.Fatalf("no artifacts for run %s: %v", runID, err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// issueView is what the test compares of an issue: what a maintainer sees.
type issueView struct {
	Repo, Title, State string
	Number             int
	Labels             []string
	Comments           int
	Body               string
}

func issues(st emulator.State) map[string]issueView {
	out := map[string]issueView{}
	for _, r := range st.Repositories {
		for _, is := range r.Issues {
			labels := append([]string(nil), is.Labels...)
			sort.Strings(labels)
			out[fmt.Sprintf("%s#%d", r.FullName, is.Number)] = issueView{
				Repo: r.FullName, Title: is.Title, State: is.State, Number: is.Number,
				Labels: labels, Comments: len(is.Comments), Body: is.Body,
			}
		}
	}
	return out
}

// groupMarker starts every alert issue body: one issue per group.
var groupMarker = regexp.MustCompile(`^<!-- ecosystem-actions:alert-group=[0-9a-f]{16} -->`)

// TestActMonitorEcosystem runs .github/workflows/monitor-ecosystem.yml for a
// schedule event twice under act against the emulator: the chain passes
// outputs and artifacts from step to step and job to job, leaves the
// issues and dispatches the alerts call for, and the second run, on an
// unchanged ecosystem, opens, comments and dispatches nothing.
func TestActMonitorEcosystem(t *testing.T) {
	act := requireActE2E(t)
	root := repoRoot(t)
	work := t.TempDir()
	actionImage(t, root)
	t.Logf("stood in (third-party actions → local folders): %d", len(StandIns))
	for _, s := range StandIns {
		t.Logf("  %s (%s) → %s: %s", s.Key(), s.Version, s.Dir, s.Does)
	}
	for k, v := range SkippedByAct {
		t.Logf("  %s (%s) → skipped by act (the working tree is already there)", k, v)
	}

	fx, err := emulator.LoadFixture(filepath.Join(root, "testdata", "ecosystem", "ecosystem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.StartForTest(t, fx, emulator.Options{})
	env := actEnv{act: act, root: root, work: work, apiURL: srv.URL(),
		standin: buildStandin(t, root, work), artifactPort: freePort(t)}

	before := srv.State()
	res := env.run(t, "schedule", "monitor-ecosystem.yml", "1001")
	after := srv.State()

	// Jobs: the chain ran, the fixer because the monitor's job output said
	// there were failed jobs, Pages and Cloudsmith (variables set); the
	// dispatch-only job did not.
	wantJobs := jobResults{"monitor": "success", "fixer": "success", "alert": "success", "pages": "success", "publish": "success"}
	for id, want := range wantJobs {
		if res[id] != want {
			t.Errorf("job %s: %q, want %q", id, res[id], want)
		}
	}
	if _, ok := res["pull-domain-report"]; ok {
		t.Errorf("pull-domain-report ran on a schedule event")
	}

	// Artifacts: uploaded by one job, downloaded by the next.
	if got, want := artifactNames(t, work, "1001"), []string{"alert-results", "ecosystem-report", "failure-analysis", "github-pages"}; !equal(got, want) {
		t.Errorf("artifacts of run 1001: %v, want %v", got, want)
	}
	reportFiles := artifactFiles(t, work, "1001", "ecosystem-report")
	var report struct {
		Domains  map[string]struct{ Band string } `json:"domains"`
		Failures []json.RawMessage                `json:"failures"`
		Delta    *struct {
			PreviousTimestamp string `json:"previous_timestamp"`
		} `json:"delta"`
	}
	if err := json.Unmarshal(reportFiles["ecosystem_analysis.json"], &report); err != nil {
		t.Fatalf("ecosystem-report/ecosystem_analysis.json: %v", err)
	}
	if len(report.Domains) != len(ecosystemDomains) {
		t.Errorf("the report covers %d domains, want %d", len(report.Domains), len(ecosystemDomains))
	}
	if len(report.Failures) == 0 {
		t.Errorf("the example ecosystem has failed jobs, the report none")
	}
	if _, ok := reportFiles["ecosystem_summary.md"]; !ok {
		t.Errorf("ecosystem-report has no ecosystem_summary.md: %v", keys(reportFiles))
	}
	alertFiles := artifactFiles(t, work, "1001", "alert-results")
	var alertResults map[string]json.RawMessage
	if err := json.Unmarshal(alertFiles["alert_results.json"], &alertResults); err != nil {
		t.Errorf("alert-results/alert_results.json: %v", err)
	}
	// Pages: the dashboard made by the monitor job, deployed by the pages job.
	if _, err := os.Stat(filepath.Join(work, "standin", "pages", "index.html")); err != nil {
		t.Errorf("the dashboard was not deployed: %v", err)
	}
	// Cloudsmith: the report bundle, tagged.
	meta, err := os.ReadFile(filepath.Join(work, "standin", "cloudsmith", "sparesparrow", "ecosystem", "ecosystem-report-1001.1.tar.gz.json"))
	if err != nil {
		t.Errorf("nothing was pushed to Cloudsmith: %v", err)
	} else if !bytes.Contains(meta, []byte(`"tags": "fips:true,platform:linux"`)) {
		t.Errorf("Cloudsmith push without the tags: %s", meta)
	}
	// Job outputs reached the last job's step (it logs them).
	summary := strings.Join(loggedMessages(t, filepath.Join(work, "act-1001.log"), "alert"), "\n")
	if !strings.Contains(summary, "alert level: `critical`") {
		t.Errorf("the alert job did not receive the monitor's alert_level output (want \"alert level: `critical`\" in its log)")
	}

	// Emulator: new issues only in the hub repository, each an alert with a
	// fingerprint, one open issue per fingerprint; every critical or warning
	// domain named by an issue; dispatches only to the targets.
	was, now := issues(before), issues(after)
	var created []issueView
	for k, is := range now {
		if _, ok := was[k]; !ok {
			created = append(created, is)
		}
	}
	if len(created) == 0 {
		t.Errorf("the alert job opened no issue for an ecosystem with critical domains")
	}
	seen := map[string]string{}
	for _, is := range created {
		if is.Repo != hubRepository {
			t.Errorf("issue opened in %s, want only %s: %q", is.Repo, hubRepository, is.Title)
		}
		fp := groupMarker.FindString(is.Body)
		if fp == "" {
			t.Errorf("issue #%d %q does not start with the alert group marker", is.Number, is.Title)
			continue
		}
		if prev, ok := seen[fp]; ok && is.State != "closed" {
			t.Errorf("two open issues for one alert group: %s and #%d", prev, is.Number)
		}
		seen[fp] = fmt.Sprintf("#%d", is.Number)
	}
	for domain, d := range report.Domains {
		if d.Band != "critical" && d.Band != "warning" {
			continue
		}
		named := false
		for k, is := range now { // a new issue, or one this run adopted or updated
			if prev, ok := was[k]; !ok || prev.Body != is.Body {
				named = named || strings.Contains(is.Title+is.Body, domain)
			}
		}
		if !named {
			t.Errorf("%s is %s but no new issue names it", domain, d.Band)
		}
	}
	newDispatches := after.Dispatches[len(before.Dispatches):]
	if len(newDispatches) == 0 {
		t.Errorf("no repository_dispatch reached the targets %v", dispatchTargets)
	}
	for _, d := range newDispatches {
		if !containsRepo(dispatchTargets, d.Repo) || d.Kind != "repository_dispatch" {
			t.Errorf("dispatch %s to %s (%s): want repository_dispatch to %v only", d.Kind, d.Repo, d.EventType, dispatchTargets)
		}
		if len(d.ClientPayload) > 10 {
			t.Errorf("dispatch to %s has %d top-level payload keys (GitHub allows 10)", d.Repo, len(d.ClientPayload))
		}
	}
	// What GitHub now holds is exactly what the alert job says it wrote:
	// nothing else in the chain opened an issue or sent a dispatch.
	var results struct {
		Complete bool `json:"complete"`
		Issues   struct {
			Created []int `json:"created"`
		} `json:"issues"`
		Dispatches []struct {
			Target string `json:"target"`
			Status string `json:"status"`
		} `json:"dispatches"`
	}
	if err := json.Unmarshal(alertFiles["alert_results.json"], &results); err != nil {
		t.Errorf("alert_results.json: %v", err)
	}
	var createdNumbers []string
	for _, is := range created {
		createdNumbers = append(createdNumbers, fmt.Sprint(is.Number))
	}
	var reported []string
	for _, n := range results.Issues.Created {
		reported = append(reported, fmt.Sprint(n))
	}
	sort.Strings(createdNumbers)
	sort.Strings(reported)
	if !equal(createdNumbers, reported) {
		t.Errorf("issues opened in the emulator %v, the alert job reports creating %v", createdNumbers, reported)
	}
	delivered := 0
	for _, d := range results.Dispatches {
		if d.Status == "delivered" {
			delivered++
		}
	}
	if delivered != len(newDispatches) || !results.Complete {
		t.Errorf("the emulator received %d dispatches, the alert job reports %d delivered (complete %v)", len(newDispatches), delivered, results.Complete)
	}
	t.Logf("run 1001: %d issues opened, %d dispatches", len(created), len(newDispatches))

	// Second run, nothing changed in the ecosystem: the history and the
	// ETag cache come back from the first run's cache, and nothing new is
	// written to GitHub.
	res2 := env.run(t, "schedule", "monitor-ecosystem.yml", "1002")
	after2 := srv.State()
	for id, want := range wantJobs {
		if res2[id] != want {
			t.Errorf("second run, job %s: %q, want %q", id, res2[id], want)
		}
	}
	report2 := artifactFiles(t, work, "1002", "ecosystem-report")
	var r2 struct {
		Delta *struct {
			PreviousTimestamp string `json:"previous_timestamp"`
		} `json:"delta"`
	}
	if err := json.Unmarshal(report2["ecosystem_analysis.json"], &r2); err != nil {
		t.Fatal(err)
	}
	if r2.Delta == nil || r2.Delta.PreviousTimestamp == "" {
		t.Errorf("the second report has no delta to the first: the history was not carried between runs")
	}
	now2 := issues(after2)
	for k, is := range now2 {
		prev, ok := now[k]
		switch {
		case !ok:
			t.Errorf("second run opened %s %q", k, is.Title)
		case prev.State != is.State:
			t.Errorf("second run changed %s from %s to %s", k, prev.State, is.State)
		case prev.Comments != is.Comments:
			t.Errorf("second run commented on %s (%d → %d comments)", k, prev.Comments, is.Comments)
		case !equal(prev.Labels, is.Labels):
			t.Errorf("second run relabelled %s: %v → %v", k, prev.Labels, is.Labels)
		}
	}
	if n := len(after2.Dispatches) - len(after.Dispatches); n != 0 {
		t.Errorf("second run sent %d dispatches; nothing changed", n)
	}

	// A domain announces its analysis: repository_dispatch fixer-analysis
	// with its repository and run id. Only pull-domain-report runs; it
	// downloads that run's artifact (download-artifact with repository,
	// run-id, github-token) and alerts on it: the same problems, so nothing
	// new is written.
	event := filepath.Join(work, "fixer-analysis.json")
	payload := `{"action": "fixer-analysis", "client_payload": {"repository": "sparesparrow/openssl-tools", "run_id": "1001", "artifact": "ecosystem-report"}}`
	if err := os.WriteFile(event, []byte(payload), 0o644); err != nil {
		t.Fatal(err)
	}
	res3 := env.run(t, "repository_dispatch", "monitor-ecosystem.yml", "1003", "-e", event, "-s", "ECOSYSTEM_TOKEN=emulator-token")
	after3 := srv.State()
	if res3["pull-domain-report"] != "success" {
		t.Errorf("repository_dispatch fixer-analysis: pull-domain-report %q, want success (jobs %v)", res3["pull-domain-report"], res3)
	}
	for _, id := range []string{"monitor", "fixer", "alert"} {
		if r, ok := res3[id]; ok && r != "skipped" {
			t.Errorf("repository_dispatch fixer-analysis ran job %s (%s)", id, r)
		}
	}
	for k, is := range issues(after3) {
		if prev, ok := now2[k]; !ok {
			t.Errorf("the pulled report opened %s %q; its problems were already alerted", k, is.Title)
		} else if prev.State != is.State || prev.Comments != is.Comments {
			t.Errorf("the pulled report changed %s (state %s → %s, comments %d → %d)", k, prev.State, is.State, prev.Comments, is.Comments)
		}
	}
}

// TestActStaleDetection runs .github/workflows/stale-detection.yml by hand
// (workflow_dispatch, dry_run true) under act: the plan is uploaded as an
// artifact and nothing changes on GitHub.
func TestActStaleDetection(t *testing.T) {
	act := requireActE2E(t)
	root := repoRoot(t)
	work := t.TempDir()
	actionImage(t, root)
	fx, err := emulator.LoadFixture(filepath.Join(root, "testdata", "ecosystem", "ecosystem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.StartForTest(t, fx, emulator.Options{})
	env := actEnv{act: act, root: root, work: work, apiURL: srv.URL(),
		standin: buildStandin(t, root, work), artifactPort: freePort(t)}

	before := srv.State()
	res := env.run(t, "workflow_dispatch", "stale-detection.yml", "2001",
		"--input", "dry_run=true", "--input", "days_until_stale=30", "--input", "days_until_close=7")
	after := srv.State()
	if res["stale"] != "success" {
		t.Errorf("job stale: %q, want success", res["stale"])
	}
	files := artifactFiles(t, work, "2001", "stale-analysis")
	var plan map[string]json.RawMessage
	if err := json.Unmarshal(files["stale_analysis.json"], &plan); err != nil {
		t.Errorf("stale-analysis/stale_analysis.json: %v (files %v)", err, keys(files))
	}
	was, now := issues(before), issues(after)
	if len(now) != len(was) {
		t.Errorf("a dry run changed the number of issues and pull requests: %d → %d", len(was), len(now))
	}
	for k, is := range now {
		if prev := was[k]; prev.State != is.State || prev.Comments != is.Comments || !equal(prev.Labels, is.Labels) {
			t.Errorf("a dry run changed %s", k)
		}
	}
	if len(after.Dispatches) != len(before.Dispatches) || len(after.RefChanges) != len(before.RefChanges) {
		t.Errorf("a dry run sent dispatches or changed refs")
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

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func containsRepo(names []string, full string) bool {
	for _, n := range names {
		if full == n || strings.HasSuffix(full, "/"+n) {
			return true
		}
	}
	return false
}

// TestActMonitorFanout runs .github/workflows/monitor-fanout.yml by hand
// with three shards: the plan job lists the domains, a matrix job per shard
// runs the monitor on its part and uploads it, and the merge job downloads
// them all and merges them into one report of every domain. The workflow
// references our actions as sparesparrow/ecosystem-actions/...@v1 (as a
// caller would); that repository is this checkout (--local-repository), so
// our actions still run from the image built from the root Dockerfile.
func TestActMonitorFanout(t *testing.T) {
	act := requireActE2E(t)
	root := repoRoot(t)
	work := t.TempDir()
	actionImage(t, root)
	fx, err := emulator.LoadFixture(filepath.Join(root, "testdata", "ecosystem", "ecosystem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.StartForTest(t, fx, emulator.Options{})
	env := actEnv{act: act, root: root, work: work, apiURL: srv.URL(),
		standin: buildStandin(t, root, work), artifactPort: freePort(t)}

	res := env.run(t, "workflow_dispatch", "monitor-fanout.yml", "3001",
		"--input", "shards=3", "--local-repository", ownRepository+"@v1="+root)
	for _, id := range []string{"plan", "shard", "merge"} {
		if res[id] != "success" {
			t.Errorf("job %s: %q, want success", id, res[id])
		}
	}
	want := []string{"ecosystem-report", "ecosystem-shard-1-of-3", "ecosystem-shard-2-of-3", "ecosystem-shard-3-of-3"}
	if got := artifactNames(t, work, "3001"); !equal(got, want) {
		t.Errorf("artifacts: %v, want %v", got, want)
	}
	domainsOf := func(data []byte) []string {
		var r struct {
			Domains map[string]json.RawMessage `json:"domains"`
			Partial bool                       `json:"partial"`
		}
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("report: %v", err)
		}
		if r.Partial {
			t.Errorf("a report is partial")
		}
		return keys(r.Domains)
	}
	var fromShards []string
	for _, name := range want[1:] {
		fromShards = append(fromShards, domainsOf(artifactFiles(t, work, "3001", name)["ecosystem_analysis.json"])...)
	}
	sort.Strings(fromShards)
	merged := domainsOf(artifactFiles(t, work, "3001", "ecosystem-report")["ecosystem_analysis.json"])
	if len(merged) != len(ecosystemDomains) || !equal(merged, fromShards) {
		t.Errorf("merged report domains %v; the shards had %v (each domain in exactly one shard), want all %d", merged, fromShards, len(ecosystemDomains))
	}
}

// TestActSelfTest runs .github/workflows/self-test.yml (workflow_dispatch):
// the four actions from this checkout, each step fed by the previous one's
// outputs, read-only: the reports of all four are uploaded and nothing
// changes on GitHub.
func TestActSelfTest(t *testing.T) {
	act := requireActE2E(t)
	root := repoRoot(t)
	work := t.TempDir()
	actionImage(t, root)
	fx, err := emulator.LoadFixture(filepath.Join(root, "testdata", "ecosystem", "ecosystem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.StartForTest(t, fx, emulator.Options{})
	env := actEnv{act: act, root: root, work: work, apiURL: srv.URL(),
		standin: buildStandin(t, root, work), artifactPort: freePort(t)}

	before := srv.State()
	res := env.run(t, "workflow_dispatch", "self-test.yml", "4001")
	after := srv.State()
	if res["chain"] != "success" {
		t.Errorf("job chain: %q, want success", res["chain"])
	}
	files := artifactFiles(t, work, "4001", "self-test-reports")
	for _, f := range []string{"monitor/ecosystem_analysis.json", "fixer/failure_analysis.json", "stale/stale_analysis.json", "alert_results.json"} {
		if _, ok := files[f]; !ok {
			t.Errorf("self-test-reports has no %s: %v", f, keys(files))
		}
	}
	was, now := issues(before), issues(after)
	if len(now) != len(was) {
		t.Errorf("the read-only self-test changed the number of issues: %d → %d", len(was), len(now))
	}
	for k, is := range now {
		if prev := was[k]; prev.State != is.State || prev.Comments != is.Comments || !equal(prev.Labels, is.Labels) {
			t.Errorf("the read-only self-test changed %s", k)
		}
	}
	if len(after.Dispatches) != len(before.Dispatches) {
		t.Errorf("the read-only self-test sent %d dispatches", len(after.Dispatches)-len(before.Dispatches))
	}
}
