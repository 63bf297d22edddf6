package alert

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

// Claims keep two alert runs that act at once (two workflows filing into
// one repository: a concurrency group cannot serialise them) from both
// opening an issue for a group, or both announcing the same change.
//
// Before a run writes generation N of a group (opens its issue, adopts one,
// or announces a new problem, a reopening or a resolution), it creates the
// label alert-claim-<group>-<N> in the issue's repository. GitHub creates a
// label name once: the second run gets 422 already_exists, waits until the
// winner's issue shows generation N, reads it and merges its own view into
// it (with the same reports: nothing to do). After writing N the winner
// deletes the label of N-1, so a group keeps one claim label at rest.
//
// A claim whose run died before writing (the label is there, the issue never
// reaches N) is taken over once it is older than claimStale.
const (
	claimPrefix = "alert-claim-"
	claimColor  = "ededed"
	claimStale  = 10 * time.Minute
)

// claimLabel is the label that claims generation gen of group gid.
func claimLabel(gid string, gen int) string { return fmt.Sprintf("%s%s-%d", claimPrefix, gid, gen) }

// claimDescription says who claimed, and when (label descriptions hold at
// most 100 characters).
func (l *lifecycle) claimDescription() string {
	return fmt.Sprintf("ecosystem-actions alert claim %s at %s", l.claimID, l.run.now.UTC().Format(time.RFC3339))
}

func parseClaimTime(desc string) (time.Time, bool) {
	i := strings.LastIndex(desc, " at ")
	if i < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(desc[i+4:]))
	return t, err == nil
}

// ambiguous reports whether a failed write may have been applied: a 5xx
// answer, or no answer at all (reset, timeout).
func ambiguous(err error) bool {
	var na *notApplied
	if err == nil || ghclient.IsRateLimitStop(err) || errors.As(err, &na) {
		return false
	}
	code := ghclient.StatusCode(err)
	return code == 0 || code >= 500
}

// notApplied is a failed write that was looked for afterwards and is not
// there: it is safe to release its claim.
type notApplied struct{ err error }

func (e *notApplied) Error() string { return ghclient.Reason(e.err) }

// claim creates the claim label of generation gen. It returns true when
// this run holds the claim. A lost answer is settled by reading the label:
// it is this run's when its description carries this run's claim id.
func (l *lifecycle) claim(ctx context.Context, repo, gid string, gen int) (bool, error) {
	owner, name := ghclient.RepoSegments(repo)
	label := claimLabel(gid, gen)
	c := Call{Channel: ChannelIssue, Action: "claim", Target: repo + " label " + label}
	if l.run.cfg.DryRun {
		c.Status = "planned"
		l.run.addCall(c)
		return true, nil
	}
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		_, _, err = l.gh.Issues.CreateLabel(ghclient.NoServerErrorRetry(ctx), owner, name,
			&github.Label{Name: github.String(label), Color: github.String(claimColor), Description: github.String(l.claimDescription())})
		if err == nil {
			c.Status = "done"
			l.run.addCall(c)
			return true, nil
		}
		if ghclient.StatusCode(err) == http.StatusUnprocessableEntity {
			c.Status, c.Error = "done", "already claimed by another run"
			l.run.addCall(c)
			return false, nil
		}
		if !ambiguous(err) {
			break
		}
		got, _, gerr := l.gh.Issues.GetLabel(ctx, owner, name, label)
		switch {
		case gerr == nil:
			mine := strings.Contains(got.GetDescription(), l.claimID)
			c.Status = "done"
			if !mine {
				c.Error = "already claimed by another run"
			}
			l.run.addCall(c)
			return mine, nil
		case ghclient.IsNotFound(gerr):
			continue // not applied: create it again
		default:
			err = gerr
		}
		break
	}
	c.Status, c.Error = "failed", ghclient.Reason(err)
	l.run.addCall(c)
	return false, fmt.Errorf("failed to claim the group (label %s in %s): %s", label, repo, ghclient.Reason(err))
}

// release deletes a claim label (best effort: a leftover label only costs a
// later run a wait for a stale claim).
func (l *lifecycle) release(ctx context.Context, repo, gid string, gen int) {
	if gen < 1 || l.run.cfg.DryRun {
		return
	}
	owner, name := ghclient.RepoSegments(repo)
	label := claimLabel(gid, gen)
	c := Call{Channel: ChannelIssue, Action: "release_claim", Target: repo + " label " + label, Status: "done"}
	if _, err := l.gh.Issues.DeleteLabel(ctx, owner, name, label); err != nil && !ghclient.IsNotFound(err) {
		c.Status, c.Error = "failed", ghclient.Reason(err)
		l.run.logf("could not delete the claim label %s in %s (harmless): %s", label, repo, ghclient.Reason(err))
		c.Status = "skipped"
	}
	l.run.addCall(c)
}

// takeover claims a generation whose claim is older than claimStale (its
// run died before writing): the old label is deleted and created again.
func (l *lifecycle) takeover(ctx context.Context, repo, gid string, gen int) (bool, string) {
	owner, name := ghclient.RepoSegments(repo)
	label := claimLabel(gid, gen)
	got, _, err := l.gh.Issues.GetLabel(ctx, owner, name, label)
	if err != nil {
		if ghclient.IsNotFound(err) {
			won, cerr := l.claim(ctx, repo, gid, gen)
			if cerr != nil {
				return false, cerr.Error()
			}
			return won, "the claim was released meanwhile"
		}
		return false, "could not read the claim label: " + ghclient.Reason(err)
	}
	at, ok := parseClaimTime(got.GetDescription())
	if ok && l.run.now.Sub(at) < claimStale {
		return false, fmt.Sprintf("another alert run claimed this group at %s and has not finished writing its issue; nothing was written, to avoid a duplicate (the claim is taken over after %s)", at.Format(time.RFC3339), claimStale)
	}
	l.run.logf("taking over the claim %s in %s (claimed %s, older than %s: that run did not finish)", label, repo, got.GetDescription(), claimStale)
	if _, err := l.gh.Issues.DeleteLabel(ctx, owner, name, label); err != nil && !ghclient.IsNotFound(err) {
		return false, "could not delete the stale claim label: " + ghclient.Reason(err)
	}
	won, cerr := l.claim(ctx, repo, gid, gen)
	if cerr != nil {
		return false, cerr.Error()
	}
	if !won {
		return false, "another run took the stale claim over first"
	}
	return true, ""
}
