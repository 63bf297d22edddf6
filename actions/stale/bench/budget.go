package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/stale"
	"github.com/sparesparrow/ecosystem-actions/actions/stale/internal/scenario"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// clock is the shared fake clock of the emulator and the runs: waits the
// client makes (a secondary limit's Retry-After) advance it.
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
func (c *clock) Sleep(_ context.Context, d time.Duration) error { c.Add(d); return nil }

// benchPolicy is the policy of the side-by-side runs.
func benchPolicy() stale.Policy {
	p := stale.DefaultPolicy()
	p.IncludeIssues, p.IncludeBranches, p.ClosePRs, p.CloseIssues = true, false, true, true
	p.ExemptLabels, p.ExemptDraftPR = []string{"pinned"}, false
	p.OperationsPerRun = 1_000_000
	p.StalePRMessage, p.StaleIssueMessage, p.CloseMessage = stalePRMessage, staleIssueMessage, closeMessage
	return p
}

type session struct {
	srv    *emulator.Server
	clock  *clock
	cursor string
	stop   func()
}

func newSession(fx *emulator.Fixture, rateLimit int, faults []emulator.Fault, dir string) (*session, error) {
	c := &clock{t: scenario.Reference}
	opts := emulator.Options{Now: c.Now, GitHubTokenRateLimit: rateLimit, Faults: faults, Seed: 14, MaxLoggedRequests: 10_000_000}
	if rateLimit > 100_000 {
		opts.SecondaryLimit = -1 // the reference run: no limit at all
	}
	s, err := emulator.NewChecked(fx, opts)
	if err != nil {
		return nil, err
	}
	ts := httptest.NewServer(s)
	s.SetURL(ts.URL)
	return &session{srv: s, clock: c, cursor: stale.CursorFile(dir), stop: ts.Close}, nil
}

func (s *session) run(ctx context.Context, p stale.Policy) (*stale.Result, error) {
	return s.runWith(ctx, p, 0)
}

func (s *session) runWith(ctx context.Context, p stale.Policy, contentPerHour int) (*stale.Result, error) {
	gh, err := ghclient.New(ghclient.Config{Token: scenario.Token, APIURL: s.srv.URL(), Now: s.clock.Now, Sleep: s.clock.Sleep,
		MaxWait: 2 * time.Hour, RetryBaseDelay: time.Millisecond, RetryMaxDelay: time.Millisecond})
	if err != nil {
		return nil, err
	}
	return stale.Run(ctx, stale.Config{Policy: p, Repositories: []ghname.Repo{{Owner: "acme", Name: "big"}}, Now: s.clock.Now(), CursorFile: s.cursor, NoContentLimit: contentPerHour < 0},
		stale.Deps{GitHub: gh.Client, Clock: s.clock.Now})
}

// budgetRuns: hourly runs with 1,000 requests per hour until a pass is
// complete (a run that defers nothing), against ⌈needed / budget⌉ where
// needed is what one run without a limit makes on the same state.
func budgetRuns(ctx context.Context, o options, out io.Writer) ([]string, error) {
	var missed []string
	const items, budget = 3000, 1000
	for _, mix := range []struct {
		name string
		mix  map[scenario.Category]int
	}{{"steady state", scenario.SteadyState}, {"backlog (first run on a neglected repository)", scenario.Backlog}} {
		fx, _ := scenario.Build(items, mix.mix)
		// One unlimited run: what a pass needs.
		dir, err := os.MkdirTemp(o.work, "budget-")
		if err != nil {
			return nil, err
		}
		free, err := newSession(fx, 1_000_000, nil, "")
		if err != nil {
			return nil, err
		}
		res, err := free.runWith(ctx, benchPolicy(), -1)
		free.stop()
		if err != nil {
			return nil, fmt.Errorf("unlimited run: %w", err)
		}
		needed := res.Plan.Budget.Requests
		neededContent := res.Plan.Budget.ContentWrites

		s, err := newSession(fx, budget, nil, filepath.Join(dir, "limited"))
		if err != nil {
			return nil, err
		}
		var lines []string
		runs, progressAll := 0, true
		done := map[string]bool{}
		for runs < 40 {
			runs++
			res, err := s.run(ctx, benchPolicy())
			if err != nil {
				s.stop()
				return nil, fmt.Errorf("run %d: %w", runs, err)
			}
			acted, decided := 0, 0
			for _, it := range res.Plan.Items {
				key := fmt.Sprintf("%s#%d", it.Kind, it.Number)
				if it.Decision != stale.DecisionSkipBudget && it.Incomplete == "" && !done[key] {
					done[key] = true
					decided++
					if len(it.Executed) > 0 && it.Error == "" {
						acted++
					}
				}
			}
			b := res.Plan.Budget
			lines = append(lines, fmt.Sprintf("  run %d: %d requests (%d content-creating), %d items decided for the first time (%d written to), %d deferred; its estimate: %d runs for the pass",
				runs, b.Requests, b.ContentWrites, decided, acted, b.Deferred, b.RunsForPass))
			if decided == 0 {
				progressAll = false
			}
			if b.Deferred == 0 {
				break
			}
			s.clock.Add(time.Hour)
		}
		refused := 0
		for _, r := range s.srv.Requests() {
			if (r.Status == 403 || r.Status == 429) && r.Path != "/user" { // GET /user is 403 for GITHUB_TOKEN by design
				refused++
			}
		}
		s.stop()
		bound := (needed + budget - 1) / budget
		contentBound := (neededContent + 499) / 500
		fmt.Fprintf(out, "%d items, %s: a pass needs %d requests (%d content-creating writes) in one unlimited run; at %d/hour it took %d hourly runs (⌈%d/%d⌉ = %d; GitHub's 500 content-creating requests per hour allow ⌈%d/500⌉ = %d)\n",
			items, mix.name, needed, neededContent, budget, runs, needed, budget, bound, neededContent, contentBound)
		for _, l := range lines {
			fmt.Fprintln(out, l)
		}
		fmt.Fprintf(out, "  GitHub refused %d requests for a rate limit across the %d runs (the 80-per-minute content limit; waited out)\n", refused, runs)
		if !progressAll {
			missed = append(missed, fmt.Sprintf("budget, %s: a run made no progress", mix.name))
		}
		if runs > max(bound, contentBound) {
			missed = append(missed, fmt.Sprintf("budget, %s: %d runs for a pass, more than ⌈needed/budget⌉ = %d (content bound %d)", mix.name, runs, bound, contentBound))
		}
	}
	return missed, nil
}
