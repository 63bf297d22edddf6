// Package ghclient builds the go-github v62 client every action uses, with a
// transport that makes GitHub's API limits explicit:
//
//   - conditional requests: GETs are revalidated with If-None-Match from an
//     ETag cache (memory, and Config.CacheDir on disk so actions/cache can
//     carry it between runs); a 304 is returned to callers as the cached 200
//     and costs no rate-limit points
//     (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate);
//   - retries with exponential backoff and full jitter on 5xx and connection
//     errors, never resending a POST/PATCH whose fate is unknown;
//   - secondary rate limits waited out (Retry-After, else one minute);
//   - the primary rate limit handled by a policy: "wait" (until the reset,
//     up to MaxWait) or "stop" (a *RateLimitStopError so callers can report a
//     partial result);
//   - accounting (Stats) of requests, 304s, retries and points for reports
//     and benchmarks;
//   - request bodies redacted (RedactBodies) and request paths guarded
//     (PathGuard) before anything is sent.
//
// See https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api.
package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// Rate-limit policies (Config.RateLimitPolicy, action input rate_limit_policy).
const (
	PolicyWait = "wait"
	PolicyStop = "stop"
)

// Defaults applied by New for zero Config fields.
const (
	DefaultAPIURL         = "https://api.github.com/"
	DefaultMaxRetries     = 4
	DefaultMaxWait        = 15 * time.Minute
	DefaultRetryBaseDelay = time.Second
	DefaultRetryMaxDelay  = 30 * time.Second
	// DefaultCacheMaxAge is how long a cache file may go unused (neither
	// stored nor revalidated) before New prunes it.
	DefaultCacheMaxAge = 7 * 24 * time.Hour
	// ProjectURL appears in the User-Agent so GitHub can reach the maintainers.
	ProjectURL = "https://github.com/sparesparrow/ecosystem-actions"
)

// Config configures New. The zero value talks to api.github.com
// anonymously with policy "wait".
type Config struct {
	// Token is sent as "Authorization: Bearer <token>" to the API host only.
	// It is never logged, never part of an error, and never stored: cache
	// keys use a one-way fingerprint of it.
	Token string
	// APIURL is GITHUB_API_URL. "" means https://api.github.com/. See
	// ResolveAPIURL for GitHub Enterprise Server handling.
	APIURL string
	// Version is this program's version, for the User-Agent ("" = "dev").
	Version string
	// CacheDir, when set, keeps ETag cache entries on disk (one file each).
	// New prunes it once (see CacheMaxAge), so a cache carried between runs
	// by actions/cache does not grow with URLs nobody requests any more.
	CacheDir string
	// CacheMaxAge is how long a cache file may go unused before New removes
	// it (default DefaultCacheMaxAge, 7 days; negative = never prune).
	CacheMaxAge time.Duration
	// RateLimitPolicy is PolicyWait (default) or PolicyStop.
	RateLimitPolicy string
	// MaxWait bounds any single rate-limit wait (default 15m). A primary
	// reset or a Retry-After further away than this stops instead.
	MaxWait time.Duration
	// MaxRetries is how many times one request may be resent (default 4;
	// negative = never retry).
	MaxRetries int
	// Transport is the underlying RoundTripper (default: a clone of
	// http.DefaultTransport with a 2 minute response-header timeout).
	Transport http.RoundTripper
	// Sleep waits d or until ctx is done (default: a timer). Tests inject a
	// recorder so nothing actually waits.
	Sleep func(ctx context.Context, d time.Duration) error

	// Now is the clock used against X-RateLimit-Reset (default time.Now).
	Now func() time.Time
	// RetryBaseDelay and RetryMaxDelay shape the backoff: attempt n sleeps
	// a uniform random duration in [0, min(RetryMaxDelay, RetryBaseDelay*2^n)]
	// (defaults 1s and 30s).
	RetryBaseDelay, RetryMaxDelay time.Duration
	// Jitter returns a uniform random int64 in [0, n) (default math/rand/v2).
	Jitter func(n int64) int64
	// Redactor redacts every request body before it is sent (see
	// RedactBodies): pass the run's (runner.Run.Redactor, which RunConfig
	// does) so values the run masked never reach an issue, a comment or a
	// dispatch. nil uses pkg/redact's rules alone.
	Redactor *redact.Redactor
}

// String describes the configuration without the token, so a Config that
// ends up in a log or error message cannot leak it.
func (c Config) String() string {
	tok := "unset"
	if c.Token != "" {
		tok = "set"
	}
	return fmt.Sprintf("ghclient.Config{APIURL: %q, Version: %q, CacheDir: %q, RateLimitPolicy: %q, MaxWait: %s, MaxRetries: %d, Token: %s}",
		c.APIURL, c.Version, c.CacheDir, c.RateLimitPolicy, c.MaxWait, c.MaxRetries, tok)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }

// ConfigError reports an invalid Config field before any request is made.
type ConfigError struct {
	Field, Value, Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("invalid %s %q: %s", e.Field, e.Value, e.Reason)
}

// Client is a go-github client wired to the ghclient transport. Use the
// embedded services as usual (c.Repositories.Get, c.Actions.ListRepositoryWorkflowRuns, ...).
type Client struct {
	*github.Client
	tr *transport
}

// Stats returns a snapshot of the client's accounting.
func (c *Client) Stats() Stats {
	s := c.tr.acct.snapshot()
	s.CacheEntries = c.tr.cache.len()
	c.tr.cache.mu.Lock()
	s.CacheWriteErrors = c.tr.cache.writeErrors
	s.CachePruned = c.tr.cache.pruned
	c.tr.cache.mu.Unlock()
	return s
}

// HTTPClient returns an *http.Client using the same transport (token for
// the API host only, retries, accounting), e.g. to download job logs from the
// URL GetWorkflowJobLogs returns. The embedded go-github field shadows
// go-github's own Client() method, so it is reachable as c.Client.Client()
// too.
func (c *Client) HTTPClient() *http.Client { return c.Client.Client() }

// UserAgent returns the User-Agent for a program version:
// "ecosystem-actions/<version> (+https://github.com/sparesparrow/ecosystem-actions) go-github/v62".
func UserAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "ecosystem-actions/" + version + " (+" + ProjectURL + ") go-github/v62"
}

// ResolveAPIURL turns GITHUB_API_URL into go-github's BaseURL (always ending
// in "/"):
//
//   - "" → https://api.github.com/
//   - a URL with a path is used as given: the runner sets
//     GITHUB_API_URL=https://HOST/api/v3 on GitHub Enterprise Server, and a
//     proxy or emulator may serve under any prefix;
//   - a bare host is used as is when it is api.github.com-like (host starts
//     with "api." or contains ".api.", e.g. GHE.com's api.SUBDOMAIN.ghe.com)
//     or a loopback address (an emulator on http://127.0.0.1:PORT serves at
//     "/"); any other bare host is a GitHub Enterprise Server appliance and
//     gets "/api/v3/" appended (go-github's WithEnterpriseURLs rule);
//   - "/api/v3" is never doubled; https://github.com (the server URL, given by
//     mistake) means https://api.github.com/.
func ResolveAPIURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = DefaultAPIURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &ConfigError{Field: "API URL (GITHUB_API_URL)", Value: raw,
			Reason: "must be an absolute http:// or https:// URL such as https://api.github.com or https://ghe.example.com/api/v3"}
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, &ConfigError{Field: "API URL (GITHUB_API_URL)", Value: safeURL(u),
			Reason: "must not contain credentials, a query or a fragment"}
	}
	path := strings.TrimRight(u.Path, "/")
	if h := strings.ToLower(u.Hostname()); path == "" && (h == "github.com" || h == "www.github.com") {
		// The server URL (GITHUB_SERVER_URL) given by mistake.
		u.Host = "api.github.com"
	}
	if path == "" {
		host := strings.ToLower(u.Hostname())
		if !strings.HasPrefix(host, "api.") && !strings.Contains(host, ".api.") && !isLoopback(host) {
			path = "/api/v3"
		}
	}
	u.Path = path + "/"
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// uploadURL derives the uploads endpoint from the API base URL.
func uploadURL(base *url.URL) *url.URL {
	u := *base
	switch {
	case strings.EqualFold(u.Host, "api.github.com"):
		u.Host = "uploads.github.com"
	case strings.HasSuffix(u.Path, "/api/v3/"):
		u.Path = strings.TrimSuffix(u.Path, "api/v3/") + "api/uploads/"
	}
	return &u
}

// New builds a Client. Invalid settings return a *ConfigError naming the
// setting, the value and what is allowed; nothing is sent.
func New(cfg Config) (*Client, error) {
	base, err := ResolveAPIURL(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	var errs []error
	policy := strings.ToLower(strings.TrimSpace(cfg.RateLimitPolicy))
	switch policy {
	case "":
		policy = PolicyWait
	case PolicyWait, PolicyStop:
	default:
		errs = append(errs, &ConfigError{Field: "rate_limit_policy", Value: cfg.RateLimitPolicy, Reason: "allowed values: wait, stop"})
	}
	if cfg.MaxWait < 0 {
		errs = append(errs, &ConfigError{Field: "max wait", Value: cfg.MaxWait.String(), Reason: "must not be negative"})
	}
	if strings.ContainsAny(cfg.Token, "\r\n") {
		errs = append(errs, &ConfigError{Field: "github_token", Value: "***", Reason: "must be a single line"})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	t := &transport{
		base:       cfg.Transport,
		apiHosts:   map[string]bool{strings.ToLower(base.Host): true},
		userAgent:  UserAgent(cfg.Version),
		tokenFP:    tokenFingerprint(cfg.Token),
		policy:     policy,
		maxWait:    cfg.MaxWait,
		maxRetries: cfg.MaxRetries,
		baseDelay:  cfg.RetryBaseDelay,
		maxDelay:   cfg.RetryMaxDelay,
		sleep:      cfg.Sleep,
		now:        cfg.Now,
		jitter:     cfg.Jitter,
		cache:      newETagCache(cfg.CacheDir),
		acct:       newAccounting(),
	}
	if cfg.Token != "" {
		t.authHeader = "Bearer " + cfg.Token
	}
	if t.base == nil {
		dt := http.DefaultTransport.(*http.Transport).Clone()
		dt.ResponseHeaderTimeout = 2 * time.Minute
		dt.MaxIdleConnsPerHost = 16
		t.base = dt
	}
	if t.maxWait == 0 {
		t.maxWait = DefaultMaxWait
	}
	switch {
	case t.maxRetries == 0:
		t.maxRetries = DefaultMaxRetries
	case t.maxRetries < 0:
		t.maxRetries = 0
	}
	if t.baseDelay <= 0 {
		t.baseDelay = DefaultRetryBaseDelay
	}
	if t.maxDelay <= 0 {
		t.maxDelay = DefaultRetryMaxDelay
	}
	if t.sleep == nil {
		t.sleep = SleepContext
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.jitter == nil {
		t.jitter = defaultJitter
	}

	if cfg.CacheDir != "" && cfg.CacheMaxAge >= 0 {
		maxAge := cfg.CacheMaxAge
		if maxAge == 0 {
			maxAge = DefaultCacheMaxAge
		}
		// Pruning is housekeeping: a directory that cannot be read or
		// pruned does not fail the run (nor count as a write error: if it
		// is unusable, the writes that follow are counted).
		t.cache.pruned, _ = PruneCache(cfg.CacheDir, maxAge)
	}

	up := uploadURL(base)
	t.apiHosts[strings.ToLower(up.Host)] = true

	gh := github.NewClient(&http.Client{Transport: PathGuard(RedactBodies(t, cfg.Redactor))})
	gh.BaseURL = base
	gh.UploadURL = up
	gh.UserAgent = t.userAgent
	return &Client{Client: gh, tr: t}, nil
}
