package stale

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// Meter is the run's request budget: what the primary rate limit leaves
// (read once with GET /rate_limit, which costs nothing) minus a reserve,
// and the content-creating writes GitHub's secondary limits allow
// (500 per hour, 80 per minute per token:
// https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
// Every request the action makes is taken from it before it is sent, so a
// run stops with a summary before the limit stops it, and what it started
// (an item's read and writes) it finishes.
type Meter struct {
	mu sync.Mutex
	// Limit and Remaining are the core limit and what was left when the run
	// started (0/0 when rate limiting is off, e.g. on some GitHub Enterprise
	// Server instances: then only Content bounds the run).
	Limit, Remaining int
	Reset            time.Time
	// Known is false when the rate limit could not be read; the run then
	// proceeds and relies on the client's rate-limit handling.
	Known bool
	// Disabled is true when the instance said rate limiting is not enabled
	// (404 on GET /rate_limit).
	Disabled bool
	// Reserve is kept back for the report's last writes (tracking issues).
	Reserve int
	// Content is how many content-creating writes are left this hour
	// (contentPerHour minus what earlier runs recorded in the cursor).
	Content int

	used, contentUsed int
	// stopped is set when GitHub refused a request for a rate limit
	// (primary or secondary) the client would not wait out: nothing more
	// is sent.
	stopped string
}

// contentPerHour is GitHub's hourly limit on content-creating requests.
const contentPerHour = 500

// NewMeter reads GET /rate_limit (free: it does not count against the
// limit). reserve requests are kept back. An unlimited meter is returned
// when the endpoint says rate limiting is off (404).
func NewMeter(ctx context.Context, gh *github.Client, reserve int, contentLeft int) (*Meter, error) {
	m := &Meter{Reserve: reserve, Content: contentLeft}
	rl, _, err := gh.RateLimit.Get(ctx)
	switch {
	case err == nil && rl.GetCore() != nil:
		core := rl.GetCore()
		m.Known, m.Limit, m.Remaining, m.Reset = true, core.Limit, core.Remaining, core.Reset.Time
	case err != nil && ghclient.StatusCode(err) == http.StatusNotFound:
		// "Rate limiting is not enabled."
		m.Disabled = true
	case err != nil && ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return m, nil
}

// Unlimited is a meter that never runs out (tests, planning from state).
func Unlimited() *Meter { return &Meter{Content: 1 << 30} }

// Left is how many requests may still be made (a large number when the
// limit is unknown or off).
func (m *Meter) Left() int {
	if m == nil {
		return 1 << 30
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.leftLocked()
}

func (m *Meter) leftLocked() int {
	if m.stopped != "" {
		return 0
	}
	if !m.Known {
		return 1 << 30
	}
	return m.Remaining - m.Reserve - m.used
}

// Afford reports whether n requests, of which content are content-creating,
// fit; it takes nothing.
func (m *Meter) Afford(n, content int) bool {
	if m == nil {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.leftLocked() >= n && m.Content-m.contentUsed >= content
}

// Take records n requests (content of them content-creating) as spent.
// It returns false, taking nothing, when they do not fit.
func (m *Meter) Take(n, content int) bool {
	if m == nil {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.leftLocked() < n || m.Content-m.contentUsed < content {
		return false
	}
	m.used += n
	m.contentUsed += content
	return true
}

// TakeReserve spends from the reserve (the final tracking-issue writes).
func (m *Meter) TakeReserve(n, content int) bool {
	if m == nil {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped != "" || (m.Known && m.Remaining-m.used < n) || m.Content-m.contentUsed < content {
		return false
	}
	m.used += n
	m.contentUsed += content
	return true
}

// Stop records that GitHub refused a request for a rate limit: the run
// sends nothing more.
func (m *Meter) Stop(why string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped == "" {
		m.stopped = why
	}
}

// Stopped is why the run stopped sending, or "".
func (m *Meter) Stopped() string {
	if m == nil {
		return ""
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stopped
}

// Used is the number of requests taken so far, and the content-creating
// ones among them.
func (m *Meter) Used() (int, int) {
	if m == nil {
		return 0, 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used, m.contentUsed
}

// PerRun is what one run may spend when it starts with a full window: the
// limit minus the reserve (0 when unknown).
func (m *Meter) PerRun() int {
	if m == nil || !m.Known {
		return 0
	}
	return m.Limit - m.Reserve
}

// String describes the budget for logs.
func (m *Meter) String() string {
	if m == nil || !m.Known {
		return "rate limit not known (not enforced, or not readable)"
	}
	return fmt.Sprintf("%d of %d requests left until %s (%d kept back); %d content-creating writes left this hour",
		m.Remaining, m.Limit, m.Reset.UTC().Format(time.RFC3339), m.Reserve, m.Content)
}

// contentCreating reports whether a write counts against GitHub's
// content-creation limits. GitHub does not list which requests create
// content; the run counts every write (POST, PATCH, PUT, DELETE), as the
// emulator does, so it never plans more than GitHub may refuse.
func contentCreating(c Call) bool { return c.Method != http.MethodGet && c.Method != http.MethodHead }

// createsObject reports whether a write creates a new object each time it
// is sent (a comment, an issue): sending it twice makes two.
func createsObject(c Call) bool {
	return c.Method == http.MethodPost && (strings.HasSuffix(c.Path, "/comments") || strings.HasSuffix(c.Path, "/issues"))
}
