package ghclient

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/google/go-github/v62/github"
)

// JobLog is the one job-log reader: GET
// /repos/{owner}/{repo}/actions/jobs/{job_id}/logs answers 302 with a
// short-lived, pre-signed URL (often on another host), whose body is
// returned unread so memory stays flat however long the log is.
//
// The log is fetched with blob when it is not nil; otherwise with gh's own
// HTTP client when gh was built by New (its transport sends the token to
// the API host only, and retries and counts the request), or with a plain
// http.Client for any other go-github client, whose transport might send
// the token anywhere. A non-200 answer is an error naming the job and the
// status.
// https://docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-job
func JobLog(ctx context.Context, gh *github.Client, blob *http.Client, owner, repo string, jobID int64) (_ io.ReadCloser, err error) {
	if owner, err = PathSegment(owner); err == nil {
		repo, err = PathSegment(repo)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to get the log URL of job %d: %w", jobID, err)
	}
	u, _, err := gh.Actions.GetWorkflowJobLogs(ctx, owner, repo, jobID, 1)
	if err != nil {
		return nil, fmt.Errorf("failed to get the log URL of job %d: %w", jobID, err)
	}
	hc := blob
	if hc == nil {
		hc = &http.Client{}
		if c := gh.Client(); c != nil && ours(c.Transport) {
			hc = c
		}
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
		return nil, fmt.Errorf("failed to download the log of job %d: %s", jobID, resp.Status)
	}
	return resp.Body, nil
}

// ours reports whether rt is the transport New builds (the path guard and
// the body redaction around the accounting, retrying, token-scoping
// transport).
func ours(rt http.RoundTripper) bool {
	if g, ok := rt.(*pathGuard); ok {
		rt = g.next
	}
	if r, ok := rt.(*redactBodies); ok {
		rt = r.next
	}
	_, ok := rt.(*transport)
	return ok
}
