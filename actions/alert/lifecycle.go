package alert

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// Group actions (GroupResult.Action) and, for each problem, AlertResult.Action.
const (
	ActionCreated   = "created"   // a new issue for the group
	ActionAdopted   = "adopted"   // an alert issue written before groups now stands for the group
	ActionUpdated   = "updated"   // body edited, nothing announced
	ActionChanged   = "changed"   // a new or worse problem: edited and commented
	ActionUnchanged = "unchanged" // nothing to write
	ActionReopened  = "reopened"
	ActionClosed    = "closed" // every problem cleared
	ActionMuted     = "muted"  // a person closed it as not planned: left alone
	ActionDuplicate = "duplicate"
	ActionFailed    = "failed"
	ActionSkipped   = "skipped"
)

// Call is one write the run made or (dry run) planned.
type Call struct {
	Channel     string `json:"channel"`
	Action      string `json:"action"`
	Target      string `json:"target"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Status      string `json:"status"` // done, failed, planned, skipped
	Error       string `json:"error,omitempty"`
}

// issueRec is an alert issue as listed.
type issueRec struct {
	repo        string
	number      int
	state       string
	stateReason string
	title, body string
	labels      []string
	assignees   []string
	url         string
	createdAt   time.Time
	author      string
	// gid is the group marker; gs its state.
	gid      string
	gs       GroupState
	hasState bool
	// legacyFP is the per-fingerprint marker of an issue written before
	// groups; preMarker an alert issue with no marker at all.
	legacyFP  string
	legacy    legacyState
	preMarker bool
}

func (r *issueRec) ref() string { return fmt.Sprintf("%s#%d", r.repo, r.number) }

func recFrom(repo string, is *github.Issue) *issueRec {
	r := &issueRec{repo: repo, number: is.GetNumber(), state: is.GetState(), stateReason: is.GetStateReason(), title: is.GetTitle(),
		body: is.GetBody(), url: is.GetHTMLURL(), createdAt: is.GetCreatedAt().Time, author: is.GetUser().GetLogin()}
	for _, l := range is.Labels {
		r.labels = append(r.labels, l.GetName())
	}
	for _, a := range is.Assignees {
		r.assignees = append(r.assignees, a.GetLogin())
	}
	if r.gid = ParseGroupMarker(r.body); r.gid != "" {
		r.gs, r.hasState = ParseGroupState(r.body)
		return r
	}
	if r.legacyFP = ParseMarker(r.body); r.legacyFP != "" {
		r.legacy, _ = parseLegacyState(r.body)
		return r
	}
	r.preMarker = true
	return r
}

// GroupResult is what happened to one group's issue in this run.
type GroupResult struct {
	Group      string   `json:"group"`
	Mode       string   `json:"mode"`
	Key        string   `json:"key"`
	Repository string   `json:"repository"`
	Title      string   `json:"title"`
	Level      Level    `json:"level"`
	Issue      int      `json:"issue,omitempty"`
	IssueURL   string   `json:"issue_url,omitempty"`
	Action     string   `json:"action"`
	Notify     string   `json:"notify,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Commented  bool     `json:"commented"`
	Problems   int      `json:"problems"`
	Suppressed int      `json:"suppressed"`
	Resolved   int      `json:"resolved"`
	About      []string `json:"about,omitempty"`
	Merged     []string `json:"merged,omitempty"`
	Errors     []string `json:"errors,omitempty"`

	group *Group
	rec   *issueRec
	state GroupState
	// notable is true when this run announced (or, re-run, still has to
	// deliver) the group's last transition.
	notable bool
}

func (g *GroupResult) fail(msg string) {
	g.Errors = append(g.Errors, msg)
	if g.Action == "" || g.Action == ActionUnchanged {
		g.Action = ActionFailed
	}
}

// lifecycle runs the issue side of one run.
type lifecycle struct {
	run *runState
	gh  *github.Client
	// trusted are the logins whose marked issues are this action's own.
	trusted map[string]bool
	// self is the token's identity.
	self Identity
	// claimID names this run in claims and states: run id and a nonce.
	claimID string
	// recs are the trusted alert issues of each listed repository.
	recs    map[string][]*issueRec
	ignored int
	// held are the claim labels this run holds.
	held map[string]bool
	// carried are the first sightings of problems listed in issues of
	// another grouping (kept when they move).
	carried map[string]time.Time
	groups  []*GroupResult
}

func (l *lifecycle) trustedAuthor(login string) bool { return l.trusted[strings.ToLower(login)] }

// load lists every issue carrying the alert label in repo, open and
// closed, page by page (never the search API: it is eventually consistent
// and would miss an issue created seconds ago). Issues by other authors are
// never this action's own, whatever their body says.
func (l *lifecycle) load(ctx context.Context, repo string) error {
	owner, name := ghclient.RepoSegments(repo)
	issues, err := ghclient.ListAll(ctx, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return l.gh.Issues.ListByRepo(ctx, owner, name, &github.IssueListByRepoOptions{
			State: "all", Labels: []string{l.run.cfg.Label}, Sort: "created", Direction: "asc", ListOptions: opt})
	})
	if err != nil {
		return fmt.Errorf("failed to list the %s issues of %s: %w", l.run.cfg.Label, repo, err)
	}
	var out []*issueRec
	for _, is := range issues {
		if is.IsPullRequest() {
			continue
		}
		r := recFrom(repo, is)
		if !l.trustedAuthor(r.author) {
			if !r.preMarker {
				l.ignored++
			}
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].number < out[j].number })
	l.recs[repo] = out
	return nil
}

// canonical is the issue standing for a group: the oldest open one with its
// marker, else the newest closed one that is not a duplicate.
func (l *lifecycle) canonical(g *Group) (*issueRec, []*issueRec) {
	var open []*issueRec
	var closed *issueRec
	for _, r := range l.recs[g.Repo] {
		if r.gid != g.ID {
			continue
		}
		switch {
		case r.state == "open":
			open = append(open, r)
		case r.stateReason != "duplicate":
			closed = r
		}
	}
	if len(open) > 0 {
		return open[0], open[1:]
	}
	return closed, nil
}

// normTitle compares titles across versions: "[tags]" dropped, an owner/
// prefix of the domain dropped, case and spacing ignored.
func normTitle(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for strings.HasPrefix(s, "[") {
		i := strings.Index(s, "]")
		if i < 0 {
			break
		}
		s = strings.TrimSpace(s[i+1:])
	}
	if i := strings.Index(s, ":"); i > 0 {
		if j := strings.LastIndex(s[:i], "/"); j >= 0 {
			s = s[j+1:]
		}
	}
	return strings.Join(strings.Fields(s), " ")
}

// legacyDomain is the domain a pre-group issue is about: its state's scope,
// else the part of its title before the first colon.
func legacyDomain(r *issueRec) string {
	if r.legacy.Scope != "" {
		return strings.ToLower(r.legacy.Scope)
	}
	s := strings.TrimSpace(r.title)
	for strings.HasPrefix(s, "[") {
		i := strings.Index(s, "]")
		if i < 0 {
			break
		}
		s = strings.TrimSpace(s[i+1:])
	}
	head, _, ok := strings.Cut(s, ":")
	if !ok {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(head))
}

func sameDomain(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b {
		return true
	}
	_, an, _ := strings.Cut(a, "/")
	_, bn, _ := strings.Cut(b, "/")
	return a != "" && b != "" && (an == b || bn == a || (an != "" && an == bn))
}

// legacyMatch is a pre-group issue that continues as (part of) a group.
type legacyMatch struct {
	rec *issueRec
	// fp is the current problem it is about ("" when matched by domain).
	fp string
}

// matchLegacy maps each open pre-group alert issue (per-fingerprint marker,
// or no marker: same title and label) to the group of the problem it is
// about: the same fingerprint, else the same title; in domain grouping,
// else the same domain.
func (l *lifecycle) matchLegacy(groups []*Group) map[string][]legacyMatch {
	out := map[string][]legacyMatch{}
	repos := make([]string, 0, len(l.recs))
	for r := range l.recs {
		repos = append(repos, r)
	}
	sort.Strings(repos)
	for _, repo := range repos {
		for _, r := range l.recs[repo] {
			if r.gid != "" || r.state != "open" {
				continue
			}
			var hit *Group
			fp := ""
			for _, g := range groups {
				for _, a := range g.Alerts {
					if (r.legacyFP != "" && r.legacyFP == a.Fingerprint) || normTitle(r.title) == normTitle(a.Title) {
						hit, fp = g, a.Fingerprint
						break
					}
				}
				if hit != nil {
					break
				}
			}
			if hit == nil && !r.preMarker {
				if d := legacyDomain(r); d != "" {
					for _, g := range groups {
						if g.Mode == GroupDomain && sameDomain(g.Domain, d) {
							hit = g
							break
						}
					}
				}
			}
			if hit != nil {
				out[hit.ID] = append(out[hit.ID], legacyMatch{rec: r, fp: fp})
			}
		}
	}
	return out
}

// otherModes returns the open group issues written under another grouping
// (or file_in) than this run's, and remembers their problems' first
// sightings: a problem keeps its history when the mode changes.
func (l *lifecycle) otherModes() []*issueRec {
	var out []*issueRec
	repos := make([]string, 0, len(l.recs))
	for r := range l.recs {
		repos = append(repos, r)
	}
	sort.Strings(repos)
	for _, repo := range repos {
		for _, r := range l.recs[repo] {
			if r.gid == "" || !r.hasState || r.state != "open" {
				continue
			}
			mine := l.mine(r)
			if mine {
				continue
			}
			out = append(out, r)
			for fp, p := range r.gs.Problems {
				if c, ok := l.carried[fp]; !ok || p.FirstSeen.Before(c) {
					l.carried[fp] = p.FirstSeen
				}
			}
		}
	}
	return out
}

// mine reports whether a group issue belongs to this run's configuration:
// its grouping, label and the repository file_in puts it in.
func (l *lifecycle) mine(r *issueRec) bool {
	cfg := l.run.cfg
	if r.gs.Mode == groupEcosystem {
		return cfg.FileIn == FileInDomain && strings.EqualFold(r.repo, cfg.Repository)
	}
	if r.gs.Mode != cfg.GroupBy || GroupID(cfg.Label, r.gs.Mode, r.gs.Key) != r.gid {
		return false
	}
	want := cfg.Repository
	if cfg.FileIn == FileInDomain {
		want = domainRepo(anyScope(r.gs), ownerOf(cfg.Repository))
	}
	return strings.EqualFold(r.repo, want)
}

// retire closes the open issues of another grouping whose problems now
// continue in this run's group issues, naming where each went.
func (l *lifecycle) retire(ctx context.Context, others []*issueRec) {
	for _, o := range others {
		var where []*issueRec
		var to *GroupResult
		for _, gr := range l.groups {
			if gr.rec == nil || gr.rec.number == 0 {
				continue
			}
			for fp := range o.gs.Problems {
				if gr.state.Problems[fp] != nil {
					where = append(where, gr.rec)
					if to == nil {
						to = gr
					}
					break
				}
			}
		}
		if to == nil {
			l.run.logf("%s was written under grouping %s; none of its problems is current, left open", o.ref(), o.gs.Mode)
			continue
		}
		var refs []string
		for _, w := range where {
			refs = append(refs, w.ref())
		}
		gr := &GroupResult{Group: o.gid, Mode: o.gs.Mode, Key: o.gs.Key, Repository: o.repo, Title: o.title, Issue: o.number, IssueURL: o.url, group: &Group{ID: o.gid, Mode: o.gs.Mode, Key: o.gs.Key, Repo: o.repo}}
		l.closeAs(ctx, gr, o, where[0], fmt.Sprintf("**Continues in %s.** Alerts are now grouped by %s: the problems listed here continue there, with their history. Closing this one.", strings.Join(refs, ", "), l.run.cfg.GroupBy))
		if gr.Action == "" {
			gr.Action, gr.Reason = ActionDuplicate, "grouping changed: continues in "+strings.Join(refs, ", ")
		}
		l.groups = append(l.groups, gr)
	}
}

// human reports whether the person who closed an issue is a person: not a
// bot (stale, any App, GITHUB_TOKEN), and not this action's bot identity.
func (l *lifecycle) human(u *github.User) bool {
	if u == nil || u.GetLogin() == "" || isBot(u) {
		return false
	}
	return !(l.trustedAuthor(u.GetLogin()) && strings.HasSuffix(strings.ToLower(l.self.Login), "[bot]"))
}

// write performs (or in a dry run plans) one issue write and records it.
func (l *lifecycle) write(ctx context.Context, action, target string, fn func(ctx context.Context) error) error {
	c := Call{Channel: ChannelIssue, Action: action, Target: target}
	if l.run.cfg.DryRun {
		c.Status = "planned"
		l.run.addCall(c)
		return nil
	}
	if err := ctx.Err(); err != nil {
		c.Status, c.Error = "failed", "not attempted: "+err.Error()
		l.run.addCall(c)
		return err
	}
	if err := fn(ghclient.NoServerErrorRetry(ctx)); err != nil {
		c.Status, c.Error = "failed", ghclient.Reason(err)
		l.run.addCall(c)
		return err
	}
	c.Status = "done"
	l.run.addCall(c)
	return nil
}

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

// refresh reads one issue again (for a claim check or after a lost answer).
func (l *lifecycle) refresh(ctx context.Context, r *issueRec) (*issueRec, *github.Issue, error) {
	owner, name := ghclient.RepoSegments(r.repo)
	is, _, err := l.gh.Issues.Get(ctx, owner, name, r.number)
	if err != nil {
		return nil, nil, err
	}
	fresh := recFrom(r.repo, is)
	l.replace(fresh)
	return fresh, is, nil
}

// replace puts a fresh record in place of the listed one (or adds it).
func (l *lifecycle) replace(fresh *issueRec) {
	list := l.recs[fresh.repo]
	for i, r := range list {
		if r.number == fresh.number {
			list[i] = fresh
			return
		}
	}
	l.recs[fresh.repo] = append(list, fresh)
	sort.Slice(l.recs[fresh.repo], func(i, j int) bool { return l.recs[fresh.repo][i].number < l.recs[fresh.repo][j].number })
}

// waitFor polls until the group's issue shows generation gen (another run
// holds the claim), within the claim_wait budget. It returns true when it
// does; the records are then fresh.
func (l *lifecycle) waitFor(ctx context.Context, g *Group, target *issueRec, gen int) bool {
	deadline := l.run.cfg.ClaimWait
	if deadline <= 0 {
		deadline = DefaultClaimWait
	}
	delay, waited := 20*time.Millisecond, time.Duration(0)
	for waited < deadline {
		if err := l.run.sleep(ctx, delay); err != nil {
			return false
		}
		waited += delay
		delay = min(delay*2, time.Second)
		if target != nil {
			fresh, _, err := l.refresh(ctx, target)
			if err == nil && fresh.gid == g.ID && fresh.gs.Gen >= gen {
				return true
			}
			continue
		}
		if err := l.load(ctx, g.Repo); err != nil {
			continue
		}
		for _, r := range l.recs[g.Repo] {
			if r.gid == g.ID && r.gs.Gen >= gen {
				return true
			}
		}
	}
	return false
}

// DefaultClaimWait is how long a run waits for the run that holds a claim.
const DefaultClaimWait = 30 * time.Second

// processInput is one group's work.
type processInput struct {
	group   *Group
	legacy  []legacyMatch
	covered func(*ProblemState) bool
	// resolveAfter overrides the configured resolve_after (ecosystem issue).
	resolveAfter int
}

// process brings one group's issue up to date: merge this run's problems
// into its state, and write what changed — claiming the generation first
// when the write announces something.
func (l *lifecycle) process(ctx context.Context, in processInput) *GroupResult {
	rs := l.run
	g := in.group
	gr := &GroupResult{Group: g.ID, Mode: g.Mode, Key: g.Key, Repository: g.Repo, group: g}
	resolveAfter := rs.cfg.ResolveAfter
	if in.resolveAfter > 0 {
		resolveAfter = in.resolveAfter
	}
	t := rs.text
	// A claim this run took but did not write (it re-read the issue and
	// found nothing left to announce) is released, so no later run waits
	// for it.
	heldGen, wroteGen := 0, -1
	defer func() {
		if heldGen > 0 && heldGen != wroteGen {
			l.release(ctx, g.Repo, g.ID, heldGen)
		}
	}()
	for attempt := 0; attempt < 4; attempt++ {
		rec, dups := l.canonical(g)
		var adopt *issueRec
		var adoptFP string
		var prev *GroupState
		for _, m := range in.legacy {
			if rec == nil && adopt == nil && m.rec.repo == g.Repo && m.rec.state == "open" {
				adopt, adoptFP = m.rec, m.fp
			}
		}
		switch {
		case rec != nil && rec.hasState:
			s := rec.gs.clone()
			prev = &s
		case rec != nil:
			prev = &GroupState{Problems: map[string]*ProblemState{}}
		case adopt != nil:
			prev = legacyPrev(adopt, adoptFP, g)
		}
		target := rec
		if target == nil {
			target = adopt
		}
		open := target != nil && target.state == "open"
		lead := ""
		if rec != nil && rec.state == "closed" && rec.stateReason == "not_planned" {
			closer := l.closedBy(ctx, rec)
			if closer == nil || l.human(closer) {
				gr.Action, gr.Issue, gr.IssueURL, gr.Title = ActionMuted, rec.number, rec.url, rec.title
				who := "a person"
				if closer != nil {
					who = closer.GetLogin()
				}
				gr.Reason = fmt.Sprintf("closed as not planned by %s: muted, nothing is written or sent for this group until it is reopened", who)
				gr.state = rec.gs
				gr.rec = rec
				return gr
			}
			lead = fmt.Sprintf("This issue was closed as not planned by %s, which is not a person (only a person's “not planned” mutes an alert).", t.MD(closer.GetLogin()))
		}
		plan := mergeGroup(prev, mergeInput{group: g, open: open, covered: in.covered, resolveAfter: resolveAfter, runID: rs.cfg.RunID, now: rs.now})
		next := plan.next
		// The pre-group issues this group takes over: named in the state,
		// and their problem's first sighting kept.
		for fp, p := range next.Problems {
			if c, ok := l.carried[fp]; ok && !c.IsZero() && c.Before(p.FirstSeen) {
				p.FirstSeen = c
			}
		}
		for _, m := range in.legacy {
			next.Merged = appendUnique(next.Merged, m.rec.ref())
			fp := nonEmpty(m.fp, m.rec.legacyFP)
			if p := next.Problems[fp]; p != nil && !m.rec.createdAt.IsZero() && m.rec.createdAt.Before(p.FirstSeen) {
				p.FirstSeen = m.rec.createdAt.UTC()
			}
		}
		if plan.event != "" {
			next.Claim = l.claimID
		}
		if target == nil && plan.event == "" {
			gr.Action, gr.Reason = ActionSkipped, "no open problem"
			return gr
		}
		title, body := t.groupTitle(g, next), t.groupBody(g, next, rs.cfg.Label, rs.cfg.ArtifactURL)
		gr.Title, gr.Level = title, next.level()
		gr.Problems, gr.Suppressed, gr.Resolved = next.count()
		gr.Merged = next.Merged
		var labels, assignees []string
		if target != nil {
			labels, assignees = l.desiredLabels(target.labels), union(target.assignees, rs.cfg.Assignees)
		} else {
			labels, assignees = l.desiredLabels(nil), append([]string{}, rs.cfg.Assignees...)
		}
		stateChange := ""
		switch {
		case target != nil && plan.event == NotifyReopened:
			stateChange = "open"
		case target != nil && plan.event == NotifyResolved && target.state == "open":
			stateChange = "closed"
		}
		dirty := target == nil || title != target.title || body != target.body || !sameSet(labels, target.labels) ||
			!sameSet(assignees, target.assignees) || stateChange != ""
		if !dirty {
			gr.Action, gr.Issue, gr.IssueURL = ActionUnchanged, target.number, target.url
			gr.state, gr.rec = next, target
			gr.notable = next.Notified != nil && rs.cfg.RunID != 0 && next.Notified.RunID == rs.cfg.RunID && next.Notified.Gen == next.Gen
			if gr.notable && rec != nil && commentFor(next.Notified.Event) {
				// A re-run: the announcement of this run may lack its comment.
				l.ensureComment(ctx, gr, rec, t.groupComment(g, next, "", resolveAfter, rs.cfg.RunURL))
			}
			l.closeDuplicates(ctx, gr, dups, rec)
			return gr
		}
		if plan.event != "" && !l.held[claimLabel(g.ID, next.Gen)] {
			won, err := l.claim(ctx, g.Repo, g.ID, next.Gen)
			if err != nil {
				gr.fail(err.Error())
				return gr
			}
			if !won {
				if l.waitFor(ctx, g, target, next.Gen) {
					continue // the winner wrote it: merge into what it wrote
				}
				var why string
				won, why = l.takeover(ctx, g.Repo, g.ID, next.Gen)
				if !won {
					gr.fail(why)
					return gr
				}
			}
			l.held[claimLabel(g.ID, next.Gen)] = true
			heldGen = next.Gen
		}
		if target != nil && !rs.cfg.DryRun {
			// The issue must still say what was merged (another run may
			// have edited it meanwhile).
			fresh, _, err := l.refresh(ctx, target)
			if err == nil && fresh.body != target.body {
				continue // someone wrote meanwhile: merge into that
			}
		}
		gr.About = plan.about
		gr.state = next
		if err := l.writeGroup(ctx, gr, target, adopt != nil && rec == nil, title, body, labels, assignees, stateChange); err != nil {
			if !ambiguous(err) {
				return gr // nothing was written: the deferred release frees the claim
			}
			wroteGen = heldGen // it may have been written: keep the claim
			return gr
		}
		wroteGen = next.Gen
		if plan.event != "" {
			gr.Notify = plan.event
			gr.notable = true
			l.release(ctx, g.Repo, g.ID, next.Gen-1)
		}
		if commentFor(plan.event) || lead != "" {
			if plan.event == "" {
				// A bot closed it, but nothing changed: say so anyway.
				next.Notified = nil
			}
			msg := t.groupComment(g, next, lead+adoptLead(adopt != nil && rec == nil, g), resolveAfter, rs.cfg.RunURL)
			l.postComment(ctx, gr, gr.rec, msg)
		}
		l.closeDuplicates(ctx, gr, dups, gr.rec)
		l.supersede(ctx, gr, in.legacy)
		return gr
	}
	gr.fail("the issue kept changing while this run wrote it (other alert runs at the same time); left for the next run")
	return gr
}

func commentFor(event string) bool {
	return event == NotifyChanged || event == NotifyReopened || event == NotifyResolved
}

func adoptLead(adopted bool, g *Group) string {
	if !adopted {
		return ""
	}
	return fmt.Sprintf("This alert issue now lists every problem of its group (grouped by %s); it is kept current by editing the list above.", g.Mode)
}

// legacyPrev is the state an adopted pre-group issue stands for: the one
// problem it was about.
func legacyPrev(r *issueRec, fp string, g *Group) *GroupState {
	s := &GroupState{Problems: map[string]*ProblemState{}}
	if fp == "" {
		fp = r.legacyFP
	}
	for _, a := range g.Alerts {
		if a.Fingerprint == fp {
			p := problemFrom(a, r.createdAt.UTC())
			if r.legacy.Level != "" {
				p.Level = r.legacy.Level
			}
			if !r.legacy.FirstSeen.IsZero() {
				p.FirstSeen = r.legacy.FirstSeen.UTC()
			}
			s.Problems[fp] = p
		}
	}
	return s
}

// closedBy reads who closed an issue (GET: the list endpoint does not
// carry closed_by on GitHub).
func (l *lifecycle) closedBy(ctx context.Context, r *issueRec) *github.User {
	owner, name := ghclient.RepoSegments(r.repo)
	is, _, err := l.gh.Issues.Get(ctx, owner, name, r.number)
	if err != nil {
		l.run.logf("could not read who closed %s (%s); treating it as muted", r.ref(), ghclient.Reason(err))
		return nil
	}
	return is.ClosedBy
}

// writeGroup creates or edits the group's issue. A lost answer is settled
// by reading: the new issue is looked for by its marker and this run's
// claim; an edit is compared with what the issue now says.
func (l *lifecycle) writeGroup(ctx context.Context, gr *GroupResult, target *issueRec, adopting bool, title, body string, labels, assignees []string, stateChange string) error {
	rs := l.run
	g := gr.group
	owner, name, _ := strings.Cut(g.Repo, "/")
	if target == nil {
		var made *github.Issue
		err := l.write(ctx, "create_issue", g.Repo+" (new issue)", func(ctx context.Context) error {
			req := &github.IssueRequest{Title: github.String(title), Body: github.String(body), Labels: &labels}
			if len(assignees) > 0 {
				req.Assignees = &assignees
			}
			for attempt := 0; attempt < 2; attempt++ {
				is, _, err := l.gh.Issues.Create(ctx, owner, name, req)
				if err == nil {
					made = is
					return nil
				}
				if !ambiguous(err) {
					return err
				}
				if found := l.findCreated(ctx, g); found != nil {
					made = found
					rs.logf("the answer to creating the issue for %s was lost (%s); it was created: %s", g.Key, ghclient.Reason(err), found.GetHTMLURL())
					return nil
				}
				if attempt == 1 {
					return &notApplied{err} // looked for after each attempt: not there
				}
			}
			return nil
		})
		if err != nil {
			gr.fail("failed to create the issue: " + ghclient.Reason(err))
			return err
		}
		gr.Action = ActionCreated
		if rs.cfg.DryRun {
			gr.rec = &issueRec{repo: g.Repo, gid: g.ID, gs: gr.state, hasState: true, title: title, body: body, state: "open"}
			return nil
		}
		rec := recFrom(g.Repo, made)
		l.replace(rec)
		gr.rec, gr.Issue, gr.IssueURL = rec, rec.number, rec.url
		rs.issueNumbers("created", rec.number)
		return nil
	}
	gr.Issue, gr.IssueURL = target.number, target.url
	action := "update_issue"
	// The edit replaces both sets; an empty one is [] (GitHub's
	// description: an array, not null).
	labels, assignees = append([]string{}, labels...), append([]string{}, assignees...)
	req := &github.IssueRequest{Title: github.String(title), Body: github.String(body), Labels: &labels, Assignees: &assignees}
	switch stateChange {
	case "open":
		action = "reopen_issue"
		req.State, req.StateReason = github.String("open"), github.String("reopened")
	case "closed":
		action = "close_issue"
		req.State, req.StateReason = github.String("closed"), github.String("completed")
	}
	if adopting {
		action = "adopt_issue"
	}
	err := l.write(ctx, action, target.ref(), func(ctx context.Context) error {
		for attempt := 0; attempt < 2; attempt++ {
			_, _, err := l.gh.Issues.Edit(ctx, owner, name, target.number, req)
			if err == nil || !ambiguous(err) {
				return err
			}
			if fresh, _, gerr := l.refresh(ctx, target); gerr == nil && fresh.body == body && fresh.title == title && (stateChange == "" || fresh.state == stateChange) {
				return nil
			}
			if attempt == 1 {
				return err
			}
		}
		return nil
	})
	if err != nil {
		gr.fail("failed to " + strings.ReplaceAll(action, "_", " ") + ": " + ghclient.Reason(err))
		return err
	}
	fresh := *target
	fresh.title, fresh.body, fresh.labels, fresh.assignees = title, body, labels, assignees
	fresh.gid, fresh.gs, fresh.hasState, fresh.legacyFP, fresh.preMarker = g.ID, gr.state, true, "", false
	if stateChange != "" {
		fresh.state = stateChange
		fresh.stateReason = map[string]string{"open": "reopened", "closed": "completed"}[stateChange]
	}
	if !rs.cfg.DryRun {
		l.replace(&fresh)
	}
	gr.rec = &fresh
	switch {
	case adopting:
		gr.Action = ActionAdopted
		rs.issueNumbers("updated", target.number)
	case stateChange == "open":
		gr.Action = ActionReopened
		rs.issueNumbers("reopened", target.number)
	case stateChange == "closed":
		gr.Action = ActionClosed
		rs.issueNumbers("closed", target.number)
		if !rs.cfg.DryRun {
			rs.logf("closed %s: every problem cleared; reopen with: gh issue reopen %d --repo %s", target.ref(), target.number, g.Repo)
		}
	case gr.state.Notified != nil && gr.state.Notified.Gen == gr.state.Gen && gr.state.Notified.RunID == rs.cfg.RunID && gr.state.Gen > target.gs.Gen:
		gr.Action = ActionChanged
		rs.issueNumbers("updated", target.number)
	default:
		gr.Action = ActionUpdated
		rs.issueNumbers("updated", target.number)
	}
	return nil
}

// findCreated looks for the issue this run created for g when the answer
// was lost: the newest issues with the label, the group's marker and this
// run's claim id.
func (l *lifecycle) findCreated(ctx context.Context, g *Group) *github.Issue {
	owner, name, _ := strings.Cut(g.Repo, "/")
	issues, _, err := l.gh.Issues.ListByRepo(ctx, owner, name, &github.IssueListByRepoOptions{
		State: "all", Labels: []string{l.run.cfg.Label}, Sort: "created", Direction: "desc", ListOptions: github.ListOptions{PerPage: 30}})
	if err != nil {
		return nil
	}
	for _, is := range issues {
		r := recFrom(g.Repo, is)
		if r.gid == g.ID && r.gs.Claim == l.claimID && l.trustedAuthor(r.author) {
			return is
		}
	}
	return nil
}

// postComment adds a lifecycle comment; a lost answer is settled by looking
// for the comment's marker.
func (l *lifecycle) postComment(ctx context.Context, gr *GroupResult, rec *issueRec, body string) {
	if rec == nil {
		return
	}
	owner, name := ghclient.RepoSegments(rec.repo)
	since := l.run.now.Add(-time.Hour)
	err := l.write(ctx, "comment", rec.ref(), func(ctx context.Context) error {
		for attempt := 0; attempt < 2; attempt++ {
			_, _, err := l.gh.Issues.CreateComment(ctx, owner, name, rec.number, &github.IssueComment{Body: github.String(body)})
			if err == nil || !ambiguous(err) {
				return err
			}
			if l.hasComment(ctx, rec, gr.group.ID, gr.state.Gen, since) {
				return nil
			}
			if attempt == 1 {
				return err
			}
		}
		return nil
	})
	if err != nil {
		gr.fail("failed to comment: " + ghclient.Reason(err))
		return
	}
	gr.Commented = true
	l.run.issueNumbers("commented", rec.number)
}

// hasComment reports whether the issue has this action's comment for
// generation gen of the group.
func (l *lifecycle) hasComment(ctx context.Context, rec *issueRec, gid string, gen int, since time.Time) bool {
	owner, name := ghclient.RepoSegments(rec.repo)
	comments, err := ghclient.ListAll(ctx, func(opt github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		return l.gh.Issues.ListComments(ctx, owner, name, rec.number, &github.IssueListCommentsOptions{Since: &since, ListOptions: opt})
	})
	if err != nil {
		return false
	}
	for _, c := range comments {
		if id, n, ok := parseCommentMarker(c.GetBody()); ok && id == gid && n == gen && l.trustedAuthor(c.GetUser().GetLogin()) {
			return true
		}
	}
	return false
}

// ensureComment posts the comment of a transition this run announced when
// it is missing (a re-run after the comment failed).
func (l *lifecycle) ensureComment(ctx context.Context, gr *GroupResult, rec *issueRec, body string) {
	if l.run.cfg.DryRun || l.hasComment(ctx, rec, gr.group.ID, gr.state.Gen, time.Time{}) {
		return
	}
	l.postComment(ctx, gr, rec, body)
}

// closeDuplicates closes later open issues of the same group (two runs of
// an older version raced) as duplicates of the canonical one.
func (l *lifecycle) closeDuplicates(ctx context.Context, gr *GroupResult, dups []*issueRec, canon *issueRec) {
	if canon == nil || canon.number == 0 {
		return
	}
	for _, d := range dups {
		l.closeAs(ctx, gr, d, canon, fmt.Sprintf("**Duplicate of %s.** Two alert runs opened an issue for this group at the same time; the group continues in %s. Closing this one.", canon.ref(), canon.ref()))
	}
}

// supersede closes the pre-group issues of a group that were not adopted:
// their problem continues in the group's issue.
func (l *lifecycle) supersede(ctx context.Context, gr *GroupResult, legacy []legacyMatch) {
	canon := gr.rec
	if canon == nil || canon.number == 0 {
		return
	}
	for _, m := range legacy {
		if m.rec.number == canon.number && m.rec.repo == canon.repo || m.rec.state != "open" {
			continue
		}
		l.closeAs(ctx, gr, m.rec, canon, fmt.Sprintf("**Continues in %s.** Alerts are now grouped by %s: this problem is listed there with the others of its group. Closing this one.", canon.ref(), gr.Mode))
	}
}

func (l *lifecycle) closeAs(ctx context.Context, gr *GroupResult, dup, canon *issueRec, msg string) {
	owner, name := ghclient.RepoSegments(dup.repo)
	err := l.write(ctx, "close_duplicate", dup.ref(), func(ctx context.Context) error {
		// The comment first (a lost answer is checked by its marker), then
		// the state (an idempotent edit).
		body := commentMarker(gr.Group, 0) + "\n" + msg
		if !l.hasComment(ctx, dup, gr.Group, 0, l.run.now.Add(-time.Hour)) {
			if _, _, err := l.gh.Issues.CreateComment(ctx, owner, name, dup.number, &github.IssueComment{Body: github.String(body)}); err != nil {
				if !ambiguous(err) || !l.hasComment(ctx, dup, gr.Group, 0, l.run.now.Add(-time.Hour)) {
					return err
				}
			}
		}
		_, _, err := l.gh.Issues.Edit(ctx, owner, name, dup.number, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("duplicate")})
		if err != nil && ambiguous(err) {
			_, _, err = l.gh.Issues.Edit(ctx, owner, name, dup.number, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("duplicate")})
		}
		return err
	})
	if err != nil {
		gr.fail(fmt.Sprintf("failed to close %s as continuing in %s: %s", dup.ref(), canon.ref(), ghclient.Reason(err)))
		return
	}
	dup.state, dup.stateReason = "closed", "duplicate"
	l.run.issueNumbers("duplicates", dup.number)
	if !l.run.cfg.DryRun {
		l.run.logf("closed %s: continues in %s; reopen with: gh issue reopen %d --repo %s", dup.ref(), canon.ref(), dup.number, dup.repo)
	}
}

// persistDeliveries records in the issue's state what this run delivered
// for the group's transition, so a re-run sends only what is missing.
func (l *lifecycle) persistDeliveries(ctx context.Context, gr *GroupResult) {
	rec := gr.rec
	if rec == nil || rec.number == 0 || l.run.cfg.DryRun {
		return
	}
	body := l.run.text.groupBody(gr.group, gr.state, l.run.cfg.Label, l.run.cfg.ArtifactURL)
	if body == rec.body {
		return
	}
	owner, name := ghclient.RepoSegments(rec.repo)
	err := l.write(ctx, "record_deliveries", rec.ref(), func(ctx context.Context) error {
		_, _, err := l.gh.Issues.Edit(ctx, owner, name, rec.number, &github.IssueRequest{Body: github.String(body)})
		if err != nil && ambiguous(err) {
			_, _, err = l.gh.Issues.Edit(ctx, owner, name, rec.number, &github.IssueRequest{Body: github.String(body)})
		}
		return err
	})
	if err != nil {
		gr.fail("failed to record the deliveries in the issue (a re-run may deliver them again): " + ghclient.Reason(err))
		return
	}
	rec.body = body
}
