// Package alert turns the reports of the other ecosystem actions
// (ecosystem_analysis.json from the monitor, failure_analysis.json from the
// fixer, stale_analysis.json from stale) into alert issues that exist once:
// problems (identified by a fingerprint) are grouped — one issue per domain
// by default — into a checklist kept current by editing, announced by a
// comment only when a problem is new or worse, closed when every problem
// cleared and reopened when one returns. Symptoms explained by a root cause
// are listed, never announced. Runs that act at once claim a group before
// writing it, so no group gets two issues. Alerts can also be fanned out as
// repository_dispatch and workflow_dispatch events (through pkg/dispatch) and
// sent to Slack, Microsoft Teams, a generic JSON webhook or e-mail.
//
// The package is split by concern: alert.go (the Alert type, levels and
// fingerprints), reports.go (reading the reports), build.go (alerts from
// reports, pure), group.go (inhibition and grouping), state.go (markers and
// the state block of a group issue), plan.go (merging a run's view into a
// group's state, pure), groupbody.go and body.go (titles, bodies, comments),
// identity.go (whose issues are this action's own), lifecycle.go (the group
// issues on the GitHub API), claim.go (claims against concurrent runs),
// channels.go and fanout.go (dispatches), webhook.go (chat and e-mail),
// run.go (Config, Run and the result files).
package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Level is how bad an alert is. The scale merges the monitor's health bands
// (warning, critical) and the fixer's severities (low, medium, high,
// critical): none < low < medium < warning < high < critical.
type Level string

// Levels, lowest first.
const (
	LevelNone     Level = "none"
	LevelLow      Level = "low"
	LevelMedium   Level = "medium"
	LevelWarning  Level = "warning"
	LevelHigh     Level = "high"
	LevelCritical Level = "critical"
)

// Levels lists the levels an alert can have (and min_level accepts), lowest
// first.
var Levels = []Level{LevelLow, LevelMedium, LevelWarning, LevelHigh, LevelCritical}

// Rank orders levels: none is 0, critical is 5, anything unknown is -1.
func (l Level) Rank() int {
	switch l {
	case LevelNone:
		return 0
	case LevelLow:
		return 1
	case LevelMedium:
		return 2
	case LevelWarning:
		return 3
	case LevelHigh:
		return 4
	case LevelCritical:
		return 5
	}
	return -1
}

// ParseLevel parses a level name (case-insensitive).
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToLower(strings.TrimSpace(s)))
	if l.Rank() < 0 {
		return "", fmt.Errorf("unknown level %q (allowed: none, low, medium, warning, high, critical)", s)
	}
	return l, nil
}

// MaxLevel returns the higher of a and b.
func MaxLevel(a, b Level) Level {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// Monitor health bands (ecosystem_analysis.json domains[].band). The default
// thresholds are healthy >= 80, warning 60-79, critical < 60.
const (
	bandHealthy  = "healthy"
	bandWarning  = "warning"
	bandCritical = "critical"
	bandArchived = "archived"
	bandUnknown  = "unknown"
)

// LevelForBand maps a monitor health band to an alert level: healthy and
// archived are none, warning is warning, critical is critical; unknown (the
// domain could not be read) is a warning of its own.
func LevelForBand(band string) Level {
	switch band {
	case bandWarning, bandUnknown:
		return LevelWarning
	case bandCritical:
		return LevelCritical
	}
	return LevelNone
}

// LevelForScore applies the monitor's default bands to a health score.
func LevelForScore(score int) Level {
	switch {
	case score >= 80:
		return LevelNone
	case score >= 60:
		return LevelWarning
	}
	return LevelCritical
}

// SeverityForCategory is the fixer's severity by failure category: critical
// for FIPS and security, high for build and Conan, medium for workflow and
// test, low for maintenance. Categories the table does not know (deployment,
// infrastructure, unknown) are medium.
func SeverityForCategory(category string) Level {
	switch strings.ToLower(category) {
	case "fips", "security":
		return LevelCritical
	case "build", "conan":
		return LevelHigh
	case "workflow", "test":
		return LevelMedium
	case "maintenance", "stale":
		return LevelLow
	}
	return LevelMedium
}

// levelForSeverity maps a severity written in a report (fixer: critical,
// high, medium, low; monitor analysis: the same, or warning/info) to a level;
// empty or unknown falls back to the category's severity.
func levelForSeverity(severity, category string) Level {
	switch strings.ToLower(strings.TrimSpace(severity)) {
	case "critical":
		return LevelCritical
	case "high", "error":
		return LevelHigh
	case "medium":
		return LevelMedium
	case "warning":
		return LevelWarning
	case "low", "info":
		return LevelLow
	}
	return SeverityForCategory(category)
}

// Type is the family of an alert (the alert_type input).
type Type string

// Alert types. TypeAuto picks the type from each alert: stale reports give
// stale, critical alerts critical, low ones maintenance, the rest ecosystem.
const (
	TypeAuto        Type = "auto"
	TypeStale       Type = "stale"
	TypeCritical    Type = "critical"
	TypeEcosystem   Type = "ecosystem"
	TypeMaintenance Type = "maintenance"
)

// Types are the allowed alert_type values.
var Types = []Type{TypeAuto, TypeStale, TypeCritical, TypeEcosystem, TypeMaintenance}

// Kind is the kind of report an alert comes from.
type Kind string

// Report kinds.
const (
	KindMonitor Kind = "monitor"
	KindFixer   Kind = "fixer"
	KindStale   Kind = "stale"
)

// Alert is one problem in one place. Everything in it except the
// fingerprint, the level and Facts is presentation: it may change from run to
// run without the alert being "changed".
type Alert struct {
	// Fingerprint identifies the problem across runs: a hash of what is
	// wrong and where, never when (see Fingerprint).
	Fingerprint string `json:"fingerprint"`
	Type        Type   `json:"type"`
	Level       Level  `json:"level"`
	// Source is the report kind; Scope is the domain (repository) the alert
	// is about. Together they decide whether a later report can resolve it.
	Source Kind   `json:"source"`
	Scope  string `json:"scope"`
	// Problem is the short machine name of what is wrong ("unhealthy",
	// "failure", "stale-items"), used in payloads.
	Problem string `json:"problem"`
	// Title is plain text (escaped when rendered).
	Title string `json:"title"`
	// Summary is one plain-text sentence.
	Summary string `json:"summary"`
	// Facts are the stable details of what is wrong (no scores, counts or
	// times): when they change, the alert counts as changed and its issue
	// gets a comment.
	Facts []string `json:"facts"`
	// Rows are name/value pairs shown in the table (plain text).
	Rows [][2]string `json:"rows,omitempty"`
	// Links are (text, URL) pairs shown in the issue.
	Links [][2]string `json:"links,omitempty"`
	// Details are plain-text lines shown in a collapsed block (findings,
	// log context, stale items).
	Details []string `json:"details,omitempty"`
	// Suggestions are plain-text next steps.
	Suggestions []string `json:"suggestions,omitempty"`
	// DetectedAt is when the report first saw the problem (the earliest
	// failure, the report time): the start of the alert response time for a
	// new alert.
	DetectedAt time.Time `json:"detected_at"`
	// ReportPath is the report file the alert came from ("" for JSON input).
	ReportPath string `json:"report_path,omitempty"`

	// Category is what kind of problem it is: a failure category (build,
	// conan, fips, workflow, …, "unclassified"), "health", "unreadable" or
	// "stale" (the domain,category grouping uses it).
	Category string `json:"category,omitempty"`
	// Workflow, Job, RunURL and RootCause locate a failure: the workflow and
	// job that failed, the failed job's page and the decisive log line
	// (plain text).
	Workflow  string `json:"workflow,omitempty"`
	Job       string `json:"job,omitempty"`
	RunURL    string `json:"run_url,omitempty"`
	RootCause string `json:"root_cause,omitempty"`
	// Workflows are every workflow a root cause was found in (one finding
	// fingerprint can fail several workflows), for inhibition.
	Workflows []string `json:"workflows,omitempty"`
	// Components are the failing health components of an unhealthy domain
	// (warning or critical), for inhibition.
	Components []string `json:"components,omitempty"`
	// SuppressedBy lists the fingerprints of the root-cause findings that
	// explain this (symptom) alert: it is listed in the group issue but
	// never announced on its own (see Inhibit).
	SuppressedBy []string `json:"suppressed_by,omitempty"`
}

// Fingerprint hashes the parts that say what is wrong and where into 16 hex
// digits (the first 8 bytes of SHA-256). Parts are joined with NUL so that
// ("a b", "c") and ("a", "b c") differ; case and surrounding space are
// ignored, so "Sparesparrow/Openssl" and "sparesparrow/openssl" agree.
func Fingerprint(parts ...string) string {
	norm := make([]string, len(parts))
	for i, p := range parts {
		norm[i] = strings.ToLower(strings.TrimSpace(p))
	}
	sum := sha256.Sum256([]byte(strings.Join(norm, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// factsDigest hashes an alert's level and facts: a change of either is a
// change worth a comment.
func factsDigest(a Alert) string {
	return Fingerprint(append([]string{string(a.Level)}, a.Facts...)...)
}
