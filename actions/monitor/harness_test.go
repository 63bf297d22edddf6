package monitor

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// genNow is the clock of generated fixtures.
var genNow = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// genOptions shapes a generated ecosystem.
type genOptions struct {
	Domains int
	// Owner of every domain (listed as an org).
	Owner string
	// Events per domain (spread over the last 20 days).
	Events int
}

// genFixture builds an ecosystem of n domains in Go (for tests and
// benchmarks that need many domains). Domain i varies deterministically:
// every third has a failing default branch, every fourth a flaky re-run,
// every fifth an open critical alert, every other one open pull requests.
func genFixture(o genOptions) *emulator.Fixture {
	if o.Owner == "" {
		o.Owner = "eco"
	}
	if o.Events == 0 {
		o.Events = 12
	}
	f := &emulator.Fixture{ReferenceTime: genNow, Orgs: []string{o.Owner}}
	ago := func(d time.Duration) time.Time { return genNow.Add(-d) }
	h := time.Hour
	var id int64 = 1000
	next := func() int64 { id++; return id }
	for i := 0; i < o.Domains; i++ {
		r := emulator.Repository{Owner: o.Owner, Name: fmt.Sprintf("domain-%03d", i), DefaultBranch: "main",
			PushedAt: ago(time.Duration(i%7) * h), CreatedAt: ago(400 * 24 * h), Topics: []string{"ecosystem"},
			Workflows: []emulator.Workflow{{ID: 1, Name: "CI", Path: ".github/workflows/ci.yml"}, {ID: 2, Name: "Nightly", Path: ".github/workflows/nightly.yml"}}}
		types := FeedEventTypes
		for e := 0; e < o.Events; e++ {
			r.Events = append(r.Events, emulator.Event{ID: fmt.Sprint(next()), Type: types[(i+e)%len(types)], Actor: "dev",
				CreatedAt: ago(time.Duration(e*40+i%5) * h / 2)})
		}
		step := func(name, concl string) emulator.Step { return emulator.Step{Name: name, Conclusion: concl} }
		okJob := func(name string, attempt int) emulator.Job {
			return emulator.Job{ID: next(), Name: name, RunAttempt: attempt, Conclusion: "success",
				Steps: []emulator.Step{step("Checkout", "success"), step("Build", "success")}, Log: "build ok\n"}
		}
		badJob := func(name string, attempt int, log string) emulator.Job {
			return emulator.Job{ID: next(), Name: name, RunAttempt: attempt, Conclusion: "failure",
				Steps: []emulator.Step{step("Checkout", "success"), step("Build", "failure")}, Log: log}
		}
		sha := func(n int) string { return fmt.Sprintf("%040x", i*1000+n) }
		// Three green runs on main.
		for k := 0; k < 3; k++ {
			r.Runs = append(r.Runs, emulator.Run{ID: next(), WorkflowID: 1, Event: "push", Conclusion: "success",
				HeadBranch: "main", HeadSHA: sha(k), CreatedAt: ago(time.Duration(48+k*24) * h), Jobs: []emulator.Job{okJob("build", 1)}})
		}
		// A cancelled and a feature-branch failure.
		r.Runs = append(r.Runs, emulator.Run{ID: next(), WorkflowID: 1, Event: "pull_request", Conclusion: "cancelled",
			HeadBranch: "feature/x", HeadSHA: sha(10), CreatedAt: ago(30 * h)})
		r.Runs = append(r.Runs, emulator.Run{ID: next(), WorkflowID: 1, Event: "pull_request", Conclusion: "failure",
			HeadBranch: "feature/x", HeadSHA: sha(11), CreatedAt: ago(20 * h),
			Jobs: []emulator.Job{badJob("test", 1, "##[error]Process completed with exit code 1.\n"), okJob("lint", 1)}})
		if i%3 == 0 { // failing default branch: two consecutive failures
			for k := 0; k < 2; k++ {
				r.Runs = append(r.Runs, emulator.Run{ID: next(), WorkflowID: 2, Event: "schedule", Conclusion: "failure",
					HeadBranch: "main", HeadSHA: sha(20 + k), CreatedAt: ago(time.Duration(10-k*4) * h),
					Jobs: []emulator.Job{badJob("conan-build", 1, "ERROR: Missing prebuilt package for 'openssl/3.2.0'\n")}})
			}
		}
		if i%4 == 0 { // flaky: failed attempt 1, passed attempt 2
			r.Runs = append(r.Runs, emulator.Run{ID: next(), WorkflowID: 1, Event: "push", Conclusion: "success", RunAttempt: 2,
				HeadBranch: "main", HeadSHA: sha(30), CreatedAt: ago(5 * h),
				Jobs: []emulator.Job{badJob("integration", 1, "connection reset by peer\n"), okJob("integration", 2)}})
		}
		if i%2 == 0 {
			r.Pulls = append(r.Pulls,
				emulator.Pull{Number: 1, Title: "Bump conan", User: "dev", Head: emulator.Ref{Ref: "bump"}, Base: emulator.Ref{Ref: "main"},
					CreatedAt: ago(40 * 24 * h), UpdatedAt: ago(30 * 24 * h)},
				emulator.Pull{Number: 2, Title: "Fresh work", User: "dev", Head: emulator.Ref{Ref: "fresh"}, Base: emulator.Ref{Ref: "main"},
					CreatedAt: ago(24 * h), UpdatedAt: ago(2 * h)})
		}
		if i%5 == 0 {
			r.Issues = append(r.Issues, emulator.Issue{Number: 10, Title: "CI down on main @maintainer", User: "github-actions[bot]",
				Labels: []string{"critical"}, CreatedAt: ago(12 * h)})
		}
		// Runs take a few minutes and their jobs wait a little for a runner.
		for k := range r.Runs {
			run := &r.Runs[k]
			run.UpdatedAt = run.CreatedAt.Add(time.Duration(4+run.ID%9) * time.Minute)
			for j := range run.Jobs {
				run.Jobs[j].StartedAt = run.CreatedAt.Add(time.Duration(20+run.Jobs[j].ID%40) * time.Second)
			}
		}
		f.Repositories = append(f.Repositories, r)
	}
	return f
}

// env is an emulator plus a ghclient pointed at it.
type env struct {
	srv    *emulator.Server
	url    string
	client *ghclient.Client
}

func startEmulator(tb testing.TB, f *emulator.Fixture, opts emulator.Options) (*emulator.Server, string) {
	tb.Helper()
	if opts.Now == nil {
		now := f.ReferenceTime
		opts.Now = func() time.Time { return now }
	}
	s, err := emulator.NewChecked(f, opts)
	if err != nil {
		tb.Fatalf("failed to start the emulator: %v", err)
	}
	hs := httptest.NewServer(s)
	tb.Cleanup(hs.Close)
	s.SetURL(hs.URL)
	return s, hs.URL
}

func newClient(tb testing.TB, url, cacheDir string, mod ...func(*ghclient.Config)) *ghclient.Client {
	tb.Helper()
	cfg := ghclient.Config{Token: "test-token", APIURL: url, CacheDir: cacheDir, Version: "test",
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }, MaxRetries: 8}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := ghclient.New(cfg)
	if err != nil {
		tb.Fatalf("failed to build the client: %v", err)
	}
	return c
}

func newEnv(tb testing.TB, f *emulator.Fixture, opts emulator.Options, cacheDir string) env {
	s, u := startEmulator(tb, f, opts)
	return env{srv: s, url: u, client: newClient(tb, u, cacheDir)}
}

func (e env) deps() Deps {
	return Deps{API: GitHubAPI{Client: e.client.Client}, Stats: func() any { return e.client.Stats() }}
}

// apiRequests counts logged requests that are API calls (not the control
// endpoints or log downloads), by kind.
func apiRequests(s *emulator.Server) map[string]int {
	out := map[string]int{}
	for _, r := range s.Requests() {
		p := strings.TrimPrefix(r.Path, "/api/v3")
		switch {
		case strings.HasPrefix(p, "/_emulator"):
			continue
		case strings.HasSuffix(p, "/events"):
			out["events"]++
		case strings.HasSuffix(p, "/deployments"):
			out["deployments"]++
		case strings.HasSuffix(p, "/statuses") && strings.Contains(p, "/deployments/"):
			out["deployment_statuses"]++
		case strings.HasSuffix(p, "/statuses"), strings.HasSuffix(p, "/check-runs"), strings.HasSuffix(p, "/check-suites"):
			out["commit_checks"]++
		case strings.HasSuffix(p, "/actions/runs"):
			out["runs"]++
		case strings.HasSuffix(p, "/jobs"):
			out["jobs"]++
		case strings.HasSuffix(p, "/issues"):
			out["issues"]++
		case strings.HasSuffix(p, "/logs"):
			out["logs"]++
		case strings.HasPrefix(p, "/orgs/"):
			out["org"]++
		case strings.HasPrefix(p, "/users/"):
			out["owner"]++
		case strings.Count(p, "/") == 3 && strings.HasPrefix(p, "/repos/"):
			out["repo"]++
		default:
			out["other:"+p]++
		}
		out["total"]++
	}
	return out
}

// repos parses "owner/name" domains the way the domains input does.
func repos(tb testing.TB, names ...string) []ghname.Repo {
	tb.Helper()
	var out []ghname.Repo
	for _, n := range names {
		r, err := ghname.ParseRepo(n, "")
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// exampleOnce loads the example ecosystem once for the package's tests
// (parsing its 1.3 MB under -race takes seconds).
var exampleOnce = sync.OnceValues(func() (*emulator.Fixture, error) { return emulator.LoadFixture(exampleFixture) })

// sharedExample is the example ecosystem, shared by the tests: read it,
// never change it in place (copy the struct to set top-level fields such as
// Tokens; load a fresh one to change repositories).
func sharedExample(tb testing.TB) *emulator.Fixture {
	tb.Helper()
	f, err := exampleOnce()
	if err != nil {
		tb.Fatalf("failed to load the example ecosystem: %v", err)
	}
	return f
}

// defaultExampleRun is the monitor's report on the example ecosystem with
// the default settings and a 14-day window, made once for the tests that
// only read it.
var defaultExampleRun = sync.OnceValues(func() (Report, error) {
	f, err := exampleOnce()
	if err != nil {
		return Report{}, err
	}
	now := f.ReferenceTime
	s, err := emulator.NewChecked(f, emulator.Options{Now: func() time.Time { return now }})
	if err != nil {
		return Report{}, err
	}
	hs := httptest.NewServer(s)
	defer hs.Close()
	s.SetURL(hs.URL)
	c, err := ghclient.New(ghclient.Config{Token: "test-token", APIURL: hs.URL, Version: "test", MaxRetries: 8,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	if err != nil {
		return Report{}, err
	}
	dir, err := os.MkdirTemp("", "monitor-example-")
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(dir)
	var domains []ghname.Repo
	for _, r := range f.Repositories {
		domains = append(domains, ghname.Repo{Owner: r.Owner, Name: r.Name})
	}
	res, err := Run(context.Background(), Config{Domains: domains, Now: now, OutputDir: dir, Window: 14 * 24 * time.Hour},
		Deps{API: GitHubAPI{Client: c.Client}})
	if err != nil {
		return Report{}, err
	}
	return res.Report, nil
})
