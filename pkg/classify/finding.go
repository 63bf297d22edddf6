package classify

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// Finding is one classified failure: the type that flows from the classifier
// to the JSON report, the Markdown report, annotations and dispatches.
type Finding struct {
	RuleID      string        `json:"rule_id"`
	Title       string        `json:"title"`
	Category    Category      `json:"category"`
	Severity    Severity      `json:"severity"`
	Confidence  float64       `json:"confidence"`
	Pattern     string        `json:"pattern"`
	Line        int           `json:"line"`
	Text        string        `json:"text"`
	Context     []ContextLine `json:"context"`
	Step        string        `json:"step,omitempty"`
	Group       string        `json:"group,omitempty"`
	Suggestions []string      `json:"suggestions"`
	Fix         Fix           `json:"fix,omitempty"`
	Fingerprint string        `json:"fingerprint"`
	Occurrences int           `json:"occurrences"`
	RootCause   bool          `json:"root_cause"`
	Source      string        `json:"source"`
	Job         string        `json:"job,omitempty"`

	priority int
}

// ContextLine is a line shown around a finding.
type ContextLine struct {
	Line int    `json:"line"`
	Text string `json:"text"`
}

// Analysis is the result of classifying one job log.
type Analysis struct {
	Source string `json:"source"`
	Job    string `json:"job,omitempty"`
	// Repository, RunID and JobID are set for logs fetched through the API.
	Repository string `json:"repository,omitempty"`
	RunID      int64  `json:"run_id,omitempty"`
	JobID      int64  `json:"job_id,omitempty"`
	Lines      int    `json:"lines"`
	Bytes      int64  `json:"bytes"`
	// ErrorMarkers counts "##[error]" lines: a log with error markers and no
	// finding is a failure the catalog does not know.
	ErrorMarkers int `json:"error_markers"`
	// Findings are distinct failures (one per fingerprint), best first: the
	// first one is the root cause.
	Findings []Finding `json:"findings"`
	// Dropped counts distinct findings beyond the analyzer's cap.
	Dropped int `json:"dropped,omitempty"`
}

// RootCause returns the decisive finding, or nil when none matched.
func (a *Analysis) RootCause() *Finding {
	if a == nil || len(a.Findings) == 0 {
		return nil
	}
	return &a.Findings[0]
}

const (
	maxTextBytes    = 1000
	maxContextBytes = 300
)

var maskers = []struct {
	re   *regexp.Regexp
	with string
	// keep, when set, leaves matches it returns true for unmasked.
	keep func(string) bool
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?`), "<time>", nil},
	{regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`), "<uuid>", nil},
	{regexp.MustCompile(`https?://\S+`), "<url>", nil},
	{regexp.MustCompile(`(?:[A-Za-z]:)?(?:[\w.@+~-]*[/\\])+[\w.@+~-]+`), "<path>", nil},
	{regexp.MustCompile(`(?i)\b[0-9a-f]{7,}\b`), "<hex>", func(s string) bool { return !strings.ContainsAny(s, "0123456789") }},
	{regexp.MustCompile(`\bv?\d+(?:\.\d+)+(?:[-+][\w.]+)?`), "<ver>", nil},
	{regexp.MustCompile(`\d+`), "<n>", nil},
	{regexp.MustCompile(`\s+`), " ", nil},
}

// MaskLine replaces the variable parts of a log line (timestamps, UUIDs,
// URLs, paths, hex hashes, versions, numbers) by placeholders, so the same
// failure recurring with other values masks to the same text.
func MaskLine(s string) string {
	s = strings.TrimPrefix(s, "##[error]")
	for _, m := range maskers {
		if m.keep == nil {
			s = m.re.ReplaceAllString(s, m.with)
			continue
		}
		s = m.re.ReplaceAllStringFunc(s, func(v string) string {
			if m.keep(v) {
				return v
			}
			return m.with
		})
	}
	return strings.TrimSpace(s)
}

// Fingerprint identifies a failure across runs: a hash of the rule id and
// the masked line.
func Fingerprint(ruleID, line string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + MaskLine(line)))
	return hex.EncodeToString(sum[:8])
}
