package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// hostileLabel is the stale_label value from issue #10: through go-github's
// RemoveLabelForIssue it became DELETE …/git/refs/heads/docs/cloudsmith-oidc.
const hostileLabel = "../../../git/refs/heads/docs/cloudsmith-oidc"

func TestPathSegment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "bug", want: "bug"},
		{in: "lifecycle/stale", want: "lifecycle%2Fstale"},
		{in: "good first issue", want: "good%20first%20issue"},
		{in: "ü-release", want: "%C3%BC-release"},
		{in: "a?b#c", want: "a%3Fb%23c"},
		{in: "100%", want: "100%25"},
		{in: "%2e%2e", want: "%252e%252e"}, // literal percent signs, not dots
		{in: "v1.2..3", want: "v1.2..3"},
		{in: "...", want: "..."},
		{in: ".github", want: ".github"},
		{in: "ci.yml", want: "ci.yml"},
		{in: "", bad: true},
		{in: ".", bad: true},
		{in: "..", bad: true},
		{in: hostileLabel, bad: true},
		{in: "a/../b", bad: true},
		{in: "x/.", bad: true},
		{in: `..\x`, bad: true},
	}
	for _, tt := range tests {
		got, err := PathSegment(tt.in)
		var pe *PathError
		switch {
		case tt.bad && !errors.As(err, &pe):
			t.Errorf("PathSegment(%q) = %q, %v; want a *PathError", tt.in, got, err)
		case tt.bad && pe.Value != tt.in:
			t.Errorf("PathSegment(%q) error names %q", tt.in, pe.Value)
		case !tt.bad && (err != nil || got != tt.want):
			t.Errorf("PathSegment(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	_, err := PathSegment(strings.Repeat("../", 200))
	if pe := (*PathError)(nil); !errors.As(err, &pe) || len(pe.Value) > maxErrorValue+len("…") {
		t.Errorf("long value not cut in the error: %v", err)
	}
}

// recordingTransport counts what reaches it.
type recordingTransport struct{ n atomic.Int32 }

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.n.Add(1)
	return &http.Response{StatusCode: 204, Body: http.NoBody, Request: req, Header: http.Header{}}, nil
}

func TestPathGuard(t *testing.T) {
	t.Parallel()
	route := func(segs ...string) func(context.Context) context.Context {
		return func(ctx context.Context) context.Context { return WithRoute(ctx, segs...) }
	}
	tests := []struct {
		name   string
		url    string
		ctx    func(context.Context) context.Context
		value  string // "" = allowed
		opaque string // sets URL.Opaque (a path url.Parse would reject)
		redire bool
	}{
		{name: "plain", url: "https://api.github.com/repos/o/r/issues/1/labels/bug"},
		{name: "raw_dot_dot", url: "https://api.github.com/repos/o/r/issues/1/labels/../../../git/refs/heads/x", value: ".."},
		{name: "raw_dot", url: "https://api.github.com/repos/o/./r", value: "."},
		{name: "encoded_dots", url: "https://api.github.com/repos/o/r/issues/1/labels/%2e%2E/%2E%2e/git", value: ".."},
		{name: "dots_behind_encoded_slash", url: "https://api.github.com/repos/o/r/issues/1/labels/..%2F..%2Fgit", value: "../../git"},
		{name: "dots_behind_encoded_backslash", url: "https://api.github.com/repos/o/r/labels/..%5Cx", value: `..\x`},
		{name: "bad_escape", url: "https://api.github.com/", opaque: "//api.github.com/repos/o/r/labels/%zz", value: "%zz"},
		{name: "dots_in_a_name", url: "https://api.github.com/repos/o/r.js/contents/a..b/...", value: ""},
		{name: "declared_route_matches", url: "https://api.github.com/api/v3/repos/o/r/issues/1/labels/lifecycle%2Fstale",
			ctx: route("repos", "o", "r", "issues", "1", "labels", "lifecycle/stale")},
		{name: "declared_route_unescaped_slash", url: "https://api.github.com/repos/o/r/issues/1/labels/lifecycle/stale",
			ctx: route("repos", "o", "r", "issues", "1", "labels", "lifecycle/stale"), value: "lifecycle/stale"},
		{name: "declared_route_climbed", url: "https://api.github.com/repos/o/r/git/refs/heads/x",
			ctx: route("repos", "o", "r", "issues", "1", "labels", "x"), value: "labels"}, // where the paths part
		{name: "declared_hostile_segment", url: "https://api.github.com/repos/o/r/issues/1/labels/x",
			ctx: route("repos", "o", "r", "issues", "1", "labels", hostileLabel), value: hostileLabel},
		{name: "declared_query_injection", url: "https://api.github.com/repos/o/r/labels/bug?x=1",
			ctx: route("repos", "o", "r", "labels", "bug?x=1"), value: "bug?x=1"},
		{name: "redirect_not_checked_against_route", url: "https://objects.example.com/logs/1.txt",
			ctx: route("repos", "o", "r", "actions", "jobs", "1", "logs"), redire: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingTransport{}
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodDelete, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.opaque != "" {
				req.URL.Opaque = tt.opaque
			}
			if tt.redire {
				req.Response = &http.Response{StatusCode: http.StatusFound}
			}
			_, err = PathGuard(rec).RoundTrip(req)
			if tt.value == "" {
				if err != nil || rec.n.Load() != 1 {
					t.Fatalf("RoundTrip = %v, sent %d; want it sent", err, rec.n.Load())
				}
				return
			}
			var pe *PathError
			if !errors.As(err, &pe) {
				t.Fatalf("RoundTrip error = %v, want a *PathError", err)
			}
			if rec.n.Load() != 0 {
				t.Errorf("refused request reached the transport")
			}
			if pe.Value != tt.value || pe.Method != http.MethodDelete || !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.value)) {
				t.Errorf("PathError = %+v; want value %q", pe, tt.value)
			}
		})
	}
}

// guardFixture has one repository with the branch the hostile label
// aimed at and an issue labelled "lifecycle/stale" (a Kubernetes-style
// label) and "bug".
func guardFixture(now time.Time) *emulator.Fixture {
	sha := strings.Repeat("ab", 20)
	return &emulator.Fixture{
		ReferenceTime: now,
		Repositories: []emulator.Repository{{
			Owner: emuOwner, Name: "tools", DefaultBranch: "main", CreatedAt: now.AddDate(-1, 0, 0),
			Branches: []emulator.Branch{
				{Name: "main", Commit: emulator.Commit{SHA: sha, Author: "octocat", Date: now.AddDate(0, -1, 0)}},
				{Name: "docs/cloudsmith-oidc", Commit: emulator.Commit{SHA: sha, Author: "octocat", Date: now.AddDate(0, -1, 0)}},
			},
			Issues: []emulator.Issue{{Number: 1, Title: "old", User: "octocat", Labels: []string{"lifecycle/stale", "bug"}, CreatedAt: now.AddDate(0, -3, 0)}},
		}},
	}
}

type loggedReq struct {
	Method, Path string
	Status       int
}

func requestsOf(s *emulator.Server) []loggedReq {
	var out []loggedReq
	for _, r := range s.Requests() {
		out = append(out, loggedReq{r.Method, r.Path, r.Status})
	}
	return out
}

func branchNames(s *emulator.Server) []string {
	var out []string
	for _, b := range s.State().Repositories[0].Branches {
		out = append(out, b.Name)
	}
	slices.Sort(out)
	return out
}

func issueLabels(s *emulator.Server) []string {
	return s.State().Repositories[0].Issues[0].Labels
}

// TestPathGuard_emulator removes labels through go-github, as action-stale
// does, against the emulator.
func TestPathGuard_emulator(t *testing.T) {
	t.Parallel()
	now := time.Now()
	start := func(t *testing.T) (*emulator.Server, *Client) {
		s := emulator.StartForTest(t, guardFixture(now), emulator.Options{})
		c, err := New(Config{Token: testToken, APIURL: s.URL(), MaxRetries: -1, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return s, c
	}
	route := func(label string) context.Context {
		return WithRoute(context.Background(), "repos", emuOwner, "tools", "issues", "1", "labels", label)
	}
	wantBranches := []string{"docs/cloudsmith-oidc", "main"}

	// Without the guard the attack works: proof the emulator routes the
	// climbed path to the branch deletion, so the refusals below matter.
	t.Run("unguarded_go_github_deletes_the_branch", func(t *testing.T) {
		t.Parallel()
		s := emulator.StartForTest(t, guardFixture(now), emulator.Options{})
		gh := github.NewClient(nil).WithAuthToken(testToken)
		gh.BaseURL, _ = url.Parse(s.URL() + "/")
		_, _ = gh.Issues.RemoveLabelForIssue(context.Background(), emuOwner, "tools", 1, hostileLabel)
		want := []loggedReq{{http.MethodDelete, "/repos/sparesparrow/tools/git/refs/heads/docs/cloudsmith-oidc", http.StatusNoContent}}
		if diff := cmp.Diff(want, requestsOf(s)); diff != "" {
			t.Fatalf("the unguarded attack went differently (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"main"}, branchNames(s)); diff != "" {
			t.Errorf("branches (-want +got):\n%s", diff)
		}
	})

	t.Run("hostile_label_escaped_is_refused_by_PathSegment", func(t *testing.T) {
		t.Parallel()
		s, _ := start(t)
		var pe *PathError
		if _, err := PathSegment(hostileLabel); !errors.As(err, &pe) || pe.Value != hostileLabel {
			t.Fatalf("PathSegment(hostile) error = %v", err)
		}
		if reqs := requestsOf(s); len(reqs) != 0 {
			t.Errorf("requests: %v", reqs)
		}
	})

	t.Run("hostile_label_not_escaped_is_refused_by_the_guard", func(t *testing.T) {
		t.Parallel()
		s, c := start(t)
		_, err := c.Issues.RemoveLabelForIssue(route(hostileLabel), emuOwner, "tools", 1, hostileLabel)
		var pe *PathError
		if !errors.As(err, &pe) || pe.Value != hostileLabel {
			t.Fatalf("error = %v, want a *PathError naming the label", err)
		}
		if reqs := requestsOf(s); len(reqs) != 0 {
			t.Errorf("the emulator saw requests: %v", reqs)
		}
		if diff := cmp.Diff(wantBranches, branchNames(s)); diff != "" {
			t.Errorf("branches (-want +got):\n%s", diff)
		}
		if st := c.Stats(); st.Requests != 0 {
			t.Errorf("Stats().Requests = %d: a refused request was counted", st.Requests)
		}
	})

	t.Run("lifecycle_stale_escaped_removes_the_label", func(t *testing.T) {
		t.Parallel()
		s, c := start(t)
		seg, err := PathSegment("lifecycle/stale")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Issues.RemoveLabelForIssue(route("lifecycle/stale"), emuOwner, "tools", 1, seg); err != nil {
			t.Fatalf("RemoveLabelForIssue: %v", err)
		}
		// The emulator logs the decoded path; its router took
		// "lifecycle%2Fstale" as one {name} segment.
		want := []loggedReq{{http.MethodDelete, "/repos/sparesparrow/tools/issues/1/labels/lifecycle/stale", http.StatusOK}}
		if diff := cmp.Diff(want, requestsOf(s)); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"bug"}, issueLabels(s)); diff != "" {
			t.Errorf("labels (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantBranches, branchNames(s)); diff != "" {
			t.Errorf("branches (-want +got):\n%s", diff)
		}
	})

	t.Run("lifecycle_stale_not_escaped_is_refused", func(t *testing.T) {
		t.Parallel()
		s, c := start(t)
		_, err := c.Issues.RemoveLabelForIssue(route("lifecycle/stale"), emuOwner, "tools", 1, "lifecycle/stale")
		var pe *PathError
		if !errors.As(err, &pe) || pe.Value != "lifecycle/stale" {
			t.Fatalf("error = %v, want a *PathError naming the label", err)
		}
		if reqs := requestsOf(s); len(reqs) != 0 {
			t.Errorf("the emulator saw requests: %v", reqs)
		}
		if diff := cmp.Diff([]string{"lifecycle/stale", "bug"}, issueLabels(s)); diff != "" {
			t.Errorf("labels (-want +got):\n%s", diff)
		}
	})

	t.Run("guard_passes_ordinary_traffic", func(t *testing.T) {
		t.Parallel()
		s, c := start(t)
		ctx := WithRoute(context.Background(), "repos", emuOwner, "tools", "branches", "docs/cloudsmith-oidc")
		b, _, err := c.Repositories.GetBranch(ctx, emuOwner, "tools", "docs/cloudsmith-oidc", 0) // go-github escapes this one itself
		if err != nil || b.GetName() != "docs/cloudsmith-oidc" {
			t.Fatalf("GetBranch = %v, %v", b.GetName(), err)
		}
		labels, _, err := c.Issues.ListLabelsByIssue(context.Background(), emuOwner, "tools", 1, nil)
		if err != nil || len(labels) != 2 {
			t.Fatalf("ListLabelsByIssue = %d labels, %v", len(labels), err)
		}
		if n := len(s.Requests()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
}

func TestPathAndRepoPath(t *testing.T) {
	t.Parallel()
	p, err := Path("repos", "o", "r", "issues", "1", "labels", "lifecycle/stale")
	if err != nil || p != "/repos/o/r/issues/1/labels/lifecycle%2Fstale" {
		t.Errorf("Path = %q, %v", p, err)
	}
	p, err = Path(append([]string{"repos", "o", "r", "git", "refs", "heads"}, Segments("feature/x y")...)...)
	if err != nil || p != "/repos/o/r/git/refs/heads/feature/x%20y" {
		t.Errorf("Path(branch) = %q, %v", p, err)
	}
	for _, bad := range [][]string{{"repos", "o", "r", "issues", "1", "labels", "../../../git/refs/heads/x"}, {"repos", ".."}, {"repos", ""}} {
		var pe *PathError
		if _, err := Path(bad...); !errors.As(err, &pe) {
			t.Errorf("Path(%q) error = %v, want a *PathError", bad, err)
		}
	}
	if o, r, err := RepoPath("octo-org/hello.world"); err != nil || o != "octo-org" || r != "hello.world" {
		t.Errorf("RepoPath = %q %q %v", o, r, err)
	}
	for _, bad := range []string{"../../user", "o/r/x", "o/..", "o/r?x=1", "noslash", ""} {
		var pe *PathError
		if _, _, err := RepoPath(bad); !errors.As(err, &pe) {
			t.Errorf("RepoPath(%q) error = %v, want a *PathError", bad, err)
		}
	}
}

// TestRepoSegmentsOf: a parsed repository gives the segments its
// "owner/name" gives RepoSegments, each escaped as one segment.
func TestRepoSegmentsOf(t *testing.T) {
	t.Parallel()
	for _, r := range []ghname.Repo{{Owner: "acme", Name: "app"}, {Owner: "acme", Name: "a?b#c"}, {Owner: "o", Name: "x%2F.."}} {
		o, n := RepoSegmentsOf(r)
		wo, wn := RepoSegments(r.String())
		if o != wo || n != wn {
			t.Errorf("RepoSegmentsOf(%+v) = %q, %q; RepoSegments(%q) = %q, %q", r, o, n, r.String(), wo, wn)
		}
		if strings.Contains(o+n, "/") || strings.ContainsAny(o+n, "?#") {
			t.Errorf("RepoSegmentsOf(%+v) = %q, %q: not single segments", r, o, n)
		}
	}
}
