package alert

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Issue actions (AlertResult.Action).
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"   // body, labels or assignees refreshed, no comment
	ActionChanged   = "changed"   // level or facts changed: updated and commented
	ActionUnchanged = "unchanged" // nothing to write (e.g. a re-run of the same run)
	ActionReopened  = "reopened"
	ActionClosed    = "closed"    // resolved
	ActionMissed    = "missed"    // not seen, not yet resolve_after runs
	ActionMuted     = "muted"     // closed as not planned by a person: left closed
	ActionDuplicate = "duplicate" // closed as a duplicate of an older issue
	ActionFailed    = "failed"
	ActionSkipped   = "skipped" // the issue channel is off or unavailable
)

// Notify reasons (State.Notify): the transitions channels deliver.
const (
	NotifyOpened   = "opened"
	NotifyChanged  = "changed"
	NotifyReopened = "reopened"
	NotifyResolved = "resolved"
	NotifyFiring   = "firing" // no issue state: every current alert is delivered
)

// Call is one write the run made or (dry run) planned.
type Call struct {
	Channel     string `json:"channel"`
	Action      string `json:"action"`
	Target      string `json:"target"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Status      string `json:"status"` // done, failed, planned
	Error       string `json:"error,omitempty"`
}

// issueRec is an alert issue as listed.
type issueRec struct {
	number      int
	state       string
	stateReason string
	title, body string
	labels      []string
	assignees   []string
	url         string
	createdAt   time.Time
	fp          string
	st          State
	hasState    bool
}

func recFrom(is *github.Issue) *issueRec {
	r := &issueRec{number: is.GetNumber(), state: is.GetState(), stateReason: is.GetStateReason(), title: is.GetTitle(),
		body: is.GetBody(), url: is.GetHTMLURL(), createdAt: is.GetCreatedAt().Time}
	for _, l := range is.Labels {
		r.labels = append(r.labels, l.GetName())
	}
	for _, a := range is.Assignees {
		r.assignees = append(r.assignees, a.GetLogin())
	}
	r.fp = ParseMarker(r.body)
	r.st, r.hasState = ParseState(r.body)
	return r
}

// lifecycle runs the issue side of one run.
type lifecycle struct {
	run   *runState
	gh    *github.Client
	owner string
	repo  string
	// canon is the issue that stands for each fingerprint.
	canon map[string]*issueRec
	// all lists every alert issue by fingerprint, oldest first.
	all     map[string][]*issueRec
	created map[string]*AlertResult
	seen    map[string]bool
}

// load lists every issue carrying the alert label, open and closed, page by
// page (never the search API: it is eventually consistent and would miss an
// issue created seconds ago).
func (l *lifecycle) load(ctx context.Context) error {
	issues, err := ghclient.ListAll(ctx, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return l.gh.Issues.ListByRepo(ctx, l.owner, l.repo, &github.IssueListByRepoOptions{
			State: "all", Labels: []string{l.run.cfg.Label}, Sort: "created", Direction: "asc", ListOptions: opt})
	})
	if err != nil {
		return fmt.Errorf("failed to list the %s issues of %s/%s: %w", l.run.cfg.Label, l.owner, l.repo, err)
	}
	l.all = map[string][]*issueRec{}
	for _, is := range issues {
		if is.IsPullRequest() {
			continue
		}
		r := recFrom(is)
		if r.fp == "" {
			continue
		}
		l.all[r.fp] = append(l.all[r.fp], r)
	}
	for fp := range l.all {
		sort.Slice(l.all[fp], func(i, j int) bool { return l.all[fp][i].number < l.all[fp][j].number })
	}
	return nil
}

// canonicalize picks the issue standing for each fingerprint: the oldest
// open one; later open ones are closed as its duplicates (two runs raced).
// Without an open one, the newest closed one that is not a duplicate.
func (l *lifecycle) canonicalize(ctx context.Context, only map[string]bool) {
	if l.canon == nil {
		l.canon = map[string]*issueRec{}
	}
	fps := make([]string, 0, len(l.all))
	for fp := range l.all {
		fps = append(fps, fp)
	}
	sort.Strings(fps)
	for _, fp := range fps {
		if only != nil && !only[fp] {
			continue
		}
		var open []*issueRec
		var closed *issueRec
		for _, r := range l.all[fp] {
			switch {
			case r.state == "open":
				open = append(open, r)
			case r.stateReason != "duplicate" || closed == nil:
				closed = r
			}
		}
		if len(open) == 0 {
			l.canon[fp] = closed
			continue
		}
		l.canon[fp] = open[0]
		for _, dup := range open[1:] {
			l.closeDuplicate(ctx, dup, open[0])
		}
	}
}

func (l *lifecycle) target(n int) string {
	if n == 0 {
		return fmt.Sprintf("%s/%s (new issue)", l.owner, l.repo)
	}
	return fmt.Sprintf("%s/%s#%d", l.owner, l.repo, n)
}

func (l *lifecycle) closeDuplicate(ctx context.Context, dup, first *issueRec) {
	t := l.run.text
	body := fmt.Sprintf("**Duplicate of #%d.** Two alert runs opened an issue for the same problem (fingerprint %s) at the same time; the alert continues in #%d. Closing this one.",
		first.number, "`"+dup.fp+"`", first.number)
	res := l.run.resultFor(dup.fp)
	ok := l.write(ctx, "close_duplicate", dup, func() error {
		if _, _, err := l.gh.Issues.CreateComment(ctx, l.owner, l.repo, dup.number, &github.IssueComment{Body: github.String(t.revive(body))}); err != nil {
			return err
		}
		_, _, err := l.gh.Issues.Edit(ctx, l.owner, l.repo, dup.number, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("duplicate")})
		return err
	})
	if ok {
		dup.state, dup.stateReason = "closed", "duplicate"
		l.run.issueNumbers("duplicates", dup.number)
		if !l.run.cfg.DryRun {
			l.run.logf("closed #%d as a duplicate of #%d; reopen with: gh issue reopen %d --repo %s/%s", dup.number, first.number, dup.number, l.owner, l.repo)
		}
	}
	if res != nil && res.Issue == dup.number {
		res.Action, res.Issue, res.IssueURL = ActionDuplicate, first.number, first.url
	}
}

// write performs (or in a dry run plans) one issue write and records it.
func (l *lifecycle) write(ctx context.Context, action string, r *issueRec, fn func() error) bool {
	fp := ""
	n := 0
	if r != nil {
		fp, n = r.fp, r.number
	}
	c := Call{Channel: ChannelIssue, Action: action, Target: l.target(n), Fingerprint: fp}
	if l.run.cfg.DryRun {
		c.Status = "planned"
		l.run.addCall(c)
		return true
	}
	if err := ctx.Err(); err != nil {
		c.Status, c.Error = "failed", "not attempted: "+err.Error()
		l.run.addCall(c)
		return false
	}
	if err := fn(); err != nil {
		c.Status, c.Error = "failed", ghclient.Reason(err)
		l.run.addCall(c)
		return false
	}
	c.Status = "done"
	l.run.addCall(c)
	return true
}

// desiredLabels are the alert label and the labels input, plus whatever a
// person added (kept).
func (l *lifecycle) desiredLabels(have []string) []string {
	return union(have, append([]string{l.run.cfg.Label}, l.run.cfg.Labels...))
}

func union(have, want []string) []string {
	out := append([]string(nil), have...)
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.EqualFold(h, w) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, w)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[strings.ToLower(x)]++
	}
	for _, x := range b {
		m[strings.ToLower(x)]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

// apply brings the issue of one current alert up to date.
func (l *lifecycle) apply(ctx context.Context, a Alert, res *AlertResult) {
	rs := l.run
	now := rs.now
	runID := rs.cfg.RunID
	l.seen[a.Fingerprint] = true
	t := rs.text
	rec := l.canon[a.Fingerprint]
	bc := BodyContext{RunURL: rs.cfg.RunURL, ArtifactURL: rs.cfg.ArtifactURL, Label: rs.cfg.Label}
	if rec == nil {
		first := now
		if !a.DetectedAt.IsZero() && a.DetectedAt.Before(now) {
			first = a.DetectedAt
		}
		st := State{Type: a.Type, Source: a.Source, Scope: a.Scope, Problem: a.Problem, Level: a.Level, Digest: factsDigest(a),
			FirstSeen: first, LastSeen: now, Occurrences: 1, LastRunID: runID, LastSeenRunID: runID,
			NotifyRunID: runID, Notify: NotifyOpened}
		bc.State = st
		title, body := t.Title(a), t.Body(a, bc)
		labels := l.desiredLabels(nil)
		assignees := append([]string{}, rs.cfg.Assignees...)
		nr := &issueRec{fp: a.Fingerprint, state: "open", title: title, body: body, labels: labels, assignees: assignees, st: st, hasState: true}
		ok := l.write(ctx, "create_issue", nr, func() error {
			req := &github.IssueRequest{Title: github.String(title), Body: github.String(body), Labels: &labels}
			if len(assignees) > 0 {
				req.Assignees = &assignees
			}
			is, _, err := l.gh.Issues.Create(ctx, l.owner, l.repo, req)
			if err != nil {
				return err
			}
			nr.number, nr.url, nr.createdAt = is.GetNumber(), is.GetHTMLURL(), is.GetCreatedAt().Time
			return nil
		})
		res.setState(st)
		res.Notify = NotifyOpened
		if !ok {
			res.fail("failed to create the issue")
			return
		}
		res.Action, res.Issue, res.IssueURL = ActionCreated, nr.number, nr.url
		rs.issueNumbers("created", nr.number)
		res.issueDelivered(now)
		l.canon[a.Fingerprint] = nr
		l.all[a.Fingerprint] = append(l.all[a.Fingerprint], nr)
		l.created[a.Fingerprint] = res
		return
	}

	res.Issue, res.IssueURL = rec.number, rec.url
	prev := rec.st
	st := prev
	if !rec.hasState {
		// An alert issue from before the state block: adopt it.
		st = State{FirstSeen: rec.createdAt}
	}
	st.Type, st.Source, st.Scope, st.Problem = a.Type, a.Source, a.Scope, a.Problem
	seenThisRun := runID != 0 && prev.LastSeenRunID == runID && rec.hasState
	changed := false
	if !seenThisRun {
		st.Occurrences++
		st.LastSeen, st.LastSeenRunID, st.LastRunID, st.MissedRuns = now, runID, runID, 0
		// An empty level or digest (written by hand or an older version)
		// is unknown, not a change.
		changed = rec.hasState && ((prev.Level != "" && prev.Level != a.Level) || (prev.Digest != "" && prev.Digest != factsDigest(a)))
	}
	st.Level, st.Digest = a.Level, factsDigest(a)
	reopen := false
	switch {
	case rec.state == "closed" && rec.stateReason == "not_planned":
		// A person closed it as not planned: the alert is muted (its state
		// is kept current, nothing is announced).
		res.Action = ActionMuted
		changed = false
	case rec.state == "closed" && !seenThisRun:
		reopen = true
		st.NotifyRunID, st.Notify = runID, NotifyReopened
	case rec.state == "closed":
		res.Action = ActionUnchanged
	case changed:
		st.NotifyRunID, st.Notify = runID, NotifyChanged
	}
	bc.State = st
	title, body := t.Title(a), t.Body(a, bc)
	labels, assignees := l.desiredLabels(rec.labels), union(rec.assignees, rs.cfg.Assignees)
	res.setState(st)
	if st.NotifyRunID == runID && runID != 0 || (runID == 0 && (reopen || changed)) {
		res.Notify = st.Notify
	}
	dirty := title != rec.title || body != rec.body || !sameSet(labels, rec.labels) || !sameSet(assignees, rec.assignees)
	if !dirty && !reopen {
		if res.Action == "" {
			res.Action = ActionUnchanged
		}
		return
	}
	action := "update_issue"
	if reopen {
		action = "reopen_issue"
	}
	ok := l.write(ctx, action, rec, func() error {
		req := &github.IssueRequest{Title: github.String(title), Body: github.String(body), Labels: &labels, Assignees: &assignees}
		if reopen {
			req.State, req.StateReason = github.String("open"), github.String("reopened")
		}
		_, _, err := l.gh.Issues.Edit(ctx, l.owner, l.repo, rec.number, req)
		return err
	})
	if !ok {
		res.fail("failed to " + strings.ReplaceAll(action, "_", " "))
		return
	}
	rec.title, rec.body, rec.labels, rec.assignees, rec.st, rec.hasState = title, body, labels, assignees, st, true
	if reopen {
		rec.state, rec.stateReason = "open", "reopened"
	}
	switch {
	case reopen:
		res.Action = ActionReopened
		rs.issueNumbers("reopened", rec.number)
		when := "earlier"
		if prev.ResolvedAt != nil {
			when = fmtTime(*prev.ResolvedAt)
		}
		l.comment(ctx, rec, res, t.comment(fmt.Sprintf("**Back again** (resolved %s): %s", when, t.MD(a.Summary)), st, rs.cfg.RunURL))
	case changed:
		res.Action = ActionChanged
		rs.issueNumbers("updated", rec.number)
		l.comment(ctx, rec, res, t.comment(t.changeHeadline(a, prev), st, rs.cfg.RunURL))
	default:
		if res.Action == "" {
			res.Action = ActionUpdated
		}
		rs.issueNumbers("updated", rec.number)
	}
}

func (l *lifecycle) comment(ctx context.Context, rec *issueRec, res *AlertResult, body string) {
	ok := l.write(ctx, "comment", rec, func() error {
		_, _, err := l.gh.Issues.CreateComment(ctx, l.owner, l.repo, rec.number, &github.IssueComment{Body: github.String(body)})
		return err
	})
	if !ok {
		res.fail("failed to comment")
		return
	}
	res.Commented = true
	rs := l.run
	rs.issueNumbers("commented", rec.number)
	res.issueDelivered(rs.now)
}

// resolve handles an open alert issue this run did not see.
func (l *lifecycle) resolve(ctx context.Context, rec *issueRec) *AlertResult {
	rs := l.run
	st := rec.st
	res := &AlertResult{Fingerprint: rec.fp, Type: st.Type, Level: st.Level, Title: rec.title, Scope: st.Scope, Source: st.Source,
		Problem: st.Problem, Issue: rec.number, IssueURL: rec.url}
	switch {
	case !rec.hasState:
		res.Action, res.Reason = ActionSkipped, "no state block (not managed by this version); left alone"
		return res
	case !rs.built.Coverage.Kinds[st.Source]:
		res.Action, res.Reason = ActionSkipped, fmt.Sprintf("no %s report given this run; left alone", st.Source)
		return res
	case rs.cfg.Type != TypeAuto && st.Type != rs.cfg.Type:
		res.Action, res.Reason = ActionSkipped, fmt.Sprintf("alert type %s is not this run's alert_type %s; left alone", st.Type, rs.cfg.Type)
		return res
	case !rs.built.Coverage.Covers(st.Source, st.Scope, st.Problem):
		res.Action, res.Reason = ActionSkipped, fmt.Sprintf("this run's %s report did not cover %s (partial or not read); left alone", st.Source, st.Scope)
		return res
	}
	runID := rs.cfg.RunID
	if runID == 0 || st.LastRunID != runID {
		st.MissedRuns++
		st.LastRunID = runID
	}
	resolveAfter := rs.cfg.ResolveAfter
	if resolveAfter < 1 {
		resolveAfter = 1
	}
	now := rs.now
	closeIt := st.MissedRuns >= resolveAfter
	if closeIt {
		st.NotifyRunID, st.Notify, st.ResolvedAt = runID, NotifyResolved, &now
	}
	res.setState(st)
	body := replaceState(rec.body, st)
	if body == rec.body && !closeIt {
		res.Action = ActionUnchanged
		return res
	}
	if !closeIt {
		if l.write(ctx, "update_issue", rec, func() error {
			_, _, err := l.gh.Issues.Edit(ctx, l.owner, l.repo, rec.number, &github.IssueRequest{Body: github.String(body)})
			return err
		}) {
			rec.body, rec.st = body, st
			res.Action = ActionMissed
			res.Reason = fmt.Sprintf("not seen in %d of %d run(s) needed to resolve", st.MissedRuns, resolveAfter)
		} else {
			res.fail("failed to update the issue")
		}
		return res
	}
	t := rs.text
	msg := t.comment(fmt.Sprintf("**Resolved:** this run's %s report covered %s and no longer shows the problem (not seen in %d run(s); resolve_after is %d). Closing; it will be reopened if the problem comes back.",
		st.Source, t.MD(st.Scope), st.MissedRuns, resolveAfter), st, rs.cfg.RunURL)
	ok := l.write(ctx, "comment", rec, func() error {
		_, _, err := l.gh.Issues.CreateComment(ctx, l.owner, l.repo, rec.number, &github.IssueComment{Body: github.String(msg)})
		return err
	})
	if !ok {
		res.fail("failed to comment before closing")
		return res
	}
	res.Commented = true
	ok = l.write(ctx, "close_issue", rec, func() error {
		_, _, err := l.gh.Issues.Edit(ctx, l.owner, l.repo, rec.number, &github.IssueRequest{Body: github.String(body),
			State: github.String("closed"), StateReason: github.String("completed")})
		return err
	})
	if !ok {
		res.fail("failed to close the issue")
		return res
	}
	rec.body, rec.st, rec.state, rec.stateReason = body, st, "closed", "completed"
	res.Action, res.Notify = ActionClosed, NotifyResolved
	res.Reason = fmt.Sprintf("not seen in %d run(s)", st.MissedRuns)
	rs.issueNumbers("closed", rec.number)
	res.issueDelivered(now)
	return res
}

// replaceState swaps the state block of a body (or inserts one after the
// marker).
func replaceState(body string, st State) string {
	if out, ok := report.ReplaceHiddenJSON(body, stateBlock, st.Block()); ok {
		return out
	}
	if loc := markerRe.FindStringIndex(body); loc != nil {
		return body[:loc[1]] + "\n" + st.Block() + body[loc[1]:]
	}
	return st.Block() + "\n" + body
}

// persist writes the state of an issue again after deliveries changed it.
func (l *lifecycle) persist(ctx context.Context, rec *issueRec, st State, res *AlertResult) {
	body := replaceState(rec.body, st)
	if body == rec.body {
		return
	}
	if l.write(ctx, "record_deliveries", rec, func() error {
		_, _, err := l.gh.Issues.Edit(ctx, l.owner, l.repo, rec.number, &github.IssueRequest{Body: github.String(body)})
		return err
	}) {
		rec.body, rec.st = body, st
		return
	}
	res.fail("failed to record the deliveries in the issue (a re-run may deliver them again)")
}
