package ghclient

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// RedactBodies wraps next so that the body of every request it sends
// passes through red first (nil: pkg/redact's rules alone): JSON bodies
// string by string (redact.JSON, the document stays valid), text and form
// bodies as text. It is the one place issue, comment and pull request
// bodies and titles, dispatch payloads and webhook payloads leave by: New
// installs it in every client (Config.Redactor), and actions/alert sends
// its Slack, Teams and generic webhooks through it.
//
// Left as they are: bodies that are neither JSON nor text (uploads), and
// the repository content the contents and git data APIs carry (PUT
// …/contents/…, POST …/git/blobs, …/git/trees, …/git/commits): that is
// the repository's own text, committed as it was read, not the program's
// report of untrusted input.
func RedactBodies(next http.RoundTripper, red *redact.Redactor) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if red == nil {
		red = redact.New()
	}
	return &redactBodies{next: next, red: red}
}

type redactBodies struct {
	next http.RoundTripper
	red  *redact.Redactor
}

// maxRedactedBody bounds the body read into memory to redact; a larger
// body (none of the API's text bodies is: an issue body is at most 65,536
// characters) is sent as it is.
const maxRedactedBody = 16 << 20

func (t *redactBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || repositoryContent(req) {
		return t.next.RoundTrip(req)
	}
	kind := bodyKind(req.Header.Get("Content-Type"))
	if kind == "" || req.ContentLength > maxRedactedBody {
		return t.next.RoundTrip(req)
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, maxRedactedBody+1))
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(data) > maxRedactedBody {
		return nil, &PathError{Method: req.Method, Path: requestPath(req.URL), Reason: "request body too large to redact"}
	}
	var out []byte
	switch kind {
	case "json":
		out = t.red.JSON(data)
	default:
		s := string(data)
		if red := t.red.String(s); red != s {
			out = []byte(red)
		} else {
			out = data
		}
	}
	r2 := req.Clone(req.Context())
	r2.Body = io.NopCloser(bytes.NewReader(out))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(out)), nil }
	r2.ContentLength = int64(len(out))
	if r2.Header.Get("Content-Length") != "" {
		r2.Header.Set("Content-Length", strconv.Itoa(len(out)))
	}
	return t.next.RoundTrip(r2)
}

// bodyKind is "json", "text" or "" (not redacted) for a Content-Type. A
// request without one is treated as JSON when it is JSON (go-github always
// sets it; some webhook senders do not).
func bodyKind(contentType string) string {
	if contentType == "" {
		return "json"
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "text"
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return "json"
	case strings.HasPrefix(mt, "text/"), mt == "application/x-www-form-urlencoded":
		return "text"
	}
	return ""
}

// repositoryContent reports whether req carries repository content (see
// RedactBodies).
func repositoryContent(req *http.Request) bool {
	p := req.URL.Path
	switch {
	case req.Method == http.MethodPut && strings.Contains(p, "/contents/"):
		return true
	case req.Method == http.MethodPost && (strings.HasSuffix(p, "/git/blobs") || strings.HasSuffix(p, "/git/trees") || strings.HasSuffix(p, "/git/commits")):
		return true
	}
	return false
}
