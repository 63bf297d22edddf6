package alert_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/alert"
	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// demoReports are the demo chain's reports, made once for every test and
// benchmark here (monitor → fixer → stale on the example ecosystem).
var demoReports struct {
	once sync.Once
	c    *chainReports
	dir  string
}

// TestMain removes the copies of the demo reports.
func TestMain(m *testing.M) {
	code := m.Run()
	if demoReports.dir != "" {
		_ = os.RemoveAll(demoReports.dir)
	}
	os.Exit(code)
}

func chain(tb testing.TB) *chainReports {
	tb.Helper()
	demoReports.once.Do(func() {
		t := tb
		c := runChain(t, emulator.Options{})
		// The reports outlive the test that made them.
		dir, err := os.MkdirTemp("", "alert-demo-reports-")
		if err != nil {
			t.Fatal(err)
		}
		demoReports.dir = dir
		for _, p := range []*string{&c.monitor, &c.fixer, &c.stale} {
			data, err := os.ReadFile(*p)
			if err != nil {
				t.Fatal(err)
			}
			*p = filepath.Join(dir, filepath.Base(*p))
			if err := os.WriteFile(*p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		demoReports.c = c
	})
	if demoReports.c == nil {
		tb.Fatal("the demo chain failed in an earlier test")
	}
	return demoReports.c
}

// trial is one round of n alert runs at once on the demo reports against a
// fresh emulator of the example ecosystem.
type trial struct {
	srv       *emulator.Server
	results   []*alert.Result
	errs      []error
	issues    []emulator.Issue // alert issues of the demo repository after the trial
	dupIssues int              // issues beyond one per group
	dupSends  int              // (target, event, alert) deliveries beyond one
	writes    int
}

// runTrial starts n runs of the demo's alert step at once (different run
// ids, as two workflows filing into one repository have), each with its own
// client, against one emulator whose latency interleaves them.
func runTrial(tb testing.TB, c *chainReports, n int, latency time.Duration) trial {
	tb.Helper()
	now := c.now
	srv := emulator.StartForTest(tb, alertFixture(c.fixture), emulator.Options{Now: func() time.Time { return now }, Latency: latency,
		SecondaryLimit: -1, RateLimit: 1_000_000})
	reports := strings.Join([]string{c.monitor, c.fixer, c.stale}, "\n")
	tr := trial{srv: srv, results: make([]*alert.Result, n), errs: make([]error, n)}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gh, err := ghclient.New(ghclient.Config{Token: "t", APIURL: srv.URL(), MaxRetries: -1})
			if err != nil {
				tr.errs[i] = err
				return
			}
			cfg := alert.Config{Reports: reports, Repository: containertest.DemoRepository, RunID: int64(1000 + i),
				Channels: []string{alert.ChannelIssue, alert.ChannelRepositoryDispatch}, DispatchTargets: c.domains,
				OutputDir: filepath.Join(tb.TempDir(), fmt.Sprint(i)), Now: now, Version: "test", ClaimWait: 20 * time.Second}
			<-start
			tr.results[i], tr.errs[i] = alert.Run(context.Background(), cfg, alert.Deps{GitHub: gh.Client})
		}()
	}
	close(start)
	wg.Wait()

	groups := map[string]int{}
	for _, r := range srv.State().Repositories {
		if r.FullName != containertest.DemoRepository {
			continue
		}
		for _, is := range r.Issues {
			if g := alert.ParseGroupMarker(is.Body); g != "" {
				tr.issues = append(tr.issues, is)
				groups[g]++
			}
		}
	}
	for _, k := range groups {
		tr.dupIssues += k - 1
	}
	sent := map[string]int{}
	for _, d := range srv.Dispatches() {
		items, _ := d.ClientPayload["alerts"].([]any)
		for _, it := range items {
			fp, _ := it.(map[string]any)["fingerprint"].(string)
			sent[d.Repo+" "+d.EventType+" "+fp]++
		}
	}
	for _, k := range sent {
		tr.dupSends += k - 1
	}
	for _, q := range srv.Requests() {
		if q.Method != "GET" {
			tr.writes++
		}
	}
	return tr
}

// alertFixture is the example ecosystem as the alert step sees it: the
// repositories with their issues, labels, workflows and branches, without
// the runs, logs and events the monitor and fixer read (the emulator starts
// faster; nothing the alert step reads is dropped).
func alertFixture(f *emulator.Fixture) *emulator.Fixture {
	out := *f
	out.Repositories = make([]emulator.Repository, len(f.Repositories))
	for i, r := range f.Repositories {
		r.Runs, r.Events, r.Pulls, r.Caches, r.Deployments, r.Statuses = nil, nil, nil, nil, nil, nil
		out.Repositories[i] = r
	}
	return &out
}

// TestConcurrentRuns_no_duplicates races 2 and 5 alert runs on the same
// reports, 20 trials each, with latency to widen the window: exactly one
// issue per group (the fixture's #64 adopted by every run, never
// duplicated), no alert dispatched twice to a target, one comment on #64,
// and every run succeeds.
func TestConcurrentRuns_no_duplicates(t *testing.T) {
	c := chain(t)
	for _, n := range []int{2, 5} {
		t.Run(fmt.Sprintf("runs_%d", n), func(t *testing.T) {
			clean := 0
			for trialNo := 0; trialNo < 20; trialNo++ {
				tr := runTrial(t, c, n, time.Duration(trialNo%4)*time.Millisecond)
				ok := true
				for i, err := range tr.errs {
					if err != nil {
						t.Errorf("trial %d run %d: %v", trialNo, i, err)
						ok = false
					}
				}
				if tr.dupIssues != 0 || tr.dupSends != 0 {
					t.Errorf("trial %d: %d duplicate issues, %d duplicate deliveries", trialNo, tr.dupIssues, tr.dupSends)
					ok = false
				}
				if len(tr.issues) == 0 || len(tr.issues) > 5 {
					t.Errorf("trial %d: %d group issues, want 1 to 5", trialNo, len(tr.issues))
					ok = false
				}
				for _, is := range tr.issues {
					if is.Number == 64 && len(is.Comments) != 2 { // the fixture's update comment + one announcement
						t.Errorf("trial %d: #64 has %d comments, want 2", trialNo, len(is.Comments))
						ok = false
					}
				}
				if ok {
					clean++
				}
			}
			t.Logf("%d concurrent runs: %d of 20 trials with 0 duplicate issues and 0 duplicate dispatches", n, clean)
		})
	}
}

// TestDemo_grouped_and_idempotent: the demo's alert step files at most one
// issue per domain (≤ 5 with an ecosystem issue), each listing only its
// domain's problems, the fixture's #64 adopted for openssl-tools; a second
// run on the same reports (another run id) writes nothing.
func TestDemo_grouped_and_idempotent(t *testing.T) {
	c := chain(t)
	tr := runTrial(t, c, 1, 0)
	if tr.errs[0] != nil {
		t.Fatal(tr.errs[0])
	}
	if n := len(tr.issues); n < 1 || n > 5 {
		t.Errorf("%d group issues, want at most 5", n)
	}
	seen := map[string]bool{}
	adopted := false
	for _, is := range tr.issues {
		st, ok := alert.ParseGroupState(is.Body)
		if !ok {
			t.Fatalf("#%d has no state", is.Number)
		}
		if seen[st.Key] {
			t.Errorf("two issues for %s", st.Key)
		}
		seen[st.Key] = true
		for fp, p := range st.Problems {
			if !strings.EqualFold(p.Scope, st.Key) {
				t.Errorf("#%d (%s) lists %s of %s", is.Number, st.Key, fp, p.Scope)
			}
		}
		if is.Number == 64 {
			adopted = st.Key == "sparesparrow/openssl-tools" && is.State == "open"
		}
	}
	if !adopted {
		t.Error("#64 was not adopted as the openssl-tools issue")
	}
	// The same reports again, as the next scheduled run.
	before := len(tr.srv.Requests())
	gh, err := ghclient.New(ghclient.Config{Token: "t", APIURL: tr.srv.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := alert.Config{Reports: strings.Join([]string{c.monitor, c.fixer, c.stale}, "\n"), Repository: containertest.DemoRepository, RunID: 2000,
		Channels: []string{alert.ChannelIssue, alert.ChannelRepositoryDispatch}, DispatchTargets: c.domains,
		OutputDir: t.TempDir(), Now: c.now.Add(4 * time.Hour), Version: "test"}
	if _, err := alert.Run(context.Background(), cfg, alert.Deps{GitHub: gh.Client}); err != nil {
		t.Fatal(err)
	}
	var writes []string
	for _, q := range tr.srv.Requests()[before:] {
		if q.Method != "GET" {
			writes = append(writes, q.Method+" "+q.Path)
		}
	}
	if len(writes) != 0 {
		t.Errorf("the second run on the same reports wrote %d times: %v", len(writes), writes)
	}
}

// BenchmarkAlertConcurrentRuns reports, per trial of 5 alert runs at once
// on the demo reports, the duplicate issues and duplicate dispatches (both
// must be 0) and the writes all five made together.
func BenchmarkAlertConcurrentRuns(b *testing.B) {
	c := chain(b)
	var dupIssues, dupSends, writes int
	for i := 0; i < b.N; i++ {
		tr := runTrial(b, c, 5, time.Millisecond)
		for _, err := range tr.errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		dupIssues += tr.dupIssues
		dupSends += tr.dupSends
		writes += tr.writes
	}
	b.ReportMetric(float64(dupIssues)/float64(b.N), "dup-issues/trial")
	b.ReportMetric(float64(dupSends)/float64(b.N), "dup-dispatches/trial")
	b.ReportMetric(float64(writes)/float64(b.N), "writes/trial")
}
