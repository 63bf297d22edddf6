package ghclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// etagServer serves /repos/o/{name} with ETags and a rate budget, counting
// conditional requests.
type etagServer struct {
	budget *budget
	hits   counter
	mu     sync.Mutex
	names  map[string]string // repo name -> description (changes the ETag)
}

func newETagServer() *etagServer {
	return &etagServer{budget: newBudget(5000), names: map[string]string{}}
}

func (s *etagServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hits.hit(r)
	name := strings.TrimPrefix(r.URL.Path, "/repos/o/")
	s.mu.Lock()
	desc := s.names[name]
	s.mu.Unlock()
	body := repoBody(name)
	body["description"] = desc
	serveETag(w, r, s.budget, body)
}

func (s *etagServer) setDescription(name, desc string) {
	s.mu.Lock()
	s.names[name] = desc
	s.mu.Unlock()
}

func TestETag_304ServedAsCached200(t *testing.T) {
	t.Parallel()
	srv := newETagServer()
	c, _, _ := newTestClient(t, srv, nil)
	ctx := context.Background()

	first, _, err := c.Repositories.Get(ctx, "o", "r")
	if err != nil {
		t.Fatalf("first Get() error = %v", err)
	}
	second, resp, err := c.Repositories.Get(ctx, "o", "r")
	if err != nil {
		t.Fatalf("second Get() error = %v (a 304 must not surface as an error)", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("cached result differs (-first +second):\n%s", diff)
	}
	if resp.StatusCode != 200 || resp.Header.Get(HeaderRevalidated) != "304" {
		t.Errorf("status %d, %s=%q; want 200 revalidated by 304", resp.StatusCode, HeaderRevalidated, resp.Header.Get(HeaderRevalidated))
	}
	if resp.Rate.Limit != 5000 || resp.Rate.Remaining != 4999 {
		t.Errorf("resp.Rate = %+v, want the current budget (5000, 4999)", resp.Rate)
	}
	hs := srv.hits.headers()
	if len(hs) != 2 || hs[0].Get("If-None-Match") != "" || hs[1].Get("If-None-Match") == "" {
		t.Fatalf("If-None-Match sent %q then %q, want none then the ETag", hs[0].Get("If-None-Match"), hs[1].Get("If-None-Match"))
	}
	st := c.Stats()
	if st.Requests != 2 || st.NotModified != 1 || st.RateLimitPoints != 1 {
		t.Errorf("stats requests=%d not_modified=%d points=%d, want 2, 1, 1", st.Requests, st.NotModified, st.RateLimitPoints)
	}

	// A change on the server gives a new 200 and updates the cache.
	srv.setDescription("r", "changed")
	third, _, err := c.Repositories.Get(ctx, "o", "r")
	if err != nil || third.GetDescription() != "changed" {
		t.Fatalf("third Get() = %q, %v; want the changed description", third.GetDescription(), err)
	}
	fourth, _, err := c.Repositories.Get(ctx, "o", "r")
	if err != nil || fourth.GetDescription() != "changed" {
		t.Fatalf("fourth Get() = %q, %v; want the changed description from cache", fourth.GetDescription(), err)
	}
	if st := c.Stats(); st.NotModified != 2 || st.RateLimitPoints != 2 {
		t.Errorf("stats not_modified=%d points=%d, want 2 and 2", st.NotModified, st.RateLimitPoints)
	}
}

func TestETag_callerConditionalPassesThrough(t *testing.T) {
	t.Parallel()
	srv := newETagServer()
	c, _, _ := newTestClient(t, srv, nil)
	ctx := context.Background()
	_, resp, err := c.Repositories.Get(ctx, "o", "r")
	if err != nil {
		t.Fatal(err)
	}
	req, err := c.NewRequest("GET", "repos/o/r", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp2, err := c.Do(ctx, req, nil)
	if resp2 == nil || resp2.StatusCode != http.StatusNotModified {
		t.Errorf("caller's own conditional request: status %v, err %v; want the 304 passed through", resp2, err)
	}
}

func TestETag_diskCacheSurvivesNewClient(t *testing.T) {
	t.Parallel()
	srv := newETagServer()
	dir := filepath.Join(t.TempDir(), "ghcache")
	ctx := context.Background()

	// All clients talk to the same server, as successive workflow runs do.
	ts := newSharedServer(t, srv)
	runShared := func(token string) Stats {
		c, err := New(Config{Token: token, APIURL: ts, CacheDir: dir, Transport: &http.Transport{DisableKeepAlives: true}})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"a", "b", "c"} {
			repo, _, err := c.Repositories.Get(ctx, "o", name)
			if err != nil || repo.GetName() != name {
				t.Fatalf("Get(%s) = %q, %v", name, repo.GetName(), err)
			}
		}
		return c.Stats()
	}

	cold := runShared(testToken)
	warm := runShared(testToken) // a new process after actions/cache restored dir
	other := runShared("ghs_anotherIdentity")

	got := []Stats{cold, warm, other}
	want := []Stats{
		{Requests: 3, NotModified: 0, RateLimitPoints: 3},
		{Requests: 3, NotModified: 3, RateLimitPoints: 0},
		{Requests: 3, NotModified: 0, RateLimitPoints: 3}, // another token never reuses the entries
	}
	pick := func(s Stats) Stats {
		return Stats{Requests: s.Requests, NotModified: s.NotModified, RateLimitPoints: s.RateLimitPoints}
	}
	for i := range got {
		if diff := cmp.Diff(want[i], pick(got[i])); diff != "" {
			t.Errorf("run %d stats mismatch (-want +got):\n%s", i, diff)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 {
		t.Errorf("cache dir has %d files, want 6 (3 per identity, no temp files left)", len(entries))
	}
}

// newSharedServer starts h and returns its URL.
func newSharedServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestETag_cacheNeverContainsToken(t *testing.T) {
	t.Parallel()
	srv := newETagServer()
	dir := t.TempDir()
	c, _, _ := newTestClient(t, srv, func(cfg *Config) { cfg.CacheDir = dir })
	if _, _, err := c.Repositories.Get(context.Background(), "o", "r"); err != nil {
		t.Fatal(err)
	}
	key := cacheKey("http://x/repos/o/r", "application/vnd.github.v3+json", tokenFingerprint(testToken))
	if strings.Contains(key, testToken) || strings.Contains(tokenFingerprint(testToken), testToken) {
		t.Errorf("cache key %q contains the token", key)
	}
	if tokenFingerprint(testToken) == tokenFingerprint("other") {
		t.Error("different tokens share a fingerprint")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 {
		t.Fatalf("cache files = %v, want 1", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(f, testToken) || strings.Contains(string(data), testToken) || strings.Contains(string(data), "Bearer") {
			t.Errorf("cache file %s contains the token or an Authorization header", f)
		}
		var e cacheEntry
		if err := json.Unmarshal(data, &e); err != nil || e.Version != cacheFormatVersion {
			t.Errorf("cache file %s: version %d, err %v; want version %d", f, e.Version, err, cacheFormatVersion)
		}
		for k := range e.Header {
			if isRateHeader(k) {
				t.Errorf("cache file stores rate header %s", k)
			}
		}
	}
}

func TestETag_corruptOrForeignEntriesIgnored(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		corrupt func(e *cacheEntry, path string)
	}{
		{"garbage", func(_ *cacheEntry, path string) { _ = os.WriteFile(path, []byte("{not json"), 0o600) }},
		{"truncated", func(_ *cacheEntry, path string) {
			data, _ := os.ReadFile(path)
			_ = os.WriteFile(path, data[:len(data)/2], 0o600)
		}},
		{"future_version", func(e *cacheEntry, path string) { e.Version = 99; writeEntry(path, e) }},
		{"other_url", func(e *cacheEntry, path string) { e.URL = "http://elsewhere/repos/o/r"; writeEntry(path, e) }},
		{"empty_etag", func(e *cacheEntry, path string) { e.ETag = ""; writeEntry(path, e) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newETagServer()
			dir := t.TempDir()
			url := newSharedServer(t, srv)
			newClient := func() *Client {
				c, err := New(Config{Token: testToken, APIURL: url, CacheDir: dir, Transport: &http.Transport{DisableKeepAlives: true}})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			if _, _, err := newClient().Repositories.Get(context.Background(), "o", "r"); err != nil {
				t.Fatal(err)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
			if len(files) != 1 {
				t.Fatalf("cache files = %v, want 1", files)
			}
			var e cacheEntry
			data, _ := os.ReadFile(files[0])
			_ = json.Unmarshal(data, &e)
			tt.corrupt(&e, files[0])

			c := newClient()
			repo, _, err := c.Repositories.Get(context.Background(), "o", "r")
			if err != nil || repo.GetName() != "r" {
				t.Fatalf("Get() after corruption = %q, %v; want a normal result", repo.GetName(), err)
			}
			if st := c.Stats(); st.NotModified != 0 {
				t.Errorf("not_modified = %d, want 0: the bad entry must not be used", st.NotModified)
			}
			// The entry was rewritten: a third client revalidates again.
			c3 := newClient()
			if _, _, err := c3.Repositories.Get(context.Background(), "o", "r"); err != nil {
				t.Fatal(err)
			}
			if st := c3.Stats(); st.NotModified != 1 {
				t.Errorf("after rewrite not_modified = %d, want 1", st.NotModified)
			}
		})
	}
}

func writeEntry(path string, e *cacheEntry) {
	data, _ := json.Marshal(e)
	_ = os.WriteFile(path, data, 0o600)
}

func TestETag_unwritableCacheDirStillWorks(t *testing.T) {
	t.Parallel()
	srv := newETagServer()
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, _ := newTestClient(t, srv, func(cfg *Config) { cfg.CacheDir = filepath.Join(file, "sub") })
	for i := 0; i < 2; i++ {
		if _, _, err := c.Repositories.Get(context.Background(), "o", "r"); err != nil {
			t.Fatalf("Get() error = %v", err)
		}
	}
	st := c.Stats()
	if st.CacheWriteErrors != 1 || st.NotModified != 1 {
		t.Errorf("cache_write_errors=%d not_modified=%d, want 1 and 1 (memory cache still used)", st.CacheWriteErrors, st.NotModified)
	}
}

func TestETag_notFoundForgetsEntry(t *testing.T) {
	t.Parallel()
	var gone bool
	var mu sync.Mutex
	b := newBudget(100)
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		g := gone
		mu.Unlock()
		if g {
			writeJSON(w, 404, map[string]string{"message": "Not Found"})
			return
		}
		serveETag(w, r, b, repoBody("r"))
	}), nil)
	ctx := context.Background()
	if _, _, err := c.Repositories.Get(ctx, "o", "r"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	gone = true
	mu.Unlock()
	_, _, err := c.Repositories.Get(ctx, "o", "r")
	if !IsNotFound(err) {
		t.Fatalf("Get() error = %v, want 404", err)
	}
	if n := c.Stats().CacheEntries; n != 0 {
		t.Errorf("cache_entries = %d after 404, want 0", n)
	}
}

func TestETag_concurrentClientsRace(t *testing.T) {
	t.Parallel()
	srv := newETagServer()
	dir := t.TempDir()
	c, _, _ := newTestClient(t, srv, func(cfg *Config) {
		cfg.CacheDir = dir
		cfg.Transport = nil // real pooled transport, 8 concurrent workers
	})
	const workers, perWorker = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				name := []string{"a", "b", "c", "d", "e"}[i%5]
				repo, _, err := c.Repositories.Get(context.Background(), "o", name)
				if err == nil && repo.GetName() != name {
					err = &github.ErrorResponse{Message: "wrong repo " + repo.GetName()}
				}
				if err != nil {
					errs <- err
				}
				_ = c.Stats()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Get() error = %v", err)
	}
	st := c.Stats()
	total := int64(workers * perWorker)
	if st.Requests != total {
		t.Errorf("requests = %d, want %d", st.Requests, total)
	}
	// Each of the 5 URLs costs at least one 200 (several may race before the
	// first ETag is stored); everything else is a 304.
	if st.NotModified+st.RateLimitPoints != total || st.RateLimitPoints < 5 || st.RateLimitPoints > 5*workers {
		t.Errorf("not_modified=%d points=%d, want them to sum to %d with 5..%d points", st.NotModified, st.RateLimitPoints, total, 5*workers)
	}
	srv.budget.mu.Lock()
	used := srv.budget.used
	srv.budget.mu.Unlock()
	if int64(used) != st.RateLimitPoints {
		t.Errorf("points counted %d, server charged %d", st.RateLimitPoints, used)
	}
}

func TestPruneCache(t *testing.T) {
	t.Parallel()
	srv := newETagServer()
	dir := t.TempDir()
	c, _, _ := newTestClient(t, srv, func(cfg *Config) { cfg.CacheDir = dir })
	ctx := context.Background()
	for _, name := range []string{"used", "unused"} {
		if _, _, err := c.Repositories.Get(ctx, "o", name); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	stray := filepath.Join(dir, ".tmp-123")
	_ = os.WriteFile(stray, []byte("x"), 0o600)
	_ = os.Chtimes(stray, old, old)
	keep := filepath.Join(dir, "README")
	_ = os.WriteFile(keep, []byte("not ours"), 0o600)
	_ = os.Chtimes(keep, old, old)

	// Revalidating "used" marks it as used now.
	if _, _, err := c.Repositories.Get(ctx, "o", "used"); err != nil {
		t.Fatal(err)
	}
	removed, err := PruneCache(dir, 24*time.Hour)
	if err != nil || removed != 2 {
		t.Fatalf("PruneCache() = %d, %v; want 2 removed (unused entry, stray temp file)", removed, err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 2 {
		t.Errorf("left %v, want the used entry and README", left)
	}
	if n, err := PruneCache(filepath.Join(dir, "missing"), time.Hour); n != 0 || err != nil {
		t.Errorf("PruneCache(missing) = %d, %v; want 0, nil", n, err)
	}
}

func TestNewPrunesCacheDir(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		maxAge      time.Duration
		fileAge     time.Duration
		wantPruned  int
		wantSurvive bool
	}{
		{name: "default_keeps_a_recent_entry", fileAge: 6 * 24 * time.Hour, wantSurvive: true},
		{name: "default_removes_an_entry_unused_for_8_days", fileAge: 8 * 24 * time.Hour, wantPruned: 1},
		{name: "custom_max_age", maxAge: time.Hour, fileAge: 2 * time.Hour, wantPruned: 1},
		{name: "negative_never_prunes", maxAge: -1, fileAge: 365 * 24 * time.Hour, wantSurvive: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			entry := filepath.Join(dir, strings.Repeat("a", 64)+".json")
			if err := os.WriteFile(entry, []byte("{}"), 0o600); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-tc.fileAge)
			if err := os.Chtimes(entry, old, old); err != nil {
				t.Fatal(err)
			}
			c, err := New(Config{CacheDir: dir, CacheMaxAge: tc.maxAge})
			if err != nil {
				t.Fatal(err)
			}
			_, statErr := os.Stat(entry)
			if survived := statErr == nil; survived != tc.wantSurvive {
				t.Errorf("entry survived = %v, want %v", survived, tc.wantSurvive)
			}
			if st := c.Stats(); st.CachePruned != tc.wantPruned || st.CacheWriteErrors != 0 {
				t.Errorf("Stats: cache_pruned=%d cache_write_errors=%d, want %d and 0", st.CachePruned, st.CacheWriteErrors, tc.wantPruned)
			}
		})
	}
}

// TestPruneCache_onlyItsOwnFiles: cache_dir may be a directory the user
// keeps other files in (the workspace root, a tool's cache). Pruning
// removes only files the cache wrote (a <sha256>.json entry, a temporary
// file of its own), however old the others are.
func TestPruneCache_onlyItsOwnFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := time.Now().Add(-30 * 24 * time.Hour)
	write := func(name string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(`{"name":"mine"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ours := []string{write(strings.Repeat("0123456789abcdef", 4) + ".json"), write(cacheTempPrefix + "123456")}
	theirs := []string{
		write("package.json"), write("tsconfig.json"), write(strings.Repeat("a", 63) + ".json"),
		write(strings.Repeat("A", 64) + ".json"), write(".tmp-notes"), write("stale/cursor.json"),
		write(".tmp-"), write(strings.Repeat("a", 64) + ".json.bak"),
	}
	removed, err := PruneCache(dir, 7*24*time.Hour)
	if err != nil || removed != len(ours) {
		t.Errorf("PruneCache() = %d, %v; want %d removed", removed, err, len(ours))
	}
	for _, p := range ours {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s survived: the cache wrote it", filepath.Base(p))
		}
	}
	for _, p := range theirs {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed, but the cache never wrote it: %v", p, err)
		}
	}
}
