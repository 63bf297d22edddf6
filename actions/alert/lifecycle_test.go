package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// finding is one root-cause finding of a synthetic fixer report.
type finding struct {
	domain, rule, category, severity, text, workflow string
}

// fixerJSON builds a failure_analysis.json whose logs covered the given
// domains, with the findings as root causes.
func fixerJSON(at time.Time, covered []string, fs ...finding) string {
	var failures, analyses []any
	for _, d := range covered {
		analyses = append(analyses, map[string]any{"source": d + ".log", "repository": d, "findings": []any{}})
	}
	for i, f := range fs {
		failures = append(failures, map[string]any{"rule_id": f.rule, "title": f.rule + " title", "category": f.category, "severity": f.severity,
			"confidence": 0.9, "line": 10, "text": f.text, "fingerprint": Fingerprint(f.rule, f.domain), "root_cause": true,
			"source": fmt.Sprintf("job-%d.log", i), "job": fmt.Sprintf("job-%d", i), "domain": f.domain, "workflow": f.workflow,
			"run_url": fmt.Sprintf("https://github.com/%s/actions/runs/%d/job/%d", f.domain, 100+i, 200+i)})
	}
	if failures == nil {
		failures = []any{}
	}
	b, _ := json.Marshal(map[string]any{"kind": "failure_analysis", "schema_version": "1.1", "producer": map[string]any{"action": "action-fixer"},
		"generated_at": at, "summary": map[string]any{}, "failures": failures, "analyses": analyses})
	return string(b)
}

// reports joins inline reports into the reports input (a JSON array).
func reports(rs ...string) string { return "[" + strings.Join(rs, ",") + "]" }

// writesSince counts the write requests after the first n requests.
func (e *env) writesSince(n int) []string {
	var out []string
	for _, r := range e.srv.Requests()[n:] {
		if r.Method != "GET" {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

func (e *env) only(t *testing.T, repo string) emulator.Issue {
	t.Helper()
	issues := e.issues(t, repo)
	if len(issues) != 1 {
		t.Fatalf("%d issues in %s, want 1: %+v", len(issues), repo, issues)
	}
	return issues[0]
}

// TestLifecycle_group walks one domain's issue through its life: opened
// with two problems → the same report writes nothing → worse → a new
// problem → details change (edit, no comment) → one problem clears after
// resolve_after runs (edit, no comment) → every problem clears (closed,
// comment) → nothing changed (nothing written) → back (reopened, comment).
func TestLifecycle_group(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	app := []string{"eco/app"}
	f1 := finding{"eco/app", "build.linker", "build", "high", "undefined reference to `x'", "Build"}
	f2 := finding{"eco/app", "conan.missing", "conan", "high", "ERROR: Missing binary", "Conan"}
	f1b := f1
	f1b.text = "undefined reference to `y'"
	warn := map[string]domain{"eco/app": {70, []string{"stale_pr_load"}}}
	crit := map[string]domain{"eco/app": {50, []string{"stale_pr_load"}}}
	healthy := map[string]domain{"eco/app": {95, nil}}
	steps := []struct {
		name         string
		report       string
		resolveAfter int
		wantWrites   bool
		wantState    string
		wantComments int
		wantAction   string
		wantNotify   string
		wantTitle    string
	}{
		{"opened", reports(monitorJSON(t0, warn), fixerJSON(t0, app, f1)), 1, true, "open", 0, ActionCreated, NotifyOpened, "[high] eco/app: 2 open problems"},
		{"same_report_writes_nothing", reports(monitorJSON(t0, warn), fixerJSON(t0, app, f1)), 1, false, "open", 0, ActionUnchanged, "", "[high] eco/app: 2 open problems"},
		{"worse_comments", reports(monitorJSON(t0, crit), fixerJSON(t0, app, f1)), 1, true, "open", 1, ActionChanged, NotifyChanged, "[critical] eco/app: 2 open problems"},
		{"new_problem_comments", reports(monitorJSON(t0, crit), fixerJSON(t0, app, f1, f2)), 1, true, "open", 2, ActionChanged, NotifyChanged, "[critical] eco/app: 3 open problems"},
		{"details_edit_without_comment", reports(monitorJSON(t0, crit), fixerJSON(t0, app, f1b, f2)), 1, true, "open", 2, ActionUpdated, "", "[critical] eco/app: 3 open problems"},
		{"first_miss_counts", reports(monitorJSON(t0, crit), fixerJSON(t0, app, f2)), 2, true, "open", 2, ActionUpdated, "", "[critical] eco/app: 3 open problems"},
		{"one_clears_without_comment", reports(monitorJSON(t0, crit), fixerJSON(t0, app, f2)), 2, true, "open", 2, ActionUpdated, "", "[critical] eco/app: 2 open problems"},
		{"all_missed_once", reports(monitorJSON(t0, healthy), fixerJSON(t0, app)), 2, true, "open", 2, ActionUpdated, "", "[critical] eco/app: 2 open problems"},
		{"all_cleared_closes", reports(monitorJSON(t0, healthy), fixerJSON(t0, app)), 2, true, "closed", 3, ActionClosed, NotifyResolved, "[resolved] eco/app: all problems cleared"},
		{"still_clear_writes_nothing", reports(monitorJSON(t0, healthy), fixerJSON(t0, app)), 2, false, "closed", 3, ActionUnchanged, "", "[resolved] eco/app: all problems cleared"},
		{"back_reopens", reports(monitorJSON(t0, warn), fixerJSON(t0, app)), 2, true, "open", 4, ActionReopened, NotifyReopened, "[warning] eco/app: 1 open problem"},
	}
	for i, st := range steps {
		e.clock.now = t0.Add(time.Duration(i) * 4 * time.Hour)
		cfg := e.config(t, st.report, int64(101+i))
		cfg.ResolveAfter = st.resolveAfter
		before := len(e.srv.Requests())
		res, err := e.run(t, cfg)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		w := e.writesSince(before)
		if (len(w) > 0) != st.wantWrites {
			t.Errorf("%s: writes %v, want writes: %v", st.name, w, st.wantWrites)
		}
		is := e.only(t, "eco/alerts")
		if is.State != st.wantState || len(is.Comments) != st.wantComments || is.Title != st.wantTitle {
			t.Errorf("%s: issue %q state %q comments %d, want %q %q %d", st.name, is.Title, is.State, len(is.Comments), st.wantTitle, st.wantState, st.wantComments)
		}
		if len(res.Groups) != 1 {
			t.Fatalf("%s: %d groups", st.name, len(res.Groups))
		}
		g := res.Groups[0]
		if g.Action != st.wantAction || g.Notify != st.wantNotify || g.Issue != is.Number {
			t.Errorf("%s: group action %q notify %q issue %d, want %q %q %d", st.name, g.Action, g.Notify, g.Issue, st.wantAction, st.wantNotify, is.Number)
		}
		if ParseGroupMarker(is.Body) != g.Group {
			t.Errorf("%s: body does not start with the group marker", st.name)
		}
	}
}

// TestRerun_same_run_writes_nothing: a re-run of a run (same
// GITHUB_RUN_ID) on the same reports writes nothing and counts no miss
// twice.
func TestRerun_same_run_writes_nothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	rep := reports(monitorJSON(t0, map[string]domain{"eco/app": {50, nil}, "eco/lib": {55, nil}}))
	cfg := e.config(t, rep, 7)
	cfg.ResolveAfter = 2
	if _, err := e.run(t, cfg); err != nil {
		t.Fatal(err)
	}
	// eco/app heals: first miss of two.
	heal := reports(monitorJSON(t0, map[string]domain{"eco/app": {95, nil}, "eco/lib": {55, nil}}))
	cfg = e.config(t, heal, 8)
	cfg.ResolveAfter = 2
	if _, err := e.run(t, cfg); err != nil {
		t.Fatal(err)
	}
	before := len(e.srv.Requests())
	if _, err := e.run(t, cfg); err != nil { // the re-run
		t.Fatal(err)
	}
	if w := e.writesSince(before); len(w) != 0 {
		t.Errorf("the re-run wrote %v", w)
	}
	for _, is := range e.issues(t, "eco/alerts") {
		if is.State != "open" {
			t.Errorf("%q closed by a re-run counting its miss twice", is.Title)
		}
	}
}

// TestMuted_only_by_a_person: closed as not planned by a person, the group
// is muted (nothing written); closed as not planned by the stale action (a
// bot), it is reopened with a comment saying why.
func TestMuted_only_by_a_person(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, closer string
		wantState    string
		wantAction   string
	}{
		{"person_mutes", "maintainer", "closed", ActionMuted},
		{"stale_bot_does_not", "github-actions[bot]", "open", ActionReopened},
		{"other_app_does_not", "stale-bot[bot]", "open", ActionReopened},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, emulator.Options{})
			rep := reports(monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}))
			res, err := e.run(t, e.config(t, rep, 1))
			if err != nil {
				t.Fatal(err)
			}
			f := testFixture()
			is := e.only(t, "eco/alerts")
			is.State, is.StateReason = "closed", "not_planned"
			is.Events = append(is.Events, emulator.IssueEvent{Event: "closed", Actor: tt.closer, CreatedAt: t0.Add(time.Hour)})
			is.Comments = nil
			f.Repositories[0].Issues = []emulator.Issue{is}
			e2 := newEnv(t, f, emulator.Options{})
			res, err = e2.run(t, e2.config(t, rep, 2))
			if err != nil {
				t.Fatal(err)
			}
			got := e2.only(t, "eco/alerts")
			if got.State != tt.wantState || res.Groups[0].Action != tt.wantAction {
				t.Errorf("state %q action %q, want %q %q", got.State, res.Groups[0].Action, tt.wantState, tt.wantAction)
			}
			if tt.wantAction == ActionMuted {
				if w := e2.writes(); w != 0 {
					t.Errorf("a muted group got %d writes", w)
				}
				return
			}
			if len(got.Comments) != 1 || !strings.Contains(got.Comments[0].Body, "which is not a person") {
				t.Errorf("reopened without saying why: %+v", got.Comments)
			}
		})
	}
}

// TestOwnMarkers_only: an issue carrying this action's marker is its own
// only when the token's identity wrote it with the marker at the start of
// the body; a copy by someone else, or a marker quoted further down, is
// never adopted (a new issue is created instead).
func TestOwnMarkers_only(t *testing.T) {
	t.Parallel()
	g := GroupID(DefaultLabel, GroupDomain, "eco/app")
	st := GroupState{Group: g, Mode: GroupDomain, Key: "eco/app", Gen: 1, Problems: map[string]*ProblemState{}}
	for _, tt := range []struct {
		name, user, body string
		adopt            bool
	}{
		{"own", emulator.DefaultLogin, GroupMarker(g) + "\n" + st.Block(), true},
		{"own_with_leading_blank_line", emulator.DefaultLogin, "\n" + GroupMarker(g) + "\n" + st.Block(), true},
		{"copied_by_a_person", "mallory", GroupMarker(g) + "\n" + st.Block(), false},
		{"quoted_by_our_bot", emulator.DefaultLogin, "> " + GroupMarker(g) + "\n" + st.Block(), false},
		{"inside_code", emulator.DefaultLogin, "`" + GroupMarker(g) + "`\n" + st.Block(), false},
		{"after_text", emulator.DefaultLogin, "see " + GroupMarker(g), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := testFixture()
			body := strings.ReplaceAll(tt.body, "\\n", "\n")
			f.Repositories[0].Issues = []emulator.Issue{{Number: 1, Title: "[critical] eco/app: 1 open problem", Body: body, User: tt.user,
				Labels: []string{DefaultLabel}, CreatedAt: t0.Add(-time.Hour)}}
			e := newEnv(t, f, emulator.Options{})
			res, err := e.run(t, e.config(t, reports(monitorJSON(t0, map[string]domain{"eco/app": {50, nil}})), 3))
			if err != nil {
				t.Fatal(err)
			}
			issues := e.issues(t, "eco/alerts")
			adopted := len(issues) == 1 && res.Groups[0].Issue == 1
			if adopted != tt.adopt {
				t.Errorf("adopted %v (%d issues, group issue #%d), want %v", adopted, len(issues), res.Groups[0].Issue, tt.adopt)
			}
			for _, is := range issues {
				if is.Number == 1 && !tt.adopt && is.Body != body {
					t.Errorf("a foreign issue was edited")
				}
			}
		})
	}
}

// TestLegacy_issue_adopted: an open alert issue written before groups (a
// per-fingerprint marker, or no marker and the same title) becomes the
// group's issue; a second one is closed as continuing there.
func TestLegacy_issue_adopted(t *testing.T) {
	t.Parallel()
	f := testFixture()
	fp := Fingerprint("eco/app", ProblemUnhealthy)
	f.Repositories[0].Issues = []emulator.Issue{
		{Number: 1, Title: "[critical] eco/app: health critical", Body: Marker(fp) + "\n## old alert", User: emulator.DefaultLogin,
			Labels: []string{DefaultLabel, "ops"}, CreatedAt: t0.Add(-48 * time.Hour)},
		{Number: 2, Title: "[ecosystem-alert] eco/app: Build failing on main", Body: "## pre-marker alert", User: emulator.DefaultLogin,
			Labels: []string{DefaultLabel}, CreatedAt: t0.Add(-24 * time.Hour)},
	}
	e := newEnv(t, f, emulator.Options{})
	mon := monitorJSON(t0, map[string]domain{"eco/app": {50, nil}})
	res, err := e.run(t, e.config(t, reports(mon), 5))
	if err != nil {
		t.Fatal(err)
	}
	byNum := map[int]emulator.Issue{}
	for _, is := range e.issues(t, "eco/alerts") {
		byNum[is.Number] = is
	}
	if len(byNum) != 2 {
		t.Fatalf("%d issues, want the 2 there were", len(byNum))
	}
	one := byNum[1]
	if one.State != "open" || ParseGroupMarker(one.Body) == "" || !strings.Contains(strings.Join(one.Labels, ","), "ops") {
		t.Errorf("#1 not adopted: %s %q labels %v", one.State, one.Title, one.Labels)
	}
	st, _ := ParseGroupState(one.Body)
	if p := st.Problems[fp]; p == nil || !p.FirstSeen.Equal(t0.Add(-48*time.Hour)) {
		t.Errorf("the adopted problem lost its first sighting: %+v", p)
	}
	if res.Groups[0].Action != ActionAdopted {
		t.Errorf("group action %q, want adopted", res.Groups[0].Action)
	}
	// The pre-marker issue names no current problem: it is left alone.
	if byNum[2].State != "open" || len(byNum[2].Comments) != 0 {
		t.Errorf("#2 touched: %s %+v", byNum[2].State, byNum[2].Comments)
	}
}

// TestGroupBy_modes_keep_history: moving from domain to fingerprint
// grouping opens one issue per problem with the first sightings the domain
// issue had, and closes the domain issue naming where its problems went.
func TestGroupBy_modes_keep_history(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	app := []string{"eco/app"}
	f1 := finding{"eco/app", "build.linker", "build", "high", "undefined reference", "Build"}
	rep := reports(monitorJSON(t0, map[string]domain{"eco/app": {50, []string{"stale_pr_load"}}}), fixerJSON(t0, app, f1))
	if _, err := e.run(t, e.config(t, rep, 1)); err != nil {
		t.Fatal(err)
	}
	domainIssue := e.only(t, "eco/alerts")
	before, _ := ParseGroupState(domainIssue.Body)
	e.clock.now = t0.Add(24 * time.Hour)
	cfg := e.config(t, rep, 2)
	cfg.GroupBy = GroupFingerprint
	res, err := e.run(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	open := 0
	for _, is := range e.issues(t, "eco/alerts") {
		if is.Number == domainIssue.Number {
			if is.State != "closed" || len(is.Comments) != 1 || !strings.Contains(is.Comments[0].Body, "Continues in") {
				t.Errorf("the domain issue: %s %+v", is.State, is.Comments)
			}
			continue
		}
		open++
		st, _ := ParseGroupState(is.Body)
		for fp, p := range st.Problems {
			if !p.FirstSeen.Equal(before.Problems[fp].FirstSeen) {
				t.Errorf("%s: first seen %s, the domain issue had %s", fp, p.FirstSeen, before.Problems[fp].FirstSeen)
			}
		}
	}
	if open != 2 {
		t.Errorf("%d fingerprint issues, want 2 (%+v)", open, res.Groups)
	}
}

// TestFileIn_domain files each domain's issue in its own repository and
// one ecosystem issue in the alert repository linking them.
func TestFileIn_domain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	rep := reports(monitorJSON(t0, map[string]domain{"eco/one": {50, nil}, "eco/two": {70, nil}, "eco/three": {95, nil}}))
	cfg := e.config(t, rep, 1)
	cfg.FileIn = FileInDomain
	if _, err := e.run(t, cfg); err != nil {
		t.Fatal(err)
	}
	for _, repo := range []string{"eco/one", "eco/two"} {
		is := e.only(t, repo)
		if !strings.Contains(is.Title, repo+": 1 open problem") {
			t.Errorf("%s: %q", repo, is.Title)
		}
	}
	if n := len(e.issues(t, "eco/three")); n != 0 {
		t.Errorf("a healthy domain got %d issues", n)
	}
	eco := e.only(t, "eco/alerts")
	if eco.Title != "[critical] Ecosystem: 2 domains with open problems" || !strings.Contains(eco.Body, "eco/one#1") || !strings.Contains(eco.Body, "eco/two#1") {
		t.Errorf("ecosystem issue %q:\n%s", eco.Title, eco.Body)
	}
	before := len(e.srv.Requests())
	cfg = e.config(t, rep, 2)
	cfg.FileIn = FileInDomain
	if _, err := e.run(t, cfg); err != nil {
		t.Fatal(err)
	}
	if w := e.writesSince(before); len(w) != 0 {
		t.Errorf("the same reports again wrote %v", w)
	}
}

// TestInhibition_in_the_issue: a monitor "workflow failing" alert and the
// health alert explained by the fixer's root cause are listed as explained,
// never announced.
func TestInhibition_in_the_issue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	at := t0
	mon := map[string]any{"schema_version": "2.0", "timestamp": at, "summary": map[string]any{}, "partial": false, "missing": []string{},
		"domains": map[string]any{"eco/app": map[string]any{"health_score": 55, "band": "critical", "confidence": 1, "default_branch": "main",
			"findings": []any{map[string]any{"severity": "critical", "component": "failure_streak", "text": "3 failing runs"}}}},
		"failures": []any{map[string]any{"domain": "eco/app", "workflow": "Build", "run_id": 5, "run_attempt": 1, "job": "build",
			"conclusion": "failure", "head_branch": "main", "url": "https://github.com/eco/app/actions/runs/5/job/6", "created_at": at.Add(-time.Hour)}}}
	mb, _ := json.Marshal(mon)
	f1 := finding{"eco/app", "build.linker", "build", "high", "undefined reference", "Build"}
	res, err := e.run(t, e.config(t, reports(string(mb), fixerJSON(at, []string{"eco/app"}, f1)), 1))
	if err != nil {
		t.Fatal(err)
	}
	is := e.only(t, "eco/alerts")
	if is.Title != "[high] eco/app: 1 open problem" || !strings.Contains(is.Body, "Explained by a root cause above (2)") {
		t.Errorf("title %q body:\n%s", is.Title, is.Body)
	}
	suppressed := 0
	for _, a := range res.Alerts {
		if len(a.SuppressedBy) > 0 {
			suppressed++
			if a.Notify != "" {
				t.Errorf("suppressed alert %q announced (%s)", a.Title, a.Notify)
			}
		}
	}
	if suppressed != 2 {
		t.Errorf("%d suppressed alerts, want 2", suppressed)
	}
}

// TestClaim_loser_adopts_the_winner: a run that loses the claim of a new
// group waits for the winner's issue and merges into it; a claim whose run
// died is taken over once it is stale.
func TestClaim_loser_adopts_the_winner(t *testing.T) {
	t.Parallel()
	rep := reports(monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}))
	gid := GroupID(DefaultLabel, GroupDomain, "eco/app")
	t.Run("stale_claim_taken_over", func(t *testing.T) {
		t.Parallel()
		f := testFixture()
		f.Repositories[0].Labels = append(f.Repositories[0].Labels, emulator.Label{Name: claimLabel(gid, 1), Color: claimColor,
			Description: "ecosystem-actions alert claim run 9 nonce dead at " + t0.Add(-time.Hour).Format(time.RFC3339)})
		e := newEnv(t, f, emulator.Options{})
		cfg := e.config(t, rep, 10)
		cfg.ClaimWait = 300 * time.Millisecond
		if _, err := e.run(t, cfg); err != nil {
			t.Fatal(err)
		}
		e.only(t, "eco/alerts")
	})
	t.Run("fresh_claim_is_respected", func(t *testing.T) {
		t.Parallel()
		f := testFixture()
		f.Repositories[0].Labels = append(f.Repositories[0].Labels, emulator.Label{Name: claimLabel(gid, 1), Color: claimColor,
			Description: "ecosystem-actions alert claim run 9 nonce busy at " + t0.Add(-time.Minute).Format(time.RFC3339)})
		e := newEnv(t, f, emulator.Options{})
		cfg := e.config(t, rep, 10)
		cfg.ClaimWait = 300 * time.Millisecond
		_, err := e.run(t, cfg)
		if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "another alert run claimed this group") {
			t.Errorf("error %v, want the claim reported", err)
		}
		if n := len(e.issues(t, "eco/alerts")); n != 0 {
			t.Errorf("%d issues created despite the claim", n)
		}
	})
}

var _ = context.Background
var _ = cmp.Diff

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
		{"workflow_climbs_the_path", func(c *Config) {
			c.Channels = []string{ChannelWorkflowDispatch}
			c.DispatchTargets, c.Workflow, c.WorkflowRef = []string{"eco/one"}, "../../dispatches?x=", "main"
		}, []string{`workflow value "../../dispatches?x="`, "numeric workflow id"}},
		{"unknown_group_by", func(c *Config) { c.GroupBy = "team" }, []string{`group_by value "team"`, "domain,category"}},
		{"unknown_file_in", func(c *Config) { c.FileIn = "everywhere" }, []string{`file_in value "everywhere"`, "alert-repo, domain"}},
		{"bad_trusted_author", func(c *Config) { c.TrustedAuthors = []string{"not a login"} }, []string{"trusted_authors", "not a GitHub login"}},
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

// TestLostAnswers_are_not_doubled: the emulator applies a write and then
// answers 500 or drops the connection. The run checks whether the write
// landed (the issue by its marker and claim, the comment by its marker, the
// claim label by its description, the edit by the body) before writing it
// again: one issue, one comment, one label, and the run succeeds.
func TestLostAnswers_are_not_doubled(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{emulator.FaultAppliedError, emulator.FaultAppliedReset} {
		for _, tt := range []struct {
			name, method, path string
		}{
			{"create_issue", "POST", `^/repos/eco/alerts/issues$`},
			{"claim_label", "POST", `^/repos/eco/alerts/labels$`},
			{"comment", "POST", `^/repos/eco/alerts/issues/1/comments$`},
			{"edit", "PATCH", `^/repos/eco/alerts/issues/1$`},
		} {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, nil, emulator.Options{})
				warn := reports(monitorJSON(t0, map[string]domain{"eco/app": {70, []string{"stale_pr_load"}}}))
				crit := reports(monitorJSON(t0, map[string]domain{"eco/app": {50, []string{"stale_pr_load"}}}))
				first := warn
				if tt.name == "create_issue" || tt.name == "claim_label" {
					if err := e.srv.SetFaults([]emulator.Fault{{Method: tt.method, PathRegex: tt.path, Kind: kind, Limit: 1}}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := e.run(t, e.config(t, first, 1)); err != nil {
					t.Fatalf("first run: %v", err)
				}
				if tt.name == "comment" || tt.name == "edit" {
					if err := e.srv.SetFaults([]emulator.Fault{{Method: tt.method, PathRegex: tt.path, Kind: kind, Limit: 1}}); err != nil {
						t.Fatal(err)
					}
					if _, err := e.run(t, e.config(t, crit, 2)); err != nil {
						t.Fatalf("second run: %v", err)
					}
				}
				is := e.only(t, "eco/alerts")
				wantComments := 0
				if tt.name == "comment" || tt.name == "edit" {
					wantComments = 1
				}
				if len(is.Comments) != wantComments {
					t.Errorf("%d comments, want %d", len(is.Comments), wantComments)
				}
				hit := false
				for _, q := range e.srv.Requests() {
					hit = hit || q.Fault == kind
				}
				if !hit {
					t.Error("the fault never fired: the test proves nothing")
				}
				claims := 0
				for _, r := range e.srv.State().Repositories {
					for _, l := range r.Labels {
						if strings.HasPrefix(l.Name, claimPrefix) {
							claims++
						}
					}
				}
				if claims != 1 {
					t.Errorf("%d claim labels at rest, want 1", claims)
				}
			})
		}
	}
}

// TestFailedWrite_fails_the_run_naming_it: a write GitHub refuses makes the
// run incomplete, and the result names the group and what was not done.
func TestFailedWrite_fails_the_run_naming_it(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{Faults: []emulator.Fault{{Method: "POST", PathRegex: `^/repos/eco/alerts/issues$`, Kind: emulator.FaultBadGateway}}})
	res, err := e.run(t, e.config(t, reports(monitorJSON(t0, map[string]domain{"eco/app": {50, nil}})), 1))
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v, want incomplete", err)
	}
	g := res.Groups[0]
	if g.Action != ActionFailed || len(g.Errors) == 0 || !strings.Contains(g.Errors[0], "failed to create the issue") {
		t.Errorf("group %+v", g)
	}
	if n := len(e.issues(t, "eco/alerts")); n != 0 {
		t.Errorf("%d issues", n)
	}
	// The claim was released: the next run is not held up by it.
	cfg := e.config(t, reports(monitorJSON(t0, map[string]domain{"eco/app": {50, nil}})), 2)
	cfg.ClaimWait = time.Millisecond
	if err := e.srv.SetFaults(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.run(t, cfg); err != nil {
		t.Fatalf("next run: %v", err)
	}
	e.only(t, "eco/alerts")
}

// TestFileIn_switch_retires_the_old_issues: moving from alert-repo to
// domain opens the domain's issue in its own repository and closes the one
// in the alert repository, naming where it went.
func TestFileIn_switch_retires_the_old_issues(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	rep := reports(monitorJSON(t0, map[string]domain{"eco/one": {50, nil}}))
	if _, err := e.run(t, e.config(t, rep, 1)); err != nil {
		t.Fatal(err)
	}
	cfg := e.config(t, rep, 2)
	cfg.FileIn = FileInDomain
	if _, err := e.run(t, cfg); err != nil {
		t.Fatal(err)
	}
	one := e.only(t, "eco/one")
	var old, eco emulator.Issue
	for _, is := range e.issues(t, "eco/alerts") {
		if strings.Contains(is.Title, "Ecosystem") {
			eco = is
		} else {
			old = is
		}
	}
	if old.State != "closed" || len(old.Comments) != 1 || !strings.Contains(old.Comments[0].Body, fmt.Sprintf("eco/one#%d", one.Number)) {
		t.Errorf("the alert-repo issue: %s %+v", old.State, old.Comments)
	}
	if eco.State != "open" {
		t.Errorf("no ecosystem issue: %+v", eco)
	}
	st, _ := ParseGroupState(one.Body)
	before, _ := ParseGroupState(old.Body)
	for fp, p := range st.Problems {
		if !p.FirstSeen.Equal(before.Problems[fp].FirstSeen) {
			t.Errorf("%s lost its first sighting", fp)
		}
	}
}

// TestPreMarker_issue_adopted_by_title: an alert issue written before
// markers (the label, the same title, this action's author) is adopted; the
// same title by someone else is not.
func TestPreMarker_issue_adopted_by_title(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		user  string
		adopt bool
	}{{emulator.DefaultLogin, true}, {"someone", false}} {
		t.Run(tt.user, func(t *testing.T) {
			t.Parallel()
			f := testFixture()
			f.Repositories[0].Issues = []emulator.Issue{{Number: 1, Title: "[ecosystem-alert] app: health critical", Body: "## old, no marker",
				User: tt.user, Labels: []string{DefaultLabel}, CreatedAt: t0.Add(-72 * time.Hour)}}
			e := newEnv(t, f, emulator.Options{})
			res, err := e.run(t, e.config(t, reports(monitorJSON(t0, map[string]domain{"eco/app": {50, nil}})), 1))
			if err != nil {
				t.Fatal(err)
			}
			adopted := res.Groups[0].Issue == 1 && res.Groups[0].Action == ActionAdopted
			if adopted != tt.adopt || (tt.adopt && len(e.issues(t, "eco/alerts")) != 1) {
				t.Errorf("adopted %v (group %+v), want %v", adopted, res.Groups[0], tt.adopt)
			}
		})
	}
}
