package stale

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// Executor performs a plan's calls and nothing else, except the checks
// that keep a write from being doubled or wrong:
//
//   - before deleting a branch it reads the branch again (it must still be
//     at the planned SHA and unprotected);
//   - a write GitHub answered with a 5xx (or no answer at all) may have been
//     applied: before it is sent again the executor looks whether it was (the
//     comment posted, the tracking issue opened) and only then retries, once;
//     writes whose repetition changes nothing (labels, closing, editing,
//     deleting) are simply sent again, once;
//   - when the token's login could not be read, the author of the first
//     comment it posts is compared with the assumed login, and a mismatch
//     stops every further write.
//
// The planner pays for every planned request; the checks and retries come
// from the meter's reserve.
type Executor struct {
	GitHub *github.Client
	Now    time.Time
	// Logf receives one line per write and per deletion (with its restore
	// command). Arguments are untrusted; the caller's logger escapes them.
	Logf     func(format string, args ...any)
	Meter    *Meter
	Identity Identity
	// Cursor records the time of each content-creating write (GitHub's
	// hourly limit); nil for none.
	Cursor *Cursor
	// Clock is the time such writes are recorded at (default time.Now).
	Clock func() time.Time

	mismatch string
}

func (e *Executor) logf(format string, args ...any) {
	if e.Logf != nil {
		e.Logf(format, args...)
	}
}

func (e *Executor) clock() time.Time {
	if e.Clock != nil {
		return e.Clock()
	}
	return time.Now()
}

// Item makes the item's calls in order; it stops at the first that fails,
// so a failed comment is never followed by the label or the close.
func (e *Executor) Item(ctx context.Context, rs *RepoState, it *PlannedItem) {
	repo := it.Repository
	if it.Decision == DecisionDelete {
		if reason := e.recheckBranch(ctx, rs, it); reason != "" {
			it.Error = reason
			e.logf("%s: did not delete branch %s: %s (nothing deleted)", repo, it.Branch, reason)
			return
		}
	}
	for _, c := range it.Calls {
		ec := e.do(ctx, rs, c)
		it.Executed = append(it.Executed, ec)
		if ec.Error != "" {
			if ec.Deferred {
				it.Incomplete = fmt.Sprintf("stopped after %d of %d calls: %s; the next run completes it", len(it.Executed)-1, len(it.Calls), ec.Error)
			} else {
				it.Error = ec.Error
			}
			break
		}
	}
	switch {
	case it.Incomplete != "":
		e.logf("%s: %s %s: %s", repo, it.Decision, label(it), it.Incomplete)
	case it.Error != "" && it.Decision == DecisionDelete:
		e.logf("%s: failed to delete branch %s: %s (nothing deleted)", repo, it.Branch, it.Error)
	case it.Error != "":
		e.logf("%s: %s %s failed: %s", repo, it.Decision, label(it), it.Error)
	case it.Decision == DecisionDelete:
		e.logf("%s: deleted branch %s at %s; restore with: %s", repo, it.Branch, it.SHA, it.Restore)
	case it.Decision == DecisionClose:
		e.logf("%s: closed %s; reopen with: %s", repo, label(it), it.Restore)
	default:
		e.logf("%s: %s %s", repo, it.Decision, label(it))
	}
}

// Tracking writes a repository's tracking issue.
func (e *Executor) Tracking(ctx context.Context, rs *RepoState, t *TrackingUpdate) {
	ec := e.do(ctx, rs, *t.Call)
	t.Executed = &ec
	switch {
	case ec.Error != "":
		e.logf("%s: failed to write the tracking issue: %s (branches stay unwarned until the next run)", t.Repository, ec.Error)
	default:
		if ec.Number != 0 {
			t.Number = ec.Number
		}
		e.logf("%s: %s", t.Repository, t.Reason)
	}
}

// recheckBranch reads the branch right before it is deleted (one GET, paid
// by the planner) so that a branch that got a new commit, or became
// protected, since the plan was made is never deleted; it returns why the
// deletion is skipped, or "" to go ahead (also when the branch is gone
// already: the DELETE then finds nothing and counts as done). A pull request
// opened in the seconds between the plan and this read is not re-checked.
func (e *Executor) recheckBranch(ctx context.Context, rs *RepoState, it *PlannedItem) string {
	route := repoRoute(rs.Repo, append([]string{"branches"}, ghclient.Segments(it.Branch)...)...)
	path, err := ghclient.Path(route...)
	if err != nil {
		return fmt.Sprintf("failed to build the branch re-check: %v", err)
	}
	req, err := e.GitHub.NewRequest(http.MethodGet, strings.TrimPrefix(path, "/"), nil)
	if err != nil {
		return fmt.Sprintf("failed to build the branch re-check: %v", err)
	}
	var b github.Branch
	if _, err := e.GitHub.Do(ghclient.WithRoute(ctx, route...), req, &b); err != nil {
		if ghclient.IsNotFound(err) {
			return ""
		}
		return "failed to re-check the branch before deleting it: " + ghclient.Reason(err)
	}
	switch {
	case b.GetCommit().GetSHA() != it.SHA:
		return fmt.Sprintf("the branch moved to %s since the plan (planned %s)", short(b.GetCommit().GetSHA()), short(it.SHA))
	case b.GetProtected():
		return "the branch became protected since the plan"
	}
	return ""
}

func label(it *PlannedItem) string {
	if it.Kind == KindBranch {
		return "branch " + it.Branch
	}
	return fmt.Sprintf("%s #%d", it.Kind.Noun(), it.Number)
}

// send makes one request and returns its status and decoded body.
func (e *Executor) send(ctx context.Context, c Call, out any) (int, error) {
	var body any
	if c.Body != nil {
		body = c.Body
	}
	path := c.Path
	if len(c.Route) > 0 {
		// Built from its segments, each escaped as one, and declared: the
		// guard refuses anything that would reach another route.
		p, err := ghclient.Path(c.Route...)
		if err != nil {
			return 0, fmt.Errorf("refused to send %s: %w", c.Method, err)
		}
		path, ctx = p, ghclient.WithRoute(ctx, c.Route...)
	}
	req, err := e.GitHub.NewRequest(c.Method, strings.TrimPrefix(path, "/"), body)
	if err != nil {
		return 0, fmt.Errorf("failed to build request: %w", err)
	}
	if createsObject(c) {
		// Sent again only after the check in do.
		ctx = ghclient.NoServerErrorRetry(ctx)
	} else {
		out = nil // other writes answer with label lists, issues, nothing
	}
	resp, err := e.GitHub.Do(ctx, req, out)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if s := ghclient.StatusCode(err); s != 0 {
		status = s
	}
	return status, err
}

// ambiguous reports whether a failed write may have been applied: GitHub
// answered 5xx, or the connection failed after the request was sent.
func ambiguous(status int, err error) bool {
	if err == nil || ghclient.IsRateLimitStop(err) || errors.Is(err, context.Canceled) {
		return false
	}
	return status >= 500 || status == 0
}

// repeatable reports whether sending a call twice leaves the same state
// (adding a label, editing, closing, deleting).
func repeatable(c Call) bool {
	return !createsObject(c)
}

// created is the part of a created comment or issue the executor checks.
type created struct {
	ID     int64  `json:"id"`
	Number int    `json:"number"`
	Body   string `json:"body"`
	User   struct {
		Login string `json:"login"`
	} `json:"user"`
	CreatedAt time.Time `json:"created_at"`
}

// do sends one call: never twice when the first may have been applied and
// was; once more when it was not. Removing a label that is already gone
// and deleting a ref that no longer exists count as done: the state the call
// wanted is there.
func (e *Executor) do(ctx context.Context, rs *RepoState, c Call) ExecutedCall {
	ec := ExecutedCall{Call: c}
	if why := e.Meter.Stopped(); why != "" {
		ec.Error, ec.Deferred = "not sent: "+why, true
		return ec
	}
	var got created
	status, err := e.send(ctx, c, &got)
	ec.Status = status
	if err != nil && ambiguous(status, err) {
		first := ghclient.Reason(err)
		applied, checked := e.applied(ctx, rs, c, &got)
		switch {
		case applied:
			ec.Status, err = http.StatusCreated, nil
			ec.Note = fmt.Sprintf("answered %s, but the check found it applied: not sent again", first)
		case checked || repeatable(c):
			if e.Meter.TakeReserve(1, boolInt(contentCreating(c))) {
				status, err = e.send(ctx, c, &got)
				ec.Status = status
				ec.Note = fmt.Sprintf("answered %s; sent once more", first)
				if err != nil && ambiguous(status, err) && !repeatable(c) {
					if ok, _ := e.applied(ctx, rs, c, &got); ok {
						ec.Status, err = http.StatusCreated, nil
						ec.Note += "; the check found it applied"
					}
				}
			}
		default:
			ec.Note = "answered " + first + "; whether it was applied could not be checked, so it is not sent again"
		}
	}
	if err != nil {
		// Gone already: a removed label (404) or a ref that no longer exists
		// (422 "Reference does not exist"; a protected or default branch
		// also answers 422, which stays an error).
		if c.Method == http.MethodDelete && (status == http.StatusNotFound ||
			(status == http.StatusUnprocessableEntity && strings.Contains(c.Path, "/git/refs/") && strings.Contains(err.Error(), "does not exist"))) {
			return ec
		}
		if ghclient.IsRateLimitStop(err) {
			e.Meter.Stop(ghclient.Reason(err))
			ec.Deferred = true
		}
		ec.Error = ghclient.Reason(err)
		return ec
	}
	if contentCreating(c) && e.Cursor != nil {
		e.Cursor.Written = append(e.Cursor.Written, e.clock())
	}
	if createsObject(c) {
		ec.Number = got.Number
		e.checkAuthor(got.User.Login)
	}
	return ec
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkAuthor compares the author of a created comment or issue with the
// identity the run assumed; a mismatch stops further writes (the run's
// recognition of its own comments was wrong).
func (e *Executor) checkAuthor(login string) {
	if e.Identity.Verified || login == "" {
		return
	}
	if !e.Identity.Is(login) {
		e.mismatch = fmt.Sprintf("the token writes as %s, not %s (%s): no further writes this run; set bot_login: %s or let the token read its identity", login, e.Identity.Login, e.Identity.Source, login)
		e.Meter.Stop(e.mismatch)
		return
	}
	e.Identity.Verified = true
}

// applied looks whether an ambiguous content-creating write took effect:
// for a comment, a comment by the token's login with the same body posted
// since the write was sent; for an issue, an open issue the login opened
// with the same title and marker. checked is false when the check itself
// could not be made.
func (e *Executor) applied(ctx context.Context, rs *RepoState, c Call, out *created) (applied, checked bool) {
	if !createsObject(c) || !e.Meter.TakeReserve(1, 0) {
		return false, false
	}
	want, _ := c.Body.(map[string]any)
	body, _ := want["body"].(string)
	// Since the run started (its clock, not this machine's, decided what
	// to write), with room for clock skew: the action writes one such
	// comment per item per run.
	since := e.Now.Add(-5 * time.Minute)
	owner, name := ghclient.RepoSegmentsOf(rs.Repo)
	switch {
	case strings.HasSuffix(c.Path, "/comments"):
		n := issueNumber(strings.TrimSuffix(c.Path, "/comments"))
		cms, _, err := e.GitHub.Issues.ListComments(ctx, owner, name, n, &github.IssueListCommentsOptions{Since: &since, ListOptions: github.ListOptions{PerPage: 100}})
		if err != nil {
			return false, false
		}
		for _, cm := range cms {
			if e.Identity.Is(cm.GetUser().GetLogin()) && sameText(cm.GetBody(), body) {
				out.ID, out.Body, out.User.Login = cm.GetID(), cm.GetBody(), cm.GetUser().GetLogin()
				return true, true
			}
		}
		return false, true
	case strings.HasSuffix(c.Path, "/issues"):
		title, _ := want["title"].(string)
		iss, _, err := e.GitHub.Issues.ListByRepo(ctx, owner, name, &github.IssueListByRepoOptions{State: "open", Creator: e.Identity.Login,
			Sort: "created", Direction: "desc", Since: since, ListOptions: github.ListOptions{PerPage: 30}})
		if err != nil {
			return false, false
		}
		for _, is := range iss {
			if is.GetTitle() == title && startsWithMarker(is.GetBody(), MarkerBranches) && e.Identity.Is(is.GetUser().GetLogin()) {
				out.Number, out.User.Login = is.GetNumber(), is.GetUser().GetLogin()
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

// sameText compares bodies as GitHub may store them (CRLF, trailing space).
func sameText(a, b string) bool {
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return norm(a) == norm(b)
}

// Execute performs a plan made by Decide: per repository, the items' calls,
// then the tracking-issue update (rebuilt so that a branch whose deletion
// failed stays warned). Run does the same item by item as it decides; this
// is for callers that plan first and act later.
func (e *Executor) Execute(ctx context.Context, states []*RepoState, plan *Plan) {
	for _, repo := range plan.repositories() {
		rs := stateOf(states, repo)
		if rs == nil {
			rs = &RepoState{Repo: plan.repo(repo)}
		}
		failed := map[string]bool{}
		for _, it := range plan.Items {
			if it.Repository != repo || len(it.Calls) == 0 {
				continue
			}
			e.Item(ctx, rs, it)
			if it.Error != "" && it.Decision == DecisionDelete {
				failed[it.Branch] = true
			}
		}
		t := plan.tracking(repo)
		if t == nil {
			continue
		}
		if len(failed) > 0 {
			t.rebuild(e.Now, failed)
		}
		if t.Call != nil {
			e.Tracking(ctx, rs, t)
		}
	}
}
