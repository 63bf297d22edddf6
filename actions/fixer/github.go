package fixer

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// GitHubAPI implements API with a go-github client (from pkg/ghclient).
type GitHubAPI struct {
	Client *github.Client
	// BlobClient downloads the log from the URL GitHub redirects to. It must
	// not add the token: the blob URL is pre-signed and may be on another
	// host (default: see ghclient.JobLog).
	BlobClient *http.Client
}

// splitRepo parses "owner/repo" (pkg/ghname's rules) into its parts,
// escaped as path segments (ghclient.RepoPath): go-github puts them into
// paths unescaped.
func splitRepo(repository string) (string, string, error) {
	o, r, err := ghclient.RepoPath(repository)
	if err != nil {
		return "", "", fmt.Errorf("invalid repository: %w", err)
	}
	return o, r, nil
}

// FailedJobs lists the failed jobs of the latest attempt of a run.
// https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run
func (g GitHubAPI) FailedJobs(ctx context.Context, repository string, runID int64) ([]JobRef, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return nil, err
	}
	jobs, err := ghclient.ListAll(ctx, func(opt github.ListOptions) ([]*github.WorkflowJob, *github.Response, error) {
		js, resp, err := g.Client.Actions.ListWorkflowJobs(ctx, owner, name, runID, &github.ListWorkflowJobsOptions{Filter: "latest", ListOptions: opt})
		if js == nil {
			return nil, resp, err
		}
		return js.Jobs, resp, err
	})
	if err != nil {
		return nil, err
	}
	var out []JobRef
	for _, j := range jobs {
		if c := j.GetConclusion(); c == "failure" || c == "timed_out" || c == "cancelled" {
			out = append(out, jobRef(repository, j))
		}
	}
	return out, nil
}

// JobLog streams a job's log with pkg/ghclient's job-log reader.
func (g GitHubAPI) JobLog(ctx context.Context, repository string, jobID int64) (io.ReadCloser, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return nil, err
	}
	return ghclient.JobLog(ctx, g.Client, g.BlobClient, owner, name, jobID)
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

// Job reads one job of a run.
// https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run
func (g GitHubAPI) Job(ctx context.Context, repository string, jobID int64) (JobRef, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return JobRef{}, err
	}
	job, _, err := g.Client.Actions.GetWorkflowJobByID(ctx, owner, name, jobID)
	if err != nil {
		return JobRef{}, err
	}
	return jobRef(repository, job), nil
}

func jobRef(repository string, j *github.WorkflowJob) JobRef {
	return JobRef{Repository: repository, RunID: j.GetRunID(), JobID: j.GetID(), Name: j.GetName(), Workflow: j.GetWorkflowName(),
		URL: j.GetHTMLURL(), Conclusion: j.GetConclusion(), Step: JobStep(j.GetConclusion(), j.Steps)}
}

// JobStep is the step a job ended in: the step that failed; in a job that
// timed out or was cancelled, where no step fails, the step that was
// running (GitHub concludes it cancelled, or shows it in progress). Steps
// the runner adds after the end ("Post …", "Complete job") do not count.
// "" when no step says.
func JobStep(conclusion string, steps []*github.TaskStep) string {
	pick := func(ok func(*github.TaskStep) bool) string {
		for _, s := range steps {
			if n := s.GetName(); ok(s) && !strings.HasPrefix(n, "Post ") && n != "Complete job" {
				return n
			}
		}
		return ""
	}
	if conclusion == "failure" {
		if n := pick(func(s *github.TaskStep) bool { return s.GetConclusion() == "failure" }); n != "" {
			return n
		}
	}
	if n := pick(func(s *github.TaskStep) bool {
		c := s.GetConclusion()
		return c == "failure" || c == "cancelled" || c == "timed_out"
	}); n != "" {
		return n
	}
	return pick(func(s *github.TaskStep) bool { return s.GetStatus() == "in_progress" })
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
