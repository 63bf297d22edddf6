package emulator

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// TestContentCreationLimits: 80 content-generating requests per minute
// and 500 per hour (GitHub's documented secondary limits), answered 403
// with Retry-After and the content-creation message.
func TestContentCreationLimits(t *testing.T) {
	t.Parallel()
	clock := &clockAt{t: testNow}
	s := StartForTest(t, testFixture(), Options{Now: clock.Now})
	c := client(t, s)
	// go-github refuses to send for Retry-After after a secondary limit
	// (by the real clock), so a fresh client follows each limit.
	comment := func() error {
		_, _, err := c.Issues.CreateComment(ctx(), "acme", "tools", 1, &github.IssueComment{Body: github.String("hi")})
		return err
	}
	for i := 0; i < 80; i++ {
		if err := comment(); err != nil {
			t.Fatalf("comment %d: %v", i, err)
		}
	}
	err := comment()
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.GetRetryAfter() != time.Minute ||
		!strings.HasPrefix(abuse.Message, "You have exceeded a secondary rate limit and have been temporarily blocked from content creation.") {
		t.Fatalf("81st comment in a minute: %v, want the content-creation limit with Retry-After 60", err)
	}
	// Minute by minute, 80 more each: the hour allows 500 in all.
	c = client(t, s)
	made := 80
	for made < 500 {
		clock.Add(time.Minute)
		for i := 0; i < 80 && made < 500; i++ {
			if err := comment(); err != nil {
				t.Fatalf("comment %d: %v", made, err)
			}
			made++
		}
	}
	clock.Add(time.Minute)
	err = comment()
	if !errors.As(err, &abuse) {
		t.Fatalf("501st comment in an hour: %v, want a secondary limit", err)
	}
	// The first comments were made at testNow; the next slot frees an hour later.
	if want := testNow.Add(time.Hour).Sub(clock.Now()); abuse.GetRetryAfter() != want {
		t.Errorf("Retry-After = %v, want %v (until the oldest leaves the hour)", abuse.GetRetryAfter(), want)
	}
	if got := len(s.State().Repositories[0].Issues[0].Comments); got != 501 {
		t.Errorf("comments = %d, want 501 (1 fixture + 500 accepted)", got)
	}
	clock.Add(time.Hour)
	c = client(t, s)
	if err := comment(); err != nil {
		t.Errorf("a comment an hour later: %v", err)
	}
}

func TestRequestLogCost(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	if _, _, err := c.Repositories.Get(ctx(), "acme", "tools"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Issues.CreateComment(ctx(), "acme", "tools", 1, &github.IssueComment{Body: github.String("x")}); err != nil {
		t.Fatal(err)
	}
	rawGet(t, s, "/rate_limit", nil)
	rawGet(t, s, "/search/issues?q=repo:acme/tools", nil)
	rawGet(t, s, "/repos/acme/tools", map[string]string{"Authorization": ""})
	rawGet(t, s, "/repos/acme/tools", map[string]string{"If-None-Match": etagOf(t, s, "/repos/acme/tools")})
	type cost struct {
		Path     string
		Budget   string
		Cost     int
		Creating bool
	}
	var got []cost
	for _, r := range s.Requests() {
		b := r.Budget
		if i := strings.Index(b, ":"); i > 0 {
			b = b[:i]
		}
		got = append(got, cost{r.Path, b, r.Cost, r.ContentCreating})
	}
	want := []cost{
		{"/repos/acme/tools", "core/token", 1, false},
		{"/repos/acme/tools/issues/1/comments", "core/token", 1, true},
		{"/rate_limit", "core/token", 0, false},
		{"/search/issues", "search/token", 1, false},
		{"/repos/acme/tools", "core/ip", 1, false},
		{"/repos/acme/tools", "core/token", 1, false}, // etagOf's request
		{"/repos/acme/tools", "core/token", 0, false}, // 304
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request costs (-want +got):\n%s", diff)
	}
}

// etagOf fetches path and returns its ETag.
func etagOf(t *testing.T, s *Server, path string) string {
	t.Helper()
	resp, _ := rawGet(t, s, path, nil)
	return resp.Header.Get("ETag")
}
