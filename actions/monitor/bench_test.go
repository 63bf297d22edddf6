package monitor

import (
	"context"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// runOnce runs the monitor on every domain of f with a fresh client (as a
// new job would) and returns the client's accounting.
func runOnce(b *testing.B, url, cacheDir string, f *emulator.Fixture, concurrency int) (requests, notModified, points int64, elapsed time.Duration) {
	b.Helper()
	c := newClient(b, url, cacheDir)
	var domains []ghname.Repo
	for _, r := range f.Repositories {
		domains = append(domains, ghname.Repo{Owner: r.Owner, Name: r.Name})
	}
	cfg := Config{Domains: domains, Now: genNow, OutputDir: b.TempDir(), Concurrency: concurrency}
	start := time.Now()
	if _, err := Run(context.Background(), cfg, Deps{API: GitHubAPI{Client: c.Client}}); err != nil {
		b.Fatal(err)
	}
	elapsed = time.Since(start)
	s := c.Stats()
	return s.Requests, s.NotModified, s.RateLimitPoints, elapsed
}

// BenchmarkWarmRerun: a re-run with nothing changed and the ETag cache kept
// costs 0 rate-limit points (every request answered 304).
func BenchmarkWarmRerun(b *testing.B) {
	f := genFixture(genOptions{Domains: 20})
	_, url := startEmulator(b, f, emulator.Options{RateLimit: 1 << 30})
	cache := b.TempDir()
	runOnce(b, url, cache, f, 8) // cold, fills the cache
	var req, nm, pts int64
	for b.Loop() {
		req, nm, pts, _ = runOnce(b, url, cache, f, 8)
	}
	b.ReportMetric(float64(pts), "rate-limit-points/run")
	b.ReportMetric(float64(req), "requests/run")
	b.ReportMetric(float64(nm)/float64(max(req, 1)), "share-304")
}

// BenchmarkColdRun: requests per domain on a cold cache (target: 3 per
// domain + 1 per extra page + 1 per failed job; the generated domains have
// open PRs/issues on most domains, which costs one issues list each).
func BenchmarkColdRun(b *testing.B) {
	f := genFixture(genOptions{Domains: 40})
	_, url := startEmulator(b, f, emulator.Options{RateLimit: 1 << 30})
	failedJobs := 0
	for _, r := range f.Repositories {
		for _, run := range r.Runs {
			for _, j := range run.Jobs {
				if isFailure(j.Conclusion) {
					failedJobs++
				}
			}
		}
	}
	var req int64
	for b.Loop() {
		req, _, _, _ = runOnce(b, url, "", f, 8)
	}
	n := float64(len(f.Repositories))
	b.ReportMetric(float64(req)/n, "requests/domain")
	b.ReportMetric((float64(req)-float64(failedJobs))/n, "requests/domain-excl-failed-jobs")
}

// BenchmarkLatency200: 200 domains behind 100 ms of latency per request.
// latency-bound-ratio is the wall time ÷ (requests ÷ concurrency × latency),
// target ≤ 2; speedup-vs-c1 compares the time per domain with concurrency 1
// (measured on 20 of the domains, to keep the benchmark short).
func BenchmarkLatency200(b *testing.B) {
	const latency = 100 * time.Millisecond
	const concurrency = 8
	f := genFixture(genOptions{Domains: 200})
	_, url := startEmulator(b, f, emulator.Options{RateLimit: 1 << 30, Latency: latency})
	small := &emulator.Fixture{ReferenceTime: f.ReferenceTime, Orgs: f.Orgs, Repositories: f.Repositories[:20]}
	var req int64
	var elapsed time.Duration
	for b.Loop() {
		req, _, _, elapsed = runOnce(b, url, "", f, concurrency)
	}
	bound := time.Duration(float64(req) / concurrency * float64(latency))
	_, _, _, serial := runOnce(b, url, "", small, 1)
	perDomainC1 := serial.Seconds() / float64(len(small.Repositories))
	perDomainC8 := elapsed.Seconds() / float64(len(f.Repositories))
	b.ReportMetric(float64(req), "requests/run")
	b.ReportMetric(bound.Seconds(), "latency-bound-s")
	b.ReportMetric(elapsed.Seconds()/bound.Seconds(), "latency-bound-ratio")
	b.ReportMetric(perDomainC1/perDomainC8, "speedup-vs-c1")
}

// BenchmarkWarmRerunAnalyze: the example ecosystem with analyze_failures
// on, re-run with the cache kept (ETag cache and classified jobs). GitHub
// sends a 404 without an ETag, so the example's one unreadable domain costs
// its point on every run: rate-limit-points/run counts it,
// points-readable-domains/run leaves it out (target 0). cold-points/run is
// the first run's cost, for comparison.
func BenchmarkWarmRerunAnalyze(b *testing.B) {
	f := sharedExample(b)
	s, u := startEmulator(b, f, emulator.Options{RateLimit: 1 << 30})
	cache := b.TempDir()
	_, cold, _ := runExampleAnalyzing(b, u, f, cache)
	var pts, req int64
	unreadable := 0
	for b.Loop() {
		before := len(s.Requests())
		_, pts, req = runExampleAnalyzing(b, u, f, cache)
		unreadable = 0
		for _, r := range s.Requests()[before:] {
			if r.Status == 404 {
				unreadable++
			}
		}
	}
	b.ReportMetric(float64(cold), "cold-points/run")
	b.ReportMetric(float64(pts), "rate-limit-points/run")
	b.ReportMetric(float64(pts)-float64(unreadable), "points-readable-domains/run")
	b.ReportMetric(float64(req), "requests/run")
}
