package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// rawGet sends a GET like go-github would (User-Agent, version, token).
func rawGet(t *testing.T, s *Server, path string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	return rawDo(t, s, http.MethodGet, path, "", hdr)
}

func rawDo(t *testing.T, s *Server, method, path, body string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "emulator-test")
	req.Header.Set("Authorization", "Bearer test-token")
	req.Header.Set("X-GitHub-Api-Version", APIVersion)
	for k, v := range hdr {
		if v == "" && k == "User-Agent" {
			req.Header[k] = []string{""} // Go sends no User-Agent at all
		} else if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := HTTPClientForTest(t).Transport.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestGetRepository(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	repo, _, err := client(t, s).Repositories.Get(ctx(), "acme", "tools")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"full_name": repo.GetFullName(), "default_branch": repo.GetDefaultBranch(), "id": repo.GetID(),
		"owner_type": repo.GetOwner().GetType(), "org": repo.GetOrganization().GetLogin(),
		"pushed_at": repo.GetPushedAt().UTC(), "open_issues": repo.GetOpenIssuesCount(), "topics": repo.Topics,
	}
	want := map[string]any{
		"full_name": "acme/tools", "default_branch": "master", "id": int64(5001), "owner_type": "Organization", "org": "acme",
		"pushed_at": served(ago(day)), "open_issues": 3, "topics": []string{"conan"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("repository (-want +got):\n%s", diff)
	}
}

func TestRepositoryStatus(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	tests := []struct {
		name       string
		repo       string
		wantStatus int
		wantMsg    string
	}{
		{name: "unknown_repo", repo: "nope", wantStatus: 404, wantMsg: "Not Found"},
		{name: "status_404", repo: "gone", wantStatus: 404, wantMsg: "Not Found"},
		{name: "status_403", repo: "blocked", wantStatus: 403, wantMsg: "Repository access blocked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := c.Repositories.Get(ctx(), "acme", tt.repo)
			var er *github.ErrorResponse
			if !errors.As(err, &er) {
				t.Fatalf("error = %v, want *github.ErrorResponse", err)
			}
			if er.Response.StatusCode != tt.wantStatus || er.Message != tt.wantMsg {
				t.Errorf("got %d %q, want %d %q", er.Response.StatusCode, er.Message, tt.wantStatus, tt.wantMsg)
			}
		})
	}
	t.Run("not_found_body", func(t *testing.T) {
		t.Parallel()
		resp, body := rawGet(t, s, "/repos/acme/gone", nil)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 404 || m["message"] != "Not Found" || m["status"] != "404" || !strings.HasPrefix(m["documentation_url"].(string), "https://docs.github.com/") {
			t.Errorf("404 body = %s", body)
		}
	})
	t.Run("moved_301_followed", func(t *testing.T) {
		t.Parallel()
		repo, _, err := c.Repositories.Get(ctx(), "acme", "old-name")
		if err != nil {
			t.Fatal(err)
		}
		if repo.GetFullName() != "acme/tools" {
			t.Errorf("followed redirect to %q, want acme/tools", repo.GetFullName())
		}
		resp, _ := rawGet(t, s, "/repos/acme/old-name/branches?per_page=5", nil)
		if resp.StatusCode != 301 || resp.Header.Get("Location") != s.URL()+"/repositories/5001/branches?per_page=5" {
			t.Errorf("301 = %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func TestRequestValidation(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	tests := []struct {
		name    string
		hdr     map[string]string
		want    int
		wantMsg string
	}{
		{name: "missing_user_agent", hdr: map[string]string{"User-Agent": ""}, want: 403, wantMsg: "User-Agent"},
		{name: "unsupported_version", hdr: map[string]string{"X-GitHub-Api-Version": "2099-01-01"}, want: 400, wantMsg: "API version '2099-01-01' is not supported."},
		{name: "no_version_is_fine", hdr: map[string]string{"X-GitHub-Api-Version": ""}, want: 200},
		{name: "anonymous_read_is_fine", hdr: map[string]string{"Authorization": ""}, want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := rawGet(t, s, "/repos/acme/tools", tt.hdr)
			if resp.StatusCode != tt.want || !strings.Contains(string(body), tt.wantMsg) {
				t.Errorf("got %d %s, want %d containing %q", resp.StatusCode, body, tt.want, tt.wantMsg)
			}
		})
	}
	t.Run("unknown_method_404", func(t *testing.T) {
		t.Parallel()
		resp, body := rawDo(t, s, "PUT", "/repos/acme/tools/pulls", `{}`, nil)
		if resp.StatusCode != 404 || !strings.Contains(string(body), `"Not Found"`) {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("anonymous_write_401", func(t *testing.T) {
		t.Parallel()
		resp, body := rawDo(t, s, "POST", "/repos/acme/tools/issues", `{"title":"x"}`, map[string]string{"Authorization": ""})
		if resp.StatusCode != 401 || !strings.Contains(string(body), "Requires authentication") {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("private_repo_invisible_anonymously", func(t *testing.T) {
		t.Parallel()
		if resp, _ := rawGet(t, s, "/repos/acme/secret", map[string]string{"Authorization": ""}); resp.StatusCode != 404 {
			t.Errorf("anonymous private repo = %d, want 404", resp.StatusCode)
		}
		if resp, _ := rawGet(t, s, "/repos/acme/secret", nil); resp.StatusCode != 200 {
			t.Errorf("authenticated private repo = %d, want 200", resp.StatusCode)
		}
	})
}

func TestTokensAndPermissions(t *testing.T) {
	t.Parallel()
	f := testFixture()
	f.Tokens = map[string]Token{
		"reader": {Login: "octo", Permissions: map[string]string{"issues": "read", "contents": "read"}},
		"writer": {Login: "mona", Permissions: map[string]string{"issues": "write"}},
		"all":    {Login: "github-actions[bot]"},
	}
	s := StartForTest(t, f, Options{Now: fixedNow})
	mk := func(tok string) *github.Client {
		c := github.NewClient(HTTPClientForTest(t)).WithAuthToken(tok)
		c.BaseURL, _ = c.BaseURL.Parse(s.URL() + "/")
		return c
	}
	t.Run("unknown_token_401", func(t *testing.T) {
		t.Parallel()
		_, _, err := mk("bogus").Repositories.Get(ctx(), "acme", "tools")
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != 401 || er.Message != "Bad credentials" {
			t.Fatalf("err = %v, want 401 Bad credentials", err)
		}
	})
	t.Run("missing_permission_403", func(t *testing.T) {
		t.Parallel()
		_, resp, err := mk("reader").Issues.Create(ctx(), "acme", "tools", &github.IssueRequest{Title: github.String("x")})
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != 403 || er.Message != "Resource not accessible by integration" {
			t.Fatalf("err = %v, want 403 Resource not accessible by integration", err)
		}
		if got := resp.Header.Get("X-Accepted-GitHub-Permissions"); got != "issues=write" {
			t.Errorf("X-Accepted-GitHub-Permissions = %q", got)
		}
	})
	t.Run("metadata_always_granted", func(t *testing.T) {
		t.Parallel()
		if _, _, err := mk("writer").Repositories.Get(ctx(), "acme", "tools"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("identity", func(t *testing.T) {
		t.Parallel()
		u, _, err := mk("writer").Users.Get(ctx(), "")
		if err != nil || u.GetLogin() != "mona" {
			t.Fatalf("user = %v, %v; want mona", u.GetLogin(), err)
		}
		is, _, err := mk("writer").Issues.Create(ctx(), "acme", "tools", &github.IssueRequest{Title: github.String("by mona")})
		if err != nil || is.GetUser().GetLogin() != "mona" {
			t.Fatalf("issue user = %v, %v; want mona", is.GetUser().GetLogin(), err)
		}
	})
}

func TestPaginationWithNextPage(t *testing.T) {
	t.Parallel()
	f := testFixture()
	for i := 0; i < 45; i++ {
		f.Repositories[0].Branches = append(f.Repositories[0].Branches, Branch{Name: "b" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Commit: Commit{SHA: fakeSHA(string(rune(i)))}})
	}
	s := StartForTest(t, f, Options{Now: fixedNow})
	c := client(t, s)
	var names []string
	opt := &github.BranchListOptions{ListOptions: github.ListOptions{PerPage: 20}}
	pages := 0
	for {
		bs, resp, err := c.Repositories.ListBranches(ctx(), "acme", "tools", opt)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, b := range bs {
			names = append(names, b.GetName())
		}
		if pages == 1 && (resp.LastPage != 3 || resp.NextPage != 2) {
			t.Errorf("page 1: NextPage %d LastPage %d, want 2 and 3", resp.NextPage, resp.LastPage)
		}
		if pages == 1 && !strings.Contains(resp.Header.Get("Link"), "per_page=20") {
			t.Errorf("Link does not carry per_page: %s", resp.Header.Get("Link"))
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if pages != 3 || len(names) != 48 {
		t.Errorf("got %d pages, %d branches; want 3 pages, 48 branches", pages, len(names))
	}

	t.Run("single_page_has_no_link", func(t *testing.T) {
		t.Parallel()
		resp, _ := rawGet(t, s, "/repos/octo/notes/branches", nil)
		if l := resp.Header.Get("Link"); l != "" {
			t.Errorf("Link = %q, want none", l)
		}
	})
	t.Run("per_page_clamped_to_100", func(t *testing.T) {
		t.Parallel()
		_, body := rawGet(t, s, "/repos/acme/tools/branches?per_page=500", nil)
		var got []any
		_ = json.Unmarshal(body, &got)
		if len(got) != 48 {
			t.Errorf("got %d items", len(got))
		}
	})
	t.Run("absolute_links_with_enterprise_prefix", func(t *testing.T) {
		t.Parallel()
		resp, _ := rawGet(t, s, "/api/v3/repos/acme/tools/branches?per_page=10&protected=false&page=2", nil)
		link := resp.Header.Get("Link")
		for _, want := range []string{
			"<" + s.URL() + "/api/v3/repos/acme/tools/branches?page=3&per_page=10&protected=false>; rel=\"next\"",
			"rel=\"prev\"", "rel=\"first\"", "rel=\"last\"",
		} {
			if !strings.Contains(link, want) {
				t.Errorf("Link %q lacks %q", link, want)
			}
		}
	})
}

func TestETagAndNotModified(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	resp, _ := rawGet(t, s, "/repos/acme/tools/events", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) {
		t.Fatalf("status %d ETag %q", resp.StatusCode, etag)
	}
	if resp.Header.Get("X-Poll-Interval") != "60" {
		t.Errorf("X-Poll-Interval = %q", resp.Header.Get("X-Poll-Interval"))
	}
	remaining := resp.Header.Get("X-RateLimit-Remaining")
	resp2, body := rawGet(t, s, "/repos/acme/tools/events", map[string]string{"If-None-Match": etag})
	if resp2.StatusCode != 304 || len(body) != 0 {
		t.Fatalf("conditional GET = %d with %d bytes, want 304 empty", resp2.StatusCode, len(body))
	}
	if resp2.Header.Get("ETag") != etag || resp2.Header.Get("X-Poll-Interval") != "60" {
		t.Errorf("304 headers: ETag %q poll %q", resp2.Header.Get("ETag"), resp2.Header.Get("X-Poll-Interval"))
	}
	if got := resp2.Header.Get("X-RateLimit-Remaining"); got != remaining {
		t.Errorf("304 cost rate limit: remaining %s → %s", remaining, got)
	}
	resp3, _ := rawGet(t, s, "/repos/acme/tools", nil)
	if resp3.Header.Get("X-RateLimit-Remaining") == remaining {
		t.Errorf("a 200 did not cost rate limit")
	}

	t.Run("go_github_sees_304_as_error", func(t *testing.T) {
		t.Parallel()
		c := client(t, s)
		req, _ := c.NewRequest("GET", "repos/acme/tools/events", nil)
		req.Header.Set("If-None-Match", etag)
		_, err := c.Do(ctx(), req, nil)
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != 304 {
			t.Errorf("err = %v, want *ErrorResponse with 304", err)
		}
	})
}

func TestRateLimitHeadersAndExhaustion(t *testing.T) {
	t.Parallel()
	s := start(t, func(o *Options) { o.RateLimit = 3 })
	c := client(t, s)
	for i := 0; i < 3; i++ {
		_, resp, err := c.Repositories.Get(ctx(), "acme", "tools")
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if resp.Rate.Limit != 3 || resp.Rate.Remaining != 2-i || resp.Rate.Reset.Unix() != testNow.Add(time.Hour).Unix() {
			t.Errorf("request %d: rate %+v", i, resp.Rate)
		}
		if resp.Header.Get("X-RateLimit-Resource") != "core" || resp.Header.Get("X-RateLimit-Used") == "" {
			t.Errorf("request %d: resource %q used %q", i, resp.Header.Get("X-RateLimit-Resource"), resp.Header.Get("X-RateLimit-Used"))
		}
	}
	_, _, err := c.Repositories.Get(ctx(), "acme", "tools")
	var rle *github.RateLimitError
	if !errors.As(err, &rle) {
		t.Fatalf("err = %v, want *github.RateLimitError", err)
	}
	if rle.Rate.Remaining != 0 || !strings.Contains(rle.Message, "API rate limit exceeded") {
		t.Errorf("rate limit error = %+v", rle)
	}
	// /rate_limit does not count and still answers.
	resp, body := rawGet(t, s, "/rate_limit", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"remaining":0`) {
		t.Errorf("/rate_limit = %d %s", resp.StatusCode, body)
	}
	// Search has its own budget.
	if resp, _ := rawGet(t, s, "/search/issues?q=repo:acme/tools", nil); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Resource") != "search" {
		t.Errorf("search = %d resource %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Resource"))
	}
	// Another token has its own budget.
	if resp, _ := rawGet(t, s, "/repos/acme/tools", map[string]string{"Authorization": "Bearer other"}); resp.StatusCode != 200 {
		t.Errorf("other token = %d, want 200", resp.StatusCode)
	}
}

func TestSecondaryRateLimit(t *testing.T) {
	t.Parallel()
	s := start(t, func(o *Options) { o.SecondaryLimit = 2 })
	c := client(t, s)
	for i := 0; i < 2; i++ {
		if _, _, err := c.Issues.CreateComment(ctx(), "acme", "tools", 1, &github.IssueComment{Body: github.String("hi")}); err != nil {
			t.Fatalf("comment %d: %v", i, err)
		}
	}
	_, _, err := c.Issues.CreateComment(ctx(), "acme", "tools", 1, &github.IssueComment{Body: github.String("hi")})
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) {
		t.Fatalf("err = %v, want *github.AbuseRateLimitError", err)
	}
	if abuse.RetryAfter == nil || *abuse.RetryAfter != time.Minute {
		t.Errorf("RetryAfter = %v, want 1m (the window of the fixed clock)", abuse.RetryAfter)
	}
	if !strings.HasSuffix(abuse.Response.Request.URL.Path, "/comments") || !strings.Contains(abuse.Message, "secondary rate limit") {
		t.Errorf("abuse error = %+v", abuse)
	}
	if got := len(s.State().Repositories[0].Issues[0].Comments); got != 3 {
		t.Errorf("comments = %d, want 3 (1 fixture + 2 accepted)", got)
	}
}

func TestValidationErrors(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	check := func(t *testing.T, err error, want github.Error) {
		t.Helper()
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != 422 {
			t.Fatalf("err = %v, want 422 *ErrorResponse", err)
		}
		if len(er.Errors) != 1 {
			t.Fatalf("errors = %+v, want one", er.Errors)
		}
		got := er.Errors[0]
		got.Message = ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("error (-want +got):\n%s", diff)
		}
	}
	t.Run("label_already_exists", func(t *testing.T) {
		t.Parallel()
		_, _, err := c.Issues.CreateLabel(ctx(), "acme", "tools", &github.Label{Name: github.String("BUG"), Color: github.String("ff0000")})
		check(t, err, github.Error{Resource: "Label", Field: "name", Code: "already_exists"})
	})
	t.Run("issue_without_title", func(t *testing.T) {
		t.Parallel()
		_, _, err := c.Issues.Create(ctx(), "acme", "tools", &github.IssueRequest{Body: github.String("x")})
		check(t, err, github.Error{Resource: "Issue", Field: "title", Code: "missing_field"})
	})
	t.Run("dispatch_event_type_too_long", func(t *testing.T) {
		t.Parallel()
		_, _, err := c.Repositories.Dispatch(ctx(), "acme", "tools", github.DispatchRequestOptions{EventType: strings.Repeat("x", 101)})
		check(t, err, github.Error{Resource: "Repository", Field: "event_type", Code: "invalid"})
	})
	t.Run("dispatch_payload_too_many_keys", func(t *testing.T) {
		t.Parallel()
		p := map[string]int{}
		for i := 0; i < 11; i++ {
			p[string(rune('a'+i))] = i
		}
		b, _ := json.Marshal(p)
		raw := json.RawMessage(b)
		_, _, err := c.Repositories.Dispatch(ctx(), "acme", "tools", github.DispatchRequestOptions{EventType: "x", ClientPayload: &raw})
		check(t, err, github.Error{Resource: "Repository", Field: "client_payload", Code: "invalid"})
	})
	t.Run("workflow_dispatch_unknown_ref", func(t *testing.T) {
		t.Parallel()
		_, err := c.Actions.CreateWorkflowDispatchEventByFileName(ctx(), "acme", "tools", "ci.yml", github.CreateWorkflowDispatchEventRequest{Ref: "nope"})
		check(t, err, github.Error{Resource: "Workflow", Field: "ref", Code: "invalid"})
	})
	t.Run("workflow_dispatch_too_many_inputs", func(t *testing.T) {
		t.Parallel()
		in := map[string]any{}
		for i := 0; i < 26; i++ {
			in["k"+string(rune('a'+i))] = "v"
		}
		_, err := c.Actions.CreateWorkflowDispatchEventByFileName(ctx(), "acme", "tools", "ci.yml", github.CreateWorkflowDispatchEventRequest{Ref: "master", Inputs: in})
		check(t, err, github.Error{Resource: "Workflow", Field: "inputs", Code: "invalid"})
	})
	t.Run("delete_default_branch", func(t *testing.T) {
		t.Parallel()
		_, err := c.Git.DeleteRef(ctx(), "acme", "tools", "heads/master")
		check(t, err, github.Error{Resource: "Reference", Field: "ref", Code: "custom"})
	})
	t.Run("workflow_without_dispatch_trigger", func(t *testing.T) {
		t.Parallel()
		_, err := c.Actions.CreateWorkflowDispatchEventByFileName(ctx(), "acme", "tools", "nightly.yml", github.CreateWorkflowDispatchEventRequest{Ref: "master"})
		check(t, err, github.Error{Resource: "Workflow", Code: "custom"})
	})
	t.Run("unknown_workflow_404", func(t *testing.T) {
		t.Parallel()
		_, err := c.Actions.CreateWorkflowDispatchEventByFileName(ctx(), "acme", "tools", "missing.yml", github.CreateWorkflowDispatchEventRequest{Ref: "master"})
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != 404 {
			t.Fatalf("err = %v, want 404", err)
		}
	})
}

func TestJobLogsRedirect(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	u, resp, err := c.Actions.GetWorkflowJobLogs(ctx(), "acme", "tools", 9002, 0)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(u.String(), s.URL()+"/") {
		t.Fatalf("status %d location %s", resp.StatusCode, u)
	}
	// The signed URL needs no Authorization header, like GitHub's.
	dl, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Body.Close()
	b, _ := io.ReadAll(dl.Body)
	if dl.StatusCode != 200 || string(b) != "attempt 2\nld: undefined reference to `main'\n" {
		t.Errorf("download = %d %q", dl.StatusCode, b)
	}
	if !strings.HasPrefix(dl.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("Content-Type = %q", dl.Header.Get("Content-Type"))
	}
	// A tampered signature is refused.
	bad := strings.Replace(u.String(), "sig=", "sig=0", 1)
	if r, err := http.Get(bad); err != nil || r.StatusCode != 403 {
		t.Errorf("tampered URL = %v %v, want 403", r.StatusCode, err)
	}
	// Run logs: a zip of the latest attempt.
	ru, resp, err := c.Actions.GetWorkflowRunLogs(ctx(), "acme", "tools", 900, 0)
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("run logs: %v %v", resp, err)
	}
	zr, err := http.Get(ru.String())
	if err != nil {
		t.Fatal(err)
	}
	zr.Body.Close()
	if zr.Header.Get("Content-Type") != "application/zip" {
		t.Errorf("run logs Content-Type = %q", zr.Header.Get("Content-Type"))
	}
	// Unknown job: not a redirect.
	if _, _, err := c.Actions.GetWorkflowJobLogs(ctx(), "acme", "tools", 1, 0); err == nil {
		t.Errorf("unknown job: want error")
	}
}

func TestEnterprisePrefix(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c, err := github.NewClient(HTTPClientForTest(t)).WithAuthToken("t").WithEnterpriseURLs(s.URL(), s.URL())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(c.BaseURL.Path, "/api/v3/") {
		t.Fatalf("BaseURL = %s", c.BaseURL)
	}
	repo, _, err := c.Repositories.Get(ctx(), "acme", "tools")
	if err != nil {
		t.Fatal(err)
	}
	if want := s.URL() + "/api/v3/repos/acme/tools"; repo.GetURL() != want {
		t.Errorf("url = %q, want %q", repo.GetURL(), want)
	}
	b, _, err := c.Repositories.GetBranch(ctx(), "acme", "tools", "feature/x", 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.GetName() != "feature/x" {
		t.Errorf("branch = %q", b.GetName())
	}
	if _, _, err := c.Actions.GetWorkflowJobLogs(ctx(), "acme", "tools", 9001, 0); err != nil {
		t.Errorf("job logs under /api/v3: %v", err)
	}
	reqs := s.Requests()
	if len(reqs) == 0 || reqs[0].Path != "/repos/acme/tools" {
		t.Errorf("request log path = %+v", reqs)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	pattern := func(seed int64) string {
		s := start(t, func(o *Options) {
			o.Seed = seed
			o.Faults = []Fault{{Kind: FaultServiceUnavailable, Path: "/repos/acme/tools/issues", Rate: 0.5}}
		})
		var b strings.Builder
		for i := 0; i < 24; i++ {
			resp, _ := rawGet(t, s, "/repos/acme/tools/issues", nil)
			if resp.StatusCode == 503 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	t.Run("rate_is_deterministic_for_a_seed", func(t *testing.T) {
		t.Parallel()
		a, b, other := pattern(7), pattern(7), pattern(8)
		if a != b {
			t.Errorf("same seed gave %s and %s", a, b)
		}
		if !strings.Contains(a, "x") || !strings.Contains(a, ".") {
			t.Errorf("rate 0.5 gave %s", a)
		}
		if a == other {
			t.Errorf("different seeds gave the same pattern %s", a)
		}
	})
	t.Run("every_nth_and_method_and_log", func(t *testing.T) {
		t.Parallel()
		s := start(t, func(o *Options) {
			o.Faults = []Fault{{Kind: FaultInternalError, Method: "GET", PathRegex: `^/repos/[^/]+/tools$`, Every: 3}}
		})
		var codes []int
		for i := 0; i < 6; i++ {
			resp, _ := rawGet(t, s, "/repos/acme/tools", nil)
			codes = append(codes, resp.StatusCode)
		}
		if diff := cmp.Diff([]int{200, 200, 500, 200, 200, 500}, codes); diff != "" {
			t.Errorf("codes (-want +got):\n%s", diff)
		}
		var faults []string
		for _, r := range s.Requests() {
			faults = append(faults, r.Fault)
		}
		if diff := cmp.Diff([]string{"", "", "500", "", "", "500"}, faults); diff != "" {
			t.Errorf("logged faults (-want +got):\n%s", diff)
		}
	})
	t.Run("secondary_and_ratelimit_kinds", func(t *testing.T) {
		t.Parallel()
		s := start(t, func(o *Options) {
			o.Faults = []Fault{{Kind: FaultSecondary, Path: "/repos/acme/tools/pulls"}, {Kind: FaultRateLimit, Path: "/repos/acme/tools/branches"}}
		})
		c := client(t, s)
		_, _, err := c.PullRequests.List(ctx(), "acme", "tools", nil)
		var abuse *github.AbuseRateLimitError
		if !errors.As(err, &abuse) || abuse.GetRetryAfter() != time.Second {
			t.Errorf("secondary fault: %v", err)
		}
		// A fresh client: go-github blocks every request after a secondary limit.
		_, _, err = client(t, s).Repositories.ListBranches(ctx(), "acme", "tools", nil)
		var rle *github.RateLimitError
		if !errors.As(err, &rle) {
			t.Errorf("ratelimit fault: %v", err)
		}
	})
	t.Run("reset_closes_connection", func(t *testing.T) {
		t.Parallel()
		s := start(t, func(o *Options) { o.Faults = []Fault{{Kind: FaultReset, Limit: 1}} })
		req, _ := http.NewRequest("GET", s.URL()+"/repos/acme/tools", nil)
		req.Header.Set("User-Agent", "x")
		if _, err := HTTPClientForTest(t).Transport.RoundTrip(req); err == nil {
			t.Errorf("reset fault: want a transport error")
		}
		if resp, _ := rawGet(t, s, "/repos/acme/tools", nil); resp.StatusCode != 200 {
			t.Errorf("after the limit: %d", resp.StatusCode)
		}
		if r := s.Requests(); len(r) != 2 || r[0].Fault != "reset" {
			t.Errorf("log = %+v", r)
		}
	})
	t.Run("slow_and_runtime_put", func(t *testing.T) {
		t.Parallel()
		s := start(t, nil)
		resp, body := rawDo(t, s, "PUT", "/_emulator/faults", `[{"kind":"slow","delay":"20ms","path":"/repos/"},{"kind":"502","path":"/user"}]`, nil)
		if resp.StatusCode != 204 {
			t.Fatalf("PUT faults = %d %s", resp.StatusCode, body)
		}
		if resp, _ := rawGet(t, s, "/user", nil); resp.StatusCode != 502 {
			t.Errorf("/user = %d, want 502", resp.StatusCode)
		}
		if resp, _ := rawGet(t, s, "/repos/acme/tools", nil); resp.StatusCode != 200 {
			t.Errorf("slow = %d, want 200", resp.StatusCode)
		}
		reqs := s.Requests()
		if last := reqs[len(reqs)-1]; last.Fault != "slow" || last.Duration < 20*time.Millisecond {
			t.Errorf("slow request log = %+v", last)
		}
		if resp, body := rawDo(t, s, "PUT", "/_emulator/faults", `[{"kind":"boom"}]`, nil); resp.StatusCode != 422 || !strings.Contains(string(body), "allowed") {
			t.Errorf("bad fault = %d %s", resp.StatusCode, body)
		}
	})
}

func TestParseFault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    string
		want    Fault
		wantErr string
	}{
		{name: "rate", spec: "kind=503,path=/repos/,rate=0.1,method=get", want: Fault{Kind: "503", Path: "/repos/", Rate: 0.1, Method: "GET"}},
		{name: "slow", spec: "kind=slow,delay=2s,every=3,limit=4,regex=^/x", want: Fault{Kind: "slow", Delay: 2 * time.Second, Every: 3, Limit: 4, PathRegex: "^/x"}},
		{name: "unknown_kind", spec: "kind=404", wantErr: `unknown kind "404" (allowed: 500, 502, 503, reset, slow, secondary, ratelimit, applied-500, applied-reset, applied-502)`},
		{name: "unknown_key", spec: "kind=500,foo=1", wantErr: `unknown key "foo"`},
		{name: "bad_rate", spec: "kind=500,rate=2", wantErr: "rate 2 is outside 0..1"},
		{name: "slow_without_delay", spec: "kind=slow", wantErr: "positive delay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFault(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fault (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResetRestoresFixture(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	if _, _, err := c.Issues.Create(ctx(), "acme", "tools", &github.IssueRequest{Title: github.String("new")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Git.DeleteRef(ctx(), "acme", "tools", "heads/feature/x"); err != nil {
		t.Fatal(err)
	}
	before := s.State()
	if len(before.Repositories[0].Issues) != 3 || len(before.RefChanges) != 1 {
		t.Fatalf("writes not applied: %d issues, %d ref changes", len(before.Repositories[0].Issues), len(before.RefChanges))
	}
	resp, _ := rawDo(t, s, "POST", "/_emulator/reset", "", nil)
	if resp.StatusCode != 204 {
		t.Fatalf("reset = %d", resp.StatusCode)
	}
	after := s.State()
	if len(after.Repositories[0].Issues) != 2 || len(after.RefChanges) != 0 || len(after.Repositories[0].Branches) != 3 || len(s.Requests()) != 0 {
		t.Errorf("after reset: %d issues, %d ref changes, %d branches, %d requests", len(after.Repositories[0].Issues), len(after.RefChanges), len(after.Repositories[0].Branches), len(s.Requests()))
	}
}

func TestControlEndpoints(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	if _, _, err := c.Repositories.Dispatch(ctx(), "acme", "tools", github.DispatchRequestOptions{EventType: "openssl-updated"}); err != nil {
		t.Fatal(err)
	}
	_, body := rawGet(t, s, "/_emulator/state", nil)
	var st State
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Dispatches) != 1 || st.Dispatches[0].EventType != "openssl-updated" || st.Dispatches[0].Actor != DefaultLogin {
		t.Errorf("state dispatches = %+v", st.Dispatches)
	}
	_, body = rawGet(t, s, "/_emulator/requests", nil)
	var reqs []LoggedRequest
	if err := json.Unmarshal(body, &reqs); err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/repos/acme/tools/dispatches" || reqs[0].Status != 204 {
		t.Errorf("requests = %+v", reqs)
	}
	if strings.Contains(string(body), "test-token") {
		t.Errorf("request log leaks the token: %s", body)
	}
	if resp, _ := rawGet(t, s, "/_emulator/nope", nil); resp.StatusCode != 404 {
		t.Errorf("unknown control endpoint = %d", resp.StatusCode)
	}
}

func TestRequestLogNeverHoldsToken(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	rawGet(t, s, "/repos/acme/tools?access_token=sekrit&x=1", nil)
	b, _ := json.Marshal(s.Requests())
	if strings.Contains(string(b), "sekrit") || strings.Contains(string(b), "test-token") {
		t.Errorf("log = %s", b)
	}
}

// probeWriter is a ResponseWriter that, the moment the first status or
// byte is handed to it (i.e. before the client could see anything), asks
// the server whether the request is already in its log.
type probeWriter struct {
	*httptest.ResponseRecorder
	s       *Server
	path    string
	checked bool
	found   LoggedRequest
	status  int
}

func (p *probeWriter) probe(status int) {
	if p.checked {
		return
	}
	p.checked, p.status = true, status
	reqs := p.s.Requests()
	if n := len(reqs); n > 0 && reqs[n-1].Path == p.path {
		p.found = reqs[n-1]
	}
}

func (p *probeWriter) WriteHeader(code int) {
	p.probe(code)
	p.ResponseRecorder.WriteHeader(code)
}

func (p *probeWriter) Write(b []byte) (int, error) {
	p.probe(http.StatusOK)
	return p.ResponseRecorder.Write(b)
}

func TestRequestLoggedBeforeResponse(t *testing.T) {
	t.Parallel()
	// The signed URL of a job log, asked for once from a throwaway server
	// (signatures depend only on the seed and the path).
	signed := func(t *testing.T) string {
		s := New(testFixture(), Options{Now: fixedNow})
		req := httptest.NewRequest(http.MethodGet, "/repos/acme/tools/actions/jobs/9001/logs", nil)
		req.Header.Set("User-Agent", "test")
		req.Header.Set("Authorization", "Bearer t")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		u, err := url.Parse(w.Header().Get("Location"))
		if err != nil || w.Code != http.StatusFound {
			t.Fatalf("job logs = %d %q: %v", w.Code, w.Header().Get("Location"), err)
		}
		return u.RequestURI()
	}
	tests := []struct {
		name   string
		target string
		hdr    map[string]string
		faults []Fault
		want   int
	}{
		{name: "get", target: "/repos/acme/tools", want: http.StatusOK},
		{name: "list", target: "/repos/acme/tools/actions/runs?per_page=100", want: http.StatusOK},
		{name: "enterprise_prefix", target: "/api/v3/repos/acme/tools/issues", want: http.StatusOK},
		{name: "not_found", target: "/repos/acme/nope", want: http.StatusNotFound},
		{name: "not_modified", target: "/repos/acme/tools", hdr: map[string]string{"If-None-Match": "*"}, want: http.StatusNotModified},
		{name: "no_user_agent", target: "/repos/acme/tools", hdr: map[string]string{"User-Agent": ""}, want: http.StatusForbidden},
		{name: "fault", target: "/repos/acme/tools", faults: []Fault{{Kind: FaultServiceUnavailable}}, want: http.StatusServiceUnavailable},
		{name: "download", target: "signed", want: http.StatusOK},
		{name: "download_bad_signature", target: "/_emulator/download/jobs/acme/tools/9001?sig=0", want: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(testFixture(), Options{Now: fixedNow, Faults: tt.faults})
			target := tt.target
			if target == "signed" {
				target = signed(t)
			}
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("User-Agent", "test")
			req.Header.Set("Authorization", "Bearer t")
			for k, v := range tt.hdr {
				req.Header.Set(k, v)
			}
			path := strings.TrimPrefix(req.URL.Path, "/api/v3")
			w := &probeWriter{ResponseRecorder: httptest.NewRecorder(), s: s, path: path}
			s.ServeHTTP(w, req)
			if !w.checked || w.status != tt.want {
				t.Fatalf("wrote status %d (written: %v), want %d", w.status, w.checked, tt.want)
			}
			if w.found.Path != path || w.found.Status != tt.want {
				t.Errorf("log when the response started = %+v, want %s with status %d", w.found, path, tt.want)
			}
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].Duration <= 0 || reqs[0].Status != tt.want {
				t.Errorf("log after the response = %+v, want one entry with status %d and its duration", reqs, tt.want)
			}
		})
	}
}

// TestRequestLogOrderBackToBack sends requests back to back from several
// clients at once: every response is in the log when the client has it,
// and each client's requests are logged in the order it sent them.
func TestRequestLogOrderBackToBack(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	const clients, each = 3, 25
	hc := HTTPClientForTest(t)
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for g := 0; g < clients; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := -1
			for i := 0; i < each; i++ {
				// Full repositories are larger than the server's write
				// buffer, so the body reaches the client while the
				// handler is still running.
				q := fmt.Sprintf("client=%d&i=%d", g, i)
				req, _ := http.NewRequest(http.MethodGet, s.URL()+"/repos/acme/tools?"+q, nil)
				req.Header.Set("User-Agent", "test")
				resp, err := hc.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				pos := -1
				for j, e := range s.Requests() {
					if e.Query == q {
						pos = j
					}
				}
				if pos < 0 {
					errs <- fmt.Sprintf("client %d request %d: not in the log once its response was read", g, i)
					return
				}
				if pos <= last {
					errs <- fmt.Sprintf("client %d request %d: logged at %d, before its previous request (%d)", g, i, pos, last)
				}
				last = pos
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(s.Requests()); n != clients*each {
		t.Errorf("log has %d entries, want %d", n, clients*each)
	}
}

// TestRequestLogCap checks that the log keeps the newest
// MaxLoggedRequests entries, oldest first, however many were sent.
func TestRequestLogCap(t *testing.T) {
	t.Parallel()
	s := New(testFixture(), Options{Now: fixedNow, MaxLoggedRequests: 3})
	for i := 0; i < 10; i++ {
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/repos/acme/tools/issues/1?i=%d", i), nil)
		req.Header.Set("User-Agent", "test")
		s.ServeHTTP(httptest.NewRecorder(), req)
		var got []string
		for _, e := range s.Requests() {
			got = append(got, e.Query)
		}
		var want []string
		for j := max(0, i-2); j <= i; j++ {
			want = append(want, fmt.Sprintf("i=%d", j))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("after request %d (-want +got):\n%s", i, diff)
		}
	}
}
