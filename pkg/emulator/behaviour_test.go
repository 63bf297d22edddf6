package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

func TestIssueLifecycle(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	is, resp, err := c.Issues.Create(ctx(), "acme", "tools", &github.IssueRequest{
		Title: github.String("CI failing"), Body: github.String("details"), Labels: &[]string{"bug", "ci-alert"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Issue numbers share the sequence with pull requests (highest is PR #5? no: issue #5).
	if is.GetNumber() != 6 || is.GetUser().GetLogin() != DefaultLogin || is.GetState() != "open" {
		t.Errorf("created #%d by %s state %s", is.GetNumber(), is.GetUser().GetLogin(), is.GetState())
	}
	if resp.StatusCode != 201 || resp.Header.Get("Location") != s.URL()+"/repos/acme/tools/issues/6" {
		t.Errorf("status %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !served(refTime).Equal(is.GetCreatedAt().Time) {
		t.Errorf("created_at = %v, want server clock %v", is.GetCreatedAt(), testNow)
	}
	// The unknown label was created like GitHub does.
	if l, _, err := c.Issues.GetLabel(ctx(), "acme", "tools", "ci-alert"); err != nil || l.GetColor() != "ededed" {
		t.Errorf("auto-created label = %v, %v", l, err)
	}
	if _, _, err := c.Issues.CreateComment(ctx(), "acme", "tools", 6, &github.IssueComment{Body: github.String("still failing")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Issues.RemoveLabelForIssue(ctx(), "acme", "tools", 6, "ci-alert"); err != nil {
		t.Fatal(err)
	}
	closed, _, err := c.Issues.Edit(ctx(), "acme", "tools", 6, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("not_planned")})
	if err != nil {
		t.Fatal(err)
	}
	if closed.GetState() != "closed" || closed.GetStateReason() != "not_planned" || closed.ClosedAt == nil || closed.GetClosedBy().GetLogin() != DefaultLogin {
		t.Errorf("closed: state %s reason %s closed_at %v by %s", closed.GetState(), closed.GetStateReason(), closed.ClosedAt, closed.GetClosedBy().GetLogin())
	}
	reopened, _, err := c.Issues.Edit(ctx(), "acme", "tools", 6, &github.IssueRequest{State: github.String("open")})
	if err != nil {
		t.Fatal(err)
	}
	if reopened.GetState() != "open" || reopened.GetStateReason() != "reopened" || reopened.ClosedAt != nil {
		t.Errorf("reopened: state %s reason %s closed_at %v", reopened.GetState(), reopened.GetStateReason(), reopened.ClosedAt)
	}

	events, _, err := c.Issues.ListIssueEvents(ctx(), "acme", "tools", 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.GetEvent()+":"+e.GetLabel().GetName()+":"+e.GetActor().GetLogin())
	}
	want := []string{"labeled:bug:" + DefaultLogin, "labeled:ci-alert:" + DefaultLogin, "unlabeled:ci-alert:" + DefaultLogin,
		"closed::" + DefaultLogin, "reopened::" + DefaultLogin}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("issue events (-want +got):\n%s", diff)
	}

	timeline, _, err := c.Issues.ListIssueTimeline(ctx(), "acme", "tools", 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range timeline {
		kinds = append(kinds, e.GetEvent())
	}
	if !strings.Contains(strings.Join(kinds, ","), "commented") {
		t.Errorf("timeline events = %v, want a commented entry", kinds)
	}

	// Listing: open issues include PRs with a pull_request key.
	list, _, err := c.Issues.ListByRepo(ctx(), "acme", "tools", &github.IssueListByRepoOptions{State: "open", Sort: "created", Direction: "asc"})
	if err != nil {
		t.Fatal(err)
	}
	var nums []string
	for _, i := range list {
		nums = append(nums, fmt.Sprintf("%d:%v", i.GetNumber(), i.IsPullRequest()))
	}
	if diff := cmp.Diff([]string{"3:true", "1:false", "4:true", "6:false"}, nums); diff != "" {
		t.Errorf("open issues oldest first (-want +got):\n%s", diff)
	}
}

func TestCommentEditAndDelete(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	cm, _, err := c.Issues.CreateComment(ctx(), "acme", "tools", 1, &github.IssueComment{Body: github.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	edited, _, err := c.Issues.EditComment(ctx(), "acme", "tools", cm.GetID(), &github.IssueComment{Body: github.String("v2")})
	if err != nil || edited.GetBody() != "v2" {
		t.Fatalf("edit = %v, %v", edited.GetBody(), err)
	}
	got, _, err := c.Issues.GetComment(ctx(), "acme", "tools", cm.GetID())
	if err != nil || got.GetBody() != "v2" {
		t.Fatalf("get = %v, %v", got.GetBody(), err)
	}
	if _, err := c.Issues.DeleteComment(ctx(), "acme", "tools", cm.GetID()); err != nil {
		t.Fatal(err)
	}
	list, _, err := c.Issues.ListComments(ctx(), "acme", "tools", 1, nil)
	if err != nil || len(list) != 1 || list[0].GetBody() != "same here" {
		t.Errorf("comments after delete = %d, %v", len(list), err)
	}
	if _, err := c.Issues.DeleteComment(ctx(), "acme", "tools", cm.GetID()); err == nil {
		t.Errorf("deleting twice: want 404")
	}
}

// TestTimelineCommitted checks that a pull request's timeline lists its
// commits as committed events (git-commit fields, no actor or created_at),
// in date order with the other events, and that an issue's has none.
func TestTimelineCommitted(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	tests := []struct {
		name   string
		number int
		want   []string // event:who:date
	}{
		{name: "pull_with_fixture_commits", number: 3, want: []string{
			"committed:mona:" + served(ago(40*day)).Format(time.RFC3339),
			"commented:octo:" + served(ago(36*day)).Format(time.RFC3339),
			"reviewed:octo:" + served(ago(35*day)).Format(time.RFC3339),
		}},
		{name: "pull_without_commits_has_its_head", number: 4, want: []string{
			"committed:stranger:" + served(ago(5*day)).Format(time.RFC3339),
		}},
		{name: "issue_has_no_commits", number: 1, want: []string{
			"labeled:octo:" + served(ago(20*day)).Format(time.RFC3339),
			"commented:mona:" + served(ago(19*day)).Format(time.RFC3339),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tl, _, err := c.Issues.ListIssueTimeline(ctx(), "acme", "tools", tt.number, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var shas []string
			for _, e := range tl {
				who, at := e.GetActor().GetLogin(), e.GetCreatedAt().Time
				switch e.GetEvent() {
				case "committed":
					who, at = e.GetAuthor().GetName(), e.GetCommitter().GetDate().Time
					shas = append(shas, e.GetSHA())
				case "reviewed":
					who, at = e.GetUser().GetLogin(), e.GetSubmittedAt().Time
				}
				got = append(got, e.GetEvent()+":"+who+":"+at.UTC().Format(time.RFC3339))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("timeline (-want +got):\n%s", diff)
			}
			if tt.number == 1 {
				return
			}
			commits, _, err := c.PullRequests.ListCommits(ctx(), "acme", "tools", tt.number, nil)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, cm := range commits {
				want = append(want, cm.GetSHA())
			}
			if diff := cmp.Diff(want, shas); diff != "" {
				t.Errorf("committed shas differ from GET pulls/%d/commits (-want +got):\n%s", tt.number, diff)
			}
		})
	}

	t.Run("shape", func(t *testing.T) {
		t.Parallel()
		_, b := rawGet(t, s, "/repos/acme/tools/issues/3/timeline", nil)
		var entries []map[string]any
		if err := json.Unmarshal(b, &entries); err != nil {
			t.Fatalf("timeline is not a JSON array: %v", err)
		}
		var committed map[string]any
		for _, e := range entries {
			if e["event"] == "committed" {
				committed = e
			}
		}
		if committed == nil {
			t.Fatalf("no committed entry in %s", b)
		}
		keysOf := func(v any) []string {
			m, _ := v.(map[string]any)
			var ks []string
			for k := range m {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			return ks
		}
		const sha = "2222222222222222222222222222222222222222"
		want := map[string][]string{
			"":             {"author", "committer", "event", "html_url", "message", "node_id", "parents", "sha", "tree", "url", "verification"},
			"author":       {"date", "email", "name"},
			"committer":    {"date", "email", "name"},
			"tree":         {"sha", "url"},
			"parents[0]":   {"html_url", "sha", "url"},
			"verification": {"payload", "reason", "signature", "verified", "verified_at"},
		}
		parents, _ := committed["parents"].([]any)
		if len(parents) != 1 {
			t.Fatalf("parents = %v, want one", committed["parents"])
		}
		for path, keys := range want {
			var v any = committed
			switch path {
			case "parents[0]":
				v = parents[0]
			case "":
			default:
				v = committed[path]
			}
			if diff := cmp.Diff(keys, keysOf(v)); diff != "" {
				t.Errorf("keys of committed%s (-want +got):\n%s", "."+path, diff)
			}
		}
		if committed["sha"] != sha || committed["url"] != s.URL()+"/repos/acme/tools/git/commits/"+sha ||
			committed["html_url"] != "https://github.com/acme/tools/commit/"+sha || committed["message"] != "Add x" {
			t.Errorf("committed = sha %v url %v html_url %v message %v", committed["sha"], committed["url"], committed["html_url"], committed["message"])
		}
		if v := committed["verification"].(map[string]any); v["verified"] != false || v["reason"] != "unsigned" {
			t.Errorf("verification = %v, want unsigned", v)
		}
	})
}

func TestIssueFilters(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	tests := []struct {
		name string
		opt  github.IssueListByRepoOptions
		want []int
	}{
		{name: "default_open_newest_first", want: []int{4, 1, 3}},
		{name: "closed", opt: github.IssueListByRepoOptions{State: "closed"}, want: []int{2, 5}},
		{name: "labels_all_must_match", opt: github.IssueListByRepoOptions{State: "all", Labels: []string{"bug"}}, want: []int{1}},
		{name: "creator", opt: github.IssueListByRepoOptions{State: "all", Creator: "mona"}, want: []int{3, 5}},
		{name: "since_updated", opt: github.IssueListByRepoOptions{State: "all", Since: served(ago(25 * day))}, want: []int{4, 1}},
		{name: "sort_comments", opt: github.IssueListByRepoOptions{Sort: "comments", Direction: "desc"}, want: []int{3, 1, 4}},
		{name: "assignee", opt: github.IssueListByRepoOptions{Assignee: "octo"}, want: []int{3}},
		{name: "milestone_none", opt: github.IssueListByRepoOptions{Milestone: "none"}, want: []int{4, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list, _, err := c.Issues.ListByRepo(ctx(), "acme", "tools", &tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, i := range list {
				got = append(got, i.GetNumber())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("numbers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPullRequests(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	tests := []struct {
		name string
		opt  github.PullRequestListOptions
		want []int
	}{
		{name: "open_default", want: []int{4, 3}},
		{name: "all", opt: github.PullRequestListOptions{State: "all"}, want: []int{4, 3, 2}},
		{name: "head_fork", opt: github.PullRequestListOptions{Head: "stranger:patch-1"}, want: []int{4}},
		{name: "head_same_repo", opt: github.PullRequestListOptions{Head: "acme:feature/x"}, want: []int{3}},
		{name: "base", opt: github.PullRequestListOptions{State: "all", Base: "develop"}, want: nil},
		{name: "updated_asc", opt: github.PullRequestListOptions{Sort: "updated"}, want: []int{3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list, _, err := c.PullRequests.List(ctx(), "acme", "tools", &tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, p := range list {
				got = append(got, p.GetNumber())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("numbers (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("get_commits_reviews_close", func(t *testing.T) {
		t.Parallel()
		s := start(t, nil)
		c := client(t, s)
		pr, _, err := c.PullRequests.Get(ctx(), "acme", "tools", 4)
		if err != nil {
			t.Fatal(err)
		}
		if !pr.GetDraft() || pr.GetHead().GetRepo().GetFullName() != "stranger/tools" || !pr.GetHead().GetRepo().GetFork() || pr.GetBase().GetRepo().GetFullName() != "acme/tools" {
			t.Errorf("fork PR: draft %v head %s base %s", pr.GetDraft(), pr.GetHead().GetRepo().GetFullName(), pr.GetBase().GetRepo().GetFullName())
		}
		commits, _, err := c.PullRequests.ListCommits(ctx(), "acme", "tools", 3, nil)
		if err != nil || len(commits) != 1 || commits[0].GetSHA() != "2222222222222222222222222222222222222222" {
			t.Errorf("commits = %v, %v", commits, err)
		}
		reviews, _, err := c.PullRequests.ListReviews(ctx(), "acme", "tools", 3, nil)
		if err != nil || len(reviews) != 1 || reviews[0].GetState() != "APPROVED" {
			t.Errorf("reviews = %v, %v", reviews, err)
		}
		closed, _, err := c.PullRequests.Edit(ctx(), "acme", "tools", 3, &github.PullRequest{State: github.String("closed")})
		if err != nil || closed.GetState() != "closed" || closed.ClosedAt == nil || closed.GetMerged() {
			t.Fatalf("close = %v %v, %v", closed.GetState(), closed.ClosedAt, err)
		}
		if _, _, err := c.PullRequests.Get(ctx(), "acme", "tools", 1); err == nil {
			t.Errorf("an issue number is not a pull request: want 404")
		}
	})
}

func TestBranchesAndRefs(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	prot, _, err := c.Repositories.ListBranches(ctx(), "acme", "tools", &github.BranchListOptions{Protected: github.Bool(true)})
	if err != nil || len(prot) != 1 || prot[0].GetName() != "master" {
		t.Fatalf("protected = %v, %v", prot, err)
	}
	if _, _, err := c.Repositories.GetBranchProtection(ctx(), "acme", "tools", "master"); err != nil {
		t.Errorf("protection of master: %v", err)
	}
	_, _, err = c.Repositories.GetBranchProtection(ctx(), "acme", "tools", "feature/x")
	if !errors.Is(err, github.ErrBranchNotProtected) {
		t.Errorf("protection of unprotected branch: %v, want github.ErrBranchNotProtected", err)
	}
	b, _, err := c.Repositories.GetBranch(ctx(), "acme", "tools", "feature/x", 1)
	if err != nil || b.GetCommit().GetCommit().GetAuthor().GetDate().Time.IsZero() || b.GetCommit().GetSHA() != "2222222222222222222222222222222222222222" {
		t.Fatalf("branch = %+v, %v", b, err)
	}
	if want := served(ago(40 * day)); !b.GetCommit().GetCommit().GetAuthor().GetDate().Time.Equal(want) {
		t.Errorf("commit date = %v, want %v", b.GetCommit().GetCommit().GetAuthor().GetDate(), want)
	}
	cm, _, err := c.Repositories.GetCommit(ctx(), "acme", "tools", "v1.0.0", nil)
	if err != nil || cm.GetSHA() != "1111111111111111111111111111111111111111" {
		t.Errorf("commit of tag = %v, %v", cm.GetSHA(), err)
	}
	ref, _, err := c.Git.GetRef(ctx(), "acme", "tools", "heads/feature/x")
	if err != nil || ref.GetObject().GetSHA() != "2222222222222222222222222222222222222222" {
		t.Fatalf("ref = %v, %v", ref, err)
	}

	refs, _, err := c.Git.ListMatchingRefs(ctx(), "acme", "tools", &github.ReferenceListOptions{Ref: "heads/cursor/"})
	if err != nil || len(refs) != 1 || refs[0].GetRef() != "refs/heads/cursor/tmp-1" {
		t.Errorf("matching refs = %v, %v", refs, err)
	}

	// Deleting the head branch of open PR #3 closes it, like GitHub.
	if _, err := c.Git.DeleteRef(ctx(), "acme", "tools", "refs/heads/feature/x"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Repositories.GetBranch(ctx(), "acme", "tools", "feature/x", 0); err == nil {
		t.Errorf("branch still served after delete")
	}
	if pr, _, _ := c.PullRequests.Get(ctx(), "acme", "tools", 3); pr.GetState() != "closed" {
		t.Errorf("PR #3 state = %s, want closed", pr.GetState())
	}
	// Restore it from the recorded SHA.
	if _, _, err := c.Git.CreateRef(ctx(), "acme", "tools", &github.Reference{Ref: github.String("refs/heads/feature/x"),
		Object: &github.GitObject{SHA: github.String("2222222222222222222222222222222222222222")}}); err != nil {
		t.Fatal(err)
	}
	restored, _, err := c.Repositories.GetBranch(ctx(), "acme", "tools", "feature/x", 0)
	if err != nil || restored.GetCommit().GetCommit().GetMessage() != "Add x" {
		t.Errorf("restored branch = %v, %v", restored.GetCommit().GetCommit().GetMessage(), err)
	}
	_, _, err = c.Git.CreateRef(ctx(), "acme", "tools", &github.Reference{Ref: github.String("refs/heads/feature/x"),
		Object: &github.GitObject{SHA: github.String("2222222222222222222222222222222222222222")}})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 422 || er.Message != "Reference already exists" {
		t.Errorf("duplicate ref: %v", err)
	}
	if _, err := c.Git.DeleteRef(ctx(), "acme", "tools", "heads/nope"); !errors.As(err, &er) || er.Response.StatusCode != 422 {
		t.Errorf("missing ref delete: %v, want 422", err)
	}
	changes := s.State().RefChanges
	var got []string
	for _, ch := range changes {
		got = append(got, ch.Action+" "+ch.Ref+" "+ch.SHA[:4]+" "+ch.Actor)
	}
	if diff := cmp.Diff([]string{"deleted refs/heads/feature/x 2222 " + DefaultLogin, "created refs/heads/feature/x 2222 " + DefaultLogin}, got); diff != "" {
		t.Errorf("ref changes (-want +got):\n%s", diff)
	}
}

func TestWorkflowRuns(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	tests := []struct {
		name  string
		opt   github.ListWorkflowRunsOptions
		want  []int64
		total int
	}{
		{name: "all_newest_first", want: []int64{903, 901, 900, 902}, total: 4},
		{name: "branch", opt: github.ListWorkflowRunsOptions{Branch: "feature/x"}, want: []int64{901}, total: 1},
		{name: "conclusion", opt: github.ListWorkflowRunsOptions{Status: "failure"}, want: []int64{900}, total: 1},
		{name: "status", opt: github.ListWorkflowRunsOptions{Status: "in_progress"}, want: []int64{903}, total: 1},
		{name: "event", opt: github.ListWorkflowRunsOptions{Event: "schedule"}, want: []int64{903, 902}, total: 2},
		{name: "created_since", opt: github.ListWorkflowRunsOptions{Created: ">=" + served(ago(5*day)).Format("2006-01-02")}, want: []int64{903, 901, 900}, total: 3},
		{name: "created_range", opt: github.ListWorkflowRunsOptions{Created: served(ago(11*day)).Format("2006-01-02") + ".." + served(ago(2*day)).Format(time.RFC3339)}, want: []int64{900, 902}, total: 2},
		{name: "head_sha", opt: github.ListWorkflowRunsOptions{HeadSHA: "2222222222222222222222222222222222222222"}, want: []int64{901}, total: 1},
		{name: "paged", opt: github.ListWorkflowRunsOptions{ListOptions: github.ListOptions{PerPage: 3, Page: 2}}, want: []int64{902}, total: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runs, _, err := c.Actions.ListRepositoryWorkflowRuns(ctx(), "acme", "tools", &tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range runs.WorkflowRuns {
				got = append(got, r.GetID())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || runs.GetTotalCount() != tt.total {
				t.Errorf("total %d (want %d); ids (-want +got):\n%s", runs.GetTotalCount(), tt.total, diff)
			}
		})
	}
	t.Run("by_workflow_file", func(t *testing.T) {
		t.Parallel()
		runs, _, err := c.Actions.ListWorkflowRunsByFileName(ctx(), "acme", "tools", "nightly.yml", nil)
		if err != nil || runs.GetTotalCount() != 2 {
			t.Errorf("nightly runs = %v, %v", runs.GetTotalCount(), err)
		}
	})
	t.Run("jobs_latest_and_all", func(t *testing.T) {
		t.Parallel()
		latest, _, err := c.Actions.ListWorkflowJobs(ctx(), "acme", "tools", 900, nil)
		if err != nil {
			t.Fatal(err)
		}
		all, _, err := c.Actions.ListWorkflowJobs(ctx(), "acme", "tools", 900, &github.ListWorkflowJobsOptions{Filter: "all"})
		if err != nil {
			t.Fatal(err)
		}
		if latest.GetTotalCount() != 2 || all.GetTotalCount() != 3 {
			t.Errorf("latest %d, all %d; want 2 and 3", latest.GetTotalCount(), all.GetTotalCount())
		}
		first, _, err := c.Actions.ListWorkflowJobsAttempt(ctx(), "acme", "tools", 900, 1, nil)
		if err != nil || first.GetTotalCount() != 1 || first.Jobs[0].GetID() != 9001 {
			t.Errorf("attempt 1 jobs = %v, %v", first, err)
		}
		job, _, err := c.Actions.GetWorkflowJobByID(ctx(), "acme", "tools", 9002)
		if err != nil || job.GetConclusion() != "failure" || len(job.Steps) != 2 || job.Steps[1].GetConclusion() != "failure" || job.GetRunAttempt() != 2 {
			t.Errorf("job = %+v, %v", job, err)
		}
	})
	t.Run("attempts", func(t *testing.T) {
		t.Parallel()
		run, _, err := c.Actions.GetWorkflowRunByID(ctx(), "acme", "tools", 900)
		if err != nil || run.GetRunAttempt() != 2 || run.GetPreviousAttemptURL() == "" {
			t.Fatalf("run = %v, %v", run, err)
		}
		a1, _, err := c.Actions.GetWorkflowRunAttempt(ctx(), "acme", "tools", 900, 1, nil)
		if err != nil || a1.GetRunAttempt() != 1 || a1.GetConclusion() != "failure" || a1.PreviousAttemptURL != nil {
			t.Errorf("attempt 1 = %v, %v", a1, err)
		}
		if _, _, err := c.Actions.GetWorkflowRunAttempt(ctx(), "acme", "tools", 900, 3, nil); err == nil {
			t.Errorf("attempt 3: want 404")
		}
	})
	t.Run("artifacts_and_workflows", func(t *testing.T) {
		t.Parallel()
		arts, _, err := c.Actions.ListWorkflowRunArtifacts(ctx(), "acme", "tools", 900, nil)
		if err != nil || arts.GetTotalCount() != 1 || arts.Artifacts[0].GetName() != "build-log" || arts.Artifacts[0].GetWorkflowRun().GetID() != 900 {
			t.Errorf("artifacts = %v, %v", arts, err)
		}
		all, _, err := c.Actions.ListArtifacts(ctx(), "acme", "tools", nil)
		if err != nil || all.GetTotalCount() != 1 {
			t.Errorf("repo artifacts = %v, %v", all, err)
		}
		wfs, _, err := c.Actions.ListWorkflows(ctx(), "acme", "tools", nil)
		if err != nil || wfs.GetTotalCount() != 3 {
			t.Errorf("workflows = %v, %v", wfs, err)
		}
		wf, _, err := c.Actions.GetWorkflowByFileName(ctx(), "acme", "tools", "ci.yml")
		if err != nil || wf.GetID() != 11 {
			t.Errorf("workflow by file = %v, %v", wf, err)
		}
		wf, _, err = c.Actions.GetWorkflowByID(ctx(), "acme", "tools", 12)
		if err != nil || wf.GetName() != "Nightly" {
			t.Errorf("workflow by id = %v, %v", wf, err)
		}
	})
}

func TestDispatches(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	payload := json.RawMessage(`{"version":"3.2.1","source":"openssl-tools"}`)
	if _, _, err := c.Repositories.Dispatch(ctx(), "acme", "tools", github.DispatchRequestOptions{EventType: "openssl-updated", ClientPayload: &payload}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Actions.CreateWorkflowDispatchEventByFileName(ctx(), "acme", "tools", "ci.yml", github.CreateWorkflowDispatchEventRequest{
		Ref: "feature/x", Inputs: map[string]any{"level": "full"}}); err != nil {
		t.Fatal(err)
	}
	d := s.Dispatches()
	if len(d) != 2 {
		t.Fatalf("dispatches = %+v", d)
	}
	want := []Dispatch{
		{Kind: "repository_dispatch", Repo: "acme/tools", EventType: "openssl-updated", ClientPayload: map[string]any{"version": "3.2.1", "source": "openssl-tools"}, Actor: DefaultLogin, Time: testNow},
		{Kind: "workflow_dispatch", Repo: "acme/tools", Workflow: ".github/workflows/ci.yml", WorkflowID: 11, Ref: "feature/x", Inputs: map[string]any{"level": "full"}, RunID: 904, Actor: DefaultLogin, Time: testNow},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("dispatches (-want +got):\n%s", diff)
	}
	runs, _, err := c.Actions.ListRepositoryWorkflowRuns(ctx(), "acme", "tools", &github.ListWorkflowRunsOptions{Status: "queued"})
	if err != nil || runs.GetTotalCount() != 1 {
		t.Fatalf("queued runs = %v, %v", runs, err)
	}
	r := runs.WorkflowRuns[0]
	if r.GetID() != 904 || r.GetEvent() != "workflow_dispatch" || r.GetHeadBranch() != "feature/x" || r.GetRunNumber() != 9 || r.GetActor().GetLogin() != DefaultLogin {
		t.Errorf("queued run = id %d event %s branch %s number %d actor %s", r.GetID(), r.GetEvent(), r.GetHeadBranch(), r.GetRunNumber(), r.GetActor().GetLogin())
	}
}

// TestWritesRecordRequestTime runs the server on a clock that moves on
// every reading: a dispatch, the run it queues and an issue carry the
// time their request arrived by the server clock, the time in the request
// log, not a later reading and not the wall clock.
func TestWritesRecordRequestTime(t *testing.T) {
	t.Parallel()
	var ticks atomic.Int64
	clock := func() time.Time { return testNow.Add(time.Duration(ticks.Add(1)) * time.Second) }
	s := StartForTest(t, testFixture(), Options{Now: clock})
	loggedAt := func(method, path string) time.Time {
		t.Helper()
		for _, e := range s.Requests() {
			if e.Method == method && e.Path == path {
				return e.Time
			}
		}
		t.Fatalf("%s %s is not in the request log", method, path)
		return time.Time{}
	}
	writes := []struct{ method, path, body string }{
		{"POST", "/repos/acme/tools/dispatches", `{"event_type":"openssl-updated"}`},
		{"POST", "/repos/acme/tools/actions/workflows/ci.yml/dispatches", `{"ref":"master"}`},
		{"POST", "/repos/acme/tools/issues", `{"title":"new"}`},
	}
	for _, w := range writes {
		if resp, b := rawDo(t, s, w.method, w.path, w.body, nil); resp.StatusCode >= 300 {
			t.Fatalf("%s %s = %d %s", w.method, w.path, resp.StatusCode, b)
		}
	}
	repoAt, wfAt, issueAt := loggedAt(writes[0].method, writes[0].path), loggedAt(writes[1].method, writes[1].path), loggedAt(writes[2].method, writes[2].path)
	if !repoAt.After(testNow) || repoAt.After(testNow.Add(time.Hour)) {
		t.Fatalf("request logged at %v, want the server clock (just after %v)", repoAt, testNow)
	}
	d := s.Dispatches()
	if len(d) != 2 {
		t.Fatalf("dispatches = %+v", d)
	}
	st := s.State()
	var run Run
	for _, r := range st.Repositories[0].Runs {
		if r.ID == d[1].RunID {
			run = r
		}
	}
	var issue Issue
	for _, is := range st.Repositories[0].Issues {
		if is.Title == "new" {
			issue = is
		}
	}
	got := map[string]time.Time{
		"repository_dispatch": d[0].Time, "workflow_dispatch": d[1].Time, "run created_at": run.CreatedAt,
		"run updated_at": run.UpdatedAt, "issue created_at": issue.CreatedAt,
	}
	want := map[string]time.Time{
		"repository_dispatch": repoAt, "workflow_dispatch": wfAt, "run created_at": wfAt,
		"run updated_at": wfAt, "issue created_at": issueAt,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded times (-want request log times +got):\n%s", diff)
	}
	if run.Status != "queued" || run.Event != "workflow_dispatch" {
		t.Errorf("dispatched run = status %q event %q, want a queued workflow_dispatch run", run.Status, run.Event)
	}
}

func TestRepoEventsWindow(t *testing.T) {
	t.Parallel()
	f := testFixture()
	for i := 0; i < 320; i++ {
		f.Repositories[1].Events = append(f.Repositories[1].Events, Event{Type: "WatchEvent", Actor: "mona", CreatedAt: ago(time.Duration(i) * time.Hour)})
	}
	s := StartForTest(t, f, Options{Now: fixedNow})
	c := client(t, s)
	evs, _, err := c.Activity.ListRepositoryEvents(ctx(), "acme", "tools", nil)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		types = append(types, e.GetType())
	}
	if diff := cmp.Diff([]string{"PushEvent", "WatchEvent"}, types); diff != "" {
		t.Errorf("events in 30 days (-want +got):\n%s", diff)
	}
	if evs[0].GetActor().GetLogin() != "octo" || evs[0].GetRepo().GetName() != "acme/tools" || !evs[0].GetCreatedAt().Time.Equal(served(ago(day))) {
		t.Errorf("event = %+v", evs[0])
	}
	all, err := collectEvents(c, "octo", "notes")
	if err != nil {
		t.Fatal(err)
	}
	if all != 300 {
		t.Errorf("paged events = %d, want the 300 cap", all)
	}
}

func collectEvents(c *github.Client, owner, repo string) (int, error) {
	n := 0
	opt := &github.ListOptions{PerPage: 100}
	for {
		evs, resp, err := c.Activity.ListRepositoryEvents(ctx(), owner, repo, opt)
		if err != nil {
			return n, err
		}
		n += len(evs)
		if resp.NextPage == 0 {
			return n, nil
		}
		opt.Page = resp.NextPage
	}
}

func TestSearchIssues(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	tests := []struct {
		name string
		q    string
		want []int
	}{
		{name: "repo_open_issues", q: "repo:acme/tools is:issue is:open", want: []int{1}},
		{name: "prs", q: "repo:acme/tools is:pr", want: []int{4, 3, 2}},
		{name: "label", q: `repo:acme/tools label:"bug"`, want: []int{1}},
		{name: "negated_label", q: "repo:acme/tools is:open -label:bug", want: []int{4, 3}},
		{name: "title_text", q: "repo:acme/tools nightly in:title", want: []int{1}},
		{name: "body_text", q: "repo:acme/tools logs", want: []int{1}},
		{name: "closed_state", q: "repo:acme/tools state:closed is:issue", want: []int{5}},
		{name: "other_repo", q: "repo:octo/notes", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, _, err := c.Search.Issues(ctx(), tt.q, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, i := range res.Issues {
				got = append(got, i.GetNumber())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || res.GetTotal() != len(tt.want) {
				t.Errorf("total %d; numbers (-want +got):\n%s", res.GetTotal(), diff)
			}
		})
	}
	t.Run("search_budget", func(t *testing.T) {
		t.Parallel()
		s := start(t, func(o *Options) { o.SearchRateLimit = 1 })
		c := client(t, s)
		if _, _, err := c.Search.Issues(ctx(), "repo:acme/tools", nil); err != nil {
			t.Fatal(err)
		}
		_, _, err := c.Search.Issues(ctx(), "repo:acme/tools", nil)
		var rle *github.RateLimitError
		if !errors.As(err, &rle) {
			t.Errorf("second search: %v, want *RateLimitError", err)
		}
		if _, _, err := c.Repositories.Get(ctx(), "acme", "tools"); err != nil {
			t.Errorf("core still available: %v", err)
		}
	})
}

func TestContentsAndUsers(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	file, dir, _, err := c.Repositories.GetContents(ctx(), "acme", "tools", ".github/workflows/ci.yml", nil)
	if err != nil || dir != nil {
		t.Fatalf("contents = %v %v, %v", file, dir, err)
	}
	text, err := file.GetContent()
	if err != nil || !strings.Contains(text, "workflow_dispatch") {
		t.Errorf("decoded content = %q, %v", text, err)
	}
	_, dir, _, err = c.Repositories.GetContents(ctx(), "acme", "tools", ".github/workflows", nil)
	if err != nil || len(dir) != 2 {
		t.Errorf("dir listing = %d, %v", len(dir), err)
	}
	if _, _, _, err := c.Repositories.GetContents(ctx(), "acme", "tools", "missing.txt", nil); err == nil {
		t.Errorf("missing file: want 404")
	}
	rc, _, err := c.Repositories.DownloadContents(ctx(), "acme", "tools", "README.md", nil)
	if err != nil {
		t.Fatal(err)
	}
	b := new(strings.Builder)
	_, _ = fmt.Fprint(b, readAll(rc))
	if b.String() != "# tools\n" {
		t.Errorf("download = %q", b.String())
	}

	repos, _, err := c.Repositories.ListByOrg(ctx(), "acme", &github.RepositoryListByOrgOptions{Sort: "full_name"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range repos {
		names = append(names, r.GetName())
	}
	if diff := cmp.Diff([]string{"blocked", "secret", "tools"}, names); diff != "" {
		t.Errorf("org repos (-want +got):\n%s", diff)
	}
	if _, _, err := c.Repositories.ListByOrg(ctx(), "octo", nil); err == nil {
		t.Errorf("a user is not an org: want 404")
	}
	userRepos, _, err := c.Repositories.ListByUser(ctx(), "octo", nil)
	if err != nil || len(userRepos) != 1 {
		t.Errorf("user repos = %d, %v", len(userRepos), err)
	}
	me, _, err := c.Users.Get(ctx(), "")
	if err != nil || me.GetLogin() != DefaultLogin || me.GetType() != "Bot" {
		t.Errorf("/user = %v %v, %v", me.GetLogin(), me.GetType(), err)
	}
}

func readAll(rc interface {
	Read([]byte) (int, error)
	Close() error
}) string {
	defer rc.Close()
	var b strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := rc.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	s := start(t, func(o *Options) { o.SecondaryLimit = -1 })
	c := client(t, s)
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func(i int) {
			_, _, err := c.Issues.Create(ctx(), "acme", "tools", &github.IssueRequest{Title: github.String(fmt.Sprint("n", i)), Labels: &[]string{"l" + fmt.Sprint(i%2)}})
			if err == nil {
				_, _, err = c.Issues.ListByRepo(ctx(), "acme", "tools", nil)
			}
			done <- err
		}(i)
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	seen := map[int]bool{}
	for _, is := range s.State().Repositories[0].Issues {
		if seen[is.Number] {
			t.Errorf("duplicate number %d", is.Number)
		}
		seen[is.Number] = true
	}
	if len(seen) != 10 {
		t.Errorf("issues = %d, want 10", len(seen))
	}
}

func TestTimestampShift(t *testing.T) {
	t.Parallel()
	f := testFixture()
	original := f.Repositories[0].PushedAt
	s := StartForTest(t, f, Options{Now: fixedNow})
	if !f.Repositories[0].PushedAt.Equal(original) {
		t.Errorf("the caller's fixture was modified")
	}
	repo, _, err := client(t, s).Repositories.Get(ctx(), "acme", "tools")
	if err != nil {
		t.Fatal(err)
	}
	if age := testNow.Sub(repo.GetPushedAt().Time); age != day {
		t.Errorf("pushed %v before now, want the fixture's 24h", age)
	}
	// Without a reference time nothing moves.
	f2 := testFixture()
	f2.ReferenceTime = time.Time{}
	s2 := StartForTest(t, f2, Options{Now: fixedNow})
	repo2, _, _ := client(t, s2).Repositories.Get(ctx(), "acme", "tools")
	if !repo2.GetPushedAt().Time.Equal(ago(day)) {
		t.Errorf("pushed_at = %v, want unshifted %v", repo2.GetPushedAt(), ago(day))
	}
}

func TestExampleFixture(t *testing.T) {
	t.Parallel()
	path := ExampleFixturePath()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("example ecosystem fixture %s does not exist yet (it is written by the fixture owner): %v", path, err)
	}
	f, err := loadExample()
	if err != nil {
		t.Fatalf("the example fixture does not load: %v", err)
	}
	c := client(t, StartForTest(t, f, Options{}))
	for _, r := range f.Repositories {
		if r.Status != 0 {
			continue
		}
		t.Run(r.FullName(), func(t *testing.T) {
			t.Parallel()
			repo, _, err := c.Repositories.Get(ctx(), r.Owner, r.Name)
			if err != nil {
				t.Fatal(err)
			}
			if repo.GetDefaultBranch() == "" || repo.PushedAt == nil {
				t.Errorf("default branch %q pushed_at %v", repo.GetDefaultBranch(), repo.PushedAt)
			}
			if _, _, err := c.Actions.ListRepositoryWorkflowRuns(ctx(), r.Owner, r.Name, nil); err != nil {
				t.Errorf("runs: %v", err)
			}
			if _, err := collectEvents(c, r.Owner, r.Name); err != nil {
				t.Errorf("events: %v", err)
			}
		})
	}
}
