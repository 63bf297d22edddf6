package stale

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Decision is what happens to an item in this run.
type Decision string

// Decisions. Only warn, unstale, close and delete write.
const (
	DecisionNone        Decision = "none"
	DecisionWarn        Decision = "warn"
	DecisionUnstale     Decision = "unstale"
	DecisionClose       Decision = "close"
	DecisionDelete      Decision = "delete"
	DecisionSkipExempt  Decision = "skip-exempt"
	DecisionSkipSafety  Decision = "skip-safety"
	DecisionSkipBudget  Decision = "skip-budget"
	DecisionSkipFailure Decision = "skip-error"
)

// Call is one API request a decision makes: the exact method and path
// (relative to the API root) and the JSON body, plus a one-line summary.
type Call struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	Body    any    `json:"body,omitempty"`
	Summary string `json:"summary"`
}

// String is "METHOD /path".
func (c Call) String() string { return c.Method + " " + c.Path }

// PlannedItem is one item of the plan.
type PlannedItem struct {
	Repository   string     `json:"repository"`
	Kind         ItemKind   `json:"kind"`
	Number       int        `json:"number,omitempty"`
	Branch       string     `json:"branch,omitempty"`
	Title        string     `json:"title,omitempty"`
	URL          string     `json:"url,omitempty"`
	Author       string     `json:"author,omitempty"`
	SHA          string     `json:"sha,omitempty"`
	LastActivity time.Time  `json:"last_activity,omitzero"`
	InactiveDays float64    `json:"inactive_days"`
	WarnedAt     *time.Time `json:"warned_at,omitempty"`
	// ActionDate is when the item will be (or was due to be) closed/deleted.
	ActionDate *time.Time `json:"action_date,omitempty"`
	Decision   Decision   `json:"decision"`
	Reason     string     `json:"reason"`
	// Stale is true for an item inactive past days_until_stale or already
	// warned (and not un-staled by this run).
	Stale bool   `json:"stale"`
	Calls []Call `json:"calls,omitempty"`
	// Restore is the command that undoes the item's destructive action:
	// it recreates a deleted branch, or reopens a closed pull request or
	// issue.
	Restore string `json:"restore,omitempty"`
	// Result of execution (real runs only).
	Executed []ExecutedCall `json:"executed,omitempty"`
	Error    string         `json:"error,omitempty"`
}

// ExecutedCall is a call made by Execute and its outcome.
type ExecutedCall struct {
	Call
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}

// TrackingUpdate is the batched write of a repository's tracking issue
// (created when missing, updated in place otherwise).
type TrackingUpdate struct {
	Repository string        `json:"repository"`
	Number     int           `json:"number,omitempty"`
	Call       *Call         `json:"call,omitempty"`
	Decision   Decision      `json:"decision"`
	Reason     string        `json:"reason"`
	Executed   *ExecutedCall `json:"executed,omitempty"`

	state    trackingState
	next     trackingState
	render   func(trackingState) string
	branches []*PlannedItem
}

// Budget reports how operations_per_run was spent.
type Budget struct {
	Limit     int  `json:"limit"`
	Planned   int  `json:"planned_writes"`
	Deferred  int  `json:"deferred_items"`
	Exhausted bool `json:"exhausted"`
}

// Plan is the complete set of decisions of a run.
type Plan struct {
	GeneratedAt time.Time         `json:"generated_at"`
	DryRun      bool              `json:"dry_run"`
	Items       []*PlannedItem    `json:"items"`
	Tracking    []*TrackingUpdate `json:"tracking_issues,omitempty"`
	Budget      Budget            `json:"budget"`
}

// Calls lists every write the plan makes, in execution order.
func (p *Plan) Calls() []Call {
	var out []Call
	for _, repo := range p.repositories() {
		for _, it := range p.Items {
			if it.Repository == repo {
				out = append(out, it.Calls...)
			}
		}
		for _, t := range p.Tracking {
			if t.Repository == repo && t.Call != nil {
				out = append(out, *t.Call)
			}
		}
	}
	return out
}

func (p *Plan) repositories() []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range p.Items {
		if !seen[it.Repository] {
			seen[it.Repository] = true
			out = append(out, it.Repository)
		}
	}
	for _, t := range p.Tracking {
		if !seen[t.Repository] {
			seen[t.Repository] = true
			out = append(out, t.Repository)
		}
	}
	return out
}

// Count returns how many items have the decision and kind ("" = any kind).
func (p *Plan) Count(kind ItemKind, d Decision) int {
	n := 0
	for _, it := range p.Items {
		if it.Decision == d && (kind == "" || it.Kind == kind) {
			n++
		}
	}
	return n
}

// applyBudget keeps the writes of the oldest items up to limit and turns
// the rest into skip-budget. A branch's warn/unstale costs nothing itself
// but needs its repository's tracking update (1 write, paid once).
func (p *Plan) applyBudget(limit int) {
	p.Budget.Limit = limit
	var writers []*PlannedItem
	for _, it := range p.Items {
		if it.writes() {
			writers = append(writers, it)
		}
	}
	sort.SliceStable(writers, func(i, j int) bool {
		a, b := writers[i], writers[j]
		if !a.LastActivity.Equal(b.LastActivity) {
			return a.LastActivity.Before(b.LastActivity)
		}
		if a.Repository != b.Repository {
			return a.Repository < b.Repository
		}
		if a.Number != b.Number {
			return a.Number < b.Number
		}
		return a.Branch < b.Branch
	})
	trackingPaid := map[string]bool{}
	used := 0
	for _, it := range writers {
		cost := len(it.Calls)
		needTracking := it.Kind == KindBranch && !trackingPaid[it.Repository] && p.tracking(it.Repository) != nil
		if needTracking {
			cost++
		}
		if used+cost > limit {
			it.Reason = fmt.Sprintf("deferred: operations_per_run (%d) spent on older items; was: %s %s", limit, it.Decision, it.Reason)
			it.Decision = DecisionSkipBudget
			it.Calls = nil
			p.Budget.Deferred++
			p.Budget.Exhausted = true
			continue
		}
		used += cost
		if needTracking {
			trackingPaid[it.Repository] = true
		}
	}
	// Tracking updates whose branches were all deferred are rebuilt
	// without them (or dropped when nothing changes).
	for _, t := range p.Tracking {
		t.rebuild(p.GeneratedAt, nil)
		if t.Call != nil && !trackingPaid[t.Repository] {
			// Only housekeeping (vanished branches): pay if there is room.
			if used+1 > limit {
				t.Call = nil
				t.Decision = DecisionSkipBudget
				t.Reason = "deferred: operations_per_run spent"
				p.Budget.Exhausted = true
				continue
			}
			used++
		}
	}
	p.Budget.Planned = used
}

// writes reports whether the item's decision writes (directly or through
// its repository's tracking issue).
func (it *PlannedItem) writes() bool {
	switch it.Decision {
	case DecisionWarn, DecisionUnstale, DecisionClose, DecisionDelete:
		return true
	}
	return false
}

func (p *Plan) tracking(repo string) *TrackingUpdate {
	for _, t := range p.Tracking {
		if t.Repository == repo {
			return t
		}
	}
	return nil
}

// escapePath escapes each segment of a slash-separated name (a branch or
// ref) but keeps the slashes, as GitHub's multi-segment parameters expect.
func escapePath(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// RestoreCommand is the command that recreates a deleted branch.
func RestoreCommand(repo, branch, sha string) string {
	return fmt.Sprintf("gh api repos/%s/git/refs -f ref=refs/heads/%s -f sha=%s", repo, shellQuote(branch), sha)
}

// ReopenCommand is the command that reopens a closed pull request or issue.
func ReopenCommand(repo string, kind ItemKind, number int) string {
	if kind == KindPR {
		return fmt.Sprintf("gh pr reopen %d --repo %s", number, repo)
	}
	return fmt.Sprintf("gh issue reopen %d --repo %s", number, repo)
}

// shellQuote quotes a branch name for a POSIX shell when it needs it.
func shellQuote(s string) string {
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
