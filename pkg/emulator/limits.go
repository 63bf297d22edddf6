package emulator

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Rate limits, as GitHub's REST API documentation describes them
// (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api):
//
//   - primary, per hour: 60 per address without a token, 5,000 per user
//     token, 5,000 per installation (plus 50 per repository beyond 20, at
//     most 12,500), 1,000 per repository for GITHUB_TOKEN; search 30 per
//     minute (10 without a token);
//   - secondary, content creation: no more than 80 content-generating
//     requests per minute and 500 per hour.
//
// A spent primary budget answers 403 with x-ratelimit-remaining: 0; a
// secondary limit answers 403 with Retry-After.

// limiter is one primary budget (subject × resource).
type limiter struct {
	resource string
	limit    int
	used     int
	reset    time.Time
	window   time.Duration
}

// limiter returns the caller's budget for the call's resource. Callers hold s.mu.
func (s *Server) limiter(c *call, now time.Time) *limiter {
	key := c.limitKey + "|" + c.resource
	l := s.limits[key]
	if l == nil {
		l = &limiter{resource: c.resource}
		switch {
		case c.resource == "search":
			l.limit, l.window = s.opts.SearchRateLimit, time.Minute
			if !c.authed {
				l.limit = 10
			}
		case c.cred != nil && c.cred.limit > 0:
			l.limit, l.window = c.cred.limit, time.Hour
		case !c.authed:
			l.limit, l.window = s.opts.UnauthenticatedRateLimit, time.Hour
		default:
			l.limit, l.window = s.opts.RateLimit, time.Hour
		}
		l.reset = now.Add(l.window)
		s.limits[key] = l
	}
	if !now.Before(l.reset) {
		l.used = 0
		l.reset = now.Add(l.window)
	}
	return l
}

func (l *limiter) remaining() int {
	if r := l.limit - l.used; r > 0 {
		return r
	}
	return 0
}

func (c *call) setRateHeaders(l *limiter) {
	h := c.out.header
	h.Set("X-RateLimit-Limit", strconv.Itoa(l.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(l.remaining()))
	h.Set("X-RateLimit-Used", strconv.Itoa(min(l.used, l.limit)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(l.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", l.resource)
}

// contentCreation counts a content-creating request of subject against
// the per-minute and per-hour secondary limits. When either is reached it
// returns the seconds until a slot frees up and true (and counts nothing).
// Callers hold s.mu.
func (s *Server) contentCreation(subject string, now time.Time) (retryAfter int, limited bool) {
	window := s.secondary[subject]
	cut := 0
	for cut < len(window) && now.Sub(window[cut]) >= time.Hour {
		cut++
	}
	window = window[cut:]
	s.secondary[subject] = window
	lastMinute := 0
	for i := len(window) - 1; i >= 0 && now.Sub(window[i]) < time.Minute; i-- {
		lastMinute++
	}
	retryAt := time.Time{}
	if lastMinute >= s.opts.SecondaryLimit {
		retryAt = window[len(window)-lastMinute].Add(time.Minute)
	}
	if hourly := s.opts.SecondaryHourlyLimit; hourly > 0 && len(window) >= hourly {
		if t := window[len(window)-hourly].Add(time.Hour); t.After(retryAt) {
			retryAt = t
		}
	}
	if !retryAt.IsZero() {
		return max(1, int(retryAt.Sub(now).Seconds()+0.999)), true
	}
	s.secondary[subject] = append(window, now)
	return 0, false
}

// rateLimited answers a spent primary budget.
func (c *call) rateLimited(lim *limiter) {
	var msg string
	switch subject := c.cred.subject(); {
	case !c.authed:
		msg = "API rate limit exceeded for " + remoteHost(c.r) + ". (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
	case subject != "":
		msg = "API rate limit exceeded for " + subject + ". If you reach out to GitHub Support for help, please include the request ID " + c.requestID + "."
	default:
		msg = fmt.Sprintf("API rate limit exceeded for user ID %d. If you reach out to GitHub Support for help, please include the request ID %s and timestamp %s.",
			c.s.st.user(c.login).ID, c.requestID, c.now.Format("2006-01-02 15:04:05 MST"))
	}
	c.writeJSON(http.StatusForbidden, map[string]any{"message": msg, "documentation_url": primaryDocsURL})
	c.setRateHeaders(lim)
}

// secondaryLimited answers a secondary rate limit: the content-creation
// one when contentCreation is set, else the general one.
func (c *call) secondaryLimited(retryAfter int, contentCreation bool) {
	msg := "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID " + c.requestID + "."
	if contentCreation {
		msg = "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later. If you reach out to GitHub Support for help, please include the request ID " + c.requestID + "."
	}
	c.out.header.Set("Retry-After", strconv.Itoa(retryAfter))
	c.writeJSON(http.StatusForbidden, map[string]any{"message": msg, "documentation_url": secondaryDocsURL})
}

// remoteHost is the client's address without the port.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
