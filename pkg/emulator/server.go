// Package emulator is an in-memory GitHub REST API server for tests, local
// runs and demos. It serves the endpoints the actions use with the shapes of
// API version 2022-11-28, under both "/" and "/api/v3/" (GitHub Enterprise
// Server), from a documented fixture (see README.md), with rate limits,
// ETags, Link pagination, documented error bodies and fault injection.
package emulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// APIVersion is the only X-GitHub-Api-Version the emulator serves.
const APIVersion = "2022-11-28"

// DefaultLogin is the identity of any token when the fixture defines no Tokens.
const DefaultLogin = "github-actions[bot]"

const (
	docsBase          = "https://docs.github.com/rest"
	secondaryDocsURL  = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	primaryDocsURL    = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit"
	enterprisePrefix  = "/api/v3"
	controlPrefix     = "/_emulator/"
	defaultRateLimit  = 5000
	defaultSearchRate = 30
	defaultUnauthRate = 60
	defaultSecondary  = 80
	defaultSecondaryH = 500
	defaultGitHubTok  = 1000
	defaultMaxLog     = 10000
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Now is the server clock (default time.Now). Fixture timestamps are
	// shifted by Now() − Fixture.ReferenceTime when the state is loaded.
	Now func() time.Time
	// RateLimit is the core budget per token per hour (default 5000).
	RateLimit int
	// SearchRateLimit is the search budget per token per minute (default 30).
	SearchRateLimit int
	// UnauthenticatedRateLimit is the core budget per client address per
	// hour for requests without a token (default 60).
	UnauthenticatedRateLimit int
	// GitHubTokenRateLimit is the core budget per hour of a repository's
	// GITHUB_TOKENs (fixture tokens of kind github_token; default 1000).
	GitHubTokenRateLimit int
	// SecondaryLimit is the number of content-creating requests (POST,
	// PATCH, PUT, DELETE) per token per minute above which the server answers
	// with a secondary rate limit (default 80; negative disables both
	// content-creation limits).
	SecondaryLimit int
	// SecondaryHourlyLimit is the number of content-creating requests per
	// token per hour above which the server answers with a secondary rate
	// limit (default 500; negative disables).
	SecondaryHourlyLimit int
	// Latency is added to every request.
	Latency time.Duration
	// Faults are injected into matching requests (see Fault).
	Faults []Fault
	// Seed seeds the random source used by faults with a Rate.
	Seed int64
	// DefaultLogin overrides the identity of tokens when the fixture has no
	// Tokens (default "github-actions[bot]").
	DefaultLogin string
	// MaxLoggedRequests caps the request log (default 10000; oldest dropped).
	MaxLoggedRequests int
	// Log, when set, receives one line per request (never the token).
	Log io.Writer
	// RecordTraffic keeps every API request with its answer, bodies
	// included (Traffic). Off by default: it holds every body in memory.
	RecordTraffic bool
}

// LoggedRequest is one entry of the request log. It never contains the token.
type LoggedRequest struct {
	Time     time.Time `json:"time"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Query    string    `json:"query,omitempty"`
	Status   int       `json:"status"`
	Fault    string    `json:"fault,omitempty"`
	Login    string    `json:"login,omitempty"`
	Resource string    `json:"resource,omitempty"`
	// Budget is the primary budget the request was checked against,
	// "<resource>/<subject>": core/token:…, core/installation:<id>,
	// core/repository:<owner/name> (a GITHUB_TOKEN), core/app:<id>,
	// core/ip:<address>, search/…. Cost is what it took from it: 1, or 0
	// for GET /rate_limit, a 304 and a request refused before it was served.
	Budget string `json:"budget,omitempty"`
	Cost   int    `json:"cost"`
	// ContentCreating is set when the request counted against the
	// content-creation secondary limits (80 per minute, 500 per hour).
	ContentCreating bool          `json:"content_creating,omitempty"`
	Duration        time.Duration `json:"duration_ns"`
}

// Server is the emulator. It is an http.Handler; all methods are safe for
// concurrent use.
type Server struct {
	mu        sync.Mutex
	fixture   *Fixture
	opts      Options
	st        *state
	mux       *http.ServeMux
	faults    []*faultState
	rng       *rand.Rand
	limits    map[string]*limiter
	secondary map[string][]time.Time // content-creating requests per subject, last hour
	requests  []LoggedRequest
	traffic   []Exchange // Options.RecordTraffic
	logged    int64      // entries ever appended to requests (Reset does not rewind it)
	// encodedCache holds encodings of users and repositories (encoded.go).
	encodedCache  map[encodedKey]json.RawMessage
	encodeScratch []byte // reused by encoded
	url           string
	signKey       []byte
	loadErr       error
}

// New builds a server from a fixture. A fixture that cannot be loaded (for
// example two repositories with the same name) makes every request answer
// 500 with the reason; use NewChecked to get the error instead.
func New(f *Fixture, opts Options) *Server {
	s, err := NewChecked(f, opts)
	if err != nil {
		s.loadErr = err
	}
	return s
}

// NewChecked is New returning the fixture or fault validation error.
func NewChecked(f *Fixture, opts Options) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimit <= 0 {
		opts.RateLimit = defaultRateLimit
	}
	if opts.SearchRateLimit <= 0 {
		opts.SearchRateLimit = defaultSearchRate
	}
	if opts.UnauthenticatedRateLimit <= 0 {
		opts.UnauthenticatedRateLimit = defaultUnauthRate
	}
	if opts.SecondaryLimit == 0 {
		opts.SecondaryLimit = defaultSecondary
	}
	if opts.SecondaryHourlyLimit == 0 {
		opts.SecondaryHourlyLimit = defaultSecondaryH
	}
	if opts.GitHubTokenRateLimit <= 0 {
		opts.GitHubTokenRateLimit = defaultGitHubTok
	}
	if opts.DefaultLogin == "" {
		opts.DefaultLogin = DefaultLogin
	}
	if opts.MaxLoggedRequests <= 0 {
		opts.MaxLoggedRequests = defaultMaxLog
	}
	if f == nil {
		f = &Fixture{}
	}
	key := sha256.Sum256([]byte(fmt.Sprintf("emulator-log-signing-%d", opts.Seed)))
	s := &Server{fixture: f, opts: opts, mux: http.NewServeMux(), signKey: key[:]}
	s.routes()
	err := s.resetLocked()
	return s, err
}

// resetLocked reloads the fixture and clears counters. Callers hold s.mu
// (or own s exclusively).
func (s *Server) resetLocked() error {
	s.rng = rand.New(rand.NewPCG(uint64(s.opts.Seed), uint64(s.opts.Seed)^0x9e3779b97f4a7c15))
	s.limits = map[string]*limiter{}
	s.secondary = map[string][]time.Time{}
	s.requests = nil
	s.traffic = nil
	s.invalidateEncoded()
	faults, err := compileFaults(s.opts.Faults)
	if err != nil {
		return err
	}
	s.faults = faults
	st, err := newState(s.fixture, s.opts)
	if err != nil {
		s.st, _ = newState(&Fixture{}, s.opts)
		return err
	}
	s.st = st
	return nil
}

// Reset restores the fixture state, the configured faults, the rate limits
// and empties the request log and the traffic record.
func (s *Server) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.resetLocked()
	s.loadErr = err
	return err
}

// URL is the base URL of a server started with StartForTest or Serve
// (no trailing slash); "" otherwise.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// SetURL records the address the server is reachable at (for URL()).
func (s *Server) SetURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.url = strings.TrimSuffix(u, "/")
}

// State returns a snapshot of the mutable state.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.snapshot()
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []LoggedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	reqs := s.requests
	if over := len(reqs) - s.opts.MaxLoggedRequests; over > 0 {
		reqs = reqs[over:]
	}
	return append([]LoggedRequest(nil), reqs...)
}

// Dispatches returns the recorded repository and workflow dispatches.
func (s *Server) Dispatches() []Dispatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Dispatch(nil), s.st.dispatches...)
}

// SetFaults replaces the active faults (counters restart). It returns a
// *FaultError for an invalid fault and then changes nothing.
func (s *Server) SetFaults(fs []Fault) error {
	compiled, err := compileFaults(fs)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = compiled
	return nil
}

// Faults returns the active faults.
func (s *Server) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Fault
	for _, f := range s.faults {
		out = append(out, f.Fault)
	}
	return out
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if s.opts.Latency > 0 {
		if !sleepCtx(r.Context(), s.opts.Latency) {
			return
		}
	}
	var served *LoggedRequest // the request log's entry, once there is one
	if s.opts.RecordTraffic && !strings.HasPrefix(strings.TrimPrefix(r.URL.Path, enterprisePrefix), controlPrefix) {
		var file func(func() string)
		w, file = s.recordTraffic(w, r)
		defer file(func() string {
			if served == nil {
				return ""
			}
			return served.Fault
		})
	}
	prefix := ""
	if r.URL.Path == enterprisePrefix || strings.HasPrefix(r.URL.Path, enterprisePrefix+"/") {
		prefix = enterprisePrefix
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = strings.TrimPrefix(u.Path, enterprisePrefix)
		if u.RawPath != "" {
			u.RawPath = strings.TrimPrefix(u.RawPath, enterprisePrefix)
		}
		if u.Path == "" {
			u.Path = "/"
		}
		r2.URL = &u
		r = r2
	}
	if strings.HasPrefix(r.URL.Path, "/repositories/") {
		r = s.byRepositoryID(r)
	}
	path := r.URL.Path
	if strings.HasPrefix(path, controlPrefix) && !strings.HasPrefix(path, controlPrefix+"download/") {
		s.serveControl(w, r)
		return
	}
	entry := &LoggedRequest{Time: s.opts.Now().UTC(), Method: r.Method, Path: path, Query: sanitizeQuery(r.URL.Query())}
	served = entry
	// lw records the entry in the request log before the status line can
	// reach the client, so a client holding a response finds it in
	// Requests(); finish fills in the final duration.
	hijacker := w
	lw := &logWriter{ResponseWriter: w, s: s, entry: entry, start: start}
	w = lw
	defer lw.finish()
	// GitHub's clock, not this process's: clients correct their clock skew
	// from it (@octokit/auth-app re-signs an App JWT with it).
	w.Header().Set("Date", entry.Time.Format(http.TimeFormat))

	if strings.HasPrefix(path, controlPrefix+"download/") {
		s.serveDownload(w, r)
		return
	}

	c := &call{s: s, r: r, out: newBuffer(), prefix: prefix, now: entry.Time, entry: entry, cred: &credential{},
		requestID: fmt.Sprintf("E3UL:%X:%X", os.Getpid()&0xffff, requestSeq.Add(1))}
	defer c.out.release()
	c.api = requestScheme(r) + "://" + r.Host + prefix

	// Requests GitHub rejects before looking at them: no User-Agent is
	// 403 (the REST API's documentation, "User agent required").
	if r.UserAgent() == "" {
		c.writeJSON(http.StatusForbidden, map[string]any{
			"message":           "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.",
			"documentation_url": docsBase + "/using-the-rest-api/getting-started-with-the-rest-api#user-agent",
			"status":            "403",
		})
		c.flush(w)
		return
	}
	if v := r.Header.Get("X-GitHub-Api-Version"); v != "" && v != APIVersion {
		c.writeJSON(http.StatusBadRequest, map[string]any{
			"message":           fmt.Sprintf("API version '%s' is not supported.", v),
			"documentation_url": docsBase + "/about-the-rest-api/api-versions",
			"status":            "400",
		})
		c.flush(w)
		return
	}

	s.mu.Lock()
	loadErr := s.loadErr
	s.mu.Unlock()
	if loadErr != nil {
		c.writeJSON(http.StatusInternalServerError, map[string]any{"message": "emulator fixture error: " + loadErr.Error()})
		c.flush(w)
		return
	}

	// Authentication.
	s.mu.Lock()
	auth := s.authenticate(r, c.now)
	s.mu.Unlock()
	if auth.failure != "" {
		// A 401 counts against the address's unauthenticated budget and
		// carries its headers, as GitHub's do.
		c.cred = &credential{limitKey: "ip:" + remoteHost(r), limit: s.opts.UnauthenticatedRateLimit}
		c.resource = "core"
		s.mu.Lock()
		lim := s.limiter(c, c.now)
		lim.used++
		c.writeJSON(http.StatusUnauthorized, map[string]any{"message": auth.failure, "documentation_url": docsBase, "status": "401"})
		c.setRateHeaders(lim)
		s.mu.Unlock()
		entry.Budget, entry.Cost = "core/"+c.cred.limitKey, 1
		c.flush(w)
		return
	}
	c.cred = auth.cred
	c.login, c.perms, c.authed = c.cred.login, c.cred.perms, c.cred.kind != ""
	if tok, ok := bearerToken(r); ok {
		c.token = tok
	}
	c.limitKey = c.cred.limitKey
	entry.Login = c.login
	c.resource = "core"
	switch {
	case strings.HasPrefix(path, "/search/"):
		c.resource = "search"
	case path == "/graphql" || path == "/api/graphql":
		c.resource = "graphql"
	}
	entry.Resource = c.resource
	c.entry = entry

	// Faults.
	s.mu.Lock()
	fault := s.pickFault(r.Method, path)
	s.mu.Unlock()
	if fault != nil {
		entry.Fault = fault.Kind
		switch fault.Kind {
		case FaultSlow:
			if !sleepCtx(r.Context(), fault.Delay) {
				entry.Status = 499
				return
			}
		case FaultReset:
			dropConnection(hijacker, lw)
			return
		case FaultAppliedError, FaultAppliedReset, FaultAppliedBadGateway:
			// The request is served (a write is applied), then the
			// answer is lost: a 500 or 502, or a dropped connection.
			s.mu.Lock()
			c.serve()
			switch fault.Kind {
			case FaultAppliedError:
				c.out.header = http.Header{}
				c.injectFault(FaultInternalError)
			case FaultAppliedBadGateway:
				c.out.header = http.Header{}
				c.injectFault(FaultBadGateway)
			}
			s.mu.Unlock()
			if fault.Kind == FaultAppliedReset {
				entry.Status = 0
				dropConnection(hijacker, lw)
				return
			}
			c.flush(w)
			return
		default:
			s.mu.Lock()
			c.injectFault(fault.Kind)
			s.mu.Unlock()
			c.flush(w)
			return
		}
	}

	s.mu.Lock()
	c.serve()
	s.mu.Unlock()
	c.flush(w)
}

// dropConnection closes the client's connection without an answer, after
// recording the request.
func dropConnection(w http.ResponseWriter, lw *logWriter) {
	lw.entry.Status = 0
	lw.record() // before the client sees the connection drop
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// byRepositoryID serves /repositories/{id}/… (where GitHub's redirects
// for renamed repositories point) as /repos/{owner}/{repo}/…. An unknown
// id is left to answer 404.
func (s *Server) byRepositoryID(r *http.Request) *http.Request {
	rest := strings.TrimPrefix(r.URL.Path, "/repositories/")
	idText, tail, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return r
	}
	s.mu.Lock()
	full := ""
	for _, rs := range s.st.repos {
		if rs.id == id && rs.fx.Status == 0 {
			full = rs.fx.FullName()
		}
	}
	s.mu.Unlock()
	if full == "" {
		return r
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path = "/repos/" + full
	u.RawPath = ""
	if tail != "" {
		u.Path += "/" + tail
		if esc := r.URL.EscapedPath(); esc != r.URL.Path {
			_, escTail, _ := strings.Cut(strings.TrimPrefix(esc, "/repositories/"), "/")
			u.RawPath = "/repos/" + full + "/" + escTail
		}
	}
	r2.URL = &u
	return r2
}

// serve runs the rate limits, the route and the conditional-request logic.
// Callers hold s.mu.
func (c *call) serve() {
	s := c.s
	now := s.opts.Now()
	lim := s.limiter(c, now)
	exempt := c.r.URL.Path == "/rate_limit"
	c.entry.Budget = lim.resource + "/" + c.limitKey
	if !exempt && lim.used >= lim.limit {
		c.rateLimited(lim)
		return
	}
	if isWrite(c.r.Method) && c.authed && s.opts.SecondaryLimit > 0 && c.resource != "graphql" {
		if retry, limited := s.contentCreation(c.limitKey, now); limited {
			c.secondaryLimited(retry, true)
			c.setRateHeaders(lim)
			return
		}
		c.entry.ContentCreating = true
	}

	s.mux.ServeHTTP(c.out, c.r.WithContext(context.WithValue(c.r.Context(), callKey{}, c)))
	if isWrite(c.r.Method) {
		s.invalidateEncoded()
	}
	if c.out.status == http.StatusMethodNotAllowed {
		// ServeMux answers a known path with another method itself; GitHub says 404.
		c.out.header.Del("Allow")
		c.notFound()
	}

	if c.r.Method == http.MethodGet && c.out.status == http.StatusOK && !c.out.noETag {
		etag := bodyETag(c.out.body)
		c.out.header.Set("ETag", etag)
		if etagMatches(c.r.Header.Get("If-None-Match"), etag) {
			c.out.status = http.StatusNotModified
			c.out.body = c.out.body[:0]
			c.out.header.Del("Content-Type")
			c.out.header.Del("Link")
			c.setRateHeaders(lim)
			return
		}
	}
	if !exempt {
		lim.used++
		c.entry.Cost = 1
	}
	c.setRateHeaders(lim)
}

// injectFault writes the response of an error fault. Callers hold s.mu.
func (c *call) injectFault(kind string) {
	lim := c.s.limiter(c, c.s.opts.Now())
	switch kind {
	case FaultInternalError:
		c.writeJSON(http.StatusInternalServerError, map[string]any{"message": "Server Error"})
	case FaultBadGateway:
		c.out.header.Set("Content-Type", "text/html")
		c.out.status = http.StatusBadGateway
		c.out.body = append(c.out.body[:0], "<html><body><h1>502 Bad Gateway</h1></body></html>\n"...)
	case FaultServiceUnavailable:
		c.writeJSON(http.StatusServiceUnavailable, map[string]any{"code": "service_unavailable", "message": "Service Unavailable", "documentation_url": docsBase})
	case FaultSecondary:
		c.secondaryLimited(1, false)
	case FaultRateLimit:
		fake := *lim
		fake.used = fake.limit
		c.rateLimited(&fake)
		return
	}
	c.setRateHeaders(lim)
}

var requestSeq atomic.Uint64

// call is the per-request context handed to route handlers.
type call struct {
	s     *Server
	r     *http.Request
	route *Route // the operation being served; nil before routing
	entry *LoggedRequest
	cred  *credential
	token string // the bearer token (never logged)
	// requestID is the X-GitHub-Request-Id of the answer (rate-limit
	// messages quote it).
	requestID string
	out       *buffer
	prefix    string // "" or "/api/v3"
	api       string // scheme://host[/api/v3], no trailing slash
	login     string // "" when unauthenticated
	perms     map[string]string
	authed    bool
	limitKey  string
	resource  string
	repo      *repoState
	// now is when the request arrived, by the server clock (Options.Now):
	// the one time every write of the request records (created_at,
	// events, dispatches), the same as its request log entry.
	now time.Time
}

type callKey struct{}

func callFrom(r *http.Request) *call { return r.Context().Value(callKey{}).(*call) }

// buffer is an http.ResponseWriter that keeps the response in memory so
// the server can compute the ETag and the rate-limit headers afterwards.
type buffer struct {
	header http.Header
	status int
	body   []byte
	noETag bool
}

// bodyPool recycles response bodies: a page of 100 runs is over a
// megabyte, and allocating (and zeroing) it anew for every request cost
// more than encoding it.
var bodyPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody is the largest body kept for reuse.
const maxPooledBody = 8 << 20

func newBuffer() *buffer {
	return &buffer{header: http.Header{}, body: (*bodyPool.Get().(*[]byte))[:0]}
}

// release hands the body back to the pool once it has been written out
// (a ResponseWriter does not keep the slices passed to Write).
func (b *buffer) release() {
	if b.body != nil && cap(b.body) <= maxPooledBody {
		p := b.body[:0]
		bodyPool.Put(&p)
	}
	b.body = nil
}

func (b *buffer) Header() http.Header { return b.header }
func (b *buffer) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *buffer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.body = append(b.body, p...)
	return len(p), nil
}

// flush copies the buffered response to w and returns its status.
func (c *call) flush(w http.ResponseWriter) int {
	if c.out.status == 0 {
		c.out.status = http.StatusOK
	}
	for k, v := range c.out.header {
		w.Header()[k] = v
	}
	w.Header().Set("X-GitHub-Api-Version-Selected", APIVersion)
	w.Header().Set("X-GitHub-Request-Id", c.requestID)
	w.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")
	if c.out.status != http.StatusNotModified && c.out.status != http.StatusNoContent {
		w.Header().Set("Content-Length", strconv.Itoa(len(c.out.body)))
	}
	w.WriteHeader(c.out.status)
	if c.out.status != http.StatusNotModified && c.out.status != http.StatusNoContent {
		_, _ = w.Write(c.out.body)
	}
	return c.out.status
}

// writeJSON sets the response to v encoded as json.Marshal would (see
// appendJSON) and a newline.
func (c *call) writeJSON(status int, v any) {
	b, err := appendJSON(c.out.body[:0], v)
	if err != nil {
		status, b = http.StatusInternalServerError, append(b[:0], `{"message":"emulator: cannot encode response"}`...)
	}
	c.out.header.Set("Content-Type", "application/json; charset=utf-8")
	c.out.status = status
	c.out.body = append(b, '\n')
}

func (c *call) ok(v any)      { c.writeJSON(http.StatusOK, v) }
func (c *call) created(v any) { c.writeJSON(http.StatusCreated, v) }
func (c *call) noContent()    { c.out.status = http.StatusNoContent; c.out.body = c.out.body[:0] }

// errorBody writes a basic-error body for status.
func (c *call) errorBody(status int, message string) {
	if status == 0 {
		return
	}
	if message == "" {
		message = http.StatusText(status)
	}
	c.writeJSON(status, map[string]any{"message": message, "documentation_url": c.docs(), "status": strconv.Itoa(status)})
}

// docs is the documentation URL of the operation being served, which
// GitHub's error bodies carry; the API's when no route matched.
func (c *call) docs() string {
	if c.route != nil {
		return c.route.Docs
	}
	return docsBase
}

func (c *call) notFound() { c.errorBody(http.StatusNotFound, "Not Found") }

// ValidationError is one item of a 422 body's errors[].
type ValidationError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

// validation writes a 422 validation-error body.
func (c *call) validation(message string, errs ...ValidationError) {
	if message == "" {
		message = "Validation Failed"
	}
	body := map[string]any{"message": message, "documentation_url": c.docs(), "status": "422"}
	if len(errs) > 0 {
		body["errors"] = errs
	}
	c.writeJSON(http.StatusUnprocessableEntity, body)
}

// decode reads a JSON request body; on failure it writes the 400 body
// and returns false.
func (c *call) decode(v any) bool {
	b, err := io.ReadAll(io.LimitReader(c.r.Body, 10<<20))
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		if err == nil {
			b = []byte("{}")
		} else {
			c.errorBody(http.StatusBadRequest, "Problems parsing JSON")
			return false
		}
	}
	if json.Valid(b) && !c.checkBodyTypes(b) {
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			c.errorBody(http.StatusBadRequest, "Body should be a JSON object")
			return false
		}
		c.errorBody(http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

// logWriter is the http.ResponseWriter handed to the serving code. The
// first WriteHeader (or Write) appends the request's entry to the log
// before anything is passed on to the connection, so the entry is in
// Requests() by the time the client can read the response.
type logWriter struct {
	http.ResponseWriter
	s     *Server
	entry *LoggedRequest
	start time.Time
	seq   int64 // position in the log (1-based over the server's life); 0 until recorded
}

func (lw *logWriter) WriteHeader(code int) {
	if lw.seq == 0 {
		lw.entry.Status = code
		lw.record()
	}
	lw.ResponseWriter.WriteHeader(code)
}

func (lw *logWriter) Write(p []byte) (int, error) {
	if lw.seq == 0 {
		lw.WriteHeader(http.StatusOK)
	}
	return lw.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (lw *logWriter) Unwrap() http.ResponseWriter { return lw.ResponseWriter }

// record appends the entry to the request log (once).
func (lw *logWriter) record() {
	if lw.seq != 0 {
		return
	}
	lw.entry.Duration = time.Since(lw.start)
	s := lw.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, *lw.entry)
	s.logged++
	lw.seq = s.logged
	// The log keeps up to twice the cap and drops the older half at once,
	// so a full log costs O(1) per request, not a copy of the whole log;
	// Requests() returns only the newest MaxLoggedRequests.
	if limit := s.opts.MaxLoggedRequests; len(s.requests) >= 2*limit {
		s.requests = append([]LoggedRequest(nil), s.requests[len(s.requests)-limit:]...)
	}
}

// finish records the entry if nothing was written (a dropped or
// abandoned request), sets its final duration (a streamed body may take
// longer than the headers) and writes the Options.Log line.
func (lw *logWriter) finish() {
	if lw.seq == 0 {
		lw.record()
	}
	lw.entry.Duration = time.Since(lw.start)
	s := lw.s
	s.mu.Lock()
	if i := len(s.requests) - int(s.logged-lw.seq) - 1; i >= 0 && i < len(s.requests) {
		s.requests[i].Duration = lw.entry.Duration
	}
	out := s.opts.Log
	s.mu.Unlock()
	if out != nil {
		s.writeLogLine(out, *lw.entry)
	}
}

// writeLogLine writes one Options.Log line for a request.
func (s *Server) writeLogLine(w io.Writer, e LoggedRequest) {
	q := ""
	if e.Query != "" {
		q = "?" + e.Query
	}
	f := ""
	if e.Fault != "" {
		f = " fault=" + e.Fault
	}
	fmt.Fprintf(w, "%s %s%s %d %s%s\n", e.Method, e.Path, q, e.Status, e.Duration.Round(time.Microsecond), f)
}

// sign returns the signature that authorises an unauthenticated download.
func (s *Server) sign(path string) string {
	m := hmac.New(sha256.New, s.signKey)
	m.Write([]byte(path))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	for _, p := range []string{"Bearer ", "bearer ", "token ", "Token "} {
		if t, ok := strings.CutPrefix(h, p); ok {
			t = strings.TrimSpace(t)
			return t, t != ""
		}
	}
	if u, p, ok := r.BasicAuth(); ok {
		if p != "" {
			return p, true
		}
		return u, u != ""
	}
	return strings.TrimSpace(h), true
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:8])
}

// sanitizeQuery drops credentials from a query string before it is logged.
func sanitizeQuery(q url.Values) string {
	for k := range q {
		switch strings.ToLower(k) {
		case "access_token", "token", "client_secret", "sig":
			q.Del(k)
		}
	}
	return q.Encode()
}

// bodyETag is the strong ETag of a body: two CRC-32s (IEEE and
// Castagnoli, both hardware-assisted) and the length, 32 hex digits. It
// only has to change when the body does, and hashing a megabyte page with
// SHA-256 took longer than building it.
func bodyETag(body []byte) string {
	var sum [16]byte
	binary.BigEndian.PutUint32(sum[0:], crc32.ChecksumIEEE(body))
	binary.BigEndian.PutUint32(sum[4:], crc32.Checksum(body, castagnoli))
	binary.BigEndian.PutUint64(sum[8:], uint64(len(body)))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == want {
			return true
		}
	}
	return false
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
