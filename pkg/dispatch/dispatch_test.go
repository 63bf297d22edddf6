package dispatch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func fixture() *emulator.Fixture {
	repo := func(name string) emulator.Repository {
		return emulator.Repository{
			Owner: "eco", Name: name, DefaultBranch: "main",
			Branches:  []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: strings.Repeat("a", 40), Author: "dev", Date: now.Add(-time.Hour)}}},
			Workflows: []emulator.Workflow{{ID: 7, Name: "Release", Path: ".github/workflows/release.yml"}},
		}
	}
	return &emulator.Fixture{
		ReferenceTime: now,
		Repositories:  []emulator.Repository{repo("one"), repo("two"), repo("three")},
	}
}

func newSender(t *testing.T, opts emulator.Options) (*Sender, *emulator.Server) {
	t.Helper()
	opts.Now = func() time.Time { return now }
	srv := emulator.StartForTest(t, fixture(), opts)
	c := github.NewClient(emulator.HTTPClientForTest(t)).WithAuthToken("test-token")
	u, err := url.Parse(srv.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return &Sender{Client: c, Now: func() time.Time { return now }}, srv
}

func targets(t *testing.T, names ...string) []Target {
	t.Helper()
	var out []Target
	for _, n := range names {
		tg, err := ParseTarget(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tg)
	}
	return out
}

func TestRepositoryDispatch_one_failing_target_does_not_stop_the_others(t *testing.T) {
	t.Parallel()
	s, srv := newSender(t, emulator.Options{})
	payload := map[string]any{"domain": "eco/one", "health_score": 42}

	got, err := s.RepositoryDispatch(context.Background(), targets(t, "eco/one", "eco/missing", "eco/two"), "domain-failure", payload)
	if err != nil {
		t.Fatal(err)
	}

	var statuses []string
	for _, r := range got {
		statuses = append(statuses, fmt.Sprintf("%s=%s", r.Target, r.Status))
	}
	want := []string{"eco/one=delivered", "eco/missing=failed", "eco/two=delivered"}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if !strings.Contains(got[1].Error, "404") {
		t.Errorf("failed target reason = %q, want the HTTP status", got[1].Error)
	}
	var delivered []string
	for _, d := range srv.Dispatches() {
		delivered = append(delivered, d.Repo+":"+d.EventType+":"+fmt.Sprint(d.ClientPayload["health_score"]))
	}
	sort.Strings(delivered) // the emulator records arrival order; targets are sent concurrently
	if diff := cmp.Diff([]string{"eco/one:domain-failure:42", "eco/two:domain-failure:42"}, delivered); diff != "" {
		t.Errorf("emulator dispatches (-want +got):\n%s", diff)
	}
}

func TestRepositoryDispatch_rejects_bad_input_before_sending(t *testing.T) {
	t.Parallel()
	big := map[string]any{}
	for i := range 11 {
		big[fmt.Sprintf("k%02d", i)] = i
	}
	tests := []struct {
		name      string
		eventType string
		payload   map[string]any
		wantErr   string
	}{
		{name: "empty_event_type", eventType: "", wantErr: "must be 1 to 100 characters"},
		{name: "long_event_type", eventType: strings.Repeat("x", 101), wantErr: "must be 1 to 100 characters"},
		{name: "eleven_keys", eventType: "ecosystem-alert", payload: big, wantErr: "11 top-level keys, GitHub allows at most 10"},
		{name: "oversized", eventType: "ecosystem-alert", payload: map[string]any{"log": strings.Repeat("x", MaxPayloadBytes)}, wantErr: "GitHub allows less than 65536"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, srv := newSender(t, emulator.Options{})
			_, err := s.RepositoryDispatch(context.Background(), targets(t, "eco/one"), tc.eventType, tc.payload)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none before validation passes", n)
			}
		})
	}
}

func TestWorkflowDispatch_reports_the_run_it_started(t *testing.T) {
	t.Parallel()
	s, srv := newSender(t, emulator.Options{})
	s.FindRun = true
	inputs := map[string]any{"source_repository": "eco/one", "release_type": "tooling"}

	got, err := s.WorkflowDispatch(context.Background(), targets(t, "eco/two", "eco/three"), "release.yml", "main", inputs)
	if err != nil {
		t.Fatal(err)
	}
	ds := srv.Dispatches()
	if len(ds) != 2 {
		t.Fatalf("emulator recorded %d dispatches, want 2", len(ds))
	}
	runs := map[string]int64{}
	for _, d := range ds {
		runs[d.Repo] = d.RunID
		if diff := cmp.Diff(inputs, d.Inputs); diff != "" {
			t.Errorf("inputs sent to %s (-want +got):\n%s", d.Repo, diff)
		}
	}
	for _, r := range got {
		if r.Status != StatusDelivered {
			t.Errorf("%s: status %s (%s), want delivered", r.Target, r.Status, r.Error)
		}
		if r.RunID == 0 || r.RunID != runs[r.Target] {
			t.Errorf("%s: run id %d, want the queued run %d", r.Target, r.RunID, runs[r.Target])
		}
	}
}

func TestWorkflowDispatch_unknown_workflow_fails_that_target(t *testing.T) {
	t.Parallel()
	s, _ := newSender(t, emulator.Options{})
	got, err := s.WorkflowDispatch(context.Background(), targets(t, "eco/one"), "nope.yml", "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Status != StatusFailed || !strings.Contains(got[0].Error, "404") {
		t.Errorf("result = %+v, want failed with 404", got[0])
	}
}

func TestDryRun_sends_nothing(t *testing.T) {
	t.Parallel()
	s, srv := newSender(t, emulator.Options{})
	s.DryRun = true
	got, err := s.RepositoryDispatch(context.Background(), targets(t, "eco/one", "eco/two"), "ecosystem-alert", map[string]any{"a": 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if r.Status != StatusPlanned {
			t.Errorf("%s: status %s, want planned", r.Target, r.Status)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("dry run sent %d requests", n)
	}
}

func TestFit_folds_extra_keys_into_details(t *testing.T) {
	t.Parallel()
	p := map[string]any{}
	for i := range 14 {
		p[fmt.Sprintf("k%02d", i)] = i
	}
	got := Fit(p, "k13", "k12")
	if err := ValidatePayload(got); err != nil {
		t.Fatal(err)
	}
	if got["k13"] != 13 || got["k12"] != 12 {
		t.Errorf("kept keys lost: %v", got)
	}
	details, _ := got["details"].(map[string]any)
	if len(got)-1+len(details) != 14 {
		t.Errorf("keys lost: %d top-level + %d in details, want 14", len(got)-1, len(details))
	}
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "noslash", "a/b/c", "-bad/x", "ok/..", "o/" + strings.Repeat("r", 101), "own er/x"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) succeeded, want error", bad)
		}
	}
	got, err := ParseTarget(" sparesparrow/openssl-tools ")
	if err != nil || got.String() != "sparesparrow/openssl-tools" {
		t.Errorf("ParseTarget = %v, %v", got, err)
	}
}

const releaseWorkflow = `name: Release
on:
  push: {branches: [main]}
  workflow_dispatch:
    inputs:
      release_type:
        type: string
        required: true
`

func withWorkflowFile(f *emulator.Fixture, text string) *emulator.Fixture {
	for i := range f.Repositories {
		f.Repositories[i].Files = map[string]string{".github/workflows/release.yml": text}
	}
	return f
}

func newSenderWith(t *testing.T, f *emulator.Fixture, opts emulator.Options) (*Sender, *emulator.Server) {
	t.Helper()
	opts.Now = func() time.Time { return now }
	srv := emulator.StartForTest(t, f, opts)
	c := github.NewClient(emulator.HTTPClientForTest(t)).WithAuthToken("test-token")
	c.BaseURL, _ = url.Parse(srv.URL() + "/")
	return &Sender{Client: c, Now: func() time.Time { return now }, Actor: emulator.DefaultLogin,
		Sleep: func(context.Context, time.Duration) error { return nil }}, srv
}

// TestWorkflowDispatch_sends_only_declared_inputs: the target workflow is
// read first; an input it does not declare is left out and reported
// (GitHub answers 422 "Unexpected inputs provided" to the whole request
// otherwise), and the run comes from return_run_details without a poll.
func TestWorkflowDispatch_sends_only_declared_inputs(t *testing.T) {
	t.Parallel()
	s, srv := newSenderWith(t, withWorkflowFile(fixture(), releaseWorkflow), emulator.Options{})
	s.FindRun = true
	got, err := s.WorkflowDispatch(context.Background(), targets(t, "eco/one"), "release.yml", "main",
		map[string]any{"release_type": "domain", "triggered_by": "alert"})
	if err != nil {
		t.Fatal(err)
	}
	r := got[0]
	if r.Status != StatusDelivered || r.RunID == 0 || !strings.Contains(r.RunURL, "/actions/runs/") {
		t.Fatalf("result %+v", r)
	}
	if diff := cmp.Diff([]string{"triggered_by"}, r.Dropped); diff != "" {
		t.Errorf("dropped inputs (-want +got):\n%s", diff)
	}
	ds := srv.Dispatches()
	if len(ds) != 1 || ds[0].RunID != r.RunID {
		t.Fatalf("dispatches %+v", ds)
	}
	if diff := cmp.Diff(map[string]any{"release_type": "domain"}, ds[0].Inputs); diff != "" {
		t.Errorf("inputs sent (-want +got):\n%s", diff)
	}
	for _, q := range srv.Requests() {
		if strings.HasSuffix(q.Path, "/runs") {
			t.Errorf("polled %s although return_run_details answered", q.Path)
		}
	}
}

func TestWorkflowDispatch_without_trigger_sends_nothing(t *testing.T) {
	t.Parallel()
	s, srv := newSenderWith(t, withWorkflowFile(fixture(), "on: [push]\njobs: {}\n"), emulator.Options{})
	got, err := s.WorkflowDispatch(context.Background(), targets(t, "eco/one"), "release.yml", "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Status != StatusFailed || !strings.Contains(got[0].Error, "no workflow_dispatch trigger") || len(srv.Dispatches()) != 0 {
		t.Errorf("result %+v, %d dispatches", got[0], len(srv.Dispatches()))
	}
}

// TestDispatch_applied_then_lost_answer_is_not_doubled: the emulator
// applies the dispatch and then answers 500 or drops the connection. A
// workflow_dispatch is found again by its run (delivered, not resent); a
// repository_dispatch nothing confirms is reported uncertain, not resent.
func TestDispatch_applied_then_lost_answer_is_not_doubled(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"applied-500", "applied-reset"} {
		if _, err := emulator.ParseFault("kind=" + kind); err != nil {
			t.Skipf("the emulator has no %s fault: %v", kind, err)
		}
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f := emulator.Fault{Method: "POST", PathRegex: `/dispatches$`, Kind: kind}
			s, srv := newSenderWith(t, withWorkflowFile(fixture(), releaseWorkflow), emulator.Options{Faults: []emulator.Fault{f}})
			s.FindRun = true
			wf, err := s.WorkflowDispatch(context.Background(), targets(t, "eco/one"), "release.yml", "main", map[string]any{"release_type": "x"})
			if err != nil {
				t.Fatal(err)
			}
			rd, err := s.RepositoryDispatch(context.Background(), targets(t, "eco/two"), "ecosystem-alert", map[string]any{"a": 1})
			if err != nil {
				t.Fatal(err)
			}
			if wf[0].Status != StatusDelivered || wf[0].RunID == 0 || !strings.Contains(wf[0].Note, "not sent again") {
				t.Errorf("workflow_dispatch %+v", wf[0])
			}
			if rd[0].Status != StatusFailed || !rd[0].Uncertain || !strings.Contains(rd[0].Error, "not sent again") {
				t.Errorf("repository_dispatch %+v", rd[0])
			}
			count := map[string]int{}
			for _, d := range srv.Dispatches() {
				count[d.Kind]++
			}
			if diff := cmp.Diff(map[string]int{"workflow_dispatch": 1, "repository_dispatch": 1}, count); diff != "" {
				t.Errorf("dispatches applied (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDispatchInputs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, yaml string
		trigger    bool
		inputs     []string
	}{
		{"scalar", "on: workflow_dispatch\n", true, nil},
		{"list", "on: [push, workflow_dispatch]\n", true, nil},
		{"map_no_inputs", "on:\n  workflow_dispatch:\n", true, nil},
		{"map_inputs", releaseWorkflow, true, []string{"release_type"}},
		{"no_trigger", "on:\n  push: {}\n", false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, trigger, err := ParseDispatchInputs([]byte(tt.yaml))
			if err != nil || trigger != tt.trigger {
				t.Fatalf("trigger %v err %v", trigger, err)
			}
			var names []string
			for k := range got {
				names = append(names, k)
			}
			sort.Strings(names)
			if diff := cmp.Diff(tt.inputs, names); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWorkflowDispatch_refuses_a_path_before_sending(t *testing.T) {
	t.Parallel()
	s, srv := newSender(t, emulator.Options{})
	for _, wf := range []string{"../../dispatches?x=", "..", "a/b.yml", `..\\x.yml`} {
		if _, err := s.WorkflowDispatch(context.Background(), targets(t, "eco/one"), wf, "main", nil); err == nil {
			t.Errorf("workflow %q accepted", wf)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestRepositoryDispatch_lost_answer_confirmed_by_its_run: a target whose
// workflow listens for the event starts a run when the dispatch arrives;
// after a lost answer that run proves it arrived, so it is not sent again.
func TestRepositoryDispatch_lost_answer_confirmed_by_its_run(t *testing.T) {
	t.Parallel()
	listener := "on:\n  repository_dispatch:\n    types: [ecosystem-alert]\njobs: {}\n"
	f := withWorkflowFile(fixture(), listener)
	s, srv := newSenderWith(t, f, emulator.Options{Faults: []emulator.Fault{{Method: "POST", PathRegex: `/dispatches$`, Kind: "applied-500"}}})
	got, err := s.RepositoryDispatch(context.Background(), targets(t, "eco/one"), "ecosystem-alert", map[string]any{"a": 1})
	if err != nil {
		t.Fatal(err)
	}
	r := got[0]
	if r.Status != StatusDelivered || r.Uncertain || r.RunID == 0 || !strings.Contains(r.Note, "not sent again") {
		t.Errorf("result %+v", r)
	}
	if n := len(srv.Dispatches()); n != 1 {
		t.Errorf("%d dispatches applied, want 1", n)
	}
}

// TestSender_keeps_its_connections_when_another_test_closes_its_server is
// the cause of a rare failure of the tests above ("net/http: HTTP/1.x
// transport connection broken: http: CloseIdleConnections called"):
// httptest.Server.Close calls http.DefaultTransport.CloseIdleConnections,
// so when the tests' clients share the default transport, any parallel
// test that closes its server closes this test's keep-alive connection,
// possibly while a response is being handed over on it. A client with its
// own transport keeps its connection: the next request reuses it.
func TestSender_keeps_its_connections_when_another_test_closes_its_server(t *testing.T) {
	t.Parallel()
	s, _ := newSender(t, emulator.Options{})
	var reused []bool
	trace := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { reused = append(reused, info.Reused) },
	})
	if _, _, err := s.Client.Repositories.Get(trace, "eco", "one"); err != nil {
		t.Fatal(err)
	}
	// What another test's cleanup does.
	other := httptest.NewServer(http.NotFoundHandler())
	other.Close()
	if _, _, err := s.Client.Repositories.Get(trace, "eco", "one"); err != nil {
		t.Fatal(err)
	}
	if len(reused) != 2 || !reused[1] {
		t.Errorf("connection reused by the second request: %v, want [false true]: another test's server close reached this test's connections", reused)
	}
}
