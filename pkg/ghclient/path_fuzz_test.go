package ghclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// FuzzPathSegment feeds any string as a label into the three ways code
// puts a name into a request path: go-github with PathSegment, go-github
// with the raw value (a forgotten PathSegment), and Path for a request
// built by hand; each with WithRoute declared. Whatever the string, the
// server sees either exactly the intended route with exactly that label,
// or nothing (an error before sending: a *PathError, or for a raw value
// go-github's URL parse error). Never another route.
func FuzzPathSegment(f *testing.F) {
	for _, s := range []string{"stale", "lifecycle/stale", "../../../git/refs/heads/main", "..", ".", "%2e%2e", "..%2Fx", "a?b=c", "a#b",
		`a\..\b`, "100%", "a%2Fb", "a b", "x\ny", "%252e%252e", "a/%2e%2e/b", "é/ü", "", "//", "a//b", "?", "#", ";x", "\x00"} {
		f.Add(s)
	}
	var (
		mu   sync.Mutex
		seen []string // "label:<name>" or "other:<method> <path>"
	)
	// The route is matched on the escaped path, as GitHub routes: the
	// label is one segment (no unescaped '/') that decodes to the label.
	// (Go's ServeMux is not used: it does not match a segment "%2F".)
	const prefix = "/repos/o/r/issues/1/labels/"
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.EscapedPath()
		rest, ok := strings.CutPrefix(p, prefix)
		name, err := url.PathUnescape(rest)
		mu.Lock()
		if r.Method == http.MethodDelete && ok && rest != "" && !strings.Contains(rest, "/") && err == nil {
			seen = append(seen, "label:"+name)
		} else {
			seen = append(seen, "other:"+r.Method+" "+p)
		}
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("[]"))
	})
	srv := httptest.NewServer(mux)
	f.Cleanup(srv.Close)
	c, err := New(Config{APIURL: srv.URL, MaxRetries: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, label string) {
		route := []string{"repos", "o", "r", "issues", "1", "labels", label}
		ctx := WithRoute(context.Background(), route...)
		check := func(how string, err error) {
			t.Helper()
			mu.Lock()
			got := seen
			seen = nil
			mu.Unlock()
			if len(got) == 0 {
				// Refused before sending: by the guard or PathSegment (a
				// *PathError), or by go-github's URL parsing (a raw "%").
				var pe *PathError
				if err == nil || how != "raw" && !errors.As(err, &pe) {
					t.Fatalf("%s %q: nothing sent, error %v", how, label, err)
				}
				return
			}
			for _, g := range got {
				if g != "label:"+label {
					t.Fatalf("%s %q: the server saw %q", how, label, g)
				}
			}
		}
		if seg, err := PathSegment(label); err == nil {
			_, err = c.Issues.RemoveLabelForIssue(ctx, "o", "r", 1, seg)
			check("PathSegment", err)
		} else {
			check("PathSegment refused", err)
		}
		_, err := c.Issues.RemoveLabelForIssue(ctx, "o", "r", 1, label)
		check("raw", err)
		p, err := Path(route...)
		if err == nil {
			var req *http.Request
			if req, err = c.NewRequest(http.MethodDelete, strings.TrimPrefix(p, "/"), nil); err == nil {
				_, err = c.Do(ctx, req, nil)
			}
		}
		check("Path", err)
	})
}
