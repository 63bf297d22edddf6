package alert

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// The hidden parts of an alert issue body and comment. An issue is this
// action's own only when its body STARTS with one of the markers (never a
// marker quoted or inside code further down) and its author is the token's
// identity (or a trusted_authors login); see trust.
const (
	groupMarkerPrefix   = "<!-- ecosystem-actions:alert-group="
	commentMarkerPrefix = "<!-- ecosystem-actions:alert-comment="
	legacyMarkerPrefix  = "<!-- ecosystem-actions:fingerprint="
	commentEnd          = " -->"
	// groupStateBlock names the report.HiddenJSON block holding GroupState.
	groupStateBlock = "ecosystem-actions:alert-state"
	// legacyStateBlock is the per-fingerprint state of issues written
	// before groups (read when such an issue is adopted).
	legacyStateBlock = "ecosystem-actions:state"
)

var (
	groupMarkerRe   = regexp.MustCompile(`^<!-- ecosystem-actions:alert-group=([0-9a-f]{16}) -->`)
	legacyMarkerRe  = regexp.MustCompile(`^<!-- ecosystem-actions:fingerprint=([0-9a-f]{6,64}) -->`)
	commentMarkerRe = regexp.MustCompile(`^<!-- ecosystem-actions:alert-comment=([0-9a-f]{16})\.([0-9]{1,9}) -->`)
)

// GroupMarker returns the marker a group issue's body starts with.
func GroupMarker(groupID string) string { return groupMarkerPrefix + groupID + commentEnd }

// Marker returns the per-fingerprint marker of issues written before groups.
func Marker(fingerprint string) string { return legacyMarkerPrefix + fingerprint + commentEnd }

// commentMarker marks a lifecycle comment: the group and the generation it
// announces, so that a comment whose answer was lost can be found again.
func commentMarker(groupID string, gen int) string {
	return commentMarkerPrefix + groupID + "." + strconv.Itoa(gen) + commentEnd
}

// startOf is the body without leading white space (GitHub keeps a body as
// written; an editor may add a blank line).
func startOf(body string) string { return strings.TrimLeft(body, " \t\r\n\ufeff") }

// ParseGroupMarker returns the group id a body starts with, "" when none.
func ParseGroupMarker(body string) string {
	if m := groupMarkerRe.FindStringSubmatch(startOf(body)); m != nil {
		return m[1]
	}
	return ""
}

// ParseMarker returns the fingerprint of a pre-group alert issue body (its
// first line), "" when none.
func ParseMarker(body string) string {
	if m := legacyMarkerRe.FindStringSubmatch(startOf(body)); m != nil {
		return m[1]
	}
	return ""
}

// parseCommentMarker returns the group id and generation a comment starts
// with.
func parseCommentMarker(body string) (string, int, bool) {
	m := commentMarkerRe.FindStringSubmatch(startOf(body))
	if m == nil {
		return "", 0, false
	}
	n, err := strconv.Atoi(m[2])
	return m[1], n, err == nil
}

// Problem statuses (ProblemState.Status).
const (
	StatusActive     = "active"
	StatusSuppressed = "suppressed"
	StatusResolved   = "resolved"
)

// ProblemState is one problem (fingerprint) of a group as its issue records
// it. Everything the body shows comes from here, so a run that sees the same
// problems renders the same body and writes nothing.
type ProblemState struct {
	Title     string `json:"title"`
	Level     Level  `json:"level"`
	Type      Type   `json:"type,omitempty"`
	Source    Kind   `json:"source,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Problem   string `json:"problem,omitempty"`
	Category  string `json:"category,omitempty"`
	Workflow  string `json:"workflow,omitempty"`
	Job       string `json:"job,omitempty"`
	RunURL    string `json:"run_url,omitempty"`
	RootCause string `json:"root_cause,omitempty"`
	Fix       string `json:"fix,omitempty"`
	// FirstSeen is when the problem was first seen (since when).
	FirstSeen time.Time `json:"first_seen"`
	Status    string    `json:"status"`
	// SuppressedBy are the root causes that explain a suppressed problem.
	SuppressedBy []string `json:"suppressed_by,omitempty"`
	// Missed counts the covering runs since the problem was last seen;
	// MissRun is the run that counted last (a re-run counts nothing twice).
	Missed     int        `json:"missed,omitempty"`
	MissRun    int64      `json:"miss_run,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// Notified is the last transition a run announced for the group and where
// it was delivered: a re-run of that run delivers only what is missing.
type Notified struct {
	Gen   int    `json:"gen"`
	RunID int64  `json:"run_id"`
	Event string `json:"event"` // opened, changed, reopened, resolved
	// Problems are the fingerprints the transition is about (new, worse,
	// back or cleared).
	Problems []string `json:"problems"`
	// Delivered are the delivery keys done ("repository_dispatch:ecosystem-alert:owner/repo",
	// "workflow_dispatch:owner/repo", "webhook:slack webhook #1").
	Delivered []string `json:"delivered,omitempty"`
	// Uncertain are deliveries whose answer was lost and that no run
	// confirmed, with when they were sent: a re-run looks for their run
	// again before sending (a repository_dispatch only shows as the run
	// it starts, which appears seconds later).
	Uncertain map[string]time.Time `json:"uncertain,omitempty"`
}

func (n *Notified) has(key string) bool {
	if n == nil {
		return false
	}
	for _, k := range n.Delivered {
		if k == key {
			return true
		}
	}
	return false
}

// GroupState is the lifecycle of a group, kept in its issue body (the only
// storage an action has that outlives its run).
type GroupState struct {
	Group string `json:"group"`
	Mode  string `json:"mode"`
	Key   string `json:"key"`
	// Gen counts the announced transitions (opened, changed, reopened,
	// resolved); a run claims generation Gen+1 before writing one.
	Gen int `json:"gen"`
	// Claim is the claim (run and nonce) that wrote generation Gen.
	Claim    string                   `json:"claim,omitempty"`
	Problems map[string]*ProblemState `json:"problems"`
	Notified *Notified                `json:"notified,omitempty"`
	// Merged lists the issues this group took over (pre-group alert
	// issues adopted or closed as continuing here).
	Merged []string `json:"merged,omitempty"`
}

// Block renders the state as a hidden HTML comment (report.HiddenJSON: the
// JSON can never end the comment early).
func (s GroupState) Block() string { return report.HiddenJSON(groupStateBlock, s) }

// ParseGroupState returns the state block of a group issue body.
func ParseGroupState(body string) (GroupState, bool) {
	var s GroupState
	if found, err := report.FindHiddenJSON(body, groupStateBlock, &s); !found || err != nil {
		return GroupState{}, false
	}
	if s.Problems == nil {
		s.Problems = map[string]*ProblemState{}
	}
	return s, true
}

// clone deep-copies a state.
func (s GroupState) clone() GroupState {
	out := s
	out.Problems = make(map[string]*ProblemState, len(s.Problems))
	for fp, p := range s.Problems {
		c := *p
		c.SuppressedBy = append([]string(nil), p.SuppressedBy...)
		if p.ResolvedAt != nil {
			t := *p.ResolvedAt
			c.ResolvedAt = &t
		}
		out.Problems[fp] = &c
	}
	if s.Notified != nil {
		n := *s.Notified
		n.Problems = append([]string(nil), s.Notified.Problems...)
		n.Delivered = append([]string(nil), s.Notified.Delivered...)
		if s.Notified.Uncertain != nil {
			n.Uncertain = map[string]time.Time{}
			for k, v := range s.Notified.Uncertain {
				n.Uncertain[k] = v
			}
		}
		out.Notified = &n
	}
	out.Merged = append([]string(nil), s.Merged...)
	return out
}

// legacyState is the state block of an alert issue written before groups.
type legacyState struct {
	Type      Type      `json:"type,omitempty"`
	Source    Kind      `json:"source,omitempty"`
	Scope     string    `json:"scope,omitempty"`
	Problem   string    `json:"problem,omitempty"`
	Level     Level     `json:"level,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
}

func parseLegacyState(body string) (legacyState, bool) {
	var s legacyState
	if found, err := report.FindHiddenJSON(body, legacyStateBlock, &s); !found || err != nil {
		return legacyState{}, false
	}
	return s, true
}

// fps returns the problem fingerprints in a stable order: active first,
// then suppressed, then resolved; highest level first; then by title.
func (s GroupState) fps() []string {
	out := make([]string, 0, len(s.Problems))
	for fp := range s.Problems {
		out = append(out, fp)
	}
	rank := map[string]int{StatusActive: 0, StatusSuppressed: 1, StatusResolved: 2}
	sort.Slice(out, func(i, j int) bool {
		a, b := s.Problems[out[i]], s.Problems[out[j]]
		if rank[a.Status] != rank[b.Status] {
			return rank[a.Status] < rank[b.Status]
		}
		if a.Level.Rank() != b.Level.Rank() {
			return a.Level.Rank() > b.Level.Rank()
		}
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return out[i] < out[j]
	})
	return out
}

// level is the highest level of the group's active problems (none when
// every problem is suppressed or resolved).
func (s GroupState) level() Level {
	l := LevelNone
	for _, p := range s.Problems {
		if p.Status == StatusActive {
			l = MaxLevel(l, p.Level)
		}
	}
	return l
}

// count returns the active, suppressed and resolved problems.
func (s GroupState) count() (active, suppressed, resolved int) {
	for _, p := range s.Problems {
		switch p.Status {
		case StatusActive:
			active++
		case StatusSuppressed:
			suppressed++
		default:
			resolved++
		}
	}
	return
}
