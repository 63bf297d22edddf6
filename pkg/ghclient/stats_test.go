package ghclient

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func rateHeader(used, limit int, reset int64, resource string) http.Header {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(limit-used))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
	if resource != "" {
		h.Set("X-RateLimit-Resource", resource)
	}
	return h
}

func TestAccounting_points(t *testing.T) {
	t.Parallel()
	type obs struct {
		h           http.Header
		notModified bool
		status      int // 0 = 200 or 304 per notModified
	}
	const r1, r2 = 1_700_000_000, 1_700_003_600
	tests := []struct {
		name string
		obs  []obs
		want int64
	}{
		{"in_order", []obs{{rateHeader(11, 5000, r1, "core"), false, 0}, {rateHeader(12, 5000, r1, "core"), false, 0}, {rateHeader(13, 5000, r1, "core"), false, 0}}, 3},
		{"out_of_order_concurrent", []obs{{rateHeader(13, 5000, r1, "core"), false, 0}, {rateHeader(11, 5000, r1, "core"), false, 0}, {rateHeader(12, 5000, r1, "core"), false, 0}}, 3},
		{"not_modified_costs_nothing", []obs{{rateHeader(10, 5000, r1, "core"), true, 0}, {rateHeader(10, 5000, r1, "core"), true, 0}}, 0},
		{"not_modified_then_200", []obs{{rateHeader(10, 5000, r1, "core"), true, 0}, {rateHeader(11, 5000, r1, "core"), false, 0}}, 1},
		{"200_then_not_modified", []obs{{rateHeader(11, 5000, r1, "core"), false, 0}, {rateHeader(11, 5000, r1, "core"), true, 0}}, 1},
		{"window_reset", []obs{{rateHeader(999, 1000, r1, "core"), false, 0}, {rateHeader(1, 1000, r2, "core"), false, 0}, {rateHeader(2, 1000, r2, "core"), false, 0}}, 3},
		{"resources_separate", []obs{{rateHeader(5, 5000, r1, "core"), false, 0}, {rateHeader(1, 30, r1, "search"), false, 0}, {rateHeader(6, 5000, r1, "core"), false, 0}}, 3},
		{"spent_budget_rejection_is_free", []obs{{rateHeader(1000, 1000, r1, "core"), false, 403}, {rateHeader(1000, 1000, r1, "core"), false, 429}}, 0},
		{"no_headers_one_each", []obs{{http.Header{}, false, 0}, {http.Header{}, false, 0}, {http.Header{}, true, 0}}, 2},
		{"remaining_without_used", []obs{{http.Header{"X-Ratelimit-Limit": {"60"}, "X-Ratelimit-Remaining": {"59"}, "X-Ratelimit-Reset": {"1"}}, false, 0}, {http.Header{"X-Ratelimit-Limit": {"60"}, "X-Ratelimit-Remaining": {"57"}, "X-Ratelimit-Reset": {"1"}}, false, 0}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newAccounting()
			for _, o := range tt.obs {
				status := o.status
				if status == 0 {
					status = http.StatusOK
					if o.notModified {
						status = http.StatusNotModified
					}
				}
				a.observe(status, o.h, "core")
			}
			if got := a.snapshot().RateLimitPoints; got != tt.want {
				t.Errorf("points = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestAccounting_lastRatePrefersCoreAndLowestInWindow(t *testing.T) {
	t.Parallel()
	a := newAccounting()
	a.observe(200, rateHeader(3, 30, 100, "search"), "search")
	a.observe(200, rateHeader(20, 5000, 200, "core"), "core")
	a.observe(200, rateHeader(18, 5000, 200, "core"), "core") // late, out of order
	a.observe(200, rateHeader(4, 30, 100, "search"), "search")
	s := a.snapshot()
	got := []any{s.RateLimitResource, s.RateLimitRemaining, s.RateLimitLimit, s.RateLimitReset}
	want := []any{"core", 4980, 5000, time.Unix(200, 0).UTC()}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("last rate mismatch (-want +got):\n%s", diff)
	}
}

func TestStats_JSON(t *testing.T) {
	t.Parallel()
	s := Stats{Requests: 3, NotModified: 2, Retries: 1, RateLimitPoints: 1, SecondaryWaits: 1, RateLimitRemaining: -1, RateLimitLimit: -1}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"requests", "not_modified", "retries", "rate_limit_points", "secondary_waits", "primary_waits",
		"rate_limit_stops", "wait_seconds", "rate_limit_remaining", "rate_limit_limit", "cache_entries", "cache_write_errors", "cache_pruned"} {
		if _, ok := m[k]; !ok {
			t.Errorf("Stats JSON lacks %q: %s", k, data)
		}
	}
	if _, ok := m["rate_limit_reset"]; ok {
		t.Errorf("zero reset should be omitted: %s", data)
	}
}

func TestStats_unknownRate(t *testing.T) {
	t.Parallel()
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.RateLimitRemaining != -1 || s.RateLimitLimit != -1 || s.Requests != 0 {
		t.Errorf("fresh Stats = %+v, want unknown rate (-1) and no requests", s)
	}
}
