package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The signals a monitor reads besides workflow runs: deployments and
// their statuses, commit statuses, and check suites and check runs (the
// GitHub Actions runs and jobs of a commit, and the fixture's other apps).

// buildSignals copies a repository's deployments, statuses, checks and
// caches into the live model, filling defaults.
func (st *state) buildSignals(rs *repoState, r Repository) {
	full := r.FullName()
	for i := range r.Deployments {
		d := r.Deployments[i]
		if d.ID == 0 {
			d.ID = stableID(fmt.Sprintf("%s#deployment#%d", full, i), 100_000_000)
		}
		if d.Task == "" {
			d.Task = "deploy"
		}
		if d.UpdatedAt.IsZero() {
			d.UpdatedAt = d.CreatedAt
			if n := len(d.Statuses); n > 0 {
				d.UpdatedAt = d.Statuses[n-1].CreatedAt
			}
		}
		d.Statuses = append([]DeploymentStatus(nil), d.Statuses...)
		for j := range d.Statuses {
			if d.Statuses[j].ID == 0 {
				d.Statuses[j].ID = stableID(fmt.Sprintf("%s#deployment-status#%d#%d", full, d.ID, j), 1_000_000_000)
			}
		}
		rs.deployments = append(rs.deployments, &d)
	}
	for i, s := range r.Statuses {
		if s.ID == 0 {
			s.ID = stableID(fmt.Sprintf("%s#status#%d", full, i), 10_000_000_000)
		}
		if s.Context == "" {
			s.Context = "default"
		}
		if s.UpdatedAt.IsZero() {
			s.UpdatedAt = s.CreatedAt
		}
		rs.statuses = append(rs.statuses, s)
	}
	for _, cs := range r.CheckSuites {
		if cs.Status == "" {
			cs.Status = "completed"
		}
		if cs.UpdatedAt.IsZero() {
			cs.UpdatedAt = cs.CreatedAt
		}
		rs.checkSuites = append(rs.checkSuites, cs)
	}
	for _, cr := range r.CheckRuns {
		if cr.Status == "" {
			cr.Status = "completed"
		}
		rs.checkRuns = append(rs.checkRuns, cr)
	}
	for i, ca := range r.Caches {
		if ca.ID == 0 {
			ca.ID = stableID(fmt.Sprintf("%s#cache#%d", full, i), 1_000)
		}
		if ca.Version == "" {
			ca.Version = fakeSHA(ca.Key)[:40] + fakeSHA(ca.Key + "#v")[:24]
		}
		if ca.LastAccessedAt.IsZero() {
			ca.LastAccessedAt = ca.CreatedAt
		}
		rs.caches = append(rs.caches, ca)
	}
}

// Deployments.

func (c *call) deploymentJSON(rs *repoState, d *Deployment) map[string]any {
	api := c.repoAPI(rs) + "/deployments/" + strconv.FormatInt(d.ID, 10)
	payload := d.Payload
	if payload == nil {
		payload = map[string]any{}
	}
	return map[string]any{
		"url": api, "id": d.ID, "node_id": nodeID("Deployment", d.ID), "sha": d.SHA, "ref": d.Ref, "task": d.Task,
		"payload": payload, "original_environment": d.Environment, "environment": d.Environment,
		"description": nullIfEmpty(d.Description), "creator": c.userJSON(d.Creator),
		"created_at": ts(d.CreatedAt), "updated_at": ts(d.UpdatedAt), "statuses_url": api + "/statuses",
		"repository_url": c.repoAPI(rs), "transient_environment": d.Transient, "production_environment": d.Production,
		"performed_via_github_app": nil,
	}
}

func (c *call) deploymentStatusJSON(rs *repoState, d *Deployment, s DeploymentStatus) map[string]any {
	api := c.repoAPI(rs) + "/deployments/" + strconv.FormatInt(d.ID, 10)
	return map[string]any{
		"url": api + "/statuses/" + strconv.FormatInt(s.ID, 10), "id": s.ID, "node_id": nodeID("DeploymentStatus", s.ID),
		"state": s.State, "creator": c.userJSON(s.Creator), "description": s.Description, "environment": d.Environment,
		"target_url": s.LogURL, "log_url": s.LogURL, "environment_url": s.EnvironmentURL,
		"created_at": ts(s.CreatedAt), "updated_at": ts(s.CreatedAt), "deployment_url": api,
		"repository_url": c.repoAPI(rs), "performed_via_github_app": nil,
	}
}

// listDeployments answers GET …/deployments: newest first, filtered by
// sha, ref, task and environment.
func (s *Server) listDeployments(c *call) {
	q := c.r.URL.Query()
	var ds []*Deployment
	for _, d := range c.repo.deployments {
		switch {
		case q.Get("sha") != "" && d.SHA != q.Get("sha"),
			q.Get("ref") != "" && d.Ref != q.Get("ref"),
			q.Get("task") != "" && d.Task != q.Get("task"),
			q.Get("environment") != "" && d.Environment != q.Get("environment"):
			continue
		}
		ds = append(ds, d)
	}
	sort.SliceStable(ds, func(i, j int) bool {
		if !ds[i].CreatedAt.Equal(ds[j].CreatedAt) {
			return ds[i].CreatedAt.After(ds[j].CreatedAt)
		}
		return ds[i].ID > ds[j].ID
	})
	c.ok(c.page(len(ds), func(i int) any { return c.deploymentJSON(c.repo, ds[i]) }))
}

func (c *call) deploymentParam() *Deployment {
	id, ok := c.intParam("deployment_id")
	if !ok {
		return nil
	}
	for _, d := range c.repo.deployments {
		if d.ID == id {
			return d
		}
	}
	c.notFound()
	return nil
}

func (s *Server) getDeployment(c *call) {
	if d := c.deploymentParam(); d != nil {
		c.ok(c.deploymentJSON(c.repo, d))
	}
}

// createDeployment answers POST …/deployments. The ref must resolve; the
// commit statuses of required_contexts (all contexts when left out) must
// be success, else 409.
func (s *Server) createDeployment(c *call) {
	rs := c.repo
	var body struct {
		Ref              string         `json:"ref"`
		Task             string         `json:"task"`
		Environment      string         `json:"environment"`
		Description      *string        `json:"description"`
		Payload          map[string]any `json:"payload"`
		RequiredContexts *[]string      `json:"required_contexts"`
		Transient        bool           `json:"transient_environment"`
		Production       *bool          `json:"production_environment"`
	}
	if !c.decode(&body) {
		return
	}
	if body.Ref == "" {
		c.validation("Invalid request.\n\n\"ref\" wasn't supplied.", ValidationError{Resource: "Deployment", Field: "ref", Code: "missing_field"})
		return
	}
	sha, ok := rs.resolveRef(body.Ref)
	if !ok {
		c.validation("No ref found for: "+body.Ref, ValidationError{Resource: "Deployment", Field: "ref", Code: "invalid"})
		return
	}
	var failing []string
	for _, st := range rs.latestStatuses(sha) {
		required := body.RequiredContexts == nil
		if body.RequiredContexts != nil {
			required = containsFold(*body.RequiredContexts, st.Context)
		}
		if required && st.State != "success" {
			failing = append(failing, st.Context)
		}
	}
	if len(failing) > 0 {
		c.writeJSON(http.StatusConflict, map[string]any{"message": "Conflict: Commit status checks failed for " + body.Ref + ".",
			"documentation_url": c.docs(), "status": "409",
			"errors": []any{map[string]any{"contexts": failing, "resource": "Deployment", "field": "required_contexts", "code": "invalid"}}})
		return
	}
	d := &Deployment{ID: c.s.st.newID(), SHA: sha, Ref: body.Ref, Task: body.Task, Environment: body.Environment,
		Creator: c.login, Payload: body.Payload, Transient: body.Transient, CreatedAt: c.now, UpdatedAt: c.now}
	if d.Task == "" {
		d.Task = "deploy"
	}
	if d.Environment == "" {
		d.Environment = "production"
	}
	d.Production = d.Environment == "production"
	if body.Production != nil {
		d.Production = *body.Production
	}
	if body.Description != nil {
		d.Description = *body.Description
	}
	rs.deployments = append(rs.deployments, d)
	c.out.header.Set("Location", c.repoAPI(rs)+"/deployments/"+strconv.FormatInt(d.ID, 10))
	c.created(c.deploymentJSON(rs, d))
}

func (s *Server) listDeploymentStatuses(c *call) {
	d := c.deploymentParam()
	if d == nil {
		return
	}
	sts := append([]DeploymentStatus(nil), d.Statuses...)
	sort.SliceStable(sts, func(i, j int) bool { return sts[i].CreatedAt.After(sts[j].CreatedAt) })
	c.ok(c.page(len(sts), func(i int) any { return c.deploymentStatusJSON(c.repo, d, sts[i]) }))
}

var deploymentStates = []string{"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}

// createDeploymentStatus answers POST …/deployments/{id}/statuses. A
// success status marks the earlier non-transient deployments of the same
// environment inactive (auto_inactive, default true), as GitHub does.
func (s *Server) createDeploymentStatus(c *call) {
	rs := c.repo
	d := c.deploymentParam()
	if d == nil {
		return
	}
	var body struct {
		State          string  `json:"state"`
		TargetURL      string  `json:"target_url"`
		LogURL         string  `json:"log_url"`
		Description    string  `json:"description"`
		EnvironmentURL string  `json:"environment_url"`
		Environment    *string `json:"environment"`
		AutoInactive   *bool   `json:"auto_inactive"`
	}
	if !c.decode(&body) {
		return
	}
	if !containsFold(deploymentStates, body.State) {
		c.validation("Validation Failed", ValidationError{Resource: "DeploymentStatus", Field: "state", Code: "invalid",
			Message: "state must be one of: " + strings.Join(deploymentStates, ", ")})
		return
	}
	logURL := body.LogURL
	if logURL == "" {
		logURL = body.TargetURL
	}
	if body.Environment != nil && *body.Environment != "" {
		d.Environment = *body.Environment
	}
	st := DeploymentStatus{ID: c.s.st.newID(), State: strings.ToLower(body.State), Creator: c.login, Description: body.Description,
		EnvironmentURL: body.EnvironmentURL, LogURL: logURL, CreatedAt: c.now}
	d.Statuses = append(d.Statuses, st)
	d.UpdatedAt = c.now
	if st.State == "success" && (body.AutoInactive == nil || *body.AutoInactive) {
		for _, other := range rs.deployments {
			if other == d || other.Environment != d.Environment || other.Transient {
				continue
			}
			if n := len(other.Statuses); n > 0 && other.Statuses[n-1].State != "inactive" {
				other.Statuses = append(other.Statuses, DeploymentStatus{ID: c.s.st.newID(), State: "inactive", Creator: c.login,
					Description: "", CreatedAt: c.now})
				other.UpdatedAt = c.now
			}
		}
	}
	c.out.header.Set("Location", c.deploymentStatusJSON(rs, d, st)["url"].(string))
	c.created(c.deploymentStatusJSON(rs, d, st))
}

// Commit statuses.

func (c *call) statusJSON(rs *repoState, st CommitStatus) map[string]any {
	u := c.s.st.user(st.Creator)
	return map[string]any{
		"url": c.repoAPI(rs) + "/statuses/" + st.SHA, "avatar_url": fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", u.ID),
		"id": st.ID, "node_id": nodeID("StatusContext", st.ID), "state": st.State, "description": nullIfEmpty(st.Description),
		"target_url": nullIfEmpty(st.TargetURL), "context": st.Context, "created_at": ts(st.CreatedAt),
		"updated_at": ts(st.UpdatedAt), "creator": c.userJSON(st.Creator),
	}
}

// statusesFor lists a commit's statuses, newest first.
func (rs *repoState) statusesFor(sha string) []CommitStatus {
	var out []CommitStatus
	for _, st := range rs.statuses {
		if st.SHA == sha {
			out = append(out, st)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// latestStatuses is the newest status per context, in context order.
func (rs *repoState) latestStatuses(sha string) []CommitStatus {
	seen := map[string]bool{}
	var out []CommitStatus
	for _, st := range rs.statusesFor(sha) {
		if !seen[st.Context] {
			seen[st.Context] = true
			out = append(out, st)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Context < out[j].Context })
	return out
}

// refSHA resolves {ref} of a commits/{ref}/… route.
func (c *call) refSHA() (string, bool) {
	return c.repo.resolveRef(c.r.PathValue("ref"))
}

func (s *Server) listCommitStatuses(c *call) {
	sha, ok := c.refSHA()
	if !ok {
		sha = c.r.PathValue("ref")
	}
	sts := c.repo.statusesFor(sha)
	c.ok(c.page(len(sts), func(i int) any { return c.statusJSON(c.repo, sts[i]) }))
}

// getCombinedStatus answers GET …/commits/{ref}/status: the newest status
// per context and their combination: failure when any is error or
// failure, pending when any is pending or there are none, else success.
func (s *Server) getCombinedStatus(c *call) {
	rs := c.repo
	sha, ok := c.refSHA()
	if !ok {
		c.errorBody(http.StatusNotFound, "No commit found for SHA: "+c.r.PathValue("ref"))
		return
	}
	latest := rs.latestStatuses(sha)
	state := "success"
	if len(latest) == 0 {
		state = "pending"
	}
	for _, st := range latest {
		switch st.State {
		case "error", "failure":
			state = "failure"
		case "pending":
			if state != "failure" {
				state = "pending"
			}
		}
	}
	lo, hi := c.paginate(len(latest))
	items := []any{}
	for _, st := range latest[lo:hi] {
		items = append(items, c.statusJSON(rs, st))
	}
	c.ok(map[string]any{"state": state, "statuses": items, "sha": sha, "total_count": len(latest),
		"repository": c.minimalRepoJSON(rs), "commit_url": c.repoAPI(rs) + "/commits/" + sha,
		"url": c.repoAPI(rs) + "/commits/" + sha + "/status"})
}

var commitStates = []string{"error", "failure", "pending", "success"}

func (s *Server) createCommitStatus(c *call) {
	rs := c.repo
	sha := c.r.PathValue("sha")
	var body struct {
		State       string `json:"state"`
		TargetURL   string `json:"target_url"`
		Description string `json:"description"`
		Context     string `json:"context"`
	}
	if !c.decode(&body) {
		return
	}
	if !containsFold(commitStates, body.State) {
		c.validation("Validation Failed", ValidationError{Resource: "Status", Field: "state", Code: "invalid",
			Message: "state must be one of: " + strings.Join(commitStates, ", ")})
		return
	}
	cm, ok := rs.commitBySHA(sha)
	if !ok || len(sha) != 40 {
		if wc := rs.writtenCommit(sha); wc != nil && len(sha) == 40 {
			cm = wc.Commit
		} else {
			c.validation("No commit found for SHA: "+sha, ValidationError{Resource: "Status", Field: "sha", Code: "invalid"})
			return
		}
	}
	ctxName := body.Context
	if ctxName == "" {
		ctxName = "default"
	}
	st := CommitStatus{ID: c.s.st.newID() + 10_000_000_000, SHA: cm.SHA, State: strings.ToLower(body.State), Context: ctxName,
		Description: body.Description, TargetURL: body.TargetURL, Creator: c.login, CreatedAt: c.now, UpdatedAt: c.now}
	rs.statuses = append(rs.statuses, st)
	c.out.header.Set("Location", c.repoAPI(rs)+"/statuses/"+cm.SHA)
	c.created(c.statusJSON(rs, st))
}

// Checks.

// githubActionsApp is the integration object of GitHub Actions.
func (c *call) appJSON(slug string) map[string]any {
	if slug == "" || slug == "github-actions" {
		owner := c.userMap("github")
		owner["id"], owner["type"] = int64(9919), "Organization"
		owner["node_id"] = nodeID("Organization", 9919)
		owner["avatar_url"] = "https://avatars.githubusercontent.com/u/9919?v=4"
		return map[string]any{
			"id": githubActionsAppID, "slug": "github-actions", "node_id": "MDExOkludGVncmF0aW9uMTUzNjg=", "client_id": "Iv1.05c79e9ad1f6bdfa",
			"owner": owner, "name": "GitHub Actions", "description": "Automate your workflow from idea to production",
			"external_url": "https://help.github.com/en/actions", "html_url": "https://github.com/apps/github-actions",
			"created_at": "2018-07-30T09:30:17Z", "updated_at": "2024-04-10T20:33:16Z",
			"permissions": map[string]any{"actions": "write", "checks": "write", "contents": "write", "deployments": "write",
				"issues": "write", "metadata": "read", "pull_requests": "write", "statuses": "write"},
			"events": []any{"branch_protection_rule", "check_run", "check_suite", "create", "delete", "deployment", "push", "workflow_dispatch"},
		}
	}
	id := stableID("app#"+slug, 100_000)
	owner := ""
	if a := c.s.st.appBySlug(slug); a != nil {
		id, owner = a.ID, a.Owner
	}
	var ownerJSON any
	if owner != "" {
		ownerJSON = c.userJSON(owner)
	} else {
		ownerJSON = c.userJSON(slug + "-org")
	}
	return map[string]any{
		"id": id, "slug": slug, "node_id": nodeID("Integration", id), "owner": ownerJSON, "name": slug, "description": nil,
		"external_url": htmlBase + "/apps/" + slug, "html_url": htmlBase + "/apps/" + slug,
		"created_at": ts(c.s.st.fixture.ReferenceTime), "updated_at": ts(c.s.st.fixture.ReferenceTime),
		"permissions": map[string]any{"checks": "write", "metadata": "read"}, "events": []any{"check_run", "check_suite"},
	}
}

// suite is a check suite of either kind: a workflow run's or a fixture one.
type suite struct {
	id                 int64
	app                string
	headSHA, branch    string
	status, conclusion string
	run                *Run
	fx                 *CheckSuite
}

// suitesFor lists the check suites of a commit: one per workflow run (id
// = the run's check_suite_id) and the fixture's, newest first.
func (c *call) suitesFor(rs *repoState, sha string) []suite {
	var out []suite
	for _, run := range rs.runs {
		if run.HeadSHA != sha {
			continue
		}
		out = append(out, suite{id: runSuiteID(rs, run), app: "github-actions", headSHA: sha, branch: run.HeadBranch,
			status: run.Status, conclusion: run.Conclusion, run: run})
	}
	for i := range rs.checkSuites {
		cs := &rs.checkSuites[i]
		if cs.HeadSHA == sha {
			out = append(out, suite{id: cs.ID, app: cs.App, headSHA: sha, branch: cs.HeadBranch, status: cs.Status, conclusion: cs.Conclusion, fx: cs})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].id > out[j].id })
	return out
}

func runSuiteID(rs *repoState, run *Run) int64 {
	return stableID(fmt.Sprintf("%s#suite#%d", rs.fx.FullName(), run.ID), 1_000_000_000)
}

func (c *call) suiteJSON(rs *repoState, s suite, runsCount int) map[string]any {
	api := c.repoAPI(rs) + "/check-suites/" + strconv.FormatInt(s.id, 10)
	created, updated := s.fxTimes(rs)
	msg := "Update"
	if cm, ok := rs.commitBySHA(s.headSHA); ok && cm.Message != "" {
		msg = cm.Message
	}
	author := rs.fx.Owner
	return map[string]any{
		"id": s.id, "node_id": nodeID("CheckSuite", s.id), "head_branch": nullIfEmpty(s.branch), "head_sha": s.headSHA,
		"status": nullIfEmpty(s.status), "conclusion": nullIfEmpty(s.conclusion), "url": api, "before": nil, "after": s.headSHA,
		"pull_requests": []any{}, "app": c.appJSON(s.app), "repository": c.minimalRepoJSON(rs),
		"created_at": ts(created), "updated_at": ts(updated),
		"head_commit": map[string]any{"id": s.headSHA, "tree_id": fakeSHA(s.headSHA + "^{tree}"), "message": msg, "timestamp": ts(created),
			"author":    map[string]any{"name": author, "email": author + "@users.noreply.github.com"},
			"committer": map[string]any{"name": "GitHub", "email": "noreply@github.com"}},
		"latest_check_runs_count": runsCount, "check_runs_url": api + "/check-runs",
		"rerequestable": true, "runs_rerequestable": true,
	}
}

func (s suite) fxTimes(rs *repoState) (created, updated time.Time) {
	if s.run != nil {
		return s.run.CreatedAt, s.run.UpdatedAt
	}
	return s.fx.CreatedAt, s.fx.UpdatedAt
}

// listCheckSuitesForRef answers GET …/commits/{ref}/check-suites.
func (s *Server) listCheckSuitesForRef(c *call) {
	rs := c.repo
	sha, ok := c.refSHA()
	if !ok {
		c.validation("No commit found for SHA: " + c.r.PathValue("ref"))
		return
	}
	q := c.r.URL.Query()
	var suites []suite
	for _, su := range c.suitesFor(rs, sha) {
		if v := q.Get("app_id"); v != "" && fmt.Sprint(c.appJSON(su.app)["id"]) != v {
			continue
		}
		if name := q.Get("check_name"); name != "" && !containsFold(c.checkNames(rs, su), name) {
			continue
		}
		suites = append(suites, su)
	}
	lo, hi := c.paginate(len(suites))
	items := []any{}
	for _, su := range suites[lo:hi] {
		items = append(items, c.suiteJSON(rs, su, len(c.checkRunsOf(rs, su, true))))
	}
	c.ok(map[string]any{"total_count": len(suites), "check_suites": items})
}

// check is a check run of either kind: a job or a fixture one.
type check struct {
	id                 int64
	name               string
	status, conclusion string
	started, completed time.Time
	detailsURL         string
	title, summary     string
	su                 suite
	job                *Job
}

// checkRunsOf lists a suite's check runs; latest keeps only the newest
// run attempt's jobs.
func (c *call) checkRunsOf(rs *repoState, su suite, latest bool) []check {
	var out []check
	if su.run != nil {
		for i := range su.run.Jobs {
			j := &su.run.Jobs[i]
			if latest && j.RunAttempt != su.run.RunAttempt {
				continue
			}
			started := j.StartedAt
			if started.IsZero() {
				started = su.run.CreatedAt
			}
			out = append(out, check{id: j.ID, name: j.Name, status: j.Status, conclusion: j.Conclusion,
				started: started, completed: j.CompletedAt,
				detailsURL: fmt.Sprintf("%s/actions/runs/%d/job/%d", repoHTML(rs), su.run.ID, j.ID), su: su, job: j})
		}
		return out
	}
	for _, cr := range rs.checkRuns {
		if cr.CheckSuiteID == su.id {
			out = append(out, check{id: cr.ID, name: cr.Name, status: cr.Status, conclusion: cr.Conclusion,
				started: cr.StartedAt, completed: cr.CompletedAt, detailsURL: cr.DetailsURL,
				title: cr.Title, summary: cr.Summary, su: su})
		}
	}
	return out
}

func (c *call) checkNames(rs *repoState, su suite) []string {
	var names []string
	for _, ch := range c.checkRunsOf(rs, su, false) {
		names = append(names, ch.name)
	}
	return names
}

func (c *call) checkRunJSON(rs *repoState, ch check) map[string]any {
	api := c.repoAPI(rs) + "/check-runs/" + strconv.FormatInt(ch.id, 10)
	html := ch.detailsURL
	if html == "" {
		html = repoHTML(rs) + "/runs/" + strconv.FormatInt(ch.id, 10)
	}
	return map[string]any{
		"id": ch.id, "head_sha": ch.su.headSHA, "node_id": nodeID("CheckRun", ch.id), "external_id": "",
		"url": api, "html_url": html, "details_url": nullIfEmpty(ch.detailsURL), "status": ch.status,
		"conclusion": nullIfEmpty(ch.conclusion), "started_at": ts(ch.started), "completed_at": ts(ch.completed),
		"output": map[string]any{"title": nullIfEmpty(ch.title), "summary": nullIfEmpty(ch.summary), "text": nil,
			"annotations_count": 0, "annotations_url": api + "/annotations"},
		"name": ch.name, "check_suite": map[string]any{"id": ch.su.id}, "app": c.appJSON(ch.su.app), "pull_requests": []any{},
	}
}

var checkStatuses = map[string]bool{"queued": true, "in_progress": true, "completed": true}

// listCheckRunsForRef answers GET …/commits/{ref}/check-runs: the jobs of
// the commit's workflow runs and the fixture's check runs, filtered by
// check_name, status, app_id and filter (latest: the newest attempt).
func (s *Server) listCheckRunsForRef(c *call) {
	rs := c.repo
	sha, ok := c.refSHA()
	if !ok {
		c.validation("No commit found for SHA: " + c.r.PathValue("ref"))
		return
	}
	q := c.r.URL.Query()
	filter := q.Get("filter")
	if filter == "" {
		filter = "latest"
	}
	if filter != "latest" && filter != "all" {
		c.validation("Validation Failed", ValidationError{Resource: "CheckRun", Field: "filter", Code: "invalid", Message: "filter must be one of: latest, all"})
		return
	}
	if st := q.Get("status"); st != "" && !checkStatuses[st] {
		c.validation("Validation Failed", ValidationError{Resource: "CheckRun", Field: "status", Code: "invalid", Message: "status must be one of: queued, in_progress, completed"})
		return
	}
	var checks []check
	for _, su := range c.suitesFor(rs, sha) {
		if v := q.Get("app_id"); v != "" && fmt.Sprint(c.appJSON(su.app)["id"]) != v {
			continue
		}
		for _, ch := range c.checkRunsOf(rs, su, filter == "latest") {
			if (q.Get("check_name") != "" && ch.name != q.Get("check_name")) || (q.Get("status") != "" && ch.status != q.Get("status")) {
				continue
			}
			checks = append(checks, ch)
		}
	}
	sort.SliceStable(checks, func(i, j int) bool { return checks[i].id > checks[j].id })
	lo, hi := c.paginate(len(checks))
	items := []any{}
	for _, ch := range checks[lo:hi] {
		items = append(items, c.checkRunJSON(rs, ch))
	}
	c.ok(map[string]any{"total_count": len(checks), "check_runs": items})
}
