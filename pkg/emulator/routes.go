package emulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// routes registers every endpoint with the permission GITHUB_TOKEN needs
// for it (NOTES §2.4; "a;b" lists alternatives).
func (s *Server) routes() {
	const repo = "/repos/{owner}/{repo}"
	h := s.handle
	h("GET /rate_limit", "", s.getRateLimit)
	h("GET /user", "", s.getUser)
	h("GET /users/{user}", "", s.getUserByLogin)
	h("GET /orgs/{org}/repos", "", s.listOrgRepos)
	h("GET /users/{user}/repos", "", s.listUserRepos)
	h("GET /search/issues", "", s.searchIssues)

	h("GET "+repo, "metadata=read", s.getRepo)
	h("GET "+repo+"/events", "metadata=read", s.listRepoEvents)
	h("GET "+repo+"/contents/{path...}", "contents=read", s.getContentsAtRef)
	h("GET "+repo+"/contents", "contents=read", s.getContents)
	h("PUT "+repo+"/contents/{path...}", "contents=write", s.putContents)
	h("GET "+repo+"/branches", "contents=read", s.listBranches)
	h("GET "+repo+"/branches/{branch...}", "contents=read", s.getBranch)
	h("GET "+repo+"/branches/{branch}/protection", "administration=read", s.getBranchProtection)
	h("GET "+repo+"/commits/{ref...}", "contents=read", s.getCommit)
	h("GET "+repo+"/tags", "contents=read", s.listTags)
	h("GET "+repo+"/git/ref/{ref...}", "contents=read", s.getGitRef)
	h("GET "+repo+"/git/matching-refs/{ref...}", "contents=read", s.listMatchingRefs)
	h("POST "+repo+"/git/refs", "contents=write", s.createGitRef)
	h("DELETE "+repo+"/git/refs/{ref...}", "contents=write", s.deleteGitRef)
	h("POST "+repo+"/dispatches", "contents=write", s.repositoryDispatch)

	h("GET "+repo+"/actions/runs", "actions=read", s.listRuns)
	h("GET "+repo+"/actions/runs/{run_id}", "actions=read", s.getRun)
	h("GET "+repo+"/actions/runs/{run_id}/attempts/{attempt}", "actions=read", s.getRunAttempt)
	h("GET "+repo+"/actions/runs/{run_id}/jobs", "actions=read", s.listRunJobs)
	h("GET "+repo+"/actions/runs/{run_id}/attempts/{attempt}/jobs", "actions=read", s.listRunJobs)
	h("GET "+repo+"/actions/runs/{run_id}/logs", "actions=read", s.getRunLogs)
	h("GET "+repo+"/actions/runs/{run_id}/artifacts", "actions=read", s.listRunArtifacts)
	h("GET "+repo+"/actions/artifacts", "actions=read", s.listArtifacts)
	h("GET "+repo+"/actions/jobs/{job_id}", "actions=read", s.getJob)
	h("GET "+repo+"/actions/jobs/{job_id}/logs", "actions=read", s.getJobLogs)
	h("GET "+repo+"/actions/workflows", "actions=read", s.listWorkflows)
	h("GET "+repo+"/actions/workflows/{workflow_id}", "actions=read", s.getWorkflow)
	h("GET "+repo+"/actions/workflows/{workflow_id}/runs", "actions=read", s.listRuns)
	h("POST "+repo+"/actions/workflows/{workflow_id}/dispatches", "actions=write", s.workflowDispatch)

	h("GET "+repo+"/pulls", "pull_requests=read", s.listPulls)
	h("POST "+repo+"/pulls", "pull_requests=write", s.createPull)
	h("GET "+repo+"/pulls/{number}", "pull_requests=read", s.getPull)
	h("PATCH "+repo+"/pulls/{number}", "pull_requests=write", s.updatePull)
	h("GET "+repo+"/pulls/{number}/commits", "pull_requests=read", s.listPullCommits)
	h("GET "+repo+"/pulls/{number}/reviews", "pull_requests=read", s.listPullReviews)

	h("GET "+repo+"/issues", "issues=read", s.listIssues)
	h("POST "+repo+"/issues", "issues=write", s.createIssue)
	h("GET "+repo+"/issues/{number}", "issues=read;pull_requests=read", s.getIssue)
	h("PATCH "+repo+"/issues/{number}", "issues=write;pull_requests=write", s.updateIssue)
	h("GET "+repo+"/issues/{number}/comments", "issues=read;pull_requests=read", s.listComments)
	h("POST "+repo+"/issues/{number}/comments", "issues=write;pull_requests=write", s.createComment)
	// /issues/comments/{id} overlaps /issues/{number}/comments in ServeMux
	// terms, so the comment routes are the less specific /issues/{number}/{sub}
	// with number == "comments" (checked by the handlers).
	h("GET "+repo+"/issues/{number}/{sub}", "issues=read;pull_requests=read", s.getComment)
	h("PATCH "+repo+"/issues/{number}/{sub}", "issues=write;pull_requests=write", s.updateComment)
	h("DELETE "+repo+"/issues/{number}/{sub}", "issues=write;pull_requests=write", s.deleteComment)
	h("GET "+repo+"/issues/{number}/events", "issues=read;pull_requests=read", s.listIssueEvents)
	h("GET "+repo+"/issues/{number}/timeline", "issues=read;pull_requests=read", s.listTimeline)
	h("GET "+repo+"/issues/{number}/labels", "issues=read;pull_requests=read", s.listIssueLabels)
	h("POST "+repo+"/issues/{number}/labels", "issues=write;pull_requests=write", s.addIssueLabels)
	h("PUT "+repo+"/issues/{number}/labels", "issues=write;pull_requests=write", s.setIssueLabels)
	h("DELETE "+repo+"/issues/{number}/labels", "issues=write;pull_requests=write", s.clearIssueLabels)
	h("DELETE "+repo+"/issues/{number}/labels/{name}", "issues=write;pull_requests=write", s.removeIssueLabel)
	h("GET "+repo+"/labels", "issues=read;pull_requests=read", s.listLabels)
	h("POST "+repo+"/labels", "issues=write;pull_requests=write", s.createLabel)
	h("GET "+repo+"/labels/{name}", "issues=read;pull_requests=read", s.getLabel)
	h("DELETE "+repo+"/labels/{name}", "issues=write;pull_requests=write", s.deleteLabel)

	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { callFrom(r).notFound() })
}

// handle registers a handler behind the repository and permission checks.
func (s *Server) handle(pattern, perm string, fn func(c *call)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c := callFrom(r)
		c.r = r
		if isWrite(r.Method) && !c.authed {
			c.writeJSON(http.StatusUnauthorized, map[string]any{"message": "Requires authentication", "documentation_url": docsBase, "status": "401"})
			return
		}
		if owner := r.PathValue("owner"); owner != "" {
			rs := s.st.repo(owner, r.PathValue("repo"))
			if rs == nil || (rs.fx.Private && !c.authed) {
				c.notFound()
				return
			}
			if rs.fx.Status != 0 && rs.fx.Status != http.StatusOK {
				c.repoStatus(rs)
				return
			}
			c.repo = rs
		}
		if perm != "" && !c.permitted(perm) {
			c.out.header.Set("X-Accepted-GitHub-Permissions", strings.ReplaceAll(perm, "_", "-"))
			c.errorBody(http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		fn(c)
	})
}

// repoStatus answers for a repository whose fixture Status is set.
func (c *call) repoStatus(rs *repoState) {
	switch rs.fx.Status {
	case http.StatusMovedPermanently:
		body := map[string]any{"message": "Moved Permanently", "documentation_url": docsBase, "status": "301"}
		if target := rs.fx.MovedTo; target != "" {
			if to := c.s.st.byName[strings.ToLower(target)]; to != nil {
				old := "/repos/" + c.r.PathValue("owner") + "/" + c.r.PathValue("repo")
				rest := strings.TrimPrefix(c.r.URL.EscapedPath(), old)
				loc := c.api + "/repos/" + to.fx.FullName() + rest
				if c.r.URL.RawQuery != "" {
					loc += "?" + c.r.URL.RawQuery
				}
				body["url"] = c.api + "/repositories/" + strconv.FormatInt(to.id, 10)
				c.out.header.Set("Location", loc)
			}
		}
		c.writeJSON(http.StatusMovedPermanently, body)
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

// permitted reports whether the token holds one of the alternatives in
// perm ("issues=write;pull_requests=write"). Write implies read; metadata
// read is always granted; a token without a permission list has them all.
func (c *call) permitted(perm string) bool {
	if len(c.perms) == 0 {
		return true
	}
	for _, alt := range strings.Split(perm, ";") {
		name, level, _ := strings.Cut(alt, "=")
		if name == "metadata" && level == "read" {
			return true
		}
		for k, v := range c.perms {
			if strings.ReplaceAll(strings.ToLower(k), "-", "_") != name {
				continue
			}
			v = strings.ToLower(v)
			if v == "write" || v == "admin" || (v == "read" && level == "read") {
				return true
			}
		}
	}
	return false
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
