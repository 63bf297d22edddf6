package acttest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// groupMarker starts every alert issue body: one issue per group.
var groupMarker = regexp.MustCompile(`^<!-- ecosystem-actions:alert-group=[0-9a-f]{16} -->`)

// outputLines returns the "output name=value" lines a caller's report job
// printed, by name.
func outputLines(log string) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(log, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "| output "); ok {
			k, v, _ := strings.Cut(rest, "=")
			out[k] = v
		} else if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "output "); ok {
			k, v, _ := strings.Cut(rest, "=")
			out[k] = v
		}
	}
	return out
}

// ecosystemReport is what the tests read of ecosystem_analysis.json.
type ecosystemReport struct {
	Domains map[string]struct {
		Band    string                     `json:"band"`
		Signals map[string]contract.Signal `json:"signals"`
		// Workflows: FailingSince is set for a workflow red on the
		// default branch.
		Workflows []struct {
			Workflow     string  `json:"workflow"`
			FailingSince *string `json:"failing_since"`
		} `json:"workflows"`
	} `json:"domains"`
	Failures []json.RawMessage `json:"failures"`
	Partial  bool              `json:"partial"`
	Delta    *struct {
		PreviousTimestamp string `json:"previous_timestamp"`
	} `json:"delta"`
}

// apiSignals are the monitor's signals read from other APIs than the events
// feed, which need the token permissions deployments, statuses and checks.
var apiSignals = []string{"DeploymentEvent", "DeploymentStatusEvent", "StatusEvent", "CheckRunEvent", "CheckSuiteEvent"}

// checkAPISignals: every domain's signals outside the events feed were read
// (the monitor job grants, and mints the App token with, the permissions
// they need), none refused.
func checkAPISignals(t *testing.T, what string, r ecosystemReport) {
	t.Helper()
	for name, d := range r.Domains {
		for _, sig := range apiSignals {
			s, ok := d.Signals[sig]
			if !ok || s.Value == nil || s.Status != 0 || s.Permission != "" {
				t.Errorf("%s: %s signal %s not read: value %v, source %q, status %d, permission %q, reason %q",
					what, name, sig, s.Value, s.Source, s.Status, s.Permission, s.Reason)
			}
		}
	}
}

// pagesIndex returns index.html of the github-pages artifact of run runID
// (upload-pages-artifact's artifact.tar inside the artifact).
func (w *world) pagesIndex(runID string) []byte {
	w.t.Helper()
	tarball, ok := w.artifactFiles(runID, "github-pages")["artifact.tar"]
	if !ok {
		w.t.Fatalf("the github-pages artifact of run %s has no artifact.tar", runID)
	}
	tr := tar.NewReader(bytes.NewReader(tarball))
	for {
		h, err := tr.Next()
		if err != nil {
			w.t.Fatalf("artifact.tar of run %s has no index.html: %v", runID, err)
		}
		if path.Clean(h.Name) == "index.html" {
			data, err := io.ReadAll(tr)
			if err != nil {
				w.t.Fatal(err)
			}
			return data
		}
	}
}

// checkPageRootCauses: the dashboard page shows the fixer's root cause of
// every failure group the fixer analysed, among them a workflow that is red
// on its default branch.
func checkPageRootCauses(t *testing.T, what string, page, fixerReport []byte, r ecosystemReport) {
	t.Helper()
	doc, err := contract.Decode(fixerReport, "failure_analysis.json")
	if err != nil || doc.Failure == nil {
		t.Fatalf("%s: the fixer's report: %v", what, err)
	}
	shown, err := containertest.FixerCausesShown(page, doc.Failure)
	if err != nil {
		t.Errorf("%s: %v", what, err)
	}
	var red []string
	for _, g := range shown {
		for _, wf := range r.Domains[g.Domain].Workflows {
			if wf.Workflow == g.Workflow && wf.FailingSince != nil {
				red = append(red, g.Domain+" / "+g.Workflow+": "+g.Cause)
			}
		}
	}
	if len(red) == 0 {
		t.Errorf("%s: no workflow failing on its default branch shows the fixer's root cause (groups with it: %+v)", what, shown)
	}
	t.Logf("%s: %d failure groups show the fixer's root cause; red on the default branch: %s", what, len(shown), strings.Join(red, "; "))
}

func decode[T any](t *testing.T, what string, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// TestActMonitorEcosystem runs .github/workflows/monitor-ecosystem.yml (and
// the reusable-cloudsmith-publish.yml it calls) under act against the
// emulator: a scheduled run passes outputs and artifacts from job to job
// and leaves the issues and dispatches the alerts call for; a second run on
// an unchanged ecosystem writes nothing; then a domain runs its own chain
// through reusable-monitor.yml (testdata/act/callers/domain-monitor.yml)
// and announces it with repository_dispatch fixer-analysis, and the hub's
// pull-domain-report job downloads that domain run's artifact and alerts on
// it.
func TestActMonitorEcosystem(t *testing.T) {
	s := requireAct(t)
	w := newWorld(t, s)
	t.Logf("stood in (third-party actions → local folders): %d", len(StandIns))
	for _, si := range StandIns {
		t.Logf("  %s (%s) → %s: %s", si.Key(), si.Version, si.Dir, si.Does)
	}

	before := w.srv.State()
	res := w.act(run{event: "schedule", workflow: ".github/workflows/monitor-ecosystem.yml", runID: "1001"})
	after := w.srv.State()
	// monitor, fixer and alert each mint a token (the App's installation,
	// narrowed to what the job needs) and revoke it when the job ends.
	next := w.checkAppTokens("run 1001", 0, 3)

	// Jobs: the chain ran, the fixer because the monitor's job output said
	// there were failed jobs, Pages and Cloudsmith (variables set; publish
	// is the job of the called reusable workflow); the dispatch-only job
	// did not.
	chain := jobResults{"monitor": "success", "fixer": "success", "alert": "success", "pages": "success", "publish": "success"}
	wantJobs(t, res, chain)
	if _, ok := res["pull-domain-report"]; ok {
		t.Errorf("pull-domain-report ran on a schedule event")
	}

	// Artifacts: uploaded by one job, downloaded by the next.
	if got, want := w.artifactNames("1001"), []string{"alert-results", "ecosystem-report", "failure-analysis", "github-pages"}; !equal(got, want) {
		t.Errorf("artifacts of run 1001: %v, want %v", got, want)
	}
	reportFiles := w.artifactFiles("1001", "ecosystem-report")
	report := decode[ecosystemReport](t, "ecosystem-report/ecosystem_analysis.json", reportFiles["ecosystem_analysis.json"])
	if len(report.Domains) != len(ecosystemDomains) {
		t.Errorf("the report covers %d domains, want %d", len(report.Domains), len(ecosystemDomains))
	}
	if len(report.Failures) == 0 {
		t.Errorf("the example ecosystem has failed jobs, the report none")
	}
	if _, ok := reportFiles["ecosystem_summary.md"]; !ok {
		t.Errorf("ecosystem-report has no ecosystem_summary.md: %v", keys(reportFiles))
	}
	analysis := w.artifactFiles("1001", "failure-analysis")
	if _, ok := analysis["failure_analysis.json"]; !ok {
		t.Errorf("failure-analysis has no failure_analysis.json: %v", keys(analysis))
	}
	alertFiles := w.artifactFiles("1001", "alert-results")
	checkAPISignals(t, "run 1001", report)
	// Pages: the dashboard re-rendered by the pages job after the fixer,
	// with the fixer's root causes, uploaded and deployed.
	page := w.pagesIndex("1001")
	checkPageRootCauses(t, "run 1001's github-pages artifact", page, analysis["failure_analysis.json"], report)
	if deployed, err := os.ReadFile(filepath.Join(w.work, "standin", "pages", "index.html")); err != nil {
		t.Errorf("the dashboard was not deployed: %v", err)
	} else if !bytes.Equal(deployed, page) {
		t.Errorf("the deployed index.html is not the one of the github-pages artifact")
	}
	// Cloudsmith: the report bundle, tagged, pushed with the OIDC settings
	// the setup step exported.
	meta, err := os.ReadFile(filepath.Join(w.work, "standin", "cloudsmith", "sparesparrow", "ecosystem", "ecosystem-report-1001.1.tar.gz.json"))
	if err != nil {
		t.Errorf("nothing was pushed to Cloudsmith: %v", err)
	} else {
		m := decode[struct {
			Tags string            `json:"tags"`
			Auth map[string]string `json:"auth"`
		}](t, "the Cloudsmith push", meta)
		if m.Tags != "fips:true,platform:linux" || m.Auth["method"] != "oidc" || m.Auth["service_slug"] != "ecosystem-actions-ci" {
			t.Errorf("Cloudsmith push: tags %q, auth %v; want fips:true,platform:linux over OIDC as ecosystem-actions-ci", m.Tags, m.Auth)
		}
	}
	// Job outputs reached the last job's step (it logs them).
	if summary := w.logged("1001", "alert"); !strings.Contains(summary, "alert level: `critical`") {
		t.Errorf("the alert job did not receive the monitor's alert_level output (want \"alert level: `critical`\" in its log)")
	}

	// Emulator: new issues only in the hub repository, each an alert with a
	// fingerprint, one open issue per fingerprint; every critical or warning
	// domain named by an issue; dispatches only to the targets.
	created := newIssues(before, after)
	if len(created) == 0 {
		t.Errorf("the alert job opened no issue for an ecosystem with critical domains")
	}
	seen := map[string]string{}
	for _, is := range created {
		if is.Repo != hubRepository {
			t.Errorf("issue opened in %s, want only %s: %q", is.Repo, hubRepository, is.Title)
		}
		if is.User != w.app.slug+"[bot]" {
			t.Errorf("issue #%d was opened by %s, want the App's installation %s[bot]", is.Number, is.User, w.app.slug)
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
		was := issues(before)
		for k, is := range issues(after) { // a new issue, or one this run adopted or updated
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
		if d.Actor != w.app.slug+"[bot]" {
			t.Errorf("dispatch to %s sent by %s, want the App's installation %s[bot]", d.Repo, d.Actor, w.app.slug)
		}
		if len(d.ClientPayload) > 10 {
			t.Errorf("dispatch to %s has %d top-level payload keys (GitHub allows 10)", d.Repo, len(d.ClientPayload))
		}
	}
	// What GitHub now holds is exactly what the alert job says it wrote:
	// nothing else in the chain opened an issue or sent a dispatch.
	results := decode[struct {
		Complete bool `json:"complete"`
		Issues   struct {
			Created []int `json:"created"`
		} `json:"issues"`
		Dispatches []struct {
			Target string `json:"target"`
			Status string `json:"status"`
		} `json:"dispatches"`
	}](t, "alert-results/alert_results.json", alertFiles["alert_results.json"])
	var createdNumbers, reported []string
	for _, is := range created {
		createdNumbers = append(createdNumbers, fmt.Sprint(is.Number))
	}
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
	// written to GitHub. The schedule runs every four hours.
	w.advance(4 * time.Hour)
	res2 := w.act(run{event: "schedule", workflow: ".github/workflows/monitor-ecosystem.yml", runID: "1002"})
	after2 := w.srv.State()
	wantJobs(t, res2, chain)
	next = w.checkAppTokens("run 1002", next, 3)
	r2 := decode[ecosystemReport](t, "run 1002's report", w.artifactFiles("1002", "ecosystem-report")["ecosystem_analysis.json"])
	if r2.Delta == nil || r2.Delta.PreviousTimestamp == "" {
		t.Errorf("the second report has no delta to the first: the history was not carried between runs")
	}
	unchanged(t, "the second run", after, after2)

	// A domain runs the chain on itself through reusable-monitor (called
	// from its own workflow): its issues go to its own repository, and the
	// called workflow's outputs reach the caller's next job.
	const domain = "sparesparrow/openssl-tools"
	w.advance(time.Hour)
	res3 := w.act(run{event: "workflow_dispatch", workflow: "testdata/act/callers/domain-monitor.yml", runID: "5001", repo: domain})
	after3 := w.srv.State()
	wantJobs(t, res3, jobResults{"monitor": "success", "fixer": "success", "alert": "success", "pages": "success", "deploy": "success", "report": "success"})
	next = w.checkAppTokens("the domain's run 5001 (reusable-monitor)", next, 3)
	domainReport := decode[ecosystemReport](t, "run 5001's report", w.artifactFiles("5001", "ecosystem-report")["ecosystem_analysis.json"])
	if got := keys(domainReport.Domains); !equal(got, []string{domain}) {
		t.Errorf("the domain's own report covers %v, want only %s", got, domain)
	}
	checkAPISignals(t, "run 5001 (reusable-monitor)", domainReport)
	// pages: true: the dashboard with the domain's root causes, deployed by
	// the caller's own deploy job.
	domainPage := w.pagesIndex("5001")
	checkPageRootCauses(t, "run 5001's github-pages artifact (reusable-monitor)", domainPage,
		w.artifactFiles("5001", "failure-analysis")["failure_analysis.json"], domainReport)
	if deployed, err := os.ReadFile(filepath.Join(w.work, "standin", "pages", "index.html")); err != nil || !bytes.Equal(deployed, domainPage) {
		t.Errorf("the caller's deploy job did not deploy the domain's dashboard (%v)", err)
	}
	outputs := outputLines(w.logged("5001", "report"))
	if outputs["alert_level"] != "critical" && outputs["alert_level"] != "warning" {
		t.Errorf("the caller's report job got alert_level %q from reusable-monitor, want the domain's band (warning or critical); outputs %v", outputs["alert_level"], outputs)
	}
	if outputs["failed_jobs"] == "" || outputs["failed_jobs"] == "0" || outputs["top_category"] == "" {
		t.Errorf("the caller's report job got failed_jobs %q, top_category %q from reusable-monitor; want the domain's failures", outputs["failed_jobs"], outputs["top_category"])
	}
	domainIssues := newIssues(after2, after3)
	if len(domainIssues) == 0 {
		t.Errorf("reusable-monitor opened no issue in %s", domain)
	}
	for _, is := range domainIssues {
		if is.Repo != domain {
			t.Errorf("reusable-monitor, called in %s, opened %s#%d %q", domain, is.Repo, is.Number, is.Title)
		}
	}
	if n := len(after3.Dispatches) - len(after2.Dispatches); n != 0 {
		t.Errorf("reusable-monitor sent %d dispatches; it alerts with issues only", n)
	}

	// The domain announces its analysis: repository_dispatch fixer-analysis
	// with its repository and run id. Only pull-domain-report runs; it
	// downloads that run's artifact (download-artifact with repository,
	// run-id, github-token) and alerts on it in the hub.
	payload := `{"action": "fixer-analysis", "client_payload": {"repository": "` + domain + `", "run_id": "5001", "artifact": "failure-analysis"}}`
	res4 := w.act(run{event: "repository_dispatch", workflow: ".github/workflows/monitor-ecosystem.yml", runID: "1003", eventJSON: payload})
	after4 := w.srv.State()
	wantJobs(t, res4, jobResults{"pull-domain-report": "success"})
	w.checkAppTokens("run 1003 (pull-domain-report)", next, 1)
	for _, id := range []string{"monitor", "fixer", "alert"} {
		if r, ok := res4[id]; ok && r != "skipped" {
			t.Errorf("repository_dispatch fixer-analysis ran job %s (%s)", id, r)
		}
	}
	if log := w.logged("1003", "pull-domain-report"); !strings.Contains(log, "downloading from run 5001 of "+domain) {
		t.Errorf("pull-domain-report did not download from the domain's run 5001")
	}
	for _, is := range newIssues(after3, after4) {
		if is.Repo != hubRepository {
			t.Errorf("the pulled report opened %s#%d outside the hub", is.Repo, is.Number)
		}
	}
	for k, is := range issues(after4) {
		if prev, ok := issues(after3)[k]; ok && prev.Repo != hubRepository && (prev.State != is.State || prev.Comments != is.Comments) {
			t.Errorf("the hub's alert on the pulled report changed the domain's %s", k)
		}
	}
}

// TestActStaleDetection runs .github/workflows/stale-detection.yml by hand
// (workflow_dispatch, dry_run true: the plan is uploaded and nothing
// changes), then on its schedule (acting): the emulator changes exactly as
// the dry run's plan said.
func TestActStaleDetection(t *testing.T) {
	s := requireAct(t)
	w := newWorld(t, s)

	before := w.srv.State()
	res := w.act(run{event: "workflow_dispatch", workflow: ".github/workflows/stale-detection.yml", runID: "2001",
		inputs: map[string]string{"dry_run": "true", "days_until_stale": "30", "days_until_close": "7"}})
	after := w.srv.State()
	wantJobs(t, res, jobResults{"stale": "success"})
	plan := decode[stalePlan](t, "stale-analysis/stale_analysis.json", w.artifactFiles("2001", "stale-analysis")["stale_analysis.json"])
	unchanged(t, "a dry run", before, after)
	if len(plan.decided("warn")) == 0 {
		t.Fatalf("the dry run plans no warning on the example ecosystem; the scheduled run would prove nothing (plan %+v)", plan)
	}

	next := w.checkAppTokens("run 2001", 0, 1)
	res2 := w.act(run{event: "schedule", workflow: ".github/workflows/stale-detection.yml", runID: "2002"})
	after2 := w.srv.State()
	wantJobs(t, res2, jobResults{"stale": "success"})
	w.checkAppTokens("run 2002", next, 1)
	for k, is := range issues(after2) {
		if prev := issues(after)[k]; is.Comments > prev.Comments && !strings.Contains(w.lastCommentAuthor(after2, k), w.app.slug+"[bot]") {
			t.Errorf("%s was warned by %s, want the App's installation %s[bot]", k, w.lastCommentAuthor(after2, k), w.app.slug)
		}
	}
	checkPlanApplied(t, "the scheduled run", plan, after, after2)
	applied := decode[stalePlan](t, "run 2002's stale_analysis.json", w.artifactFiles("2002", "stale-analysis")["stale_analysis.json"])
	if got, want := applied.decided("warn"), plan.decided("warn"); !equal(got, want) {
		t.Errorf("the scheduled run decided to warn %v, the dry run planned %v", got, want)
	}
}

// stalePlan is what the tests read of stale_analysis.json: the plan's
// items and tracking issues.
type stalePlan struct {
	DryRun bool `json:"dry_run"`
	Plan   struct {
		Items []struct {
			Repository string `json:"repository"`
			Kind       string `json:"kind"`
			Number     int    `json:"number"`
			Decision   string `json:"decision"`
		} `json:"items"`
		Tracking []struct {
			Repository string `json:"repository"`
			Number     int    `json:"number"`
		} `json:"tracking_issues"`
	} `json:"plan"`
}

// decided returns "owner/repo#N" of every pull request or issue the plan
// gives decision.
func (p stalePlan) decided(decision string) []string {
	var out []string
	for _, it := range p.Plan.Items {
		if it.Decision == decision && it.Number != 0 {
			out = append(out, fmt.Sprintf("%s#%d", it.Repository, it.Number))
		}
	}
	sort.Strings(out)
	return out
}

// checkPlanApplied: between before and after, each pull request or issue
// changed exactly as the dry run's plan said: "warn" got a comment and has
// the stale label, "unstale" lost the label, "close" was closed; nothing
// else changed, besides the branch tracking issues (found by their title).
func checkPlanApplied(t *testing.T, what string, plan stalePlan, before, after emulator.State) {
	t.Helper()
	decision := map[string]string{}
	for _, it := range plan.Plan.Items {
		if it.Number != 0 {
			decision[fmt.Sprintf("%s#%d", it.Repository, it.Number)] = it.Decision
		}
	}
	was, now := issues(before), issues(after)
	for k, is := range now {
		prev, existed := was[k]
		if !existed {
			if !strings.Contains(strings.ToLower(is.Title), "stale branches") {
				t.Errorf("%s opened %s %q", what, k, is.Title)
			}
			continue
		}
		if strings.Contains(strings.ToLower(is.Title), "stale branches") {
			continue
		}
		unlabelled := !containsString(is.Labels, "stale") && containsString(prev.Labels, "stale")
		commented := is.Comments > prev.Comments
		closed := prev.State != "closed" && is.State == "closed"
		same := equal(prev.Labels, is.Labels) && !commented && prev.State == is.State
		var ok bool
		switch d := decision[k]; d {
		case "warn":
			// The label may be there already (put by someone else, or a
			// warning that is not the action's own): the warning comment is.
			ok = containsString(is.Labels, "stale") && commented && !closed
		case "unstale":
			ok = unlabelled && !closed
		case "close":
			ok = closed
		default:
			ok = same
		}
		if !ok {
			t.Errorf("%s: %s (plan: %q) labels %v → %v, comments %d → %d, state %q → %q", what, k, decision[k], prev.Labels, is.Labels, prev.Comments, is.Comments, prev.State, is.State)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestActReusableStale calls reusable-stale.yml from another repository's
// workflow (testdata/act/callers/stale.yml), acting on two repositories:
// the called workflow's outputs reach the caller's next job and list
// exactly what changed on the emulator.
func TestActReusableStale(t *testing.T) {
	s := requireAct(t)
	w := newWorld(t, s)
	before := w.srv.State()
	res := w.act(run{event: "workflow_dispatch", workflow: "testdata/act/callers/stale.yml", runID: "6001", repo: "sparesparrow/openssl-tools"})
	after := w.srv.State()
	wantJobs(t, res, jobResults{"stale": "success", "report": "success"})
	w.checkAppTokens("run 6001 (reusable-stale)", 0, 1)
	out := outputLines(w.logged("6001", "report"))
	type item struct {
		Repository string `json:"repository"`
		Number     int    `json:"number"`
	}
	staled := decode[[]item](t, "staled_prs output", []byte(out["staled_prs"]))
	closed := decode[[]item](t, "closed_prs output", []byte(out["closed_prs"]))
	var listed []string
	for _, it := range staled {
		listed = append(listed, fmt.Sprintf("%s#%d", it.Repository, it.Number))
		if !strings.HasSuffix(it.Repository, "/openssl-tools") && !strings.HasSuffix(it.Repository, "/openssl-conan-base") {
			t.Errorf("staled_prs names %s, outside the two repositories", it.Repository)
		}
	}
	sort.Strings(listed)
	if len(listed) == 0 {
		t.Errorf("staled_prs is empty: the example ecosystem has stale pull requests in openssl-tools and openssl-conan-base (outputs %v)", out)
	}
	was, now := issues(before), issues(after)
	var changed []string
	for k, is := range now {
		prev := was[k]
		if is.Comments > prev.Comments && containsString(is.Labels, "stale") && is.State != "closed" {
			changed = append(changed, k)
		}
	}
	sort.Strings(changed)
	if !equal(changed, listed) {
		t.Errorf("the emulator shows %v warned, staled_prs lists %v", changed, listed)
	}
	for _, it := range closed {
		k := fmt.Sprintf("%s#%d", it.Repository, it.Number)
		if now[k].State != "closed" {
			t.Errorf("closed_prs lists %s, which is %q on the emulator", k, now[k].State)
		}
	}
}

// TestActMonitorFanout runs .github/workflows/monitor-fanout.yml by hand
// with three shards, and from a caller's workflow (workflow_call,
// testdata/act/callers/fanout.yml): the plan job lists the domains, a
// matrix job per shard monitors its part and uploads it, and the merge job
// merges them into one report of every domain, whose outputs reach the
// caller. The workflow references our actions as
// sparesparrow/ecosystem-actions/...@v1 (as a caller would); that
// repository is this checkout, so our actions still run from the image
// built from the root Dockerfile.
func TestActMonitorFanout(t *testing.T) {
	s := requireAct(t)
	w := newWorld(t, s)
	domainsOf := func(runID, artifact string) []string {
		r := decode[ecosystemReport](t, artifact, w.artifactFiles(runID, artifact)["ecosystem_analysis.json"])
		if r.Partial {
			t.Errorf("%s of run %s is partial", artifact, runID)
		}
		return keys(r.Domains)
	}
	check := func(runID string) {
		want := []string{"ecosystem-report", "ecosystem-shard-1-of-3", "ecosystem-shard-2-of-3", "ecosystem-shard-3-of-3"}
		if got := w.artifactNames(runID); !equal(got, want) {
			t.Errorf("run %s artifacts: %v, want %v", runID, got, want)
		}
		var fromShards []string
		for _, name := range want[1:] {
			fromShards = append(fromShards, domainsOf(runID, name)...)
		}
		sort.Strings(fromShards)
		merged := domainsOf(runID, "ecosystem-report")
		if len(merged) != len(ecosystemDomains) || !equal(merged, fromShards) {
			t.Errorf("run %s: merged report domains %v; the shards had %v (each domain in exactly one shard), want all %d", runID, merged, fromShards, len(ecosystemDomains))
		}
	}

	before := w.srv.State()
	res := w.act(run{event: "workflow_dispatch", workflow: ".github/workflows/monitor-fanout.yml", runID: "3001",
		inputs: map[string]string{"shards": "3"}})
	wantJobs(t, res, jobResults{"plan": "success", "shard": "success", "merge": "success"})
	check("3001")
	// By hand, monitor-fanout reads with github.token (no app_client_id).
	minted, _, _, next := w.tokenCalls(0)
	if minted != 0 {
		t.Errorf("run 3001 minted %d App tokens without app_client_id", minted)
	}

	res2 := w.act(run{event: "workflow_dispatch", workflow: "testdata/act/callers/fanout.yml", runID: "3002"})
	wantJobs(t, res2, jobResults{"plan": "success", "shard": "success", "merge": "success", "report": "success"})
	check("3002")
	w.checkAppTokens("run 3002 (monitor-fanout called with app_client_id)", next, 3)
	out := outputLines(w.logged("3002", "report"))
	if out["alert_level"] != "critical" {
		t.Errorf("the caller got alert_level %q from monitor-fanout, want critical (the example ecosystem's merged level); outputs %v", out["alert_level"], out)
	}
	unhealthy := decode[[]string](t, "unhealthy_domains output", []byte(out["unhealthy_domains"]))
	if len(unhealthy) == 0 {
		t.Errorf("the caller got no unhealthy_domains from monitor-fanout")
	}
	unchanged(t, "the read-only fan-out", before, w.srv.State())
}

// TestActSelfTest runs .github/workflows/self-test.yml (workflow_dispatch):
// the four actions from this checkout, each step fed by the previous one's
// outputs, read-only: the reports of all four are uploaded and nothing
// changes on GitHub.
func TestActSelfTest(t *testing.T) {
	s := requireAct(t)
	w := newWorld(t, s)
	before := w.srv.State()
	res := w.act(run{event: "workflow_dispatch", workflow: ".github/workflows/self-test.yml", runID: "4001"})
	wantJobs(t, res, jobResults{"chain": "success"})
	files := w.artifactFiles("4001", "self-test-reports")
	for _, f := range []string{"monitor/ecosystem_analysis.json", "fixer/failure_analysis.json", "stale/stale_analysis.json", "alert_results.json"} {
		if _, ok := files[f]; !ok {
			t.Errorf("self-test-reports has no %s: %v", f, keys(files))
		}
	}
	unchanged(t, "the read-only self-test", before, w.srv.State())
}
