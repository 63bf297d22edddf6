package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

func genConfig(t testing.TB, f *emulator.Fixture) Config {
	var domains []ghname.Repo
	for _, r := range f.Repositories {
		domains = append(domains, ghname.Repo{Owner: r.Owner, Name: r.Name})
	}
	return Config{Domains: domains, Now: genNow, OutputDir: t.TempDir()}
}

func TestRunAgainstEmulator(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 6})
	f.Repositories = append(f.Repositories, emulator.Repository{Owner: "eco", Name: "forbidden", Status: 403})
	e := newEnv(t, f, emulator.Options{}, "")
	cfg := genConfig(t, f)
	cfg.Domains = append(cfg.Domains, ghname.Repo{Owner: "eco", Name: "does-not-exist"})
	res, err := Run(context.Background(), cfg, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report
	if got, want := len(r.Domains), 8; got != want {
		t.Fatalf("domains = %d, want %d", got, want)
	}
	if d := r.Domains["eco/does-not-exist"]; d.Band != BandUnknown || d.Status != 404 || !strings.Contains(d.Error, "404") {
		t.Errorf("missing domain = %+v, want band unknown with a 404 reason", d)
	}
	if d := r.Domains["eco/forbidden"]; d.Band != BandUnknown || d.Status != 403 {
		t.Errorf("forbidden domain = band %q status %d, want unknown 403", d.Band, d.Status)
	}
	d0 := r.Domains["eco/domain-000"] // failing main, flaky, alert, PRs
	if d0.Components[ComponentFailureStreak].Value != 2 {
		t.Errorf("domain-000 streak = %v, want 2", d0.Components[ComponentFailureStreak])
	}
	if diff := cmp.Diff([]FlakyJob{{Workflow: "CI", Job: "integration", Count: 1}}, d0.Flaky.Jobs); diff != "" {
		t.Errorf("domain-000 flaky jobs (-want +got):\n%s", diff)
	}
	if len(d0.CriticalAlerts) != 1 || d0.OpenPullRequests != 2 || d0.StalePullRequests != 1 {
		t.Errorf("domain-000 alerts=%v open PRs=%d stale=%d", d0.CriticalAlerts, d0.OpenPullRequests, d0.StalePullRequests)
	}
	if d0.PollInterval != 60 {
		t.Errorf("poll interval = %d, want the emulator's 60", d0.PollInterval)
	}
	if d0.Band != BandCritical && d0.Band != BandWarning {
		t.Errorf("domain-000 band = %s, want warning or critical", d0.Band)
	}
	d1 := r.Domains["eco/domain-001"] // only a feature-branch failure
	if d1.Band != BandHealthy || d1.Confidence != 1 {
		t.Errorf("domain-001 band=%s confidence=%v, want healthy 1: %+v", d1.Band, d1.Confidence, d1.Findings)
	}
	var failedSteps []string
	for _, f := range r.Failures {
		if f.Domain == "eco/domain-000" {
			failedSteps = append(failedSteps, f.Job+"@"+f.Step)
		}
	}
	if diff := cmp.Diff([]string{"conan-build@Build", "conan-build@Build", "test@Build"}, failedSteps); diff != "" {
		t.Errorf("domain-000 failures (-want +got):\n%s", diff)
	}
	if r.Summary.TotalDomains != 8 || r.Summary.UnknownDomains != 2 || r.Summary.AlertLevel == AlertNone {
		t.Errorf("summary = %+v", r.Summary)
	}
	if r.API["requests"] == nil {
		t.Errorf("api accounting missing: %v", r.API)
	}
	for _, p := range []string{res.ReportPath, res.SummaryPath, filepath.Join(res.PagesPath, "index.html"), filepath.Join(res.PagesPath, "data.json")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("output %s: %v", p, err)
		}
	}
}

// TestColdRunRequestBudget measures a cold run against the emulator's
// request log: one listing of the owner's repositories (instead of one
// repository request per domain), per domain one events and one runs
// request, one issues request only when the repository has open issues or
// pull requests, one jobs request per failed or re-run run.
func TestColdRunRequestBudget(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 12})
	e := newEnv(t, f, emulator.Options{}, "")
	cfg := genConfig(t, f)
	if _, err := Run(context.Background(), cfg, e.deps()); err != nil {
		t.Fatal(err)
	}
	got := apiRequests(e.srv)
	domains, withOpen, failedJobs, jobRuns, checks := len(f.Repositories), 0, 0, 0, 0
	for _, r := range f.Repositories {
		if len(r.Pulls)+len(r.Issues) > 0 {
			withOpen++
		}
		// Statuses, check suites and check runs of the newest heads of the
		// default branch (at most signalHeads).
		heads := map[string]bool{}
		for _, run := range r.Runs {
			if run.HeadBranch == r.DefaultBranch {
				heads[run.HeadSHA] = true
			}
		}
		checks += 3 * min(len(heads), DefaultSignalHeads)
		for _, run := range r.Runs {
			if isFailure(run.Conclusion) || run.RunAttempt > 1 {
				jobRuns++
			}
			for _, j := range run.Jobs {
				if isFailure(j.Conclusion) {
					failedJobs++
				}
			}
		}
	}
	want := map[string]int{"owner": 1, "events": domains, "runs": domains, "issues": withOpen, "jobs": jobRuns,
		"deployments": domains, "commit_checks": checks,
		"total": 1 + 3*domains + withOpen + jobRuns + checks}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if jobRuns > failedJobs {
		t.Errorf("jobs requests %d exceed failed jobs %d", jobRuns, failedJobs)
	}
	if bound := (4+3*DefaultSignalHeads)*domains + failedJobs; got["total"] > bound {
		t.Errorf("cold run made %d requests, bound %d/domain + 1 per failed job = %d", got["total"], 4+3*DefaultSignalHeads, bound)
	}
	t.Logf("cold run: %d requests for %d domains (%.2f/domain; %d issue lists, %d job lists, %d failed jobs)",
		got["total"], domains, float64(got["total"])/float64(domains), withOpen, jobRuns, failedJobs)
}

func TestOrgModeSkipsRepositoryRequests(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 5})
	f.Repositories[4].Topics = []string{"other"}
	e := newEnv(t, f, emulator.Options{}, "")
	cfg := Config{Org: OrgFilter{Org: "eco", Name: "domain-*", Topic: "ecosystem"}, Now: genNow, OutputDir: t.TempDir()}
	res, err := Run(context.Background(), cfg, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedNames(res.Report.Domains); !cmp.Equal(got, []string{"eco/domain-000", "eco/domain-001", "eco/domain-002", "eco/domain-003"}) {
		t.Errorf("domains = %v", got)
	}
	got := apiRequests(e.srv)
	if got["repo"] != 0 || got["org"] != 1 {
		t.Errorf("requests = %v, want 1 org listing and no repository requests", got)
	}
}

func TestWarmRerunIsFree(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 4})
	cache := t.TempDir()
	s, u := startEmulator(t, f, emulator.Options{})
	cfg := genConfig(t, f)
	cold := newClient(t, u, cache)
	if _, err := Run(context.Background(), cfg, Deps{API: GitHubAPI{Client: cold.Client}}); err != nil {
		t.Fatal(err)
	}
	warm := newClient(t, u, cache)
	before := len(s.Requests())
	if _, err := Run(context.Background(), cfg, Deps{API: GitHubAPI{Client: warm.Client}}); err != nil {
		t.Fatal(err)
	}
	st := warm.Stats()
	if st.RateLimitPoints != 0 || st.NotModified != st.Requests || st.Requests != int64(len(s.Requests())-before) {
		t.Errorf("warm re-run stats = %+v, want every request a 304 and 0 rate-limit points", st)
	}
}

// TestFaultsDoNotChangeTheReport: with 20% of requests failing (5xx,
// resets, secondary limits) the retried run gives the fault-free report.
func TestFaultsDoNotChangeTheReport(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 6})
	clean := newEnv(t, f, emulator.Options{}, "")
	cfg := genConfig(t, f)
	want, err := Run(context.Background(), cfg, clean.deps())
	if err != nil {
		t.Fatal(err)
	}
	faults := []emulator.Fault{
		{Method: "GET", PathRegex: "^/repos/", Kind: emulator.FaultInternalError, Rate: 0.05},
		{Method: "GET", PathRegex: "^/repos/", Kind: emulator.FaultServiceUnavailable, Rate: 0.05},
		{Method: "GET", PathRegex: "^/repos/", Kind: emulator.FaultReset, Rate: 0.05},
		{Method: "GET", PathRegex: "^/repos/", Kind: emulator.FaultSecondary, Rate: 0.05},
	}
	faulty := newEnv(t, f, emulator.Options{Faults: faults, Seed: 7}, "")
	cfg.OutputDir = t.TempDir()
	got, err := Run(context.Background(), cfg, faulty.deps())
	if err != nil {
		t.Fatal(err)
	}
	injected := 0
	for _, r := range faulty.srv.Requests() {
		if r.Fault != "" {
			injected++
		}
	}
	if injected == 0 {
		t.Fatal("no fault was injected; the test proves nothing")
	}
	w, g := want.Report, got.Report
	w.API, g.API = nil, nil
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("report with %d injected faults differs (-clean +faulty):\n%s", injected, diff)
	}
}

func TestPrimaryRateLimitGivesPartialReport(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 10})
	s, u := startEmulator(t, f, emulator.Options{RateLimit: 40})
	c := newClient(t, u, "", func(c *ghclient.Config) { c.RateLimitPolicy = "stop" })
	cfg := genConfig(t, f)
	cfg.Concurrency = 1
	res, err := Run(context.Background(), cfg, Deps{API: GitHubAPI{Client: c.Client}, Stats: func() any { return c.Stats() }})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report
	if !r.Partial || len(r.Missing) == 0 {
		t.Fatalf("partial=%v missing=%v, want a partial report listing the missing domains", r.Partial, r.Missing)
	}
	if len(r.Domains) == 0 {
		t.Fatalf("no domain was reported; %d requests were allowed", len(s.Requests()))
	}
	if len(r.Domains)+len(r.Missing) != 10 || r.Summary.TotalDomains != 10 {
		t.Errorf("domains %d + missing %d, total %d; want 10", len(r.Domains), len(r.Missing), r.Summary.TotalDomains)
	}
	if r.Summary.AlertLevel == AlertNone || !strings.Contains(r.MissingReason, "rate limit") {
		t.Errorf("alert level %q reason %q", r.Summary.AlertLevel, r.MissingReason)
	}
	if !strings.Contains(res.Markdown, "Partial report") {
		t.Error("summary does not say the report is partial")
	}
}

func TestBadInputFailsBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 1})
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"unknown_weight", Config{Domains: repos(t, "eco/a"), Health: HealthConfig{Weights: map[string]float64{"speed": 1}, Bands: Bands{Healthy: 80, Warning: 60}}},
			[]string{`"speed"`, "allowed: ci_success_rate"}},
		{"bad_threshold", Config{Domains: repos(t, "eco/a"), Health: HealthConfig{Weights: DefaultHealthConfig().Weights, Bands: Bands{Healthy: 50, Warning: 70}}},
			[]string{"bands", "0 < warning < healthy <= 100"}},
		{"bad_fail_on", Config{Domains: repos(t, "eco/a"), FailOn: "sometimes"}, []string{"fail_on", "never, warning, critical"}},
		{"bad_shard", Config{Domains: repos(t, "eco/a"), Shard: Shard{Index: 3, Count: 2}}, []string{"shard", "3/2"}},
		{"nothing_to_read", Config{}, []string{"domains"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f, emulator.Options{}, "")
			tc.cfg.OutputDir = t.TempDir()
			_, err := Run(context.Background(), tc.cfg, e.deps())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if n := len(e.srv.Requests()); n != 0 {
				t.Errorf("%d requests were sent before the error", n)
			}
		})
	}
}

func TestShardsMergeIntoTheUnshardedReport(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 9})
	_, u := startEmulator(t, f, emulator.Options{})
	// Each shard is its own job, with its own client.
	deps := func() Deps {
		c := newClient(t, u, "")
		return Deps{API: GitHubAPI{Client: c.Client}, Stats: func() any { return c.Stats() }}
	}
	cfg := genConfig(t, f)
	history := filepath.Join(t.TempDir(), "history.json")
	seed := History{}
	prev := buildReport(reportInput{Now: genNow.Add(-4 * time.Hour), Domains: map[string]DomainReport{"eco/domain-000": {HealthScore: intp(90), Band: BandHealthy}}})
	seed.Append(prev, 10)
	writeJSON(t, history, seed)
	cfg.HistoryFile = history
	// Unsharded reference (its own copy of the history).
	refHist := filepath.Join(t.TempDir(), "history.json")
	writeJSON(t, refHist, seed)
	ref := cfg
	ref.HistoryFile = refHist
	want, err := Run(context.Background(), ref, deps())
	if err != nil {
		t.Fatal(err)
	}
	shardDir := t.TempDir()
	owned := 0
	for i := 1; i <= 3; i++ {
		c := cfg
		c.Shard = Shard{Index: i, Count: 3}
		c.OutputDir = filepath.Join(shardDir, "shard-"+string(rune('0'+i)))
		res, err := Run(context.Background(), c, deps())
		if err != nil {
			t.Fatal(err)
		}
		owned += len(res.Report.Domains)
		if res.Report.Delta != nil {
			t.Errorf("shard %d computed a delta; only the merge does", i)
		}
	}
	if owned != 9 {
		t.Fatalf("shards covered %d domains, want 9", owned)
	}
	m := Config{MergeReports: []string{filepath.Join(shardDir, "shard-*", ReportFile)}, OutputDir: t.TempDir(), HistoryFile: history}
	got, err := Run(context.Background(), m, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	w, g := want.Report, got.Report
	// Request counters add up across shards; each shard lists the owner's
	// repositories once, so the merge may count up to 2 more requests.
	wr, _ := w.API["requests"].(float64)
	gr, _ := g.API["requests"].(float64)
	if gr < wr || gr > wr+2 {
		t.Errorf("api.requests: unsharded %v, merged %v (want the sum of the shards)", wr, gr)
	}
	w.API, g.API = nil, nil
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("merged report differs from the unsharded one (-unsharded +merged):\n%s", diff)
	}
	dropAPI := func(md string) string { return md[:strings.LastIndex(md, "<sub>GitHub API:")] }
	if dropAPI(got.Markdown) != dropAPI(want.Markdown) {
		t.Errorf("merged summary differs:\n%s\n---\n%s", want.Markdown, got.Markdown)
	}
}

func TestParseShard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Shard
		err  bool
	}{{"", Shard{}, false}, {"1/4", Shard{1, 4}, false}, {" 4/4 ", Shard{4, 4}, false},
		{"0/4", Shard{}, true}, {"5/4", Shard{}, true}, {"a/b", Shard{}, true}, {"2", Shard{}, true}, {"1/0", Shard{}, true}} {
		got, err := ParseShard(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v", tc.in, got, err)
		}
	}
	// Every domain lands in exactly one shard.
	for i := 0; i < 200; i++ {
		name := "o/r" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		n := 0
		for k := 1; k <= 5; k++ {
			if (Shard{k, 5}).Owns(name) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%s owned by %d shards", name, n)
		}
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEventsWindowTruncation(t *testing.T) {
	t.Parallel()
	busy := emulator.Repository{Owner: "eco", Name: "busy", DefaultBranch: "main"}
	for i := 0; i < 400; i++ { // one event every 10 minutes: more than GitHub keeps
		busy.Events = append(busy.Events, emulator.Event{ID: fmt.Sprint(i + 1), Type: FeedEventTypes[i%len(FeedEventTypes)], Actor: "dev",
			CreatedAt: genNow.Add(-time.Duration(i) * 10 * time.Minute)})
	}
	quiet := emulator.Repository{Owner: "eco", Name: "quiet", DefaultBranch: "main",
		Events: []emulator.Event{{ID: "9001", Type: "WatchEvent", Actor: "dev", CreatedAt: genNow.Add(-time.Hour)}}}
	f := &emulator.Fixture{ReferenceTime: genNow, Repositories: []emulator.Repository{busy, quiet}}
	tests := []struct {
		name       string
		window     time.Duration
		wantBusy   string
		wantQuiet  string
		wantEvents int
	}{
		{"300_cap_inside_window", 7 * 24 * time.Hour, "at most 300 events", "", 300},
		{"window_beyond_30_days", 60 * 24 * time.Hour, "at most 300 events", "30 days only", 300},
		{"window_shorter_than_feed", 24 * time.Hour, "", "", 145},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f, emulator.Options{}, "")
			cfg := Config{Domains: repos(t, "eco/busy", "eco/quiet"), Now: genNow, Window: tc.window, OutputDir: t.TempDir()}
			res, err := Run(context.Background(), cfg, e.deps())
			if err != nil {
				t.Fatal(err)
			}
			b, q := res.Report.Domains["eco/busy"], res.Report.Domains["eco/quiet"]
			if b.EventsTruncated != (tc.wantBusy != "") || !strings.Contains(b.EventsNote, tc.wantBusy) {
				t.Errorf("busy: truncated=%v note=%q, want %q", b.EventsTruncated, b.EventsNote, tc.wantBusy)
			}
			if q.EventsTruncated != (tc.wantQuiet != "") || !strings.Contains(q.EventsNote, tc.wantQuiet) {
				t.Errorf("quiet: truncated=%v note=%q, want %q", q.EventsTruncated, q.EventsNote, tc.wantQuiet)
			}
			if b.TotalEvents != tc.wantEvents {
				t.Errorf("busy total_events = %d, want %d", b.TotalEvents, tc.wantEvents)
			}
			if b.RecentActivity != 25 {
				t.Errorf("busy recent_activity = %d, want 25 (one event per 10 min over 4 h, both ends included)", b.RecentActivity)
			}
		})
	}
}

// TestOwnerListingFallsBackWhenLarger: an owner with more listing pages
// than monitored domains is listed once (page 1) and the domains not on it
// are fetched one by one.
func TestOwnerListingFallsBackWhenLarger(t *testing.T) {
	t.Parallel()
	f := &emulator.Fixture{ReferenceTime: genNow}
	for i := 0; i < 250; i++ {
		f.Repositories = append(f.Repositories, emulator.Repository{Owner: "eco", Name: fmt.Sprintf("repo-%03d", i), DefaultBranch: "main"})
	}
	tests := []struct {
		name    string
		domains []string
		want    map[string]int
	}{
		{"domains_on_page_1", []string{"eco/repo-001", "eco/repo-002"}, map[string]int{"owner": 1}},
		{"domains_beyond_page_1", []string{"eco/repo-248", "eco/repo-249"}, map[string]int{"owner": 1, "repo": 2}},
		{"single_domain_is_fetched", []string{"eco/repo-001"}, map[string]int{"repo": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f, emulator.Options{}, "")
			var targets []Target
			for _, d := range tc.domains {
				o, n, _ := strings.Cut(d, "/")
				targets = append(targets, Target{Repo: ghname.Repo{Owner: o, Name: n}})
			}
			ResolveMetadata(context.Background(), GitHubAPI{Client: e.client.Client}, targets)
			// What Collect then does for the domains the listing did not show.
			for _, tg := range targets {
				if tg.Meta == nil {
					if _, err := (GitHubAPI{Client: e.client.Client}).GetRepository(context.Background(), tg.Owner, tg.Name); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := apiRequests(e.srv)
			delete(got, "total")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeAcceptsShardsStartedSecondsApart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	var paths []string
	for i, name := range []string{"eco/a", "eco/b"} {
		r := buildReport(reportInput{Now: start.Add(time.Duration(i*3) * time.Second), Domains: map[string]DomainReport{name: {HealthScore: intp(90), Band: BandHealthy}}})
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		writeJSON(t, p, r)
		paths = append(paths, p)
	}
	in, err := loadShardReports(paths)
	if err != nil {
		t.Fatalf("merge of shards started 3s apart: %v", err)
	}
	if want := start.Add(3 * time.Second); !in.Now.Equal(want) {
		t.Errorf("merged timestamp %s, want the latest shard's %s", in.Now, want)
	}
	if len(in.Domains) != 2 {
		t.Errorf("merged %d domains, want 2", len(in.Domains))
	}
}
