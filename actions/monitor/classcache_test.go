package monitor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// runExampleAnalyzing runs the monitor with analyze_failures on the example
// ecosystem through a fresh client (a new job) sharing cacheDir.
func runExampleAnalyzing(t testing.TB, url string, f *emulator.Fixture, cacheDir string) (Report, int64, int64) {
	t.Helper()
	c := newClient(t, url, cacheDir)
	var domains []ghname.Repo
	for _, r := range f.Repositories {
		domains = append(domains, ghname.Repo{Owner: r.Owner, Name: r.Name})
	}
	cfg := Config{Domains: domains, Now: f.ReferenceTime, OutputDir: t.TempDir(), Window: 14 * 24 * time.Hour,
		AnalyzeFailures: true, CacheDir: cacheDir}
	res, err := Run(context.Background(), cfg, Deps{API: GitHubAPI{Client: c.Client}, Classify: FixerClassifier(), ClassifierID: FixerClassifierID()})
	if err != nil {
		t.Fatal(err)
	}
	st := c.Stats()
	return res.Report, st.RateLimitPoints, st.Requests
}

// TestWarmRunWithAnalysisIsFree: a re-run with analyze_failures and the
// cache kept costs 0 rate-limit points for every domain it can read (every
// request a 304, no log downloaded) and classifies the same failures the
// same way. The example's private-sandbox answers 404, which GitHub sends
// without an ETag: it costs its one point on every run.
func TestWarmRunWithAnalysisIsFree(t *testing.T) {
	t.Parallel()
	f := sharedExample(t)
	s, u := startEmulator(t, f, emulator.Options{})
	cache := t.TempDir()
	cold, coldPoints, _ := runExampleAnalyzing(t, u, f, cache)
	logs := 0
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/logs") {
			logs++
		}
	}
	if logs == 0 || coldPoints == 0 {
		t.Fatalf("cold run downloaded %d logs for %d points: nothing to cache", logs, coldPoints)
	}
	before := len(s.Requests())
	warm, warmPoints, warmRequests := runExampleAnalyzing(t, u, f, cache)
	unreadable := 0
	for _, r := range s.Requests()[before:] {
		switch {
		case r.Status == 404 && r.Path == "/repos/sparesparrow/private-sandbox":
			unreadable++
		case strings.HasSuffix(r.Path, "/logs") || r.Status != 304:
			t.Errorf("warm run sent %s %s → %d", r.Method, r.Path, r.Status)
		}
	}
	if warmPoints != int64(unreadable) || unreadable != 1 {
		t.Errorf("warm run cost %d rate-limit points, want 0 beyond the %d for the unreadable domain", warmPoints, unreadable)
	}
	if got := warm.API["classified_from_cache"]; got == nil || got.(int) == 0 {
		t.Errorf("classified_from_cache = %v after %d requests", got, warmRequests)
	}
	analyses := func(r Report) map[int64]*Analysis {
		out := map[int64]*Analysis{}
		for _, fl := range r.Failures {
			if fl.Analysis != nil {
				out[fl.JobID] = fl.Analysis
			}
		}
		return out
	}
	if diff := cmp.Diff(analyses(cold), analyses(warm)); diff != "" || len(analyses(cold)) == 0 {
		t.Errorf("warm classifications differ from the cold ones (-cold +warm):\n%s", diff)
	}
}

// TestClassifierChangeClassifiesAfresh: a cache written under another rule
// catalog, or one that is not JSON, is not reused.
func TestClassifierChangeClassifiesAfresh(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := loadClassCache(dir, "catalog-a")
	if err != nil {
		t.Fatal(err)
	}
	c.put(classKey("o/r", 1, 1), &Analysis{Category: "build"})
	if err := c.save(); err != nil {
		t.Fatal(err)
	}
	if same, _ := loadClassCache(dir, "catalog-a"); len(same.old) != 1 {
		t.Errorf("same catalog: %d cached, want 1", len(same.old))
	}
	if other, _ := loadClassCache(dir, "catalog-b"); len(other.old) != 0 {
		t.Errorf("another catalog reused %d classifications", len(other.old))
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(ClassifiedCacheFile)), []byte("{broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if broken, err := loadClassCache(dir, "catalog-a"); err == nil || len(broken.old) != 0 {
		t.Errorf("a broken cache: err %v, %d entries; want a warning and an empty cache", err, len(broken.old))
	}
}
