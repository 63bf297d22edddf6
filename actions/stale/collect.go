package stale

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// Collector reads repository state through the GitHub API, reading only
// what can change a decision:
//
//   - per repository: the repository, .github/ecosystem.yml, the open
//     issues (pull requests included) and/or open pull requests, oldest
//     update first, 100 per page, and the branches;
//   - an item whose updated_at is older than days_until_stale needs nothing
//     more: updated_at moves with every comment, label, commit, review or
//     edit, so nothing at all happened since;
//   - the items that need more (those carrying the stale label, whose
//     warning must be timed, and those updated recently, whose update may
//     have been a bot's) are looked up first in two repository-wide
//     listings that carry up to 100 entries per request: the issue events
//     (GET /repos/{o}/{r}/issues/events, newest first: the stale label's
//     labeled events) and the comments since the oldest moment needed
//     (GET /repos/{o}/{r}/issues/comments?since=);
//   - only an item these cannot decide (a pull request updated by a commit
//     or review, which neither listing shows; a warning older than the
//     events listing reaches) is read itself, later and in turn, by the run:
//     its timeline (or, for a branch, its last commit);
//   - the cursor of the previous run (Cursor) answers for every item whose
//     updated_at did not change since it was read, and for every branch
//     commit already read.
//
// Every request is taken from the Meter first; when it runs out the
// repository is listed only partly (its branches are then not decided: an
// open pull request on an unread page could protect one).
type Collector struct {
	GitHub *github.Client
	Now    time.Time
	// Logf receives progress lines (already safe to print: callers escape).
	Logf   func(format string, args ...any)
	Meter  *Meter
	Cursor *Cursor
}

// RepoError is a repository that could not be collected; its items are not
// planned (a partial view could hide an open pull request that protects a
// branch, so nothing is decided on it).
type RepoError = contract.RepoError

// errBudget is returned when the meter cannot pay for a request.
var errBudget = errors.New("request budget spent")

// Collect reads every repository. Errors of one repository are returned in
// the slice and do not stop the others; the error is non-nil only when ctx
// is done.
func (c *Collector) Collect(ctx context.Context, base Policy, repos []ghname.Repo) ([]*RepoState, []RepoError, error) {
	var out []*RepoState
	var errs []RepoError
	for _, repo := range repos {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		rs, err := c.collectRepo(ctx, base, repo)
		if err != nil {
			var pe *configError
			errs = append(errs, RepoError{Repository: repo.String(), Error: err.Error(), Config: errors.As(err, &pe), Deferred: errors.Is(err, errBudget)})
			continue
		}
		out = append(out, rs)
	}
	return out, errs, nil
}

type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

func (c *Collector) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

// take pays for one request, or fails with errBudget (wrapping the
// client's own stop when GitHub refused a request).
func (c *Collector) take() error {
	if c.Meter.Take(1, 0) {
		return nil
	}
	if why := c.Meter.Stopped(); why != "" {
		return fmt.Errorf("%w: %s", errBudget, why)
	}
	return errBudget
}

// noteStop stops the meter when err is a rate-limit stop.
func (c *Collector) noteStop(err error) {
	if ghclient.IsRateLimitStop(err) {
		c.Meter.Stop(ghclient.Reason(err))
	}
}

// pageList fetches pages 1, 2, ... (per_page 100), paying for each, and
// hands each page to each; it stops when each returns false. complete is
// false when the budget stopped it before the last page.
func pageList[T any](ctx context.Context, c *Collector, fetch func(opt github.ListOptions) ([]T, *github.Response, error), each func(items []T, resp *github.Response) bool) (complete bool, err error) {
	opt := github.ListOptions{Page: 1, PerPage: ghclient.PerPage}
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if err := c.take(); err != nil {
			return false, nil
		}
		items, resp, err := fetch(opt)
		if err != nil {
			c.noteStop(err)
			if ghclient.IsRateLimitStop(err) {
				return false, nil
			}
			return false, &ghclient.PartialError{Page: opt.Page, Err: err}
		}
		if !each(items, resp) {
			return true, nil
		}
		if resp == nil || resp.NextPage == 0 {
			return true, nil
		}
		if resp.NextPage <= opt.Page {
			return false, fmt.Errorf("failed to paginate: next page %d does not follow page %d", resp.NextPage, opt.Page)
		}
		opt.Page = resp.NextPage
	}
}

// prTemplatesNeedRefs reports whether a pull request message uses the head
// branch or SHA, which only the pull requests listing carries.
func prTemplatesNeedRefs(p Policy) bool {
	for _, text := range []string{p.StalePRMessage, p.CloseMessage} {
		t, err := ParseMessage("m", text)
		if err != nil || t == nil {
			continue
		}
		uses := false
		for _, tt := range t.Templates() {
			if tt.Tree != nil {
				walkFields(tt.Tree.Root, func(f string) { uses = uses || f == "Branch" || f == "SHA" })
			}
		}
		if uses {
			return true
		}
	}
	return false
}

func (c *Collector) collectRepo(ctx context.Context, base Policy, repo ghname.Repo) (*RepoState, error) {
	gh := c.GitHub
	owner, name := ghclient.RepoSegmentsOf(repo)
	if !c.Meter.Take(2, 0) {
		return nil, fmt.Errorf("%w: %s not read (the next run starts with it)", errBudget, repo)
	}
	r, _, err := gh.Repositories.Get(ctx, owner, name)
	if err != nil {
		c.noteStop(err)
		return nil, fmt.Errorf("failed to read repository %s: %w", repo, err)
	}
	rs := &RepoState{Repo: repo, DefaultBranch: r.GetDefaultBranch(), Fork: r.GetFork(), Archived: r.GetArchived(), Policy: base,
		OpenPRRefs: map[string][]int{}}

	fc, _, _, err := gh.Repositories.GetContents(ctx, owner, name, ConfigPath, nil)
	switch {
	case err == nil && fc != nil:
		text, err := fc.GetContent()
		if err != nil {
			return nil, fmt.Errorf("failed to decode %s of %s: %w", ConfigPath, repo, err)
		}
		source := repo.String() + ":" + ConfigPath
		p, err := ApplyConfig(base, []byte(text), source)
		if err != nil {
			return nil, &configError{err}
		}
		rs.Policy, rs.ConfigSource = p, source
	case err != nil && ghclient.StatusCode(err) != http.StatusNotFound:
		c.noteStop(err)
		return nil, fmt.Errorf("failed to read %s of %s: %w", ConfigPath, repo, err)
	}
	p := rs.Policy
	rs.cursor = c.Cursor.repo(repo.String(), p.StaleLabel)

	listPulls := p.IncludeBranches || (p.IncludePRs && (!p.IncludeIssues || prTemplatesNeedRefs(p)))
	listIssues := p.IncludeIssues || (p.IncludePRs && !listPulls)
	complete := true

	// Open pull requests: items, and the refs that protect branches.
	if listPulls {
		ok, err := pageList(ctx, c, func(o github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
			return gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "open", Sort: "updated", Direction: "asc", ListOptions: o})
		}, func(pulls []*github.PullRequest, _ *github.Response) bool {
			for _, pr := range pulls {
				rs.OpenPRRefs[pr.GetHead().GetLabel()] = append(rs.OpenPRRefs[pr.GetHead().GetLabel()], pr.GetNumber())
				baseLabel := owner + ":" + pr.GetBase().GetRef()
				rs.OpenPRRefs[baseLabel] = append(rs.OpenPRRefs[baseLabel], pr.GetNumber())
				if !p.IncludePRs {
					continue
				}
				it := &Item{Kind: KindPR, Repo: repo, Number: pr.GetNumber(), Title: pr.GetTitle(), URL: pr.GetHTMLURL(),
					Author: pr.GetUser().GetLogin(), Milestone: pr.GetMilestone().GetTitle(), Draft: pr.GetDraft(),
					CreatedAt: pr.GetCreatedAt().Time, UpdatedAt: pr.GetUpdatedAt().Time,
					Branch: pr.GetHead().GetRef(), SHA: pr.GetHead().GetSHA()}
				for _, l := range pr.Labels {
					it.Labels = append(it.Labels, l.GetName())
				}
				for _, a := range pr.Assignees {
					it.Assignees = append(it.Assignees, a.GetLogin())
				}
				rs.Items = append(rs.Items, it)
			}
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("failed to list open pull requests of %s: %w", repo, err)
		}
		complete = complete && ok
	}

	// Issues: stale candidates (and pull requests, when they were not
	// listed above) and the tracking issue.
	filtered := len(p.OnlyLabels) > 0
	trackingSeen := false
	addIssues := func(issues []*github.Issue) {
		for _, is := range issues {
			if p.own(is.GetUser().GetLogin(), is.GetBody(), MarkerBranches) {
				if rs.Tracking == nil || is.GetNumber() < rs.Tracking.Number {
					st, err := parseTracking(is.GetBody())
					if err != nil {
						c.logf("%s: tracking issue #%d: %v (starting a fresh list)", repo, is.GetNumber(), err)
					}
					rs.Tracking = &TrackingIssue{Number: is.GetNumber(), Body: is.GetBody(), State: st}
				}
				continue
			}
			kind := KindIssue
			if is.IsPullRequest() {
				if listPulls || !p.IncludePRs {
					continue
				}
				kind = KindPR
			} else if !p.IncludeIssues {
				continue
			}
			it := &Item{Kind: kind, Repo: repo, Number: is.GetNumber(), Title: is.GetTitle(), URL: is.GetHTMLURL(),
				Author: is.GetUser().GetLogin(), Milestone: is.GetMilestone().GetTitle(), Draft: is.GetDraft(),
				CreatedAt: is.GetCreatedAt().Time, UpdatedAt: is.GetUpdatedAt().Time}
			for _, l := range is.Labels {
				it.Labels = append(it.Labels, l.GetName())
			}
			for _, a := range is.Assignees {
				it.Assignees = append(it.Assignees, a.GetLogin())
			}
			rs.Items = append(rs.Items, it)
		}
	}
	if listIssues {
		opts := &github.IssueListByRepoOptions{State: "open", Sort: "updated", Direction: "asc"}
		if filtered {
			opts.Labels = p.OnlyLabels
		}
		ok, err := pageList(ctx, c, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
			opts.ListOptions = o
			return gh.Issues.ListByRepo(ctx, owner, name, opts)
		}, func(issues []*github.Issue, _ *github.Response) bool { addIssues(issues); return true })
		if err != nil {
			return nil, fmt.Errorf("failed to list open issues of %s: %w", repo, err)
		}
		complete = complete && ok
		trackingSeen = ok && !filtered
	}
	if p.IncludeBranches && !trackingSeen && complete {
		// The tracking issue: open issues the token's login opened.
		opts := &github.IssueListByRepoOptions{State: "open", Creator: p.self}
		ok, err := pageList(ctx, c, func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
			opts.ListOptions = o
			return gh.Issues.ListByRepo(ctx, owner, name, opts)
		}, func(issues []*github.Issue, _ *github.Response) bool {
			for _, is := range issues {
				if p.own(is.GetUser().GetLogin(), is.GetBody(), MarkerBranches) {
					addIssues([]*github.Issue{is})
				}
			}
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("failed to list the tracking issue of %s: %w", repo, err)
		}
		complete = complete && ok
	}
	rs.Partial = !complete
	if rs.Partial {
		c.logf("%s: the request budget ran out while listing: %d items listed; branches are decided on a later run", repo, len(rs.Items))
	}

	c.gatherEvidence(ctx, rs)

	if !p.IncludeBranches || rs.Partial {
		return rs, nil
	}
	ok, err := pageList(ctx, c, func(o github.ListOptions) ([]*github.Branch, *github.Response, error) {
		return gh.Repositories.ListBranches(ctx, owner, name, &github.BranchListOptions{ListOptions: o})
	}, func(branches []*github.Branch, _ *github.Response) bool {
		for _, b := range branches {
			it := &Item{Kind: KindBranch, Repo: repo, Branch: b.GetName(), SHA: b.GetCommit().GetSHA(), Protected: b.GetProtected()}
			rs.Items = append(rs.Items, it)
			if branchSafety(rs, it) != "" || p.exemptReason(it) != "" {
				continue // never touched: no need to read it
			}
			if m, ok := rs.cursor.commit(it.SHA); ok {
				it.Read, it.Evidence, it.CommitDate, it.Author = true, EvidenceCursor, m.Date, m.Author
				continue
			}
			it.needsRead = true
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("failed to list branches of %s: %w", repo, err)
	}
	if !ok {
		rs.Partial = true
		var keep []*Item
		for _, it := range rs.Items {
			if it.Kind != KindBranch {
				keep = append(keep, it)
			}
		}
		rs.Items = keep
	}
	return rs, nil
}

// readBranch reads a branch's last commit (one request, paid by the
// caller) and remembers it in the cursor.
func (c *Collector) readBranch(ctx context.Context, rs *RepoState, it *Item) error {
	owner, name := ghclient.RepoSegmentsOf(rs.Repo)
	cm, _, err := c.GitHub.Repositories.GetCommit(ctx, owner, name, it.SHA, nil)
	if err != nil {
		c.noteStop(err)
		if ghclient.IsRateLimitStop(err) || ctx.Err() != nil {
			return err
		}
		it.ReadError = ghclient.Reason(err)
		return nil
	}
	it.Read, it.Evidence = true, EvidenceTimeline
	it.CommitDate = cm.GetCommit().GetCommitter().GetDate().Time
	if it.CommitDate.IsZero() {
		it.CommitDate = cm.GetCommit().GetAuthor().GetDate().Time
	}
	it.Author = cm.GetAuthor().GetLogin()
	if it.Author == "" {
		it.Author = cm.GetCommit().GetAuthor().GetName()
	}
	rs.cursor.keepCommit(it.SHA, commitMemo{Date: it.CommitDate, Author: it.Author})
	return nil
}

// readTimeline reads an item's timeline (one request per 100 entries,
// each paid from the meter). A budget that runs out mid-way leaves the item
// unread (errBudget).
func (c *Collector) readTimeline(ctx context.Context, rs *RepoState, it *Item, paidFirst bool) error {
	owner, name := ghclient.RepoSegmentsOf(rs.Repo)
	var all []*github.Timeline
	opt := github.ListOptions{Page: 1, PerPage: ghclient.PerPage}
	for first := true; ; first = false {
		if !(first && paidFirst) {
			if err := c.take(); err != nil {
				return err
			}
		}
		tl, resp, err := c.GitHub.Issues.ListIssueTimeline(ctx, owner, name, it.Number, &opt)
		if err != nil {
			c.noteStop(err)
			if ghclient.IsRateLimitStop(err) || ctx.Err() != nil {
				return fmt.Errorf("failed to read the timeline of %s#%d: %w", rs.Repo, it.Number, err)
			}
			it.ReadError = ghclient.Reason(err)
			return nil
		}
		all = append(all, tl...)
		if resp == nil || resp.NextPage == 0 || resp.NextPage <= opt.Page {
			break
		}
		opt.Page = resp.NextPage
	}
	it.Read, it.Evidence, it.needsRead = true, EvidenceTimeline, false
	it.Activities = timelineActivities(all)
	return nil
}

// timelineActivities converts timeline entries to activities.
func timelineActivities(tl []*github.Timeline) []Activity {
	var out []Activity
	for _, e := range tl {
		a := Activity{Kind: ActOther, Actor: e.GetActor().GetLogin(), At: e.GetCreatedAt().Time, Event: e.GetEvent()}
		switch e.GetEvent() {
		case "commented":
			a.Kind = ActComment
			if u := e.GetUser().GetLogin(); u != "" {
				a.Actor = u
			}
			a.CommentID = e.GetID()
			a.Body = e.GetBody()
		case "committed":
			a.Kind = ActCommit
			a.Actor = e.GetAuthor().GetName()
			a.At = e.GetCommitter().GetDate().Time
			if a.At.IsZero() {
				a.At = e.GetAuthor().GetDate().Time
			}
		case "reviewed":
			a.Kind = ActReview
			if u := e.GetUser().GetLogin(); u != "" {
				a.Actor = u
			}
			if !e.GetSubmittedAt().IsZero() {
				a.At = e.GetSubmittedAt().Time
			}
		default:
			a = eventActivity(e.GetEvent(), a.Actor, a.At, e.GetLabel().GetName())
		}
		out = append(out, a)
	}
	return out
}

// eventActivity converts an issue event (from a timeline or the
// repository-wide listing).
func eventActivity(event, actor string, at time.Time, label string) Activity {
	a := Activity{Kind: ActOther, Actor: actor, At: at, Event: event}
	switch {
	case event == "labeled":
		a.Kind, a.Label = ActLabeled, label
	case event == "unlabeled":
		a.Kind, a.Label = ActUnlabeled, label
	case event == "reopened":
		a.Kind = ActReopened
	case activityEvents[event]:
		a.Kind = ActEvent
	}
	return a
}

// listingEvidence is what the repository-wide listings found.
type listingEvidence struct {
	acts map[int][]Activity
	// eventsFrom: every issue event at or after this time was listed
	// (zero: the events listing was not read or not usable).
	eventsFrom   time.Time
	eventsAll    bool // the listing was read to its end
	eventsPages  int
	commentsFrom time.Time // zero: not read (or abandoned)
	commentPages int
}

func (ev *listingEvidence) eventsCover(t time.Time) bool {
	return ev.eventsAll || (!ev.eventsFrom.IsZero() && !ev.eventsFrom.After(t))
}

func (ev *listingEvidence) commentsCover(t time.Time) bool {
	return !ev.commentsFrom.IsZero() && !ev.commentsFrom.After(t)
}

// markerWindow is how long before its label our warning comment may have
// been posted and still be looked for in the comments listing (it is posted
// right before the label; a label completed by a later run is older).
const markerWindow = time.Hour

// gatherEvidence classifies the items and answers as many as possible from
// the cursor and the repository-wide listings; the rest get needsRead.
func (c *Collector) gatherEvidence(ctx context.Context, rs *RepoState) {
	p := rs.Policy
	cutoff := c.Now.Add(-p.DaysUntilStale)
	var labelled, recent []*Item
	for _, it := range rs.Items {
		if it.Kind == KindBranch || rs.Archived || p.exemptReason(it) != "" {
			continue
		}
		has := it.HasLabel(p.StaleLabel)
		switch {
		case !has && it.CreatedAt.After(cutoff):
			continue // younger than the threshold: cannot be stale
		case !has && !it.UpdatedAt.After(cutoff):
			continue // not updated at all since the threshold: stale as listed
		case rs.cursor.recall(it, p.StaleLabel):
			continue
		case has:
			labelled = append(labelled, it)
		default:
			recent = append(recent, it)
		}
	}
	if len(labelled)+len(recent) == 0 {
		return
	}
	ev := &listingEvidence{acts: map[int][]Activity{}}
	if len(labelled) > 0 {
		c.listEvents(ctx, rs, ev, labelled)
	}
	// Comments are needed from the threshold (recently updated items) and
	// from shortly before each warning that something followed.
	var since time.Time
	need := 0
	if len(recent) > 0 {
		since, need = cutoff, len(recent)
	}
	for _, it := range labelled {
		l := latestStaleLabel(ev.acts[it.Number], p.StaleLabel)
		if l == nil || !it.UpdatedAt.After(l.At.Add(updateTolerance)) {
			continue
		}
		if t := l.At.Add(-markerWindow); since.IsZero() || t.Before(since) {
			since = t
		}
		need++
	}
	if need > 0 {
		c.listComments(ctx, rs, ev, since, need)
	}
	for _, it := range labelled {
		if ev.decidesLabelled(p, it) {
			it.Read, it.Evidence, it.Activities = true, EvidenceListings, ev.acts[it.Number]
		} else {
			it.needsRead = true
		}
	}
	for _, it := range recent {
		if ev.decidesRecent(p, it, cutoff) {
			it.Read, it.Evidence, it.Activities = true, EvidenceListings, ev.acts[it.Number]
		} else {
			it.needsRead = true
		}
	}
	n := 0
	for _, it := range append(labelled, recent...) {
		if it.needsRead {
			n++
		}
	}
	rs.Listings = fmt.Sprintf("%d items needed more than their list entry: %d answered by the repository-wide listings (%d events pages, %d comments pages), %d read one by one",
		len(labelled)+len(recent), len(labelled)+len(recent)-n, ev.eventsPages, ev.commentPages, n)
}

func latestStaleLabel(acts []Activity, label string) *Activity {
	var out *Activity
	for i := range acts {
		a := &acts[i]
		if a.Kind == ActLabeled && strings.EqualFold(a.Label, label) && (out == nil || !a.At.Before(out.At)) {
			out = a
		}
	}
	return out
}

// latestEntry is the latest time any listed entry of the item happened.
func latestEntry(it *Item, acts []Activity) time.Time {
	t := it.CreatedAt
	for _, a := range acts {
		if a.At.After(t) {
			t = a.At
		}
	}
	return t
}

// decidesLabelled: the listings decide a labelled item when they show the
// stale label added by the token's own login and everything after it: the
// events listing reaches back past the label, and either nothing changed
// after it (updated_at is the label's own), or the comments reach back to
// shortly before it and a listed entry explains updated_at (a human's entry
// alone is enough: it un-stales the item whatever else happened).
func (ev *listingEvidence) decidesLabelled(p Policy, it *Item) bool {
	acts := ev.acts[it.Number]
	l := latestStaleLabel(acts, p.StaleLabel)
	if l == nil || !p.byUs(l.Actor) || !ev.eventsCover(l.At) {
		return false
	}
	if !it.UpdatedAt.After(l.At.Add(updateTolerance)) {
		return true
	}
	if !ev.commentsCover(l.At.Add(-markerWindow)) {
		return false
	}
	for i := range acts {
		if acts[i].At.After(l.At) && p.countsAsActivity(&acts[i]) {
			return true
		}
	}
	return !it.UpdatedAt.After(latestEntry(it, acts).Add(updateTolerance))
}

// decidesRecent: the listings decide a recently updated item (not labelled)
// when they show a human's activity since the threshold; when our own
// warning comment is among them, the events must also reach back to it (a
// removed label would un-stale it).
func (ev *listingEvidence) decidesRecent(p Policy, it *Item, cutoff time.Time) bool {
	if !ev.commentsCover(cutoff) {
		return false
	}
	acts := ev.acts[it.Number]
	human := false
	for i := range acts {
		a := &acts[i]
		if a.Kind == ActComment && p.own(a.Actor, a.Body, MarkerWarning) && !ev.eventsCover(a.At) {
			return false
		}
		if a.At.After(cutoff) && p.countsAsActivity(a) {
			human = true
		}
	}
	return human
}

// listEvents reads the repository's issue events, newest first, until every
// labelled item's stale label event was seen, the events are older than
// any of them, or more pages were read than there are items left to find
// (reading those items one by one is then cheaper).
func (c *Collector) listEvents(ctx context.Context, rs *RepoState, ev *listingEvidence, labelled []*Item) {
	p := rs.Policy
	owner, name := ghclient.RepoSegmentsOf(rs.Repo)
	want := map[int]bool{}
	oldestCreated := c.Now
	for _, it := range labelled {
		want[it.Number] = true
		if it.CreatedAt.Before(oldestCreated) {
			oldestCreated = it.CreatedAt
		}
	}
	var oldest time.Time
	usable, ended := true, false
	_, err := pageList(ctx, c, func(o github.ListOptions) ([]*github.IssueEvent, *github.Response, error) {
		return c.GitHub.Issues.ListRepositoryEvents(ctx, owner, name, &o)
	}, func(events []*github.IssueEvent, resp *github.Response) bool {
		ev.eventsPages++
		ended = resp == nil || resp.NextPage == 0
		for i, e := range events {
			at := e.GetCreatedAt().Time
			if i > 0 && at.After(events[i-1].GetCreatedAt().Time) {
				usable = false // not newest first: coverage cannot be told
				return false
			}
			if oldest.IsZero() || at.Before(oldest) {
				oldest = at
			}
			n := e.GetIssue().GetNumber()
			if n == 0 {
				continue
			}
			a := eventActivity(e.GetEvent(), e.GetActor().GetLogin(), at, e.GetLabel().GetName())
			ev.acts[n] = append(ev.acts[n], a)
			if a.Kind == ActLabeled && strings.EqualFold(a.Label, p.StaleLabel) {
				delete(want, n)
			}
		}
		switch {
		case len(want) == 0, oldest.Before(oldestCreated), ev.eventsPages >= max(1, len(want)):
			return false
		}
		return true
	})
	switch {
	case err != nil && ghclient.IsNotFound(err):
		c.logf("%s: the repository's issue events listing is not served (%s); items are read one by one", rs.Repo, ghclient.Reason(err))
		ev.acts = map[int][]Activity{}
		return
	case err != nil:
		c.logf("%s: failed to list the repository's issue events: %v; items are read one by one", rs.Repo, ghclient.Reason(err))
		ev.acts = map[int][]Activity{}
		return
	case !usable:
		c.logf("%s: the issue events listing is not ordered newest first; items are read one by one", rs.Repo)
		ev.acts = map[int][]Activity{}
		return
	}
	// A listing read to its end covers everything; one the rules above (or
	// the budget) stopped covers from its oldest event.
	ev.eventsFrom, ev.eventsAll = oldest, ended
	for n := range ev.acts {
		sortActs(ev.acts[n])
	}
}

// listComments reads the repository's comments updated since since, unless
// its first page says there are more pages than items that need them.
func (c *Collector) listComments(ctx context.Context, rs *RepoState, ev *listingEvidence, since time.Time, need int) {
	owner, name := ghclient.RepoSegmentsOf(rs.Repo)
	got := map[int][]Activity{}
	abandoned := false
	opts := &github.IssueListCommentsOptions{Since: &since}
	ok, err := pageList(ctx, c, func(o github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		opts.ListOptions = o
		return c.GitHub.Issues.ListComments(ctx, owner, name, 0, opts)
	}, func(comments []*github.IssueComment, resp *github.Response) bool {
		ev.commentPages++
		if ev.commentPages == 1 && resp != nil && resp.LastPage > need {
			abandoned = true
			return false
		}
		for _, cm := range comments {
			n := issueNumber(cm.GetIssueURL())
			if n == 0 {
				continue
			}
			a := Activity{Kind: ActComment, Actor: cm.GetUser().GetLogin(), At: cm.GetCreatedAt().Time, CommentID: cm.GetID(), Body: cm.GetBody()}
			got[n] = append(got[n], a)
			if u := cm.GetUpdatedAt().Time; u.After(a.At.Add(updateTolerance)) {
				// An edit: explains updated_at, is not activity itself.
				got[n] = append(got[n], Activity{Kind: ActOther, Actor: a.Actor, At: u, Event: "comment edited"})
			}
		}
		return true
	})
	switch {
	case err != nil:
		c.logf("%s: failed to list the repository's comments: %v; items are read one by one", rs.Repo, ghclient.Reason(err))
		return
	case abandoned:
		c.logf("%s: %d pages of comments since %s are more than the %d items that need them: those are read one by one", rs.Repo, ev.commentPages, since.UTC().Format(time.RFC3339), need)
		return
	case !ok:
		return // the budget ran out: the items are read one by one, in turn
	}
	ev.commentsFrom = since
	for n, acts := range got {
		ev.acts[n] = append(ev.acts[n], acts...)
		sortActs(ev.acts[n])
	}
}

// issueNumber is the number at the end of an issue API URL.
func issueNumber(u string) int {
	i := strings.LastIndex(u, "/issues/")
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(u[i+len("/issues/"):])
	if err != nil {
		return 0
	}
	return n
}

func sortActs(acts []Activity) {
	sort.SliceStable(acts, func(i, j int) bool { return acts[i].At.Before(acts[j].At) })
}

// Complete makes every read the collector left for later (timelines,
// branch commits), within the meter, so that Decide can plan from the
// states alone. Run does not need it: it reads each item in turn.
func (c *Collector) Complete(ctx context.Context, states []*RepoState) error {
	for _, rs := range states {
		for _, it := range rs.Items {
			if !it.needsRead {
				continue
			}
			var err error
			if it.Kind == KindBranch {
				if err = c.take(); err == nil {
					err = c.readBranch(ctx, rs, it)
				}
			} else {
				err = c.readTimeline(ctx, rs, it, false)
			}
			if err != nil {
				return err
			}
			it.needsRead = false
		}
	}
	return nil
}
