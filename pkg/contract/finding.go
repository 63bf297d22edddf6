package contract

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// Severity says how urgent a finding is. One scale serves the chain: the
// classifier uses critical, high, medium and low; the monitor's health
// findings use critical, warning and info. Rank orders them all.
type Severity string

// Severities.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityWarning  Severity = "warning"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// severityOrder lists the severities, least urgent first.
var severityOrder = []Severity{SeverityInfo, SeverityLow, SeverityMedium, SeverityWarning, SeverityHigh, SeverityCritical}

// Rank orders severities: info 1, low 2, medium 3, warning 4, high 5,
// critical 6; 0 for anything else (the empty severity included).
func (s Severity) Rank() int { return slices.Index(severityOrder, s) + 1 }

// Category is the class of a finding: a failure class of the classifier
// (conan, fips, workflow, build, test, deployment, infrastructure, unknown),
// "health" for the monitor's score components, "stale" for stale items and
// CategoryMissingData for data that could not be read.
type Category string

// Categories shared by several producers; the classifier's own live in
// pkg/classify.
const (
	CategoryHealth      Category = "health"
	CategoryStale       Category = "stale"
	CategoryMissingData Category = "missing_data"
)

// Fix names a mechanical workflow fix the fixer can apply for a finding.
type Fix string

// ContextLine is a log line shown around a finding.
type ContextLine struct {
	Line int    `json:"line"`
	Text string `json:"text"`
}

// Finding is one fact an action reports and another acts on: a classified
// CI failure (the fixer, the monitor's log analysis), a reason a domain is
// not fully healthy (the monitor), a stale item (stale), or data that could
// not be read (Category missing_data). Every finding names the domain it is
// about; the JSON Schemas make domain required wherever a report carries
// findings.
//
// Text is untrusted (log lines, titles): render it escaped. Producers
// redact secrets before they set it.
type Finding struct {
	RuleID     string   `json:"rule_id,omitempty"`
	Title      string   `json:"title,omitempty"`
	Category   Category `json:"category"`
	Severity   Severity `json:"severity"`
	Confidence float64  `json:"confidence,omitempty"`
	Pattern    string   `json:"pattern,omitempty"`
	// Line and Text are the root-cause line: its number in the log and its
	// (clipped, redacted) text. For findings that are not about a log, Text
	// is the fact in one sentence and Line is 0.
	Line    int           `json:"line,omitempty"`
	Text    string        `json:"text"`
	Context []ContextLine `json:"context,omitempty"`
	Step    string        `json:"step,omitempty"`
	Group   string        `json:"group,omitempty"`
	// Suggestions are concrete next steps, best first.
	Suggestions []string `json:"suggestions,omitempty"`
	Fix         Fix      `json:"fix,omitempty"`
	// Fingerprint identifies the same fact across runs (volatile parts such
	// as numbers and paths masked).
	Fingerprint string `json:"fingerprint"`
	Occurrences int    `json:"occurrences,omitempty"`
	// RootCause marks the decisive finding of a log (the first one).
	RootCause bool `json:"root_cause,omitempty"`
	// Source names the log: a file path or "owner/repo/actions/jobs/<id>".
	Source string `json:"source,omitempty"`
	Job    string `json:"job,omitempty"`

	// Domain is the repository ("owner/repo") the fact is about: for a CI
	// failure, the repository whose job failed. Workflow, RunID, JobID and
	// RunURL (with Job and Step) place a CI finding; RunURL links the failed
	// job (or run) on GitHub.
	Domain   string `json:"domain,omitempty"`
	Workflow string `json:"workflow,omitempty"`
	RunID    int64  `json:"run_id,omitempty"`
	JobID    int64  `json:"job_id,omitempty"`
	RunURL   string `json:"run_url,omitempty"`

	// Component is the health component a monitor finding is about
	// (ci_success_rate, failure_streak, ...; "" for the domain as a whole).
	Component string `json:"component,omitempty"`
	// Message repeats Text under the name ecosystem_analysis 2.0 used for
	// domain findings, so scripts reading domains[].findings[].message keep
	// working.
	Message string `json:"message,omitempty"`

	// Permission is the token permission that would let the data be read
	// ("actions: read") for a missing_data finding; Status is the HTTP
	// status that refused it (0 for a network error).
	Permission string `json:"permission,omitempty"`
	Status     int    `json:"status,omitempty"`
}

// LogAnalysis is the classification of one job log: every distinct finding
// (one per fingerprint), best first.
type LogAnalysis struct {
	Source string `json:"source"`
	Job    string `json:"job,omitempty"`
	// Repository, RunID and JobID are set for logs fetched through the API.
	Repository string `json:"repository,omitempty"`
	RunID      int64  `json:"run_id,omitempty"`
	JobID      int64  `json:"job_id,omitempty"`
	Lines      int    `json:"lines"`
	Bytes      int64  `json:"bytes"`
	// ErrorMarkers counts "##[error]" lines: a log with error markers and no
	// specific finding is a failure the catalog does not know.
	ErrorMarkers int `json:"error_markers"`
	// Findings are distinct failures, best first: the first one is the
	// root cause.
	Findings []Finding `json:"findings"`
	// Dropped counts distinct findings beyond the analyzer's cap.
	Dropped int `json:"dropped,omitempty"`
}

// RootCause returns the decisive finding, or nil when none matched.
func (a *LogAnalysis) RootCause() *Finding {
	if a == nil || len(a.Findings) == 0 {
		return nil
	}
	return &a.Findings[0]
}

// FactFingerprint identifies a fact that is not a log line (a health
// finding, a stale item, missing data) by hashing its parts; equal parts
// give equal fingerprints across runs. Callers leave volatile values
// (counts, dates) out of the parts.
func FactFingerprint(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.Join(parts, "\x00"))))
	return hex.EncodeToString(sum[:8])
}

// MissingData is a finding for data that could not be read: what
// (component, e.g. "ci"), why (reason, e.g. the API's message), the HTTP
// status, and the token permission that would fix it ("" when none would).
func MissingData(domain, component, reason, permission string, status int) Finding {
	text := component + " could not be read: " + reason
	if permission != "" {
		text += " (the token needs " + permission + ")"
	}
	return Finding{Domain: domain, Category: CategoryMissingData, Severity: SeverityWarning, Component: component,
		Text: text, Permission: permission, Status: status,
		Fingerprint: FactFingerprint(domain, string(CategoryMissingData), component)}
}
