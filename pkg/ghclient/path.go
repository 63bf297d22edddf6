package ghclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// Untrusted values in request paths.
//
// go-github v62 builds many URLs with fmt.Sprintf and no escaping (for
// example "repos/%v/%v/issues/%d/labels/%v" in RemoveLabelForIssue) and
// resolves them against BaseURL with url.Parse, which removes dot-segments
// (RFC 3986 §5.2.4). So a label "../../../git/refs/heads/x" turns "remove a
// label" into DELETE /repos/{o}/{r}/git/refs/heads/x, and a label with a
// slash ("lifecycle/stale") addresses a route that does not exist. Two
// defences:
//
//   - PathSegment escapes a value as exactly one segment (url.PathEscape,
//     so "/" becomes %2F and "?" %3F) and refuses the values no escaping
//     makes safe ("", ".", "..", or dot-segments between slashes, which a
//     server that decodes %2F before routing would climb with). Callers
//     pass its result to go-github wherever go-github does not escape.
//   - PathGuard, installed by New around the client's transport, refuses
//     before sending any request whose path holds a dot-segment (raw or
//     percent-encoded, also hidden behind %2F or %5C), and any request
//     whose path is not the route its context declares (WithRoute), which
//     is what a forgotten PathSegment looks like after url.Parse resolved
//     the dots away. The refusal is a *PathError naming the value.

// maxErrorValue bounds how much of an offending value a PathError quotes.
const maxErrorValue = 200

// PathError reports an untrusted value that cannot be used as a URL path
// segment, or a request refused before it was sent because its path would
// not address the route the caller meant. Nothing was sent. Branch on it
// with errors.As (go-github and net/http wrap it in a *url.Error).
type PathError struct {
	// Method and Path (escaped, without query) identify the refused
	// request; both are empty when PathSegment refused a value.
	Method, Path string
	// Route is the path the caller declared with WithRoute (escaped), if
	// any.
	Route string
	// Value is the offending value (the declared segment, or the decoded
	// dot-segment), cut to 200 bytes.
	Value string
	// Reason says what is wrong and what is allowed.
	Reason string
}

func (e *PathError) Error() string {
	if e.Method == "" && e.Path == "" {
		return fmt.Sprintf("invalid path segment %q: %s", e.Value, e.Reason)
	}
	msg := fmt.Sprintf("refused %s %s before sending it: value %q: %s", e.Method, e.Path, e.Value, e.Reason)
	if e.Route != "" {
		msg += " (declared route " + e.Route + ")"
	}
	return msg
}

func cut(s string) string {
	if len(s) <= maxErrorValue {
		return s
	}
	// Cut on a rune boundary.
	n := maxErrorValue
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// dotSegment reports whether a decoded segment is, or hides behind an
// encoded separator ('/' or '\'), a dot-segment.
func dotSegment(dec string) bool {
	for _, piece := range strings.FieldsFunc(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
		if piece == "." || piece == ".." {
			return true
		}
	}
	return dec == "." || dec == ".."
}

// PathSegment returns value escaped as one URL path segment
// (url.PathEscape: "lifecycle/stale" → "lifecycle%2Fstale", "good first
// issue" → "good%20first%20issue"), for passing names (labels, branches,
// owners, repositories, workflow files) into go-github methods that put
// them into a path unescaped. It refuses, with a *PathError, an empty
// value and any value that is or contains a dot-segment between slashes
// or backslashes ("..", "../x", "a/./b"), which no escaping makes safe
// against a server that decodes before it routes.
func PathSegment(value string) (string, error) {
	switch {
	case value == "":
		return "", &PathError{Value: value, Reason: "must not be empty"}
	case dotSegment(value):
		return "", &PathError{Value: cut(value), Reason: `must not be "." or ".." or contain them between slashes (it would address another route)`}
	}
	return url.PathEscape(value), nil
}

type routeKey struct{}

// WithRoute returns a context declaring the route of the request made with
// it: the path segments after the API prefix, unescaped, e.g.
//
//	ctx = ghclient.WithRoute(ctx, "repos", owner, repo, "issues", strconv.Itoa(n), "labels", label)
//	seg, err := ghclient.PathSegment(label)
//	…
//	_, err = gh.Issues.RemoveLabelForIssue(ctx, owner, repo, n, seg)
//
// PathGuard then refuses the request unless its escaped path ends with
// "/" + each segment escaped by PathSegment, joined by "/", and refuses it
// outright when a declared segment is one PathSegment refuses. Use such a
// context for the one call it describes (requests that follow a redirect
// are not checked against it). Segments that hold several path segments
// on purpose (a ref such as "heads/feature/x" that go-github escapes piece
// by piece) are declared split: "heads", "feature", "x".
func WithRoute(ctx context.Context, segments ...string) context.Context {
	return context.WithValue(ctx, routeKey{}, append([]string(nil), segments...))
}

func routeFrom(ctx context.Context) ([]string, bool) {
	r, ok := ctx.Value(routeKey{}).([]string)
	return r, ok
}

// PathGuard wraps next so that a request is refused, with a *PathError
// and before anything is sent, when:
//
//   - a segment of its escaped path decodes to "." or "..", or hides one
//     behind an encoded '/' or '\' ("%2e%2E", "..%2F..", "..%5C");
//   - a segment is not valid percent-encoding;
//   - its context declares a route (WithRoute) and the request, unless it
//     follows a redirect, does not have exactly that path after its API
//     prefix, or a declared segment is one PathSegment refuses.
//
// New installs it outermost, so a refused request is neither retried nor
// counted.
func PathGuard(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &pathGuard{next: next}
}

type pathGuard struct{ next http.RoundTripper }

func (g *pathGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkPath(req); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper must close the body, even on errors
		}
		return nil, err
	}
	return g.next.RoundTrip(req)
}

// requestPath is the path as it goes on the wire.
func requestPath(u *url.URL) string {
	if u.Opaque != "" {
		p := u.Opaque
		if strings.HasPrefix(p, "//") { // "//host/path"
			if i := strings.IndexByte(p[2:], '/'); i >= 0 {
				return p[2+i:]
			}
			return "/"
		}
		return p
	}
	return u.EscapedPath()
}

func checkPath(req *http.Request) error {
	path := requestPath(req.URL)
	refuse := func(value, reason, route string) error {
		return &PathError{Method: req.Method, Path: path, Route: route, Value: cut(value), Reason: reason}
	}
	for _, seg := range strings.Split(path, "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return refuse(seg, "path segment is not valid percent-encoding", "")
		}
		if dotSegment(dec) {
			return refuse(dec, "the path holds a dot-segment, which would address another route", "")
		}
	}
	segs, ok := routeFrom(req.Context())
	if !ok || req.Response != nil {
		return nil
	}
	escaped := make([]string, len(segs))
	for i, s := range segs {
		e, err := PathSegment(s)
		if err != nil {
			return refuse(s, "declared path segment "+err.(*PathError).Reason, "")
		}
		escaped[i] = e
	}
	route := "/" + strings.Join(escaped, "/")
	if strings.HasSuffix(path, route) {
		return nil
	}
	// Name the declared segment that did not arrive where it was meant to:
	// compare from the end, where go-github puts the untrusted values.
	have := strings.Split(path, "/")
	value := segs[len(segs)-1]
	for i := 1; i <= len(segs); i++ {
		if i > len(have) || have[len(have)-i] != escaped[len(escaped)-i] {
			value = segs[len(segs)-i]
			break
		}
	}
	return refuse(value, "the request path is not the declared route (a value not escaped with ghclient.PathSegment?)", route)
}

// Path returns the request path "/seg/seg/…" of segments, each escaped by
// PathSegment, for code that builds its own request paths; with
// WithRoute(ctx, segments...) the guard then checks the request against
// the same segments. A segment PathSegment refuses is a *PathError and
// nothing can be sent. A name that spans several segments on purpose (a
// branch "feature/x" in …/git/refs/heads/feature/x) is passed split
// ("feature", "x"); see Segments.
func Path(segments ...string) (string, error) {
	var b strings.Builder
	for _, s := range segments {
		e, err := PathSegment(s)
		if err != nil {
			return "", err
		}
		b.WriteString("/" + e)
	}
	return b.String(), nil
}

// Segments splits a slash-separated name (a branch or ref) into the path
// segments GitHub's multi-segment parameters take, for Path and WithRoute.
func Segments(name string) []string { return strings.Split(name, "/") }

// RepoPath splits "owner/name" into its owner and repository name, checked
// against GitHub's naming rules (pkg/ghname ParseRepo) and escaped as path
// segments, for go-github methods that put them into a path unescaped
// ("repos/%v/%v/…"). A malformed name is a *PathError: nothing can be
// sent for it.
func RepoPath(fullName string) (owner, name string, err error) {
	r, perr := ghname.ParseRepo(fullName, "")
	if perr != nil {
		return "", "", &PathError{Value: cut(fullName), Reason: "is not a repository: " + perr.(*ghname.RepoError).Reason}
	}
	if owner, err = PathSegment(r.Owner); err != nil {
		return "", "", err
	}
	if name, err = PathSegment(r.Name); err != nil {
		return "", "", err
	}
	return owner, name, nil
}

// RepoSegments splits "owner/name" at its first '/' and escapes each half
// as one path segment (url.PathEscape), for call sites that cannot fail:
// whatever the name holds (a '?', another '/'), it stays inside its two
// segments, and a half that is "." or ".." is refused by the guard before
// anything is sent. Prefer RepoPath where an error can be returned.
func RepoSegments(fullName string) (owner, name string) {
	o, n, _ := strings.Cut(fullName, "/")
	return url.PathEscape(o), url.PathEscape(n)
}

// RepoSegmentsOf escapes a parsed repository's owner and name as one path
// segment each, like RepoSegments without formatting and splitting it again.
func RepoSegmentsOf(r ghname.Repo) (owner, name string) {
	return url.PathEscape(r.Owner), url.PathEscape(r.Name)
}
