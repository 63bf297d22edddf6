package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

func TestRepoWideIssueListings(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	// A write adds a comment and an event to compare with.
	if _, _, err := c.Issues.CreateComment(ctx(), "acme", "tools", 3, &github.IssueComment{Body: github.String("later")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Issues.AddLabelsToIssue(ctx(), "acme", "tools", 5, []string{"stale"}); err != nil {
		t.Fatal(err)
	}

	t.Run("events_are_the_per_issue_ones_newest_first", func(t *testing.T) {
		var perIssue []int64
		for _, n := range []int{1, 2, 3, 4, 5} {
			evs, _, err := c.Issues.ListIssueEvents(ctx(), "acme", "tools", n, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				perIssue = append(perIssue, e.GetID())
			}
		}
		all, resp, err := c.Issues.ListRepositoryEvents(ctx(), "acme", "tools", &github.ListOptions{PerPage: 2})
		if err != nil {
			t.Fatal(err)
		}
		if resp.NextPage != 2 {
			t.Errorf("next page = %d, want 2 (paginated)", resp.NextPage)
		}
		for resp.NextPage != 0 {
			var more []*github.IssueEvent
			more, resp, err = c.Issues.ListRepositoryEvents(ctx(), "acme", "tools", &github.ListOptions{PerPage: 2, Page: resp.NextPage})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, more...)
		}
		var ids []int64
		for i, e := range all {
			ids = append(ids, e.GetID())
			if e.Issue == nil || e.Issue.GetNumber() == 0 {
				t.Errorf("event %d has no issue", e.GetID())
			}
			if i > 0 && e.GetCreatedAt().After(all[i-1].GetCreatedAt().Time) {
				t.Errorf("events not newest first at %d", i)
			}
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		sort.Slice(perIssue, func(i, j int) bool { return perIssue[i] < perIssue[j] })
		if diff := cmp.Diff(perIssue, ids); diff != "" {
			t.Errorf("repository events vs per-issue events (-per-issue +repo):\n%s", diff)
		}
		if all[0].GetEvent() != "labeled" || all[0].GetIssue().GetNumber() != 5 {
			t.Errorf("newest event = %s on #%d, want the label just added to #5", all[0].GetEvent(), all[0].GetIssue().GetNumber())
		}
	})

	t.Run("comments_sort_direction_since", func(t *testing.T) {
		asc, _, err := c.Issues.ListComments(ctx(), "acme", "tools", 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, cm := range asc {
			bodies = append(bodies, cm.GetBody())
		}
		if diff := cmp.Diff([]string{"LGTM?", "same here", "later"}, bodies); diff != "" {
			t.Errorf("comments by creation, oldest first (-want +got):\n%s", diff)
		}
		desc, _, err := c.Issues.ListComments(ctx(), "acme", "tools", 0, &github.IssueListCommentsOptions{Sort: github.String("updated"), Direction: github.String("desc")})
		if err != nil || len(desc) != 3 || desc[0].GetBody() != "later" {
			t.Errorf("updated desc = %v, %v", desc, err)
		}
		since := served(ago(20 * day))
		recent, _, err := c.Issues.ListComments(ctx(), "acme", "tools", 0, &github.IssueListCommentsOptions{Since: &since})
		if err != nil || len(recent) != 2 {
			t.Errorf("since 20 days ago = %d comments, %v; want 2", len(recent), err)
		}
		if resp, _ := rawGet(t, s, "/repos/acme/tools/issues/comments?sort=size", nil); resp.StatusCode != 422 {
			t.Errorf("sort=size = %d, want 422", resp.StatusCode)
		}
	})
}

func TestActionsCaches(t *testing.T) {
	t.Parallel()
	f := testFixture()
	f.Repositories[0].Caches = []Cache{
		{Key: "_state", Ref: "refs/heads/master", SizeBytes: 10, CreatedAt: ago(2 * day)},
		{Key: "_state", Ref: "refs/heads/feature/x", SizeBytes: 11, CreatedAt: ago(3 * day)},
		{Key: "pip-linux-abc", Ref: "refs/heads/master", SizeBytes: 900, CreatedAt: ago(1 * day), LastAccessedAt: ago(time.Hour)},
	}
	s := StartForTest(t, f, Options{Now: fixedNow})
	c := client(t, s)
	list, _, err := c.Actions.ListCaches(ctx(), "acme", "tools", nil)
	if err != nil || list.TotalCount != 3 || list.ActionsCaches[0].GetKey() != "pip-linux-abc" {
		t.Fatalf("caches = %+v, %v; want 3, most recently used first", list, err)
	}
	prefix, _, err := c.Actions.ListCaches(ctx(), "acme", "tools", &github.ActionsCacheListOptions{Key: github.String("_st")})
	if err != nil || prefix.TotalCount != 2 {
		t.Errorf("key prefix _st = %+v, %v; want 2", prefix, err)
	}
	ref, _, err := c.Actions.ListCaches(ctx(), "acme", "tools", &github.ActionsCacheListOptions{Key: github.String("_state"), Ref: github.String("refs/heads/master")})
	if err != nil || ref.TotalCount != 1 || ref.ActionsCaches[0].GetSizeInBytes() != 10 {
		t.Errorf("key and ref = %+v, %v", ref, err)
	}
	// Delete by key takes both refs' caches unless ref narrows it.
	resp, body := rawDo(t, s, "DELETE", "/repos/acme/tools/actions/caches?key=_state&ref=refs/heads/feature/x", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"total_count":1`) {
		t.Errorf("delete by key and ref = %d %s", resp.StatusCode, body)
	}
	if _, err := c.Actions.DeleteCachesByKey(ctx(), "acme", "tools", "_state", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Actions.DeleteCachesByKey(ctx(), "acme", "tools", "_state", nil); statusOf(err) != 404 {
		t.Errorf("deleting a gone key: %v, want 404", err)
	}
	left, _, _ := c.Actions.ListCaches(ctx(), "acme", "tools", nil)
	if left.TotalCount != 1 {
		t.Fatalf("left = %+v", left)
	}
	if _, err := c.Actions.DeleteCachesByID(ctx(), "acme", "tools", left.ActionsCaches[0].GetID()); err != nil {
		t.Errorf("delete by id: %v", err)
	}
	if _, err := c.Actions.DeleteCachesByID(ctx(), "acme", "tools", left.ActionsCaches[0].GetID()); statusOf(err) != 404 {
		t.Errorf("delete a gone id: %v, want 404", err)
	}
}

func TestWorkflowDispatchInputs(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	t.Run("undeclared_inputs_422", func(t *testing.T) {
		resp, body := rawDo(t, s, "POST", "/repos/acme/tools/actions/workflows/ci.yml/dispatches",
			`{"ref":"master","inputs":{"zeta":"1","level":"2","alpha":"3"}}`, nil)
		want := `{"documentation_url":"https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event","message":"Unexpected inputs provided: [\"zeta\", \"alpha\"]","status":"422"}` + "\n"
		if resp.StatusCode != 422 || string(body) != want {
			t.Errorf("got %d %s\nwant 422 %s", resp.StatusCode, body, want)
		}
		if n := len(s.Dispatches()); n != 0 {
			t.Errorf("dispatches = %d, want none recorded", n)
		}
	})
	t.Run("return_run_details", func(t *testing.T) {
		resp, body := rawDo(t, s, "POST", "/repos/acme/tools/actions/workflows/ci.yml/dispatches",
			`{"ref":"master","inputs":{"level":"debug"},"return_run_details":true}`, nil)
		var got struct {
			ID      int64  `json:"workflow_run_id"`
			RunURL  string `json:"run_url"`
			HTMLURL string `json:"html_url"`
		}
		if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 || got.ID == 0 {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		if got.RunURL != s.URL()+"/repos/acme/tools/actions/runs/"+itoa(got.ID) || got.HTMLURL != "https://github.com/acme/tools/actions/runs/"+itoa(got.ID) {
			t.Errorf("urls = %+v", got)
		}
		c := client(t, s)
		runs, _, err := c.Actions.ListRepositoryWorkflowRuns(ctx(), "acme", "tools", &github.ListWorkflowRunsOptions{
			Actor: DefaultLogin, Event: "workflow_dispatch", Created: ">=" + testNow.Format("2006-01-02T15:04:05Z")})
		if err != nil || runs.GetTotalCount() != 1 || runs.WorkflowRuns[0].GetID() != got.ID || runs.WorkflowRuns[0].GetStatus() != "queued" {
			t.Errorf("runs by actor, event and created = %+v, %v", runs, err)
		}
	})
	t.Run("required_input_and_no_trigger", func(t *testing.T) {
		f := testFixture()
		f.Repositories[0].Files[".github/workflows/ci.yml"] = "on:\n  workflow_dispatch:\n    inputs:\n      level:\n        required: true\n"
		s := StartForTest(t, f, Options{Now: fixedNow})
		resp, body := rawDo(t, s, "POST", "/repos/acme/tools/actions/workflows/ci.yml/dispatches", `{"ref":"master"}`, nil)
		if resp.StatusCode != 422 || !strings.Contains(string(body), "Required input 'level' not provided") {
			t.Errorf("missing required input: %d %s", resp.StatusCode, body)
		}
		resp, body = rawDo(t, s, "POST", "/repos/acme/tools/actions/workflows/nightly.yml/dispatches", `{"ref":"master"}`, nil)
		if resp.StatusCode != 422 || !strings.Contains(string(body), "does not have 'workflow_dispatch' trigger") {
			t.Errorf("no trigger: %d %s", resp.StatusCode, body)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestContentsAtRef(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	get := func(path, ref string) (string, int) {
		fc, _, _, err := c.Repositories.GetContents(ctx(), "acme", "tools", path, &github.RepositoryContentGetOptions{Ref: ref})
		if err != nil {
			return "", statusOf(err)
		}
		text, _ := fc.GetContent()
		return text, 200
	}
	old := "# tools\n"
	write := func(branch, text, sha string) string {
		res, _, err := c.Repositories.UpdateFile(ctx(), "acme", "tools", "README.md", &github.RepositoryContentFileOptions{
			Message: github.String("edit"), Content: []byte(text), Branch: github.String(branch), SHA: github.String(sha)})
		if err != nil {
			t.Fatal(err)
		}
		return res.GetSHA()
	}
	blob := blobSHA(old)
	write("feature/x", "# tools on x\n", blob)
	tests := []struct {
		name, ref, want string
		status          int
	}{
		{"default", "", old, 200},
		{"branch", "master", old, 200},
		{"branch_with_write", "feature/x", "# tools on x\n", 200},
		{"refs_heads", "refs/heads/feature/x", "# tools on x\n", 200},
		{"tag", "v1.0.0", old, 200},
		{"sha_of_master", "1111111111111111111111111111111111111111", old, 200},
		{"unknown_ref", "no-such-branch", "", 404},
		{"unknown_sha", "abcdefabcdefabcdefabcdefabcdefabcdefabcd", "", 404},
	}
	for _, tt := range tests {
		got, status := get("README.md", tt.ref)
		if status != tt.status || got != tt.want {
			t.Errorf("%s: %d %q, want %d %q", tt.name, status, got, tt.status, tt.want)
		}
	}
	// The commit a write made keeps its file after a later write.
	before := s.State().Repositories[0].Branches
	var xHead string
	for _, b := range before {
		if b.Name == "feature/x" {
			xHead = b.Commit.SHA
		}
	}
	write("feature/x", "# third\n", blobSHA("# tools on x\n"))
	if got, status := get("README.md", xHead); status != 200 || got != "# tools on x\n" {
		t.Errorf("at the earlier commit %s: %d %q", xHead[:7], status, got)
	}
	if got, _ := get("README.md", "feature/x"); got != "# third\n" {
		t.Errorf("branch head = %q", got)
	}
	if got, _ := get("README.md", "master"); got != old {
		t.Errorf("master changed by a write on another branch: %q", got)
	}
	resp, body := rawGet(t, s, "/repos/acme/tools/contents/README.md?ref=nope", nil)
	if resp.StatusCode != 404 || !strings.Contains(string(body), "No commit found for the ref nope") {
		t.Errorf("unknown ref body = %d %s", resp.StatusCode, body)
	}
}

func TestAppliedFaults(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{FaultAppliedError, FaultAppliedReset, FaultAppliedBadGateway} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			s := start(t, func(o *Options) {
				o.Faults = []Fault{{Kind: kind, Method: "POST", Path: "/repos/acme/tools/issues/1/comments", Limit: 1}}
			})
			req, err := http.NewRequest("POST", s.URL()+"/repos/acme/tools/issues/1/comments", strings.NewReader(`{"body":"once"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("User-Agent", "t")
			req.Header.Set("Authorization", "Bearer x")
			resp, err := HTTPClientForTest(t).Transport.RoundTrip(req)
			switch kind {
			case FaultAppliedError:
				if err != nil || resp.StatusCode != 500 {
					t.Fatalf("got %v %v, want 500", resp, err)
				}
				resp.Body.Close()
			case FaultAppliedBadGateway:
				if err != nil || resp.StatusCode != 502 {
					t.Fatalf("got %v %v, want 502", resp, err)
				}
				resp.Body.Close()
			case FaultAppliedReset:
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got %d, want a dropped connection", resp.StatusCode)
				}
			}
			comments := s.State().Repositories[0].Issues[0].Comments
			if n := len(comments); n != 2 || comments[1].Body != "once" {
				t.Errorf("comments = %+v, want the write applied once", comments)
			}
			if f := s.Requests()[0].Fault; f != kind {
				t.Errorf("logged fault = %q", f)
			}
		})
	}
}

func TestMonitorSignals(t *testing.T) {
	t.Parallel()
	const head = "1111111111111111111111111111111111111111"
	f := testFixture()
	r := &f.Repositories[0]
	r.Deployments = []Deployment{
		{ID: 10, SHA: head, Ref: "master", Environment: "production", Creator: "octo", CreatedAt: ago(3 * day),
			Statuses: []DeploymentStatus{{ID: 100, State: "success", Creator: "octo", CreatedAt: ago(3 * day)}}},
		{ID: 11, SHA: head, Ref: "v1.0.0", Environment: "staging", Creator: "octo", CreatedAt: ago(2 * day)},
	}
	r.Statuses = []CommitStatus{
		{SHA: head, State: "pending", Context: "ci/lint", Creator: "octo", CreatedAt: ago(2 * day)},
		{SHA: head, State: "success", Context: "ci/lint", Creator: "octo", CreatedAt: ago(day)},
		{SHA: head, State: "success", Context: "cla", Creator: "octo", CreatedAt: ago(day)},
	}
	r.CheckSuites = []CheckSuite{{ID: 77, App: "codecov", HeadSHA: head, Conclusion: "neutral", CreatedAt: ago(day)}}
	r.CheckRuns = []CheckRun{{ID: 78, Name: "codecov/patch", CheckSuiteID: 77, Conclusion: "neutral", StartedAt: ago(day), CompletedAt: ago(day)}}
	s := StartForTest(t, f, Options{Now: fixedNow})
	c := client(t, s)

	ds, _, err := c.Repositories.ListDeployments(ctx(), "acme", "tools", &github.DeploymentsListOptions{Environment: "production"})
	if err != nil || len(ds) != 1 || ds[0].GetID() != 10 {
		t.Fatalf("production deployments = %v, %v", ds, err)
	}
	d, _, err := c.Repositories.CreateDeployment(ctx(), "acme", "tools", &github.DeploymentRequest{Ref: github.String("master"), Environment: github.String("production")})
	if err != nil || d.GetSHA() != head || d.GetCreator().GetLogin() != DefaultLogin {
		t.Fatalf("created deployment = %+v, %v", d, err)
	}
	if _, _, err := c.Repositories.CreateDeploymentStatus(ctx(), "acme", "tools", d.GetID(), &github.DeploymentStatusRequest{State: github.String("success")}); err != nil {
		t.Fatal(err)
	}
	old, _, err := c.Repositories.ListDeploymentStatuses(ctx(), "acme", "tools", 10, nil)
	if err != nil || len(old) != 2 || old[0].GetState() != "inactive" {
		t.Errorf("statuses of the replaced production deployment = %v, %v; want inactive first", old, err)
	}
	if _, _, err := c.Repositories.CreateDeploymentStatus(ctx(), "acme", "tools", d.GetID(), &github.DeploymentStatusRequest{State: github.String("done")}); statusOf(err) != 422 {
		t.Errorf("invalid state: %v, want 422", err)
	}

	combined, _, err := c.Repositories.GetCombinedStatus(ctx(), "acme", "tools", "master", nil)
	if err != nil || combined.GetState() != "success" || combined.GetTotalCount() != 2 {
		t.Errorf("combined = %+v, %v; want success over 2 contexts", combined, err)
	}
	if _, _, err := c.Repositories.CreateStatus(ctx(), "acme", "tools", head, &github.RepoStatus{State: github.String("failure"), Context: github.String("cla")}); err != nil {
		t.Fatal(err)
	}
	combined, _, _ = c.Repositories.GetCombinedStatus(ctx(), "acme", "tools", head, nil)
	if combined.GetState() != "failure" {
		t.Errorf("combined after a failing cla = %q", combined.GetState())
	}
	all, _, err := c.Repositories.ListStatuses(ctx(), "acme", "tools", "v1.0.0", nil)
	if err != nil || len(all) != 4 || all[0].GetContext() != "cla" || all[0].GetState() != "failure" {
		t.Errorf("statuses at the tag = %v, %v", all, err)
	}

	suites, _, err := c.Checks.ListCheckSuitesForRef(ctx(), "acme", "tools", "master", nil)
	if err != nil {
		t.Fatal(err)
	}
	var apps []string
	for _, su := range suites.CheckSuites {
		apps = append(apps, su.GetApp().GetSlug())
	}
	sort.Strings(apps)
	// runs 900, 902, 903 are on master's head, plus the codecov suite.
	if diff := cmp.Diff([]string{"codecov", "github-actions", "github-actions", "github-actions"}, apps); diff != "" {
		t.Errorf("check suite apps (-want +got):\n%s", diff)
	}
	runs, _, err := c.Checks.ListCheckRunsForRef(ctx(), "acme", "tools", head, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, cr := range runs.CheckRuns {
		names = append(names, cr.GetName())
	}
	sort.Strings(names)
	// latest: run 900's second attempt (build, lint) and codecov's run.
	if diff := cmp.Diff([]string{"build", "codecov/patch", "lint"}, names); diff != "" {
		t.Errorf("check runs, latest (-want +got):\n%s", diff)
	}
	every, _, _ := c.Checks.ListCheckRunsForRef(ctx(), "acme", "tools", head, &github.ListCheckRunsOptions{Filter: github.String("all")})
	if every.GetTotal() != 4 {
		t.Errorf("check runs, all = %d, want 4", every.GetTotal())
	}
	if runs.CheckRuns[0].GetCheckSuite().GetID() == 0 {
		t.Errorf("check run without its suite")
	}
}

func TestOrgAndUserRepos(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	if _, _, err := c.Repositories.ListByOrg(ctx(), "octo", nil); statusOf(err) != 404 {
		t.Errorf("GET /orgs/octo/repos for a user: %v, want 404", err)
	}
	repos, _, err := c.Repositories.ListByUser(ctx(), "octo", nil)
	if err != nil || len(repos) != 1 || repos[0].GetFullName() != "octo/notes" {
		t.Errorf("GET /users/octo/repos = %v, %v", repos, err)
	}
	if _, _, err := c.Users.Get(ctx(), "nobody-at-all"); statusOf(err) != 404 {
		t.Errorf("unknown user: %v, want 404", err)
	}
	if u, _, err := c.Users.Get(ctx(), "stranger"); err != nil || u.GetLogin() != "stranger" {
		t.Errorf("a login the fixture refers to: %v, %v", u, err)
	}
}

func TestGraphQLViewer(t *testing.T) {
	t.Parallel()
	f := appFixture(t)
	f.Tokens = map[string]Token{
		"user": {Login: "octo"},
		"gt":   {Kind: TokenGitHubToken, Repository: "acme/tools"},
		"inst": {Kind: TokenInstallation, App: "acme-bot"},
	}
	s := StartForTest(t, f, Options{Now: fixedNow})
	for _, tt := range []struct{ token, path, want string }{
		{"user", "/graphql", "octo"},
		{"gt", "/graphql", "github-actions[bot]"},
		{"inst", "/api/graphql", "acme-bot[bot]"},
	} {
		resp, body := rawDo(t, s, "POST", tt.path, `{"query":"query { viewer { login } }"}`, map[string]string{"Authorization": "Bearer " + tt.token})
		want := `{"data":{"viewer":{"login":"` + tt.want + `"}}}` + "\n"
		if resp.StatusCode != 200 || string(body) != want || resp.Header.Get("X-RateLimit-Resource") != "graphql" {
			t.Errorf("%s %s: %d %s (resource %s), want %s", tt.token, tt.path, resp.StatusCode, body, resp.Header.Get("X-RateLimit-Resource"), want)
		}
	}
	resp, body := rawDo(t, s, "POST", "/graphql", `{"query":"{ repository(owner:\"acme\", name:\"tools\") { id } }"}`, map[string]string{"Authorization": "Bearer user"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"errors"`) {
		t.Errorf("other query: %d %s, want 200 with errors", resp.StatusCode, body)
	}
	if resp, _ := rawDo(t, s, "POST", "/graphql", `{"query":"{viewer{login}}"}`, map[string]string{"Authorization": ""}); resp.StatusCode != 401 {
		t.Errorf("anonymous GraphQL = %d, want 401", resp.StatusCode)
	}
	for _, r := range s.Requests() {
		if r.ContentCreating {
			t.Errorf("GraphQL query %s counted as content creation", r.Path)
		}
	}
}

// TestIssueUpdatedAtNotBeforeActivity: a fixture issue whose updated_at is
// older than its latest comment is served with the comment's time.
func TestIssueUpdatedAtNotBeforeActivity(t *testing.T) {
	t.Parallel()
	f := testFixture()
	is := &f.Repositories[0].Issues[0] // #1, created 20 days ago, comment 19 days ago
	is.UpdatedAt = ago(20 * day)
	s := StartForTest(t, f, Options{Now: fixedNow})
	got, _, err := client(t, s).Issues.Get(ctx(), "acme", "tools", 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := served(ago(19 * day)); !got.GetUpdatedAt().Time.Equal(want) {
		t.Errorf("updated_at = %v, want %v (the comment)", got.GetUpdatedAt(), want)
	}
	pr, _, _ := client(t, s).PullRequests.Get(ctx(), "acme", "tools", 3) // updated 35d ago, review 35d, commit 40d
	if want := served(ago(35 * day)); !pr.GetUpdatedAt().Time.Equal(want) {
		t.Errorf("PR updated_at = %v, want %v", pr.GetUpdatedAt(), want)
	}
}

func TestReleases(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	rel, resp, err := c.Repositories.CreateRelease(ctx(), "acme", "tools", &github.RepositoryRelease{TagName: github.String("v2.0.0"), Name: github.String("Two")})
	if err != nil || resp.StatusCode != 201 || rel.GetAuthor().GetLogin() != DefaultLogin || rel.GetTargetCommitish() != "master" {
		t.Fatalf("release = %+v, %v", rel, err)
	}
	// The tag was made at the default branch.
	if ref, _, err := c.Git.GetRef(ctx(), "acme", "tools", "tags/v2.0.0"); err != nil || ref.GetObject().GetSHA() != "1111111111111111111111111111111111111111" {
		t.Errorf("tag = %+v, %v", ref, err)
	}
	_, _, err = c.Repositories.CreateRelease(ctx(), "acme", "tools", &github.RepositoryRelease{TagName: github.String("v2.0.0")})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 422 || len(er.Errors) != 1 || er.Errors[0].Code != "already_exists" {
		t.Errorf("second release of the tag: %v, want 422 already_exists", err)
	}
	got, _, err := c.Repositories.GetReleaseByTag(ctx(), "acme", "tools", "v2.0.0")
	if err != nil || got.GetID() != rel.GetID() {
		t.Errorf("by tag = %+v, %v", got, err)
	}
	if list, _, err := c.Repositories.ListReleases(ctx(), "acme", "tools", nil); err != nil || len(list) != 1 {
		t.Errorf("releases = %v, %v", list, err)
	}
}

func TestRepositoryDispatchStartsRuns(t *testing.T) {
	t.Parallel()
	f := testFixture()
	r := &f.Repositories[0]
	r.Workflows = append(r.Workflows, Workflow{ID: 14, Name: "Fan-in", Path: ".github/workflows/fanin.yml"}, Workflow{ID: 15, Name: "Any", Path: ".github/workflows/any.yml"})
	r.Files[".github/workflows/fanin.yml"] = "on:\n  repository_dispatch:\n    types: [ecosystem-alert, other]\n"
	r.Files[".github/workflows/any.yml"] = "on: [push, repository_dispatch]\n"
	s := StartForTest(t, f, Options{Now: fixedNow})
	c := client(t, s)
	if _, _, err := c.Repositories.Dispatch(ctx(), "acme", "tools", github.DispatchRequestOptions{EventType: "ecosystem-alert"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Repositories.Dispatch(ctx(), "acme", "tools", github.DispatchRequestOptions{EventType: "unrelated"}); err != nil {
		t.Fatal(err)
	}
	runs, _, err := c.Actions.ListRepositoryWorkflowRuns(ctx(), "acme", "tools", &github.ListWorkflowRunsOptions{Event: "repository_dispatch"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, run := range runs.WorkflowRuns {
		got = append(got, run.GetName()+"/"+run.GetStatus()+"/"+run.GetHeadBranch()+"/"+run.GetActor().GetLogin())
	}
	sort.Strings(got)
	want := []string{"Any/queued/master/" + DefaultLogin, "Any/queued/master/" + DefaultLogin, "Fan-in/queued/master/" + DefaultLogin}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("repository_dispatch runs (-want +got):\n%s", diff)
	}
}

func TestUserReposArePublicOnly(t *testing.T) {
	t.Parallel()
	f := testFixture()
	f.Repositories = append(f.Repositories, Repository{Owner: "octo", Name: "diary", Private: true})
	s := StartForTest(t, f, Options{Now: fixedNow})
	repos, _, err := client(t, s).Repositories.ListByUser(ctx(), "octo", nil)
	if err != nil || len(repos) != 1 || repos[0].GetName() != "notes" {
		t.Errorf("GET /users/octo/repos = %v, %v; want only the public octo/notes", repos, err)
	}
}
