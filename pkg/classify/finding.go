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

// Masking keeps what makes two failures different and drops what changes
// from run to run. Volatile everywhere: timestamps, UUIDs, URLs, absolute
// paths, source locations (file:line:col), hex ids (commits, package ids).
// Kept: the failure's subject, that is quoted text ('openssl/3.2.1',
// `SSL_CTX_new', "lodash@4.17.21") and unquoted package references
// (zlib/1.3.1, golang.org/x/net@v0.38.0, requests==2.32.3,
// org.example:lib:1.2.3), versions included: a missing binary for libcurl
// is not the failure a missing binary for openssl is. Outside those,
// versions and numbers are masked.
var volatileMaskers = []struct {
	re   *regexp.Regexp
	with string
	// keep, when set, leaves matches it returns true for unmasked.
	keep func(string) bool
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?`), "<time>", nil},
	{regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`), "<uuid>", nil},
	{regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://\S+`), "<url>", nil},
	// A source location: a file name with an extension and :line(:col).
	{regexp.MustCompile(`(?:[A-Za-z]:)?(?:[\w.@+~-]*[/\\])*[\w@+~-][\w.@+~-]*\.[A-Za-z]\w*(?::\d+)+`), "<loc>", nil},
	{regexp.MustCompile(`(^|[\s'"(=\[<,])(?:[A-Za-z]:[\\/]|\\\\|~/|/)[^\s'"()\[\]<>,;]*`), "${1}<path>", nil},
	{regexp.MustCompile(`(?i)\b[0-9a-f]{7,}\b`), "<hex>", func(s string) bool { return !strings.ContainsAny(s, "0123456789") }},
}

// subjects are the spans masking keeps: quoted text (at most 200 bytes) and
// package references with a version.
var subjects = regexp.MustCompile("'[^'\\n]{1,200}'|\"[^\"\\n]{1,200}\"|`[^`'\\n]{1,200}['`]|\u2018[^\u2019\\n]{1,200}\u2019|" +
	`(?:@[\w.-]+/)?[\w.+-]+(?:/[\w.+-]+)*@[~^<>=]*v?\d[\w.+-]*|` + // npm, Go modules, actions
	`\b[\w.+-]+/v?\d[\w.+-]*(?:@[\w.+-]+/[\w.+-]+)?|` + // Conan name/version@user/channel
	`\b[\w.-]+(?:===?|>=|<=|~=|!=)v?\d[\w.*+-]*|` + // pip
	`\b[A-Za-z][\w.-]*:[A-Za-z][\w.-]*(?::[\w.-]+)?:\d[\w.-]*`) // Maven group:artifact[:type]:version

var valueMaskers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\bv?\d+(?:\.\d+)+(?:[-+][\w.]+)?`), "<ver>"},
	// Digits after a letter are part of a name (E404, x64, sha256).
	{regexp.MustCompile(`(^|[^A-Za-z_\d])\d+`), "${1}<n>"},
}

var spaces = regexp.MustCompile(`\s+`)

// MaskLine replaces the parts of a log line that vary from run to run
// (timestamps, UUIDs, URLs, absolute paths, source locations, hex ids, and
// outside quoted text and package references also versions and numbers) by
// placeholders, so the same failure recurring masks to the same text while
// failures about different packages, symbols or tests stay apart.
func MaskLine(s string) string {
	s = strings.TrimPrefix(s, "##[error]")
	for _, m := range volatileMaskers {
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
	var b strings.Builder
	maskValues := func(part string) {
		for _, m := range valueMaskers {
			part = m.re.ReplaceAllString(part, m.with)
		}
		b.WriteString(part)
	}
	prev := 0
	for _, sp := range subjects.FindAllStringIndex(s, -1) {
		maskValues(s[prev:sp[0]])
		b.WriteString(s[sp[0]:sp[1]])
		prev = sp[1]
	}
	maskValues(s[prev:])
	return strings.TrimSpace(spaces.ReplaceAllString(b.String(), " "))
}

// Fingerprint identifies a failure across runs: a hash of the rule id and
// the masked line (see MaskLine).
func Fingerprint(ruleID, line string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + MaskLine(line)))
	return hex.EncodeToString(sum[:8])
}
