package monitor

import (
	"context"
	"io"
	"net/http"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// API is the narrow set of GitHub calls the monitor makes. GitHubAPI
// implements it on a go-github client (normally a pkg/ghclient client, which
// adds retries, rate-limit handling and the ETag cache); tests may fake it.
type API interface {
	// GetRepository is GET /repos/{owner}/{repo}.
	GetRepository(ctx context.Context, owner, repo string) (*github.Repository, error)
	// The List methods read one page (opt, as pkg/ghclient's paginator
	// hands it) and return go-github's response, whose NextPage, LastPage
	// and headers the paginator and the collector read.
	//
	// ListEvents is GET /repos/{owner}/{repo}/events (its X-Poll-Interval
	// header says how often to poll).
	ListEvents(ctx context.Context, owner, repo string, opt github.ListOptions) ([]*github.Event, *github.Response, error)
	// ListRuns is GET /repos/{owner}/{repo}/actions/runs with the created
	// filter (search date syntax).
	ListRuns(ctx context.Context, owner, repo, created string, opt github.ListOptions) ([]*github.WorkflowRun, *github.Response, error)
	// ListJobs is GET .../actions/runs/{id}/jobs?filter=all.
	ListJobs(ctx context.Context, owner, repo string, runID int64, opt github.ListOptions) ([]*github.WorkflowJob, *github.Response, error)
	// ListOpenIssues is GET /repos/{owner}/{repo}/issues?state=open (pull
	// requests included, told apart by pull_request).
	ListOpenIssues(ctx context.Context, owner, repo string, opt github.ListOptions) ([]*github.Issue, *github.Response, error)
	// ListOrgRepos is GET /orgs/{org}/repos.
	ListOrgRepos(ctx context.Context, org string, opt github.ListOptions) ([]*github.Repository, *github.Response, error)
	// ListOwnerRepos is GET /users/{owner}/repos (sorted by full name).
	ListOwnerRepos(ctx context.Context, owner string, opt github.ListOptions) ([]*github.Repository, *github.Response, error)
	// ListInstallationRepos is GET /installation/repositories: the
	// repositories an App installation token (or a GITHUB_TOKEN) reaches,
	// private ones included.
	ListInstallationRepos(ctx context.Context, opt github.ListOptions) ([]*github.Repository, *github.Response, error)
	// ListDeployments is GET /repos/{owner}/{repo}/deployments (newest
	// first).
	ListDeployments(ctx context.Context, owner, repo string, opt github.ListOptions) ([]*github.Deployment, *github.Response, error)
	// ListDeploymentStatuses is GET …/deployments/{id}/statuses.
	ListDeploymentStatuses(ctx context.Context, owner, repo string, id int64, opt github.ListOptions) ([]*github.DeploymentStatus, *github.Response, error)
	// ListCommitStatuses is GET …/commits/{ref}/statuses.
	ListCommitStatuses(ctx context.Context, owner, repo, ref string, opt github.ListOptions) ([]*github.RepoStatus, *github.Response, error)
	// ListCheckRuns is GET …/commits/{ref}/check-runs?filter=all.
	ListCheckRuns(ctx context.Context, owner, repo, ref string, opt github.ListOptions) ([]*github.CheckRun, *github.Response, error)
	// ListCheckSuites is GET …/commits/{ref}/check-suites.
	ListCheckSuites(ctx context.Context, owner, repo, ref string, opt github.ListOptions) ([]*github.CheckSuite, *github.Response, error)
	// JobLog streams a job's log: GET .../actions/jobs/{id}/logs answers 302
	// and the log is fetched from the Location.
	JobLog(ctx context.Context, owner, repo string, jobID int64) (io.ReadCloser, error)
}

// GitHubAPI implements API with a go-github client.
type GitHubAPI struct {
	Client *github.Client
	// LogClient fetches the signed log URL (default: see ghclient.JobLog).
	LogClient *http.Client
}

var _ API = GitHubAPI{}

// GetRepository implements API.
func (g GitHubAPI) GetRepository(ctx context.Context, owner, repo string) (*github.Repository, error) {
	owner, repo, err := segments(owner, repo)
	if err != nil {
		return nil, err
	}
	r, _, err := g.Client.Repositories.Get(ctx, owner, repo)
	return r, err
}

// ListEvents implements API.
func (g GitHubAPI) ListEvents(ctx context.Context, owner, repo string, opt github.ListOptions) ([]*github.Event, *github.Response, error) {
	owner, repo, err := segments(owner, repo)
	if err != nil {
		return nil, nil, err
	}
	return g.Client.Activity.ListRepositoryEvents(ctx, owner, repo, &opt)
}

// ListRuns implements API.
func (g GitHubAPI) ListRuns(ctx context.Context, owner, repo, created string, opt github.ListOptions) ([]*github.WorkflowRun, *github.Response, error) {
	owner, repo, err := segments(owner, repo)
	if err != nil {
		return nil, nil, err
	}
	runs, resp, err := g.Client.Actions.ListRepositoryWorkflowRuns(ctx, owner, repo, &github.ListWorkflowRunsOptions{Created: created, ListOptions: opt})
	if runs == nil {
		return nil, resp, err
	}
	return runs.WorkflowRuns, resp, err
}

// ListJobs implements API.
func (g GitHubAPI) ListJobs(ctx context.Context, owner, repo string, runID int64, opt github.ListOptions) ([]*github.WorkflowJob, *github.Response, error) {
	owner, repo, err := segments(owner, repo)
	if err != nil {
		return nil, nil, err
	}
	jobs, resp, err := g.Client.Actions.ListWorkflowJobs(ctx, owner, repo, runID, &github.ListWorkflowJobsOptions{Filter: "all", ListOptions: opt})
	if jobs == nil {
		return nil, resp, err
	}
	return jobs.Jobs, resp, err
}

// ListOpenIssues implements API.
func (g GitHubAPI) ListOpenIssues(ctx context.Context, owner, repo string, opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
	owner, repo, err := segments(owner, repo)
	if err != nil {
		return nil, nil, err
	}
	return g.Client.Issues.ListByRepo(ctx, owner, repo, &github.IssueListByRepoOptions{State: "open", ListOptions: opt})
}

// ListOrgRepos implements API.
func (g GitHubAPI) ListOrgRepos(ctx context.Context, org string, opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
	org, err := ghclient.PathSegment(org)
	if err != nil {
		return nil, nil, err
	}
	return g.Client.Repositories.ListByOrg(ctx, org, &github.RepositoryListByOrgOptions{Sort: "full_name", ListOptions: opt})
}

// ListOwnerRepos implements API.
func (g GitHubAPI) ListOwnerRepos(ctx context.Context, owner string, opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
	owner, err := ghclient.PathSegment(owner)
	if err != nil {
		return nil, nil, err
	}
	return g.Client.Repositories.ListByUser(ctx, owner, &github.RepositoryListByUserOptions{Type: "owner", Sort: "full_name", ListOptions: opt})
}

// ListInstallationRepos implements API.
func (g GitHubAPI) ListInstallationRepos(ctx context.Context, opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
	rs, resp, err := g.Client.Apps.ListRepos(ctx, &opt)
	if rs == nil {
		return nil, resp, err
	}
	return rs.Repositories, resp, err
}

// ListDeployments implements API.
func (g GitHubAPI) ListDeployments(ctx context.Context, owner, repo string, opt github.ListOptions) ([]*github.Deployment, *github.Response, error) {
	owner, repo, err := segments(owner, repo)
	if err != nil {
		return nil, nil, err
	}
	return g.Client.Repositories.ListDeployments(ctx, owner, repo, &github.DeploymentsListOptions{ListOptions: opt})
}

// ListDeploymentStatuses implements API.
func (g GitHubAPI) ListDeploymentStatuses(ctx context.Context, owner, repo string, id int64, opt github.ListOptions) ([]*github.DeploymentStatus, *github.Response, error) {
	owner, repo, err := segments(owner, repo)
	if err != nil {
		return nil, nil, err
	}
	return g.Client.Repositories.ListDeploymentStatuses(ctx, owner, repo, id, &opt)
}

// ListCommitStatuses implements API.
func (g GitHubAPI) ListCommitStatuses(ctx context.Context, owner, repo, ref string, opt github.ListOptions) ([]*github.RepoStatus, *github.Response, error) {
	owner, repo, err := segments(owner, repo)
	if err == nil {
		ref, err = ghclient.PathSegment(ref)
	}
	if err != nil {
		return nil, nil, err
	}
	return g.Client.Repositories.ListStatuses(ctx, owner, repo, ref, &opt)
}

// ListCheckRuns implements API.
func (g GitHubAPI) ListCheckRuns(ctx context.Context, owner, repo, ref string, opt github.ListOptions) ([]*github.CheckRun, *github.Response, error) {
	owner, repo, err := segments(owner, repo)
	if err == nil {
		ref, err = ghclient.PathSegment(ref)
	}
	if err != nil {
		return nil, nil, err
	}
	rs, resp, err := g.Client.Checks.ListCheckRunsForRef(ctx, owner, repo, ref, &github.ListCheckRunsOptions{Filter: github.String("all"), ListOptions: opt})
	if rs == nil {
		return nil, resp, err
	}
	return rs.CheckRuns, resp, err
}

// ListCheckSuites implements API.
func (g GitHubAPI) ListCheckSuites(ctx context.Context, owner, repo, ref string, opt github.ListOptions) ([]*github.CheckSuite, *github.Response, error) {
	owner, repo, err := segments(owner, repo)
	if err == nil {
		ref, err = ghclient.PathSegment(ref)
	}
	if err != nil {
		return nil, nil, err
	}
	rs, resp, err := g.Client.Checks.ListCheckSuitesForRef(ctx, owner, repo, ref, &github.ListCheckSuiteOptions{ListOptions: opt})
	if rs == nil {
		return nil, resp, err
	}
	return rs.CheckSuites, resp, err
}

// JobLog implements API with pkg/ghclient's job-log reader.
func (g GitHubAPI) JobLog(ctx context.Context, owner, repo string, jobID int64) (io.ReadCloser, error) {
	return ghclient.JobLog(ctx, g.Client, g.LogClient, owner, repo, jobID)
}

// segments escapes owner and repo as one path segment each
// (ghclient.PathSegment): go-github puts them into paths unescaped.
func segments(owner, repo string) (string, string, error) {
	o, err := ghclient.PathSegment(owner)
	if err != nil {
		return "", "", err
	}
	r, err := ghclient.PathSegment(repo)
	if err != nil {
		return "", "", err
	}
	return o, r, nil
}
