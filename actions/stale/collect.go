package stale

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// Collector reads repository state through the GitHub API. Reads per
// repository: the repository, the config file, open pull requests and
// branches (100 per page), the tracking issue search, then at most one extra
// read per candidate: the timeline of a pull request / issue that is old
// enough to be stale, or the last commit of a branch that is neither
// protected by a safety rail nor exempt. (The Executor adds one read per
// deletion: the branch, re-checked right before it is deleted.)
type Collector struct {
	GitHub *github.Client
	Now    time.Time
	// Logf receives progress lines (already safe to print: callers escape).
	Logf func(format string, args ...any)
}

// RepoError is a repository that could not be collected; its items are not
// planned (a partial view could hide an open pull request that protects a
// branch, so nothing is decided on it).
type RepoError = contract.RepoError

// Collect reads every repository. Errors of one repository are returned in
// the slice and do not stop the others; the error is non-nil only when ctx
// is done.
func (c *Collector) Collect(ctx context.Context, base Policy, repos []string) ([]*RepoState, []RepoError, error) {
	var out []*RepoState
	var errs []RepoError
	for _, repo := range repos {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		rs, err := c.collectRepo(ctx, base, repo)
		if err != nil {
			var pe *configError
			errs = append(errs, RepoError{Repository: repo, Error: err.Error(), Config: errors.As(err, &pe)})
			continue
		}
		out = append(out, rs)
	}
	return out, errs, nil
}

type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

func (c *Collector) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func splitRepo(repo string) (string, string) {
	o, r, _ := strings.Cut(repo, "/")
	return o, r
}

func (c *Collector) collectRepo(ctx context.Context, base Policy, repo string) (*RepoState, error) {
	gh := c.GitHub
	owner, name := splitRepo(repo)
	r, _, err := gh.Repositories.Get(ctx, owner, name)
	if err != nil {
		return nil, fmt.Errorf("failed to read repository %s: %w", repo, err)
	}
	rs := &RepoState{Repo: repo, DefaultBranch: r.GetDefaultBranch(), Fork: r.GetFork(), Archived: r.GetArchived(), Policy: base,
		OpenPRRefs: map[string][]int{}}

	fc, _, _, err := gh.Repositories.GetContents(ctx, owner, name, ConfigPath, nil)
	switch {
	case err == nil && fc != nil:
		text, err := fc.GetContent()
		if err != nil {
			return nil, fmt.Errorf("failed to decode %s of %s: %w", ConfigPath, repo, err)
		}
		source := repo + ":" + ConfigPath
		p, err := ApplyConfig(base, []byte(text), source)
		if err != nil {
			return nil, &configError{err}
		}
		rs.Policy, rs.ConfigSource = p, source
	case err != nil && ghclient.StatusCode(err) != http.StatusNotFound:
		return nil, fmt.Errorf("failed to read %s of %s: %w", ConfigPath, repo, err)
	}
	p := rs.Policy
	cutoff := c.Now.Add(-p.DaysUntilStale)

	// Open pull requests: items, and the refs that protect branches.
	if p.IncludePRs || p.IncludeBranches {
		pulls, err := ghclient.ListAll(ctx, func(o github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
			return gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "open", ListOptions: o})
		})
		if err != nil {
			return nil, fmt.Errorf("failed to list open pull requests of %s: %w", repo, err)
		}
		for _, pr := range pulls {
			rs.OpenPRRefs[pr.GetHead().GetLabel()] = append(rs.OpenPRRefs[pr.GetHead().GetLabel()], pr.GetNumber())
			baseLabel := owner + ":" + pr.GetBase().GetRef()
			rs.OpenPRRefs[baseLabel] = append(rs.OpenPRRefs[baseLabel], pr.GetNumber())
			if !p.IncludePRs {
				continue
			}
			it := &Item{Kind: KindPR, Repo: repo, Number: pr.GetNumber(), Title: pr.GetTitle(), URL: pr.GetHTMLURL(),
				Author: pr.GetUser().GetLogin(), Milestone: pr.GetMilestone().GetTitle(), Draft: pr.GetDraft(),
				CreatedAt: pr.GetCreatedAt().Time, UpdatedAt: pr.GetUpdatedAt().Time,
				Branch: pr.GetHead().GetRef(), SHA: pr.GetHead().GetSHA()}
			for _, l := range pr.Labels {
				it.Labels = append(it.Labels, l.GetName())
			}
			for _, a := range pr.Assignees {
				it.Assignees = append(it.Assignees, a.GetLogin())
			}
			rs.Items = append(rs.Items, it)
		}
	}

	// Issues: stale candidates (include_issues) and the tracking issue.
	if p.IncludeIssues || p.IncludeBranches {
		opts := &github.IssueListByRepoOptions{State: "open"}
		if !p.IncludeIssues {
			opts.Creator = p.BotLogin
		}
		issues, err := ghclient.ListAll(ctx, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
			opts.ListOptions = o
			return gh.Issues.ListByRepo(ctx, owner, name, opts)
		})
		if err != nil {
			return nil, fmt.Errorf("failed to list open issues of %s: %w", repo, err)
		}
		for _, is := range issues {
			if is.IsPullRequest() {
				continue
			}
			if strings.HasPrefix(is.GetBody(), MarkerBranches) && !p.isHuman(is.GetUser().GetLogin()) {
				if rs.Tracking == nil || is.GetNumber() < rs.Tracking.Number {
					st, err := parseTracking(is.GetBody())
					if err != nil {
						c.logf("%s: tracking issue #%d: %v (starting a fresh list)", repo, is.GetNumber(), err)
					}
					rs.Tracking = &TrackingIssue{Number: is.GetNumber(), Body: is.GetBody(), State: st}
				}
				continue
			}
			if !p.IncludeIssues {
				continue
			}
			it := &Item{Kind: KindIssue, Repo: repo, Number: is.GetNumber(), Title: is.GetTitle(), URL: is.GetHTMLURL(),
				Author: is.GetUser().GetLogin(), Milestone: is.GetMilestone().GetTitle(),
				CreatedAt: is.GetCreatedAt().Time, UpdatedAt: is.GetUpdatedAt().Time}
			for _, l := range is.Labels {
				it.Labels = append(it.Labels, l.GetName())
			}
			for _, a := range is.Assignees {
				it.Assignees = append(it.Assignees, a.GetLogin())
			}
			rs.Items = append(rs.Items, it)
		}
	}

	// Timelines of the candidates: one read each.
	for _, it := range rs.Items {
		if rs.Archived || p.exemptReason(it) != "" {
			continue
		}
		if it.CreatedAt.After(cutoff) && !it.HasLabel(p.StaleLabel) {
			continue // younger than the threshold: cannot be stale
		}
		tl, err := ghclient.ListAll(ctx, func(o github.ListOptions) ([]*github.Timeline, *github.Response, error) {
			return gh.Issues.ListIssueTimeline(ctx, owner, name, it.Number, &o)
		})
		if err != nil {
			if ghclient.IsRateLimitStop(err) || ctx.Err() != nil {
				return nil, fmt.Errorf("failed to read the timeline of %s#%d: %w", repo, it.Number, err)
			}
			it.ReadError = err.Error()
			continue
		}
		it.Read = true
		it.Activities = timelineActivities(tl)
	}

	if !p.IncludeBranches {
		return rs, nil
	}
	branches, err := ghclient.ListAll(ctx, func(o github.ListOptions) ([]*github.Branch, *github.Response, error) {
		return gh.Repositories.ListBranches(ctx, owner, name, &github.BranchListOptions{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("failed to list branches of %s: %w", repo, err)
	}
	for _, b := range branches {
		it := &Item{Kind: KindBranch, Repo: repo, Branch: b.GetName(), SHA: b.GetCommit().GetSHA(), Protected: b.GetProtected()}
		rs.Items = append(rs.Items, it)
		if branchSafety(rs, it) != "" {
			continue // never touched: no need to read it
		}
		if p.exemptReason(it) != "" {
			continue
		}
		cm, _, err := gh.Repositories.GetCommit(ctx, owner, name, it.SHA, nil)
		if err != nil {
			if ghclient.IsRateLimitStop(err) || ctx.Err() != nil {
				return nil, fmt.Errorf("failed to read the last commit of %s branch %s: %w", repo, it.Branch, err)
			}
			it.ReadError = err.Error()
			continue
		}
		it.Read = true
		it.CommitDate = cm.GetCommit().GetCommitter().GetDate().Time
		if it.CommitDate.IsZero() {
			it.CommitDate = cm.GetCommit().GetAuthor().GetDate().Time
		}
		it.Author = cm.GetAuthor().GetLogin()
		if it.Author == "" {
			it.Author = cm.GetCommit().GetAuthor().GetName()
		}
	}
	return rs, nil
}

// timelineActivities converts timeline entries to activities.
func timelineActivities(tl []*github.Timeline) []Activity {
	var out []Activity
	for _, e := range tl {
		a := Activity{Kind: ActOther, Actor: e.GetActor().GetLogin(), At: e.GetCreatedAt().Time}
		switch e.GetEvent() {
		case "commented":
			a.Kind = ActComment
			if a.Actor == "" {
				a.Actor = e.GetUser().GetLogin()
			}
			a.CommentID = e.GetID()
			a.Body = e.GetBody()
		case "committed":
			a.Kind = ActCommit
			a.Actor = e.GetAuthor().GetName()
			a.At = e.GetCommitter().GetDate().Time
			if a.At.IsZero() {
				a.At = e.GetAuthor().GetDate().Time
			}
		case "reviewed":
			a.Kind = ActReview
			if u := e.GetUser().GetLogin(); u != "" {
				a.Actor = u
			}
			if !e.GetSubmittedAt().IsZero() {
				a.At = e.GetSubmittedAt().Time
			}
		case "labeled":
			a.Kind = ActLabeled
			a.Label = e.GetLabel().GetName()
		case "unlabeled":
			a.Kind = ActUnlabeled
			a.Label = e.GetLabel().GetName()
		}
		out = append(out, a)
	}
	return out
}
