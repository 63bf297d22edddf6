package emulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Route is one operation the emulator serves: the ServeMux pattern it is
// registered under, the operation of GitHub's OpenAPI description it
// implements (operationId and its documentation URL, which error bodies
// carry as documentation_url), the GITHUB_TOKEN permission it needs
// (NOTES §2.4; "a;b" lists alternatives) and who may call it.
type Route struct {
	Method string
	// Pattern is the path of the ServeMux pattern ("/repos/{owner}/{repo}/branches/{branch...}").
	Pattern string
	// Path is the operation's path template in the description
	// ("/repos/{owner}/{repo}/branches/{branch}").
	Path        string
	OperationID string
	Docs        string
	Permission  string
	// Auth is who may call it: "" any token or none, AuthApp an app JWT,
	// AuthInstallation an installation token (GITHUB_TOKEN included).
	Auth string

	serve func(s *Server, c *call)
}

// Route.Auth values.
const (
	AuthApp          = "app"
	AuthInstallation = "installation"
	AuthToken        = "token" // any token, never anonymous
)

// OperationGraphQL is the OperationID of the GraphQL routes, which the
// REST description does not describe.
const OperationGraphQL = "graphql"

const (
	repoPath = "/repos/{owner}/{repo}"
	docsURL  = "https://docs.github.com/rest/"
)

// routeTable lists every operation the emulator serves. A route added here
// needs its conformance case (conformance_test.go enumerates this table).
var routeTable = []Route{
	{"GET", "/rate_limit", "", "rate-limit/get", "rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user", "", "", (*Server).getRateLimit},
	{"GET", "/user", "", "users/get-authenticated", "users/users#get-the-authenticated-user", "", "", (*Server).getUser},
	{"GET", "/users/{username}", "", "users/get-by-username", "users/users#get-a-user", "", "", (*Server).getUserByLogin},
	{"GET", "/orgs/{org}/repos", "", "repos/list-for-org", "repos/repos#list-organization-repositories", "", "", (*Server).listOrgRepos},
	{"GET", "/users/{username}/repos", "", "repos/list-for-user", "repos/repos#list-repositories-for-a-user", "", "", (*Server).listUserRepos},
	{"GET", "/search/issues", "", "search/issues-and-pull-requests", "search/search#search-issues-and-pull-requests", "", "", (*Server).searchIssues},
	// GraphQL is not in the REST description; only query{viewer{login}}.
	{"POST", "/graphql", "", OperationGraphQL, "../graphql/guides/forming-calls-with-graphql", "", AuthToken, (*Server).graphQL},
	{"POST", "/api/graphql", "", OperationGraphQL, "../graphql/guides/forming-calls-with-graphql", "", AuthToken, (*Server).graphQL},

	{"GET", "/app", "", "apps/get-authenticated", "apps/apps#get-the-authenticated-app", "", AuthApp, (*Server).getApp},
	{"GET", "/app/installations", "", "apps/list-installations", "apps/apps#list-installations-for-the-authenticated-app", "", AuthApp, (*Server).listInstallations},
	{"GET", "/app/installations/{installation_id}", "", "apps/get-installation", "apps/apps#get-an-installation-for-the-authenticated-app", "", AuthApp, (*Server).getInstallation},
	{"POST", "/app/installations/{installation_id}/access_tokens", "", "apps/create-installation-access-token", "apps/apps#create-an-installation-access-token-for-an-app", "", AuthApp, (*Server).createInstallationToken},
	{"GET", "/orgs/{org}/installation", "", "apps/get-org-installation", "apps/apps#get-an-organization-installation-for-the-authenticated-app", "", AuthApp, (*Server).getOwnerInstallation},
	{"GET", "/users/{username}/installation", "", "apps/get-user-installation", "apps/apps#get-a-user-installation-for-the-authenticated-app", "", AuthApp, (*Server).getOwnerInstallation},
	{"GET", repoPath + "/installation", "", "apps/get-repo-installation", "apps/apps#get-a-repository-installation-for-the-authenticated-app", "", AuthApp, (*Server).getRepoInstallation},
	{"GET", "/installation/repositories", "", "apps/list-repos-accessible-to-installation", "apps/installations#list-repositories-accessible-to-the-app-installation", "", AuthInstallation, (*Server).listInstallationRepos},
	{"DELETE", "/installation/token", "", "apps/revoke-installation-access-token", "apps/installations#revoke-an-installation-access-token", "", AuthInstallation, (*Server).revokeInstallationToken},

	{"GET", repoPath, "", "repos/get", "repos/repos#get-a-repository", "metadata=read", "", (*Server).getRepo},
	{"GET", repoPath + "/events", "", "activity/list-repo-events", "activity/events#list-repository-events", "metadata=read", "", (*Server).listRepoEvents},
	{"GET", repoPath + "/contents/{path...}", repoPath + "/contents/{path}", "repos/get-content", "repos/contents#get-repository-content", "contents=read", "", (*Server).getContents},
	{"PUT", repoPath + "/contents/{path...}", repoPath + "/contents/{path}", "repos/create-or-update-file-contents", "repos/contents#create-or-update-file-contents", "contents=write", "", (*Server).putContents},
	{"GET", repoPath + "/branches", "", "repos/list-branches", "branches/branches#list-branches", "contents=read", "", (*Server).listBranches},
	{"GET", repoPath + "/branches/{branch...}", repoPath + "/branches/{branch}", "repos/get-branch", "branches/branches#get-a-branch", "contents=read", "", (*Server).getBranch},
	{"GET", repoPath + "/branches/{branch}/protection", "", "repos/get-branch-protection", "branches/branch-protection#get-branch-protection", "administration=read", "", (*Server).getBranchProtection},
	{"GET", repoPath + "/commits/{ref...}", repoPath + "/commits/{ref}", "repos/get-commit", "commits/commits#get-a-commit", "contents=read", "", (*Server).getCommit},
	{"GET", repoPath + "/commits/{ref}/statuses", "", "repos/list-commit-statuses-for-ref", "commits/statuses#list-commit-statuses-for-a-reference", "statuses=read", "", (*Server).listCommitStatuses},
	{"GET", repoPath + "/commits/{ref}/status", "", "repos/get-combined-status-for-ref", "commits/statuses#get-the-combined-status-for-a-specific-reference", "statuses=read", "", (*Server).getCombinedStatus},
	{"POST", repoPath + "/statuses/{sha}", "", "repos/create-commit-status", "commits/statuses#create-a-commit-status", "statuses=write", "", (*Server).createCommitStatus},
	{"GET", repoPath + "/commits/{ref}/check-runs", "", "checks/list-for-ref", "checks/runs#list-check-runs-for-a-git-reference", "checks=read", "", (*Server).listCheckRunsForRef},
	{"GET", repoPath + "/commits/{ref}/check-suites", "", "checks/list-suites-for-ref", "checks/suites#list-check-suites-for-a-git-reference", "checks=read", "", (*Server).listCheckSuitesForRef},
	{"GET", repoPath + "/tags", "", "repos/list-tags", "repos/repos#list-repository-tags", "contents=read", "", (*Server).listTags},
	{"GET", repoPath + "/git/ref/{ref...}", repoPath + "/git/ref/{ref}", "git/get-ref", "git/refs#get-a-reference", "contents=read", "", (*Server).getGitRef},
	{"GET", repoPath + "/git/matching-refs/{ref...}", repoPath + "/git/matching-refs/{ref}", "git/list-matching-refs", "git/refs#list-matching-references", "contents=read", "", (*Server).listMatchingRefs},
	{"POST", repoPath + "/git/refs", "", "git/create-ref", "git/refs#create-a-reference", "contents=write", "", (*Server).createGitRef},
	{"DELETE", repoPath + "/git/refs/{ref...}", repoPath + "/git/refs/{ref}", "git/delete-ref", "git/refs#delete-a-reference", "contents=write", "", (*Server).deleteGitRef},
	{"GET", repoPath + "/releases", "", "repos/list-releases", "releases/releases#list-releases", "contents=read", "", (*Server).listReleases},
	{"POST", repoPath + "/releases", "", "repos/create-release", "releases/releases#create-a-release", "contents=write", "", (*Server).createRelease},
	{"GET", repoPath + "/releases/tags/{tag}", "", "repos/get-release-by-tag", "releases/releases#get-a-release-by-tag-name", "contents=read", "", (*Server).getReleaseByTag},
	{"POST", repoPath + "/dispatches", "", "repos/create-dispatch-event", "repos/repos#create-a-repository-dispatch-event", "contents=write", "", (*Server).repositoryDispatch},

	{"GET", repoPath + "/deployments", "", "repos/list-deployments", "deployments/deployments#list-deployments", "deployments=read", "", (*Server).listDeployments},
	{"POST", repoPath + "/deployments", "", "repos/create-deployment", "deployments/deployments#create-a-deployment", "deployments=write", "", (*Server).createDeployment},
	{"GET", repoPath + "/deployments/{deployment_id}", "", "repos/get-deployment", "deployments/deployments#get-a-deployment", "deployments=read", "", (*Server).getDeployment},
	{"GET", repoPath + "/deployments/{deployment_id}/statuses", "", "repos/list-deployment-statuses", "deployments/statuses#list-deployment-statuses", "deployments=read", "", (*Server).listDeploymentStatuses},
	{"POST", repoPath + "/deployments/{deployment_id}/statuses", "", "repos/create-deployment-status", "deployments/statuses#create-a-deployment-status", "deployments=write", "", (*Server).createDeploymentStatus},

	{"GET", repoPath + "/actions/runs", "", "actions/list-workflow-runs-for-repo", "actions/workflow-runs#list-workflow-runs-for-a-repository", "actions=read", "", (*Server).listRuns},
	{"GET", repoPath + "/actions/runs/{run_id}", "", "actions/get-workflow-run", "actions/workflow-runs#get-a-workflow-run", "actions=read", "", (*Server).getRun},
	{"GET", repoPath + "/actions/runs/{run_id}/attempts/{attempt_number}", "", "actions/get-workflow-run-attempt", "actions/workflow-runs#get-a-workflow-run-attempt", "actions=read", "", (*Server).getRunAttempt},
	{"GET", repoPath + "/actions/runs/{run_id}/jobs", "", "actions/list-jobs-for-workflow-run", "actions/workflow-jobs#list-jobs-for-a-workflow-run", "actions=read", "", (*Server).listRunJobs},
	{"GET", repoPath + "/actions/runs/{run_id}/attempts/{attempt_number}/jobs", "", "actions/list-jobs-for-workflow-run-attempt", "actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt", "actions=read", "", (*Server).listRunJobs},
	{"GET", repoPath + "/actions/runs/{run_id}/logs", "", "actions/download-workflow-run-logs", "actions/workflow-runs#download-workflow-run-logs", "actions=read", "", (*Server).getRunLogs},
	{"GET", repoPath + "/actions/runs/{run_id}/artifacts", "", "actions/list-workflow-run-artifacts", "actions/artifacts#list-workflow-run-artifacts", "actions=read", "", (*Server).listRunArtifacts},
	{"GET", repoPath + "/actions/artifacts", "", "actions/list-artifacts-for-repo", "actions/artifacts#list-artifacts-for-a-repository", "actions=read", "", (*Server).listArtifacts},
	{"GET", repoPath + "/actions/jobs/{job_id}", "", "actions/get-job-for-workflow-run", "actions/workflow-jobs#get-a-job-for-a-workflow-run", "actions=read", "", (*Server).getJob},
	{"GET", repoPath + "/actions/jobs/{job_id}/logs", "", "actions/download-job-logs-for-workflow-run", "actions/workflow-jobs#download-job-logs-for-a-workflow-run", "actions=read", "", (*Server).getJobLogs},
	{"GET", repoPath + "/actions/workflows", "", "actions/list-repo-workflows", "actions/workflows#list-repository-workflows", "actions=read", "", (*Server).listWorkflows},
	{"GET", repoPath + "/actions/workflows/{workflow_id}", "", "actions/get-workflow", "actions/workflows#get-a-workflow", "actions=read", "", (*Server).getWorkflow},
	{"GET", repoPath + "/actions/workflows/{workflow_id}/runs", "", "actions/list-workflow-runs", "actions/workflow-runs#list-workflow-runs-for-a-workflow", "actions=read", "", (*Server).listRuns},
	{"POST", repoPath + "/actions/workflows/{workflow_id}/dispatches", "", "actions/create-workflow-dispatch", "actions/workflows#create-a-workflow-dispatch-event", "actions=write", "", (*Server).workflowDispatch},
	{"GET", repoPath + "/actions/caches", "", "actions/get-actions-cache-list", "actions/cache#list-github-actions-caches-for-a-repository", "actions=read", "", (*Server).listCaches},
	{"DELETE", repoPath + "/actions/caches", "", "actions/delete-actions-cache-by-key", "actions/cache#delete-github-actions-caches-for-a-repository-using-a-cache-key", "actions=write", "", (*Server).deleteCachesByKey},
	{"DELETE", repoPath + "/actions/caches/{cache_id}", "", "actions/delete-actions-cache-by-id", "actions/cache#delete-a-github-actions-cache-for-a-repository-using-a-cache-id", "actions=write", "", (*Server).deleteCacheByID},

	{"GET", repoPath + "/pulls", "", "pulls/list", "pulls/pulls#list-pull-requests", "pull_requests=read", "", (*Server).listPulls},
	{"POST", repoPath + "/pulls", "", "pulls/create", "pulls/pulls#create-a-pull-request", "pull_requests=write", "", (*Server).createPull},
	{"GET", repoPath + "/pulls/{number}", repoPath + "/pulls/{pull_number}", "pulls/get", "pulls/pulls#get-a-pull-request", "pull_requests=read", "", (*Server).getPull},
	{"PATCH", repoPath + "/pulls/{number}", repoPath + "/pulls/{pull_number}", "pulls/update", "pulls/pulls#update-a-pull-request", "pull_requests=write", "", (*Server).updatePull},
	{"GET", repoPath + "/pulls/{number}/commits", repoPath + "/pulls/{pull_number}/commits", "pulls/list-commits", "pulls/pulls#list-commits-on-a-pull-request", "pull_requests=read", "", (*Server).listPullCommits},
	{"GET", repoPath + "/pulls/{number}/reviews", repoPath + "/pulls/{pull_number}/reviews", "pulls/list-reviews", "pulls/reviews#list-reviews-for-a-pull-request", "pull_requests=read", "", (*Server).listPullReviews},

	{"GET", repoPath + "/issues", "", "issues/list-for-repo", "issues/issues#list-repository-issues", "issues=read", "", (*Server).listIssues},
	{"POST", repoPath + "/issues", "", "issues/create", "issues/issues#create-an-issue", "issues=write", "", (*Server).createIssue},
	{"GET", repoPath + "/issues/events", "", "issues/list-events-for-repo", "issues/events#list-issue-events-for-a-repository", "issues=read", "", (*Server).listRepoIssueEvents},
	{"GET", repoPath + "/issues/comments", "", "issues/list-comments-for-repo", "issues/comments#list-issue-comments-for-a-repository", "issues=read", "", (*Server).listRepoComments},
	{"GET", repoPath + "/issues/{number}", repoPath + "/issues/{issue_number}", "issues/get", "issues/issues#get-an-issue", "issues=read;pull_requests=read", "", (*Server).getIssue},
	{"PATCH", repoPath + "/issues/{number}", repoPath + "/issues/{issue_number}", "issues/update", "issues/issues#update-an-issue", "issues=write;pull_requests=write", "", (*Server).updateIssue},
	{"GET", repoPath + "/issues/{number}/comments", repoPath + "/issues/{issue_number}/comments", "issues/list-comments", "issues/comments#list-issue-comments", "issues=read;pull_requests=read", "", (*Server).listComments},
	{"POST", repoPath + "/issues/{number}/comments", repoPath + "/issues/{issue_number}/comments", "issues/create-comment", "issues/comments#create-an-issue-comment", "issues=write;pull_requests=write", "", (*Server).createComment},
	// /issues/comments/{id} overlaps /issues/{number}/comments in ServeMux
	// terms, so the comment routes are the less specific /issues/{number}/{sub}
	// with number == "comments" (checked by the handlers).
	{"GET", repoPath + "/issues/{number}/{sub}", repoPath + "/issues/comments/{comment_id}", "issues/get-comment", "issues/comments#get-an-issue-comment", "issues=read;pull_requests=read", "", (*Server).getComment},
	{"PATCH", repoPath + "/issues/{number}/{sub}", repoPath + "/issues/comments/{comment_id}", "issues/update-comment", "issues/comments#update-an-issue-comment", "issues=write;pull_requests=write", "", (*Server).updateComment},
	{"DELETE", repoPath + "/issues/{number}/{sub}", repoPath + "/issues/comments/{comment_id}", "issues/delete-comment", "issues/comments#delete-an-issue-comment", "issues=write;pull_requests=write", "", (*Server).deleteComment},
	{"GET", repoPath + "/issues/{number}/events", repoPath + "/issues/{issue_number}/events", "issues/list-events", "issues/events#list-issue-events", "issues=read;pull_requests=read", "", (*Server).listIssueEvents},
	{"GET", repoPath + "/issues/{number}/timeline", repoPath + "/issues/{issue_number}/timeline", "issues/list-events-for-timeline", "issues/timeline#list-timeline-events-for-an-issue", "issues=read;pull_requests=read", "", (*Server).listTimeline},
	{"GET", repoPath + "/issues/{number}/labels", repoPath + "/issues/{issue_number}/labels", "issues/list-labels-on-issue", "issues/labels#list-labels-for-an-issue", "issues=read;pull_requests=read", "", (*Server).listIssueLabels},
	{"POST", repoPath + "/issues/{number}/labels", repoPath + "/issues/{issue_number}/labels", "issues/add-labels", "issues/labels#add-labels-to-an-issue", "issues=write;pull_requests=write", "", (*Server).addIssueLabels},
	{"PUT", repoPath + "/issues/{number}/labels", repoPath + "/issues/{issue_number}/labels", "issues/set-labels", "issues/labels#set-labels-for-an-issue", "issues=write;pull_requests=write", "", (*Server).setIssueLabels},
	{"DELETE", repoPath + "/issues/{number}/labels", repoPath + "/issues/{issue_number}/labels", "issues/remove-all-labels", "issues/labels#remove-all-labels-from-an-issue", "issues=write;pull_requests=write", "", (*Server).clearIssueLabels},
	{"DELETE", repoPath + "/issues/{number}/labels/{name}", repoPath + "/issues/{issue_number}/labels/{name}", "issues/remove-label", "issues/labels#remove-a-label-from-an-issue", "issues=write;pull_requests=write", "", (*Server).removeIssueLabel},
	{"GET", repoPath + "/labels", "", "issues/list-labels-for-repo", "issues/labels#list-labels-for-a-repository", "issues=read;pull_requests=read", "", (*Server).listLabels},
	{"POST", repoPath + "/labels", "", "issues/create-label", "issues/labels#create-a-label", "issues=write;pull_requests=write", "", (*Server).createLabel},
	{"GET", repoPath + "/labels/{name}", "", "issues/get-label", "issues/labels#get-a-label", "issues=read;pull_requests=read", "", (*Server).getLabel},
	{"DELETE", repoPath + "/labels/{name}", "", "issues/delete-label", "issues/labels#delete-a-label", "issues=write;pull_requests=write", "", (*Server).deleteLabel},
}

// Routes returns the operations the emulator serves, in registration order.
func Routes() []Route {
	out := make([]Route, len(routeTable))
	for i, r := range routeTable {
		out[i] = r.public()
	}
	return out
}

// public fills Path and the full Docs URL and drops the handler.
func (r Route) public() Route {
	if r.Path == "" {
		r.Path = r.Pattern
	}
	r.Docs = docsURL + r.Docs
	if strings.HasPrefix(r.Docs, docsURL+"../") {
		r.Docs = "https://docs.github.com/" + strings.TrimPrefix(r.Docs, docsURL+"../")
	}
	r.serve = nil
	return r
}

// routes registers every operation of routeTable.
func (s *Server) routes() {
	for _, r := range routeTable {
		s.handle(r.public(), r.serve)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { callFrom(r).notFound() })
}

// handle registers a handler behind the authentication, repository and
// permission checks.
func (s *Server) handle(rt Route, fn func(s *Server, c *call)) {
	s.mux.HandleFunc(rt.Method+" "+rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
		c := callFrom(r)
		c.r = r
		c.route = &rt
		if !c.checkAuth(rt) {
			return
		}
		if owner := r.PathValue("owner"); owner != "" {
			rs := s.st.repo(owner, r.PathValue("repo"))
			if rs == nil || !c.canSee(rs) {
				c.notFound()
				return
			}
			if rs.fx.Status != 0 && rs.fx.Status != http.StatusOK {
				c.repoStatus(rs)
				return
			}
			c.repo = rs
			if isWrite(r.Method) && !c.inScope(rs) {
				c.forbiddenIntegration(rt.Permission)
				return
			}
		}
		if rt.Permission != "" && !c.permitted(rt.Permission) {
			c.forbiddenIntegration(rt.Permission)
			return
		}
		fn(s, c)
	})
}

// forbiddenIntegration is GitHub's answer to a token that lacks a
// permission or the repository.
func (c *call) forbiddenIntegration(perm string) {
	if perm != "" {
		c.out.header.Set("X-Accepted-GitHub-Permissions", strings.ReplaceAll(perm, "_", "-"))
	}
	c.errorBody(http.StatusForbidden, "Resource not accessible by integration")
}

// repoStatus answers for a repository whose fixture Status is set.
func (c *call) repoStatus(rs *repoState) {
	switch rs.fx.Status {
	case http.StatusMovedPermanently:
		// GitHub redirects a renamed or transferred repository to
		// /repositories/{id}/…: 301 for reads, 307 for writes (so a client
		// repeats the method and body instead of turning a POST into a GET).
		status, msg := http.StatusMovedPermanently, "Moved Permanently"
		if isWrite(c.r.Method) {
			status, msg = http.StatusTemporaryRedirect, "Temporary Redirect"
		}
		body := map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects", "status": strconv.Itoa(status)}
		if target := rs.fx.MovedTo; target != "" {
			if to := c.s.st.byName[strings.ToLower(target)]; to != nil {
				old := "/repos/" + c.r.PathValue("owner") + "/" + c.r.PathValue("repo")
				rest := strings.TrimPrefix(c.r.URL.EscapedPath(), old)
				loc := c.api + "/repositories/" + strconv.FormatInt(to.id, 10) + rest
				if c.r.URL.RawQuery != "" {
					loc += "?" + c.r.URL.RawQuery
				}
				body["url"] = loc
				c.out.header.Set("Location", loc)
			}
		}
		c.writeJSON(status, body)
	case http.StatusForbidden:
		c.errorBody(http.StatusForbidden, "Repository access blocked")
	case http.StatusNotFound:
		c.notFound()
	case http.StatusUnavailableForLegalReasons:
		c.errorBody(http.StatusUnavailableForLegalReasons, "Repository access blocked")
	default:
		c.errorBody(rs.fx.Status, "")
	}
}

// paginate applies page/per_page to n items, sets the Link header and
// returns the slice bounds.
// page renders the requested page of n items, render(i) for each index i on
// it, and sets the Link header (see paginate).
func (c *call) page(n int, render func(i int) any) []any {
	lo, hi := c.paginate(n)
	out := make([]any, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, render(i))
	}
	return out
}

func (c *call) paginate(n int) (lo, hi int) {
	q := c.r.URL.Query()
	perPage := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	last := (n + perPage - 1) / perPage
	if last < 1 {
		last = 1
	}
	lo = min((page-1)*perPage, n)
	hi = min(lo+perPage, n)
	if page == 1 && last == 1 {
		return lo, hi
	}
	link := func(p int, rel string) string {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("page", strconv.Itoa(p))
		return "<" + requestScheme(c.r) + "://" + c.r.Host + c.prefix + c.r.URL.EscapedPath() + "?" + q2.Encode() + ">; rel=\"" + rel + "\""
	}
	var links []string
	if page > 1 {
		links = append(links, link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	c.out.header.Set("Link", strings.Join(links, ", "))
	return lo, hi
}

// intParam parses a numeric path value; on failure it writes 404.
func (c *call) intParam(name string) (int64, bool) {
	v, err := strconv.ParseInt(c.r.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		c.notFound()
		return 0, false
	}
	return v, true
}
