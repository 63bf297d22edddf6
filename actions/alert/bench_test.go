package alert

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// BenchmarkAlertLifecycleWarmRerun reports the API cost per alert of the
// issue lifecycle on the emulator with 40 unhealthy domains (40 group
// issues): a new run four hours after the run that opened them (same
// problems: nothing to write), and a re-run of that same run
// (GITHUB_RUN_ID) on identical input, which must write nothing either. The
// client (and its ETag cache) is kept across runs, as actions/cache keeps
// cache_dir.
func BenchmarkAlertLifecycleWarmRerun(b *testing.B) {
	domains := map[string]domain{}
	for i := 0; i < 60; i++ {
		score := 90 // healthy: no alert
		if i%3 != 0 {
			score = 40 + i%30 // warning or critical
		}
		domains[fmt.Sprintf("eco/d%02d", i)] = domain{score, []string{"ci_success_rate"}}
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := &clock{now: t0}
		srv := emulator.StartForTest(b, testFixture(), emulator.Options{Now: c.Now, RateLimit: 1_000_000, SecondaryLimit: -1})
		gh, err := ghclient.New(ghclient.Config{Token: "t", APIURL: srv.URL(), Now: c.Now, MaxRetries: -1})
		if err != nil {
			b.Fatal(err)
		}
		run := func(runID int64) *Result {
			cfg := Config{Reports: monitorJSON(c.now, domains), Repository: "eco/alerts", RunID: runID, Now: c.now, OutputDir: b.TempDir()}
			res, err := Run(context.Background(), cfg, Deps{GitHub: gh.Client})
			if err != nil {
				b.Fatal(err)
			}
			return res
		}
		first := run(1)
		alerts := len(first.Issues.Created)
		if alerts == 0 {
			b.Fatal("the first run opened no issue")
		}
		c.now = c.now.Add(4 * time.Hour)
		count := func(from int) (reqs, writes int) {
			for _, r := range srv.Requests()[from:] {
				reqs++
				if r.Method != "GET" {
					writes++
				}
			}
			return reqs, writes
		}
		before, stats0 := len(srv.Requests()), gh.Stats()
		b.StartTimer()
		second := run(2)
		b.StopTimer()
		reqs, writes := count(before)
		if len(second.Issues.Created) != 0 || len(second.Issues.Commented) != 0 || writes != 0 {
			b.Fatalf("the next run on the same problems created %d issues, commented %d and wrote %d times, want 0", len(second.Issues.Created), len(second.Issues.Commented), writes)
		}
		notModified := gh.Stats().NotModified - stats0.NotModified

		before = len(srv.Requests())
		b.StartTimer()
		run(2)
		b.StopTimer()
		rerunReqs, rerunWrites := count(before)
		if rerunWrites != 0 {
			b.Fatalf("re-run of the same run wrote %d times", rerunWrites)
		}
		b.ReportMetric(float64(alerts), "alerts")
		b.ReportMetric(float64(reqs)/float64(alerts), "requests/alert")
		b.ReportMetric(float64(writes)/float64(alerts), "writes/alert")
		b.ReportMetric(float64(notModified), "not-modified")
		b.ReportMetric(float64(rerunReqs)/float64(alerts), "rerun-requests/alert")
		b.StartTimer()
	}
}
