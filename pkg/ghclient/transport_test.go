package ghclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// failThen answers the first n requests with status (or a dropped
// connection when status is 0), then 200.
func failThen(n int32, status int, hits *counter) http.HandlerFunc {
	var seen atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r)
		if seen.Add(1) <= n {
			if status == 0 {
				dropConnection(w)
				return
			}
			writeJSON(w, status, map[string]string{"message": http.StatusText(status)})
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, 200, map[string]any{"number": 1, "name": "r", "title": "t"})
	}
}

// dropConnection closes the connection without answering: the client sees
// EOF / connection reset and cannot know whether the request was processed.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

func TestRetry_idempotentOn5xxAndConnectionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int // 0 = dropped connection
	}{
		{"status_500", 500},
		{"status_502", 502},
		{"status_503", 503},
		{"status_504", 504},
		{"connection_dropped", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits counter
			c, rec, _ := newTestClient(t, failThen(3, tt.status, &hits), nil)
			if _, _, err := c.Repositories.Get(context.Background(), "o", "r"); err != nil {
				t.Fatalf("Repositories.Get() error = %v, want success after retries", err)
			}
			if n := hits.get("GET /repos/o/r"); n != 4 {
				t.Errorf("server saw %d requests, want 4", n)
			}
			st := c.Stats()
			if st.Retries != 3 || st.Requests != 4 {
				t.Errorf("Stats retries=%d requests=%d, want 3 and 4", st.Retries, st.Requests)
			}
			if got := len(rec.durations()); got != 3 {
				t.Errorf("slept %d times, want 3", got)
			}
		})
	}
}

func TestRetry_exhaustedReturnsLastResponse(t *testing.T) {
	t.Parallel()
	var hits counter
	c, _, _ := newTestClient(t, failThen(100, 503, &hits), func(cfg *Config) { cfg.MaxRetries = 2 })
	_, resp, err := c.Repositories.Get(context.Background(), "o", "r")
	var er *github.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != 503 {
		t.Fatalf("error = %v, want *github.ErrorResponse 503", err)
	}
	if n := hits.get("GET /repos/o/r"); n != 3 {
		t.Errorf("server saw %d requests, want 3 (1 + MaxRetries 2)", n)
	}
}

func TestRetry_disabled(t *testing.T) {
	t.Parallel()
	var hits counter
	c, _, _ := newTestClient(t, failThen(100, 502, &hits), func(cfg *Config) { cfg.MaxRetries = -1 })
	_, _, _ = c.Repositories.Get(context.Background(), "o", "r")
	if n := hits.get("GET /repos/o/r"); n != 1 {
		t.Errorf("server saw %d requests, want 1 with MaxRetries -1", n)
	}
}

func TestRetry_backoffCeilings(t *testing.T) {
	t.Parallel()
	var hits counter
	// Jitter returning its maximum shows the exponential ceilings exactly.
	c, rec, _ := newTestClient(t, failThen(4, 502, &hits), func(cfg *Config) {
		cfg.RetryBaseDelay = 100 * time.Millisecond
		cfg.RetryMaxDelay = 500 * time.Millisecond
		cfg.Jitter = func(n int64) int64 { return n - 1 }
	})
	if _, _, err := c.Repositories.Get(context.Background(), "o", "r"); err != nil {
		t.Fatalf("Repositories.Get() error = %v", err)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond}
	if diff := cmp.Diff(want, rec.durations()); diff != "" {
		t.Errorf("backoff durations mismatch (-want +got):\n%s", diff)
	}
	if got := c.Stats().WaitSeconds; got < 1.19 || got > 1.21 {
		t.Errorf("WaitSeconds = %v, want 1.2", got)
	}
}

func TestRetry_fullJitterBounds(t *testing.T) {
	t.Parallel()
	base, maxDelay := 100*time.Millisecond, 800*time.Millisecond
	tr := &transport{baseDelay: base, maxDelay: maxDelay, jitter: defaultJitter}
	distinct := map[time.Duration]bool{}
	for i := 0; i < 200; i++ {
		for attempt := 0; attempt < 6; attempt++ {
			d := tr.backoff(attempt)
			ceiling := min(base<<attempt, maxDelay)
			if d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", attempt, d, ceiling)
			}
			distinct[d] = true
		}
	}
	if len(distinct) < 100 {
		t.Errorf("only %d distinct backoffs in 1200 draws: jitter is not random", len(distinct))
	}
}

func TestRetry_postPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int // 0 = dropped connection
		wantHits int
		wantErr  bool
	}{
		// A gateway's 502/503/504 can come after GitHub applied the
		// write (the answer was lost on the way back): no blind resend.
		{"dropped_connection_not_retried", 0, 1, true},
		{"status_500_not_retried", 500, 1, true},
		{"status_502_not_retried", 502, 1, true},
		{"status_503_not_retried", 503, 1, true},
		{"status_504_not_retried", 504, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits counter
			c, _, _ := newTestClient(t, failThen(1, tt.status, &hits), nil)
			issue, _, err := c.Issues.Create(context.Background(), "o", "r", &github.IssueRequest{Title: github.String("t")})
			if (err != nil) != tt.wantErr {
				t.Fatalf("Issues.Create() error = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && issue.GetTitle() != "t" {
				t.Errorf("title = %q, want t", issue.GetTitle())
			}
			if n := hits.get("POST /repos/o/r/issues"); n != tt.wantHits {
				t.Errorf("server saw %d POSTs, want %d", n, tt.wantHits)
			}
		})
	}
}

// TestRetry_noServerErrorRetry: a POST made with NoServerErrorRetry is
// returned on its first 502 (the caller checks whether it was applied
// before sending it again).
func TestRetry_noServerErrorRetry(t *testing.T) {
	t.Parallel()
	var hits counter
	c, _, _ := newTestClient(t, failThen(1, 502, &hits), nil)
	_, _, err := c.Issues.Create(NoServerErrorRetry(context.Background()), "o", "r", &github.IssueRequest{Title: github.String("t")})
	if StatusCode(err) != 502 {
		t.Fatalf("err = %v, want the 502", err)
	}
	if n := hits.get("POST /repos/o/r/issues"); n != 1 {
		t.Errorf("server saw %d POSTs, want 1", n)
	}
}

func TestRetry_bodyReplayed(t *testing.T) {
	t.Parallel()
	var bodies []string
	var n atomic.Int32
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b)) // requests are sequential
		if n.Add(1) == 1 {
			writeJSON(w, 503, map[string]string{"message": "unavailable"})
			return
		}
		writeJSON(w, 200, []map[string]any{{"name": "bug"}})
	}), nil)
	// PUT is idempotent, so it is resent, body and all.
	if _, _, err := c.Issues.ReplaceLabelsForIssue(context.Background(), "o", "r", 1, []string{"bug"}); err != nil {
		t.Fatalf("Issues.ReplaceLabelsForIssue() error = %v", err)
	}
	want := []string{"[\"bug\"]\n", "[\"bug\"]\n"}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("bodies mismatch (-want +got):\n%s", diff)
	}
}

func TestRetryableError_dialErrorsRetriedForPost(t *testing.T) {
	t.Parallel()
	c, err := New(Config{
		APIURL:    "http://127.0.0.1:1", // nothing listens: connection refused at dial
		Sleep:     (&sleepRecorder{}).sleep,
		Transport: &http.Transport{DisableKeepAlives: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Issues.Create(context.Background(), "o", "r", &github.IssueRequest{Title: github.String("t")})
	if err == nil {
		t.Fatal("Issues.Create() error = nil, want connection refused")
	}
	if got := c.Stats().Requests; got != 1+DefaultMaxRetries {
		t.Errorf("requests = %d, want %d: a refused dial never reached GitHub, so POST is retried", got, 1+DefaultMaxRetries)
	}
}

// secondaryBody is GitHub's secondary-limit error body.
var secondaryBody = map[string]string{
	"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
	"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
}

func TestSecondaryLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		retryAfter string
		body       map[string]string
		method     string
		wantSleep  time.Duration
	}{
		{"forbidden_retry_after", 403, "7", secondaryBody, "GET", 7 * time.Second},
		{"too_many_requests_retry_after", 429, "3", nil, "GET", 3 * time.Second},
		{"forbidden_no_retry_after_waits_a_minute", 403, "", secondaryBody, "GET", time.Minute},
		{"abuse_documentation_url", 403, "", map[string]string{"message": "abuse", "documentation_url": "https://docs.github.com/rest#abuse-rate-limits"}, "GET", time.Minute},
		{"post_retried_after_secondary", 403, "2", secondaryBody, "POST", 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits counter
			var n atomic.Int32
			c, rec, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.hit(r)
				if n.Add(1) == 1 {
					if tt.retryAfter != "" {
						w.Header().Set("Retry-After", tt.retryAfter)
					}
					writeJSON(w, tt.status, tt.body)
					return
				}
				writeJSON(w, 200, map[string]any{"number": 1, "name": "r"})
			}), nil)
			var err error
			if tt.method == "POST" {
				_, _, err = c.Issues.Create(context.Background(), "o", "r", &github.IssueRequest{Title: github.String("t")})
			} else {
				_, _, err = c.Repositories.Get(context.Background(), "o", "r")
			}
			if err != nil {
				t.Fatalf("request error = %v, want success after waiting", err)
			}
			if diff := cmp.Diff([]time.Duration{tt.wantSleep}, rec.durations()); diff != "" {
				t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
			}
			st := c.Stats()
			if st.SecondaryWaits != 1 || st.Retries != 1 {
				t.Errorf("secondary_waits=%d retries=%d, want 1 and 1", st.SecondaryWaits, st.Retries)
			}
		})
	}
}

func TestSecondaryLimit_beyondMaxWaitStops(t *testing.T) {
	t.Parallel()
	var hits counter
	c, rec, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r)
		w.Header().Set("Retry-After", "600")
		writeJSON(w, 403, secondaryBody)
	}), func(cfg *Config) { cfg.MaxWait = time.Minute })
	_, _, err := c.Repositories.Get(context.Background(), "o", "r")
	var stop *RateLimitStopError
	if !errors.As(err, &stop) || !stop.Secondary || !stop.Sent {
		t.Fatalf("error = %v, want secondary *RateLimitStopError", err)
	}
	if !IsRateLimitStop(err) {
		t.Error("IsRateLimitStop() = false")
	}
	if len(rec.durations()) != 0 || hits.get("GET /repos/o/r") != 1 {
		t.Errorf("slept %v and sent %d, want no sleep and 1 request", rec.durations(), hits.get("GET /repos/o/r"))
	}
}

// primaryLimited answers 403 with Remaining 0 until released.
func primaryLimited(reset time.Time, limitedFor int32, hits *counter) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r)
		h := w.Header()
		h.Set("X-RateLimit-Limit", "1000")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		h.Set("X-RateLimit-Resource", "core")
		if n.Add(1) <= limitedFor {
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Used", "1000")
			writeJSON(w, 403, map[string]string{"message": "API rate limit exceeded for installation ID 1.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-rate-limits"})
			return
		}
		h.Set("X-RateLimit-Remaining", "999")
		h.Set("X-RateLimit-Used", "1")
		writeJSON(w, 200, repoBody("r"))
	}
}

func TestPrimaryLimit_policies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		policy    string
		resetIn   time.Duration
		maxWait   time.Duration
		wantStop  bool
		wantSleep bool
	}{
		{"wait_within_max_wait", PolicyWait, 30 * time.Second, time.Minute, false, true},
		{"wait_beyond_max_wait_stops", PolicyWait, 30 * time.Minute, time.Minute, true, false},
		{"stop_never_waits", PolicyStop, 30 * time.Second, time.Hour, true, false},
		{"default_policy_is_wait", "", 30 * time.Second, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits counter
			reset := time.Now().Add(tt.resetIn)
			c, rec, _ := newTestClient(t, primaryLimited(reset, 1, &hits), func(cfg *Config) {
				cfg.RateLimitPolicy = tt.policy
				cfg.MaxWait = tt.maxWait
			})
			_, _, err := c.Repositories.Get(context.Background(), "o", "r")
			if tt.wantStop {
				var stop *RateLimitStopError
				if !errors.As(err, &stop) || stop.Secondary || !IsRateLimitStop(err) {
					t.Fatalf("error = %v, want primary *RateLimitStopError", err)
				}
				if !stop.Reset.Equal(time.Unix(reset.Unix(), 0)) {
					t.Errorf("Reset = %v, want %v", stop.Reset, reset)
				}
				if c.Stats().RateLimitStops != 1 {
					t.Errorf("rate_limit_stops = %d, want 1", c.Stats().RateLimitStops)
				}
			} else if err != nil {
				t.Fatalf("error = %v, want success after waiting for the reset", err)
			}
			ds := rec.durations()
			if !tt.wantSleep {
				if len(ds) != 0 {
					t.Errorf("slept %v, want no sleep", ds)
				}
				return
			}
			if len(ds) != 1 || ds[0] < tt.resetIn-2*time.Second || ds[0] > tt.resetIn+2*time.Second {
				t.Errorf("slept %v, want one wait of about %v", ds, tt.resetIn)
			}
			if c.Stats().PrimaryWaits != 1 {
				t.Errorf("primary_waits = %d, want 1", c.Stats().PrimaryWaits)
			}
		})
	}
}

// TestPrimaryLimit_preemptive: after a 200 reporting Remaining 0, the next
// request is not sent under "stop" and waits for the reset under "wait",
// even though go-github's own bookkeeping would have refused it.
func TestPrimaryLimit_preemptive(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{PolicyStop, PolicyWait} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			var hits counter
			reset := time.Now().Add(20 * time.Second)
			var n atomic.Int32
			c, rec, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.hit(r)
				h := w.Header()
				h.Set("X-RateLimit-Limit", "10")
				h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
				if n.Add(1) == 1 {
					h.Set("X-RateLimit-Remaining", "0")
				} else {
					h.Set("X-RateLimit-Remaining", "9")
				}
				writeJSON(w, 200, repoBody("r"))
			}), func(cfg *Config) { cfg.RateLimitPolicy = policy })
			ctx := context.Background()
			if _, _, err := c.Repositories.Get(ctx, "o", "r"); err != nil {
				t.Fatalf("first Get() error = %v", err)
			}
			_, _, err := c.Repositories.Get(ctx, "o", "r")
			switch policy {
			case PolicyStop:
				var stop *RateLimitStopError
				if !errors.As(err, &stop) || stop.Sent {
					t.Fatalf("second Get() error = %v, want unsent *RateLimitStopError", err)
				}
				if got := hits.get("GET /repos/o/r"); got != 1 {
					t.Errorf("server saw %d requests, want 1 (second refused before sending)", got)
				}
			case PolicyWait:
				if err != nil {
					t.Fatalf("second Get() error = %v, want success after waiting", err)
				}
				if got := hits.get("GET /repos/o/r"); got != 2 {
					t.Errorf("server saw %d requests, want 2", got)
				}
				if ds := rec.durations(); len(ds) != 1 || ds[0] < 18*time.Second || ds[0] > 22*time.Second {
					t.Errorf("slept %v, want one wait of about 20s", ds)
				}
			}
		})
	}
}

func TestWait_respectsContextCancellation(t *testing.T) {
	t.Parallel()
	var hits counter
	ctx, cancel := context.WithCancel(context.Background())
	c, _, _ := newTestClient(t, failThen(100, 503, &hits), func(cfg *Config) {
		cfg.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel()
			return SleepContext(ctx, d)
		}
	})
	_, _, err := c.Repositories.Get(ctx, "o", "r")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if n := hits.get("GET /repos/o/r"); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestSleepContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := SleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("SleepContext(cancelled, 1h) = %v, want context.Canceled", err)
	}
	if err := SleepContext(context.Background(), time.Millisecond); err != nil {
		t.Errorf("SleepContext(1ms) = %v", err)
	}
}

// TestSecondaryLimit_pausesOtherRequests: once one request hits a secondary
// limit, the next request waits for the same Retry-After window instead of
// hammering GitHub (the clock here does not advance).
func TestSecondaryLimit_pausesOtherRequests(t *testing.T) {
	t.Parallel()
	var hits counter
	var n atomic.Int32
	frozen := time.Now()
	c, rec, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r)
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "10")
			writeJSON(w, 403, secondaryBody)
			return
		}
		writeJSON(w, 200, repoBody("r"))
	}), func(cfg *Config) { cfg.Now = func() time.Time { return frozen } })
	ctx := context.Background()
	if _, _, err := c.Repositories.Get(ctx, "o", "a"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Repositories.Get(ctx, "o", "b"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{10 * time.Second, 10 * time.Second}, rec.durations()); diff != "" {
		t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
	}
	if st := c.Stats(); st.SecondaryWaits != 2 {
		t.Errorf("secondary_waits = %d, want 2", st.SecondaryWaits)
	}
}

func TestRetryableError(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	tests := []struct {
		name      string
		err       error
		get, post bool
	}{
		{"dial_refused_never_sent", dial, true, true},
		{"dns_temporary", &net.DNSError{Err: "server misbehaving", IsTemporary: true}, true, true},
		{"dns_not_found", &net.DNSError{Err: "no such host", IsNotFound: true}, false, false},
		{"connection_reset_after_write", reset, true, false},
		{"eof", &url.Error{Op: "Get", URL: "x", Err: io.EOF}, true, false},
		{"unexpected_eof", io.ErrUnexpectedEOF, true, false},
		{"timeout", &url.Error{Op: "Get", URL: "x", Err: context.DeadlineExceeded}, true, false},
		{"cancelled", &url.Error{Op: "Get", URL: "x", Err: context.Canceled}, false, false},
		{"other", errors.New("tls: bad certificate"), false, false},
	}
	req := func(method, path, body string) *http.Request {
		r, err := http.NewRequest(method, "https://api.github.com"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, tt := range tests {
		if got := retryableError(req("GET", "/repos/o/r", ""), tt.err); got != tt.get {
			t.Errorf("%s: retryableError(GET) = %v, want %v", tt.name, got, tt.get)
		}
		if got := retryableError(req("POST", "/repos/o/r/issues", `{"title":"t"}`), tt.err); got != tt.post {
			t.Errorf("%s: retryableError(POST) = %v, want %v", tt.name, got, tt.post)
		}
		if got := retryableError(req("PATCH", "/repos/o/r/issues/1", `{"body":"b"}`), tt.err); got != tt.post {
			t.Errorf("%s: retryableError(PATCH) = %v, want %v", tt.name, got, tt.post)
		}
		// A GraphQL query is a read, a mutation is a write.
		if got := retryableError(req("POST", "/graphql", `{"query":"query{viewer{login}}"}`), tt.err); got != tt.get {
			t.Errorf("%s: retryableError(POST /graphql query) = %v, want %v", tt.name, got, tt.get)
		}
		if got := retryableError(req("POST", "/graphql", `{"query":"mutation{addComment(input:{}){clientMutationId}}"}`), tt.err); got != tt.post {
			t.Errorf("%s: retryableError(POST /graphql mutation) = %v, want %v", tt.name, got, tt.post)
		}
	}
}
