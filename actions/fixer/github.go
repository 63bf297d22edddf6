package fixer

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"
)

// GitHubAPI implements API with a go-github client (from pkg/ghclient).
type GitHubAPI struct {
	Client *github.Client
	// BlobClient downloads the log from the URL GitHub redirects to. It must
	// not add the token: the blob URL is pre-signed and may be on another
	// host (default: a plain http.Client).
	BlobClient *http.Client
}

func splitRepo(repository string) (string, string, error) {
	owner, name, ok := strings.Cut(repository, "/")
	if !ok || owner == "" || name == "" {
		return "", "", fmt.Errorf("invalid repository %q (want owner/repo)", repository)
	}
	return owner, name, nil
}

// FailedJobs lists the failed jobs of the latest attempt of a run.
// https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run
func (g GitHubAPI) FailedJobs(ctx context.Context, repository string, runID int64) ([]JobRef, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return nil, err
	}
	opts := &github.ListWorkflowJobsOptions{Filter: "latest", ListOptions: github.ListOptions{PerPage: 100}}
	var out []JobRef
	for {
		jobs, resp, err := g.Client.Actions.ListWorkflowJobs(ctx, owner, name, runID, opts)
		if err != nil {
			return nil, err
		}
		for _, j := range jobs.Jobs {
			if c := j.GetConclusion(); c == "failure" || c == "timed_out" || c == "cancelled" {
				out = append(out, JobRef{Repository: repository, RunID: runID, JobID: j.GetID(), Name: j.GetName(),
					Workflow: j.GetWorkflowName(), URL: j.GetHTMLURL()})
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// JobLog streams a job's log: GitHub answers the logs endpoint with a 302 to
// a short-lived blob URL, whose body is returned unread so memory stays flat.
// https://docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-job
func (g GitHubAPI) JobLog(ctx context.Context, repository string, jobID int64) (io.ReadCloser, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return nil, err
	}
	u, _, err := g.Client.Actions.GetWorkflowJobLogs(ctx, owner, name, jobID, 1)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	hc := g.BlobClient
	if hc == nil {
		hc = &http.Client{}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("failed to download the log of job %d: %s", jobID, resp.Status)
	}
	return resp.Body, nil
}

// RunWorkflow returns the workflow file path and head commit of a run.
// https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run and
// https://docs.github.com/rest/actions/workflows#get-a-workflow
func (g GitHubAPI) RunWorkflow(ctx context.Context, repository string, runID int64) (string, string, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return "", "", err
	}
	run, _, err := g.Client.Actions.GetWorkflowRunByID(ctx, owner, name, runID)
	if err != nil {
		return "", "", err
	}
	// go-github's WorkflowRun has no "path": read it from the workflow.
	wf, _, err := g.Client.Actions.GetWorkflowByID(ctx, owner, name, run.GetWorkflowID())
	if err != nil {
		return "", "", err
	}
	return wf.GetPath(), run.GetHeadSHA(), nil
}

// JobRun returns the run a job belongs to and the job's name.
// https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run
func (g GitHubAPI) JobRun(ctx context.Context, repository string, jobID int64) (int64, string, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return 0, "", err
	}
	job, _, err := g.Client.Actions.GetWorkflowJobByID(ctx, owner, name, jobID)
	if err != nil {
		return 0, "", err
	}
	return job.GetRunID(), job.GetName(), nil
}

// FileContents reads a file at ref ("" = the default branch).
// https://docs.github.com/rest/repos/contents#get-repository-content
func (g GitHubAPI) FileContents(ctx context.Context, repository, path, ref string) ([]byte, string, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return nil, "", err
	}
	var opts *github.RepositoryContentGetOptions
	if ref != "" {
		opts = &github.RepositoryContentGetOptions{Ref: ref}
	}
	file, _, _, err := g.Client.Repositories.GetContents(ctx, owner, name, path, opts)
	if err != nil {
		return nil, "", err
	}
	if file == nil {
		return nil, "", fmt.Errorf("%s in %s is a directory", path, repository)
	}
	text, err := file.GetContent()
	if err != nil {
		return nil, "", fmt.Errorf("failed to decode %s: %w", path, err)
	}
	return []byte(text), file.GetSHA(), nil
}
