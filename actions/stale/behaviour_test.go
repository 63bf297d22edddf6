package stale

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract/contracttest"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"gopkg.in/yaml.v3"
)

// clock is a settable fixed clock shared by the emulator and the run.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     *testing.T
	srv   *emulator.Server
	clock *clock
	sent  int64 // requests the runs' clients sent (ghclient accounting)
}

func startEnv(t *testing.T, fx *emulator.Fixture, faults ...emulator.Fault) *env {
	t.Helper()
	c := &clock{t: testNow}
	fx.ReferenceTime = testNow
	srv := emulator.StartForTest(t, fx, emulator.Options{Now: c.Now, Faults: faults, Seed: 7, SecondaryLimit: -1})
	return &env{t: t, srv: srv, clock: c}
}

// run performs one action run at the current clock.
func (e *env) run(p Policy, dryRun bool, repos ...string) (*Result, error) {
	e.t.Helper()
	gh, err := ghclient.New(ghclient.Config{Token: "test-token", APIURL: e.srv.URL(), Now: e.clock.Now,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(repos) == 0 {
		repos = []string{"acme/app"}
	}
	cfg := Config{Policy: p, Repositories: repoList(repos...), DryRun: dryRun, Now: e.clock.Now(), Repository: "acme/ops"}
	res, err := Run(context.Background(), cfg, Deps{GitHub: gh.Client, Stats: func() any { return gh.Stats() }})
	e.sent += gh.Stats().Requests
	return res, err
}

func (e *env) mustRun(p Policy, dryRun bool, repos ...string) *Result {
	e.t.Helper()
	res, err := e.run(p, dryRun, repos...)
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	return res
}

// executedWrites lists the write calls a run made (from the executor's
// record: the emulator's log is appended after each response is written, so
// a run's last request may appear in the log only after the next run began).
func executedWrites(res *Result) []string {
	var out []string
	for _, it := range res.Plan.Items {
		for _, c := range it.Executed {
			out = append(out, c.String())
		}
	}
	for _, tr := range res.Plan.Tracking {
		if tr.Executed != nil {
			out = append(out, tr.Executed.String())
		}
	}
	return out
}

// writes lists the write requests the emulator received since index from.
func (e *env) writes(from int) []string {
	// The emulator logs a request after writing its response: wait (briefly)
	// until every request the clients sent is in the log.
	log := e.srv.Requests()
	for i := 0; i < 200 && int64(len(log)) < e.sent; i++ {
		time.Sleep(5 * time.Millisecond)
		log = e.srv.Requests()
	}
	var out []string
	for _, r := range log[from:] {
		if r.Method != "GET" && r.Status < 300 {
			out = append(out, r.Method+" "+strings.TrimPrefix(r.Path, "/api/v3"))
		}
	}
	return out
}

func (e *env) pull(repo string, n int) emulator.Pull {
	e.t.Helper()
	for _, r := range e.srv.State().Repositories {
		if r.FullName == repo {
			for _, p := range r.Pulls {
				if p.Number == n {
					return p
				}
			}
		}
	}
	e.t.Fatalf("no pull %s#%d", repo, n)
	return emulator.Pull{}
}

func (e *env) repo(name string) emulator.RepoState {
	for _, r := range e.srv.State().Repositories {
		if r.FullName == name {
			return r
		}
	}
	e.t.Fatalf("no repo %s", name)
	return emulator.RepoState{}
}

func markerComments(p emulator.Pull, marker string) int {
	n := 0
	for _, c := range p.Comments {
		if strings.Contains(c.Body, marker) {
			n++
		}
	}
	return n
}

func ago(d float64) time.Time { return daysAgo(d) }

func fxPull(n int, createdAgo float64) emulator.Pull {
	return emulator.Pull{Number: n, Title: fmt.Sprintf("Change %d", n), User: "alice", CreatedAt: ago(createdAgo), UpdatedAt: ago(createdAgo),
		Head: emulator.Ref{Ref: fmt.Sprintf("feature-%d", n)}, Base: emulator.Ref{Ref: "main"}}
}

// warned adds an earlier warning: label, labeled event by the action and
// the marker comment, warnedAgo days ago.
func warned(p emulator.Pull, warnedAgo float64) emulator.Pull {
	p.Labels = append(p.Labels, "stale")
	p.Comments = append(p.Comments, emulator.Comment{ID: int64(1000 + p.Number), User: "github-actions[bot]", Body: MarkerWarning + "\nStale.", CreatedAt: ago(warnedAgo)})
	p.Events = append(p.Events, emulator.IssueEvent{Event: "labeled", Actor: "github-actions[bot]", Label: "stale", CreatedAt: ago(warnedAgo)})
	return p
}

func fxBranch(name string, commitAgo float64) emulator.Branch {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s@%v", name, commitAgo)
	return emulator.Branch{Name: name, Commit: emulator.Commit{SHA: fmt.Sprintf("%040x", h.Sum64()), Author: "bob", Date: ago(commitAgo)}}
}

func fxRepo(name string, pulls []emulator.Pull, branches ...emulator.Branch) emulator.Repository {
	bs := append([]emulator.Branch{fxBranch("main", 1)}, branches...)
	return emulator.Repository{Owner: "acme", Name: name, DefaultBranch: "main", Pulls: pulls, Branches: bs, CreatedAt: ago(400)}
}

// fixture keeps GitHub's invariant that a pull request's or issue's
// updated_at is at least the time of its latest comment, event, review or
// commit (the fixture helpers add those without moving it).
func fixture(repos ...emulator.Repository) *emulator.Fixture {
	for ri := range repos {
		for i := range repos[ri].Pulls {
			settlePull(&repos[ri].Pulls[i])
		}
		for i := range repos[ri].Issues {
			is := &repos[ri].Issues[i]
			is.UpdatedAt = latest(is.CreatedAt, is.UpdatedAt, is.Comments, is.Events)
		}
	}
	return &emulator.Fixture{Repositories: repos}
}

func settlePull(p *emulator.Pull) {
	p.UpdatedAt = latest(p.CreatedAt, p.UpdatedAt, p.Comments, p.Events)
	for _, r := range p.Reviews {
		if r.SubmittedAt.After(p.UpdatedAt) {
			p.UpdatedAt = r.SubmittedAt
		}
	}
	for _, c := range p.Commits {
		if c.Date.After(p.UpdatedAt) {
			p.UpdatedAt = c.Date
		}
	}
}

func latest(created, updated time.Time, comments []emulator.Comment, events []emulator.IssueEvent) time.Time {
	t := created
	if updated.After(t) {
		t = updated
	}
	for _, c := range comments {
		if c.CreatedAt.After(t) {
			t = c.CreatedAt
		}
		if c.UpdatedAt.After(t) {
			t = c.UpdatedAt
		}
	}
	for _, e := range events {
		if e.CreatedAt.After(t) {
			t = e.CreatedAt
		}
	}
	return t
}

// repoList parses "owner/name" literals as the runner's Repos input does
// (ghname.ParseRepo); a malformed literal is a bug in the test.
func repoList(names ...string) []ghname.Repo {
	out := make([]ghname.Repo, 0, len(names))
	for _, n := range names {
		r, err := ghname.ParseRepo(n, "")
		if err != nil {
			panic(err)
		}
		out = append(out, r)
	}
	return out
}

func policy(mut ...func(*Policy)) Policy {
	p := DefaultPolicy()
	p.IncludeBranches = false
	for _, m := range mut {
		m(&p)
	}
	return p
}

// TestStaleBehaviour is the scenario table, in the spirit of actions/stale's
// test suite: a fixture, one run at a fixed clock, and what must (not)
// happen to each pull request.
func TestStaleBehaviour(t *testing.T) {
	t.Parallel()
	type want struct {
		stale    bool // carries the stale label after the run
		warnings int  // active warning comments
		closed   bool
	}
	closePRs := func(p *Policy) { p.ClosePRs = true }
	cases := []struct {
		name   string
		pulls  []emulator.Pull
		policy Policy
		want   map[int]want
	}{
		{name: "inactive_pr_is_warned_once", pulls: []emulator.Pull{fxPull(1, 40), fxPull(2, 10)}, policy: policy(),
			want: map[int]want{1: {stale: true, warnings: 1}, 2: {}}},
		{name: "fractional_days", policy: policy(func(p *Policy) { p.DaysUntilStale = 12 * time.Hour }),
			pulls: []emulator.Pull{fxPull(1, 0.6), fxPull(2, 0.4)}, want: map[int]want{1: {stale: true, warnings: 1}, 2: {}}},
		{name: "close_counts_from_the_warning_not_updated_at", policy: policy(closePRs),
			pulls: []emulator.Pull{
				func() emulator.Pull {
					p := warned(fxPull(1, 90), 8)
					// A bot's comment moved updated_at; the grace period still runs from the warning.
					p.Comments = append(p.Comments, emulator.Comment{ID: 71, User: "codecov[bot]", Body: "coverage", CreatedAt: ago(0.01)})
					return p
				}(),
				warned(fxPull(2, 90), 6),
			},
			want: map[int]want{1: {stale: true, warnings: 1, closed: true}, 2: {stale: true, warnings: 1}}},
		{name: "an_update_no_entry_explains_is_activity", policy: policy(closePRs),
			pulls: []emulator.Pull{
				// updated_at after every comment, event, review and commit: an
				// edit of the description (or something else the API does not
				// list). Counted as activity: it resets the warning.
				func() emulator.Pull { p := warned(fxPull(1, 90), 8); p.UpdatedAt = ago(1); return p }(),
				func() emulator.Pull { p := fxPull(2, 90); p.UpdatedAt = ago(1); return p }(),
			},
			want: map[int]want{1: {}, 2: {}}},
		{name: "closing_is_off_by_default", policy: policy(),
			pulls: []emulator.Pull{warned(fxPull(1, 90), 30)}, want: map[int]want{1: {stale: true, warnings: 1}}},
		{name: "exemptions", policy: policy(func(p *Policy) {
			p.ExemptLabels, p.ExemptMilestones = []string{"pinned"}, []string{"v2"}
			p.ExemptAssignees, p.ExemptAuthors = []string{"carol"}, []string{"renovate[bot]"}
		}),
			pulls: []emulator.Pull{
				func() emulator.Pull { p := fxPull(1, 90); p.Labels = []string{"pinned"}; return p }(),
				func() emulator.Pull { p := fxPull(2, 90); p.Milestone = "v2"; return p }(),
				func() emulator.Pull { p := fxPull(3, 90); p.Assignees = []string{"carol"}; return p }(),
				func() emulator.Pull { p := fxPull(4, 90); p.User = "renovate[bot]"; return p }(),
				func() emulator.Pull { p := fxPull(5, 90); p.Draft = true; return p }(),
				fxPull(6, 90),
			},
			want: map[int]want{1: {}, 2: {}, 3: {}, 4: {}, 5: {}, 6: {stale: true, warnings: 1}}},
		{name: "only_and_any_of_labels", policy: policy(func(p *Policy) { p.AnyOfLabels = []string{"needs-info"} }),
			pulls: []emulator.Pull{func() emulator.Pull { p := fxPull(1, 90); p.Labels = []string{"needs-info"}; return p }(), fxPull(2, 90)},
			want:  map[int]want{1: {stale: true, warnings: 1}, 2: {}}},
		{name: "human_comment_after_warning_unstales", policy: policy(closePRs),
			pulls: []emulator.Pull{func() emulator.Pull {
				p := warned(fxPull(1, 90), 10)
				p.Comments = append(p.Comments, emulator.Comment{ID: 5, User: "alice", Body: "still on it", CreatedAt: ago(2)})
				return p
			}()},
			want: map[int]want{1: {}}},
		{name: "bot_activity_after_warning_is_ignored", policy: policy(closePRs),
			pulls: []emulator.Pull{func() emulator.Pull {
				p := warned(fxPull(1, 90), 10)
				p.Comments = append(p.Comments, emulator.Comment{ID: 5, User: "codecov[bot]", Body: "coverage", CreatedAt: ago(2)})
				p.Comments = append(p.Comments, emulator.Comment{ID: 6, User: "dependabot[bot]", Body: "rebase", CreatedAt: ago(1)})
				return p
			}()},
			want: map[int]want{1: {stale: true, warnings: 1, closed: true}}},
		{name: "human_review_is_activity", policy: policy(),
			pulls: []emulator.Pull{func() emulator.Pull {
				p := fxPull(1, 90)
				p.Reviews = []emulator.Review{{ID: 3, User: "dave", State: "APPROVED", SubmittedAt: ago(3)}}
				return p
			}()},
			want: map[int]want{1: {}}},
		{name: "removed_label_resolves_the_warning", policy: policy(closePRs),
			pulls: []emulator.Pull{func() emulator.Pull {
				p := warned(fxPull(1, 90), 10)
				p.Labels = nil
				p.Events = append(p.Events, emulator.IssueEvent{Event: "unlabeled", Actor: "alice", Label: "stale", CreatedAt: ago(3)})
				return p
			}()},
			want: map[int]want{1: {}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEnv(t, fixture(fxRepo("app", tc.pulls)))
			e.mustRun(tc.policy, false)
			for n, w := range tc.want {
				p := e.pull("acme/app", n)
				got := want{stale: containsFold(p.Labels, "stale"), warnings: markerComments(p, MarkerWarning), closed: p.State == "closed"}
				if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{})); diff != "" {
					t.Errorf("#%d (-want +got):\n%s", n, diff)
				}
			}
			// Running again the same day changes nothing.
			if w := executedWrites(e.mustRun(tc.policy, false)); len(w) != 0 {
				t.Errorf("second run wrote %v", w)
			}
		})
	}
}

func TestUnstaleMarksTheWarningResolved(t *testing.T) {
	t.Parallel()
	p := warned(fxPull(1, 90), 10)
	p.Comments = append(p.Comments, emulator.Comment{ID: 5, User: "alice", Body: "@maintainers still on it", CreatedAt: ago(2)})
	e := startEnv(t, fixture(fxRepo("app", []emulator.Pull{p})))
	res := e.mustRun(policy(), false)
	got := e.pull("acme/app", 1)
	if markerComments(got, MarkerResolved) != 1 || markerComments(got, MarkerWarning) != 0 {
		t.Errorf("comments = %+v", got.Comments)
	}
	if res.Analysis.Summary.Unstaled != 1 {
		t.Errorf("summary = %+v", res.Analysis.Summary)
	}
}

func TestBudgetFinishesBacklogOverRuns(t *testing.T) {
	t.Parallel()
	var pulls []emulator.Pull
	for i := 1; i <= 5; i++ {
		pulls = append(pulls, fxPull(i, float64(30+i*10))) // #5 is the oldest
	}
	e := startEnv(t, fixture(fxRepo("app", pulls)))
	p := policy(func(p *Policy) { p.OperationsPerRun = 4 })
	var order [][]int
	for run := 0; run < 3; run++ {
		res := e.mustRun(p, false)
		var warnedNow []int
		for _, it := range res.Plan.Items {
			if it.Decision == DecisionWarn {
				warnedNow = append(warnedNow, it.Number)
			}
		}
		sort.Sort(sort.Reverse(sort.IntSlice(warnedNow)))
		order = append(order, warnedNow)
		if run == 0 && (!res.Analysis.Budget.Exhausted || res.Analysis.Summary.Deferred != 3) {
			t.Errorf("run 1 budget = %+v summary = %+v", res.Analysis.Budget, res.Analysis.Summary)
		}
		if res.Analysis.Summary.Writes > 4 {
			t.Errorf("run %d wrote %d times, budget 4", run+1, res.Analysis.Summary.Writes)
		}
		e.clock.Add(time.Hour)
	}
	if diff := cmp.Diff([][]int{{5, 4}, {3, 2}, {1}}, order); diff != "" {
		t.Errorf("warned per run, oldest first (-want +got):\n%s", diff)
	}
}

func TestBranchSafetyRails(t *testing.T) {
	t.Parallel()
	protected := fxBranch("prod", 300)
	protected.Protected = true
	app := fxRepo("app", []emulator.Pull{
		func() emulator.Pull { p := fxPull(1, 2); p.Head = emulator.Ref{Ref: "has-pr"}; return p }(),
		func() emulator.Pull {
			p := fxPull(2, 2)
			p.Head = emulator.Ref{Ref: "patch-1", Repo: "forker/app"}
			return p
		}(),
		func() emulator.Pull {
			p := fxPull(3, 2)
			p.Head = emulator.Ref{Ref: "x"}
			p.Base = emulator.Ref{Ref: "integration"}
			return p
		}(),
	}, protected, fxBranch("has-pr", 300), fxBranch("patch-1", 300), fxBranch("integration", 300), fxBranch("x", 1),
		fxBranch("old-feature", 300), fxBranch("release/1.0", 300), fxBranch("young", 3))
	app.Branches[0].Commit.Date = ago(500) // the default branch is old too
	fork := fxRepo("app-fork", nil, fxBranch("old-in-fork", 300))
	fork.Fork = true
	forker := emulator.Repository{Owner: "forker", Name: "app", DefaultBranch: "main", Fork: true, Branches: []emulator.Branch{fxBranch("main", 1), fxBranch("patch-1", 1)}}
	e := startEnv(t, fixture(app, fork, forker))
	p := policy(func(p *Policy) { p.IncludeBranches, p.DeleteBranches, p.IncludePRs = true, true, true })

	res := e.mustRun(p, false, "acme/app", "acme/app-fork")
	var warnedNames []string
	for _, o := range res.Analysis.Outputs["warned_branches"] {
		warnedNames = append(warnedNames, o.Repository+":"+o.Branch)
	}
	if diff := cmp.Diff([]string{"acme/app:old-feature", "acme/app:patch-1"}, warnedNames); diff != "" {
		t.Errorf("warned branches (-want +got):\n%s", diff)
	}
	// One tracking issue, updated in place on later runs.
	e.clock.Add(8 * Day)
	res = e.mustRun(p, false, "acme/app", "acme/app-fork")
	e.clock.Add(time.Hour)
	e.mustRun(p, false, "acme/app", "acme/app-fork")

	var deleted []string
	for _, ch := range e.srv.State().RefChanges {
		if ch.Action == "deleted" {
			deleted = append(deleted, ch.Repo+":"+ch.Ref)
		}
	}
	if diff := cmp.Diff([]string{"acme/app:refs/heads/old-feature", "acme/app:refs/heads/patch-1"}, deleted); diff != "" {
		t.Errorf("deleted refs (-want +got):\n%s", diff)
	}
	if len(res.Analysis.Deletions) != 2 {
		t.Fatalf("deletions = %+v", res.Analysis.Deletions)
	}
	for _, d := range res.Analysis.Deletions {
		want := "gh api repos/acme/app/git/refs -f ref=refs/heads/" + d.Branch + " -f sha=" + d.SHA
		if !d.Done || d.Restore != want || len(d.SHA) != 40 {
			t.Errorf("deletion %+v, want restore %q", d, want)
		}
	}
	var tracking []emulator.Issue
	for _, is := range e.repo("acme/app").Issues {
		if is.Title == TrackingIssueTitle {
			tracking = append(tracking, is)
		}
	}
	if len(tracking) != 1 {
		t.Fatalf("tracking issues = %d, want 1", len(tracking))
	}
	if !strings.Contains(tracking[0].Body, "gh api repos/acme/app/git/refs -f ref=refs/heads/old-feature") {
		t.Errorf("tracking issue lacks the restore command:\n%s", tracking[0].Body)
	}
	if n := len(e.repo("acme/app-fork").Issues); n != 0 {
		t.Errorf("fork repository got %d issues", n)
	}
}

func TestMultiRepositoryAndConfigOverride(t *testing.T) {
	t.Parallel()
	slow := fxRepo("slow", []emulator.Pull{fxPull(1, 40)})
	slow.Files = map[string]string{ConfigPath: "stale:\n  days_until_stale: 100\n"}
	fast := fxRepo("fast", []emulator.Pull{fxPull(1, 40)})
	e := startEnv(t, fixture(slow, fast))
	res, err := e.run(policy(), false, "acme/slow", "acme/fast")
	if res != nil {
		t.Logf("%v", res.Analysis.NotDone())
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := containsFold(e.pull("acme/slow", 1).Labels, "stale"); got {
		t.Errorf("acme/slow#1 warned despite days_until_stale: 100 in its config")
	}
	if got := containsFold(e.pull("acme/fast", 1).Labels, "stale"); !got {
		t.Errorf("acme/fast#1 not warned")
	}
	if res.Analysis.Policies["acme/slow"].DaysUntilStale != 100*Day || res.Analysis.ConfigFiles["acme/slow"] == "" {
		t.Errorf("report lacks the override: %+v", res.Analysis.ConfigFiles)
	}
}

func TestBadConfigFileFailsBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	bad := fxRepo("bad", []emulator.Pull{fxPull(1, 40)})
	bad.Files = map[string]string{ConfigPath: "stale:\n  days_until_stale: 10\n  exempt_lables: [x]\n"}
	good := fxRepo("good", []emulator.Pull{fxPull(1, 40)})
	e := startEnv(t, fixture(good, bad))
	_, err := e.run(policy(), false, "acme/good", "acme/bad")
	if err == nil || !strings.Contains(err.Error(), "acme/bad:.github/ecosystem.yml:3") || !strings.Contains(err.Error(), "exempt_lables") {
		t.Fatalf("err = %v, want the file, line 3 and the key", err)
	}
	if w := e.writes(0); len(w) != 0 {
		t.Errorf("writes before the error: %v", w)
	}
}

func TestDryRunPlanIsWhatARealRunDoes(t *testing.T) {
	t.Parallel()
	mk := func() *emulator.Fixture {
		return fixture(fxRepo("app", []emulator.Pull{
			fxPull(1, 40), warned(fxPull(2, 90), 9), fxPull(3, 2),
			func() emulator.Pull {
				p := warned(fxPull(4, 90), 10)
				p.Comments = append(p.Comments, emulator.Comment{ID: 9, User: "alice", Body: "wip", CreatedAt: ago(1)})
				return p
			}(),
		}, fxBranch("old", 200), fxBranch("fresh", 1)))
	}
	p := policy(func(p *Policy) { p.ClosePRs, p.IncludeBranches, p.DeleteBranches = true, true, true })

	dry := startEnv(t, mk())
	plan := dry.mustRun(p, true).Plan
	if w := dry.writes(0); len(w) != 0 {
		t.Fatalf("dry run wrote %v", w)
	}
	var planned []string
	for _, c := range plan.Calls() {
		planned = append(planned, c.String())
	}
	if len(planned) < 5 {
		t.Fatalf("plan too small to be a meaningful check: %v", planned)
	}

	real := startEnv(t, mk())
	res := real.mustRun(p, false)
	comparePlanAndRun(t, planned, res.Plan, real.writes(0))
}

// TestFaultsNeverDoubleActOrActWithoutWarning runs a week of daily runs
// with 20% of all requests failing and checks the invariants.
func TestFaultsNeverDoubleActOrActWithoutWarning(t *testing.T) {
	t.Parallel()
	var pulls []emulator.Pull
	var branches []emulator.Branch
	for i := 1; i <= 12; i++ {
		pulls = append(pulls, fxPull(i, float64(35+i)))
		branches = append(branches, fxBranch(fmt.Sprintf("old-%d", i), float64(40+i)))
	}
	// Plain failures, and writes that are applied and then answered 500 or
	// dropped (a client that resends them doubles them).
	e := startEnv(t, fixture(fxRepo("app", pulls, branches...)), emulator.Fault{Kind: "applied-500", Method: "POST", Rate: 0.15},
		emulator.Fault{Kind: "applied-reset", Method: "POST", Rate: 0.1}, emulator.Fault{Kind: emulator.FaultInternalError, Rate: 0.2})
	p := policy(func(p *Policy) {
		p.ClosePRs, p.IncludeBranches, p.DeleteBranches = true, true, true
		p.DaysUntilClose = 2 * Day
	})
	warnedBranches := map[string]bool{}
	for day := 0; day < 8; day++ {
		res, err := e.run(p, false)
		if err != nil && res == nil {
			t.Logf("day %d: run failed before planning: %v", day, err)
		}
		// A branch may only disappear after it was listed in the tracking
		// issue by an earlier run.
		for _, ch := range e.srv.State().RefChanges {
			if ch.Action == "deleted" && !warnedBranches[ch.Ref] {
				t.Errorf("day %d: %s deleted without an earlier warning", day, ch.Ref)
			}
		}
		for _, is := range e.repo("acme/app").Issues {
			if is.Title == TrackingIssueTitle {
				st, _ := parseTracking(is.Body)
				for _, b := range st.Branches {
					warnedBranches["refs/heads/"+b.Name] = true
				}
			}
		}
		e.clock.Add(Day)
	}
	st := e.repo("acme/app")
	closed := 0
	for _, pr := range st.Pulls {
		if n := markerComments(pr, MarkerWarning) + markerComments(pr, MarkerResolved); n > 1 {
			t.Errorf("#%d has %d warning comments", pr.Number, n)
		}
		if n := markerComments(pr, MarkerClose); n > 1 {
			t.Errorf("#%d has %d close comments", pr.Number, n)
		}
		if pr.State == "closed" {
			closed++
			if markerComments(pr, MarkerWarning) != 1 {
				t.Errorf("#%d closed without a warning", pr.Number)
			}
		}
	}
	tracking := 0
	for _, is := range st.Issues {
		if is.Title == TrackingIssueTitle {
			tracking++
		}
	}
	if tracking > 1 {
		t.Errorf("%d tracking issues, want at most 1", tracking)
	}
	if closed == 0 {
		t.Errorf("no pull request was closed in a week: the faults test exercised nothing")
	}
	faults, failedWrites := 0, 0
	for _, r := range e.srv.Requests() {
		if r.Fault != "" {
			faults++
			if r.Method != "GET" {
				failedWrites++
			}
		}
	}
	if faults == 0 || failedWrites == 0 {
		t.Errorf("faults injected = %d (writes %d): the test did not exercise failures", faults, failedWrites)
	}
	t.Logf("%d requests, %d faults (%d on writes), %d pull requests closed", len(e.srv.Requests()), faults, failedWrites, closed)
}

func TestReportFilesAndOutputs(t *testing.T) {
	t.Parallel()
	pr := fxPull(1, 40)
	pr.Title = "Fix `x` @everyone <img src=x onerror=alert(1)> ::set-output name=x::y"
	e := startEnv(t, fixture(fxRepo("app", []emulator.Pull{pr})))
	dir := t.TempDir()
	gh, _ := ghclient.New(ghclient.Config{Token: "t", APIURL: e.srv.URL(), Now: e.clock.Now})
	res, err := Run(context.Background(), Config{Policy: policy(), Repositories: repoList("acme/app"), Now: e.clock.Now(), OutputDir: dir, Repository: "acme/ops"},
		Deps{GitHub: gh.Client, Stats: func() any { return gh.Stats() }})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "stale_analysis.json"))
	if err != nil {
		t.Fatal(err)
	}
	contracttest.Check(t, contract.KindStale, raw)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"timestamp", "repository", "summary", "stale_prs", "stale_branches", "recommendations", "plan", "budget", "deletions", "api"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("stale_analysis.json lacks %q", k)
		}
	}
	sum := doc["summary"].(map[string]any)
	for _, k := range []string{"total_stale_prs", "total_stale_branches", "oldest_pr_days", "oldest_branch_days"} {
		if _, ok := sum[k]; !ok {
			t.Errorf("summary lacks %q", k)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "stale_analysis.md"))
	for _, bad := range []string{"@everyone", "<img", "`x`"} {
		if strings.Contains(string(md), bad) {
			t.Errorf("stale_analysis.md contains unescaped %q", bad)
		}
	}
	for _, n := range OutputNames {
		if res.Analysis.Outputs[n] == nil {
			t.Errorf("output %s is nil", n)
		}
	}
	if len(res.Analysis.Outputs["staled_prs"]) != 1 {
		t.Errorf("staled_prs = %+v", res.Analysis.Outputs["staled_prs"])
	}
}

// TestExampleEcosystem runs the action on the example ecosystem (four
// domains): a dry run, then a real run from the same state performing
// exactly the plan, a rerun the same day writing nothing, and the rails
// holding for every branch.
func TestExampleEcosystem(t *testing.T) {
	t.Parallel()
	// Decoded directly rather than with emulator.LoadFixture: job logs
	// (LogFile) do not matter to this action, so a missing log file must not
	// keep the test from running.
	load := func() *emulator.Fixture {
		raw, err := os.ReadFile(emulator.ExampleFixturePath())
		if err != nil {
			t.Fatalf("failed to read the example ecosystem fixture (testdata/ecosystem is committed): %v", err)
		}
		var fx emulator.Fixture
		if err := yaml.Unmarshal(raw, &fx); err != nil {
			t.Fatalf("failed to parse the example ecosystem: %v", err)
		}
		return &fx
	}
	repos := []string{"sparesparrow/openssl-tools", "sparesparrow/openssl-conan-base", "sparesparrow/openssl-fips-policy", "sparesparrow/mcp-project-orchestrator"}
	p := DefaultPolicy()
	p.ClosePRs, p.DeleteBranches, p.IncludeIssues = true, true, true
	p.OperationsPerRun = 1000
	start := func() (*env, *emulator.Fixture) {
		fx := load()
		now := fx.ReferenceTime
		c := &clock{t: now}
		srv := emulator.StartForTest(t, fx, emulator.Options{Now: c.Now, SecondaryLimit: -1})
		return &env{t: t, srv: srv, clock: c}, fx
	}
	dry, _ := start()
	plan := func() *Plan {
		res, err := dry.run(p, true, repos...)
		if err != nil && !errors.Is(err, ErrPartial) {
			t.Fatal(err)
		}
		return res.Plan
	}()
	var planned []string
	for _, c := range plan.Calls() {
		planned = append(planned, c.String())
	}
	real, fx := start()
	res, err := real.run(p, false, repos...)
	if err != nil && !errors.Is(err, ErrPartial) {
		t.Fatal(err)
	}
	comparePlanAndRun(t, planned, res.Plan, real.writes(0))
	if res.Analysis.Summary.Warned == 0 {
		t.Errorf("nothing warned on the example ecosystem: %+v", res.Analysis.Summary)
	}
	// Rerun the same day: no comment or label is posted again. (Branches
	// of pull requests this run closed lose the open-PR rail, so the rerun
	// may list them in the tracking issue; a third run writes nothing.)
	res2, err := real.run(p, false, repos...)
	if err != nil && !errors.Is(err, ErrPartial) {
		t.Fatal(err)
	}
	for _, w := range executedWrites(res2) {
		if !regexp.MustCompile(`^PATCH /repos/[^/]+/[^/]+/issues/\d+$`).MatchString(w) {
			t.Errorf("rerun the same day wrote %s", w)
		}
	}
	res3, err := real.run(p, false, repos...)
	if err != nil && !errors.Is(err, ErrPartial) {
		t.Fatal(err)
	}
	if w := executedWrites(res3); len(w) != 0 {
		t.Errorf("third run the same day wrote %v", w)
	}
	// Eight days later the warned branches are due: the rails must hold.
	real.clock.Add(8 * Day)
	if _, err := real.run(p, false, repos...); err != nil && !errors.Is(err, ErrPartial) {
		t.Fatal(err)
	}
	deleted := map[string]bool{}
	for _, ch := range real.srv.State().RefChanges {
		if ch.Action == "deleted" {
			deleted[ch.Repo+":"+strings.TrimPrefix(ch.Ref, "refs/heads/")] = true
		}
	}
	for _, r := range fx.Repositories {
		for _, b := range r.Branches {
			if deleted[r.FullName()+":"+b.Name] && (b.Name == r.DefaultBranch || b.Protected || r.Fork) {
				t.Errorf("%s:%s deleted despite a safety rail", r.FullName(), b.Name)
			}
		}
	}
	// Pull requests still open now protect their head and base branches.
	for _, r := range real.srv.State().Repositories {
		for _, pr := range r.Pulls {
			if pr.State == "" || pr.State == "open" {
				if (pr.Head.Repo == "" || pr.Head.Repo == r.FullName) && deleted[r.FullName+":"+pr.Head.Ref] {
					t.Errorf("%s:%s deleted while #%d is open", r.FullName, pr.Head.Ref, pr.Number)
				}
				if deleted[r.FullName+":"+pr.Base.Ref] {
					t.Errorf("%s:%s deleted while it is the base of open #%d", r.FullName, pr.Base.Ref, pr.Number)
				}
			}
		}
	}
	t.Logf("example ecosystem: %+v", res.Analysis.Summary)
}

func TestIssuesWhenIncluded(t *testing.T) {
	t.Parallel()
	repo := fxRepo("app", nil)
	repo.Issues = []emulator.Issue{
		{Number: 11, Title: "Old bug", User: "alice", CreatedAt: ago(50), UpdatedAt: ago(50)},
		{Number: 12, Title: "Warned bug", User: "alice", CreatedAt: ago(90), Labels: []string{"stale"},
			Comments: []emulator.Comment{{ID: 77, User: "github-actions[bot]", Body: MarkerWarning + "\nstale", CreatedAt: ago(9)}},
			Events:   []emulator.IssueEvent{{Event: "labeled", Actor: "github-actions[bot]", Label: "stale", CreatedAt: ago(9)}}},
	}
	e := startEnv(t, fixture(repo))
	res := e.mustRun(policy(func(p *Policy) { p.IncludeIssues, p.CloseIssues = true, true }), false)
	got := map[int]string{}
	for _, is := range e.repo("acme/app").Issues {
		got[is.Number] = is.State + "/" + is.StateReason + "/" + strings.Join(is.Labels, ",")
	}
	want := map[int]string{11: "open//stale", 12: "closed/not_planned/stale"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("issues (-want +got):\n%s", diff)
	}
	if res.Analysis.Summary.TotalStaleIssues != 2 || res.Analysis.Summary.ClosedIssues != 1 {
		t.Errorf("summary = %+v", res.Analysis.Summary)
	}
	closed, staled := res.Analysis.Outputs["closed_issues"], res.Analysis.Outputs["staled_issues"]
	if len(closed) != 1 || closed[0].Number != 12 || !strings.HasPrefix(closed[0].Restore, "gh issue reopen 12 --repo acme/app && gh issue edit 12") {
		t.Errorf("closed_issues = %+v", closed)
	}
	if len(staled) != 1 || staled[0].Number != 11 {
		t.Errorf("staled_issues = %+v", staled)
	}
}

// comparePlanAndRun checks a real run made exactly the dry run's calls: in
// order, as recorded by the executor, and as a multiset, as received by the
// emulator (its log is appended after each response is written, so two
// back-to-back requests can be logged in either order).
func comparePlanAndRun(t *testing.T, planned []string, executed *Plan, logged []string) {
	t.Helper()
	var done []string
	for _, repo := range executed.repositories() {
		for _, it := range executed.Items {
			if it.Repository != repo {
				continue
			}
			for _, c := range it.Executed {
				if c.Error == "" {
					done = append(done, c.String())
				}
			}
		}
		if tr := executed.tracking(repo); tr != nil && tr.Executed != nil && tr.Executed.Error == "" {
			done = append(done, tr.Executed.String())
		}
	}
	if diff := cmp.Diff(planned, done); diff != "" {
		t.Errorf("executed calls differ from the dry-run plan (-plan +executed):\n%s", diff)
	}
	sortedPlan := append([]string(nil), planned...)
	sort.Strings(sortedPlan)
	sortedLog := append([]string(nil), logged...)
	sort.Strings(sortedLog)
	if diff := cmp.Diff(sortedPlan, sortedLog); diff != "" {
		t.Errorf("writes received by the emulator differ from the dry-run plan (-plan +received):\n%s", diff)
	}
}

// TestDeleteRechecksTheBranch: a branch that got a new commit between the
// plan and the deletion is not deleted; it stays warned in the tracking
// issue, and the next run un-stales it.
func TestDeleteRechecksTheBranch(t *testing.T) {
	t.Parallel()
	e := startEnv(t, fixture(fxRepo("app", nil, fxBranch("old-feature", 300), fxBranch("other", 300))))
	p := policy(func(p *Policy) { p.IncludeBranches, p.DeleteBranches = true, true })
	e.mustRun(p, false) // warns both in the tracking issue
	e.clock.Add(8 * Day)

	gh, err := ghclient.New(ghclient.Config{Token: "test-token", APIURL: e.srv.URL(), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p.self = "github-actions[bot]"
	states, repoErrs, err := (&Collector{GitHub: gh.Client, Now: e.clock.Now()}).Collect(ctx, p, repoList("acme/app"))
	if err != nil || len(repoErrs) > 0 {
		t.Fatalf("collect: %v %v", err, repoErrs)
	}
	if err := (&Collector{GitHub: gh.Client, Now: e.clock.Now()}).Complete(ctx, states); err != nil {
		t.Fatal(err)
	}
	plan, err := Decide(e.clock.Now(), states, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	// The plan saw an older head of old-feature than the branch has now.
	var moved, other *PlannedItem
	for _, it := range plan.Items {
		switch {
		case it.Decision == DecisionDelete && it.Branch == "old-feature":
			moved = it
		case it.Decision == DecisionDelete && it.Branch == "other":
			other = it
		}
	}
	if moved == nil || other == nil {
		t.Fatalf("plan does not delete both branches: %+v", plan.Items)
	}
	moved.SHA = strings.Repeat("f", 40)
	var logs []string
	(&Executor{GitHub: gh.Client, Now: e.clock.Now(), Identity: Identity{Login: "github-actions[bot]", Verified: true},
		Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}).Execute(ctx, states, plan)

	if len(moved.Executed) != 0 || !strings.Contains(moved.Error, "moved to") {
		t.Errorf("moved branch: executed %v, error %q; want no call and a 'moved to' error", moved.Executed, moved.Error)
	}
	if len(other.Executed) != 1 || other.Error != "" {
		t.Errorf("unchanged branch: executed %v, error %q; want its DELETE", other.Executed, other.Error)
	}
	var deleted []string
	for _, ch := range e.srv.State().RefChanges {
		if ch.Action == "deleted" {
			deleted = append(deleted, ch.Ref)
		}
	}
	if diff := cmp.Diff([]string{"refs/heads/other"}, deleted); diff != "" {
		t.Errorf("deleted refs (-want +got):\n%s", diff)
	}
	st, _ := parseTracking(plan.Tracking[0].Call.Body.(map[string]any)["body"].(string))
	if st.find("old-feature") == nil || st.find("other") != nil {
		t.Errorf("tracking state %+v: want old-feature still warned, other deleted", st)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "did not delete branch old-feature: the branch moved to") {
		t.Errorf("logs lack the skipped deletion:\n%s", strings.Join(logs, "\n"))
	}
}

// TestRunRefusesAnIncompleteRepo: a library caller that hands Run a Repo
// with a part missing (the zero Repo, say) gets the repositories setting
// error before any request, not a failed read of "repos//" after the
// identity and budget reads.
func TestRunRefusesAnIncompleteRepo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		repo ghname.Repo
	}{
		{name: "zero_value", repo: ghname.Repo{}},
		{name: "no_owner", repo: ghname.Repo{Name: "app"}},
		{name: "no_name", repo: ghname.Repo{Owner: "acme"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEnv(t, fixture(fxRepo("app", nil)))
			gh, err := ghclient.New(ghclient.Config{Token: "test-token", APIURL: e.srv.URL(), Now: e.clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Policy: policy(), Repositories: []ghname.Repo{{Owner: "acme", Name: "app"}, tc.repo}, Now: e.clock.Now(), Repository: "acme/ops"}
			res, err := Run(context.Background(), cfg, Deps{GitHub: gh.Client})
			var se *config.SettingError
			if !errors.As(err, &se) || se.Name != "repositories" || se.Value != tc.repo.String() {
				t.Fatalf("err = %v (%+v), want the repositories setting error for %q", err, se, tc.repo.String())
			}
			if !strings.Contains(err.Error(), "must be owner/name") {
				t.Errorf("error %q does not say what is allowed", err)
			}
			if res != nil {
				t.Errorf("result %+v, want none", res)
			}
			if n := len(e.srv.Requests()); n != 0 {
				t.Errorf("%d requests reached the emulator, want none: %v", n, e.srv.Requests())
			}
		})
	}
}
