package stale

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/alert"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// startWrapped serves the emulator behind wrap, for what the emulator does
// not model yet: a GraphQL viewer for installation tokens, a write that is
// applied and then answered 502. wrap gets the emulator as next.
func startWrapped(t *testing.T, fx *emulator.Fixture, wrap func(next http.Handler) http.Handler) *env {
	t.Helper()
	c := &clock{t: testNow}
	fx.ReferenceTime = testNow
	srv, err := emulator.NewChecked(fx, emulator.Options{Now: c.Now, Seed: 7, SecondaryLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(wrap(srv))
	t.Cleanup(ts.Close)
	srv.SetURL(ts.URL)
	return &env{t: t, srv: srv, clock: c}
}

// appInstallation answers like GitHub for a GitHub App installation token:
// GET /user is 403, the GraphQL viewer is "<slug>[bot]"; everything else
// goes to the emulator, whose default identity is then the app's bot.
func appInstallation(slug string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch strings.TrimPrefix(r.URL.Path, "/api/v3") {
			case "/user":
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/users/users#get-the-authenticated-user","status":"403"}`)
			case "/graphql", "/api/graphql":
				body, _ := io.ReadAll(r.Body)
				if !bytes.Contains(body, []byte("viewer")) {
					http.Error(w, "unexpected query", http.StatusBadRequest)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"data":{"viewer":{"login":"`+slug+`[bot]"}}}`)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

func TestResolveIdentity(t *testing.T) {
	t.Parallel()
	fx := func() *emulator.Fixture {
		f := fixture(fxRepo("app", nil))
		f.Tokens = map[string]emulator.Token{"ghp_user": {Login: "machine-user"}}
		return f
	}
	cases := []struct {
		name      string
		app       string // serve as an App installation with this slug
		token     string
		override  string
		want      Identity
		mismatch  bool
		wantError string
	}{
		{name: "personal_token_from_get_user", token: "ghp_user", want: Identity{Login: "machine-user", Source: "GET /user", Verified: true}},
		{name: "override_that_differs_is_reported_not_used", token: "ghp_user", override: "github-actions[bot]",
			want: Identity{Login: "machine-user", Source: "GET /user", Verified: true}, mismatch: true},
		{name: "app_token_from_graphql_viewer", app: "ecosystem-bot", token: "ghp_user",
			want: Identity{Login: "ecosystem-bot[bot]", Source: "GraphQL viewer", Verified: true}},
		{name: "bad_credentials", token: "nope", wantError: "check github_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var e *env
			if tc.app != "" {
				e = startWrapped(t, fx(), appInstallation(tc.app))
			} else {
				e = startEnv(t, fx())
			}
			gh, err := ghclient.New(ghclient.Config{Token: tc.token, APIURL: e.srv.URL(), MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			got, err := ResolveIdentity(context.Background(), gh.Client, tc.override)
			if tc.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got.Mismatch != "") != tc.mismatch {
				t.Errorf("mismatch = %q, want reported: %v", got.Mismatch, tc.mismatch)
			}
			got.Mismatch = ""
			if got != tc.want {
				t.Errorf("identity = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestAppTokenFindsItsOwnWork: with a GitHub App installation token (GET
// /user 403), the action finds its login from the GraphQL viewer and
// recognises the tracking issue and warnings that login wrote: a second run
// opens no second tracking issue and posts no second warning (with
// bot_login typed as github-actions[bot], the first version did both).
func TestAppTokenFindsItsOwnWork(t *testing.T) {
	t.Parallel()
	f := fixture(fxRepo("app", []emulator.Pull{fxPull(1, 40)}, fxBranch("old-feature", 200)))
	f.Tokens = map[string]emulator.Token{"tok-ecosystem-bot[bot]": {Login: "ecosystem-bot[bot]"}}
	e := startWrapped(t, f, appInstallation("ecosystem-bot"))
	p := policy(func(p *Policy) { p.IncludeBranches = true })
	first := e.mustRunAs(p, "ecosystem-bot[bot]")
	if first.Identity.Login != "ecosystem-bot[bot]" || first.Identity.Source != "GraphQL viewer" {
		t.Fatalf("identity = %+v", first.Identity)
	}
	e.clock.Add(time.Hour)
	second := e.mustRunAs(p, "ecosystem-bot[bot]")
	if w := executedWrites(second); len(w) != 0 {
		t.Errorf("second run wrote %v: it did not recognise its own work", w)
	}
	tracking := 0
	for _, is := range e.repo("acme/app").Issues {
		if is.Title == TrackingIssueTitle {
			tracking++
			if is.User != "ecosystem-bot[bot]" {
				t.Errorf("tracking issue by %s", is.User)
			}
		}
	}
	if tracking != 1 {
		t.Errorf("%d tracking issues, want 1", tracking)
	}
}

// mustRunAs runs with a token the emulator authenticates as login.
func (e *env) mustRunAs(p Policy, login string) *Result {
	e.t.Helper()
	gh, err := ghclient.New(ghclient.Config{Token: "tok-" + login, APIURL: e.srv.URL(), Now: e.clock.Now,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := Run(context.Background(), Config{Policy: p, Repositories: repoList("acme/app"), Now: e.clock.Now(), Repository: "acme/ops"},
		Deps{GitHub: gh.Client, Clock: e.clock.Now})
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	return res
}

// TestMarkersTrustedOnlyFromOwnLoginAtTheStart (issue #10, item 4): another
// bot quoting text with the hidden marker, in a quote or a code span, or
// even opening its comment with it, is not a warning; neither is a
// person's. The pull request, active seconds ago, is neither labelled nor
// closed, and a week later it is warned (not closed: it never was warned).
func TestMarkersTrustedOnlyFromOwnLoginAtTheStart(t *testing.T) {
	t.Parallel()
	p := fxPull(1, 90)
	p.Labels = []string{"stale"} // put there by a person
	p.Events = []emulator.IssueEvent{{Event: "labeled", Actor: "mallory", Label: "stale", CreatedAt: ago(20)}}
	p.Comments = []emulator.Comment{
		{ID: 11, User: "quote-bot[bot]", Body: "> " + MarkerWarning + "\n> please look", CreatedAt: ago(15)},
		{ID: 12, User: "quote-bot[bot]", Body: "the user wrote `" + MarkerWarning + "`", CreatedAt: ago(15)},
		{ID: 13, User: "other-bot[bot]", Body: MarkerWarning + "\nI am a stale warning too", CreatedAt: ago(15)},
		{ID: 14, User: "mallory", Body: MarkerWarning, CreatedAt: ago(14)},
	}
	e := startEnv(t, fixture(fxRepo("app", []emulator.Pull{p})))
	pol := policy(func(p *Policy) { p.ClosePRs = true })
	e.mustRun(pol, false)
	got := e.pull("acme/app", 1)
	if got.State != "open" {
		t.Fatalf("closed on markers it did not write")
	}
	own := 0
	for _, c := range got.Comments {
		if c.User == "github-actions[bot]" && strings.HasPrefix(c.Body, MarkerWarning) {
			own++
		}
	}
	if own != 1 {
		t.Errorf("own warnings = %d, want 1: the foreign markers are no warning, so it warns now", own)
	}
	// Within the grace period nothing closes it.
	e.clock.Add(3 * Day)
	e.mustRun(pol, false)
	if e.pull("acme/app", 1).State != "open" {
		t.Errorf("closed 3 days after its first real warning")
	}
}

// TestReopenAfterCloseSticks: a person reopens a pull request the action
// closed; the label is still on it. The reopening is activity after the
// warning: the next run removes the label and resolves the warning instead
// of closing it again at once.
func TestReopenAfterCloseSticks(t *testing.T) {
	t.Parallel()
	p := warned(fxPull(1, 90), 10)
	p.Comments = append(p.Comments, emulator.Comment{ID: 61, User: "github-actions[bot]", Body: MarkerClose + "\nClosing.", CreatedAt: ago(3)})
	p.Events = append(p.Events, emulator.IssueEvent{Event: "closed", Actor: "github-actions[bot]", CreatedAt: ago(3)},
		emulator.IssueEvent{Event: "reopened", Actor: "alice", CreatedAt: ago(1)})
	e := startEnv(t, fixture(fxRepo("app", []emulator.Pull{p})))
	res := e.mustRun(policy(func(p *Policy) { p.ClosePRs = true }), false)
	got := e.pull("acme/app", 1)
	if got.State != "open" || containsFold(got.Labels, "stale") || markerComments(got, MarkerResolved) != 1 {
		t.Errorf("state %s labels %v resolved %d; want open, unlabelled, warning resolved (plan: %+v)", got.State, got.Labels, markerComments(got, MarkerResolved), res.Plan.Items[0])
	}
}

func TestRestoreCommands(t *testing.T) {
	t.Parallel()
	cases := []struct{ got, want string }{
		{RestoreCommand("", "acme/app", "feature/x", "abc"), "gh api repos/acme/app/git/refs -f ref=refs/heads/feature/x -f sha=abc"},
		{RestoreCommand("ghe.example.com", "acme/app", "x y", "abc"), "gh api --hostname ghe.example.com repos/acme/app/git/refs -f ref=refs/heads/'x y' -f sha=abc"},
		{ReopenCommand("", "acme/app", KindPR, 7, "stale"), "gh pr reopen 7 --repo acme/app && gh pr edit 7 --repo acme/app --remove-label stale"},
		{ReopenCommand("github.com", "acme/app", KindIssue, 8, "lifecycle/stale"), "gh issue reopen 8 --repo acme/app && gh issue edit 8 --repo acme/app --remove-label lifecycle/stale"},
		{ReopenCommand("ghe.example.com", "acme/app", KindPR, 7, "needs info"), "gh pr reopen 7 --repo ghe.example.com/acme/app && gh pr edit 7 --repo ghe.example.com/acme/app --remove-label 'needs info'"},
		{ServerHost("https://ghe.example.com"), "ghe.example.com"},
		{ServerHost("https://github.com"), ""},
		{ServerHost(""), ""},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got  %s\nwant %s", c.got, c.want)
		}
	}
}

func TestAlertIssuesAreExempt(t *testing.T) {
	t.Parallel()
	if DefaultAlertLabel != alert.DefaultLabel {
		t.Fatalf("DefaultAlertLabel %q, the alert action labels its issues %q", DefaultAlertLabel, alert.DefaultLabel)
	}
	mk := func() *emulator.Fixture {
		repo := fxRepo("app", nil)
		repo.Issues = []emulator.Issue{{Number: 5, Title: "Build failing", User: "github-actions[bot]", CreatedAt: ago(120), Labels: []string{"ecosystem-alert"}}}
		return fixture(repo)
	}
	pol := policy(func(p *Policy) { p.IncludeIssues, p.CloseIssues = true, true })
	e := startEnv(t, mk())
	e.mustRun(pol, false)
	if got := e.repo("acme/app").Issues[0]; containsFold(got.Labels, "stale") || len(got.Comments) != 0 {
		t.Errorf("alert issue touched: %+v", got)
	}
	e2 := startEnv(t, mk())
	pol.AlertLabel = ""
	e2.mustRun(pol, false)
	if got := e2.repo("acme/app").Issues[0]; !containsFold(got.Labels, "stale") {
		t.Errorf("alert_label '' should process alert issues like others: %+v", got)
	}
}

// appliedThen502 applies the first n matching writes and then answers 502,
// as a gateway does when GitHub finished the write but the answer was lost.
func appliedThen502(method, suffix string, n int) (func(http.Handler) http.Handler, *int) {
	var mu sync.Mutex
	done := 0
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hit := r.Method == method && strings.HasSuffix(r.URL.Path, suffix) && done < n
			if hit {
				done++
			}
			mu.Unlock()
			if !hit {
				next.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(httptest.NewRecorder(), r)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		})
	}, &done
}

// TestAppliedWriteAnswered502IsNotDoubled (issue #10, item 5): the warning
// comment is posted but answered 502; the action finds it before sending
// it again, then adds the label: one comment, one label, in the same run.
// The same for the tracking issue.
func TestAppliedWriteAnswered502IsNotDoubled(t *testing.T) {
	t.Parallel()
	wrapComment, hits := appliedThen502(http.MethodPost, "/comments", 1)
	wrapIssue, issueHits := appliedThen502(http.MethodPost, "/issues", 1)
	e := startWrapped(t, fixture(fxRepo("app", []emulator.Pull{fxPull(1, 40)}, fxBranch("old", 200))),
		func(next http.Handler) http.Handler { return wrapComment(wrapIssue(next)) })
	res := e.mustRun(policy(func(p *Policy) { p.IncludeBranches = true }), false)
	if *hits != 1 || *issueHits != 1 {
		t.Fatalf("faults applied: comments %d, issues %d", *hits, *issueHits)
	}
	got := e.pull("acme/app", 1)
	if n := markerComments(got, MarkerWarning); n != 1 || !containsFold(got.Labels, "stale") {
		t.Errorf("warning comments %d, labels %v; want 1 and the label", n, got.Labels)
	}
	tracking := 0
	for _, is := range e.repo("acme/app").Issues {
		if is.Title == TrackingIssueTitle {
			tracking++
		}
	}
	if tracking != 1 {
		t.Errorf("%d tracking issues, want 1", tracking)
	}
	if res.Analysis.Summary.Failed != 0 {
		t.Errorf("summary %+v: the checked writes are done, not failed", res.Analysis.Summary)
	}
	note := res.Plan.Items[0].Executed[0].Note
	if !strings.Contains(note, "the check found it applied") {
		t.Errorf("note %q does not say the write was found applied", note)
	}
}

// TestLostWriteIsSentOnceMore: a comment answered 502 and NOT applied is
// sent once more after the check finds nothing.
func TestLostWriteIsSentOnceMore(t *testing.T) {
	t.Parallel()
	e := startEnv(t, fixture(fxRepo("app", []emulator.Pull{fxPull(1, 40)})),
		emulator.Fault{Kind: emulator.FaultBadGateway, Method: http.MethodPost, Path: "/repos/acme/app/issues/1/comments", Limit: 1})
	res := e.mustRun(policy(), false)
	got := e.pull("acme/app", 1)
	if n := markerComments(got, MarkerWarning); n != 1 || !containsFold(got.Labels, "stale") {
		t.Errorf("warning comments %d, labels %v; want 1 and the label", n, got.Labels)
	}
	if note := res.Plan.Items[0].Executed[0].Note; !strings.Contains(note, "sent once more") {
		t.Errorf("note %q", note)
	}
}

// TestFailedWritesFailTheRun (issue #10, item 6): a write that fails for
// good is reported item by item and makes Run return ErrWritesFailed.
func TestFailedWritesFailTheRun(t *testing.T) {
	t.Parallel()
	e := startEnv(t, fixture(fxRepo("app", []emulator.Pull{fxPull(1, 40), fxPull(2, 50)})),
		emulator.Fault{Kind: emulator.FaultInternalError, Method: http.MethodPost, Path: "/repos/acme/app/issues/2/labels"})
	res, err := e.run(policy(), false)
	if err == nil || !strings.Contains(err.Error(), "some writes failed") {
		t.Fatalf("err = %v, want ErrWritesFailed", err)
	}
	nd := res.Analysis.NotDone()
	if len(nd) != 1 || !strings.Contains(nd[0], "pull request #2") || !strings.Contains(nd[0], "add label stale") {
		t.Errorf("not done = %q", nd)
	}
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(res.Analysis.Summary)
	if res.Analysis.Summary.Failed != 1 || res.Analysis.Summary.Warned != 1 {
		t.Errorf("summary %s", buf.String())
	}
}

// TestListingsAndCursorSpareReads: warned items waiting for their grace
// period and items a person commented on recently are answered by the
// repository-wide listings (no timeline read); a run an hour later, nothing
// having changed, answers them from the cursor (no listing either).
func TestListingsAndCursorSpareReads(t *testing.T) {
	t.Parallel()
	var pulls []emulator.Pull
	for i := 1; i <= 12; i++ {
		pulls = append(pulls, warned(fxPull(i, 90), float64(i)/4)) // warned 0.25-3 days ago
	}
	for i := 13; i <= 20; i++ {
		p := fxPull(i, 90)
		p.Comments = []emulator.Comment{{ID: int64(500 + i), User: "bob", Body: "looking", CreatedAt: ago(float64(i - 10))}}
		pulls = append(pulls, p)
	}
	e := startEnv(t, fixture(fxRepo("app", pulls)))
	cursor := CursorFile(t.TempDir())
	run := func() ([]string, *Result) {
		from := len(e.srv.Requests())
		gh, err := ghclient.New(ghclient.Config{Token: "t", APIURL: e.srv.URL(), Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), Config{Policy: policy(func(p *Policy) { p.ClosePRs = true }), Repositories: repoList("acme/app"),
			Now: e.clock.Now(), CursorFile: cursor}, Deps{GitHub: gh.Client, Clock: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		var reads []string
		for _, r := range e.srv.Requests()[from:] {
			reads = append(reads, r.Method+" "+strings.TrimPrefix(r.Path, "/api/v3"))
		}
		return reads, res
	}
	first, res := run()
	for _, r := range first {
		if strings.HasSuffix(r, "/timeline") {
			t.Errorf("first run read a timeline: %s (all %v)", r, first)
		}
	}
	if !containsString(first, "GET /repos/acme/app/issues/events") || !containsString(first, "GET /repos/acme/app/issues/comments") {
		t.Errorf("first run did not use the repository-wide listings: %v", first)
	}
	if w := executedWrites(res); len(w) != 0 {
		t.Errorf("first run wrote %v: nothing is due", w)
	}
	e.clock.Add(time.Hour)
	second, _ := run()
	for _, r := range second {
		if strings.HasSuffix(r, "/timeline") || strings.Contains(r, "/issues/events") || strings.Contains(r, "/issues/comments") {
			t.Errorf("second run read %s: the cursor should have answered (all %v)", r, second)
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

// TestBudgetRunsCoverEverything: with GITHUB_TOKEN's budget shrunk to 40
// requests per hour (and 20 content-creating ones), hourly runs each make
// progress and together warn all 30 stale pull requests, oldest first, in
// as many runs as the writes need at 20 per hour.
func TestBudgetRunsCoverEverything(t *testing.T) {
	t.Parallel()
	var pulls []emulator.Pull
	for i := 1; i <= 30; i++ {
		pulls = append(pulls, fxPull(i, float64(31+i)))
	}
	fx := fixture(fxRepo("app", pulls))
	fx.ReferenceTime = testNow
	fx.Tokens = map[string]emulator.Token{"ghs_token": {Kind: "github_token", Repository: "acme/app"}}
	c := &clock{t: testNow}
	srv := emulator.StartForTest(t, fx, emulator.Options{Now: c.Now, GitHubTokenRateLimit: 40, SecondaryLimit: 80, SecondaryHourlyLimit: 20})
	cursor := CursorFile(t.TempDir())
	p := policy(func(p *Policy) { p.OperationsPerRun = 1000 })
	warnedBy := map[int]int{}
	runs := 0
	for runs < 10 {
		runs++
		gh, err := ghclient.New(ghclient.Config{Token: "ghs_token", APIURL: srv.URL(), Now: c.Now,
			Sleep: func(_ context.Context, d time.Duration) error { c.Add(d); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), Config{Policy: p, Repositories: repoList("acme/app"), Now: c.Now(), CursorFile: cursor, ContentPerHour: 20},
			Deps{GitHub: gh.Client, Clock: c.Now})
		if err != nil {
			t.Fatalf("run %d: %v", runs, err)
		}
		if res.Identity.Login != "github-actions[bot]" || res.Identity.Source != "GraphQL viewer" {
			t.Fatalf("identity %+v", res.Identity)
		}
		n := 0
		for _, it := range res.Plan.Items {
			if it.Decision == DecisionWarn && len(it.Executed) == 2 && it.Error == "" {
				warnedBy[it.Number] = runs
				n++
			}
		}
		if n == 0 && res.Plan.Budget.Deferred > 0 {
			t.Fatalf("run %d made no progress: %+v", runs, res.Plan.Budget)
		}
		if res.Plan.Budget.Deferred == 0 {
			break
		}
		if res.Plan.Budget.RunsForPass < 2 {
			t.Errorf("run %d deferred %d items but estimates %d runs for the pass", runs, res.Plan.Budget.Deferred, res.Plan.Budget.RunsForPass)
		}
		c.Add(time.Hour)
	}
	if len(warnedBy) != 30 {
		t.Fatalf("warned %d of 30 in %d runs", len(warnedBy), runs)
	}
	if want := (30*2 + 19) / 20; runs != want {
		t.Errorf("%d runs, want %d (60 writes at 20 per hour)", runs, want)
	}
	// Oldest first: #30 is the oldest.
	for i := 1; i < 30; i++ {
		if warnedBy[i] < warnedBy[i+1] {
			t.Errorf("#%d (younger) warned in run %d before #%d in run %d", i, warnedBy[i], i+1, warnedBy[i+1])
		}
	}
	for _, r := range srv.Requests() {
		if r.Status == 403 && r.Path != "/user" { // GET /user is 403 for GITHUB_TOKEN by design
			t.Errorf("GitHub refused %s %s: the run did not stay within its budget", r.Method, r.Path)
		}
	}
}
