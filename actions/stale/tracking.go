package stale

import (
	"fmt"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// stateBlock names the report.HiddenJSON block that ends the tracking
// issue's body with its machine-readable state.
const stateBlock = "ecosystem-actions:stale-branches-state"

// maxDeletedKept bounds the "recently deleted" section of the issue.
const maxDeletedKept = 30

type trackingState struct {
	Branches []trackedBranch `json:"branches"`
	Deleted  []deletedBranch `json:"deleted,omitempty"`
}

type trackedBranch struct {
	Name       string    `json:"name"`
	SHA        string    `json:"sha"`
	Author     string    `json:"author,omitempty"`
	LastCommit time.Time `json:"last_commit"`
	WarnedAt   time.Time `json:"warned_at"`
}

type deletedBranch struct {
	Name      string    `json:"name"`
	SHA       string    `json:"sha"`
	DeletedAt time.Time `json:"deleted_at"`
	Restore   string    `json:"restore"`
}

func (s *trackingState) find(name string) *trackedBranch {
	for i := range s.Branches {
		if s.Branches[i].Name == name {
			return &s.Branches[i]
		}
	}
	return nil
}

// parseTracking reads the state from a tracking issue body. A body without
// state (edited by hand) gives an empty state: every branch is warned anew,
// which only delays deletions, never hastens them.
func parseTracking(body string) (trackingState, error) {
	var st trackingState
	if _, err := report.FindHiddenJSON(body, stateBlock, &st); err != nil {
		return trackingState{}, fmt.Errorf("failed to parse the tracking issue state: %w", err)
	}
	return st, nil
}

func encodeState(st trackingState) string { return report.HiddenJSON(stateBlock, st) }

func (a trackingState) equal(b trackingState) bool {
	return encodeState(a) == encodeState(b)
}

// rebuild computes the tracking issue's new state from the branches'
// decisions (after the budget) and sets the call when it changed. failed
// lists deletions that failed at execution: they stay warned.
func (t *TrackingUpdate) rebuild(now time.Time, failed map[string]bool) {
	byName := map[string]*PlannedItem{}
	for _, b := range t.branches {
		byName[b.Branch] = b
	}
	var next trackingState
	next.Deleted = append(next.Deleted, t.state.Deleted...)
	for _, old := range t.state.Branches {
		pi := byName[old.Name]
		switch {
		case pi == nil:
			// Branch gone (deleted or merged by someone else): forget it.
		case pi.Decision == DecisionSkipSafety || pi.Decision == DecisionSkipExempt:
			// Now protected / exempt: the warning no longer applies.
		case pi.Decision == DecisionUnstale:
		case pi.Decision == DecisionDelete && !failed[old.Name]:
			next.Deleted = append(next.Deleted, deletedBranch{Name: old.Name, SHA: pi.SHA, DeletedAt: now, Restore: pi.Restore})
		default:
			next.Branches = append(next.Branches, old)
		}
	}
	for _, b := range t.branches {
		if b.Decision == DecisionWarn {
			next.Branches = append(next.Branches, trackedBranch{Name: b.Branch, SHA: b.SHA, Author: b.Author, LastCommit: b.LastActivity, WarnedAt: *b.WarnedAt})
		}
	}
	if len(next.Deleted) > maxDeletedKept {
		next.Deleted = next.Deleted[len(next.Deleted)-maxDeletedKept:]
	}
	t.next = next
	if next.equal(t.state) {
		t.Call = nil
		t.Decision = DecisionNone
		t.Reason = "no change"
		return
	}
	body := t.render(next)
	if t.Number == 0 {
		t.Decision = DecisionWarn
		t.Reason = fmt.Sprintf("create the tracking issue: %d stale branches", len(next.Branches))
		c := newCall("POST", "create the "+TrackingIssueTitle+" issue", map[string]any{"title": TrackingIssueTitle, "body": body}, repoRoute(t.repo, "issues")...)
		t.Call = &c
		return
	}
	t.Decision = DecisionWarn
	t.Reason = fmt.Sprintf("update the tracking issue: %d stale branches, %d recently deleted", len(next.Branches), len(next.Deleted))
	c := newCall("PATCH", fmt.Sprintf("update the %s issue #%d in place", TrackingIssueTitle, t.Number), map[string]any{"body": body},
		repoRoute(t.repo, "issues", fmt.Sprint(t.Number))...)
	t.Call = &c
}

// renderTracking renders the tracking issue body. Every name that came from
// GitHub is escaped (branch names are code spans, logins lose their @).
func renderTracking(rs *RepoState, st trackingState) string {
	p := rs.Policy
	var b strings.Builder
	b.WriteString(MarkerBranches + "\n")
	fmt.Fprintf(&b, "Branches of %s without a commit for %s days. ", report.Markdown(rs.Repo.String()), fmtDays(p.DaysUntilStale))
	if p.DeleteBranches {
		fmt.Fprintf(&b, "Each is deleted %s days after it was listed here unless it gets a new commit. ", fmtDays(p.DaysUntilClose))
	} else {
		b.WriteString("Deleting is off (`delete_branches: false`): nothing is deleted. ")
	}
	b.WriteString("The default branch, protected branches and branches with open pull requests are never listed.\n\n")
	if len(st.Branches) == 0 {
		b.WriteString("No stale branches.\n")
	} else {
		t := report.Table{Header: []string{"Branch", "Last commit", "Author", "Committed", "Warned", "Deletion date", "Note"}}
		for _, br := range st.Branches {
			del := "never (deleting is off)"
			if p.DeleteBranches {
				del = day(br.WarnedAt.Add(p.DaysUntilClose))
			}
			it := &Item{Kind: KindBranch, Branch: br.Name, SHA: br.SHA, Author: br.Author}
			note, err := renderMessage("stale_branch_message", p.StaleBranchMessage,
				messageData(br.WarnedAt, rs, it, assessment{lastActivity: br.LastCommit}, br.WarnedAt))
			if err != nil {
				note = "" // validated before planning; cannot happen
			}
			t.Rows = append(t.Rows, []string{report.Code(br.Name), report.Code(short(br.SHA)), report.Markdown(br.Author), day(br.LastCommit), day(br.WarnedAt), del, note})
		}
		b.WriteString(t.Markdown())
	}
	if len(st.Deleted) > 0 {
		b.WriteString("\n### Recently deleted\n\n")
		t := report.Table{Header: []string{"Branch", "Last commit", "Deleted", "Restore with"}}
		for _, d := range st.Deleted {
			t.Rows = append(t.Rows, []string{report.Code(d.Name), report.Code(d.SHA), day(d.DeletedAt), report.Code(d.Restore)})
		}
		b.WriteString(t.Markdown())
	}
	b.WriteString("\n" + encodeState(st) + "\n")
	return b.String()
}
