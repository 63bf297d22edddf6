package ghclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Header names the transport sets on responses it hands to go-github.
const (
	// HeaderFromCache is go-github's signal (from gregjones/httpcache) that a
	// response must not update its rate-limit bookkeeping. The transport sets
	// it on responses served from the ETag cache and on every response that
	// reports X-RateLimit-Remaining: 0, so go-github does not refuse later
	// requests on its own and RateLimitPolicy stays the single authority.
	HeaderFromCache = "X-From-Cache"
	// HeaderRevalidated is set to "304" on a response rebuilt from the ETag
	// cache after GitHub answered 304 Not Modified.
	HeaderRevalidated = "X-Ghclient-Revalidated"
)

// defaultSecondaryWait is the wait for a secondary limit that names no
// Retry-After (GitHub: "wait at least one minute").
const defaultSecondaryWait = time.Minute

// resetBuffer is added to waits until X-RateLimit-Reset (epoch seconds,
// rounded down, and clocks differ).
const resetBuffer = time.Second

// maxErrorPeek bounds how much of a 403/429 body is read to classify it.
const maxErrorPeek = 64 << 10

// transport is the RoundTripper stack: authentication, ETag revalidation,
// retries, rate-limit policy and accounting, in one place so each decision
// sees the others (a 304 is never retried, a retry is never cached twice).
// It is safe for concurrent use.
type transport struct {
	base       http.RoundTripper
	apiHosts   map[string]bool
	authHeader string
	userAgent  string
	tokenFP    string
	policy     string
	maxWait    time.Duration
	maxRetries int
	baseDelay  time.Duration
	maxDelay   time.Duration
	sleep      func(context.Context, time.Duration) error
	now        func() time.Time
	jitter     func(n int64) int64
	cache      *etagCache
	acct       *accounting

	// pauseMu guards pausedUntil: after a secondary limit every request
	// (not only the one that hit it) holds off until then, as GitHub asks.
	pauseMu     sync.Mutex
	pausedUntil time.Time
}

// isIdempotent reports whether a request may be resent after an ambiguous
// failure (RFC 9110 §9.2.2).
func isIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// replaySafe reports whether the transport may send req again after an
// answer that does not say whether it was applied (a 5xx, a connection
// reset): idempotent methods, and POST /graphql with a query (a read; a
// mutation is not). A POST or PATCH is never resent blindly: a gateway
// answers 502/503/504 for writes GitHub did apply, and a comment, issue or
// dispatch sent twice is worse than one error the caller checks before
// its own retry.
func replaySafe(req *http.Request) bool {
	if isIdempotent(req.Method) {
		return true
	}
	return req.Method == http.MethodPost && isGraphQLQuery(req)
}

// isGraphQLQuery reports whether req is a POST to a GraphQL endpoint whose
// document is a query (anonymous "{…}" or "query …"), not a mutation.
func isGraphQLQuery(req *http.Request) bool {
	if !strings.HasSuffix(strings.TrimSuffix(req.URL.Path, "/"), "/graphql") || req.GetBody == nil {
		return false
	}
	body, err := req.GetBody()
	if err != nil {
		return false
	}
	defer body.Close()
	var doc struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 1<<20)).Decode(&doc); err != nil {
		return false
	}
	q := strings.TrimSpace(doc.Query)
	return strings.HasPrefix(q, "{") || strings.HasPrefix(q, "query") && !strings.Contains(q, "mutation")
}

type noServerErrorRetryKey struct{}

// NoServerErrorRetry marks the requests made with the returned context as
// ones whose retry after a 5xx the caller makes itself, whatever their
// method. POST and PATCH are never resent after a 5xx or a reset anyway
// (see replaySafe); this extends that to idempotent requests a caller
// checks itself. Rate limits are still waited out.
func NoServerErrorRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noServerErrorRetryKey{}, true)
}

// resourceFor guesses the rate-limit resource of a request from its path,
// like go-github's GetRateLimitCategory; the response's
// X-RateLimit-Resource header overrides it.
func resourceFor(path string) string {
	p := strings.TrimSuffix(path, "/")
	switch {
	case strings.HasSuffix(p, "/search/code") || strings.Contains(p, "/search/code/"):
		return "code_search"
	case strings.Contains(p, "/search/"):
		return "search"
	case strings.HasSuffix(p, "/graphql"):
		return "graphql"
	}
	return "core"
}

// safeURL is u without query, fragment or user info, for error messages.
func safeURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}

func canReplay(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// drain discards (a bounded amount of) a body and closes it so the
// connection can be reused.
func drain(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	onAPI := t.apiHosts[strings.ToLower(req.URL.Host)]

	out := req.Clone(ctx)
	if onAPI && t.authHeader != "" && out.Header.Get("Authorization") == "" {
		// Only GitHub's API host gets the token: redirects to log storage
		// and other hosts must not receive it.
		out.Header.Set("Authorization", t.authHeader)
	}
	if out.Header.Get("User-Agent") == "" {
		out.Header.Set("User-Agent", t.userAgent)
	}
	resource := resourceFor(out.URL.Path)

	// Conditional requests: only plain GETs to the API the caller did not
	// make conditional itself.
	var (
		key   string
		entry *cacheEntry
	)
	cacheable := onAPI && out.Method == http.MethodGet &&
		out.Header.Get("If-None-Match") == "" && out.Header.Get("If-Modified-Since") == "" && out.Header.Get("Range") == ""
	if cacheable {
		key = cacheKey(out.URL.String(), out.Header.Get("Accept"), t.tokenFP)
		entry = t.cache.get(key, out.URL.String(), out.Header.Get("Accept"))
		if entry != nil {
			out.Header.Set("If-None-Match", entry.ETag)
		}
	}

	if onAPI {
		if err := t.beforeSend(ctx, out, resource); err != nil {
			return nil, err
		}
	}

	for attempt := 0; ; attempt++ {
		if attempt > 0 && out.Body != nil && out.Body != http.NoBody {
			body, err := out.GetBody()
			if err != nil {
				return nil, err
			}
			out.Body = body
		}
		t.acct.add(&t.acct.requests)
		resp, err := t.base.RoundTrip(out)
		if err != nil {
			if ctx.Err() != nil || attempt >= t.maxRetries || !canReplay(out) || !retryableError(out, err) {
				return nil, err
			}
			if err := t.pause(ctx, t.backoff(attempt), nil); err != nil {
				return nil, err
			}
			t.acct.add(&t.acct.retries)
			continue
		}

		if onAPI {
			t.acct.observe(resp.StatusCode, resp.Header, resource)
		}
		if entry != nil && resp.StatusCode == http.StatusNotModified {
			t.cache.touch(key)
			return t.fromCache(req, resp, entry), nil
		}

		wait, stop, retry := t.classify(out, resp, resource, attempt, onAPI)
		if stop != nil {
			drain(resp)
			t.acct.add(&t.acct.stops)
			return nil, stop
		}
		if retry {
			drain(resp)
			if err := t.pause(ctx, wait.d, wait.counter); err != nil {
				return nil, err
			}
			t.acct.add(&t.acct.retries)
			continue
		}

		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			resp.Header.Set(HeaderFromCache, "1")
		}
		if cacheable {
			t.store(key, out, resp, entry)
		}
		return resp, nil
	}
}

// beforeSend applies the primary policy with what earlier responses told:
// once the resource's remaining budget is known to be 0 until a future reset,
// "stop" refuses without sending and "wait" sleeps until the reset (if within
// MaxWait).
//
// It also holds the request while a secondary limit seen by a concurrent
// request is in force.
func (t *transport) beforeSend(ctx context.Context, req *http.Request, resource string) error {
	t.pauseMu.Lock()
	until := t.pausedUntil
	t.pauseMu.Unlock()
	if now := t.now(); now.Before(until) {
		wait := until.Sub(now)
		if wait > t.maxWait {
			t.acct.add(&t.acct.stops)
			return &RateLimitStopError{Reset: until, Resource: resource, Secondary: true, Method: req.Method, URL: safeURL(req.URL)}
		}
		if err := t.pause(ctx, wait, &t.acct.secondaryWaits); err != nil {
			return err
		}
	}

	st, ok := t.acct.rate(resource)
	if !ok || st.remaining > 0 {
		return nil
	}
	now := t.now()
	if !now.Before(st.reset) {
		return nil
	}
	wait := st.reset.Sub(now) + resetBuffer
	if t.policy == PolicyStop || wait > t.maxWait {
		t.acct.add(&t.acct.stops)
		return &RateLimitStopError{Reset: st.reset, Resource: resource, Method: req.Method, URL: safeURL(req.URL)}
	}
	return t.pause(ctx, wait, &t.acct.primaryWaits)
}

// waitPlan is a retry decision: sleep d, count it in counter (nil = backoff).
type waitPlan struct {
	d       time.Duration
	counter *int64
}

// classify decides what to do with a response: hand it back (all false),
// retry after a wait, or stop with an error.
//
// Rate-limit handling applies to the API host only; other hosts (log
// storage) get 5xx retries alone.
func (t *transport) classify(req *http.Request, resp *http.Response, resource string, attempt int, onAPI bool) (waitPlan, error, bool) {
	budgetLeft := attempt < t.maxRetries && canReplay(req)
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		// POST/PATCH are not resent: a 500 may have been half-applied, and
		// a 502/503/504 from the front end can follow a write the
		// application did apply (the emulator's applied-502 fault).
		if !budgetLeft || req.Context().Value(noServerErrorRetryKey{}) != nil || !replaySafe(req) {
			return waitPlan{}, nil, false
		}
		return waitPlan{d: t.backoff(attempt)}, nil, true
	case http.StatusForbidden, http.StatusTooManyRequests:
		if !onAPI {
			return waitPlan{}, nil, false
		}
	default:
		return waitPlan{}, nil, false
	}

	kind := rateLimitKind(resp)
	now := t.now()
	var reset time.Time
	if epoch, ok := headerInt(resp.Header, "X-RateLimit-Reset"); ok {
		reset = time.Unix(int64(epoch), 0)
	}
	if r := resp.Header.Get("X-RateLimit-Resource"); r != "" {
		resource = r
	}
	stopErr := &RateLimitStopError{Reset: reset, Resource: resource, Method: req.Method, URL: safeURL(req.URL), Sent: true}

	switch kind {
	case limitSecondary:
		// GitHub: honour Retry-After; else wait for the reset if remaining
		// is 0; else at least one minute. The request was not processed, so
		// any method may be retried.
		stopErr.Secondary = true
		var wait time.Duration
		if secs, ok := headerInt(resp.Header, "Retry-After"); ok && secs >= 0 {
			wait = time.Duration(secs) * time.Second
		} else if resp.Header.Get("X-RateLimit-Remaining") == "0" && reset.After(now) {
			wait = reset.Sub(now) + resetBuffer
		} else {
			wait = min(defaultSecondaryWait, t.maxWait)
		}
		stopErr.Reset = now.Add(wait)
		t.pauseMu.Lock()
		if stopErr.Reset.After(t.pausedUntil) {
			t.pausedUntil = stopErr.Reset
		}
		t.pauseMu.Unlock()
		if !budgetLeft || wait > t.maxWait {
			return waitPlan{}, stopErr, false
		}
		return waitPlan{d: wait, counter: &t.acct.secondaryWaits}, nil, true
	case limitPrimary:
		if t.policy == PolicyStop || reset.IsZero() || !budgetLeft {
			return waitPlan{}, stopErr, false
		}
		wait := max(reset.Sub(now), 0) + resetBuffer
		if wait > t.maxWait {
			return waitPlan{}, stopErr, false
		}
		return waitPlan{d: wait, counter: &t.acct.primaryWaits}, nil, true
	}
	return waitPlan{}, nil, false
}

type limitKind int

const (
	limitNone limitKind = iota
	limitPrimary
	limitSecondary
)

// rateLimitKind classifies a 403/429. It peeks at (and restores) the body.
//
//   - secondary: Retry-After present, or the body's documentation_url ends
//     in "secondary-rate-limits" / "#abuse-rate-limits", or its message
//     mentions a secondary rate limit or abuse detection;
//   - primary: X-RateLimit-Remaining: 0 otherwise;
//   - a 429 with neither is treated as secondary (it means "slow down");
//   - any other 403 is a permission problem: none.
func rateLimitKind(resp *http.Response) limitKind {
	var body struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	if resp.Body != nil {
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorPeek))
		rest := resp.Body
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(data), rest), rest}
		if err == nil {
			_ = json.Unmarshal(data, &body)
		}
	}
	msg := strings.ToLower(body.Message)
	switch {
	case resp.Header.Get("Retry-After") != "",
		strings.HasSuffix(body.DocumentationURL, "secondary-rate-limits"),
		strings.HasSuffix(body.DocumentationURL, "#abuse-rate-limits"),
		strings.Contains(msg, "secondary rate limit"),
		strings.Contains(msg, "abuse detection"):
		return limitSecondary
	case resp.Header.Get("X-RateLimit-Remaining") == "0":
		return limitPrimary
	case resp.StatusCode == http.StatusTooManyRequests:
		return limitSecondary
	}
	return limitNone
}

// retryableError reports whether a transport error may be retried.
// Requests that are safe to replay (replaySafe) are retried on connection
// errors (reset, refused, EOF, broken pipe, timeouts). POST and PATCH only
// when the connection could not be established (dial or DNS failure): after
// that point Go cannot tell whether GitHub received and applied the
// request, and creating an issue or comment twice is worse than reporting
// the failure.
func retryableError(req *http.Request, err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Temporary() || dnsErr.IsTimeout
	}
	if !replaySafe(req) {
		return false
	}
	var netErr net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &netErr) && netErr.Timeout():
		return true
	case errors.As(err, &opErr):
		return true
	}
	// net/http reports some connection failures only as text.
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "server closed") ||
		strings.Contains(s, "EOF") || strings.Contains(s, "broken pipe")
}

// backoff is exponential backoff with full jitter: a uniform random duration
// in [0, min(maxDelay, baseDelay*2^attempt)].
func (t *transport) backoff(attempt int) time.Duration {
	ceiling := t.maxDelay
	if attempt < 30 {
		if d := t.baseDelay << attempt; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(t.jitter(int64(ceiling) + 1))
}

// pause sleeps d (respecting ctx) and accounts for it.
func (t *transport) pause(ctx context.Context, d time.Duration, counter *int64) error {
	if counter != nil {
		t.acct.add(counter)
	}
	t.acct.wait(d)
	if err := t.sleep(ctx, d); err != nil {
		return err
	}
	return ctx.Err()
}

// fromCache turns a 304 into the cached 200: same body and headers, with the
// rate-limit headers (and Date/ETag) of the 304, so callers see a normal
// result and go-github still reads the current budget.
func (t *transport) fromCache(req *http.Request, notMod *http.Response, e *cacheEntry) *http.Response {
	drain(notMod)
	h := e.Header.Clone()
	if h == nil {
		h = make(http.Header)
	}
	for k, v := range notMod.Header {
		if isRateHeader(k) || k == "Date" || k == "Etag" {
			h[k] = append([]string(nil), v...)
		}
	}
	h.Set(HeaderFromCache, "1")
	h.Set(HeaderRevalidated, "304")
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         notMod.Proto,
		ProtoMajor:    notMod.ProtoMajor,
		ProtoMinor:    notMod.ProtoMinor,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(e.Body)),
		ContentLength: int64(len(e.Body)),
		Request:       req,
		TLS:           notMod.TLS,
	}
}

// store keeps a 200 with an ETag for revalidation, and forgets an entry
// whose resource now answers 404/410.
func (t *transport) store(key string, req *http.Request, resp *http.Response, old *cacheEntry) {
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		if old != nil {
			t.cache.remove(key)
		}
		return
	default:
		return
	}
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.ContentLength > maxCachedBody {
		return
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCachedBody+1))
	rest := resp.Body
	if err != nil || len(data) > maxCachedBody {
		// Give the caller what was read plus the rest, uncached.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(data), rest), rest}
		if err != nil {
			resp.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(data), errReader{err}), rest}
		}
		return
	}
	_ = rest.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	t.cache.put(&cacheEntry{
		Key:      key,
		URL:      req.URL.String(),
		Accept:   req.Header.Get("Accept"),
		ETag:     etag,
		Header:   cacheableHeader(resp.Header),
		Body:     data,
		StoredAt: t.now().UTC(),
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// SleepContext waits d, or until ctx is done (returning ctx.Err()). It is
// the default Config.Sleep; actions/alert waits between webhook retries
// with it too.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func defaultJitter(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return rand.Int64N(n)
}
