package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// issueParam resolves {number}; prs selects which kinds are accepted.
func (c *call) issueParam(wantPull bool) *issueState {
	n, err := strconv.Atoi(c.r.PathValue("number"))
	if err != nil || n <= 0 {
		c.notFound()
		return nil
	}
	is := c.repo.issue(n)
	if is == nil || (wantPull && is.pull == nil) {
		c.notFound()
		return nil
	}
	return is
}

// setState closes or reopens an issue or pull request and records the event.
func (c *call) setState(rs *repoState, is *issueState, state, reason string) {
	if is.state == state {
		if state == "closed" && reason != "" {
			is.stateReason = reason
		}
		return
	}
	now := c.now
	is.state = state
	is.updatedAt = now
	ev := &IssueEvent{ID: c.s.st.newID(), Actor: c.login, CreatedAt: now}
	if state == "closed" {
		if reason == "" {
			reason = "completed"
		}
		if is.pull != nil {
			reason = ""
		}
		is.stateReason, is.closedAt, is.closedBy = reason, &now, c.login
		ev.Event = "closed"
	} else {
		is.stateReason, is.closedAt, is.closedBy = "reopened", nil, ""
		if is.pull != nil {
			is.stateReason = ""
		}
		ev.Event = "reopened"
	}
	is.events = append(is.events, ev)
	action := ev.Event
	if is.pull != nil {
		c.addPullRequestEvent(rs, is, action)
	} else {
		c.addIssuesEvent(rs, is, action)
	}
}

func (c *call) labelEvent(is *issueState, event, label string) {
	is.events = append(is.events, &IssueEvent{ID: c.s.st.newID(), Event: event, Actor: c.login, Label: label, CreatedAt: c.now})
}

func sortDirection(q map[string][]string, sortBy string) bool {
	dir := ""
	if v := q["direction"]; len(v) > 0 {
		dir = v[0]
	}
	switch dir {
	case "asc":
		return true
	case "desc":
		return false
	}
	return false
}

func hasLabel(is *issueState, name string) bool {
	for _, l := range is.labels {
		if strings.EqualFold(l, name) {
			return true
		}
	}
	return false
}

func sortIssues(items []*issueState, sortBy string, asc bool) {
	key := func(is *issueState) int64 {
		switch sortBy {
		case "updated":
			return is.updatedAt.UnixNano()
		case "comments":
			return int64(len(is.comments))
		}
		return is.createdAt.UnixNano()
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := key(items[i]), key(items[j])
		if a == b {
			if asc {
				return items[i].number < items[j].number
			}
			return items[i].number > items[j].number
		}
		if asc {
			return a < b
		}
		return a > b
	})
}

func (s *Server) listIssues(c *call) {
	q := c.r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		c.validation("Validation Failed", ValidationError{Resource: "Issue", Field: "state", Code: "invalid", Message: "state must be one of: open, closed, all"})
		return
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			c.validation("Validation Failed", ValidationError{Resource: "Issue", Field: "since", Code: "invalid", Message: "since must be an ISO 8601 timestamp"})
			return
		}
		since = t
	}
	var labels []string
	if v := q.Get("labels"); v != "" {
		for _, l := range strings.Split(v, ",") {
			if l = strings.TrimSpace(l); l != "" {
				labels = append(labels, l)
			}
		}
	}
	var items []*issueState
	for _, is := range c.repo.issues {
		if state != "all" && is.state != state {
			continue
		}
		if v := q.Get("creator"); v != "" && !strings.EqualFold(is.user, v) {
			continue
		}
		if !since.IsZero() && is.updatedAt.Before(since) {
			continue
		}
		if v := q.Get("assignee"); v != "" {
			switch {
			case v == "none" && len(is.assignees) > 0, v == "*" && len(is.assignees) == 0:
				continue
			case v != "none" && v != "*" && !containsFold(is.assignees, v):
				continue
			}
		}
		if v := q.Get("milestone"); v != "" {
			switch {
			case v == "none" && is.milestone != "", v == "*" && is.milestone == "":
				continue
			case v != "none" && v != "*":
				n, _ := strconv.Atoi(v)
				if n < 1 || n > len(c.repo.milestones) || c.repo.milestones[n-1] != is.milestone {
					continue
				}
			}
		}
		ok := true
		for _, l := range labels {
			ok = ok && hasLabel(is, l)
		}
		if ok {
			items = append(items, is)
		}
	}
	sortBy := q.Get("sort")
	sortIssues(items, sortBy, sortDirection(q, sortBy))
	out := c.page(len(items), func(i int) any { return c.issueJSON(c.repo, items[i]) })
	c.ok(out)
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func (s *Server) getIssue(c *call) {
	if is := c.issueParam(false); is != nil {
		c.ok(c.issueJSON(c.repo, is))
	}
}

// labelNames accepts ["a", {"name": "b"}] as GitHub does.
func labelNames(raw []json.RawMessage) ([]string, bool) {
	var out []string
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		var o struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(r, &o) != nil || o.Name == "" {
			return nil, false
		}
		out = append(out, o.Name)
	}
	return out, true
}

// titleString accepts a string or an integer title.
func titleString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

type issueWrite struct {
	Title       json.RawMessage   `json:"title"`
	Body        *string           `json:"body"`
	State       *string           `json:"state"`
	StateReason *string           `json:"state_reason"`
	Labels      []json.RawMessage `json:"labels"`
	Assignees   []string          `json:"assignees"`
	Assignee    *string           `json:"assignee"`
	Milestone   json.RawMessage   `json:"milestone"`
	labelsSet   bool
	assignSet   bool
}

func (c *call) decodeIssueWrite() (*issueWrite, bool) {
	var raw map[string]json.RawMessage
	if !c.decode(&raw) {
		return nil, false
	}
	b, _ := json.Marshal(raw)
	var w issueWrite
	if err := json.Unmarshal(b, &w); err != nil {
		c.validation("Invalid request.\n\n"+err.Error(), ValidationError{Resource: "Issue", Code: "invalid"})
		return nil, false
	}
	_, w.labelsSet = raw["labels"]
	_, w.assignSet = raw["assignees"]
	return &w, true
}

// milestoneTitle maps a milestone number to its title ("" clears).
func (c *call) milestoneTitle(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	var n int
	if json.Unmarshal(raw, &n) != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		n, _ = strconv.Atoi(s)
	}
	if n < 1 || n > len(c.repo.milestones) {
		return "", false
	}
	return c.repo.milestones[n-1], true
}

func (s *Server) createIssue(c *call) {
	rs := c.repo
	w, ok := c.decodeIssueWrite()
	if !ok {
		return
	}
	title, ok := titleString(w.Title)
	if !ok || strings.TrimSpace(title) == "" {
		c.validation("Validation Failed", ValidationError{Resource: "Issue", Field: "title", Code: "missing_field"})
		return
	}
	labels, ok := labelNames(w.Labels)
	if !ok {
		c.validation("Validation Failed", ValidationError{Resource: "Label", Field: "name", Code: "invalid"})
		return
	}
	milestone, ok := c.milestoneTitle(w.Milestone)
	if !ok {
		c.validation("Validation Failed", ValidationError{Resource: "Issue", Field: "milestone", Code: "invalid"})
		return
	}
	now := c.now
	is := &issueState{number: rs.nextNumber(), title: title, user: c.login, state: "open", milestone: milestone,
		assignees: append([]string(nil), w.Assignees...), createdAt: now, updatedAt: now}
	if w.Assignee != nil && *w.Assignee != "" && !containsFold(is.assignees, *w.Assignee) {
		is.assignees = append(is.assignees, *w.Assignee)
	}
	is.id = stableID(fmt.Sprintf("%s#issue#%d", rs.fx.FullName(), is.number), 1_000_000_000)
	if w.Body != nil {
		is.body = *w.Body
	}
	for _, l := range labels {
		if !hasLabel(is, l) {
			lab := rs.ensureLabel(l)
			is.labels = append(is.labels, lab.Name)
			c.labelEvent(is, "labeled", lab.Name)
		}
	}
	rs.issues = append(rs.issues, is)
	c.addIssuesEvent(rs, is, "opened")
	c.out.header.Set("Location", c.repoAPI(rs)+"/issues/"+strconv.Itoa(is.number))
	c.created(c.issueJSON(rs, is))
}

func (s *Server) updateIssue(c *call) {
	rs := c.repo
	is := c.issueParam(false)
	if is == nil {
		return
	}
	w, ok := c.decodeIssueWrite()
	if !ok {
		return
	}
	if !c.applyIssueWrite(rs, is, w) {
		return
	}
	c.ok(c.issueJSON(rs, is))
}

// applyIssueWrite validates and applies an issue or pull request update.
func (c *call) applyIssueWrite(rs *repoState, is *issueState, w *issueWrite) bool {
	if w.State != nil && *w.State != "open" && *w.State != "closed" {
		c.validation("Validation Failed", ValidationError{Resource: "Issue", Field: "state", Code: "invalid", Message: "state must be one of: open, closed"})
		return false
	}
	reason := ""
	if w.StateReason != nil {
		reason = *w.StateReason
		switch reason {
		case "", "completed", "not_planned", "reopened", "duplicate":
		default:
			c.validation("Validation Failed", ValidationError{Resource: "Issue", Field: "state_reason", Code: "invalid", Message: "state_reason must be one of: completed, not_planned, duplicate, reopened"})
			return false
		}
	}
	var labels []string
	if w.labelsSet {
		var ok bool
		if labels, ok = labelNames(w.Labels); !ok {
			c.validation("Validation Failed", ValidationError{Resource: "Label", Field: "name", Code: "invalid"})
			return false
		}
	}
	milestone := is.milestone
	if len(w.Milestone) > 0 {
		var ok bool
		if milestone, ok = c.milestoneTitle(w.Milestone); !ok {
			c.validation("Validation Failed", ValidationError{Resource: "Issue", Field: "milestone", Code: "invalid"})
			return false
		}
	}
	if len(w.Title) > 0 {
		if t, ok := titleString(w.Title); ok && t != "" {
			is.title = t
		}
	}
	if w.Body != nil {
		is.body = *w.Body
	}
	is.milestone = milestone
	if w.assignSet {
		is.assignees = append([]string(nil), w.Assignees...)
	}
	if w.labelsSet {
		c.replaceLabels(rs, is, labels)
	}
	if w.State != nil {
		c.setState(rs, is, *w.State, reason)
	}
	is.updatedAt = c.now
	return true
}

func (c *call) replaceLabels(rs *repoState, is *issueState, names []string) {
	var keep []string
	for _, l := range is.labels {
		if containsFold(names, l) {
			keep = append(keep, l)
		} else {
			c.labelEvent(is, "unlabeled", l)
		}
	}
	is.labels = keep
	c.addLabels(rs, is, names)
}

func (c *call) addLabels(rs *repoState, is *issueState, names []string) {
	for _, n := range names {
		if hasLabel(is, n) {
			continue
		}
		lab := rs.ensureLabel(n)
		is.labels = append(is.labels, lab.Name)
		c.labelEvent(is, "labeled", lab.Name)
	}
	is.updatedAt = c.now
}

func (s *Server) listComments(c *call) {
	is := c.issueParam(false)
	if is == nil {
		return
	}
	var since time.Time
	if v := c.r.URL.Query().Get("since"); v != "" {
		since, _ = time.Parse(time.RFC3339, v)
	}
	var cms []*Comment
	for _, cm := range is.comments {
		if since.IsZero() || !cm.UpdatedAt.Before(since) {
			cms = append(cms, cm)
		}
	}
	out := c.page(len(cms), func(i int) any { return c.commentJSON(c.repo, is, cms[i]) })
	c.ok(out)
}

func (s *Server) createComment(c *call) {
	is := c.issueParam(false)
	if is == nil {
		return
	}
	var body struct {
		Body *string `json:"body"`
	}
	if !c.decode(&body) {
		return
	}
	if body.Body == nil || *body.Body == "" {
		c.validation("Validation Failed", ValidationError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
		return
	}
	now := c.now
	cm := &Comment{ID: c.s.st.newID(), User: c.login, Body: *body.Body, CreatedAt: now, UpdatedAt: now}
	is.comments = append(is.comments, cm)
	is.updatedAt = now
	c.addEvent(c.repo, "IssueCommentEvent", map[string]any{"action": "created", "issue": c.issueJSON(c.repo, is), "comment": c.commentJSON(c.repo, is, cm)})
	c.out.header.Set("Location", c.repoAPI(c.repo)+"/issues/comments/"+strconv.FormatInt(cm.ID, 10))
	c.created(c.commentJSON(c.repo, is, cm))
}

// commentParam resolves /issues/comments/{sub}.
func (c *call) commentParam() (*issueState, *Comment, int) {
	if c.r.PathValue("number") != "comments" {
		c.notFound()
		return nil, nil, -1
	}
	id, err := strconv.ParseInt(c.r.PathValue("sub"), 10, 64)
	if err != nil {
		c.notFound()
		return nil, nil, -1
	}
	is, cm, i := c.repo.comment(id)
	if cm == nil {
		c.notFound()
	}
	return is, cm, i
}

func (s *Server) getComment(c *call) {
	if is, cm, _ := c.commentParam(); cm != nil {
		c.ok(c.commentJSON(c.repo, is, cm))
	}
}

func (s *Server) updateComment(c *call) {
	is, cm, _ := c.commentParam()
	if cm == nil {
		return
	}
	var body struct {
		Body *string `json:"body"`
	}
	if !c.decode(&body) {
		return
	}
	if body.Body == nil || *body.Body == "" {
		c.validation("Validation Failed", ValidationError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
		return
	}
	cm.Body = *body.Body
	cm.UpdatedAt = c.now
	c.ok(c.commentJSON(c.repo, is, cm))
}

func (s *Server) deleteComment(c *call) {
	is, cm, i := c.commentParam()
	if cm == nil {
		return
	}
	is.comments = append(is.comments[:i], is.comments[i+1:]...)
	c.noContent()
}

func (s *Server) listIssueEvents(c *call) {
	is := c.issueParam(false)
	if is == nil {
		return
	}
	evs := append([]*IssueEvent(nil), is.events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].CreatedAt.Before(evs[j].CreatedAt) })
	out := c.page(len(evs), func(i int) any { return c.issueEventJSON(c.repo, is, evs[i]) })
	c.ok(out)
}

// listRepoIssueEvents answers GET …/issues/events: the events of every
// issue and pull request of the repository, newest first, each with its
// issue. (The description declares only per_page and page for it.)
// https://docs.github.com/rest/issues/events#list-issue-events-for-a-repository
func (s *Server) listRepoIssueEvents(c *call) {
	type item struct {
		is *issueState
		e  *IssueEvent
	}
	var items []item
	for _, is := range c.repo.issues {
		for _, e := range is.events {
			items = append(items, item{is, e})
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].e, items[j].e
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.ID > b.ID
	})
	out := c.page(len(items), func(i int) any {
		m := c.issueEventJSON(c.repo, items[i].is, items[i].e)
		m["issue"] = c.issueJSON(c.repo, items[i].is)
		return m
	})
	c.ok(out)
}

// listRepoComments answers GET …/issues/comments: the comments of every
// issue and pull request, by sort (created, default, or updated) in
// direction (asc by default), those updated at or after since.
// https://docs.github.com/rest/issues/comments#list-issue-comments-for-a-repository
func (s *Server) listRepoComments(c *call) {
	q := c.r.URL.Query()
	sortBy := q.Get("sort")
	if sortBy == "" {
		sortBy = "created"
	}
	if sortBy != "created" && sortBy != "updated" {
		c.validation("Validation Failed", ValidationError{Resource: "IssueComment", Field: "sort", Code: "invalid", Message: "sort must be one of: created, updated"})
		return
	}
	dir := q.Get("direction")
	if dir != "" && dir != "asc" && dir != "desc" {
		c.validation("Validation Failed", ValidationError{Resource: "IssueComment", Field: "direction", Code: "invalid", Message: "direction must be one of: asc, desc"})
		return
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			c.validation("Validation Failed", ValidationError{Resource: "IssueComment", Field: "since", Code: "invalid", Message: "since must be an ISO 8601 timestamp"})
			return
		}
		since = t
	}
	type item struct {
		is *issueState
		cm *Comment
	}
	var items []item
	for _, is := range c.repo.issues {
		for _, cm := range is.comments {
			if since.IsZero() || !cm.UpdatedAt.Before(since) {
				items = append(items, item{is, cm})
			}
		}
	}
	key := func(it item) time.Time {
		if sortBy == "updated" {
			return it.cm.UpdatedAt
		}
		return it.cm.CreatedAt
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := key(items[i]), key(items[j])
		if a.Equal(b) {
			a, b = time.Unix(0, items[i].cm.ID), time.Unix(0, items[j].cm.ID)
		}
		if dir == "desc" {
			return a.After(b)
		}
		return a.Before(b)
	})
	out := c.page(len(items), func(i int) any { return c.commentJSON(c.repo, items[i].is, items[i].cm) })
	c.ok(out)
}

func (s *Server) listTimeline(c *call) {
	is := c.issueParam(false)
	if is == nil {
		return
	}
	type item struct {
		at time.Time
		v  map[string]any
	}
	var items []item
	for _, e := range is.events {
		items = append(items, item{e.CreatedAt, c.issueEventJSON(c.repo, is, e)})
	}
	for _, cm := range is.comments {
		m := c.commentJSON(c.repo, is, cm)
		m["event"] = "commented"
		m["actor"] = c.userJSON(cm.User)
		items = append(items, item{cm.CreatedAt, m})
	}
	if is.pull != nil {
		for _, rv := range is.pull.reviews {
			m := c.reviewJSON(c.repo, is, rv)
			m["event"] = "reviewed"
			items = append(items, item{rv.SubmittedAt, m})
		}
		for _, cm := range c.pullCommits(c.repo, is) {
			_, date, _ := commitIdentity(c.repo, cm)
			items = append(items, item{date, c.timelineCommitJSON(c.repo, cm)})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at.Before(items[j].at) })
	out := c.page(len(items), func(i int) any { return items[i].v })
	c.ok(out)
}

func (c *call) issueLabelsJSON(is *issueState) []any { return c.labelsJSON(c.repo, is.labels) }

func (s *Server) listIssueLabels(c *call) {
	if is := c.issueParam(false); is != nil {
		labels := c.issueLabelsJSON(is)
		lo, hi := c.paginate(len(labels))
		c.ok(labels[lo:hi])
	}
}

// decodeLabelList reads {"labels": [...]} or a bare array.
func (c *call) decodeLabelList() ([]string, bool) {
	var raw json.RawMessage
	if !c.decode(&raw) {
		return nil, false
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		var obj struct {
			Labels []json.RawMessage `json:"labels"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			c.errorBody(http.StatusBadRequest, "Body should be a JSON object")
			return nil, false
		}
		list = obj.Labels
	}
	names, ok := labelNames(list)
	if !ok {
		c.validation("Validation Failed", ValidationError{Resource: "Label", Field: "name", Code: "invalid"})
		return nil, false
	}
	return names, true
}

func (s *Server) addIssueLabels(c *call) {
	is := c.issueParam(false)
	if is == nil {
		return
	}
	names, ok := c.decodeLabelList()
	if !ok {
		return
	}
	if len(names) == 0 {
		c.validation("Invalid request.\n\nNo labels were supplied.", ValidationError{Resource: "Label", Field: "labels", Code: "missing_field"})
		return
	}
	c.addLabels(c.repo, is, names)
	c.ok(c.issueLabelsJSON(is))
}

func (s *Server) setIssueLabels(c *call) {
	is := c.issueParam(false)
	if is == nil {
		return
	}
	names, ok := c.decodeLabelList()
	if !ok {
		return
	}
	c.replaceLabels(c.repo, is, names)
	c.ok(c.issueLabelsJSON(is))
}

func (s *Server) clearIssueLabels(c *call) {
	is := c.issueParam(false)
	if is == nil {
		return
	}
	c.replaceLabels(c.repo, is, nil)
	c.noContent()
}

func (s *Server) removeIssueLabel(c *call) {
	is := c.issueParam(false)
	if is == nil {
		return
	}
	name := c.r.PathValue("name")
	if !hasLabel(is, name) {
		c.errorBody(http.StatusNotFound, "Label does not exist")
		return
	}
	var keep []string
	for _, l := range is.labels {
		if strings.EqualFold(l, name) {
			c.labelEvent(is, "unlabeled", l)
			continue
		}
		keep = append(keep, l)
	}
	is.labels = keep
	is.updatedAt = c.now
	c.ok(c.issueLabelsJSON(is))
}

func (s *Server) listLabels(c *call) {
	out := c.page(len(c.repo.labels), func(i int) any { return c.labelJSON(c.repo, c.repo.labels[i]) })
	c.ok(out)
}

func (s *Server) getLabel(c *call) {
	l := c.repo.label(c.r.PathValue("name"))
	if l == nil {
		c.notFound()
		return
	}
	c.ok(c.labelJSON(c.repo, l))
}

var colorRE = regexp.MustCompile(`^[0-9a-fA-F]{6}$`)

func (s *Server) createLabel(c *call) {
	var body struct {
		Name        string `json:"name"`
		Color       string `json:"color"`
		Description string `json:"description"`
	}
	if !c.decode(&body) {
		return
	}
	if strings.TrimSpace(body.Name) == "" {
		c.validation("Validation Failed", ValidationError{Resource: "Label", Field: "name", Code: "missing_field"})
		return
	}
	body.Color = strings.TrimPrefix(body.Color, "#")
	if body.Color == "" {
		body.Color = "ededed"
	}
	if !colorRE.MatchString(body.Color) {
		c.validation("Validation Failed", ValidationError{Resource: "Label", Field: "color", Code: "invalid"})
		return
	}
	if len([]rune(body.Description)) > 100 {
		c.validation("Validation Failed", ValidationError{Resource: "Label", Field: "description", Code: "invalid", Message: "description is too long (maximum is 100 characters)"})
		return
	}
	if c.repo.label(body.Name) != nil {
		c.validation("Validation Failed", ValidationError{Resource: "Label", Field: "name", Code: "already_exists"})
		return
	}
	l := c.repo.ensureLabel(body.Name)
	l.Color, l.Description = strings.ToLower(body.Color), body.Description
	c.out.header.Set("Location", c.labelJSON(c.repo, l)["url"].(string))
	c.created(c.labelJSON(c.repo, l))
}

func (s *Server) deleteLabel(c *call) {
	rs := c.repo
	l := rs.label(c.r.PathValue("name"))
	if l == nil {
		c.notFound()
		return
	}
	for i, x := range rs.labels {
		if x == l {
			rs.labels = append(rs.labels[:i], rs.labels[i+1:]...)
			break
		}
	}
	for _, is := range rs.issues {
		var keep []string
		for _, n := range is.labels {
			if !strings.EqualFold(n, l.Name) {
				keep = append(keep, n)
			}
		}
		is.labels = keep
	}
	c.noContent()
}

// Pull requests.

func (s *Server) listPulls(c *call) {
	rs := c.repo
	q := c.r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Field: "state", Code: "invalid", Message: "state must be one of: open, closed, all"})
		return
	}
	sortBy := q.Get("sort")
	switch sortBy {
	case "", "created", "updated", "popularity", "long-running":
	default:
		c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Field: "sort", Code: "invalid", Message: "sort must be one of: created, updated, popularity, long-running"})
		return
	}
	asc := sortBy != "" && sortBy != "created"
	switch q.Get("direction") {
	case "asc":
		asc = true
	case "desc":
		asc = false
	}
	headOwner, headRef := "", ""
	if h := q.Get("head"); h != "" {
		if o, r, ok := strings.Cut(h, ":"); ok {
			headOwner, headRef = o, r
		} else {
			headOwner = h
		}
	}
	var items []*issueState
	for _, is := range rs.issues {
		if is.pull == nil || (state != "all" && is.state != state) {
			continue
		}
		if headOwner != "" {
			repo := is.pull.head.Repo
			if repo == "" {
				repo = rs.fx.FullName()
			}
			owner, _, _ := strings.Cut(repo, "/")
			if !strings.EqualFold(owner, headOwner) || (headRef != "" && is.pull.head.Ref != headRef) {
				continue
			}
		}
		if b := q.Get("base"); b != "" && is.pull.base.Ref != b {
			continue
		}
		items = append(items, is)
	}
	key := "created"
	switch sortBy {
	case "updated":
		key = "updated"
	case "popularity":
		key = "comments"
	}
	if sortBy == "long-running" {
		// Oldest open first: GitHub ranks by age among PRs open for over a month.
		key = "created"
	}
	sortIssues(items, key, asc)
	out := c.page(len(items), func(i int) any { return c.pullJSON(rs, items[i], false) })
	c.ok(out)
}

func (s *Server) getPull(c *call) {
	if is := c.issueParam(true); is != nil {
		c.ok(c.pullJSON(c.repo, is, true))
	}
}

func (s *Server) updatePull(c *call) {
	is := c.issueParam(true)
	if is == nil {
		return
	}
	var raw map[string]json.RawMessage
	if !c.decode(&raw) {
		return
	}
	w := &issueWrite{}
	b, _ := json.Marshal(map[string]json.RawMessage{"title": raw["title"], "body": raw["body"], "state": raw["state"]})
	if err := json.Unmarshal(b, w); err != nil {
		c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Code: "invalid", Message: err.Error()})
		return
	}
	if w.State != nil && *w.State == "open" && is.pull.merged {
		c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Field: "state", Code: "custom", Message: "cannot reopen a merged pull request"})
		return
	}
	if !c.applyIssueWrite(c.repo, is, w) {
		return
	}
	c.ok(c.pullJSON(c.repo, is, true))
}

func (s *Server) listPullCommits(c *call) {
	is := c.issueParam(true)
	if is == nil {
		return
	}
	commits := c.pullCommits(c.repo, is)
	lo, hi := c.paginate(len(commits))
	out := []any{}
	for _, cm := range commits[lo:hi] {
		m := c.commitJSON(c.repo, cm)
		delete(m, "stats")
		delete(m, "files")
		out = append(out, m)
	}
	c.ok(out)
}

func (s *Server) listPullReviews(c *call) {
	is := c.issueParam(true)
	if is == nil {
		return
	}
	out := c.page(len(is.pull.reviews), func(i int) any { return c.reviewJSON(c.repo, is, is.pull.reviews[i]) })
	c.ok(out)
}

// Search.

type searchQuery struct {
	repos      []string
	owners     []string
	kind       string // "", "issue", "pr"
	state      string
	labels     []string
	notLabels  []string
	author     string
	assignee   string
	titleOnly  bool
	words      []string
	created    func(time.Time) bool
	updated    func(time.Time) bool
	closed     func(time.Time) bool
	noLabel    bool
	noAssignee bool
}

// tokenizeQuery splits on spaces, keeping quoted parts together.
func tokenizeQuery(q string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func parseSearch(q string) (*searchQuery, error) {
	sq := &searchQuery{}
	for _, tok := range tokenizeQuery(q) {
		neg := strings.HasPrefix(tok, "-")
		key, val, ok := strings.Cut(strings.TrimPrefix(tok, "-"), ":")
		if !ok {
			sq.words = append(sq.words, strings.ToLower(tok))
			continue
		}
		var err error
		switch strings.ToLower(key) {
		case "repo":
			sq.repos = append(sq.repos, strings.ToLower(val))
		case "user", "org":
			sq.owners = append(sq.owners, strings.ToLower(val))
		case "is", "type":
			switch val {
			case "issue":
				sq.kind = "issue"
			case "pr", "pull-request":
				sq.kind = "pr"
			case "open", "closed":
				sq.state = val
			}
		case "state":
			sq.state = val
		case "label":
			if neg {
				sq.notLabels = append(sq.notLabels, val)
			} else {
				sq.labels = append(sq.labels, val)
			}
		case "no":
			switch val {
			case "label":
				sq.noLabel = true
			case "assignee":
				sq.noAssignee = true
			}
		case "author":
			sq.author = val
		case "assignee":
			sq.assignee = val
		case "in":
			sq.titleOnly = val == "title"
		case "created":
			sq.created, err = parseDateRange(val)
		case "updated":
			sq.updated, err = parseDateRange(val)
		case "closed":
			sq.closed, err = parseDateRange(val)
		}
		if err != nil {
			return nil, err
		}
	}
	return sq, nil
}

func (sq *searchQuery) match(rs *repoState, is *issueState) bool {
	full := strings.ToLower(rs.fx.FullName())
	if len(sq.repos) > 0 && !containsFold(sq.repos, full) {
		return false
	}
	if len(sq.owners) > 0 && !containsFold(sq.owners, rs.fx.Owner) {
		return false
	}
	switch {
	case sq.kind == "issue" && is.pull != nil, sq.kind == "pr" && is.pull == nil,
		sq.state != "" && is.state != sq.state,
		sq.author != "" && !strings.EqualFold(sq.author, is.user),
		sq.assignee != "" && !containsFold(is.assignees, sq.assignee),
		sq.noLabel && len(is.labels) > 0, sq.noAssignee && len(is.assignees) > 0,
		sq.created != nil && !sq.created(is.createdAt),
		sq.updated != nil && !sq.updated(is.updatedAt),
		sq.closed != nil && (is.closedAt == nil || !sq.closed(*is.closedAt)):
		return false
	}
	for _, l := range sq.labels {
		if !hasLabel(is, l) {
			return false
		}
	}
	for _, l := range sq.notLabels {
		if hasLabel(is, l) {
			return false
		}
	}
	text := strings.ToLower(is.title)
	if !sq.titleOnly {
		text += "\n" + strings.ToLower(is.body)
	}
	for _, w := range sq.words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func (s *Server) searchIssues(c *call) {
	q := c.r.URL.Query()
	query := q.Get("q")
	if strings.TrimSpace(query) == "" {
		c.validation("Validation Failed", ValidationError{Resource: "Search", Field: "q", Code: "missing"})
		return
	}
	sq, err := parseSearch(query)
	if err != nil {
		c.validation("Validation Failed", ValidationError{Resource: "Search", Field: "q", Code: "invalid", Message: err.Error()})
		return
	}
	type hit struct {
		rs *repoState
		is *issueState
	}
	var hits []hit
	for _, rs := range s.st.repos {
		if rs.fx.Status != 0 || (rs.fx.Private && !c.authed) {
			continue
		}
		for _, is := range rs.issues {
			if sq.match(rs, is) {
				hits = append(hits, hit{rs, is})
			}
		}
	}
	sortBy := q.Get("sort")
	asc := q.Get("order") == "asc"
	key := func(h hit) int64 {
		switch sortBy {
		case "updated":
			return h.is.updatedAt.UnixNano()
		case "comments":
			return int64(len(h.is.comments))
		}
		return h.is.createdAt.UnixNano()
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if asc && sortBy != "" {
			return key(hits[i]) < key(hits[j])
		}
		return key(hits[i]) > key(hits[j])
	})
	total := len(hits)
	if len(hits) > 1000 {
		hits = hits[:1000]
	}
	lo, hi := c.paginate(len(hits))
	items := []any{}
	for _, h := range hits[lo:hi] {
		m := c.issueJSON(h.rs, h.is)
		m["score"] = 1.0
		m["type"] = nil
		if h.is.body == "" {
			delete(m, "body") // issue-search-result-item's body is a string, not nullable
		}
		items = append(items, m)
	}
	c.ok(map[string]any{"total_count": total, "incomplete_results": false, "search_type": "lexical", "items": items})
}
