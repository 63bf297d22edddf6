package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// benchServer is a server with one repository of n runs and n issues,
// driven through ServeHTTP directly so the numbers are the emulator's own.
func benchServer(b *testing.B, n int) *Server {
	b.Helper()
	f := testFixture()
	repo := &f.Repositories[0]
	for i := 0; i < n; i++ {
		repo.Runs = append(repo.Runs, Run{ID: int64(10_000 + i), WorkflowID: 11, Event: "push", Conclusion: "success",
			HeadBranch: "master", HeadSHA: fakeSHA(fmt.Sprint(i)), CreatedAt: ago(time.Duration(i) * time.Hour),
			Jobs: []Job{{ID: int64(100_000 + i), Name: "build", Conclusion: "success", Steps: []Step{{Name: "Build", Conclusion: "success"}}}}})
		repo.Issues = append(repo.Issues, Issue{Number: 100 + i, Title: fmt.Sprint("issue ", i), User: "octo", Labels: []string{"bug"}, CreatedAt: ago(time.Duration(i) * time.Hour)})
	}
	s, err := NewChecked(f, Options{Now: fixedNow, RateLimit: 1 << 30, SecondaryLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchGet(b *testing.B, s *Server, path string, hdr map[string]string) {
	b.Helper()
	benchGetEach(b, s, path, hdr, nil)
}

// benchGetEach is benchGet calling each (timed) before every request.
func benchGetEach(b *testing.B, s *Server, path string, hdr map[string]string, each func()) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer() // the server's setup is not what is measured
	for i := 0; i < b.N; i++ {
		if each != nil {
			each()
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("User-Agent", "bench")
		req.Header.Set("Authorization", "Bearer t")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusNotModified {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkListRuns is one page of 100 runs out of 1000 with a filter.
func BenchmarkListRuns(b *testing.B) {
	s := benchServer(b, 1000)
	benchGet(b, s, "/repos/acme/tools/actions/runs?per_page=100&status=success&page=3", nil)
}

// BenchmarkListRunsCold is BenchmarkListRuns with the cache of encoded
// runs, repositories and users dropped before every request, as a write
// drops it: the cost of the first read after a change.
func BenchmarkListRunsCold(b *testing.B) {
	s := benchServer(b, 1000)
	benchGetEach(b, s, "/repos/acme/tools/actions/runs?per_page=100&status=success&page=3", nil, func() {
		s.mu.Lock()
		s.invalidateEncoded()
		s.mu.Unlock()
	})
}

// BenchmarkListIssues is one page of 100 issues out of 1000 by label.
func BenchmarkListIssues(b *testing.B) {
	s := benchServer(b, 1000)
	benchGet(b, s, "/repos/acme/tools/issues?per_page=100&labels=bug", nil)
}

// BenchmarkConditionalGet is a 304 answer to If-None-Match.
func BenchmarkConditionalGet(b *testing.B) {
	s := benchServer(b, 10)
	req := httptest.NewRequest(http.MethodGet, "/repos/acme/tools", nil)
	req.Header.Set("User-Agent", "bench")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	benchGet(b, s, "/repos/acme/tools", map[string]string{"If-None-Match": w.Header().Get("ETag")})
}
