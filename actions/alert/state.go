package alert

import (
	"regexp"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// The hidden parts of an alert issue body. The fingerprint marker is what
// finds the issue again; the state block carries the lifecycle between runs
// (the issue is the only storage an action has that outlives its run).
const (
	markerPrefix = "<!-- ecosystem-actions:fingerprint="
	commentEnd   = " -->"
	// stateBlock names the report.HiddenJSON block holding the State.
	stateBlock = "ecosystem-actions:state"
)

var markerRe = regexp.MustCompile(`<!-- ecosystem-actions:fingerprint=([0-9a-f]{6,64}) -->`)

// Marker returns the hidden fingerprint marker for an issue body.
func Marker(fingerprint string) string { return markerPrefix + fingerprint + commentEnd }

// ParseMarker returns the fingerprint in an issue body, "" when none.
func ParseMarker(body string) string {
	m := markerRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// State is the lifecycle of one alert, kept in its issue body.
type State struct {
	Type    Type   `json:"type,omitempty"`
	Source  Kind   `json:"source,omitempty"`
	Scope   string `json:"scope,omitempty"`
	Problem string `json:"problem,omitempty"`
	Level   Level  `json:"level,omitempty"`
	// Digest is factsDigest of the alert when it was last seen.
	Digest    string    `json:"digest,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Occurrences counts the runs (GITHUB_RUN_ID) that saw the problem.
	Occurrences int `json:"occurrences"`
	// MissedRuns counts the runs since the last sighting that covered the
	// alert's domain and did not see it.
	MissedRuns int `json:"missed_runs"`
	// LastRunID is the run that last processed the alert (seen or missed);
	// LastSeenRunID the run that last saw it. Both make a re-run of the
	// same GITHUB_RUN_ID count nothing twice.
	LastRunID     int64 `json:"last_run_id,omitempty"`
	LastSeenRunID int64 `json:"last_seen_run_id,omitempty"`
	// NotifyRunID is the run in which the alert last opened, changed,
	// reopened or resolved; Notify says which. Channels deliver alerts
	// whose NotifyRunID is the current run.
	NotifyRunID int64  `json:"notify_run_id,omitempty"`
	Notify      string `json:"notify,omitempty"`
	// LastDispatchRunID is the run of the last delivery on any channel.
	LastDispatchRunID int64 `json:"last_dispatch_run_id,omitempty"`
	// Delivered maps a delivery key ("repository_dispatch:ecosystem-alert:owner/repo",
	// "workflow_dispatch:owner/repo",
	// "webhook:slack webhook #1") to the run it was delivered in, so a
	// re-run of the same run delivers nothing twice.
	Delivered map[string]int64 `json:"delivered,omitempty"`
	// ResolvedAt is when the alert was last closed as resolved.
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// Block renders the state as a hidden HTML comment (report.HiddenJSON: the
// JSON can never end the comment early).
func (s State) Block() string { return report.HiddenJSON(stateBlock, s) }

// ParseState returns the state block of an issue body; ok is false when
// there is none or it does not decode (an alert from an older version, or
// an issue edited by hand).
func ParseState(body string) (State, bool) {
	var s State
	if found, err := report.FindHiddenJSON(body, stateBlock, &s); !found || err != nil {
		return State{}, false
	}
	return s, true
}

// stripHidden removes the marker and state block, for comparing bodies.
func stripHidden(body string) string {
	body = markerRe.ReplaceAllString(body, "")
	return strings.TrimSpace(report.RemoveHiddenJSON(body, stateBlock))
}
