package ghclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// testToken is a recognisable secret: tests assert it never leaks.
const testToken = "ghs_SECRETtoken0123456789abcdef"

// sleepRecorder is a Config.Sleep that records the requested durations
// instead of waiting.
// Its clock (now) advances by every recorded sleep, so waits until a reset
// behave as if the time had passed.
type sleepRecorder struct {
	mu     sync.Mutex
	ds     []time.Duration
	offset time.Duration
}

func (s *sleepRecorder) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Now().Add(s.offset)
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.ds = append(s.ds, d)
	s.offset += d
	s.mu.Unlock()
	return nil
}

func (s *sleepRecorder) durations() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ds...)
}

// budget emulates GitHub's primary rate-limit headers: every non-304
// response costs one point.
type budget struct {
	mu    sync.Mutex
	limit int
	used  int
	reset time.Time
}

func newBudget(limit int) *budget {
	return &budget{limit: limit, reset: time.Now().Add(time.Hour).Truncate(time.Second)}
}

// spend writes the rate headers; cost 0 for a 304.
func (b *budget) spend(h http.Header, cost int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used += cost
	if b.used > b.limit {
		b.used = b.limit
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.limit-b.used))
	h.Set("X-RateLimit-Used", strconv.Itoa(b.used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

// serveETag writes v as JSON with an ETag and answers a matching
// If-None-Match with 304, like GitHub.
func serveETag(w http.ResponseWriter, r *http.Request, b *budget, v any) {
	data, _ := json.Marshal(v)
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		if b != nil {
			b.spend(w.Header(), 0)
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if b != nil {
		b.spend(w.Header(), 1)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(data)
}

// counter counts requests per "METHOD path".
type counter struct {
	mu sync.Mutex
	n  map[string]int
	h  []http.Header
}

func (c *counter) hit(r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r.Method+" "+r.URL.Path]++
	c.h = append(c.h, r.Header.Clone())
}

func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func (c *counter) headers() []http.Header {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]http.Header(nil), c.h...)
}

// newTestClient starts h on an httptest server and returns a client for it
// with a recording sleep, no keep-alives (so net/http never retries on its
// own) and deterministic defaults; mod adjusts the Config.
func newTestClient(t *testing.T, h http.Handler, mod func(*Config)) (*Client, *sleepRecorder, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rec := &sleepRecorder{}
	cfg := Config{
		Token:          testToken,
		APIURL:         srv.URL,
		Version:        "1.2.3",
		Transport:      &http.Transport{DisableKeepAlives: true},
		Sleep:          rec.sleep,
		Now:            rec.now,
		RetryBaseDelay: 100 * time.Millisecond,
		RetryMaxDelay:  time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%v) error = %v", cfg, err)
	}
	return c, rec, srv
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// repoBody is a minimal repository payload.
func repoBody(name string) map[string]any {
	return map[string]any{"id": 1, "name": name, "full_name": "o/" + name, "default_branch": "main"}
}
