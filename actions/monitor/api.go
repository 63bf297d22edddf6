package monitor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/google/go-github/v62/github"
)

// API is the narrow set of GitHub calls the monitor makes. GitHubAPI
// implements it on a go-github client (normally a pkg/ghclient client, which
// adds retries, rate-limit handling and the ETag cache); tests may fake it.
type API interface {
	// GetRepository is GET /repos/{owner}/{repo}.
	GetRepository(ctx context.Context, owner, repo string) (*github.Repository, error)
	// ListEvents is one page of GET /repos/{owner}/{repo}/events
	// (per_page 100); next is 0 on the last page; pollInterval is the
	// X-Poll-Interval header in seconds (0 when absent).
	ListEvents(ctx context.Context, owner, repo string, page int) (events []*github.Event, next, pollInterval int, err error)
	// ListRuns is one page of GET /repos/{owner}/{repo}/actions/runs with
	// the created filter (search date syntax).
	ListRuns(ctx context.Context, owner, repo, created string, page int) (runs []*github.WorkflowRun, next int, err error)
	// ListJobs is one page of GET .../actions/runs/{id}/jobs?filter=all.
	ListJobs(ctx context.Context, owner, repo string, runID int64, page int) (jobs []*github.WorkflowJob, next int, err error)
	// ListOpenIssues is one page of GET /repos/{owner}/{repo}/issues?state=open
	// (pull requests included, told apart by pull_request).
	ListOpenIssues(ctx context.Context, owner, repo string, page int) (issues []*github.Issue, next int, err error)
	// ListOrgRepos is one page of GET /orgs/{org}/repos.
	ListOrgRepos(ctx context.Context, org string, page int) (repos []*github.Repository, next int, err error)
	// ListOwnerRepos is one page of GET /users/{owner}/repos (sorted by
	// full name); last is the number of pages from the Link header (0 when
	// this is the only page).
	ListOwnerRepos(ctx context.Context, owner string, page int) (repos []*github.Repository, next, last int, err error)
	// ListInstallationRepos is one page of GET /installation/repositories:
	// the repositories an App installation token (or a GITHUB_TOKEN)
	// reaches, private ones included.
	ListInstallationRepos(ctx context.Context, page int) (repos []*github.Repository, next int, err error)
	// ListDeployments is one page of GET /repos/{owner}/{repo}/deployments
	// (newest first).
	ListDeployments(ctx context.Context, owner, repo string, page int) (deps []*github.Deployment, next int, err error)
	// ListDeploymentStatuses is one page of GET …/deployments/{id}/statuses.
	ListDeploymentStatuses(ctx context.Context, owner, repo string, id int64, page int) (sts []*github.DeploymentStatus, next int, err error)
	// ListCommitStatuses is one page of GET …/commits/{ref}/statuses.
	ListCommitStatuses(ctx context.Context, owner, repo, ref string, page int) (sts []*github.RepoStatus, next int, err error)
	// ListCheckRuns is one page of GET …/commits/{ref}/check-runs?filter=all.
	ListCheckRuns(ctx context.Context, owner, repo, ref string, page int) (runs []*github.CheckRun, next int, err error)
	// ListCheckSuites is one page of GET …/commits/{ref}/check-suites.
	ListCheckSuites(ctx context.Context, owner, repo, ref string, page int) (suites []*github.CheckSuite, next int, err error)
	// JobLog streams a job's log: GET .../actions/jobs/{id}/logs answers 302
	// and the log is fetched from the Location.
	JobLog(ctx context.Context, owner, repo string, jobID int64) (io.ReadCloser, error)
}

// GitHubAPI implements API with a go-github client.
type GitHubAPI struct {
	Client *github.Client
	// LogClient fetches the signed log URL (default: the go-github client's
	// own *http.Client).
	LogClient *http.Client
}

var _ API = GitHubAPI{}

const perPage = 100

// GetRepository implements API.
func (g GitHubAPI) GetRepository(ctx context.Context, owner, repo string) (*github.Repository, error) {
	r, _, err := g.Client.Repositories.Get(ctx, owner, repo)
	return r, err
}

// ListEvents implements API.
func (g GitHubAPI) ListEvents(ctx context.Context, owner, repo string, page int) ([]*github.Event, int, int, error) {
	ev, resp, err := g.Client.Activity.ListRepositoryEvents(ctx, owner, repo, &github.ListOptions{Page: page, PerPage: perPage})
	if err != nil {
		return nil, 0, 0, err
	}
	poll, _ := strconv.Atoi(resp.Header.Get("X-Poll-Interval"))
	return ev, resp.NextPage, poll, nil
}

// ListRuns implements API.
func (g GitHubAPI) ListRuns(ctx context.Context, owner, repo, created string, page int) ([]*github.WorkflowRun, int, error) {
	runs, resp, err := g.Client.Actions.ListRepositoryWorkflowRuns(ctx, owner, repo, &github.ListWorkflowRunsOptions{
		Created: created, ListOptions: github.ListOptions{Page: page, PerPage: perPage}})
	if err != nil {
		return nil, 0, err
	}
	return runs.WorkflowRuns, resp.NextPage, nil
}

// ListJobs implements API.
func (g GitHubAPI) ListJobs(ctx context.Context, owner, repo string, runID int64, page int) ([]*github.WorkflowJob, int, error) {
	jobs, resp, err := g.Client.Actions.ListWorkflowJobs(ctx, owner, repo, runID, &github.ListWorkflowJobsOptions{
		Filter: "all", ListOptions: github.ListOptions{Page: page, PerPage: perPage}})
	if err != nil {
		return nil, 0, err
	}
	return jobs.Jobs, resp.NextPage, nil
}

// ListOpenIssues implements API.
func (g GitHubAPI) ListOpenIssues(ctx context.Context, owner, repo string, page int) ([]*github.Issue, int, error) {
	is, resp, err := g.Client.Issues.ListByRepo(ctx, owner, repo, &github.IssueListByRepoOptions{
		State: "open", ListOptions: github.ListOptions{Page: page, PerPage: perPage}})
	if err != nil {
		return nil, 0, err
	}
	return is, resp.NextPage, nil
}

// ListOrgRepos implements API.
func (g GitHubAPI) ListOrgRepos(ctx context.Context, org string, page int) ([]*github.Repository, int, error) {
	rs, resp, err := g.Client.Repositories.ListByOrg(ctx, org, &github.RepositoryListByOrgOptions{
		Sort: "full_name", ListOptions: github.ListOptions{Page: page, PerPage: perPage}})
	if err != nil {
		return nil, 0, err
	}
	return rs, resp.NextPage, nil
}

// ListOwnerRepos implements API.
func (g GitHubAPI) ListOwnerRepos(ctx context.Context, owner string, page int) ([]*github.Repository, int, int, error) {
	rs, resp, err := g.Client.Repositories.ListByUser(ctx, owner, &github.RepositoryListByUserOptions{
		Type: "owner", Sort: "full_name", ListOptions: github.ListOptions{Page: page, PerPage: perPage}})
	if err != nil {
		return nil, 0, 0, err
	}
	return rs, resp.NextPage, resp.LastPage, nil
}

// ListInstallationRepos implements API.
func (g GitHubAPI) ListInstallationRepos(ctx context.Context, page int) ([]*github.Repository, int, error) {
	rs, resp, err := g.Client.Apps.ListRepos(ctx, &github.ListOptions{Page: page, PerPage: perPage})
	if err != nil {
		return nil, 0, err
	}
	return rs.Repositories, resp.NextPage, nil
}

// ListDeployments implements API.
func (g GitHubAPI) ListDeployments(ctx context.Context, owner, repo string, page int) ([]*github.Deployment, int, error) {
	ds, resp, err := g.Client.Repositories.ListDeployments(ctx, owner, repo, &github.DeploymentsListOptions{
		ListOptions: github.ListOptions{Page: page, PerPage: perPage}})
	if err != nil {
		return nil, 0, err
	}
	return ds, resp.NextPage, nil
}

// ListDeploymentStatuses implements API.
func (g GitHubAPI) ListDeploymentStatuses(ctx context.Context, owner, repo string, id int64, page int) ([]*github.DeploymentStatus, int, error) {
	sts, resp, err := g.Client.Repositories.ListDeploymentStatuses(ctx, owner, repo, id, &github.ListOptions{Page: page, PerPage: perPage})
	if err != nil {
		return nil, 0, err
	}
	return sts, resp.NextPage, nil
}

// ListCommitStatuses implements API.
func (g GitHubAPI) ListCommitStatuses(ctx context.Context, owner, repo, ref string, page int) ([]*github.RepoStatus, int, error) {
	sts, resp, err := g.Client.Repositories.ListStatuses(ctx, owner, repo, ref, &github.ListOptions{Page: page, PerPage: perPage})
	if err != nil {
		return nil, 0, err
	}
	return sts, resp.NextPage, nil
}

// ListCheckRuns implements API.
func (g GitHubAPI) ListCheckRuns(ctx context.Context, owner, repo, ref string, page int) ([]*github.CheckRun, int, error) {
	rs, resp, err := g.Client.Checks.ListCheckRunsForRef(ctx, owner, repo, ref, &github.ListCheckRunsOptions{
		Filter: github.String("all"), ListOptions: github.ListOptions{Page: page, PerPage: perPage}})
	if err != nil {
		return nil, 0, err
	}
	return rs.CheckRuns, resp.NextPage, nil
}

// ListCheckSuites implements API.
func (g GitHubAPI) ListCheckSuites(ctx context.Context, owner, repo, ref string, page int) ([]*github.CheckSuite, int, error) {
	rs, resp, err := g.Client.Checks.ListCheckSuitesForRef(ctx, owner, repo, ref, &github.ListCheckSuiteOptions{
		ListOptions: github.ListOptions{Page: page, PerPage: perPage}})
	if err != nil {
		return nil, 0, err
	}
	return rs.CheckSuites, resp.NextPage, nil
}

// JobLog implements API.
func (g GitHubAPI) JobLog(ctx context.Context, owner, repo string, jobID int64) (io.ReadCloser, error) {
	u, _, err := g.Client.Actions.GetWorkflowJobLogs(ctx, owner, repo, jobID, 1)
	if err != nil {
		return nil, fmt.Errorf("failed to get the log URL of job %d: %w", jobID, err)
	}
	hc := g.LogClient
	if hc == nil {
		hc = g.Client.Client()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("failed to build the log request of job %d: %w", jobID, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("failed to download the log of job %d: %w", jobID, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("failed to download the log of job %d: status %d", jobID, resp.StatusCode)
	}
	return resp.Body, nil
}
