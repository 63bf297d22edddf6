package ghclient

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
)

// BenchmarkWarmRerun measures a monitor-like pass (8 workers, 40 repository
// GETs) on a warm ETag cache restored from disk, as on the second scheduled
// run with actions/cache: every request is a 304, so points/op must be 0.
// BenchmarkColdRun is the same pass with an empty cache, for comparison.
func BenchmarkWarmRerun(b *testing.B) { benchmarkRun(b, true) }

// BenchmarkColdRun is BenchmarkWarmRerun without the cache.
func BenchmarkColdRun(b *testing.B) { benchmarkRun(b, false) }

func benchmarkRun(b *testing.B, warm bool) {
	srv := newETagServer()
	srv.budget = newBudget(1 << 30) // never the bottleneck, whatever b.N is
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	names := make([]string, 40)
	for i := range names {
		names[i] = fmt.Sprintf("repo-%02d", i)
	}
	dir := b.TempDir()
	newClient := func(cacheDir string) *Client {
		c, err := New(Config{Token: testToken, APIURL: ts.URL, CacheDir: cacheDir})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	pass := func(c *Client) {
		var wg sync.WaitGroup
		work := make(chan string)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for name := range work {
					if _, _, err := c.Repositories.Get(context.Background(), "o", name); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for _, n := range names {
			work <- n
		}
		close(work)
		wg.Wait()
	}
	if warm {
		pass(newClient(dir)) // the previous run fills the cache directory
	}

	var total Stats
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cacheDir := ""
		if warm {
			cacheDir = dir
		} else {
			cacheDir = b.TempDir()
		}
		c := newClient(cacheDir) // a new process each run
		pass(c)
		s := c.Stats()
		total.Requests += s.Requests
		total.NotModified += s.NotModified
		total.RateLimitPoints += s.RateLimitPoints
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(total.Requests)/n, "requests/op")
	b.ReportMetric(float64(total.NotModified)/n, "304s/op")
	b.ReportMetric(float64(total.RateLimitPoints)/n, "points/op")
	if warm && total.RateLimitPoints != 0 {
		b.Errorf("warm rerun used %d rate-limit points, want 0", total.RateLimitPoints)
	}
}
