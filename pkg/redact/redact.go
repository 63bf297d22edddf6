// Package redact finds secrets in text and replaces them with a marker that
// says what was removed, so text that leaves the program (annotations,
// outputs, reports, summaries, dashboards, issue and pull request bodies,
// webhooks) never republishes a credential a job printed.
//
// What is found (the rules and their sources are documented on each Kind):
//
//   - GitHub tokens by their documented prefixes (ghp_, gho_, ghu_, ghs_,
//     ghr_, github_pat_), including the stateless ghs_ installation tokens;
//   - AWS access key ids (AKIA, ASIA, ABIA, ACCA);
//   - secret-looking assignments (aws_secret_access_key=…, password: …,
//     "token": "…", --api-key=…) whose value is not a placeholder;
//   - PEM private key blocks, also when the text arrives line by line;
//   - credentials in Authorization / Proxy-Authorization headers, and
//     standalone "Bearer <token>" and "Basic <user:pass in base64>";
//   - credentials in URLs (https://user:pass@host);
//   - JSON Web Tokens (RFC 7519);
//   - the payload of "::add-mask::" commands, and every value registered at
//     run time with Add (what the runner masked, token inputs).
//
// Replacement is deterministic: the same input always gives the same output,
// whatever else the Redactor saw, so fingerprints computed after redaction
// stay stable across runs. Markers are never matched again and redacting
// twice equals redacting once. A span that covers several lines is replaced
// by one marker per non-empty line, so line numbers stay true.
//
// API: a Redactor (the zero value works; New and Add register values)
// offers String, Find and Contains for whole texts, Stream for text that
// arrives line by line, and Writer, an io.Writer that redacts what passes
// through it. Clean text costs one table lookup per byte and no
// allocation (BenchmarkString).
//
// Not found: GitHub's pre-2021 40-hex tokens and AWS secret access keys
// outside an assignment (both are indistinguishable from commit SHAs and
// base64 data), and passwords given as separate command-line words
// (--password hunter2). Register those values with Add.
package redact

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Kind names what a marker replaced. It is the text inside the marker:
// "[redacted: github token]".
type Kind string

// The kinds of secret the Redactor finds.
const (
	// GitHubToken is a token with one of GitHub's prefixes: ghp_ (personal
	// access token, classic), gho_ (OAuth), ghu_ (GitHub App user-to-server),
	// ghs_ (GitHub App installation, incl. GITHUB_TOKEN), ghr_ (refresh),
	// github_pat_ (fine-grained personal access token). See
	// https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats
	// and the rules on matchGitHub.
	GitHubToken Kind = "github token"
	// AWSAccessKeyID is an AWS access key id: AKIA (long-term), ASIA
	// (temporary, from STS), ABIA (STS service bearer token) or ACCA
	// (context-specific credential) followed by 16 upper-case letters or
	// digits, 20 characters in all, e.g. AWS's own example
	// AKIAIOSFODNN7EXAMPLE. See
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
	// and https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html.
	AWSAccessKeyID Kind = "aws access key id"
	// Secret is the value of a secret-looking assignment, see matchAssignment.
	Secret Kind = "secret"
	// PrivateKey is a PEM block whose label ends in "PRIVATE KEY" (RFC 7468
	// §10-11: PRIVATE KEY, ENCRYPTED PRIVATE KEY; also RSA, EC, DSA and
	// OPENSSH PRIVATE KEY, PGP PRIVATE KEY BLOCK), from its BEGIN line to its
	// END line, or to the end of the text when the block is cut off.
	PrivateKey Kind = "private key"
	// Credentials are HTTP authentication credentials: the value of an
	// Authorization or Proxy-Authorization header (RFC 9110 §11.6.2, §11.7.2;
	// the scheme word is kept), a "Bearer" token (RFC 6750 §2.1) or "Basic"
	// credentials (RFC 7617 §2: base64 of user-id ":" password).
	Credentials Kind = "credentials"
	// URLCredentials is the userinfo of a URL (RFC 3986 §3.2.1:
	// "user:password@" is deprecated precisely because it leaks).
	URLCredentials Kind = "url credentials"
	// JWT is a JSON Web Token in compact serialization (RFC 7519 §3, RFC
	// 7515 §7.1, RFC 7516 §7.1): base64url parts separated by dots, the
	// first one a JSON object, hence starting with "eyJ" ('{"').
	JWT Kind = "jwt"
	// MaskedValue is a value registered with Add, or the payload of an
	// "::add-mask::" workflow command.
	MaskedValue Kind = "masked value"
)

// kinds lists every Kind, for marker recognition.
var kinds = []Kind{GitHubToken, AWSAccessKeyID, Secret, PrivateKey, Credentials, URLCredentials, JWT, MaskedValue}

// markerPrefix starts every marker.
const markerPrefix = "[redacted: "

// Marker returns the text that replaces a secret of kind k:
// "[redacted: " + k + "]".
func Marker(k Kind) string { return markerPrefix + string(k) + "]" }

// markerAt returns the length of the marker s starts with, or 0.
func markerAt(s string) int {
	if !strings.HasPrefix(s, markerPrefix) {
		return 0
	}
	rest := s[len(markerPrefix):]
	for _, k := range kinds {
		if len(rest) > len(k) && rest[len(k)] == ']' && rest[:len(k)] == string(k) {
			return len(markerPrefix) + len(k) + 1
		}
	}
	return 0
}

// MinValueLength is the shortest value Add registers. Masking shorter
// values would replace ordinary letters and words everywhere; GitHub's
// own token formats are far longer.
const MinValueLength = 4

// Match is one span of text String replaces.
type Match struct {
	// Start and End are byte offsets: the secret is s[Start:End].
	Start, End int
	// Kind says what it is.
	Kind Kind
}

// Redactor finds and replaces secrets. The zero value is ready to use and
// finds every built-in kind; Add registers values known at run time. A
// Redactor is safe for concurrent use: String, Find, Contains, streams
// and writers may run while another goroutine calls Add (a call sees the
// values added before it started).
type Redactor struct {
	mu   sync.Mutex // serialises Add
	vals atomic.Pointer[valueSet]
}

// New returns an empty Redactor with values registered, as by Add.
func New(values ...string) *Redactor {
	r := &Redactor{}
	r.Add(values...)
	return r
}

// valueSet is an immutable set of registered values, replaced as a whole
// by Add so readers never lock.
type valueSet struct {
	all    []string
	pairs  [1 << 16 / 64]uint64 // bitset of the values' first two bytes
	byPair map[uint16][]string  // values by their first two bytes, longest first
	tab    [256]uint8           // trigger table: builtin | tValue
}

// Add registers secret values known at run time (what the runner masked
// with "::add-mask::", token inputs). Every later String replaces them with
// Marker(MaskedValue). Besides the value itself Add registers its
// surrounding-space-trimmed form, its JSON string escaping, its URL query
// and path escaping and its standard and URL-safe base64 encodings (as the
// Actions runner masks encoded forms of secrets), and each line of a
// multi-line value, so a line-by-line stream finds it too. Values (and
// forms) shorter than MinValueLength are ignored.
func (r *Redactor) Add(values ...string) {
	if len(values) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []string
	if old := r.vals.Load(); old != nil {
		all = slices.Clone(old.all)
	}
	n := len(all)
	for _, v := range values {
		all = append(all, variants(v)...)
	}
	if len(all) == n {
		return
	}
	slices.Sort(all)
	all = slices.Compact(all)
	vs := &valueSet{all: all, tab: builtin, byPair: map[uint16][]string{}}
	for _, v := range all { // len(v) >= MinValueLength
		p := uint16(v[0])<<8 | uint16(v[1])
		vs.byPair[p] = append(vs.byPair[p], v)
		vs.pairs[p>>6] |= 1 << (p & 63)
		vs.tab[v[0]] |= tValue
	}
	for _, l := range vs.byPair {
		slices.SortStableFunc(l, func(a, b string) int { return len(b) - len(a) })
	}
	r.vals.Store(vs)
}

// Values returns how many distinct strings (values and their encoded forms)
// are registered.
func (r *Redactor) Values() int {
	if vs := r.vals.Load(); vs != nil {
		return len(vs.all)
	}
	return 0
}

// String returns s with every secret replaced by its marker. When s holds
// none, s itself is returned and nothing is allocated.
func (r *Redactor) String(s string) string {
	out, _ := r.redact(s, false)
	return out
}

// Find reports the spans String replaces in s, in order, overlapping
// matches merged (the kind is the one that starts first; at the same
// start the more specific one: "token: ghp_…" is a github token). It reports the
// first pass only: a span that appears once its neighbour is replaced (see
// String) is not listed.
func (r *Redactor) Find(s string) []Match {
	ms, _ := r.scan(s, false, -1)
	return ms
}

// Contains reports whether s holds a secret String would replace. It stops
// at the first one and allocates nothing.
func (r *Redactor) Contains(s string) bool {
	ms, _ := r.scan(s, false, 1)
	return len(ms) > 0
}

// String redacts s with a Redactor that has no registered values.
func String(s string) string {
	var r Redactor
	return r.String(s)
}

// redact replaces every span in s; inKey says s starts inside a private
// key block. It repeats until nothing changes, because a replacement can
// change what its neighbours look like (an AWS key id glued to a masked
// value only has a word boundary once the value is a marker); each pass
// turns unmarked text into markers, which are never matched again (see
// clip), so it ends.
// It returns whether s ends inside a private key block (first pass).
func (r *Redactor) redact(s string, inKey bool) (string, bool) {
	ms, after := r.scan(s, inKey, -1)
	if len(ms) == 0 {
		return s, after
	}
	out := render(s, ms)
	for pass := 1; pass < maxPasses; pass++ {
		ms, more := r.scan(out, false, -1)
		after = after || more
		if len(ms) == 0 {
			break
		}
		out = render(out, ms)
	}
	return out, after
}

// maxPasses bounds redact's passes. Two are the most any test or fuzz
// input has needed; the bound only guards against a rule bug looping.
const maxPasses = 8

// render writes s with each span replaced by its marker, one marker per
// non-empty line the span covers (a trailing "\r" of a covered line is
// kept; an empty line stays empty).
func render(s string, ms []Match) string {
	var b strings.Builder
	b.Grow(len(s) + 16*len(ms))
	last := 0
	for _, m := range ms {
		b.WriteString(s[last:m.Start])
		mk := Marker(m.Kind)
		piece := s[m.Start:m.End]
		for {
			line, rest, more := strings.Cut(piece, "\n")
			if line != "" {
				b.WriteString(mk)
				if strings.HasSuffix(line, "\r") {
					b.WriteByte('\r')
				}
			}
			if !more {
				break
			}
			b.WriteByte('\n')
			piece = rest
			if piece == "" {
				break
			}
		}
		last = m.End
	}
	b.WriteString(s[last:])
	return b.String()
}
