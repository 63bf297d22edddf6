package ghclient

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Stats is a snapshot of what a Client did, for reports and benchmarks.
// Every field has a snake_case JSON name.
type Stats struct {
	// Requests is the number of HTTP requests sent to GitHub (every attempt,
	// including retries and conditional requests answered with 304).
	Requests int64 `json:"requests"`
	// NotModified is the number of 304 answers (served from the ETag cache,
	// or passed through when the caller sent its own If-None-Match).
	NotModified int64 `json:"not_modified"`
	// Retries is the number of requests sent again (after a 5xx, a
	// connection error, or a rate-limit wait).
	Retries int64 `json:"retries"`
	// RateLimitPoints is the primary rate-limit budget consumed: the spread
	// of X-RateLimit-Used (or Limit-Remaining) seen per rate-limit window, or
	// 1 per non-304 response when GitHub sent no rate headers. 304s cost 0.
	RateLimitPoints int64 `json:"rate_limit_points"`
	// SecondaryWaits is the number of waits for a secondary rate limit.
	SecondaryWaits int64 `json:"secondary_waits"`
	// PrimaryWaits is the number of waits for the primary limit to reset
	// (policy "wait").
	PrimaryWaits int64 `json:"primary_waits"`
	// RateLimitStops is the number of requests refused with a
	// *RateLimitStopError.
	RateLimitStops int64 `json:"rate_limit_stops"`
	// WaitSeconds is the total time spent (or, with a fake Config.Sleep,
	// requested) sleeping for backoff and rate limits.
	WaitSeconds float64 `json:"wait_seconds"`
	// RateLimitRemaining, RateLimitLimit and RateLimitReset are the last
	// values seen for RateLimitResource ("core" preferred); -1 and zero
	// time when no response carried them yet.
	RateLimitRemaining int       `json:"rate_limit_remaining"`
	RateLimitLimit     int       `json:"rate_limit_limit"`
	RateLimitReset     time.Time `json:"rate_limit_reset,omitzero"`
	RateLimitResource  string    `json:"rate_limit_resource,omitempty"`
	// CacheEntries is the number of ETag cache entries in memory.
	CacheEntries int `json:"cache_entries"`
	// CacheWriteErrors counts cache files that could not be written.
	CacheWriteErrors int `json:"cache_write_errors"`
	// CachePruned is the number of unused cache files New removed (see
	// Config.CacheMaxAge).
	CachePruned int `json:"cache_pruned"`
}

// rateState is the last known primary rate-limit state of one resource.
type rateState struct {
	limit, remaining int
	reset            time.Time
}

// window is one rate-limit window (resource + reset time) used to count
// points: the points this client used are max(used) - min(used) + 1 over the
// non-304 responses it saw in the window. Taking the spread instead of
// deltas between consecutive responses is exact even when concurrent
// responses arrive out of order.
type window struct {
	min, max int
	hasMin   bool
	hasMax   bool
}

// accounting counts what the transport does. Safe for concurrent use.
type accounting struct {
	mu             sync.Mutex
	requests       int64
	notModified    int64
	retries        int64
	secondaryWaits int64
	primaryWaits   int64
	stops          int64
	waited         time.Duration
	headerless     int64 // non-304 responses without rate headers
	windows        map[string]*window
	rates          map[string]rateState
	lastResource   string
}

func newAccounting() *accounting {
	return &accounting{windows: make(map[string]*window), rates: make(map[string]rateState)}
}

func (a *accounting) add(field *int64) {
	a.mu.Lock()
	*field++
	a.mu.Unlock()
}

func (a *accounting) wait(d time.Duration) {
	a.mu.Lock()
	a.waited += d
	a.mu.Unlock()
}

// rate returns the known state of resource.
func (a *accounting) rate(resource string) (rateState, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.rates[resource]
	return s, ok
}

// headerInt parses an integer header; ok is false when absent or invalid.
func headerInt(h http.Header, name string) (int, bool) {
	v := h.Get(name)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// observe records one response from GitHub (its status and header) for the
// rate-limit resource the request was classified as (X-RateLimit-Resource
// wins when present). A 304 costs nothing, nor does a rejection that reports
// the budget already spent.
func (a *accounting) observe(status int, h http.Header, resource string) {
	notModified := status == http.StatusNotModified
	if r := h.Get("X-RateLimit-Resource"); r != "" {
		resource = r
	}
	limit, hasLimit := headerInt(h, "X-RateLimit-Limit")
	remaining, hasRemaining := headerInt(h, "X-RateLimit-Remaining")
	used, hasUsed := headerInt(h, "X-RateLimit-Used")
	resetEpoch, hasReset := headerInt(h, "X-RateLimit-Reset")
	if !hasUsed && hasLimit && hasRemaining {
		used, hasUsed = limit-remaining, true
	}
	free := notModified ||
		((status == http.StatusForbidden || status == http.StatusTooManyRequests) && hasRemaining && remaining == 0)

	a.mu.Lock()
	defer a.mu.Unlock()
	if notModified {
		a.notModified++
	}
	if !hasUsed {
		if !free {
			a.headerless++
		}
	} else {
		key := resource + "@" + strconv.Itoa(resetEpoch)
		w := a.windows[key]
		if w == nil {
			w = &window{}
			a.windows[key] = w
		}
		lo := used
		if free {
			// A free response costs nothing: the next request that does
			// cost will see used+1, so that is the lowest value this client
			// can own.
			lo = used + 1
		}
		if !w.hasMin || lo < w.min {
			w.min, w.hasMin = lo, true
		}
		if !free && (!w.hasMax || used > w.max) {
			w.max, w.hasMax = used, true
		}
	}
	if hasRemaining && hasReset {
		next := rateState{limit: limit, remaining: remaining, reset: time.Unix(int64(resetEpoch), 0)}
		cur, ok := a.rates[resource]
		switch {
		case !ok || next.reset.After(cur.reset):
			a.rates[resource] = next
		case next.reset.Equal(cur.reset) && next.remaining < cur.remaining:
			// Same window, responses out of order: the lowest is the truth.
			a.rates[resource] = next
		}
		if resource == "core" || a.lastResource == "" || a.lastResource == resource {
			a.lastResource = resource
		}
	}
}

func (a *accounting) snapshot() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := Stats{
		Requests:           a.requests,
		NotModified:        a.notModified,
		Retries:            a.retries,
		SecondaryWaits:     a.secondaryWaits,
		PrimaryWaits:       a.primaryWaits,
		RateLimitStops:     a.stops,
		WaitSeconds:        a.waited.Seconds(),
		RateLimitPoints:    a.headerless,
		RateLimitRemaining: -1,
		RateLimitLimit:     -1,
	}
	for _, w := range a.windows {
		if w.hasMax && w.hasMin && w.max >= w.min {
			s.RateLimitPoints += int64(w.max - w.min + 1)
		}
	}
	if r, ok := a.rates[a.lastResource]; ok {
		s.RateLimitRemaining = r.remaining
		s.RateLimitLimit = r.limit
		s.RateLimitReset = r.reset.UTC()
		s.RateLimitResource = a.lastResource
	}
	return s
}
