package alert

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// TestLifecycle walks one problem through its life: new → update without
// comment → changed → comment → gone → close → back → reopen, and a re-run
// of the last run that writes nothing.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	steps := []struct {
		name         string
		runID        int64
		domains      map[string]domain
		wantAction   string
		wantState    string // issue state after the step
		wantReason   string
		wantComments int // comments on the issue after the step
		wantOcc      int
		wantNotify   string
	}{
		{name: "new_problem_opens_an_issue", runID: 101, domains: map[string]domain{"eco/app": {70, []string{"ci_success_rate"}}},
			wantAction: ActionCreated, wantState: "open", wantComments: 0, wantOcc: 1, wantNotify: NotifyOpened},
		{name: "same_problem_updates_without_comment", runID: 102, domains: map[string]domain{"eco/app": {72, []string{"ci_success_rate"}}},
			wantAction: ActionUpdated, wantState: "open", wantComments: 0, wantOcc: 2},
		{name: "level_change_comments", runID: 103, domains: map[string]domain{"eco/app": {50, []string{"ci_success_rate"}}},
			wantAction: ActionChanged, wantState: "open", wantComments: 1, wantOcc: 3, wantNotify: NotifyChanged},
		{name: "content_change_comments", runID: 104, domains: map[string]domain{"eco/app": {45, []string{"ci_success_rate", "failure_streak"}}},
			wantAction: ActionChanged, wantState: "open", wantComments: 2, wantOcc: 4, wantNotify: NotifyChanged},
		{name: "healthy_again_closes", runID: 105, domains: map[string]domain{"eco/app": {90, nil}},
			wantAction: ActionClosed, wantState: "closed", wantReason: "completed", wantComments: 3, wantOcc: 4, wantNotify: NotifyResolved},
		{name: "still_healthy_leaves_it_closed", runID: 106, domains: map[string]domain{"eco/app": {91, nil}},
			wantAction: "", wantState: "closed", wantReason: "completed", wantComments: 3, wantOcc: 4},
		{name: "back_again_reopens", runID: 107, domains: map[string]domain{"eco/app": {65, []string{"ci_success_rate"}}},
			wantAction: ActionReopened, wantState: "open", wantReason: "reopened", wantComments: 4, wantOcc: 5, wantNotify: NotifyReopened},
	}
	for i, st := range steps {
		e.clock.now = t0.Add(time.Duration(i) * 4 * time.Hour)
		res, err := e.run(t, e.config(t, monitorJSON(e.clock.now, st.domains), st.runID))
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		issues := e.issues(t, "eco/alerts")
		if len(issues) != 1 {
			t.Fatalf("%s: %d issues, want 1", st.name, len(issues))
		}
		is := issues[0]
		if is.State != st.wantState || is.StateReason != st.wantReason || len(is.Comments) != st.wantComments {
			t.Errorf("%s: issue state %q reason %q comments %d, want %q %q %d", st.name, is.State, is.StateReason, len(is.Comments), st.wantState, st.wantReason, st.wantComments)
		}
		var got *AlertResult
		for _, a := range res.Alerts {
			if a.Scope == "eco/app" {
				got = a
			}
		}
		if st.wantAction == "" {
			if got != nil && got.Action != ActionSkipped {
				t.Errorf("%s: unexpected alert result %+v", st.name, got)
			}
			continue
		}
		if got == nil {
			t.Fatalf("%s: no result for eco/app", st.name)
		}
		if got.Action != st.wantAction || got.Occurrences != st.wantOcc || got.Notify != st.wantNotify || got.Issue != is.Number {
			t.Errorf("%s: action %q occurrences %d notify %q issue %d, want %q %d %q %d", st.name, got.Action, got.Occurrences, got.Notify, got.Issue,
				st.wantAction, st.wantOcc, st.wantNotify, is.Number)
		}
		state, ok := ParseState(is.Body)
		if !ok || ParseMarker(is.Body) != Fingerprint("eco/app", ProblemUnhealthy) {
			t.Fatalf("%s: body lost its marker or state:\n%s", st.name, is.Body)
		}
		if state.Occurrences != st.wantOcc || !state.FirstSeen.Equal(t0) {
			t.Errorf("%s: state occurrences %d first seen %v, want %d %v", st.name, state.Occurrences, state.FirstSeen, st.wantOcc, t0)
		}
		if n := len(is.Comments); n > 0 && (st.wantNotify == NotifyChanged || st.wantNotify == NotifyReopened || st.wantNotify == NotifyResolved) {
			c := is.Comments[n-1].Body
			for _, w := range []string{"Occurrences: ", "first seen 2026-11-20T12:00:00Z", "last seen"} {
				if !strings.Contains(c, w) {
					t.Errorf("%s: comment %q lacks %q", st.name, c, w)
				}
			}
		}
	}

	if !e.logged("reopen with: gh issue reopen 1 --repo eco/alerts") {
		t.Errorf("the resolving close was not logged with its undo command: %q", e.logs)
	}

	// Re-running the last run (same GITHUB_RUN_ID) on identical input:
	// no new issue, no comment, no write at all.
	before := e.writes()
	res, err := e.run(t, e.config(t, monitorJSON(e.clock.now, steps[len(steps)-1].domains), 107))
	if err != nil {
		t.Fatal(err)
	}
	if w := e.writes() - before; w != 0 {
		t.Errorf("re-run made %d writes, want 0", w)
	}
	if res.Alerts[0].Action != ActionUnchanged || res.Alerts[0].Occurrences != 5 {
		t.Errorf("re-run: %+v", res.Alerts[0])
	}
}

func TestLifecycle_resolve_after_and_coverage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	two := map[string]domain{"eco/app": {50, nil}, "eco/lib": {55, nil}}
	cfg := e.config(t, monitorJSON(t0, two), 1)
	cfg.ResolveAfter = 2
	if _, err := e.run(t, cfg); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name       string
		report     string
		runID      int64
		wantOpen   []string // titles of open issues, sorted
		wantAppAct string
	}{
		// Partial report: eco/lib missing → never resolved; eco/app healthy,
		// first miss (resolve_after 2) → missed, still open.
		{"first_miss_keeps_open", monitorJSON(t0, map[string]domain{"eco/app": {95, nil}}, "eco/lib"), 2,
			[]string{"[critical] eco/app: health critical", "[critical] eco/lib: health critical"}, ActionMissed},
		// Same run again: the miss is not counted twice.
		{"same_run_counts_once", monitorJSON(t0, map[string]domain{"eco/app": {95, nil}}, "eco/lib"), 2,
			[]string{"[critical] eco/app: health critical", "[critical] eco/lib: health critical"}, ActionUnchanged},
		// A stale report only: monitor alerts are left alone.
		{"other_kind_left_alone", `{"timestamp":"2026-11-20T12:00:00Z","repository":"eco/app","repositories":["eco/app"],"stale_prs":[],"stale_branches":[]}`, 3,
			[]string{"[critical] eco/app: health critical", "[critical] eco/lib: health critical"}, ActionSkipped},
		{"second_miss_closes", monitorJSON(t0, map[string]domain{"eco/app": {95, nil}}, "eco/lib"), 4,
			[]string{"[critical] eco/lib: health critical"}, ActionClosed},
	}
	for _, st := range steps {
		c := e.config(t, st.report, st.runID)
		c.ResolveAfter = 2
		res, err := e.run(t, c)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		var open []string
		for _, is := range e.issues(t, "eco/alerts") {
			if is.State == "open" {
				open = append(open, is.Title)
			}
		}
		if diff := cmp.Diff(st.wantOpen, open); diff != "" {
			t.Errorf("%s: open issues (-want +got):\n%s", st.name, diff)
		}
		act := ""
		for _, a := range res.Alerts {
			if a.Scope == "eco/app" {
				act = a.Action
			}
		}
		if act != st.wantAppAct {
			t.Errorf("%s: eco/app action %q, want %q", st.name, act, st.wantAppAct)
		}
	}
}

// TestLifecycle_duplicate_cleanup simulates two runs that raced: two open
// issues carry one fingerprint. The later is closed as a duplicate of the
// first, which is updated.
func TestLifecycle_duplicate_cleanup(t *testing.T) {
	t.Parallel()
	f := testFixture()
	fp := Fingerprint("eco/app", ProblemUnhealthy)
	body := Marker(fp) + "\n" + State{Type: TypeCritical, Source: KindMonitor, Scope: "eco/app", Problem: ProblemUnhealthy,
		Level: LevelCritical, FirstSeen: t0.Add(-time.Hour), LastSeen: t0.Add(-time.Hour), Occurrences: 1, LastRunID: 9, LastSeenRunID: 9}.Block() + "\nold"
	for _, n := range []int{1, 2} {
		f.Repositories[0].Issues = append(f.Repositories[0].Issues, emulator.Issue{Number: n, Title: "[critical] eco/app: health critical",
			Body: body, User: emulator.DefaultLogin, Labels: []string{DefaultLabel}, CreatedAt: t0.Add(-time.Hour)})
	}
	e := newEnv(t, f, emulator.Options{})
	res, err := e.run(t, e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}), 10))
	if err != nil {
		t.Fatal(err)
	}
	issues := e.issues(t, "eco/alerts")
	if len(issues) != 2 {
		t.Fatalf("%d issues, want 2 (no new one)", len(issues))
	}
	byNum := map[int]emulator.Issue{}
	for _, is := range issues {
		byNum[is.Number] = is
	}
	if is := byNum[2]; is.State != "closed" || is.StateReason != "duplicate" || len(is.Comments) != 1 || !strings.Contains(is.Comments[0].Body, "Duplicate of #1") {
		t.Errorf("later issue: state %s reason %s comments %+v", is.State, is.StateReason, is.Comments)
	}
	if is := byNum[1]; is.State != "open" || len(is.Comments) != 0 {
		t.Errorf("first issue: state %s comments %d", is.State, len(is.Comments))
	}
	if diff := cmp.Diff([]int{2}, res.Issues.Duplicates); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
	if !e.logged("closed #2 as a duplicate of #1; reopen with: gh issue reopen 2 --repo eco/alerts") {
		t.Errorf("the duplicate close was not logged with its undo command: %q", e.logs)
	}
	if res.Alerts[0].Issue != 1 || res.Alerts[0].Occurrences != 2 {
		t.Errorf("alert result %+v", res.Alerts[0])
	}
}

// TestLifecycle_race_after_create: another run creates the same alert
// between our listing and our creation; the re-list finds two open issues
// and closes ours (the later one) as the duplicate.
func TestLifecycle_race_after_create(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	report := monitorJSON(t0, map[string]domain{"eco/app": {50, nil}})
	// Both runs list before either creates: simulate by running the first
	// with the issue channel, then crafting the second's view by running
	// Prepare + lifecycle with a stale listing.
	if _, err := e.run(t, e.config(t, report, 1)); err != nil {
		t.Fatal(err)
	}
	cfg := e.config(t, report, 2)
	_, built, err := Prepare(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	rs := &runState{cfg: cfg, now: t0, built: built, byFP: map[string]*AlertResult{}, res: &Result{Issues: emptyIssues()}}
	lc := &lifecycle{run: rs, gh: e.gh.Client, owner: "eco", repo: "alerts", created: map[string]*AlertResult{}, seen: map[string]bool{},
		all: map[string][]*issueRec{}, canon: map[string]*issueRec{}} // the stale view: no issue yet
	ar := &AlertResult{Fingerprint: built.Alerts[0].Fingerprint}
	rs.byFP[ar.Fingerprint] = ar
	lc.apply(t.Context(), built.Alerts[0], ar)
	if ar.Action != ActionCreated || ar.Issue != 2 {
		t.Fatalf("second run: %+v", ar)
	}
	if err := lc.load(t.Context()); err != nil {
		t.Fatal(err)
	}
	lc.canonicalize(t.Context(), map[string]bool{ar.Fingerprint: true})
	if ar.Action != ActionDuplicate || ar.Issue != 1 {
		t.Errorf("after the re-list: action %s issue %d, want duplicate of #1", ar.Action, ar.Issue)
	}
	for _, is := range e.issues(t, "eco/alerts") {
		if is.Number == 2 && (is.State != "closed" || is.StateReason != "duplicate") {
			t.Errorf("#2 state %s reason %s", is.State, is.StateReason)
		}
	}
}

func TestLifecycle_muted_and_legacy_issues(t *testing.T) {
	t.Parallel()
	f := testFixture()
	fpApp := Fingerprint("eco/app", ProblemUnhealthy)
	fpOld := "3f9a1c0d7b2e4a18" // an alert from before the state block
	f.Repositories[0].Issues = []emulator.Issue{
		{Number: 1, Title: "muted", Body: Marker(fpApp) + "\n" + State{Source: KindMonitor, Scope: "eco/app", Problem: ProblemUnhealthy, Level: LevelCritical,
			FirstSeen: t0, LastSeen: t0, Occurrences: 1}.Block(), User: emulator.DefaultLogin, State: "closed", StateReason: "not_planned",
			Labels: []string{DefaultLabel}, CreatedAt: t0.Add(-48 * time.Hour)},
		{Number: 2, Title: "legacy", Body: Marker(fpOld) + "\n## old alert", User: emulator.DefaultLogin, Labels: []string{DefaultLabel}, CreatedAt: t0.Add(-48 * time.Hour)},
	}
	e := newEnv(t, f, emulator.Options{})
	res, err := e.run(t, e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}), 5))
	if err != nil {
		t.Fatal(err)
	}
	issues := e.issues(t, "eco/alerts")
	if len(issues) != 2 {
		t.Fatalf("%d issues, want 2", len(issues))
	}
	for _, is := range issues {
		if len(is.Comments) != 0 {
			t.Errorf("#%d got comments %+v", is.Number, is.Comments)
		}
		if is.Number == 1 && is.State != "closed" {
			t.Errorf("muted alert was reopened")
		}
		if is.Number == 2 && (is.State != "open" || strings.Contains(is.Body, "ecosystem-actions:state")) {
			t.Errorf("legacy alert was touched: %s %q", is.State, is.Body)
		}
	}
	if res.Alerts[0].Action != ActionMuted || res.Alerts[0].Notify != "" {
		t.Errorf("muted alert result %+v", res.Alerts[0])
	}
}

func TestRun_bad_input_makes_no_request(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	good := monitorJSON(t0, map[string]domain{"eco/app": {50, nil}})
	tests := []struct {
		name string
		mod  func(*Config)
		want []string
	}{
		{"missing_report", func(c *Config) { c.Reports = "no/such/report.json" }, []string{"reports", "no such file"}},
		{"invalid_report", func(c *Config) { c.Reports = `{"foo": 1}` }, []string{"unknown report kind"}},
		{"unknown_alert_type", func(c *Config) { c.Type = "urgent" }, []string{`alert_type value "urgent"`, "auto, stale, critical, ecosystem, maintenance"}},
		{"type_does_not_fit", func(c *Config) { c.Type = TypeStale }, []string{"alert_type stale needs stale_analysis.json"}},
		{"unknown_level", func(c *Config) { c.MinLevel = "severe" }, []string{"min_level", "low, medium, warning, high, critical"}},
		{"malformed_target", func(c *Config) {
			c.Channels = []string{ChannelIssue, ChannelRepositoryDispatch}
			c.DispatchTargets = []string{"eco/one", "not a repo"}
		}, []string{`dispatch_targets value "not a repo"`, "owner/repo"}},
		{"unknown_channel", func(c *Config) { c.Channels = []string{"pager"} }, []string{`channels value "pager"`, "issue, repository_dispatch"}},
		{"webhook_without_url", func(c *Config) { c.Channels = []string{ChannelWebhook} }, []string{"webhook channel needs"}},
		{"insecure_webhook_secret_not_echoed", func(c *Config) {
			c.Channels = []string{ChannelWebhook}
			c.SlackWebhooks = []string{"http://hooks.example.com/services/SECRET123"}
		}, []string{"slack_webhook_url", "must use https"}},
		{"bad_workflow_inputs", func(c *Config) {
			c.Channels = []string{ChannelWorkflowDispatch}
			c.DispatchTargets, c.Workflow, c.WorkflowRef, c.WorkflowInputs = []string{"eco/one"}, "triage.yml", "main", "[1,2]"
		}, []string{"workflow_inputs", "JSON object"}},
		{"bad_repository", func(c *Config) { c.Repository = "alerts" }, []string{"repository", "owner/name"}},
		{"unknown_teams_format", func(c *Config) { c.TeamsFormat = "card" }, []string{`teams_format value "card"`, "message_card, adaptive_card"}},
	}
	// The group waits for its parallel cases before the request count is checked.
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				cfg := e.config(t, good, 1)
				tt.mod(&cfg)
				res, err := e.run(t, cfg)
				if err == nil || res != nil {
					t.Fatalf("no error (result %v)", res)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "SECRET123") {
					t.Errorf("error leaks the webhook URL: %v", err)
				}
				if errors.Is(err, ErrIncomplete) {
					t.Errorf("bad input reported as incomplete")
				}
			})
		}
	})
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("bad input made %d requests: %+v", n, e.srv.Requests())
	}
}
