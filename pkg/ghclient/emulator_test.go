package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// Integration tests: the client against pkg/emulator, through go-github,
// the way the actions use it.

const emuOwner = "sparesparrow"

// emuIssues is the first repository's issue count: two pages of 100.
const emuIssues = 150

var emuRepos = []string{"mcp-prompts", "mcp-project-orchestrator", "cpy", "ai-servis"}

// emuFixture is a small ecosystem: four repositories, the first with
// enough issues for two pages.
func emuFixture(now time.Time) *emulator.Fixture {
	f := &emulator.Fixture{ReferenceTime: now}
	for i, name := range emuRepos {
		r := emulator.Repository{Owner: emuOwner, Name: name, DefaultBranch: "main", CreatedAt: now.AddDate(-1, 0, 0)}
		if i == 0 {
			for n := 1; n <= emuIssues; n++ {
				r.Issues = append(r.Issues, emulator.Issue{Number: n, Title: fmt.Sprintf("issue %d", n), User: "octocat", CreatedAt: now.Add(-time.Duration(n) * time.Hour)})
			}
		}
		f.Repositories = append(f.Repositories, r)
	}
	return f
}

// fakeClock is shared by the emulator and the client: sleeping advances
// it, so waiting for a rate-limit reset takes no real time.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	c.mu.Unlock()
	return nil
}

// ecosystemPass reads what a monitor pass reads: each repository and all
// issues of the first, with 8 concurrent workers. It returns the repository
// names and issue numbers it saw.
func ecosystemPass(ctx context.Context, c *Client) ([]string, []int, error) {
	var (
		mu     sync.Mutex
		names  = make([]string, len(emuRepos))
		issues []int
		errs   []error
		wg     sync.WaitGroup
	)
	for i, name := range emuRepos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			repo, _, err := c.Repositories.Get(ctx, emuOwner, name)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			names[i] = repo.GetName()
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		all, err := ListAll(ctx, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
			return c.Issues.ListByRepo(ctx, emuOwner, emuRepos[0], &github.IssueListByRepoOptions{State: "all", ListOptions: opt})
		})
		mu.Lock()
		defer mu.Unlock()
		for _, is := range all {
			issues = append(issues, is.GetNumber())
		}
		if err != nil {
			errs = append(errs, err)
		}
	}()
	wg.Wait()
	return names, issues, errors.Join(errs...)
}

func sortedInts(xs []int) []int {
	out := append([]int(nil), xs...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestEmulator_warmRerunCostsNoPoints(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "/api/v3"} {
		t.Run("prefix_"+map[string]string{"": "root", "/api/v3": "api_v3"}[prefix], func(t *testing.T) {
			t.Parallel()
			now := time.Now()
			emu := emulator.StartForTest(t, emuFixture(now), emulator.Options{})
			dir := t.TempDir()
			run := func() ([]string, []int, Stats) {
				c, err := New(Config{Token: testToken, APIURL: emu.URL() + prefix, CacheDir: dir, Version: "test"})
				if err != nil {
					t.Fatal(err)
				}
				names, issues, err := ecosystemPass(context.Background(), c)
				if err != nil {
					t.Fatalf("pass error = %v", err)
				}
				return names, sortedInts(issues), c.Stats()
			}
			coldNames, coldIssues, cold := run()
			warmNames, warmIssues, warm := run() // next scheduled run, cache restored

			if diff := cmp.Diff(emuRepos, coldNames); diff != "" {
				t.Errorf("cold names mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(seq(1, emuIssues), coldIssues); diff != "" {
				t.Errorf("cold issues mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(coldNames, warmNames); diff != "" {
				t.Errorf("warm names differ from cold (-cold +warm):\n%s", diff)
			}
			if diff := cmp.Diff(coldIssues, warmIssues); diff != "" {
				t.Errorf("warm issues differ from cold (-cold +warm):\n%s", diff)
			}
			// 4 repositories + 2 issue pages.
			if cold.Requests != 6 || cold.RateLimitPoints != 6 || cold.NotModified != 0 {
				t.Errorf("cold stats = %+v, want 6 requests, 6 points, 0 304s", cold)
			}
			if warm.Requests != 6 || warm.RateLimitPoints != 0 || warm.NotModified != 6 {
				t.Errorf("warm stats = %+v, want 6 requests, 0 points, 6 304s", warm)
			}
			if warm.RateLimitRemaining != cold.RateLimitRemaining {
				t.Errorf("remaining %d after warm run, %d after cold: a 304 must cost nothing", warm.RateLimitRemaining, cold.RateLimitRemaining)
			}
			for _, r := range emu.Requests() {
				if r.Method == http.MethodGet && r.Status != http.StatusOK && r.Status != http.StatusNotModified {
					t.Errorf("emulator answered %s %s with %d", r.Method, r.Path, r.Status)
				}
			}
		})
	}
}

func TestEmulator_primaryLimitStop(t *testing.T) {
	t.Parallel()
	emu := emulator.StartForTest(t, emuFixture(time.Now()), emulator.Options{RateLimit: 1})
	c, err := New(Config{Token: testToken, APIURL: emu.URL(), RateLimitPolicy: PolicyStop})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := ListAll(ctx, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return c.Issues.ListByRepo(ctx, emuOwner, emuRepos[0], &github.IssueListByRepoOptions{State: "all", ListOptions: opt})
	})
	var stop *RateLimitStopError
	if !errors.As(err, &stop) || stop.Sent || stop.Reset.IsZero() {
		t.Fatalf("ListAll() error = %v, want an unsent *RateLimitStopError with a reset", err)
	}
	var partial *PartialError
	if !errors.As(err, &partial) || partial.Page != 2 || len(got) != 100 {
		t.Errorf("got %d issues, partial %+v; want the first 100 and page 2 missing", len(got), partial)
	}
	// Budget 1: page 1 was sent, page 2 refused locally.
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("emulator saw %d requests, want 1", n)
	}
	if _, _, err := c.Repositories.Get(ctx, emuOwner, emuRepos[1]); !IsRateLimitStop(err) {
		t.Errorf("later Get() error = %v, want a rate-limit stop", err)
	}
	if st := c.Stats(); st.RateLimitStops != 2 || st.RateLimitRemaining != 0 {
		t.Errorf("stats = %+v, want 2 stops and remaining 0", st)
	}
}

func TestEmulator_primaryLimitWait(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	emu := emulator.StartForTest(t, emuFixture(clock.now()), emulator.Options{RateLimit: 3, Now: clock.now})
	c, err := New(Config{Token: testToken, APIURL: emu.URL(), RateLimitPolicy: PolicyWait, MaxWait: 2 * time.Hour, Sleep: clock.sleep, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		name := emuRepos[i%len(emuRepos)]
		if repo, _, err := c.Repositories.Get(ctx, emuOwner, name); err != nil || repo.GetName() != name {
			t.Fatalf("Get #%d = %q, %v; want success after waiting for the reset", i, repo.GetName(), err)
		}
	}
	st := c.Stats()
	if st.PrimaryWaits != 1 || st.RateLimitStops != 0 {
		t.Errorf("stats = %+v, want 1 primary wait, 0 stops", st)
	}
	if len(clock.slept) != 1 || clock.slept[0] < 59*time.Minute || clock.slept[0] > 61*time.Minute {
		t.Errorf("slept %v, want one wait of about an hour (the emulator's window)", clock.slept)
	}
	if n := len(emu.Requests()); n != 5 {
		t.Errorf("emulator saw %d requests, want 5 (none wasted on a spent budget)", n)
	}
}

func TestEmulator_faultsStillComplete(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	faults := []emulator.Fault{
		{Method: "GET", Path: "/repos/", Kind: emulator.FaultInternalError, Rate: 0.05},
		{Method: "GET", Path: "/repos/", Kind: emulator.FaultBadGateway, Rate: 0.05},
		{Method: "GET", Path: "/repos/", Kind: emulator.FaultServiceUnavailable, Rate: 0.05},
		{Method: "GET", Path: "/repos/", Kind: emulator.FaultReset, Rate: 0.05},
		{Method: "GET", Path: "/repos/", Kind: emulator.FaultSecondary, Rate: 0.03},
	}
	emu := emulator.StartForTest(t, emuFixture(clock.now()), emulator.Options{Faults: faults, Seed: 7})
	for round := 0; round < 5; round++ {
		c, err := New(Config{Token: testToken, APIURL: emu.URL(), MaxRetries: 6, Sleep: clock.sleep, Now: clock.now})
		if err != nil {
			t.Fatal(err)
		}
		names, issues, err := ecosystemPass(context.Background(), c)
		if err != nil {
			t.Fatalf("round %d: pass error = %v (stats %+v)", round, err, c.Stats())
		}
		if diff := cmp.Diff(emuRepos, names); diff != "" {
			t.Errorf("round %d names mismatch (-want +got):\n%s", round, diff)
		}
		if diff := cmp.Diff(seq(1, emuIssues), sortedInts(issues)); diff != "" {
			t.Errorf("round %d issues mismatch (-want +got):\n%s", round, diff)
		}
	}
	var faulted int
	for _, r := range emu.Requests() {
		if r.Fault != "" {
			faulted++
		}
	}
	total := len(emu.Requests())
	if faulted == 0 || float64(faulted) < 0.1*float64(total) {
		t.Errorf("only %d of %d requests faulted: the test did not exercise retries", faulted, total)
	}
}

func TestEmulator_postNotRetriedOnReset(t *testing.T) {
	t.Parallel()
	emu := emulator.StartForTest(t, emuFixture(time.Now()), emulator.Options{
		Faults: []emulator.Fault{{Method: "POST", Path: "/repos/", Kind: emulator.FaultReset, Limit: 1}},
	})
	c, err := New(Config{Token: testToken, APIURL: emu.URL(), Sleep: (&sleepRecorder{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Issues.Create(context.Background(), emuOwner, emuRepos[1], &github.IssueRequest{Title: github.String("alert")})
	if err == nil {
		t.Fatal("Issues.Create() error = nil, want the connection error reported")
	}
	var posts int
	for _, r := range emu.Requests() {
		if r.Method == http.MethodPost {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("emulator saw %d POSTs, want 1: an ambiguous failure must not create the issue twice", posts)
	}
}

// TestEmulator_writesNotDoubled: a write the emulator applies and then
// answers with a 500, a 502 or a dropped connection is sent once, whatever
// the method (POST creates, PATCH edits: neither is idempotent), and the
// caller gets the error to check and retry itself. Reads under the same
// faults are retried and succeed.
func TestEmulator_writesNotDoubled(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{emulator.FaultAppliedError, emulator.FaultAppliedBadGateway, emulator.FaultAppliedReset} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			emu := emulator.StartForTest(t, emuFixture(time.Now()), emulator.Options{
				Faults: []emulator.Fault{{Kind: kind, Limit: 3}},
			})
			c, err := New(Config{Token: testToken, APIURL: emu.URL(), Sleep: (&sleepRecorder{}).sleep})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			repo := emuRepos[1]
			if _, _, err := c.Issues.Create(ctx, emuOwner, repo, &github.IssueRequest{Title: github.String("alert")}); err == nil {
				t.Error("Issues.Create() error = nil, want the lost answer reported")
			}
			if _, _, err := c.Issues.Edit(ctx, emuOwner, repo, 1, &github.IssueRequest{Body: github.String("edited")}); err == nil {
				t.Error("Issues.Edit() error = nil, want the lost answer reported")
			}
			// The third fault hits a read: it is retried.
			if _, _, err := c.Repositories.Get(ctx, emuOwner, repo); err != nil {
				t.Errorf("Repositories.Get() error = %v, want the read retried", err)
			}
			sent := map[string]int{}
			for _, r := range emu.Requests() {
				sent[r.Method]++
			}
			if sent["POST"] != 1 || sent["PATCH"] != 1 || sent["GET"] != 2 {
				t.Errorf("emulator saw %v, want POST 1, PATCH 1 (never resent) and GET 2 (retried)", sent)
			}
			var issues []emulator.Issue
			for _, r := range emu.State().Repositories {
				if r.FullName == emuOwner+"/"+repo {
					issues = r.Issues
				}
			}
			if len(issues) != 1 || issues[0].Body != "edited" {
				t.Errorf("issues = %+v, want the one created, edited once", issues)
			}
		})
	}
}
