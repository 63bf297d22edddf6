package stale

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
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
	// Route is the path's segments, unescaped: the executor builds the
	// path from them (ghclient.Path, every segment escaped as one) and
	// declares them (ghclient.WithRoute), so no name — a label, a branch —
	// can address another route. Path shows the same, escaped.
	Route []string `json:"-"`
}

// newCall builds a Call whose path is route, each segment escaped as one
// (ghclient.Path). A segment that cannot be one (a label ".."; input
// validation refuses those) leaves Path showing the raw segments, and the
// executor refuses to send it.
func newCall(method, summary string, body any, route ...string) Call {
	p, err := ghclient.Path(route...)
	if err != nil {
		p = "/" + strings.Join(route, "/")
	}
	return Call{Method: method, Path: p, Body: body, Summary: summary, Route: route}
}

// repoRoute is "repos", owner, name, then rest: the route of a repository
// API call, unescaped (newCall and ghclient.WithRoute escape it).
func repoRoute(repo ghname.Repo, rest ...string) []string {
	return append([]string{"repos", repo.Owner, repo.Name}, rest...)
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
	// Result of execution (real runs only). Error is a write that failed
	// (the step fails); Incomplete an item a rate limit interrupted (the
	// next run completes it).
	Executed   []ExecutedCall `json:"executed,omitempty"`
	Error      string         `json:"error,omitempty"`
	Incomplete string         `json:"incomplete,omitempty"`

	// repo is the repository Repository names, as the run was given it.
	repo ghname.Repo
}

// ExecutedCall is a call made by Execute and its outcome.
type ExecutedCall struct {
	Call
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
	// Note says what happened after an ambiguous answer (checked, sent
	// again).
	Note string `json:"note,omitempty"`
	// Deferred: a rate limit stopped it (not a failure of the write).
	Deferred bool `json:"deferred,omitempty"`
	// Number is the issue a created issue got.
	Number int `json:"number,omitempty"`
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

	repo     ghname.Repo
	state    trackingState
	next     trackingState
	render   func(trackingState) string
	branches []*PlannedItem
}

// Budget reports how operations_per_run and the request budget were
// spent.
type Budget struct {
	// Limit is operations_per_run; Planned the writes planned within it.
	Limit   int `json:"limit"`
	Planned int `json:"planned_writes"`
	// Deferred items wait for the next run (oldest first): operations_per_run
	// or the request budget ran out before them.
	Deferred  int  `json:"deferred_items"`
	Exhausted bool `json:"exhausted"`
	// RateLimit and RateRemaining are the core limit and what was left when
	// the run started (0 when not known); Requests is what the run spent,
	// ContentWrites the content-creating writes among them.
	RateLimit     int `json:"rate_limit"`
	RateRemaining int `json:"rate_remaining"`
	Requests      int `json:"requests"`
	ContentWrites int `json:"content_writes"`
	// RequestsExhausted is true when the request budget (not
	// operations_per_run) deferred items; Stopped is why GitHub stopped the
	// run, if it did.
	RequestsExhausted bool   `json:"requests_exhausted"`
	Stopped           string `json:"stopped,omitempty"`
	// DeferredRequests estimates what the deferred items still need, and
	// RunsForPass how many runs at this budget a full pass takes (this one
	// included; 1 when nothing was deferred).
	DeferredRequests int `json:"deferred_requests"`
	RunsForPass      int `json:"runs_for_pass"`
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

// writes reports whether the item's decision writes (directly or through
// its repository's tracking issue).
func (it *PlannedItem) writes() bool {
	switch it.Decision {
	case DecisionWarn, DecisionUnstale, DecisionClose, DecisionDelete:
		return true
	}
	return false
}

// repo is the repository the plan's Repository name stands for, as Decide
// was given it (the zero Repo when no item names it).
func (p *Plan) repo(name string) ghname.Repo {
	for _, it := range p.Items {
		if it.Repository == name {
			return it.repo
		}
	}
	for _, t := range p.Tracking {
		if t.Repository == name {
			return t.repo
		}
	}
	return ghname.Repo{}
}

func (p *Plan) tracking(repo string) *TrackingUpdate {
	for _, t := range p.Tracking {
		if t.Repository == repo {
			return t
		}
	}
	return nil
}

// RestoreCommand is the command that recreates a deleted branch. host is
// the GitHub Enterprise Server host ("" or github.com: none), which gh api
// takes as --hostname.
func RestoreCommand(host, repo, branch, sha string) string {
	hostname := ""
	if h := enterpriseHost(host); h != "" {
		hostname = "--hostname " + shellQuote(h) + " "
	}
	return fmt.Sprintf("gh api %srepos/%s/git/refs -f ref=refs/heads/%s -f sha=%s", hostname, repo, shellQuote(branch), sha)
}

// ReopenCommand is the command that reopens a closed pull request or issue
// and removes the stale label, so the next run does not count the label as
// a standing warning (reopening is itself activity that resets the item).
// On GitHub Enterprise Server the repository is HOST/OWNER/REPO, as gh's
// --repo takes it.
func ReopenCommand(host, repo string, kind ItemKind, number int, label string) string {
	if h := enterpriseHost(host); h != "" {
		repo = h + "/" + repo
	}
	noun := "issue"
	if kind == KindPR {
		noun = "pr"
	}
	cmd := fmt.Sprintf("gh %s reopen %d --repo %s", noun, number, shellQuote(repo))
	if label != "" {
		cmd += fmt.Sprintf(" && gh %s edit %d --repo %s --remove-label %s", noun, number, shellQuote(repo), shellQuote(label))
	}
	return cmd
}

// enterpriseHost is host unless it is github.com (or empty).
func enterpriseHost(host string) string {
	h := strings.ToLower(strings.TrimSpace(host))
	if h == "" || h == "github.com" || h == "www.github.com" {
		return ""
	}
	return host
}

// ServerHost is the host of GITHUB_SERVER_URL ("" for github.com or an
// unparsable value): what restore commands name on GitHub Enterprise
// Server.
func ServerHost(serverURL string) string {
	u, err := url.Parse(strings.TrimSpace(serverURL))
	if err != nil || u.Host == "" {
		return ""
	}
	return enterpriseHost(u.Host)
}

// shellQuote quotes a branch name for a POSIX shell when it needs it.
func shellQuote(s string) string {
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
