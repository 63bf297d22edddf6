package emulator

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"reflect"
	"sort"
	"strings"
	"time"
)

// State is a snapshot of everything the emulator holds that writes can
// change. It is what GET /_emulator/state returns. Job logs are left out.
type State struct {
	Now          time.Time   `json:"now"`
	Repositories []RepoState `json:"repositories"`
	Dispatches   []Dispatch  `json:"dispatches"`
	RefChanges   []RefChange `json:"ref_changes"`
}

// RepoState is one repository in a State snapshot.
type RepoState struct {
	FullName      string     `json:"full_name"`
	DefaultBranch string     `json:"default_branch"`
	Labels        []Label    `json:"labels"`
	Branches      []Branch   `json:"branches"`
	Tags          []Tag      `json:"tags"`
	Issues        []Issue    `json:"issues"`
	Pulls         []Pull     `json:"pulls"`
	Runs          []Run      `json:"runs"`
	Events        []Event    `json:"events"`
	Workflows     []Workflow `json:"workflows"`
	// Releases, Caches, Deployments (with their statuses) and Statuses
	// (commit statuses), as the API has left them.
	Releases    []Release      `json:"releases"`
	Caches      []Cache        `json:"caches"`
	Deployments []Deployment   `json:"deployments"`
	Statuses    []CommitStatus `json:"statuses"`
}

// Dispatch is a recorded repository_dispatch or workflow_dispatch request.
type Dispatch struct {
	// Kind is "repository_dispatch" or "workflow_dispatch".
	Kind string `json:"kind"`
	// Repo is the target repository "owner/name".
	Repo string `json:"repo"`
	// EventType and ClientPayload are set for repository_dispatch.
	EventType     string         `json:"event_type,omitempty"`
	ClientPayload map[string]any `json:"client_payload,omitempty"`
	// Workflow (the path), WorkflowID, Ref, Inputs and RunID (the queued run
	// it created) are set for workflow_dispatch.
	Workflow   string         `json:"workflow,omitempty"`
	WorkflowID int64          `json:"workflow_id,omitempty"`
	Ref        string         `json:"ref,omitempty"`
	Inputs     map[string]any `json:"inputs,omitempty"`
	RunID      int64          `json:"run_id,omitempty"`
	Actor      string         `json:"actor"`
	Time       time.Time      `json:"time"`
}

// RefChange is a recorded git ref creation or deletion.
type RefChange struct {
	// Action is "deleted" or "created".
	Action string    `json:"action"`
	Repo   string    `json:"repo"`
	Ref    string    `json:"ref"` // refs/heads/name
	SHA    string    `json:"sha"`
	Actor  string    `json:"actor"`
	Time   time.Time `json:"time"`
}

// state is the mutable in-memory model. Every access holds Server.mu.
type state struct {
	now        func() time.Time
	fixture    *Fixture // shifted copy; read-only
	repos      []*repoState
	byName     map[string]*repoState // lower-case full name
	users      map[string]User       // lower-case login
	orgs       map[string]bool       // lower-case login
	dispatches []Dispatch
	refChanges []RefChange
	nextID     int64
	fileWrites *fileWrites // handlers_fixer_writes.go
	// Apps and tokens (apps.go, auth.go): the fixture's apps, its tokens
	// by token string, tokens minted through the API and revoked ones (by
	// hash).
	apps    []*appState
	tokens  map[string]*credential
	minted  map[string]*credential
	revoked map[string]bool
	mintSeq int
}

type repoState struct {
	fx       Repository // shifted copy; Labels/Branches/... below are the live values
	id       int64
	labels   []*labelState
	issues   []*issueState // sorted by number
	branches []*Branch
	deleted  map[string]Branch // deleted branches by name, to restore their commit
	tags     []Tag
	runs     []*Run
	events   []Event
	// fixtureEvents holds the ids of the fixture's events, whose compact
	// payloads GET …/events completes (events.go).
	fixtureEvents map[string]bool
	workflows     []Workflow
	milestones    []string
	// Signals (handlers_signals.go) and caches (handlers_caches.go).
	caches      []Cache
	deployments []*Deployment
	statuses    []CommitStatus
	checkSuites []CheckSuite
	checkRuns   []CheckRun
	releases    []*Release
	// commits maps the commits written through the contents API to the
	// files they hold, relative to the fixture's Files (files.go).
	commits map[string]*fileCommit
}

type labelState struct {
	id int64
	Label
}

type issueState struct {
	id          int64
	number      int
	title       string
	body        string
	user        string
	state       string
	stateReason string
	labels      []string
	milestone   string
	assignees   []string
	createdAt   time.Time
	updatedAt   time.Time
	closedAt    *time.Time
	closedBy    string
	comments    []*Comment
	events      []*IssueEvent
	pull        *pullState
}

type pullState struct {
	draft    bool
	merged   bool
	mergedAt *time.Time
	head     Ref
	base     Ref
	commits  []Commit
	reviews  []Review
}

// newState builds the live model from a fixture, shifting every timestamp
// by now − ReferenceTime.
func newState(f *Fixture, opts Options) (*state, error) {
	now := opts.Now
	cp, err := copyFixture(f)
	if err != nil {
		return nil, err
	}
	if !cp.ReferenceTime.IsZero() {
		shift := now().Sub(cp.ReferenceTime).Truncate(time.Second)
		shiftTimes(reflect.ValueOf(cp).Elem(), shift)
	}
	st := &state{
		now:     now,
		fixture: cp,
		byName:  map[string]*repoState{},
		users:   map[string]User{},
		orgs:    map[string]bool{},
		nextID:  90_000_000,
		minted:  map[string]*credential{},
		revoked: map[string]bool{},
	}
	for _, u := range cp.Users {
		st.users[strings.ToLower(u.Login)] = u
	}
	for _, o := range cp.Orgs {
		st.orgs[strings.ToLower(o)] = true
	}
	for i := range cp.Repositories {
		r := cp.Repositories[i]
		if r.Owner == "" || r.Name == "" {
			return nil, fmt.Errorf("failed to load repository %d: owner and name are required", i)
		}
		key := strings.ToLower(r.FullName())
		if _, dup := st.byName[key]; dup {
			return nil, fmt.Errorf("failed to load repository %s: listed twice", r.FullName())
		}
		rs := st.buildRepo(r)
		st.repos = append(st.repos, rs)
		st.byName[key] = rs
	}
	if err := st.buildApps(cp.Apps); err != nil {
		return nil, err
	}
	if err := st.buildTokens(cp, opts); err != nil {
		return nil, err
	}
	return st, nil
}

func (st *state) newID() int64 {
	st.nextID++
	return st.nextID
}

func (st *state) buildRepo(r Repository) *repoState {
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = st.now().UTC().Add(-365 * 24 * time.Hour).Truncate(24 * time.Hour)
	}
	if r.PushedAt.IsZero() {
		r.PushedAt = r.CreatedAt
	}
	rs := &repoState{fx: r, id: r.ID, deleted: map[string]Branch{}}
	if rs.id == 0 {
		rs.id = stableID(r.FullName(), 100_000_000)
	}
	for _, l := range r.Labels {
		rs.labels = append(rs.labels, &labelState{id: stableID(r.FullName()+"#label#"+strings.ToLower(l.Name), 1_000_000_000), Label: l})
	}
	for i := range r.Branches {
		b := r.Branches[i]
		rs.branches = append(rs.branches, &b)
	}
	rs.tags = append(rs.tags, r.Tags...)
	for i := range r.Runs {
		run := r.Runs[i]
		if run.RunAttempt == 0 {
			run.RunAttempt = 1
		}
		if run.Status == "" {
			run.Status = "completed"
		}
		if run.UpdatedAt.IsZero() {
			run.UpdatedAt = run.CreatedAt
		}
		if run.RunNumber == 0 {
			run.RunNumber = i + 1
		}
		run.Jobs = append([]Job(nil), run.Jobs...)
		for j := range run.Jobs {
			if run.Jobs[j].RunAttempt == 0 {
				run.Jobs[j].RunAttempt = 1
			}
			if run.Jobs[j].Status == "" {
				run.Jobs[j].Status = "completed"
			}
		}
		rs.runs = append(rs.runs, &run)
	}
	rs.events = append(rs.events, r.Events...)
	rs.fixtureEvents = map[string]bool{}
	for i := range rs.events {
		if rs.events[i].ID == "" {
			rs.events[i].ID = fmt.Sprint(stableID(fmt.Sprintf("%s#event#%d", r.FullName(), i), 10_000_000_000))
		}
		rs.fixtureEvents[rs.events[i].ID] = true
	}
	rs.workflows = append(rs.workflows, r.Workflows...)
	st.buildSignals(rs, r)
	for i := range r.Releases {
		rel := r.Releases[i]
		if rel.PublishedAt.IsZero() {
			rel.PublishedAt = rel.CreatedAt
		}
		rs.releases = append(rs.releases, &rel)
	}
	for _, is := range r.Issues {
		s := &issueState{
			number: is.Number, title: is.Title, body: is.Body, user: is.User, state: is.State,
			stateReason: is.StateReason, labels: append([]string(nil), is.Labels...), milestone: is.Milestone,
			assignees: append([]string(nil), is.Assignees...), createdAt: is.CreatedAt, updatedAt: is.UpdatedAt,
			closedAt: is.ClosedAt,
		}
		st.fillIssue(rs, s, is.Comments, is.Events)
		rs.issues = append(rs.issues, s)
	}
	for _, p := range r.Pulls {
		s := &issueState{
			number: p.Number, title: p.Title, body: p.Body, user: p.User, state: p.State,
			labels: append([]string(nil), p.Labels...), milestone: p.Milestone,
			assignees: append([]string(nil), p.Assignees...), createdAt: p.CreatedAt, updatedAt: p.UpdatedAt,
			closedAt: p.ClosedAt,
			pull: &pullState{draft: p.Draft, merged: p.Merged, head: p.Head, base: p.Base,
				commits: append([]Commit(nil), p.Commits...), reviews: append([]Review(nil), p.Reviews...)},
		}
		if p.Merged {
			s.pull.mergedAt = p.ClosedAt
			if s.state == "" {
				s.state = "closed"
			}
		}
		for i := range s.pull.reviews {
			if s.pull.reviews[i].ID == 0 {
				s.pull.reviews[i].ID = stableID(fmt.Sprintf("%s#review#%d#%d", r.FullName(), p.Number, i), 1_000_000_000)
			}
		}
		st.fillIssue(rs, s, p.Comments, p.Events)
		rs.issues = append(rs.issues, s)
	}
	sort.Slice(rs.issues, func(i, j int) bool { return rs.issues[i].number < rs.issues[j].number })
	for _, is := range rs.issues {
		for _, l := range is.labels {
			rs.ensureLabel(l)
		}
	}
	seen := map[string]bool{}
	for _, is := range rs.issues {
		if is.milestone != "" && !seen[is.milestone] {
			seen[is.milestone] = true
			rs.milestones = append(rs.milestones, is.milestone)
		}
	}
	return rs
}

func (st *state) fillIssue(rs *repoState, s *issueState, comments []Comment, events []IssueEvent) {
	s.id = stableID(fmt.Sprintf("%s#issue#%d", rs.fx.FullName(), s.number), 1_000_000_000)
	if s.state == "" {
		s.state = "open"
	}
	if s.updatedAt.IsZero() {
		s.updatedAt = s.createdAt
	}
	if s.state == "closed" && s.closedAt == nil {
		t := s.updatedAt
		s.closedAt = &t
	}
	for i, c := range comments {
		c := c
		if c.ID == 0 {
			c.ID = stableID(fmt.Sprintf("%s#comment#%d#%d", rs.fx.FullName(), s.number, i), 1_000_000_000)
		}
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = c.CreatedAt
		}
		s.comments = append(s.comments, &c)
	}
	for i, e := range events {
		e := e
		if e.ID == 0 {
			e.ID = stableID(fmt.Sprintf("%s#ievent#%d#%d", rs.fx.FullName(), s.number, i), 1_000_000_000)
		}
		if e.Event == "closed" && s.closedBy == "" {
			s.closedBy = e.Actor
		}
		s.events = append(s.events, &e)
	}
	// GitHub never shows an issue updated before its latest comment,
	// event, review or commit: a fixture that says so is corrected.
	later := func(t time.Time) {
		if t.After(s.updatedAt) {
			s.updatedAt = t
		}
	}
	for _, c := range s.comments {
		later(c.UpdatedAt)
	}
	for _, e := range s.events {
		later(e.CreatedAt)
	}
	if s.pull != nil {
		for _, rv := range s.pull.reviews {
			later(rv.SubmittedAt)
		}
		for _, c := range s.pull.commits {
			later(c.Date)
		}
	}
}

// repo returns the repository by name (case-insensitive) or nil.
func (st *state) repo(owner, name string) *repoState {
	return st.byName[strings.ToLower(owner+"/"+name)]
}

func (rs *repoState) issue(n int) *issueState {
	for _, is := range rs.issues {
		if is.number == n {
			return is
		}
	}
	return nil
}

func (rs *repoState) nextNumber() int {
	n := 0
	for _, is := range rs.issues {
		if is.number > n {
			n = is.number
		}
	}
	return n + 1
}

func (rs *repoState) label(name string) *labelState {
	for _, l := range rs.labels {
		if strings.EqualFold(l.Name, name) {
			return l
		}
	}
	return nil
}

// ensureLabel returns the repository label, creating it like GitHub does
// when an unknown label is added to an issue.
func (rs *repoState) ensureLabel(name string) *labelState {
	if l := rs.label(name); l != nil {
		return l
	}
	l := &labelState{id: stableID(rs.fx.FullName()+"#label#"+strings.ToLower(name), 1_000_000_000), Label: Label{Name: name, Color: "ededed"}}
	rs.labels = append(rs.labels, l)
	return l
}

func (rs *repoState) branch(name string) *Branch {
	for _, b := range rs.branches {
		if b.Name == name {
			return b
		}
	}
	return nil
}

func (rs *repoState) run(id int64) *Run {
	for _, r := range rs.runs {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (rs *repoState) job(id int64) (*Run, *Job) {
	for _, r := range rs.runs {
		for i := range r.Jobs {
			if r.Jobs[i].ID == id {
				return r, &r.Jobs[i]
			}
		}
	}
	return nil, nil
}

func (rs *repoState) workflow(id int64) *Workflow {
	for i := range rs.workflows {
		if rs.workflows[i].ID == id {
			return &rs.workflows[i]
		}
	}
	return nil
}

// workflowByKey finds a workflow by numeric id or by file name.
func (rs *repoState) workflowByKey(key string) *Workflow {
	for i := range rs.workflows {
		w := &rs.workflows[i]
		if fmt.Sprint(w.ID) == key || w.Path == key || baseName(w.Path) == key {
			return w
		}
	}
	return nil
}

func (rs *repoState) comment(id int64) (*issueState, *Comment, int) {
	for _, is := range rs.issues {
		for i, c := range is.comments {
			if c.ID == id {
				return is, c, i
			}
		}
	}
	return nil, nil, -1
}

// findCommit looks up a commit by full SHA, short SHA prefix (7+), branch
// name, "heads/<branch>" or "tags/<tag>".
func (rs *repoState) findCommit(ref string) (Commit, bool) {
	ref = strings.TrimPrefix(ref, "refs/")
	if name, ok := strings.CutPrefix(ref, "heads/"); ok {
		if b := rs.branch(name); b != nil {
			return rs.completeCommit(b.Commit, b.Name), true
		}
		return Commit{}, false
	}
	if name, ok := strings.CutPrefix(ref, "tags/"); ok {
		for _, t := range rs.tags {
			if t.Name == name {
				return rs.commitBySHA(t.SHA)
			}
		}
		return Commit{}, false
	}
	if b := rs.branch(ref); b != nil {
		return rs.completeCommit(b.Commit, b.Name), true
	}
	for _, t := range rs.tags {
		if t.Name == ref {
			return rs.commitBySHA(t.SHA)
		}
	}
	return rs.commitBySHA(ref)
}

func (rs *repoState) completeCommit(c Commit, branch string) Commit {
	if c.SHA == "" {
		c.SHA = fakeSHA(rs.fx.FullName() + "#branch#" + branch)
	}
	return c
}

func (rs *repoState) commitBySHA(sha string) (Commit, bool) {
	if len(sha) < 7 {
		return Commit{}, false
	}
	match := func(s string) bool { return s != "" && strings.HasPrefix(s, sha) }
	for _, b := range rs.branches {
		c := rs.completeCommit(b.Commit, b.Name)
		if match(c.SHA) {
			return c, true
		}
	}
	for name, b := range rs.deleted {
		c := rs.completeCommit(b.Commit, name)
		if match(c.SHA) {
			return c, true
		}
	}
	for _, is := range rs.issues {
		if is.pull == nil {
			continue
		}
		for _, c := range is.pull.commits {
			if match(c.SHA) {
				return c, true
			}
		}
		if match(is.pull.head.SHA) {
			return Commit{SHA: is.pull.head.SHA, Author: is.user, Date: is.createdAt, Message: is.title}, true
		}
	}
	for _, r := range rs.runs {
		if match(r.HeadSHA) {
			return Commit{SHA: r.HeadSHA, Author: r.Actor, Date: r.CreatedAt, Message: r.DisplayTitle}, true
		}
	}
	for _, t := range rs.tags {
		if match(t.SHA) {
			return Commit{SHA: t.SHA, Message: "tag " + t.Name}, true
		}
	}
	return Commit{}, false
}

// snapshot exports the live model.
func (st *state) snapshot() State {
	out := State{Now: st.now().UTC(), Dispatches: append([]Dispatch{}, st.dispatches...), RefChanges: append([]RefChange{}, st.refChanges...)}
	for _, rs := range st.repos {
		r := RepoState{FullName: rs.fx.FullName(), DefaultBranch: rs.fx.DefaultBranch, Labels: []Label{}, Branches: []Branch{},
			Tags: append([]Tag{}, rs.tags...), Issues: []Issue{}, Pulls: []Pull{}, Runs: []Run{}, Events: append([]Event{}, rs.events...),
			Workflows: append([]Workflow{}, rs.workflows...)}
		for _, l := range rs.labels {
			r.Labels = append(r.Labels, l.Label)
		}
		r.Releases, r.Caches, r.Deployments, r.Statuses = []Release{}, append([]Cache{}, rs.caches...), []Deployment{}, append([]CommitStatus{}, rs.statuses...)
		for _, rel := range rs.releases {
			r.Releases = append(r.Releases, *rel)
		}
		for _, d := range rs.deployments {
			cp := *d
			cp.Statuses = append([]DeploymentStatus(nil), d.Statuses...)
			r.Deployments = append(r.Deployments, cp)
		}
		for _, b := range rs.branches {
			r.Branches = append(r.Branches, *b)
		}
		for _, is := range rs.issues {
			var comments []Comment
			for _, c := range is.comments {
				comments = append(comments, *c)
			}
			var events []IssueEvent
			for _, e := range is.events {
				events = append(events, *e)
			}
			if is.pull == nil {
				r.Issues = append(r.Issues, Issue{Number: is.number, Title: is.title, Body: is.body, User: is.user, State: is.state,
					StateReason: is.stateReason, Labels: is.labels, Milestone: is.milestone, Assignees: is.assignees,
					CreatedAt: is.createdAt, UpdatedAt: is.updatedAt, ClosedAt: is.closedAt, Comments: comments, Events: events})
				continue
			}
			r.Pulls = append(r.Pulls, Pull{Number: is.number, Title: is.title, Body: is.body, User: is.user, State: is.state,
				Draft: is.pull.draft, Merged: is.pull.merged, Head: is.pull.head, Base: is.pull.base, Labels: is.labels,
				Milestone: is.milestone, Assignees: is.assignees, CreatedAt: is.createdAt, UpdatedAt: is.updatedAt,
				ClosedAt: is.closedAt, Commits: is.pull.commits, Comments: comments, Reviews: is.pull.reviews, Events: events})
		}
		for _, run := range rs.runs {
			cp := *run
			cp.Jobs = nil
			for _, j := range run.Jobs {
				j.Log, j.LogFile = "", ""
				cp.Jobs = append(cp.Jobs, j)
			}
			r.Runs = append(r.Runs, cp)
		}
		out.Repositories = append(out.Repositories, r)
	}
	return out
}

var timeType = reflect.TypeOf(time.Time{})

// shiftTimes adds d to every non-zero time.Time reachable from v, except
// the fixture's ReferenceTime (which describes the fixture itself).
func shiftTimes(v reflect.Value, d time.Duration) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			shiftTimes(v.Elem(), d)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			if !t.IsZero() && v.CanSet() {
				v.Set(reflect.ValueOf(t.Add(d).UTC()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Name == "ReferenceTime" || !v.Field(i).CanSet() {
				continue
			}
			shiftTimes(v.Field(i), d)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			shiftTimes(v.Index(i), d)
		}
	}
}

// stableID derives a deterministic positive id from a key, at least base.
func stableID(key string, base int64) int64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return base + int64(h.Sum64()%uint64(base))
}

// fakeSHA derives a deterministic 40-hex commit id from a key.
func fakeSHA(key string) string {
	sum := sha1.Sum([]byte(key))
	return hex.EncodeToString(sum[:])
}

func baseName(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}
