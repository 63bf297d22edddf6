package classify

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// Finding is one classified failure: the contract's one Finding type, which
// flows from the classifier to the JSON report, the Markdown report,
// annotations, dispatches and alerts. The analyzer sets every field but the
// place (Domain, Workflow, RunID, JobID, RunURL), which the caller knows.
type Finding = contract.Finding

// ContextLine is a line shown around a finding.
type ContextLine = contract.ContextLine

// Analysis is the result of classifying one job log.
type Analysis = contract.LogAnalysis

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
