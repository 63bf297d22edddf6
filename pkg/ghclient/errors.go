package ghclient

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
)

// RateLimitStopError is returned (wrapped in the *url.Error that net/http and
// go-github add) when a request is not sent, or not retried, because a rate
// limit is spent and the policy does not allow waiting for it:
//
//   - the primary limit is spent and RateLimitPolicy is "stop", or the reset
//     is further away than MaxWait under "wait";
//   - a secondary limit asks for a wait longer than MaxWait, or keeps being
//     hit after MaxRetries waits.
//
// Callers must treat what they collected so far as partial and say what is
// missing; an empty result after this error never means "no activity".
// Branch on it with IsRateLimitStop or errors.As.
type RateLimitStopError struct {
	// Reset is when the limit is expected to lift (X-RateLimit-Reset for the
	// primary limit, now + Retry-After for a secondary limit). Zero if unknown.
	Reset time.Time
	// Resource is the rate-limit resource ("core", "search", ...).
	Resource string
	// Secondary is true for a secondary (abuse) limit.
	Secondary bool
	// Method and URL identify the request that was stopped (URL without
	// query string, never with credentials).
	Method, URL string
	// Sent is true when the request reached GitHub and was rejected; false
	// when it was stopped before being sent.
	Sent bool
}

func (e *RateLimitStopError) Error() string {
	kind := "primary"
	if e.Secondary {
		kind = "secondary"
	}
	res := e.Resource
	if res == "" {
		res = "core"
	}
	msg := fmt.Sprintf("%s rate limit (%s) exhausted: stopped %s %s", kind, res, e.Method, e.URL)
	if !e.Reset.IsZero() {
		msg += " (resets at " + e.Reset.UTC().Format(time.RFC3339) + ")"
	}
	return msg
}

// IsRateLimitStop reports whether err means a rate limit stopped the work:
// a *RateLimitStopError from this package, or go-github's own
// *github.RateLimitError / *github.AbuseRateLimitError (which can still
// surface, e.g. from code that builds its own go-github client).
func IsRateLimitStop(err error) bool {
	if err == nil {
		return false
	}
	var stop *RateLimitStopError
	if errors.As(err, &stop) {
		return true
	}
	var primary *github.RateLimitError
	if errors.As(err, &primary) {
		return true
	}
	var secondary *github.AbuseRateLimitError
	return errors.As(err, &secondary)
}

// StatusCode returns the HTTP status of a go-github error response
// (*github.ErrorResponse, *github.RateLimitError, *github.AbuseRateLimitError),
// or 0 when err carries none.
func StatusCode(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) && rl.Response != nil {
		return rl.Response.StatusCode
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) && ab.Response != nil {
		return ab.Response.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is a GitHub 404 (the repository, branch or
// resource does not exist, or the token cannot see a private one).
func IsNotFound(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}

// IsForbidden reports whether err is a GitHub 403 that is not a rate limit
// (missing permission, SSO enforcement, blocked resource). Rate limits are
// reported by IsRateLimitStop instead.
func IsForbidden(err error) bool {
	if IsRateLimitStop(err) {
		return false
	}
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden
}

// PartialError is returned by ListAll when a page after the first could not
// be fetched (or the first failed): the items collected so far are returned
// alongside it. It unwraps to the cause, so IsRateLimitStop, IsNotFound and
// errors.As keep working.
type PartialError struct {
	// Page is the page number that failed.
	Page int
	// Collected is the number of items returned with the error.
	Collected int
	// Err is the cause.
	Err error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("failed to list page %d (%d items collected before it): %v", e.Page, e.Collected, e.Err)
}

func (e *PartialError) Unwrap() error { return e.Err }

// Reason is a one-line description of an API error for reports and logs:
// "HTTP 422: Validation Failed; Reference does not exist" for a
// *github.ErrorResponse (its message and each error's message, or field and
// code), err.Error() otherwise. It never contains the request URL, which
// go-github puts in ErrorResponse.Error().
func Reason(err error) string {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		msg := fmt.Sprintf("HTTP %d: %s", er.Response.StatusCode, er.Message)
		for _, e := range er.Errors {
			if e.Message != "" {
				msg += "; " + e.Message
			} else if e.Field != "" {
				msg += fmt.Sprintf("; %s %s", e.Field, e.Code)
			}
		}
		return msg
	}
	return err.Error()
}

// NeededPermission returns the token permission a 403 asks for, from
// GitHub's X-Accepted-GitHub-Permissions header ("actions=read", or
// alternatives separated by ";": the first is taken), written the way a
// workflow's permissions block spells it ("actions: read",
// "pull-requests: write"); "" when err is not such a response.
// https://github.blog/changelog/2023-08-10-x-accepted-github-permissions-header-for-fine-grained-permission-actors
func NeededPermission(err error) string {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusForbidden {
		return ""
	}
	h := er.Response.Header.Get("X-Accepted-GitHub-Permissions")
	first, _, _ := strings.Cut(h, ";")
	// A set may hold several permissions ("contents=read,actions=read").
	var out []string
	for _, p := range strings.Split(first, ",") {
		name, level, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || name == "" || level == "" {
			continue
		}
		out = append(out, strings.ReplaceAll(strings.ToLower(name), "_", "-")+": "+strings.ToLower(level))
	}
	return strings.Join(out, ", ")
}
