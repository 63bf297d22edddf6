package alert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract/contracttest"
	"github.com/sparesparrow/ecosystem-actions/pkg/dispatch"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

type targetStatus struct{ Kind, Target, Status string }

func statuses(rs []DispatchResult) []targetStatus {
	var out []targetStatus
	for _, r := range rs {
		out = append(out, targetStatus{r.Kind, r.Target, string(r.Status)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Target < out[j].Target
	})
	return out
}

func dispatchConfig(e *env, t *testing.T, runID int64) Config {
	cfg := e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}), runID)
	cfg.Channels = []string{ChannelIssue, ChannelRepositoryDispatch, ChannelWorkflowDispatch}
	cfg.DispatchTargets = []string{"eco/one", "eco/two", "eco/three"}
	cfg.Workflow, cfg.WorkflowRef, cfg.WorkflowInputs = "triage.yml", "main", `{"source_repository":"eco/alerts","release_type":"domain"}`
	return cfg
}

// TestChannels_half_way_failure: one target fails; the others are
// delivered, the result says exactly which, the run is incomplete, and a
// re-run of the same run id delivers only what is missing.
func TestChannels_half_way_failure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{Faults: []emulator.Fault{{PathRegex: `^/repos/eco/two/(dispatches|actions/workflows/.*/dispatches)$`, Kind: emulator.FaultInternalError}}})
	cfg := dispatchConfig(e, t, 77)
	res, err := e.run(t, cfg)
	var inc *IncompleteError
	if !errors.As(err, &inc) || !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v, want an *IncompleteError", err)
	}
	want := []targetStatus{
		{"repository_dispatch", "eco/one", "delivered"}, {"repository_dispatch", "eco/three", "delivered"}, {"repository_dispatch", "eco/two", "failed"},
		{"workflow_dispatch", "eco/one", "delivered"}, {"workflow_dispatch", "eco/three", "delivered"}, {"workflow_dispatch", "eco/two", "failed"},
	}
	if diff := cmp.Diff(want, statuses(res.Dispatches)); diff != "" {
		t.Errorf("dispatch results (-want +got):\n%s", diff)
	}
	if res.Complete {
		t.Error("result says complete")
	}
	for _, d := range res.Dispatches {
		if d.Target == "eco/two" && !strings.Contains(d.Error, "HTTP 500") {
			t.Errorf("failed target error %q", d.Error)
		}
	}
	// The result file says the same.
	var onDisk Result
	data, rerr := os.ReadFile(filepath.Join(cfg.OutputDir, ResultsFile))
	if rerr != nil {
		t.Fatal(rerr)
	}
	if err := json.Unmarshal(data, &onDisk); err != nil {
		t.Fatal(err)
	}
	// It follows its schema, and the contract's view of it agrees with the
	// result: the contract type cannot drift from what the alert writes.
	contracttest.Check(t, contract.KindAlert, data)
	doc, err := contract.Decode(data, ResultsFile)
	if err != nil || doc.Alert == nil {
		t.Fatalf("contract.Decode(%s) = %v, %v", ResultsFile, doc, err)
	}
	var outcomes []contract.AlertOutcome
	for _, a := range res.Alerts {
		outcomes = append(outcomes, contract.AlertOutcome{Fingerprint: a.Fingerprint, Type: string(a.Type), Level: string(a.Level),
			Title: a.Title, Domain: a.Scope, Source: string(a.Source), Problem: a.Problem, Action: a.Action, Issue: a.Issue, IssueURL: a.IssueURL})
	}
	if diff := cmp.Diff(outcomes, doc.Alert.Alerts); diff != "" || doc.Alert.AlertCount != res.AlertCount || doc.Alert.Complete != res.Complete {
		t.Errorf("contract view of %s differs from the result (-result +contract):\n%s", ResultsFile, diff)
	}
	if diff := cmp.Diff(want, statuses(onDisk.Dispatches)); diff != "" || onDisk.Complete {
		t.Errorf("alert_results.json dispatches (-want +got):\n%s complete=%v", diff, onDisk.Complete)
	}
	a := res.Alerts[0]
	if a.Action != ActionCreated || a.ResponseSeconds == nil {
		t.Errorf("alert %+v", a)
	}
	payload := e.srv.Dispatches()[0]
	alerts, _ := payload.ClientPayload["alerts"].([]any)
	if len(payload.ClientPayload) > dispatch.MaxPayloadKeys || len(alerts) != 1 || alerts[0].(map[string]any)["fingerprint"] != a.Fingerprint ||
		payload.EventType != "ecosystem-alert" || payload.ClientPayload["run_id"] != float64(77) {
		t.Errorf("payload %s %+v", payload.EventType, payload.ClientPayload)
	}

	// The fault is fixed; the same run is re-run: eco/two gets its events,
	// eco/one and eco/three get nothing twice, and no issue is created or
	// commented.
	if err := e.srv.SetFaults(nil); err != nil {
		t.Fatal(err)
	}
	issuesBefore := e.issues(t, "eco/alerts")
	res, err = e.run(t, dispatchConfig(e, t, 77))
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	want = []targetStatus{{"repository_dispatch", "eco/two", "delivered"}, {"workflow_dispatch", "eco/two", "delivered"}}
	if diff := cmp.Diff(want, statuses(res.Dispatches)); diff != "" {
		t.Errorf("re-run dispatch results (-want +got):\n%s", diff)
	}
	count := map[string]int{}
	for _, d := range e.srv.Dispatches() {
		count[d.Kind+" "+d.Repo]++
	}
	wantCount := map[string]int{"repository_dispatch eco/one": 1, "repository_dispatch eco/two": 1, "repository_dispatch eco/three": 1,
		"workflow_dispatch eco/one": 1, "workflow_dispatch eco/two": 1, "workflow_dispatch eco/three": 1}
	if diff := cmp.Diff(wantCount, count); diff != "" {
		t.Errorf("dispatches received (-want +got):\n%s", diff)
	}
	issuesAfter := e.issues(t, "eco/alerts")
	if len(issuesAfter) != len(issuesBefore) || len(issuesAfter[0].Comments) != 0 {
		t.Errorf("re-run changed issues: %d → %d, comments %d", len(issuesBefore), len(issuesAfter), len(issuesAfter[0].Comments))
	}

	// A third run of the same id: nothing at all is sent.
	before := len(e.srv.Dispatches())
	res, err = e.run(t, dispatchConfig(e, t, 77))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.Dispatches()) - before; n != 0 || len(res.Dispatches) != 0 {
		t.Errorf("third run sent %d dispatches (%d results)", n, len(res.Dispatches))
	}
}

func TestChannels_dry_run_plans_without_writing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("dry run sent a webhook") }))
	t.Cleanup(hook.Close)
	cfg := dispatchConfig(e, t, 5)
	cfg.DryRun = true
	cfg.Channels = append(cfg.Channels, ChannelWebhook)
	cfg.SlackWebhooks = []string{hook.URL + "/slack"}
	res, err := e.run(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w := e.writes(); w != 0 {
		t.Errorf("dry run made %d writes", w)
	}
	var planned []string
	for _, c := range res.Calls {
		if c.Status != "planned" {
			t.Errorf("call %+v is not planned", c)
		}
		planned = append(planned, c.Channel+" "+c.Target)
	}
	sort.Strings(planned)
	want := []string{"issue eco/alerts (new issue)", "issue eco/alerts label " + claimLabel(GroupID(DefaultLabel, GroupDomain, "eco/app"), 1), "repository_dispatch eco/one", "repository_dispatch eco/three", "repository_dispatch eco/two",
		"webhook slack webhook #1", "workflow_dispatch eco/one", "workflow_dispatch eco/three", "workflow_dispatch eco/two"}
	if diff := cmp.Diff(want, planned); diff != "" {
		t.Errorf("planned calls (-want +got):\n%s", diff)
	}
	if len(res.Issues.Created) != 0 || !res.DryRun {
		t.Errorf("dry run reports created issues %v", res.Issues.Created)
	}
}

// receiver is a local webhook endpoint that records bodies and fails the
// first failures requests.
type receiver struct {
	mu       sync.Mutex
	bodies   []string
	failures int
	status   int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.failures > 0 {
		rc.failures--
		w.Header().Set("Retry-After", "1")
		http.Error(w, "try later", rc.status)
		return
	}
	rc.bodies = append(rc.bodies, string(b))
	w.WriteHeader(http.StatusOK)
}

func (rc *receiver) got() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...)
}

func TestWebhooks_slack_teams_generic_with_retries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	slack := &receiver{failures: 2, status: http.StatusServiceUnavailable}
	teams := &receiver{}
	generic := &receiver{failures: 99, status: http.StatusBadRequest} // permanent failure: no retry
	var servers []*httptest.Server
	for _, h := range []http.Handler{slack, teams, generic} {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		servers = append(servers, s)
	}
	cfg := e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}, "eco/lib": {70, nil}}), 3)
	cfg.Channels = []string{ChannelIssue, ChannelWebhook}
	cfg.SlackWebhooks = []string{servers[0].URL + "/services/T0/B0/slack-secret-token"}
	cfg.TeamsWebhooks = []string{servers[1].URL + "/webhookb2/teams-secret-token"}
	cfg.GenericWebhooks = []string{servers[2].URL + "/hook?key=generic-secret-token"}
	cfg.WebhookRetries = 3
	res, err := e.run(t, cfg)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v, want incomplete (the generic webhook rejects)", err)
	}
	type wr struct {
		Name, Status string
		Attempts     int
	}
	var got []wr
	for _, w := range res.Webhooks {
		got = append(got, wr{w.Name, w.Status, w.Attempts})
	}
	want := []wr{{"slack webhook #1", "delivered", 3}, {"teams webhook #1", "delivered", 1}, {"webhook #1", "failed", 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("webhook results (-want +got):\n%s", diff)
	}
	var sp map[string]any
	if b := slack.got(); len(b) != 1 || json.Unmarshal([]byte(b[0]), &sp) != nil || !strings.Contains(sp["text"].(string), "2 opened") {
		t.Errorf("slack payload %v", slack.got())
	}
	var tp map[string]any
	if b := teams.got(); len(b) != 1 || json.Unmarshal([]byte(b[0]), &tp) != nil || tp["type"] != "message" { // an Adaptive Card message by default
		t.Errorf("teams payload %v", teams.got())
	}
	// Secrets never reach the reports.
	for _, f := range []string{ResultsFile, SummaryFile} {
		data, err := os.ReadFile(filepath.Join(cfg.OutputDir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"slack-secret-token", "teams-secret-token", "generic-secret-token", servers[0].URL} {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s contains a webhook secret %q", f, secret)
			}
		}
	}
	for _, a := range res.Alerts {
		found := false
		for _, d := range a.Deliveries {
			if d.Target == "slack webhook #1" && d.Status == "delivered" && d.ResponseSeconds != nil {
				found = true
			}
		}
		if !found {
			t.Errorf("alert %s has no timed slack delivery: %+v", a.Title, a.Deliveries)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	if backoff(0, 0) != 1e9 || backoff(3, 0) != 8e9 || backoff(10, 0) != 30e9 || backoff(0, 5e9) != 5e9 || backoff(0, 1e12) != 60e9 {
		t.Error("backoff schedule changed")
	}
}

// TestChannels_listing_failure: when the alert issues cannot be listed,
// nothing is written to issues (their state is unknown), the other channels
// still carry every current alert, and the run is incomplete.
func TestChannels_listing_failure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{Faults: []emulator.Fault{{Method: "GET", Path: "/repos/eco/alerts/issues", Kind: emulator.FaultInternalError}}})
	hook := &receiver{}
	s := httptest.NewServer(hook)
	t.Cleanup(s.Close)
	cfg := e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}), 12)
	cfg.Channels = []string{ChannelIssue, ChannelWebhook}
	cfg.GenericWebhooks = []string{s.URL}
	res, err := e.run(t, cfg)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v, want incomplete", err)
	}
	if len(e.issues(t, "eco/alerts")) != 0 {
		t.Error("an issue was created without knowing the existing ones")
	}
	if res.Alerts[0].Action != ActionFailed || res.Alerts[0].Notify != NotifyFiring || len(hook.got()) != 1 {
		t.Errorf("alert %+v, webhook bodies %d", res.Alerts[0], len(hook.got()))
	}
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0], "HTTP 500") {
		t.Errorf("errors %v", res.Errors)
	}
}

// signedReceiver accepts a generic webhook only when its signature header
// is the HMAC-SHA256 of the raw body with the shared secret, as a receiver
// following the README would check it.
type signedReceiver struct {
	secret string
	mu     sync.Mutex
	sigs   []string
}

func (sr *signedReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(sr.secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	got := r.Header.Get(SignatureHeader)
	sr.mu.Lock()
	sr.sigs = append(sr.sigs, got)
	sr.mu.Unlock()
	if !hmac.Equal([]byte(got), []byte(want)) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func TestWebhooks_generic_signature_and_teams_adaptive_card(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	signed := &signedReceiver{secret: "s3cr3t-hmac-key"}
	wrongKey := &signedReceiver{secret: "another-key"}
	teams := &receiver{}
	var urls []string
	for _, h := range []http.Handler{signed, wrongKey, teams} {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		urls = append(urls, s.URL)
	}
	cfg := e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}), 5)
	cfg.Channels = []string{ChannelWebhook}
	cfg.GenericWebhooks = []string{urls[0] + "/hook", urls[1] + "/hook"}
	cfg.TeamsWebhooks = []string{urls[2] + "/workflows/teams"}
	cfg.TeamsFormat = TeamsAdaptiveCard
	cfg.WebhookSecret = "s3cr3t-hmac-key"
	res, err := e.run(t, cfg)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v, want incomplete (the receiver with another key rejects)", err)
	}
	status := map[string]string{}
	for _, w := range res.Webhooks {
		status[w.Name] = w.Status
	}
	if diff := cmp.Diff(map[string]string{"webhook #1": "delivered", "webhook #2": "failed", "teams webhook #1": "delivered"}, status); diff != "" {
		t.Errorf("webhook results (-want +got):\n%s", diff)
	}
	if len(teams.got()) != 1 {
		t.Fatalf("teams got %d payloads", len(teams.got()))
	}
	var card struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type    string           `json:"type"`
				Version string           `json:"version"`
				Body    []map[string]any `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal([]byte(teams.got()[0]), &card); err != nil {
		t.Fatal(err)
	}
	if card.Type != "message" || len(card.Attachments) != 1 || card.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
		card.Attachments[0].Content.Type != "AdaptiveCard" || len(card.Attachments[0].Content.Body) != 2 {
		t.Errorf("teams payload is not an Adaptive Card message: %s", teams.got()[0])
	}
	// The secret itself is never sent, logged or written.
	for _, f := range []string{ResultsFile, SummaryFile} {
		data, err := os.ReadFile(filepath.Join(cfg.OutputDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "s3cr3t-hmac-key") {
			t.Errorf("%s contains the webhook secret", f)
		}
	}
	if e.logged("s3cr3t-hmac-key") || strings.Contains(teams.got()[0], "s3cr3t-hmac-key") {
		t.Error("the webhook secret was logged or sent")
	}
}

func TestSignature(t *testing.T) {
	t.Parallel()
	// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
	got := Signature("Jefe", []byte("what do ya want for nothing?"))
	if want := "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"; got != want {
		t.Errorf("Signature() = %s, want %s", got, want)
	}
}

// TestChannels_lost_dispatch_answers: GitHub applies a dispatch and the
// answer is lost. The workflow_dispatch is found by its run: delivered,
// not resent, and a re-run sends nothing. The repository_dispatch, which
// no run confirms, is reported uncertain (the step fails naming it) and is
// not resent in that run; the re-run looks for its run first.
func TestChannels_lost_dispatch_answers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{Faults: []emulator.Fault{
		{Method: "POST", PathRegex: `^/repos/eco/one/(dispatches|actions/workflows/.*/dispatches)$`, Kind: emulator.FaultAppliedError}}})
	cfg := dispatchConfig(e, t, 88)
	cfg.DispatchTargets = []string{"eco/one"}
	res, err := e.run(t, cfg)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v, want incomplete (the repository_dispatch is unconfirmed)", err)
	}
	byKind := map[string]DispatchResult{}
	for _, d := range res.Dispatches {
		byKind[d.Kind] = d
	}
	if w := byKind["workflow_dispatch"]; w.Status != "delivered" || w.RunID == 0 {
		t.Errorf("workflow_dispatch %+v", w)
	}
	if r := byKind["repository_dispatch"]; r.Status != "failed" || !r.Uncertain {
		t.Errorf("repository_dispatch %+v", r)
	}
	count := func() map[string]int {
		c := map[string]int{}
		for _, d := range e.srv.Dispatches() {
			c[d.Kind]++
		}
		return c
	}
	if diff := cmp.Diff(map[string]int{"workflow_dispatch": 1, "repository_dispatch": 1}, count()); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
	st, _ := ParseGroupState(e.only(t, "eco/alerts").Body)
	if st.Notified == nil || len(st.Notified.Uncertain) != 1 {
		t.Fatalf("the uncertain delivery is not recorded: %+v", st.Notified)
	}
	// The re-run: the workflow_dispatch is not sent again; the unconfirmed
	// repository_dispatch (no run of it exists: nothing in eco/one listens)
	// is sent once more.
	if err := e.srv.SetFaults(nil); err != nil {
		t.Fatal(err)
	}
	res, err = e.run(t, cfg)
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if diff := cmp.Diff(map[string]int{"workflow_dispatch": 1, "repository_dispatch": 2}, count()); diff != "" {
		t.Errorf("after the re-run (-want +got):\n%s", diff)
	}
	st, _ = ParseGroupState(e.only(t, "eco/alerts").Body)
	if len(st.Notified.Uncertain) != 0 || !st.Notified.has("repository_dispatch:ecosystem-alert:eco/one") {
		t.Errorf("after the re-run: %+v", st.Notified)
	}
}
