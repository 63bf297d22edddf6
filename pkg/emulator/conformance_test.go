package emulator

// The conformance test: every route the emulator serves, in success and
// error cases, validated against GitHub's OpenAPI description of the REST
// API (npm @octokit/openapi, pinned below; `make openapi` puts it in
// .cache/openapi) with kin-openapi's openapi3filter: the test's requests
// against the operation's parameters and request body, the emulator's
// answers against the responses the operation declares. Statuses the
// operation does not declare (GitHub sends 401, 403 and 5xx anywhere)
// must still carry a basic-error (422: validation-error) body. Behaviours
// the description states only in prose, and the Events API payloads, have
// their own checks below.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator/openapitest"
)

// description is GitHub's description trimmed to the paths the emulator
// serves and the Events API schemas, loaded once per test binary.
var description = sync.OnceValues(func() (*openapitest.Description, error) {
	var paths []string
	for _, r := range Routes() {
		paths = append(paths, r.Path)
	}
	return openapitest.Load(paths, []string{"event"})
})

// loadDescription returns the description, or fails (CI=true) or skips
// the test when it is not installed.
func loadDescription(t *testing.T) *openapitest.Description {
	t.Helper()
	d, err := description()
	return openapitest.Require(t, d, err)
}

// confCase is one request of the conformance run.
type confCase struct {
	op     string // operationId
	method string
	path   string // with the query
	body   string
	token  string // "" the default token, "none", "jwt", "inst", or a bearer value
	status int
	// badRequest marks a request that departs from the description on
	// purpose (a missing required field, a wrong type): the description
	// must refuse it too, and the answer must still conform.
	badRequest bool
	// prose marks a badRequest case that the description's schemas accept
	// but its prose (or GitHub's documentation) refuses; the case says
	// where.
	prose bool
	// walk follows the Link header's next pages, each validated.
	walk bool
	// etag repeats the request with If-None-Match: the answer is 304.
	etag bool
	// fault is injected for this request only.
	fault string
}

// confResult tallies the run.
type confResult struct {
	requests, undeclared int
	perOp                map[string]*opTally
}

type opTally struct {
	ok, failed           int
	success, clientError bool
}

// conformanceFixture is testFixture with everything the routes read.
func conformanceFixture(t *testing.T) *Fixture {
	f := appFixture(t)
	r := &f.Repositories[0]
	r.Issues[0].Comments[0].ID = 7001
	r.Caches = []Cache{{ID: 1, Key: "_state", Ref: "refs/heads/master", SizeBytes: 10, CreatedAt: ago(day)},
		{ID: 2, Key: "pip-abc", Ref: "refs/heads/master", SizeBytes: 20, CreatedAt: ago(day)}}
	const head = "1111111111111111111111111111111111111111"
	r.Deployments = []Deployment{{ID: 10, SHA: head, Ref: "master", Environment: "production", Creator: "octo", CreatedAt: ago(3 * day),
		Statuses: []DeploymentStatus{{ID: 100, State: "success", Creator: "octo", CreatedAt: ago(3 * day)}}}}
	r.Statuses = []CommitStatus{{SHA: head, State: "success", Context: "ci/lint", Creator: "octo", CreatedAt: ago(day)}}
	r.CheckSuites = []CheckSuite{{ID: 77, App: "codecov", HeadSHA: head, Conclusion: "neutral", CreatedAt: ago(day)}}
	r.CheckRuns = []CheckRun{{ID: 78, Name: "codecov/patch", CheckSuiteID: 77, Conclusion: "neutral", StartedAt: ago(day), CompletedAt: ago(day)}}
	r.Releases = []Release{{ID: 55, TagName: "v1.0.0", Name: "One", Author: "octo", CreatedAt: ago(30 * day)}}
	return f
}

// conformanceCases are the requests, in order (writes change what later
// cases see). Every route of the table needs a success and an error case.
func conformanceCases() []confCase {
	const repo = "/repos/acme/tools"
	return []confCase{
		{op: "rate-limit/get", method: "GET", path: "/rate_limit", status: 200, etag: true},
		{op: "rate-limit/get", method: "GET", path: "/rate_limit", token: "eyJhbGciOiJSUzI1NiJ9.e30.AAAA", status: 401},
		{op: "users/get-authenticated", method: "GET", path: "/user", status: 200, etag: true},
		{op: "users/get-authenticated", method: "GET", path: "/user", token: "inst", status: 403},
		{op: "users/get-authenticated", method: "GET", path: "/user", token: "none", status: 401},
		{op: "users/get-by-username", method: "GET", path: "/users/octo", status: 200},
		{op: "users/get-by-username", method: "GET", path: "/users/nobody-at-all", status: 404},
		{op: "repos/list-for-org", method: "GET", path: "/orgs/acme/repos?per_page=1", status: 200, walk: true},
		{op: "repos/list-for-org", method: "GET", path: "/orgs/octo/repos", status: 404},
		{op: "repos/list-for-user", method: "GET", path: "/users/octo/repos?type=owner&sort=full_name", status: 200},
		{op: "repos/list-for-user", method: "GET", path: "/users/octo/repos", token: "eyJhbGciOiJSUzI1NiJ9.e30.AAAA", status: 401},
		{op: "repos/list-for-user", method: "GET", path: "/users/nobody-at-all/repos", status: 404},
		{op: "search/issues-and-pull-requests", method: "GET", path: "/search/issues?q=repo:acme/tools+is:open&per_page=2", status: 200, walk: true},
		{op: "search/issues-and-pull-requests", method: "GET", path: "/search/issues?q=created:yesterday", status: 422},

		{op: "apps/get-authenticated", method: "GET", path: "/app", token: "jwt", status: 200},
		{op: "apps/get-authenticated", method: "GET", path: "/app", status: 401},
		{op: "apps/list-installations", method: "GET", path: "/app/installations", token: "jwt", status: 200},
		{op: "apps/list-installations", method: "GET", path: "/app/installations", token: "inst", status: 401},
		{op: "apps/get-installation", method: "GET", path: "/app/installations/4242", token: "jwt", status: 200},
		{op: "apps/get-installation", method: "GET", path: "/app/installations/1", token: "jwt", status: 404},
		{op: "apps/create-installation-access-token", method: "POST", path: "/app/installations/4242/access_tokens", token: "jwt", body: `{"repositories":["tools"],"permissions":{"issues":"write"}}`, status: 201},
		{op: "apps/create-installation-access-token", method: "POST", path: "/app/installations/4242/access_tokens", token: "jwt", body: `{"repositories":["notes"]}`, status: 422},
		{op: "apps/create-installation-access-token", method: "POST", path: "/app/installations/99/access_tokens", token: "jwt", body: `{}`, status: 404},
		{op: "apps/get-org-installation", method: "GET", path: "/orgs/acme/installation", token: "jwt", status: 200},
		{op: "apps/get-org-installation", method: "GET", path: "/orgs/octo/installation", token: "jwt", status: 404},
		{op: "apps/get-user-installation", method: "GET", path: "/users/acme/installation", token: "jwt", status: 200},
		{op: "apps/get-user-installation", method: "GET", path: "/users/octo/installation", token: "jwt", status: 404},
		{op: "apps/get-repo-installation", method: "GET", path: repo + "/installation", token: "jwt", status: 200},
		{op: "apps/get-repo-installation", method: "GET", path: "/repos/acme/secret/installation", token: "jwt", status: 404},
		{op: "apps/list-repos-accessible-to-installation", method: "GET", path: "/installation/repositories", token: "inst", status: 200},
		{op: "apps/list-repos-accessible-to-installation", method: "GET", path: "/installation/repositories", status: 403},

		{op: "repos/get", method: "GET", path: repo, status: 200, etag: true},
		{op: "repos/get", method: "GET", path: "/repos/acme/nope", status: 404},
		{op: "repos/get", method: "GET", path: "/repos/acme/blocked", status: 403},
		{op: "repos/get", method: "GET", path: "/repos/acme/old-name", status: 301},
		{op: "repos/get", method: "GET", path: repo, fault: FaultServiceUnavailable, status: 503},
		{op: "repos/get", method: "GET", path: repo, fault: FaultInternalError, status: 500},
		{op: "repos/get", method: "GET", path: repo, fault: FaultRateLimit, status: 403},
		{op: "repos/get", method: "GET", path: repo, fault: FaultSecondary, status: 403},
		{op: "activity/list-repo-events", method: "GET", path: repo + "/events?per_page=1", status: 200, walk: true},
		{op: "activity/list-repo-events", method: "GET", path: "/repos/acme/gone/events", status: 404},
		{op: "repos/get-content", method: "GET", path: repo + "/contents/README.md", status: 200, etag: true},
		{op: "repos/get-content", method: "GET", path: repo + "/contents/.github?ref=master", status: 200},
		{op: "repos/get-content", method: "GET", path: repo + "/contents/README.md?ref=nope", status: 404},
		{op: "repos/create-or-update-file-contents", method: "PUT", path: repo + "/contents/docs/new.md", body: `{"message":"add","content":"aGk=","branch":"feature/x"}`, status: 201},
		{op: "repos/create-or-update-file-contents", method: "PUT", path: repo + "/contents/README.md", body: `{"message":"edit","content":"aGk=","sha":"0000000000000000000000000000000000000000"}`, status: 409},
		{op: "repos/create-or-update-file-contents", method: "PUT", path: repo + "/contents/README.md", body: `{"message":"edit"}`, status: 422, badRequest: true},
		{op: "repos/list-branches", method: "GET", path: repo + "/branches?per_page=1", status: 200, walk: true},
		{op: "repos/list-branches", method: "GET", path: "/repos/acme/gone/branches", status: 404},
		{op: "repos/get-branch", method: "GET", path: repo + "/branches/feature%2Fx", status: 200},
		{op: "repos/get-branch", method: "GET", path: repo + "/branches/nope", status: 404},
		{op: "repos/get-branch-protection", method: "GET", path: repo + "/branches/master/protection", status: 200},
		{op: "repos/get-branch-protection", method: "GET", path: repo + "/branches/feature%2Fx/protection", status: 404},
		{op: "repos/get-commit", method: "GET", path: repo + "/commits/master", status: 200},
		{op: "repos/get-commit", method: "GET", path: repo + "/commits/nope", status: 422},
		{op: "repos/list-commit-statuses-for-ref", method: "GET", path: repo + "/commits/master/statuses", status: 200},
		{op: "repos/list-commit-statuses-for-ref", method: "GET", path: "/repos/acme/gone/commits/master/statuses", status: 404},
		{op: "repos/get-combined-status-for-ref", method: "GET", path: repo + "/commits/master/status", status: 200},
		{op: "repos/get-combined-status-for-ref", method: "GET", path: repo + "/commits/nope/status", status: 404},
		{op: "repos/create-commit-status", method: "POST", path: repo + "/statuses/1111111111111111111111111111111111111111", body: `{"state":"failure","context":"cla"}`, status: 201},
		{op: "repos/create-commit-status", method: "POST", path: repo + "/statuses/1111111111111111111111111111111111111111", body: `{"state":"done"}`, status: 422, badRequest: true},
		{op: "checks/list-for-ref", method: "GET", path: repo + "/commits/master/check-runs?filter=all", status: 200},
		{op: "checks/list-for-ref", method: "GET", path: repo + "/commits/nope/check-runs", status: 422},
		{op: "checks/list-suites-for-ref", method: "GET", path: repo + "/commits/master/check-suites", status: 200},
		{op: "checks/list-suites-for-ref", method: "GET", path: repo + "/commits/nope/check-suites", status: 422},
		{op: "repos/list-tags", method: "GET", path: repo + "/tags", status: 200},
		{op: "repos/list-tags", method: "GET", path: "/repos/acme/gone/tags", status: 404},
		{op: "git/get-ref", method: "GET", path: repo + "/git/ref/heads/feature/x", status: 200},
		{op: "git/get-ref", method: "GET", path: repo + "/git/ref/heads/nope", status: 404},
		{op: "git/list-matching-refs", method: "GET", path: repo + "/git/matching-refs/heads/", status: 200},
		{op: "git/list-matching-refs", method: "GET", path: "/repos/acme/gone/git/matching-refs/heads/", status: 404},
		{op: "git/create-ref", method: "POST", path: repo + "/git/refs", body: `{"ref":"refs/heads/conformance","sha":"1111111111111111111111111111111111111111"}`, status: 201},
		{op: "git/create-ref", method: "POST", path: repo + "/git/refs", body: `{"ref":"refs/heads/conformance","sha":"1111111111111111111111111111111111111111"}`, status: 422},
		{op: "git/delete-ref", method: "DELETE", path: repo + "/git/refs/heads/conformance", status: 204},
		{op: "git/delete-ref", method: "DELETE", path: repo + "/git/refs/heads/master", status: 422},
		{op: "repos/list-releases", method: "GET", path: repo + "/releases", status: 200},
		{op: "repos/list-releases", method: "GET", path: "/repos/acme/gone/releases", status: 404},
		{op: "repos/create-release", method: "POST", path: repo + "/releases", body: `{"tag_name":"v2.0.0","name":"Two"}`, status: 201},
		{op: "repos/create-release", method: "POST", path: repo + "/releases", body: `{"tag_name":"v2.0.0"}`, status: 422},
		{op: "repos/get-release-by-tag", method: "GET", path: repo + "/releases/tags/v2.0.0", status: 200},
		{op: "repos/get-release-by-tag", method: "GET", path: repo + "/releases/tags/v9", status: 404},
		{op: "repos/create-dispatch-event", method: "POST", path: repo + "/dispatches", body: `{"event_type":"conformance","client_payload":{"a":1}}`, status: 204},
		{op: "repos/create-dispatch-event", method: "POST", path: repo + "/dispatches", body: `{}`, status: 422, badRequest: true},

		{op: "repos/list-deployments", method: "GET", path: repo + "/deployments?environment=production", status: 200},
		{op: "repos/list-deployments", method: "GET", path: "/repos/acme/gone/deployments", status: 404},
		{op: "repos/create-deployment", method: "POST", path: repo + "/deployments", body: `{"ref":"master","environment":"production","required_contexts":[]}`, status: 201},
		{op: "repos/create-deployment", method: "POST", path: repo + "/deployments", body: `{"ref":"nope"}`, status: 422},
		{op: "repos/get-deployment", method: "GET", path: repo + "/deployments/10", status: 200},
		{op: "repos/get-deployment", method: "GET", path: repo + "/deployments/1", status: 404},
		{op: "repos/list-deployment-statuses", method: "GET", path: repo + "/deployments/10/statuses", status: 200},
		{op: "repos/list-deployment-statuses", method: "GET", path: repo + "/deployments/1/statuses", status: 404},
		{op: "repos/create-deployment-status", method: "POST", path: repo + "/deployments/10/statuses", body: `{"state":"inactive"}`, status: 201},
		{op: "repos/create-deployment-status", method: "POST", path: repo + "/deployments/10/statuses", body: `{"state":"done"}`, status: 422, badRequest: true},

		{op: "actions/list-workflow-runs-for-repo", method: "GET", path: repo + "/actions/runs?per_page=2&status=completed", status: 200, walk: true, etag: true},
		// The description declares created as a date-time; GitHub takes its search syntax (>=, ..) too.
		{op: "actions/list-workflow-runs-for-repo", method: "GET", path: repo + "/actions/runs?created=yesterday", status: 422, badRequest: true,
			prose: true}, // created takes the search syntax's date queries (its description links them); "yesterday" is none
		{op: "actions/get-workflow-run", method: "GET", path: repo + "/actions/runs/900", status: 200},
		{op: "actions/get-workflow-run", method: "GET", path: repo + "/actions/runs/1", status: 404},
		{op: "actions/get-workflow-run-attempt", method: "GET", path: repo + "/actions/runs/900/attempts/1", status: 200},
		{op: "actions/get-workflow-run-attempt", method: "GET", path: repo + "/actions/runs/900/attempts/3", status: 404},
		{op: "actions/list-jobs-for-workflow-run", method: "GET", path: repo + "/actions/runs/900/jobs?filter=all", status: 200},
		{op: "actions/list-jobs-for-workflow-run", method: "GET", path: repo + "/actions/runs/1/jobs", status: 404},
		{op: "actions/list-jobs-for-workflow-run-attempt", method: "GET", path: repo + "/actions/runs/900/attempts/1/jobs", status: 200},
		{op: "actions/list-jobs-for-workflow-run-attempt", method: "GET", path: repo + "/actions/runs/900/attempts/9/jobs", status: 404},
		{op: "actions/download-workflow-run-logs", method: "GET", path: repo + "/actions/runs/900/logs", status: 302},
		{op: "actions/download-workflow-run-logs", method: "GET", path: repo + "/actions/runs/1/logs", status: 404},
		{op: "actions/list-workflow-run-artifacts", method: "GET", path: repo + "/actions/runs/900/artifacts", status: 200},
		{op: "actions/list-workflow-run-artifacts", method: "GET", path: repo + "/actions/runs/1/artifacts", status: 404},
		{op: "actions/list-artifacts-for-repo", method: "GET", path: repo + "/actions/artifacts?name=build-log", status: 200},
		{op: "actions/list-artifacts-for-repo", method: "GET", path: "/repos/acme/gone/actions/artifacts", status: 404},
		{op: "actions/get-job-for-workflow-run", method: "GET", path: repo + "/actions/jobs/9001", status: 200},
		{op: "actions/get-job-for-workflow-run", method: "GET", path: repo + "/actions/jobs/1", status: 404},
		{op: "actions/download-job-logs-for-workflow-run", method: "GET", path: repo + "/actions/jobs/9001/logs", status: 302},
		{op: "actions/download-job-logs-for-workflow-run", method: "GET", path: repo + "/actions/jobs/1/logs", status: 404},
		{op: "actions/list-repo-workflows", method: "GET", path: repo + "/actions/workflows?per_page=1", status: 200, walk: true},
		{op: "actions/list-repo-workflows", method: "GET", path: "/repos/acme/gone/actions/workflows", status: 404},
		{op: "actions/get-workflow", method: "GET", path: repo + "/actions/workflows/ci.yml", status: 200},
		{op: "actions/get-workflow", method: "GET", path: repo + "/actions/workflows/nope.yml", status: 404},
		{op: "actions/list-workflow-runs", method: "GET", path: repo + "/actions/workflows/11/runs?branch=master", status: 200},
		{op: "actions/list-workflow-runs", method: "GET", path: repo + "/actions/workflows/99/runs", status: 404},
		{op: "actions/create-workflow-dispatch", method: "POST", path: repo + "/actions/workflows/ci.yml/dispatches", body: `{"ref":"master","inputs":{"level":"1"}}`, status: 204},
		{op: "actions/create-workflow-dispatch", method: "POST", path: repo + "/actions/workflows/ci.yml/dispatches", body: `{"ref":"master","return_run_details":true}`, status: 200},
		{op: "actions/create-workflow-dispatch", method: "POST", path: repo + "/actions/workflows/ci.yml/dispatches", body: `{"ref":"master","inputs":{"nope":"1"}}`, status: 422},
		{op: "actions/create-workflow-dispatch", method: "POST", path: repo + "/actions/workflows/ci.yml/dispatches", body: `{"inputs":{}}`, status: 422, badRequest: true},
		{op: "actions/get-actions-cache-list", method: "GET", path: repo + "/actions/caches?key=_st", status: 200},
		{op: "actions/get-actions-cache-list", method: "GET", path: repo + "/actions/caches?sort=name", status: 422, badRequest: true},
		{op: "actions/delete-actions-cache-by-key", method: "DELETE", path: repo + "/actions/caches?key=_state", status: 200},
		{op: "actions/delete-actions-cache-by-key", method: "DELETE", path: repo + "/actions/caches?key=_state", status: 404},
		{op: "actions/delete-actions-cache-by-id", method: "DELETE", path: repo + "/actions/caches/2", status: 204},
		{op: "actions/delete-actions-cache-by-id", method: "DELETE", path: repo + "/actions/caches/2", status: 404},

		{op: "pulls/list", method: "GET", path: repo + "/pulls?state=all&per_page=1", status: 200, walk: true, etag: true},
		{op: "pulls/list", method: "GET", path: repo + "/pulls?state=merged", status: 422, badRequest: true},
		{op: "pulls/create", method: "POST", path: repo + "/pulls", body: `{"title":"From a branch","head":"cursor/tmp-1","base":"master"}`, status: 201},
		{op: "pulls/create", method: "POST", path: repo + "/pulls", body: `{"title":"Again","head":"cursor/tmp-1","base":"master"}`, status: 422},
		{op: "pulls/get", method: "GET", path: repo + "/pulls/3", status: 200},
		{op: "pulls/get", method: "GET", path: repo + "/pulls/1", status: 404},
		{op: "pulls/update", method: "PATCH", path: repo + "/pulls/3", body: `{"title":"Add x, renamed"}`, status: 200},
		{op: "pulls/update", method: "PATCH", path: repo + "/pulls/2", body: `{"state":"open"}`, status: 422},
		{op: "pulls/list-commits", method: "GET", path: repo + "/pulls/3/commits", status: 200},
		{op: "pulls/list-commits", method: "GET", path: repo + "/pulls/99/commits", status: 404},
		{op: "pulls/list-reviews", method: "GET", path: repo + "/pulls/3/reviews", status: 200},
		{op: "pulls/list-reviews", method: "GET", path: repo + "/pulls/99/reviews", status: 404},

		{op: "issues/list-for-repo", method: "GET", path: repo + "/issues?state=all&per_page=2", status: 200, walk: true, etag: true},
		{op: "issues/list-for-repo", method: "GET", path: repo + "/issues?state=merged", status: 422, badRequest: true},
		{op: "issues/create", method: "POST", path: repo + "/issues", body: `{"title":"Conformance","body":"b","labels":["bug"]}`, status: 201},
		{op: "issues/create", method: "POST", path: repo + "/issues", body: `{"body":"no title"}`, status: 422, badRequest: true},
		{op: "issues/create", method: "POST", path: repo + "/issues", body: `{"title":"x"}`, token: "none", status: 401},
		{op: "issues/list-events-for-repo", method: "GET", path: repo + "/issues/events?per_page=2", status: 200, walk: true},
		{op: "issues/list-events-for-repo", method: "GET", path: "/repos/acme/gone/issues/events", status: 404},
		{op: "issues/list-comments-for-repo", method: "GET", path: repo + "/issues/comments?sort=updated&direction=desc", status: 200},
		{op: "issues/list-comments-for-repo", method: "GET", path: repo + "/issues/comments?since=yesterday", status: 422, badRequest: true},
		{op: "issues/get", method: "GET", path: repo + "/issues/1", status: 200},
		{op: "issues/get", method: "GET", path: repo + "/issues/999", status: 404},
		{op: "issues/update", method: "PATCH", path: repo + "/issues/1", body: `{"state":"closed","state_reason":"not_planned"}`, status: 200},
		{op: "issues/update", method: "PATCH", path: repo + "/issues/1", body: `{"state":"shut"}`, status: 422, badRequest: true},
		{op: "issues/list-comments", method: "GET", path: repo + "/issues/1/comments", status: 200},
		{op: "issues/list-comments", method: "GET", path: repo + "/issues/999/comments", status: 404},
		{op: "issues/create-comment", method: "POST", path: repo + "/issues/1/comments", body: `{"body":"hello"}`, status: 201},
		{op: "issues/create-comment", method: "POST", path: repo + "/issues/1/comments", body: `{}`, status: 422, badRequest: true},
		{op: "issues/get-comment", method: "GET", path: repo + "/issues/comments/7001", status: 200},
		{op: "issues/get-comment", method: "GET", path: repo + "/issues/comments/1", status: 404},
		{op: "issues/update-comment", method: "PATCH", path: repo + "/issues/comments/7001", body: `{"body":"edited"}`, status: 200},
		{op: "issues/update-comment", method: "PATCH", path: repo + "/issues/comments/7001", body: `{"body":""}`, status: 422},
		{op: "issues/delete-comment", method: "DELETE", path: repo + "/issues/comments/7001", status: 204},
		{op: "issues/delete-comment", method: "DELETE", path: repo + "/issues/comments/7001", status: 404},
		{op: "issues/list-events", method: "GET", path: repo + "/issues/1/events", status: 200},
		{op: "issues/list-events", method: "GET", path: repo + "/issues/999/events", status: 404},
		{op: "issues/list-events-for-timeline", method: "GET", path: repo + "/issues/3/timeline", status: 200},
		{op: "issues/list-events-for-timeline", method: "GET", path: repo + "/issues/999/timeline", status: 404},
		{op: "issues/list-labels-on-issue", method: "GET", path: repo + "/issues/1/labels", status: 200},
		{op: "issues/list-labels-on-issue", method: "GET", path: repo + "/issues/999/labels", status: 404},
		{op: "issues/add-labels", method: "POST", path: repo + "/issues/1/labels", body: `{"labels":["stale"]}`, status: 200},
		{op: "issues/add-labels", method: "POST", path: repo + "/issues/1/labels", body: `{"labels":[]}`, status: 422, badRequest: true},
		{op: "issues/set-labels", method: "PUT", path: repo + "/issues/5/labels", body: `{"labels":["bug","question"]}`, status: 200},
		{op: "issues/set-labels", method: "PUT", path: repo + "/issues/999/labels", body: `{"labels":["bug"]}`, status: 404},
		{op: "issues/remove-all-labels", method: "DELETE", path: repo + "/issues/5/labels", status: 204},
		{op: "issues/remove-all-labels", method: "DELETE", path: repo + "/issues/999/labels", status: 404},
		{op: "issues/remove-label", method: "DELETE", path: repo + "/issues/1/labels/stale", status: 200},
		{op: "issues/remove-label", method: "DELETE", path: repo + "/issues/1/labels/stale", status: 404},
		{op: "issues/list-labels-for-repo", method: "GET", path: repo + "/labels?per_page=1", status: 200, walk: true},
		{op: "issues/list-labels-for-repo", method: "GET", path: "/repos/acme/gone/labels", status: 404},
		{op: "issues/create-label", method: "POST", path: repo + "/labels", body: `{"name":"conformance","color":"abcdef"}`, status: 201},
		{op: "issues/create-label", method: "POST", path: repo + "/labels", body: `{"name":"Conformance"}`, status: 422},
		{op: "issues/get-label", method: "GET", path: repo + "/labels/bug", status: 200},
		{op: "issues/get-label", method: "GET", path: repo + "/labels/nope", status: 404},
		{op: "issues/delete-label", method: "DELETE", path: repo + "/labels/conformance", status: 204},
		{op: "issues/delete-label", method: "DELETE", path: repo + "/labels/conformance", status: 404},

		{op: "apps/revoke-installation-access-token", method: "DELETE", path: "/installation/token", token: "inst", status: 204},
		{op: "apps/revoke-installation-access-token", method: "DELETE", path: "/installation/token", token: "inst", status: 401},
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	doc := loadDescription(t)
	s := StartForTest(t, conformanceFixture(t), Options{Now: fixedNow, SecondaryLimit: -1})
	hc := HTTPClientForTest(t)
	jwt, err := AppJWT(testAppKey(t), "777", testNow)
	if err != nil {
		t.Fatal(err)
	}
	inst := mint(t, s, testNow, nil).GetToken()
	tokens := map[string]string{"": "conformance", "jwt": jwt, "inst": inst}

	routes := map[string]Route{}
	for _, r := range Routes() {
		if r.OperationID != OperationGraphQL {
			routes[r.OperationID] = r
		}
	}
	res := &confResult{perOp: map[string]*opTally{}}
	for i, cc := range conformanceCases() {
		rt, ok := routes[cc.op]
		if !ok {
			t.Errorf("case %d: %s is not in the route table", i, cc.op)
			continue
		}
		tally := res.perOp[cc.op]
		if tally == nil {
			tally = &opTally{}
			res.perOp[cc.op] = tally
		}
		if cc.status < 400 {
			tally.success = true
		} else if cc.status < 500 && cc.fault == "" {
			tally.clientError = true
		}
		if cc.fault != "" {
			if err := s.SetFaults([]Fault{{Kind: cc.fault, Path: strings.SplitN(cc.path, "?", 2)[0], Limit: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		tok := tokens[cc.token]
		if _, named := tokens[cc.token]; !named {
			tok = cc.token
		}
		errs := runConformanceCase(hc, doc, s, rt, cc, tok, res)
		if cc.fault != "" {
			_ = s.SetFaults(nil)
		}
		if len(errs) > 0 {
			tally.failed++
			t.Errorf("case %d: %s %s (%s):\n  %s", i, cc.method, cc.path, cc.op, strings.Join(errs, "\n  "))
		} else {
			tally.ok++
		}
	}

	// Every route has a success and an error case.
	var missing []string
	conforming := 0
	for _, r := range Routes() {
		if r.OperationID == OperationGraphQL {
			continue
		}
		tally := res.perOp[r.OperationID]
		switch {
		case tally == nil:
			missing = append(missing, r.OperationID+" (no case)")
		case !tally.success:
			missing = append(missing, r.OperationID+" (no success case)")
		case !tally.clientError:
			missing = append(missing, r.OperationID+" (no error case)")
		case tally.failed == 0:
			conforming++
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Errorf("routes without their conformance cases (add them to conformanceCases):\n  %s", strings.Join(missing, "\n  "))
	}
	t.Logf("conformance: %d operations served, %d conforming; %d requests validated (%d answers with statuses the operation does not declare, checked against basic-error/validation-error); errata applied to the description: %d oneOf read as anyOf, %d allOf read as anyOf, %d search-syntax query parameters without format date-time",
		len(res.perOp), conforming, res.requests, res.undeclared, doc.OneOfs, doc.AllOfs, doc.Formats)
}

// runConformanceCase sends one case (with its pagination walk and
// conditional repeat) and returns what departs from the description.
func runConformanceCase(hc *http.Client, doc *openapitest.Description, s *Server, rt Route, cc confCase, token string, res *confResult) []string {
	var errs []string
	pathItem := doc.Paths.Find(rt.Path)
	if pathItem == nil {
		return []string{fmt.Sprintf("the description has no path %s", rt.Path)}
	}
	op := pathItem.GetOperation(cc.method)
	if op == nil || op.OperationID != cc.op {
		return []string{fmt.Sprintf("the description's %s %s is not %s", cc.method, rt.Path, cc.op)}
	}
	route := &routers.Route{Spec: doc.T, Path: rt.Path, PathItem: pathItem, Method: cc.method, Operation: op}
	target := cc.path
	header := http.Header{}
	firstETag := ""
	for page := 0; page < 20 && target != ""; page++ {
		u, err := url.Parse(target)
		if err != nil {
			return append(errs, err.Error())
		}
		if u.IsAbs() {
			target = u.RequestURI()
		}
		req, err := http.NewRequest(cc.method, s.URL()+target, strings.NewReader(cc.body))
		if err != nil {
			return append(errs, err.Error())
		}
		req.Header.Set("User-Agent", "conformance")
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", APIVersion)
		if cc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" && cc.token != "none" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		params, ok := openapitest.TemplateParams(rt.Path, req.URL.EscapedPath())
		if !ok {
			return append(errs, fmt.Sprintf("%s does not match %s", req.URL.Path, rt.Path))
		}
		opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true, IncludeResponseStatus: true}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		{
			vreq := req.Clone(context.Background())
			vreq.Body = io.NopCloser(strings.NewReader(cc.body))
			vin := *in
			vin.Request = vreq
			err := openapi3filter.ValidateRequest(context.Background(), &vin)
			switch {
			case err != nil && !(cc.badRequest && page == 0):
				errs = append(errs, "the case's request departs from the description: "+openapitest.OneLine(err))
			case err == nil && cc.badRequest && page == 0 && !cc.prose:
				errs = append(errs, "the case is marked badRequest but the description accepts it (mark it prose, naming the documentation that refuses it)")
			}
		}
		resp, err := hc.Transport.RoundTrip(req)
		if err != nil {
			return append(errs, err.Error())
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := cc.status
		if len(header) > 0 {
			want = http.StatusNotModified
		} else if page > 0 {
			want = http.StatusOK
		}
		if resp.StatusCode != want {
			errs = append(errs, fmt.Sprintf("status %d, want %d: %s", resp.StatusCode, want, openapitest.Clip(body)))
		}
		res.requests++
		errs = append(errs, validateAnswer(doc, in, op, resp, body, res)...)
		// GitHub sends the rate-limit headers on every answer, 401s included.
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset", "X-RateLimit-Resource"} {
			if resp.Header.Get(h) == "" {
				errs = append(errs, fmt.Sprintf("status %d without %s", resp.StatusCode, h))
			}
		}
		if page == 0 {
			firstETag = resp.Header.Get("ETag")
		}
		switch {
		case len(header) > 0:
			target = ""
		case cc.walk:
			target = nextLink(resp.Header.Get("Link"))
			if target == "" && cc.etag {
				header.Set("If-None-Match", firstETag)
				target = cc.path
			}
		case cc.etag:
			if resp.Header.Get("ETag") == "" {
				errs = append(errs, "no ETag on a 200")
			}
			header.Set("If-None-Match", resp.Header.Get("ETag"))
		default:
			target = ""
		}
	}
	return errs
}

// validateAnswer checks a response against the operation
// (openapitest.ValidateAnswer), counting undeclared statuses.
func validateAnswer(doc *openapitest.Description, in *openapi3filter.RequestValidationInput, op *openapi3.Operation, resp *http.Response, body []byte, res *confResult) []string {
	errs, undeclared := openapitest.ValidateAnswer(doc, in, op, resp.StatusCode, resp.Header, body)
	if undeclared {
		res.undeclared++
	}
	return errs
}

func nextLink(link string) string {
	for _, part := range strings.Split(link, ",") {
		if strings.Contains(part, `rel="next"`) {
			u := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
			return strings.Trim(u, "<>")
		}
	}
	return ""
}

// TestConformanceProse checks what the description states only in prose.
func TestConformanceProse(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	t.Run("undeclared_dispatch_inputs_422", func(t *testing.T) {
		resp, body := rawDo(t, s, "POST", "/repos/acme/tools/actions/workflows/ci.yml/dispatches", `{"ref":"master","inputs":{"level":"1","extra":"x"}}`, nil)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		if resp.StatusCode != 422 || m["message"] != `Unexpected inputs provided: ["extra"]` {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("writes_to_a_renamed_repository_307", func(t *testing.T) {
		resp, body := rawDo(t, s, "POST", "/repos/acme/old-name/issues", `{"title":"moved"}`, nil)
		want := s.URL() + "/repositories/5001/issues"
		if resp.StatusCode != 307 || resp.Header.Get("Location") != want {
			t.Fatalf("got %d Location %q %s, want 307 to %s", resp.StatusCode, resp.Header.Get("Location"), body, want)
		}
		resp, _ = rawGet(t, s, "/repos/acme/old-name/pulls?state=all", nil)
		if resp.StatusCode != 301 || resp.Header.Get("Location") != s.URL()+"/repositories/5001/pulls?state=all" {
			t.Errorf("read: %d Location %q, want 301 to /repositories/5001/pulls?state=all", resp.StatusCode, resp.Header.Get("Location"))
		}
		// go-github (net/http) repeats the POST with its body at the Location.
		is, _, err := client(t, s).Issues.Create(ctx(), "acme", "old-name", &github.IssueRequest{Title: github.String("followed")})
		if err != nil || is.GetRepositoryURL() != s.URL()+"/repos/acme/tools" {
			t.Errorf("created through the redirect: %v, %v", is.GetRepositoryURL(), err)
		}
	})
	t.Run("no_user_agent_403", func(t *testing.T) {
		resp, body := rawGet(t, s, "/repos/acme/tools", map[string]string{"User-Agent": ""})
		if resp.StatusCode != 403 || !strings.Contains(string(body), "User-Agent header") {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
}

// eventPayloadSchemas maps Events API types to the description's payload
// schemas (the event schema's payload alternatives).
var eventPayloadSchemas = map[string]string{
	"CreateEvent": "create-event", "DeleteEvent": "delete-event", "DiscussionEvent": "discussion-event",
	"IssuesEvent": "issues-event", "IssueCommentEvent": "issue-comment-event", "ForkEvent": "fork-event",
	"GollumEvent": "gollum-event", "MemberEvent": "member-event", "PublicEvent": "public-event",
	"PushEvent": "push-event", "PullRequestEvent": "pull-request-event",
	"PullRequestReviewCommentEvent": "pull-request-review-comment-event", "PullRequestReviewEvent": "pull-request-review-event",
	"CommitCommentEvent": "commit-comment-event", "ReleaseEvent": "release-event", "WatchEvent": "watch-event",
}

// validateEvent checks an Events API entry: the envelope against the
// event schema (payload aside) and the payload against its type's
// schema. It returns "" for a type the Events API does not have.
func validateEvent(doc *openapitest.Description, ev map[string]any) (string, error) {
	typ, _ := ev["type"].(string)
	name, ok := eventPayloadSchemas[typ]
	if !ok {
		return "", nil
	}
	envelope := map[string]any{}
	for k, v := range ev {
		envelope[k] = v
	}
	envelope["payload"] = map[string]any{}
	if err := doc.Components.Schemas["event"].Value.VisitJSON(envelope, openapi3.MultiErrors()); err != nil {
		return name, fmt.Errorf("%s %v envelope: %s", typ, ev["id"], openapitest.OneLine(err))
	}
	if err := doc.Components.Schemas[name].Value.VisitJSON(ev["payload"], openapi3.MultiErrors()); err != nil {
		return name, fmt.Errorf("%s %v payload: %s", typ, ev["id"], openapitest.OneLine(err))
	}
	return name, nil
}

// allEvents walks GET /repos/{full}/events page by page.
func allEvents(t *testing.T, s *Server, full string) []map[string]any {
	t.Helper()
	var out []map[string]any
	next := "/repos/" + full + "/events?per_page=100"
	for next != "" {
		resp, body := rawGet(t, s, next, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", next, resp.StatusCode, openapitest.Clip(body))
		}
		var page []map[string]any
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		next = nextLink(resp.Header.Get("Link"))
		if u, err := url.Parse(next); err == nil && next != "" {
			next = u.RequestURI()
		}
	}
	return out
}

// TestEventPayloads validates the Events API entries the example fixture
// serves and those the emulator writes against the description's
// per-type payload schemas.
func TestEventPayloads(t *testing.T) {
	t.Parallel()
	doc := loadDescription(t)
	t.Run("example_fixture", func(t *testing.T) {
		f, err := loadExample()
		if err != nil {
			t.Fatal(err)
		}
		s := StartForTest(t, f, Options{Now: func() time.Time { return f.ReferenceTime }, RateLimit: 1 << 20})
		checked, other := 0, map[string]int{}
		for _, r := range f.Repositories {
			if r.Status != 0 {
				continue
			}
			for _, ev := range allEvents(t, s, r.FullName()) {
				name, err := validateEvent(doc, ev)
				switch {
				case err != nil:
					t.Error(err)
				case name == "":
					other[ev["type"].(string)]++
				default:
					checked++
				}
			}
		}
		t.Logf("example fixture: %d events validated; types the Events API does not have (not validated): %v", checked, other)
		if checked == 0 {
			t.Error("no event validated")
		}
	})
	t.Run("written_by_the_emulator", func(t *testing.T) {
		s := start(t, nil)
		c := client(t, s)
		is, _, err := c.Issues.Create(ctx(), "acme", "tools", &github.IssueRequest{Title: github.String("new")})
		if err != nil {
			t.Fatal(err)
		}
		mustDo := func(_ any, _ *github.Response, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		mustDo(c.Issues.CreateComment(ctx(), "acme", "tools", is.GetNumber(), &github.IssueComment{Body: github.String("c")}))
		mustDo(c.Issues.Edit(ctx(), "acme", "tools", is.GetNumber(), &github.IssueRequest{State: github.String("closed")}))
		mustDo(c.Git.CreateRef(ctx(), "acme", "tools", &github.Reference{Ref: github.String("refs/heads/ev"), Object: &github.GitObject{SHA: github.String("1111111111111111111111111111111111111111")}}))
		mustDo(c.Repositories.CreateFile(ctx(), "acme", "tools", "ev.txt", &github.RepositoryContentFileOptions{Message: github.String("m"), Content: []byte("x"), Branch: github.String("ev")}))
		mustDo(c.PullRequests.Create(ctx(), "acme", "tools", &github.NewPullRequest{Title: github.String("ev"), Head: github.String("ev"), Base: github.String("master")}))
		mustDo(c.PullRequests.Edit(ctx(), "acme", "tools", 3, &github.PullRequest{State: github.String("closed")}))
		mustDo(c.Repositories.CreateRelease(ctx(), "acme", "tools", &github.RepositoryRelease{TagName: github.String("v3")}))
		if _, err := c.Git.DeleteRef(ctx(), "acme", "tools", "heads/cursor/tmp-1"); err != nil {
			t.Fatal(err)
		}
		types := map[string]int{}
		for _, ev := range allEvents(t, s, "acme/tools") {
			if ev["actor"].(map[string]any)["login"] != DefaultLogin {
				continue
			}
			if _, err := validateEvent(doc, ev); err != nil {
				t.Error(err)
			}
			types[ev["type"].(string)]++
		}
		want := map[string]int{"IssuesEvent": 2, "IssueCommentEvent": 1, "CreateEvent": 2, "PushEvent": 1, "PullRequestEvent": 2, "DeleteEvent": 1}
		if diff := cmp.Diff(want, types); diff != "" {
			t.Errorf("events written (-want +got):\n%s", diff)
		}
	})
}
