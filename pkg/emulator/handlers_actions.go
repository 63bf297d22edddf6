package emulator

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

func (c *call) workflowOf(rs *repoState, id int64) Workflow {
	if w := rs.workflow(id); w != nil {
		return *w
	}
	return Workflow{ID: id, Name: fmt.Sprintf("workflow %d", id), Path: fmt.Sprintf(".github/workflows/workflow-%d.yml", id)}
}

// attemptOutcome derives status and conclusion of one attempt from its jobs.
func attemptOutcome(run *Run, attempt int) (status, conclusion string) {
	if attempt == run.RunAttempt {
		return run.Status, run.Conclusion
	}
	status, conclusion = "completed", "success"
	seen := false
	for _, j := range run.Jobs {
		if j.RunAttempt != attempt {
			continue
		}
		seen = true
		switch j.Conclusion {
		case "failure", "timed_out", "startup_failure":
			conclusion = "failure"
		case "cancelled":
			if conclusion == "success" {
				conclusion = "cancelled"
			}
		}
	}
	if !seen {
		return run.Status, run.Conclusion
	}
	return status, conclusion
}

func (c *call) runJSON(rs *repoState, run *Run, attempt int) map[string]any {
	api := c.repoAPI(rs) + "/actions/runs/" + strconv.FormatInt(run.ID, 10)
	wf := c.workflowOf(rs, run.WorkflowID)
	status, conclusion := attemptOutcome(run, attempt)
	var prev any
	if attempt > 1 {
		prev = api + "/attempts/" + strconv.Itoa(attempt-1)
	}
	started := run.CreatedAt
	if attempt > 1 {
		first := true
		for _, j := range run.Jobs {
			if j.RunAttempt == attempt && !j.StartedAt.IsZero() && (first || j.StartedAt.Before(started)) {
				started, first = j.StartedAt, false
			}
		}
	}
	actor := run.Actor
	if actor == "" {
		actor = rs.fx.Owner
	}
	title := run.DisplayTitle
	if title == "" {
		title = wf.Name
	}
	name := actor
	csID := stableID(fmt.Sprintf("%s#suite#%d", rs.fx.FullName(), run.ID), 1_000_000_000)
	prs := []any{}
	if strings.HasPrefix(run.Event, "pull_request") {
		for _, is := range rs.issues {
			if is.pull != nil && is.pull.head.Ref == run.HeadBranch {
				prs = append(prs, map[string]any{"url": c.repoAPI(rs) + "/pulls/" + strconv.Itoa(is.number), "id": is.id + 1,
					"number": is.number, "head": c.runPullSide(rs, is.pull.head), "base": c.runPullSide(rs, is.pull.base)})
			}
		}
	}
	repo := c.minimalRepoJSON(rs)
	return map[string]any{
		"id": run.ID, "name": wf.Name, "node_id": nodeID("WorkflowRun", run.ID), "check_suite_id": csID,
		"check_suite_node_id": nodeID("CheckSuite", csID), "head_branch": nullIfEmpty(run.HeadBranch),
		"head_sha": run.HeadSHA, "path": wf.Path, "run_number": run.RunNumber, "event": run.Event,
		"display_title": title, "status": nullIfEmpty(status), "conclusion": nullIfEmpty(conclusion),
		"workflow_id": run.WorkflowID, "url": api,
		"html_url":      repoHTML(rs) + "/actions/runs/" + strconv.FormatInt(run.ID, 10),
		"pull_requests": prs, "created_at": ts(run.CreatedAt), "updated_at": ts(run.UpdatedAt),
		"actor": c.userJSON(actor), "run_attempt": attempt, "referenced_workflows": []any{},
		"run_started_at": ts(started), "triggering_actor": c.userJSON(actor),
		"jobs_url": api + "/jobs", "logs_url": api + "/logs", "check_suite_url": c.repoAPI(rs) + "/check-suites/" + strconv.FormatInt(csID, 10),
		"artifacts_url": api + "/artifacts", "cancel_url": api + "/cancel", "rerun_url": api + "/rerun",
		"previous_attempt_url": prev, "workflow_url": c.repoAPI(rs) + "/actions/workflows/" + strconv.FormatInt(run.WorkflowID, 10),
		"head_commit": map[string]any{
			"id": run.HeadSHA, "tree_id": fakeSHA(run.HeadSHA + "^{tree}"), "message": title, "timestamp": ts(run.CreatedAt),
			"author":    map[string]any{"name": name, "email": name + "@users.noreply.github.com"},
			"committer": map[string]any{"name": "GitHub", "email": "noreply@github.com"},
		},
		"repository": repo, "head_repository": repo, "head_repository_id": rs.id,
	}
}

// runPullSide is the head or base of a pull request in a run's
// pull_requests: ref, sha and a three-field repository.
func (c *call) runPullSide(rs *repoState, side Ref) map[string]any {
	repoName := side.Repo
	if repoName == "" {
		repoName = rs.fx.FullName()
	}
	target := c.foreignRepo(repoName)
	return map[string]any{"ref": side.Ref, "sha": c.sideSHA(rs, side),
		"repo": map[string]any{"id": target.id, "url": c.repoAPI(target), "name": target.fx.Name}}
}

func (c *call) jobJSON(rs *repoState, run *Run, j *Job) map[string]any {
	wf := c.workflowOf(rs, run.WorkflowID)
	api := c.repoAPI(rs) + "/actions/jobs/" + strconv.FormatInt(j.ID, 10)
	started := j.StartedAt
	if started.IsZero() {
		started = run.CreatedAt
	}
	completed := j.CompletedAt
	if completed.IsZero() && j.Status == "completed" {
		completed = started
	}
	steps := []any{}
	n := len(j.Steps)
	for i, st := range j.Steps {
		var sStart, sEnd any
		status := "completed"
		conclusion := nullIfEmpty(st.Conclusion)
		if j.Status != "completed" && st.Conclusion == "" {
			status = "queued"
		}
		if !completed.IsZero() {
			span := completed.Sub(started)
			sStart = ts(started.Add(span * time.Duration(i) / time.Duration(n)))
			sEnd = ts(started.Add(span * time.Duration(i+1) / time.Duration(n)))
		}
		steps = append(steps, map[string]any{"name": st.Name, "status": status, "conclusion": conclusion,
			"number": i + 1, "started_at": sStart, "completed_at": sEnd})
	}
	var runnerID, runnerName, groupID, groupName any
	if j.Status != "queued" {
		runnerID, runnerName, groupID, groupName = 1, "GitHub Actions 1", 1, "GitHub Actions"
	}
	return map[string]any{
		"id": j.ID, "run_id": run.ID, "run_url": c.repoAPI(rs) + "/actions/runs/" + strconv.FormatInt(run.ID, 10),
		"run_attempt": j.RunAttempt, "node_id": nodeID("CheckRun", j.ID), "head_sha": run.HeadSHA, "url": api,
		"html_url": fmt.Sprintf("%s/actions/runs/%d/job/%d", repoHTML(rs), run.ID, j.ID),
		"status":   j.Status, "conclusion": nullIfEmpty(j.Conclusion), "created_at": ts(run.CreatedAt),
		"started_at": ts(started), "completed_at": ts(completed), "name": j.Name, "steps": steps,
		"check_run_url": c.repoAPI(rs) + "/check-runs/" + strconv.FormatInt(j.ID, 10),
		"labels":        []any{"ubuntu-latest"}, "runner_id": runnerID, "runner_name": runnerName,
		"runner_group_id": groupID, "runner_group_name": groupName, "workflow_name": wf.Name,
		"head_branch": nullIfEmpty(run.HeadBranch),
	}
}

func (c *call) artifactJSON(rs *repoState, run *Run, a Artifact) map[string]any {
	api := c.repoAPI(rs) + "/actions/artifacts/" + strconv.FormatInt(a.ID, 10)
	created := a.CreatedAt
	if created.IsZero() {
		created = run.UpdatedAt
	}
	expired := a.Expired || (!created.IsZero() && c.now.After(created.Add(90*24*time.Hour)))
	return map[string]any{
		"id": a.ID, "node_id": nodeID("Artifact", a.ID), "name": a.Name, "size_in_bytes": a.SizeBytes, "url": api,
		"archive_download_url": api + "/zip", "expired": expired, "created_at": ts(created),
		"expires_at": ts(created.Add(90 * 24 * time.Hour)), "updated_at": ts(created),
		"digest": "sha256:" + fakeSHA(fmt.Sprint(a.ID)) + fakeSHA(a.Name)[:24],
		"workflow_run": map[string]any{"id": run.ID, "repository_id": rs.id, "head_repository_id": rs.id,
			"head_branch": run.HeadBranch, "head_sha": run.HeadSHA},
	}
}

func (c *call) workflowJSON(rs *repoState, w Workflow) map[string]any {
	state := w.State
	if state == "" {
		state = "active"
	}
	return map[string]any{
		"id": w.ID, "node_id": nodeID("Workflow", w.ID), "name": w.Name, "path": w.Path, "state": state,
		"created_at": ts(rs.fx.CreatedAt), "updated_at": ts(rs.fx.CreatedAt),
		"url":       c.repoAPI(rs) + "/actions/workflows/" + strconv.FormatInt(w.ID, 10),
		"html_url":  repoHTML(rs) + "/blob/" + rs.fx.DefaultBranch + "/" + w.Path,
		"badge_url": repoHTML(rs) + "/workflows/" + url.PathEscape(w.Name) + "/badge.svg",
	}
}

var runStatuses = map[string]bool{"completed": true, "in_progress": true, "queued": true, "requested": true, "waiting": true, "pending": true}
var runConclusions = map[string]bool{"action_required": true, "cancelled": true, "failure": true, "neutral": true, "skipped": true, "stale": true, "success": true, "timed_out": true, "startup_failure": true}

func (s *Server) listRuns(c *call) {
	q := c.r.URL.Query()
	var wf *Workflow
	if key := c.r.PathValue("workflow_id"); key != "" {
		if wf = c.repo.workflowByKey(key); wf == nil {
			c.notFound()
			return
		}
	}
	status := q.Get("status")
	if status != "" && !runStatuses[status] && !runConclusions[status] {
		c.validation("Validation Failed", ValidationError{Resource: "WorkflowRun", Field: "status", Code: "invalid",
			Message: fmt.Sprintf("status %q is not one of completed, action_required, cancelled, failure, neutral, skipped, stale, success, timed_out, in_progress, queued, requested, waiting, pending", status)})
		return
	}
	var created func(time.Time) bool
	if v := q.Get("created"); v != "" {
		pred, err := parseDateRange(v)
		if err != nil {
			c.validation("Validation Failed", ValidationError{Resource: "WorkflowRun", Field: "created", Code: "invalid", Message: err.Error()})
			return
		}
		created = pred
	}
	var runs []*Run
	for _, r := range c.repo.runs {
		switch {
		case wf != nil && r.WorkflowID != wf.ID,
			q.Get("branch") != "" && r.HeadBranch != q.Get("branch"),
			q.Get("event") != "" && r.Event != q.Get("event"),
			q.Get("actor") != "" && !strings.EqualFold(r.Actor, q.Get("actor")),
			q.Get("head_sha") != "" && r.HeadSHA != q.Get("head_sha"),
			status != "" && runStatuses[status] && r.Status != status,
			status != "" && !runStatuses[status] && r.Conclusion != status,
			created != nil && !created(r.CreatedAt):
			continue
		}
		runs = append(runs, r)
	}
	sort.SliceStable(runs, func(i, j int) bool {
		if !runs[i].CreatedAt.Equal(runs[j].CreatedAt) {
			return runs[i].CreatedAt.After(runs[j].CreatedAt)
		}
		return runs[i].ID > runs[j].ID
	})
	lo, hi := c.paginate(len(runs))
	exclude := q.Get("exclude_pull_requests") == "true"
	items := make([]any, 0, hi-lo)
	for _, r := range runs[lo:hi] {
		items = append(items, c.encodedRun(c.repo, r, r.RunAttempt, exclude))
	}
	c.ok(map[string]any{"total_count": len(runs), "workflow_runs": items})
}

func (c *call) runParam() *Run {
	id, ok := c.intParam("run_id")
	if !ok {
		return nil
	}
	run := c.repo.run(id)
	if run == nil {
		c.notFound()
	}
	return run
}

// encodedRun is runJSON, encoded once per state version (see
// encodedCache): a run changes only through writes, and pages of runs are
// what the actions read most.
func (c *call) encodedRun(rs *repoState, run *Run, attempt int, excludePRs bool) any {
	kind := "run"
	if excludePRs {
		kind = "run-without-prs"
	}
	name := rs.fx.FullName() + "#" + strconv.FormatInt(run.ID, 10) + "#" + strconv.Itoa(attempt)
	return c.encoded(encodedKey{kind: kind, api: c.api, name: name, push: c.canPush()}, func() any {
		m := c.runJSON(rs, run, attempt)
		if excludePRs {
			m["pull_requests"] = []any{}
		}
		return m
	})
}

func (s *Server) getRun(c *call) {
	if run := c.runParam(); run != nil {
		c.ok(c.encodedRun(c.repo, run, run.RunAttempt, false))
	}
}

func (s *Server) getRunAttempt(c *call) {
	run := c.runParam()
	if run == nil {
		return
	}
	n, ok := c.intParam("attempt_number")
	if !ok {
		return
	}
	if int(n) > run.RunAttempt {
		c.notFound()
		return
	}
	c.ok(c.runJSON(c.repo, run, int(n)))
}

func (s *Server) listRunJobs(c *call) {
	run := c.runParam()
	if run == nil {
		return
	}
	attempt := 0
	if c.r.PathValue("attempt_number") != "" {
		n, ok := c.intParam("attempt_number")
		if !ok {
			return
		}
		if int(n) > run.RunAttempt {
			c.notFound()
			return
		}
		attempt = int(n)
	}
	filter := c.r.URL.Query().Get("filter")
	if filter == "" {
		filter = "latest"
	}
	if filter != "latest" && filter != "all" {
		c.validation("Validation Failed", ValidationError{Resource: "Job", Field: "filter", Code: "invalid", Message: "filter must be one of: latest, all"})
		return
	}
	var jobs []*Job
	for i := range run.Jobs {
		j := &run.Jobs[i]
		switch {
		case attempt > 0 && j.RunAttempt != attempt,
			attempt == 0 && filter == "latest" && j.RunAttempt != run.RunAttempt:
			continue
		}
		jobs = append(jobs, j)
	}
	items := c.page(len(jobs), func(i int) any { return c.jobJSON(c.repo, run, jobs[i]) })
	c.ok(map[string]any{"total_count": len(jobs), "jobs": items})
}

func (c *call) jobParam() (*Run, *Job) {
	id, ok := c.intParam("job_id")
	if !ok {
		return nil, nil
	}
	run, job := c.repo.job(id)
	if job == nil {
		c.notFound()
	}
	return run, job
}

func (s *Server) getJob(c *call) {
	if run, job := c.jobParam(); job != nil {
		c.ok(c.jobJSON(c.repo, run, job))
	}
}

// downloadURL is a signed, token-free URL on this server.
func (c *call) downloadURL(path string) string {
	return requestScheme(c.r) + "://" + c.r.Host + path + "?sig=" + c.s.sign(path)
}

func (s *Server) getJobLogs(c *call) {
	_, job := c.jobParam()
	if job == nil {
		return
	}
	c.out.header.Set("Location", c.downloadURL(fmt.Sprintf("%sdownload/jobs/%s/%d", controlPrefix, c.repo.fx.FullName(), job.ID)))
	c.out.status = http.StatusFound
}

func (s *Server) getRunLogs(c *call) {
	run := c.runParam()
	if run == nil {
		return
	}
	c.out.header.Set("Location", c.downloadURL(fmt.Sprintf("%sdownload/runs/%s/%d", controlPrefix, c.repo.fx.FullName(), run.ID)))
	c.out.status = http.StatusFound
}

// serveDownload serves signed log and raw-content URLs (no token needed,
// like GitHub's signed blob URLs). The body is picked under the lock and
// written after it is released, so a large log streams without holding
// up other requests.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	fail := func(code int) {
		http.Error(w, http.StatusText(code), code)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		fail(http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Query().Get("sig") != s.sign(path) {
		fail(http.StatusForbidden)
		return
	}
	contentType, body, status := s.download(strings.TrimPrefix(path, controlPrefix+"download/"))
	if status != http.StatusOK {
		fail(status)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, body)
}

// download returns the body of a signed download path
// ("jobs/{o}/{r}/{id}", "runs/{o}/{r}/{id}", "raw/{o}/{r}/{path}").
func (s *Server) download(rel string) (contentType, body string, status int) {
	parts := strings.SplitN(rel, "/", 4)
	if len(parts) < 4 {
		return "", "", http.StatusNotFound
	}
	kind, owner, name, rest := parts[0], parts[1], parts[2], parts[3]
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.st.repo(owner, name)
	if rs == nil {
		return "", "", http.StatusNotFound
	}
	switch kind {
	case "jobs":
		id, _ := strconv.ParseInt(rest, 10, 64)
		_, job := rs.job(id)
		if job == nil {
			return "", "", http.StatusNotFound
		}
		return "text/plain; charset=utf-8", job.Log, http.StatusOK
	case "runs":
		id, _ := strconv.ParseInt(rest, 10, 64)
		run := rs.run(id)
		if run == nil {
			return "", "", http.StatusNotFound
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i, j := range run.Jobs {
			if j.RunAttempt != run.RunAttempt {
				continue
			}
			f, err := zw.Create(fmt.Sprintf("%d_%s.txt", i, strings.ReplaceAll(j.Name, "/", "_")))
			if err == nil {
				_, _ = f.Write([]byte(j.Log))
			}
		}
		_ = zw.Close()
		return "application/zip", buf.String(), http.StatusOK
	case "raw":
		sha, path, _ := strings.Cut(rest, "/")
		text, ok := rs.fileAt(sha, path)
		if !ok {
			return "", "", http.StatusNotFound
		}
		return "text/plain; charset=utf-8", text, http.StatusOK
	}
	return "", "", http.StatusNotFound
}

func (s *Server) listRunArtifacts(c *call) {
	run := c.runParam()
	if run == nil {
		return
	}
	c.artifactList([]*Run{run})
}

func (s *Server) listArtifacts(c *call) { c.artifactList(c.repo.runs) }

func (c *call) artifactList(runs []*Run) {
	type item struct {
		run *Run
		a   Artifact
	}
	name := c.r.URL.Query().Get("name")
	var items []item
	for _, r := range runs {
		for _, a := range r.Artifacts {
			if name == "" || a.Name == name {
				items = append(items, item{r, a})
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].a.ID > items[j].a.ID })
	out := c.page(len(items), func(i int) any { return c.artifactJSON(c.repo, items[i].run, items[i].a) })
	c.ok(map[string]any{"total_count": len(items), "artifacts": out})
}

func (s *Server) listWorkflows(c *call) {
	out := c.page(len(c.repo.workflows), func(i int) any { return c.workflowJSON(c.repo, c.repo.workflows[i]) })
	c.ok(map[string]any{"total_count": len(c.repo.workflows), "workflows": out})
}

func (s *Server) getWorkflow(c *call) {
	w := c.repo.workflowByKey(c.r.PathValue("workflow_id"))
	if w == nil {
		c.notFound()
		return
	}
	c.ok(c.workflowJSON(c.repo, *w))
}

func (s *Server) workflowDispatch(c *call) {
	rs := c.repo
	wf := rs.workflowByKey(c.r.PathValue("workflow_id"))
	if wf == nil {
		c.notFound()
		return
	}
	var body struct {
		Ref              *string         `json:"ref"`
		RawInputs        json.RawMessage `json:"inputs"`
		Inputs           map[string]any  `json:"-"`
		ReturnRunDetails bool            `json:"return_run_details"`
	}
	if !c.decode(&body) {
		return
	}
	inputNames, err := objectKeys(body.RawInputs)
	if err == nil && len(body.RawInputs) > 0 && string(body.RawInputs) != "null" {
		err = json.Unmarshal(body.RawInputs, &body.Inputs)
	}
	if err != nil {
		c.validation("Invalid request.\n\nFor 'properties/inputs', "+string(body.RawInputs)+" is not an object.",
			ValidationError{Resource: "Workflow", Field: "inputs", Code: "invalid"})
		return
	}
	if body.Ref == nil || *body.Ref == "" {
		c.validation("Invalid request.\n\n\"ref\" wasn't supplied.", ValidationError{Resource: "Workflow", Field: "ref", Code: "missing_field"})
		return
	}
	if len(body.Inputs) > 25 {
		c.validation(fmt.Sprintf("Invalid request.\n\nNo more than 25 properties are allowed; %d were supplied.", len(body.Inputs)),
			ValidationError{Resource: "Workflow", Field: "inputs", Code: "invalid"})
		return
	}
	ref := *body.Ref
	branch := strings.TrimPrefix(ref, "refs/heads/")
	var sha string
	if b := rs.branch(branch); b != nil {
		sha = rs.completeCommit(b.Commit, b.Name).SHA
	} else {
		tag := strings.TrimPrefix(ref, "refs/tags/")
		for _, t := range rs.tags {
			if t.Name == tag {
				sha, branch = t.SHA, tag
			}
		}
	}
	if sha == "" {
		c.validation("No ref found for: "+ref, ValidationError{Resource: "Workflow", Field: "ref", Code: "invalid", Message: "No ref found for: " + ref})
		return
	}
	if strings.HasPrefix(wf.State, "disabled") {
		c.validation("Cannot trigger a 'workflow_dispatch' on a disabled workflow", ValidationError{Resource: "Workflow", Code: "custom", Message: "workflow is " + wf.State})
		return
	}
	if text, ok := rs.fileAt(sha, wf.Path); ok {
		trigger, declared, required := dispatchInputs(text)
		if !trigger {
			c.validation("Workflow does not have 'workflow_dispatch' trigger", ValidationError{Resource: "Workflow", Code: "custom", Message: "Workflow does not have 'workflow_dispatch' trigger"})
			return
		}
		var unexpected []string
		for _, name := range inputNames {
			if !declared[name] {
				unexpected = append(unexpected, strconv.Quote(name))
			}
		}
		if len(unexpected) > 0 {
			c.validation("Unexpected inputs provided: [" + strings.Join(unexpected, ", ") + "]")
			return
		}
		for _, name := range required {
			if _, ok := body.Inputs[name]; !ok {
				c.validation("Required input '" + name + "' not provided")
				return
			}
		}
	}
	now := c.now
	run := c.queueRun(rs, wf, "workflow_dispatch", branch, sha)
	inputs := body.Inputs
	if inputs == nil {
		inputs = map[string]any{}
	}
	c.s.st.dispatches = append(c.s.st.dispatches, Dispatch{Kind: "workflow_dispatch", Repo: rs.fx.FullName(), Workflow: wf.Path,
		WorkflowID: wf.ID, Ref: ref, Inputs: inputs, RunID: run.ID, Actor: c.login, Time: now})
	if body.ReturnRunDetails {
		c.ok(map[string]any{"workflow_run_id": run.ID, "run_url": c.repoAPI(rs) + "/actions/runs/" + strconv.FormatInt(run.ID, 10),
			"html_url": repoHTML(rs) + "/actions/runs/" + strconv.FormatInt(run.ID, 10)})
		return
	}
	c.noContent()
}

// objectKeys returns the keys of a JSON object in the order they appear
// (GitHub names unexpected inputs in that order); nil for no value.
func objectKeys(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// dispatchInputs reads a workflow file's workflow_dispatch trigger: whether
// it has one, the inputs it declares and those marked required without a
// default. A file that does not parse has no trigger.
func dispatchInputs(text string) (trigger bool, declared map[string]bool, required []string) {
	var wf map[string]any
	if yaml.Unmarshal([]byte(text), &wf) != nil {
		return false, nil, nil
	}
	declared = map[string]bool{}
	var on any
	for k, v := range wf {
		if k == "on" || k == "true" {
			on = v
		}
	}
	switch on := on.(type) {
	case string:
		return on == "workflow_dispatch", declared, nil
	case []any:
		for _, e := range on {
			if e == "workflow_dispatch" {
				return true, declared, nil
			}
		}
		return false, nil, nil
	case map[string]any:
		wd, ok := on["workflow_dispatch"]
		if !ok {
			return false, nil, nil
		}
		spec, _ := wd.(map[string]any)
		inputs, _ := spec["inputs"].(map[string]any)
		for name, v := range inputs {
			declared[name] = true
			in, _ := v.(map[string]any)
			if req, _ := in["required"].(bool); req {
				if _, hasDefault := in["default"]; !hasDefault {
					required = append(required, name)
				}
			}
		}
		sort.Strings(required)
		return true, declared, required
	}
	return false, nil, nil
}

func (s *Server) repositoryDispatch(c *call) {
	var body struct {
		EventType     *string        `json:"event_type"`
		ClientPayload map[string]any `json:"client_payload"`
	}
	if !c.decode(&body) {
		return
	}
	if body.EventType == nil || *body.EventType == "" {
		c.validation("Invalid request.\n\nFor 'properties/event_type', nil is not a string.", ValidationError{Resource: "Repository", Field: "event_type", Code: "missing_field"})
		return
	}
	if n := len([]rune(*body.EventType)); n > 100 {
		c.validation(fmt.Sprintf("Invalid request.\n\nFor 'properties/event_type', %q is too long (maximum is 100 characters, got %d).", *body.EventType, n),
			ValidationError{Resource: "Repository", Field: "event_type", Code: "invalid"})
		return
	}
	if n := len(body.ClientPayload); n > 10 {
		c.validation(fmt.Sprintf("Invalid request.\n\nNo more than 10 properties are allowed; %d were supplied.", n),
			ValidationError{Resource: "Repository", Field: "client_payload", Code: "invalid"})
		return
	}
	payload := body.ClientPayload
	if payload == nil {
		payload = map[string]any{}
	}
	// A run starts for every workflow of the default branch whose
	// repository_dispatch trigger lists no types or this event type.
	rs := c.repo
	sha := rs.defaultHead()
	for i := range rs.workflows {
		wf := &rs.workflows[i]
		if strings.HasPrefix(wf.State, "disabled") {
			continue
		}
		if text, ok := rs.fileAt(sha, wf.Path); ok && repositoryDispatchTriggers(text, *body.EventType) {
			c.queueRun(rs, wf, "repository_dispatch", rs.fx.DefaultBranch, sha)
		}
	}
	c.s.st.dispatches = append(c.s.st.dispatches, Dispatch{Kind: "repository_dispatch", Repo: c.repo.fx.FullName(),
		EventType: *body.EventType, ClientPayload: payload, Actor: c.login, Time: c.now})
	c.noContent()
}

// queueRun adds a queued run of a workflow, as a dispatch starts one: the
// next run id of the server and the next run number of the workflow.
func (c *call) queueRun(rs *repoState, wf *Workflow, event, branch, sha string) *Run {
	runNumber := 0
	var maxID int64
	for _, other := range c.s.st.repos {
		for _, r := range other.runs {
			maxID = max(maxID, r.ID)
		}
	}
	for _, r := range rs.runs {
		if r.WorkflowID == wf.ID {
			runNumber = max(runNumber, r.RunNumber)
		}
	}
	run := &Run{ID: maxID + 1, WorkflowID: wf.ID, RunNumber: runNumber + 1, RunAttempt: 1, Event: event,
		Status: "queued", HeadBranch: branch, HeadSHA: sha, DisplayTitle: wf.Name, Actor: c.login, CreatedAt: c.now, UpdatedAt: c.now}
	rs.runs = append(rs.runs, run)
	return run
}

// repositoryDispatchTriggers reports whether a workflow file's on: has
// repository_dispatch with no types or with eventType among them.
func repositoryDispatchTriggers(text, eventType string) bool {
	var wf map[string]any
	if yaml.Unmarshal([]byte(text), &wf) != nil {
		return false
	}
	var on any
	for k, v := range wf {
		if k == "on" || k == "true" {
			on = v
		}
	}
	switch on := on.(type) {
	case string:
		return on == "repository_dispatch"
	case []any:
		for _, e := range on {
			if e == "repository_dispatch" {
				return true
			}
		}
	case map[string]any:
		rd, ok := on["repository_dispatch"]
		if !ok {
			return false
		}
		spec, _ := rd.(map[string]any)
		switch types := spec["types"].(type) {
		case nil:
			return true
		case string:
			return types == eventType
		case []any:
			for _, t := range types {
				if t == eventType {
					return true
				}
			}
		}
	}
	return false
}
