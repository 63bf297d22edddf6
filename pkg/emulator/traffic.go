package emulator

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
)

// Exchange is one API request as a client sent it, with the emulator's
// answer, kept when Options.RecordTraffic is set. Tests validate clients
// with it (what the actions send, checked against GitHub's OpenAPI
// description). It never holds the token: Header has no Authorization,
// whose scheme alone is in Auth.
type Exchange struct {
	Method string `json:"method"`
	// Path is the path as sent, escaped ("/repos/o/r/contents/a%20b"), the
	// enterprise prefix (/api/v3) included.
	Path  string `json:"path"`
	Query string `json:"query,omitempty"` // raw, as sent
	// Header is the request's headers (Authorization and Cookie removed).
	Header http.Header `json:"header,omitempty"`
	Auth   string      `json:"auth,omitempty"` // "Bearer", "token", "Basic" or ""
	Body   []byte      `json:"body,omitempty"`

	Status         int         `json:"status"`
	ResponseHeader http.Header `json:"response_header,omitempty"`
	ResponseBody   []byte      `json:"response_body,omitempty"`
	// Fault is the injected fault that answered, if any.
	Fault string `json:"fault,omitempty"`
}

// Traffic returns the recorded exchanges, oldest first (none unless
// Options.RecordTraffic is set). Reset empties it.
func (s *Server) Traffic() []Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Exchange(nil), s.traffic...)
}

// trafficWriter keeps a copy of the answer for the traffic record.
type trafficWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (tw *trafficWriter) WriteHeader(code int) {
	if tw.status == 0 {
		tw.status = code
	}
	tw.ResponseWriter.WriteHeader(code)
}

func (tw *trafficWriter) Write(p []byte) (int, error) {
	if tw.status == 0 {
		tw.status = http.StatusOK
	}
	tw.body.Write(p)
	return tw.ResponseWriter.Write(p)
}

// Hijack lets a dropped-connection fault reach the connection.
func (tw *trafficWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := tw.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, errors.New("emulator: connection cannot be hijacked")
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (tw *trafficWriter) Unwrap() http.ResponseWriter { return tw.ResponseWriter }

// recordTraffic starts the record of r (an API request, not a control or
// download one): it reads the body (putting back a copy) and returns the
// writer to answer through and the function that files the exchange.
func (s *Server) recordTraffic(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, func(fault func() string)) {
	ex := Exchange{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone()}
	if auth := r.Header.Get("Authorization"); auth != "" {
		ex.Auth, _, _ = strings.Cut(auth, " ")
	}
	ex.Header.Del("Authorization")
	ex.Header.Del("Cookie")
	if r.Body != nil {
		ex.Body, _ = io.ReadAll(r.Body)
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(ex.Body))
	}
	tw := &trafficWriter{ResponseWriter: w}
	return tw, func(fault func() string) {
		ex.Status = tw.status
		ex.ResponseHeader = tw.Header().Clone()
		ex.ResponseBody = bytes.Clone(tw.body.Bytes())
		ex.Fault = fault()
		s.mu.Lock()
		s.traffic = append(s.traffic, ex)
		s.mu.Unlock()
	}
}
