package stale

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// RepoState is everything collected about one repository.
type RepoState struct {
	Repo          ghname.Repo
	DefaultBranch string
	Fork          bool
	Archived      bool
	// Policy is the effective policy (inputs + .github/ecosystem.yml).
	Policy Policy
	// ConfigSource names the override file when one was applied.
	ConfigSource string
	Items        []*Item
	// OpenPRRefs holds "owner:branch" for the head and base of every open
	// pull request. A fork's PR has head "fork-owner:branch", which does not
	// protect this repository's same-named branch.
	OpenPRRefs map[string][]int
	// Tracking is the existing open tracking issue (nil when none).
	Tracking *TrackingIssue
	// Host is the GitHub Enterprise Server host restore commands name ("" on
	// github.com).
	Host string
	// Partial is true when the request budget ran out before every list
	// page was read: the items listed are decided, branches are not.
	Partial bool
	// Listings says how the items that needed more than their list entry
	// were answered (report line).
	Listings string

	cursor *RepoCursor
}

// TrackingIssue is the per-repository "Stale branches" issue.
type TrackingIssue struct {
	Number int
	Body   string
	State  trackingState
}

// Decide turns collected state into a plan without reading or writing
// anything: every item must be decidable as collected (Read, or decided by
// its list entry). It is pure: the same state and now give the same plan,
// with operations_per_run applied oldest first as a run applies it.
func Decide(now time.Time, repos []*RepoState, operationsPerRun int, dryRun bool) (*Plan, error) {
	pl := newPlanner(now, operationsPerRun, Unlimited(), dryRun)
	if err := pl.run(context.Background(), repos); err != nil {
		return nil, err
	}
	return pl.plan, nil
}

// trackingFor is the tracking-issue update of a repository whose branches
// are processed (nil for forks, archived or partly listed repositories).
func trackingFor(rs *RepoState, branches []*PlannedItem) *TrackingUpdate {
	p := rs.Policy
	if !p.IncludeBranches || rs.Fork || rs.Archived || rs.Partial {
		return nil
	}
	t := &TrackingUpdate{Repository: rs.Repo.String(), Decision: DecisionNone, repo: rs.Repo}
	if rs.Tracking != nil {
		t.Number = rs.Tracking.Number
		t.state = rs.Tracking.State
	}
	t.render = func(st trackingState) string { return renderTracking(rs, st) }
	t.branches = branches
	return t
}

func kindOrder(k ItemKind) int {
	switch k {
	case KindPR:
		return 0
	case KindIssue:
		return 1
	}
	return 2
}

func newPlanned(now time.Time, rs *RepoState, it *Item) *PlannedItem {
	return &PlannedItem{
		Repository: rs.Repo.String(), repo: rs.Repo, Kind: it.Kind, Number: it.Number, Branch: it.Branch, Title: it.Title,
		URL: it.URL, Author: it.Author, SHA: it.SHA, Decision: DecisionNone,
	}
}

func (pi *PlannedItem) setActivity(now, at time.Time) {
	pi.LastActivity = at
	pi.InactiveDays = math.Floor(now.Sub(at).Hours()/24*10) / 10
}

func decideIssue(now time.Time, rs *RepoState, it *Item) (*PlannedItem, error) {
	p := rs.Policy
	pi := newPlanned(now, rs, it)
	pi.setActivity(now, it.UpdatedAt)
	if rs.Archived {
		pi.Decision, pi.Reason = DecisionSkipSafety, "repository is archived (read-only)"
		return pi, nil
	}
	if r := p.exemptReason(it); r != "" {
		pi.Decision, pi.Reason = DecisionSkipExempt, r
		return pi, nil
	}
	hasLabel := it.HasLabel(p.StaleLabel)
	if it.ReadError != "" {
		pi.Decision, pi.Reason = DecisionSkipFailure, "timeline could not be read: "+it.ReadError
		return pi, nil
	}
	cutoff := now.Add(-p.DaysUntilStale)
	var a assessment
	switch {
	case it.Read:
		a = p.assess(it)
	case !hasLabel && it.CreatedAt.After(cutoff):
		pi.setActivity(now, it.CreatedAt)
		pi.Reason = fmt.Sprintf("created %s, less than days_until_stale (%s) ago", day(it.CreatedAt), fmtDays(p.DaysUntilStale))
		return pi, nil
	case !hasLabel && !it.UpdatedAt.After(cutoff):
		// updated_at moves with every comment, label, commit, review and
		// edit: nothing at all happened since.
		a = assessment{lastActivity: it.UpdatedAt, lastWhat: "its last update of any kind (updated_at)"}
	default:
		pi.Decision, pi.Reason = DecisionSkipFailure, "its timeline was needed and not read"
		return pi, nil
	}
	pi.setActivity(now, a.lastActivity)
	issue := func(rest ...string) []string {
		return repoRoute(rs.Repo, append([]string{"issues", fmt.Sprint(it.Number)}, rest...)...)
	}
	closing := (it.Kind == KindPR && p.ClosePRs) || (it.Kind == KindIssue && p.CloseIssues)
	closeSwitch := "close_prs"
	if it.Kind == KindIssue {
		closeSwitch = "close_issues"
	}

	if a.warned {
		w := a.warnedAt
		pi.WarnedAt = &w
		pi.Stale = true
		closeAt := w.Add(p.DaysUntilClose)
		switch {
		case a.humanAfter != nil || (!hasLabel && a.unlabeledAfter):
			pi.Decision, pi.Stale = DecisionUnstale, false
			if a.humanAfter != nil {
				pi.Reason = fmt.Sprintf("activity after the warning of %s: %s by %s on %s", day(w), a.humanAfter.Kind, a.humanAfter.Actor, day(a.humanAfter.At))
			} else {
				pi.Reason = fmt.Sprintf("stale label removed after the warning of %s", day(w))
			}
			if hasLabel {
				pi.Calls = append(pi.Calls, newCall("DELETE", "remove label "+p.StaleLabel, nil, issue("labels", p.StaleLabel)...))
			}
			if a.marker != nil && a.marker.CommentID != 0 {
				body := strings.Replace(a.marker.Body, MarkerWarning, MarkerResolved, 1) +
					"\n\n_Resolved on " + day(now) + ": " + report.Markdown(pi.Reason) + "._"
				pi.Calls = append(pi.Calls, newCall("PATCH", "mark the warning comment resolved", map[string]any{"body": body},
					repoRoute(rs.Repo, "issues", "comments", fmt.Sprint(a.marker.CommentID))...))
			}
			if len(pi.Calls) == 0 {
				pi.Decision, pi.Stale = DecisionNone, false
				pi.Reason += " (nothing left to undo)"
			}
		case !hasLabel:
			// The warning comment exists but the label write failed.
			pi.Decision = DecisionWarn
			pi.Reason = fmt.Sprintf("completing the warning of %s: adding the missing %s label", day(a.marker.At), p.StaleLabel)
			pi.Calls = append(pi.Calls, newCall("POST", "add label "+p.StaleLabel, map[string]any{"labels": []string{p.StaleLabel}}, issue("labels")...))
		case !now.Before(closeAt):
			if !closing {
				pi.Reason = fmt.Sprintf("stale since %s; closing is off (%s: false)", day(w), closeSwitch)
				return pi, nil
			}
			pi.ActionDate = &closeAt
			pi.Decision = DecisionClose
			pi.Reason = fmt.Sprintf("warned on %s, no activity for %s days since", day(w), fmtDays(p.DaysUntilClose))
			if !a.closeMarkerAfter && p.CloseMessage != "" { // empty close_message: close without a comment
				msg, err := renderMessage("close_message", p.CloseMessage, messageData(now, rs, it, a, w))
				if err != nil {
					return nil, err
				}
				pi.Calls = append(pi.Calls, newCall("POST", "post the close comment", map[string]any{"body": MarkerClose + "\n" + msg}, issue("comments")...))
			}
			patch := map[string]any{"state": "closed"}
			if it.Kind == KindIssue {
				patch["state_reason"] = "not_planned"
			}
			pi.Restore = ReopenCommand(rs.Host, rs.Repo.String(), it.Kind, it.Number, p.StaleLabel)
			pi.Calls = append(pi.Calls, newCall("PATCH", "close (reopen: "+pi.Restore+")", patch, issue()...))
		default:
			if closing {
				pi.ActionDate = &closeAt
				pi.Reason = fmt.Sprintf("warned on %s; will be closed on %s", day(w), day(closeAt))
			} else {
				pi.Reason = fmt.Sprintf("warned on %s; closing is off (%s: false)", day(w), closeSwitch)
			}
		}
		return pi, nil
	}

	inactive := now.Sub(a.lastActivity)
	if !hasLabel && inactive < p.DaysUntilStale {
		pi.Reason = fmt.Sprintf("last activity %s (%s) is less than days_until_stale (%s) ago", day(a.lastActivity), a.lastWhat, fmtDays(p.DaysUntilStale))
		return pi, nil
	}
	pi.Decision, pi.Stale = DecisionWarn, true
	closeAt := now.Add(p.DaysUntilClose)
	if closing {
		pi.ActionDate = &closeAt
	}
	tmpl, name := p.StalePRMessage, "stale_pr_message"
	if it.Kind == KindIssue {
		tmpl, name = p.StaleIssueMessage, "stale_issue_message"
	}
	msg, err := renderMessage(name, tmpl, messageData(now, rs, it, a, now))
	if err != nil {
		return nil, err
	}
	pi.Calls = append(pi.Calls, newCall("POST", "post the stale warning", map[string]any{"body": MarkerWarning + "\n" + msg}, issue("comments")...))
	if hasLabel {
		pi.Reason = fmt.Sprintf("labelled %s without a warning comment: posting the warning (the grace period starts now)", p.StaleLabel)
	} else {
		pi.Reason = fmt.Sprintf("no activity since %s (%s), %s days >= days_until_stale (%s)", day(a.lastActivity), a.lastWhat, fmtDays(inactive), fmtDays(p.DaysUntilStale))
		pi.Calls = append(pi.Calls, newCall("POST", "add label "+p.StaleLabel, map[string]any{"labels": []string{p.StaleLabel}}, issue("labels")...))
	}
	return pi, nil
}

func messageData(now time.Time, rs *RepoState, it *Item, a assessment, warned time.Time) MessageData {
	p := rs.Policy
	willClose := (it.Kind == KindPR && p.ClosePRs) || (it.Kind == KindIssue && p.CloseIssues) || (it.Kind == KindBranch && p.DeleteBranches)
	return MessageData{
		Days:           int(now.Sub(a.lastActivity).Hours() / 24),
		DaysUntilStale: fmtDays(p.DaysUntilStale),
		DaysUntilClose: fmtDays(p.DaysUntilClose),
		CloseDate:      day(warned.Add(p.DaysUntilClose)),
		WarnedDate:     day(warned),
		WillClose:      willClose,
		Author:         report.Markdown(it.Author),
		Title:          report.Markdown(it.Title),
		Number:         it.Number,
		Label:          report.Code(p.StaleLabel),
		Kind:           it.Kind.Noun(),
		Repository:     rs.Repo.String(),
		Branch:         codeOrEmpty(it.Branch),
		SHA:            it.SHA,
	}
}

// branchSafety says why a branch must never be deleted, or "".
func branchSafety(rs *RepoState, it *Item) string {
	owner := rs.Repo.Owner
	switch {
	case rs.Fork:
		return "repository is a fork: its branches are never deleted"
	case rs.Archived:
		return "repository is archived (read-only)"
	case it.Branch == rs.DefaultBranch:
		return "default branch"
	case it.Protected:
		return "protected branch"
	}
	if prs := rs.OpenPRRefs[owner+":"+it.Branch]; len(prs) > 0 {
		return fmt.Sprintf("head or base of open pull request #%d", prs[0])
	}
	return ""
}

func decideBranch(now time.Time, rs *RepoState, it *Item) *PlannedItem {
	p := rs.Policy
	pi := newPlanned(now, rs, it)
	if !it.CommitDate.IsZero() {
		pi.setActivity(now, it.CommitDate)
	}
	if r := branchSafety(rs, it); r != "" {
		pi.Decision, pi.Reason = DecisionSkipSafety, r
		return pi
	}
	if r := p.exemptReason(it); r != "" {
		pi.Decision, pi.Reason = DecisionSkipExempt, r
		return pi
	}
	if !it.Read {
		pi.Decision, pi.Reason = DecisionSkipFailure, "last commit could not be read: "+it.ReadError
		return pi
	}
	var tracked *trackedBranch
	if rs.Tracking != nil {
		tracked = rs.Tracking.State.find(it.Branch)
	}
	if tracked != nil {
		w := tracked.WarnedAt
		pi.WarnedAt = &w
		pi.Stale = tracked.SHA == it.SHA
		deleteAt := w.Add(p.DaysUntilClose)
		switch {
		case tracked.SHA != it.SHA:
			pi.Decision = DecisionUnstale
			pi.Reason = fmt.Sprintf("new commit %s since the warning of %s", short(it.SHA), day(w))
		case !now.Before(deleteAt):
			if !p.DeleteBranches {
				pi.Reason = fmt.Sprintf("stale since %s; deleting is off (delete_branches: false)", day(w))
				return pi
			}
			pi.ActionDate = &deleteAt
			pi.Decision = DecisionDelete
			pi.Reason = fmt.Sprintf("warned on %s, no commit for %s days since", day(w), fmtDays(p.DaysUntilClose))
			pi.Restore = RestoreCommand(rs.Host, rs.Repo.String(), it.Branch, it.SHA)
			pi.Calls = []Call{newCall("DELETE", fmt.Sprintf("delete branch (last commit %s; restore: %s)", it.SHA, pi.Restore), nil,
				repoRoute(rs.Repo, append([]string{"git", "refs", "heads"}, ghclient.Segments(it.Branch)...)...)...)}
		default:
			if p.DeleteBranches {
				pi.ActionDate = &deleteAt
				pi.Reason = fmt.Sprintf("warned on %s; will be deleted on %s", day(w), day(deleteAt))
			} else {
				pi.Reason = fmt.Sprintf("warned on %s; deleting is off (delete_branches: false)", day(w))
			}
		}
		return pi
	}
	inactive := now.Sub(it.CommitDate)
	if inactive < p.DaysUntilStale {
		pi.Reason = fmt.Sprintf("last commit %s is less than days_until_stale (%s) ago", day(it.CommitDate), fmtDays(p.DaysUntilStale))
		return pi
	}
	pi.Decision, pi.Stale = DecisionWarn, true
	w := now
	pi.WarnedAt = &w
	if p.DeleteBranches {
		d := now.Add(p.DaysUntilClose)
		pi.ActionDate = &d
	}
	pi.Reason = fmt.Sprintf("no commit since %s, %s days >= days_until_stale (%s): listed in the tracking issue", day(it.CommitDate), fmtDays(inactive), fmtDays(p.DaysUntilStale))
	return pi
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

func codeOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return report.Code(s)
}
