package classify

import (
	"bytes"
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"slices"
	"strings"
)

// The general layer gives a failed log a root-cause line when no rule of
// the catalog explains it. Rules stay the precise path: they name a known
// failure with high confidence. Under them, every line that carries a
// failure word (error, failed, denied, killed, ...) is scored:
//
//   - the words on the line, found by the same prefilter pass as the rules'
//     literals (each word is a pseudo-pattern, so scoring costs nothing on
//     lines without one);
//   - its form: a diagnostic at the start of the line ("error:", "FAILED",
//     "fatal", "panic:", an exception head, "file:12: error"), which the
//     tools print for the cause, rather than a word in passing;
//   - known noise: warnings, deprecations, retries, "0 errors", echoed
//     commands, success lines;
//   - its position: the lines just before the first failure marker (GitHub's
//     "Process completed with exit code 1", Jenkins' "Finished: FAILURE",
//     Travis' "exited with 1", a test runner's or linker's summary, ...);
//     a marker says that something failed, not what, so it is named only
//     when no line is a candidate;
//   - repetition: equal lines (after masking) count once, at the first.
//
// The best line becomes a finding labelled as inferred (rule id
// "inferred.<category>", confidence at most 0.5), its category inferred
// from the words around it: the tool that printed it (conan, openssl and
// FIPS, compilers and build tools, test runners, docker, kubectl, helm and
// terraform, package registries) and the symptom on the line itself
// (network, disk, memory). Nothing pointing anywhere gives "unknown".
//
// A log counts as failed when it has a failure marker (or a "##[error]"
// line), or, for logs without GitHub's step markers (pasted excerpts,
// other CI systems, local builds), when a strong candidate line is not
// followed by a success line ("BUILD SUCCESSFUL", "Finished: SUCCESS",
// "Apply complete!"). A raw GitHub log without a failure marker is green.

// InferredPrefix starts the rule id of the general layer's findings.
const InferredPrefix = "inferred."

// IsInferred reports whether f comes from the general layer rather than a
// rule: its category is inferred from context, its confidence low.
func IsInferred(f *Finding) bool { return f != nil && strings.HasPrefix(f.RuleID, InferredPrefix) }

// tokenKind says how a score token counts.
type tokenKind uint8

const (
	kindWord        tokenKind = iota // a word at the start of a word: its weight
	kindNoise                        // a phrase of lines that only look like failures: -3 (once)
	kindBenign                       // a notice printed at error level that reports no failure: -10
	kindConsequence                  // a summary that something failed earlier: -3 (once)
	kindSuccess                      // a success line
	kindFailEnd                      // a failure marker
	kindExit                         // an exit code: a failure marker unless it is 0
)

// scoreToken is a word or phrase the general layer scores lines by.
type scoreToken struct {
	lit    string // lower case
	litB   []byte
	weight int
	kind   tokenKind
	// trigger tokens are registered in the prefilter (each as a
	// pseudo-pattern): a line is scored only when it holds one. The others
	// (noise, success-looking words, summaries) only adjust the score of a
	// line a trigger made a candidate, so they cost nothing elsewhere.
	trigger bool
	// follow, for a word shorter than minFastLiteral, lists the bytes that
	// may follow it ("" for any): the prefilter then looks for the word
	// with each of them, "\n" standing for the end of the line, since it
	// steps over the text by the shortest literal's length less 3.
	follow string
}

// minFastLiteral is the shortest literal that keeps the prefilter's
// stride at 2.
const minFastLiteral = 5

// errorCodes are the error-code prefixes tools print a failure under
// ("ERR_PNPM_OUTDATED_LOCKFILE", "ERR_OSSL_EVP_UNSUPPORTED"): a word
// followed by a letter.
func errorCodes(weight int, lits ...string) []scoreToken {
	out := words(weight, lits...)
	for i := range out {
		out[i].follow = "abcdefghijklmnopqrstuvwxyz"
	}
	return out
}

func words(weight int, lits ...string) []scoreToken {
	out := make([]scoreToken, len(lits))
	for i, l := range lits {
		out[i] = scoreToken{lit: l, weight: weight, trigger: weight > 0}
		if len(l) < minFastLiteral && weight > 0 {
			out[i].follow = "edsiu: \t.,;!?)]>'\"-\n"
		}
	}
	return out
}

func phrases(kind tokenKind, lits ...string) []scoreToken {
	out := make([]scoreToken, len(lits))
	for i, l := range lits {
		out[i] = scoreToken{lit: l, kind: kind, trigger: kind == kindSuccess || kind == kindFailEnd || kind == kindExit}
	}
	return out
}

// scoreTokens are the words and phrases lines are scored by.
var scoreTokens = slices.Concat(
	// Failure words.
	words(3, "fatal", "##[error", "segmentation fault", "out of memory", "not accessible", "read-only mode",
		"command not found", "segfault", "econnreset", "etimedout", "econnrefused", "eai_again", "enotfound",
		"unable to load provider"),
	// How package managers, resolvers and network clients say that they
	// gave up (pip, Go, Composer, git, .NET, resolvers).
	words(3, "could not find a version that satisfies", "no matching distribution", "could not find compatible version",
		"could not be resolved to an installable set", "[remote rejected]", "! [rejected]", "temporary failure resolving",
		"could not resolve host", "name or service not known"),
	// Python cannot import what the step needs.
	words(3, "no module named"),
	words(4, "build constraints exclude all", "no rule to make target", "version solving failed"),
	// npm prints ERR! only for a failed command; yarn's own wording; HTTP
	// statuses of a service that failed.
	words(2, "npm err!", "an unexpected error occurred", "service unavailable", "gateway timeout",
		"undefined reference to"),
	words(3, "esockettimedout", "client.timeout exceeded"),
	words(2, "could not resolve all files", "could not resolve all dependencies"),
	words(1, "no matching package", "could not be completed", "could not transfer", "could not be resolved",
		"received status code"),
	// Node's report of a rejected promise nobody handled is the error,
	// though it is called a warning.
	words(6, "unhandledpromiserejection"),
	// The network's own words (Go's net package, curl, resolvers) and a
	// process killed by a signal.
	words(3, "dial tcp", "server misbehaving", "no such host", "i/o timeout", "tls handshake timeout",
		"connection reset", "network is unreachable", "no route to host", "sigkill", "signal: 9", "signal 9"),
	// Success negated: the "success" in it must not count for it.
	words(6, "didn't exit successfully", "did not exit successfully", "did not complete successfully",
		"didn't complete successfully", "was not successful", "does not indicate success"),
	// Words that say on their own that the run failed, and why: a one-line
	// paste of them is a failed log.
	words(5, "no space left", "enough free space", "not enough space", "insufficient space", "disk quota exceeded",
		"outofmemoryerror", "cannot allocate memory", "lost communication with the server", "maximum execution time", "maximum time limit", "hash sum mismatch",
		"automatically failed", "error in your yaml syntax"),
	errorCodes(3, "err_"),
	words(4, "crashloopbackoff", "imagepullbackoff", "errimagepull"),
	words(2, "error", "fail", "panic", "exception", "core dumped", "not ok ", "denied", "refused", "unauthori",
		"forbidden", "timed out", "killed", "bad gateway", "internal server error", "too many requests",
		"reset by peer", "panicked", "not authorized", "authentication required",
		"undefined reference", "could not resolve", "self-test", "self test", "known-answer", "unable to load",
		"syntax error"),
	words(1, "traceback", "abort", "crash", "assert", "unhandled", "uncaught", "timeout", "cannot", "can't",
		"could not", "couldn't", "unable to", "not found", "no such", "invalid", "rejected", "expired",
		"unsupported", "undefined", "undeclared", "unresolved", "missing", "conflict", "not allowed",
		"not permitted", "mismatch", "corrupt", "interrupted", "unavailable", "rate limit", "broken pipe",
		"non-zero", "not available", "not supported", "not recognized", "violation", "deadline", "terminated",
		"exceeded", "disabled"),
	// Words of lines that only look like failures.
	words(-1, "retry"),
	words(-2, "warn", "deprecat", "ignor", "skip", "passed"),
	words(-3, "success"),
	words(-4, "no error"),
	phrases(kindNoise, "error-prone", "errorprone", "-werror", "onerror", "error_log", "errors.go", "error.go",
		"if-no-files-found", "continue-on-error", "fail-fast", "failfast", "--fail-", "set -e", "|| true",
		"will retry", "retrying in", "warning:", "[warning]", "npm warn", "warn "),
	phrases(kindBenign, "pip's dependency resolver does not currently take into account"),
	phrases(kindConsequence, "code elifecycle", "npm err! errno 1", "npm err! failed at the",
		"this is probably not a problem with npm", "could not compile", "failed to compile", "previous error", "ld returned 1 exit status",
		"compilation terminated", "no input files", "commands failed", "[help 1]",
		"for more information about this error", "build failed with an exception", "a complete log of this run",
		"errors while running", "see the compiler error output", "to see the full stack trace", "re-run maven",
		"--stacktrace", "some errors occurred", "exiting with failure", "configuring incomplete",
		"-- performing test", "-- looking for", "-- check for"),
	// Where a run failed or succeeded.
	// PowerShell's error record ("+ FullyQualifiedErrorId : ...") follows
	// a command that failed.
	// The linker's and make's own summaries ("collect2: error: ld returned 1
	// exit status", "make: *** [Makefile:3: all] Error 2") follow the
	// cause.
	phrases(kindFailEnd, "ld returned 1 exit status", ": *** [", "fullyqualifiederrorid", "failed (failures=", "failed (errors=", "test result: failed",
		"finished: failure", "marked build as failure", "job failed", "build failed",
		"build failure", "errors while running ctest", "returned non-zero exit status", "returned a non-zero",
		"tests failed", "test failed"),
	phrases(kindExit, "exit code", "exit status", "exited with"),
	phrases(kindSuccess, "finished: success", "build successful", "build success", "build succeeded",
		"job succeeded", "apply complete!", "status: deployed", "100% tests passed", "all tests passed",
		"successfully installed", "compilation succeeded", "finished release", "finished dev", "finished `",
		"finished test", "deployment succeeded", "successfully deployed", "successfully pushed",
		"published successfully"),
)

func init() {
	for i := range scoreTokens {
		scoreTokens[i].litB = []byte(scoreTokens[i].lit)
	}
}

// prefilterKeys are the literals a trigger token registers in the
// prefilter.
func (t *scoreToken) prefilterKeys() []string {
	if t.follow == "" {
		return []string{t.lit}
	}
	var keys []string
	for _, c := range []byte(t.follow) {
		keys = append(keys, t.lit+string(c))
		if c == '\n' {
			keys = append(keys, t.lit+"\r")
		}
	}
	return keys
}

// present reports whether the token is on the line (text, and lower in
// lower case): a phrase anywhere, a word at the start of a word (see
// hasWord) and followed by one of follow's bytes.
func (t *scoreToken) present(text, lower []byte) bool {
	if t.kind != kindWord {
		return bytes.Contains(lower, t.litB)
	}
	for i := 0; ; {
		j := bytes.Index(lower[i:], t.litB)
		if j < 0 {
			return false
		}
		j += i
		i = j + 1
		if !wordStart(text, lower, j, len(t.litB)) {
			continue
		}
		if t.follow == "" {
			return true
		}
		if end := j + len(t.litB); end == len(lower) || strings.IndexByte(t.follow, lower[end]) >= 0 {
			return true
		}
	}
}

// Line scores: a candidate needs at least candidateMin, and a strong one
// (which alone makes a log without failure markers count as failed)
// strongMin.
const (
	candidateMin = 3
	strongMin    = 4
	// candidateWindow is how many lines before a failure marker (or the
	// end of the log) earn a position bonus.
	candidateWindow = 30
	// voteWindow is how many lines around a candidate its category is
	// inferred from.
	voteWindow = 10
	// maxChunkCandidates bounds the strongest candidates a chunk keeps.
	maxChunkCandidates = 8
	// maxCandidates bounds the strongest candidates a log keeps.
	maxCandidates = 24
	// materializeMax bounds the candidates of a chunk given their text and
	// window: more than the log keeps, so that lines repeated from
	// earlier chunks rarely leave the log short of one.
	materializeMax = 32
)

// lineScore is what the general layer makes of one line.
type lineScore struct {
	score   int
	failEnd bool // a failure marker: the job or command failed here
	success bool // a success line: what came before it did not fail
}

// hasPrefixFold reports whether s starts with the lower-case prefix p,
// ASCII case-insensitively.
func hasPrefixFold(s []byte, p string) bool {
	return len(s) >= len(p) && foldEq(s[:len(p)], []byte(p))
}

// zeroCount reports "0 errors", "errors: 0", "failures=0" and the like.
func zeroCount(lower []byte) bool {
	for _, w := range []string{"error", "fail", "problem"} {
		for i := 0; ; {
			j := bytes.Index(lower[i:], []byte(w))
			if j < 0 {
				break
			}
			j += i
			// "0 errors", "0 tests failed"
			before := bytes.TrimRight(lower[:j], " ")
			if n := len(before); n > 0 && before[n-1] == '0' && (n == 1 || !isDigit(before[n-2])) {
				return true
			}
			if bytes.HasSuffix(before, []byte("0 tests")) && (len(before) == 7 || !isDigit(before[len(before)-8])) {
				return true
			}
			// "errors: 0", "failures=0", "failed 0"
			k := j + len(w)
			for k < len(lower) && 'a' <= lower[k] && lower[k] <= 'z' {
				k++
			}
			rest := bytes.TrimLeft(lower[k:], " :=")
			if len(rest) > 0 && rest[0] == '0' && (len(rest) == 1 || !isDigit(rest[1]) && rest[1] != '.' && rest[1] != ',') {
				return true // not "Failed    0.05 sec"
			}
			if k < len(lower) && lower[k] == ':' && bytes.HasPrefix(rest, []byte("none")) {
				return true // "Self-test failures: none"
			}
			i = j + 1
		}
	}
	return false
}

// exitCodeNonZero reports whether the phrase at lower[i:] is followed by a
// non-zero exit code ("exit code 1", "exited with 2", "exit status 137").
func exitCodeNonZero(rest []byte) (bool, bool) {
	rest = bytes.TrimLeft(rest, " :'\"(")
	rest = bytes.TrimPrefix(rest, []byte("code "))
	rest = bytes.TrimPrefix(rest, []byte("exit status "))
	rest = bytes.TrimLeft(rest, " :'\"(")
	n := digits(rest)
	if n == 0 {
		return false, false
	}
	return true, !(n == 1 && rest[0] == '0')
}

// scoreLine scores a normalised line; mask has (at least) the bits of the
// score tokens it holds (token i at pattern id tokenBase+i). lower is a
// buffer for the line in lower case, returned for reuse.
func (a *Analyzer) scoreLine(text []byte, mask []uint64, lower []byte) (lineScore, []byte) {
	var ls lineScore
	lower = append(lower[:0], text...)
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	tokens := 0
	// The trigger tokens the prefilter saw in the raw line; each counts
	// when it is in the line's text (not in a timestamp or prefix).
	for w := a.tokenBase >> 6; w <= (a.tokenEnd-1)>>6; w++ {
		for word := mask[w] & a.tokenWords[w]; word != 0; word &= word - 1 {
			id := w*64 + bits.TrailingZeros64(word)
			t := &scoreTokens[id-a.tokenBase]
			if t.kind == kindExit {
				for i := 0; ; {
					j := bytes.Index(lower[i:], t.litB)
					if j < 0 {
						break
					}
					if num, nonZero := exitCodeNonZero(lower[i+j+len(t.litB):]); num {
						ls.failEnd = ls.failEnd || nonZero
						ls.success = ls.success || !nonZero
					}
					i += j + 1
				}
				continue
			}
			if !t.present(text, lower) {
				continue
			}
			switch t.kind {
			case kindWord:
				ls.score += t.weight
				tokens++
			case kindSuccess:
				ls.success = true
			case kindFailEnd:
				ls.failEnd = true
			}
		}
	}
	if bytes.HasPrefix(lower, []byte("ok ")) && digits(lower[3:]) > 0 {
		ls.success = true // TAP
	}
	if ls.failEnd && ls.success {
		ls.failEnd = false // "100% tests passed, 0 tests failed", "exit code 0"
	}
	if tokens == 0 {
		return ls, lower
	}
	nonZero := false
	if bytes.IndexByte(lower, '0') >= 0 || bytes.Contains(lower, []byte("none")) {
		if zeroCount(lower) {
			// "0 errors", "Failures: none": not a failure, nor its end.
			ls.score -= 8
			ls.failEnd = false
			return ls, lower
		}
	}
	if nonZeroCount(lower) {
		// "2 failed", "Failures: 1": a count of failures, which "passed"
		// beside it does not cancel. A summary, so it weighs less than the
		// lines that name what failed.
		ls.score++
		nonZero = true
	}
	if earlyFailureWord(lower) {
		ls.score++ // "CMake Error at", "npm ERR!", "Error response from daemon"
	}
	// The form of the line: what tools print for the cause.
	switch {
	case hasPrefixFold(text, "##[error]"):
		ls.score += 3
	case hasPrefixFold(text, "error") && len(text) > 5 && (strings.IndexByte(":[(", text[5]) >= 0 ||
		text[5] == ' ' && (text[0] == 'E' || text[1] == 'R')), // "error:", "Error response", "ERROR x"; not "error message."
		toolError(text),
		hasPrefixFold(text, "fatal"), hasPrefixFold(text, "panic:"), hasPrefixFold(text, "caused by:"),
		bytes.HasPrefix(text, []byte("FAIL")), bytes.HasPrefix(text, []byte("E ")), hasPrefixFold(text, "not ok "),
		hasPrefixFold(text, "[error]"), hasPrefixFold(text, "npm err"), hasPrefixFold(text, "e: "),
		hasPrefixFold(text, "unhandled exception"), hasPrefixFold(text, "denied:"), hasPrefixFold(text, "--- fail"),
		// A registry's error code: "unauthorized: authentication required",
		// "toomanyrequests: ...", "forbidden: ...".
		hasPrefixFold(text, "exception in thread "), // Java's uncaught exception
		hasPrefixFold(text, "unauthorized:"), hasPrefixFold(text, "toomanyrequests:"), hasPrefixFold(text, "forbidden:"):
		ls.score += 3
	}
	if exceptionHead(text) {
		ls.score += 3
	}
	if diagnosticLocation(text) {
		ls.score += 3 // "render.go:41:15: undefined: x", "Program.cs(4,7): ..."
	}
	if fipsRefusal(text, lower) {
		ls.score += 3 // "DSA keys are not allowed in FIPS mode", "Failed to load FIPS provider"
	}
	if bytes.Contains(lower, []byte("panicked at")) {
		ls.score += 2
	}
	if statusAtEnd(lower) {
		ls.score += 2 // "rejectsWeakCipher() FAILED", "***Failed  0.05 sec", "(Not Run)"
	}
	if bytes.Contains(lower, []byte(": error")) || bytes.Contains(lower, []byte(": fatal error")) ||
		bytes.Contains(lower, []byte("): error ")) {
		ls.score += 3 // "file:12: error: x", the compilers' and linters' form
	}
	if bytes.HasPrefix(lower, []byte("+ ")) || bytes.HasPrefix(lower, []byte("$ ")) || bytes.HasPrefix(lower, []byte("echo ")) {
		ls.score -= 2
	}
	if bytes.HasPrefix(lower, []byte("raise ")) || bytes.HasPrefix(lower, []byte("throw ")) {
		// Source code a traceback or code frame quotes ("raise
		// self.failureException(msg)"): the exception below it is the output.
		ls.score -= 3
	}
	if ls.success {
		ls.score -= 4
	}
	// The other tokens only lower the score ("passed" beside a count of
	// failures aside): they are looked for on lines that may still be
	// candidates.
	if upper := ls.score + 2; upper >= candidateMin {
		var noise, consequence bool
		// The prefilter of these tokens sets their bits in mask when their
		// literals are on the line; only those are looked at further.
		for q := 0; ; {
			h := a.pfQuiet.next(lower, q, mask)
			if h < 0 {
				break
			}
			q = h + 1
		}
		for _, id := range a.quietShort {
			mask[id>>6] |= 1 << (id & 63)
		}
		for w, qw := range a.quietWords {
			for word := mask[w] & qw; word != 0; word &= word - 1 {
				t := &scoreTokens[w*64+bits.TrailingZeros64(word)-a.tokenBase]
				if !t.present(text, lower) {
					continue
				}
				switch t.kind {
				case kindWord:
					ls.score += t.weight
					if t.lit == "passed" && nonZero {
						ls.score += 4 // cancels its own weight, and counts 2
					}
				case kindNoise:
					noise = true
				case kindBenign:
					ls.score -= 10
				case kindConsequence:
					consequence = true
				}
			}
		}
		if noise {
			ls.score -= 3
		}
		if consequence {
			ls.score -= 5
		}
	}
	if len(text) > 1000 {
		ls.score--
	}
	if ls.failEnd {
		// A failure marker says that something failed, not what: the
		// cause is above it (or, for a test runner's summary, in the list
		// below it). It is named only when no line is a candidate (see
		// generalState.best).
		ls.score = min(ls.score, candidateMin-1)
	}
	return ls, lower
}

// wordStart reports whether the n bytes at j of the line (text, and
// lower in lower case) start a word: at the line's start or after a
// non-word byte ("error" in "errors:" and "build-error"), or as the last
// CamelCase part of an identifier ("error" in "ParserError:", "exception"
// in "NoSuchAlgorithmException", also after an acronym: "HTTPError");
// not in "-Werror", "WERROR_VLA",
// "TestErrorHandling" or "TestFailover".
func wordStart(text, lower []byte, j, n int) bool {
	if j == 0 || !isWordByte(lower[j-1]) || !isWordByte(lower[j]) {
		return true
	}
	// After a lower-case letter, or after an acronym ("HTTPError",
	// "OSError"): an upper-case letter followed by a lower-case one.
	camel := 'a' <= text[j-1] && text[j-1] <= 'z' ||
		'A' <= text[j-1] && text[j-1] <= 'Z' && j+1 < len(text) && 'a' <= text[j+1] && text[j+1] <= 'z'
	if 'A' <= text[j] && text[j] <= 'Z' && camel {
		end := j + n
		for end < len(text) && 'a' <= text[end] && text[end] <= 'z' {
			end++ // "Failed" in "AssertionFailedError"
		}
		return end == len(text) || !isWordByte(lower[end]) || 'A' <= text[end] && text[end] <= 'Z' && end > j+n
	}
	return false
}

// hasWord reports whether the line (text, and lower in lower case) holds
// w at the start of a word (see wordStart).
func hasWord(text, lower []byte, w string) bool {
	for i := 0; ; {
		j := bytes.Index(lower[i:], []byte(w))
		if j < 0 {
			return false
		}
		j += i
		if wordStart(text, lower, j, len(w)) {
			return true
		}
		i = j + 1
	}
}

// asciiLower returns s with A-Z in lower case and every other byte as it
// is, so that an index into the result is an index into s. (strings.ToLower
// changes the length of invalid UTF-8 and of some letters, such as 'İ'.)
func asciiLower(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

func isWordByte(c byte) bool { return 'a' <= c && c <= 'z' || isDigit(c) || c == '_' }

// toolError reports "<Tool> Error ..." at the start of a line ("CMake
// Error at CMakeLists.txt:17", "Gradle ERROR").
func toolError(text []byte) bool {
	sp := bytes.IndexByte(text, ' ')
	if sp <= 0 || sp > 24 || text[0] < 'A' || text[0] > 'Z' {
		return false
	}
	rest := text[sp+1:]
	return bytes.HasPrefix(rest, []byte("Error")) || bytes.HasPrefix(rest, []byte("ERROR"))
}

// fipsRefusal reports a line that names FIPS and says that something was
// refused or could not be done: FIPS mode's own refusals, whatever
// library prints them. ("FIPS mode disabled" alone is a setting, not a
// refusal.)
func fipsRefusal(text, lower []byte) bool {
	if !hasWord(text, lower, "fips") {
		return false
	}
	for _, w := range []string{"not allowed", "not permitted", "not approved", "not supported", "unsupported",
		"disabled for fips", "refused", "fail", "error", "cannot", "could not", "unable to", "not available"} {
		if hasWord(text, lower, w) {
			return true
		}
	}
	return false
}

// earlyFailureWord reports a failure word among the first words of the
// line, where tools put it when the line is the failure.
func earlyFailureWord(lower []byte) bool {
	head := lower[:min(len(lower), 16)]
	return bytes.Contains(head, []byte("error")) || bytes.Contains(head, []byte("err!")) || bytes.Contains(head, []byte("err_")) ||
		bytes.Contains(head, []byte("fatal")) || bytes.Contains(head, []byte("fail"))
}

// nonZeroCount reports a count of failures above zero: "2 failed",
// "1 tests failed", "Failures: 1", "errors=3".
func nonZeroCount(lower []byte) bool {
	for _, w := range []string{"fail", "error"} {
		for i := 0; ; {
			j := bytes.Index(lower[i:], []byte(w))
			if j < 0 {
				break
			}
			j += i
			before := bytes.TrimRight(lower[:j], " ")
			before = bytes.TrimSuffix(before, []byte("tests"))
			before = bytes.TrimSuffix(before, []byte("test"))
			before = bytes.TrimRight(before, " ")
			if n := len(before); n > 0 && isDigit(before[n-1]) {
				k := n - 1
				for k > 0 && isDigit(before[k-1]) {
					k--
				}
				if digits(before[k:]) > 0 && !(n-k == 1 && before[k] == '0') && (k == 0 || !isWordByte(before[k-1])) {
					return true
				}
			}
			k := j + len(w)
			for k < len(lower) && 'a' <= lower[k] && lower[k] <= 'z' {
				k++
			}
			rest := bytes.TrimLeft(lower[k:], " :=")
			if d := digits(rest); d > 0 && !(d == 1 && rest[0] == '0') && k < len(lower) && (lower[k] == ':' || lower[k] == '=') {
				return true
			}
			i = j + 1
		}
	}
	return false
}

// diagnosticLocation reports a line that starts with a source location,
// the form compilers and linters print a diagnostic in: "a/b.go:41:15: ",
// "x.c:3: ", "Program.cs(4,7): ", "lib/x.ts(11,25): ", javac's through
// Maven "X.java:[189,49] ", also after a severity tag ("e: x.kts: (107,
// 21): " from kotlinc, "[ERROR] X.java:[3,7] ").
func diagnosticLocation(text []byte) bool {
	for _, sev := range []string{"e: ", "w: ", "[error] "} {
		if hasPrefixFold(text, sev) {
			text = text[len(sev):]
			break
		}
	}
	i := 0
	for i < len(text) && i < 300 && text[i] != ' ' && text[i] != ':' && text[i] != '(' {
		i++
	}
	name := text[:i]
	dot := bytes.LastIndexByte(name, '.')
	if dot <= 0 || dot == len(name)-1 || len(name)-dot > 6 || i == len(text) {
		return false
	}
	rest := text[i:]
	switch rest[0] {
	case ':':
		if bytes.HasPrefix(rest, []byte(": (")) { // Kotlin: "x.kts: (107, 21): "
			n := digits(rest[3:])
			return n > 0 && 3+n < len(rest) && rest[3+n] == ','
		}
		if bytes.HasPrefix(rest, []byte(":[")) { // javac via Maven: "X.java:[189,49] "
			n := digits(rest[2:])
			return n > 0 && 2+n < len(rest) && rest[2+n] == ','
		}
		n := digits(rest[1:])
		return n > 0 && 1+n < len(rest) && rest[1+n] == ':'
	case '(':
		n := digits(rest[1:])
		return n > 0 && 1+n < len(rest) && (rest[1+n] == ',' || rest[1+n] == ')')
	}
	return false
}

// statusAtEnd reports a test result line: a failure word among the last
// words of the line ("x() FAILED", "***Failed    0.05 sec", "(Not Run)").
func statusAtEnd(lower []byte) bool {
	tail := lower[max(0, len(lower)-24):]
	return bytes.Contains(tail, []byte("fail")) || bytes.Contains(tail, []byte("(not run)")) ||
		bytes.Contains(tail, []byte("(timeout)")) || bytes.Contains(tail, []byte("***exception"))
}

// exceptionHead reports a line that starts with an exception or error type
// ("ValueError: x", "java.security.NoSuchAlgorithmException: x",
// "System.InvalidOperationException: x", "HTTPError: 400").
func exceptionHead(text []byte) bool {
	end := bytes.IndexByte(text, ':')
	if end <= 0 || end > 120 {
		return false
	}
	head := text[:end]
	if bytes.IndexByte(head, ' ') >= 0 {
		return false
	}
	return bytes.HasSuffix(head, []byte("Error")) || bytes.HasSuffix(head, []byte("Exception")) ||
		bytes.HasSuffix(head, []byte("Failure")) || bytes.HasSuffix(head, []byte("Fault"))
}

// candidate is a line the general layer may name.
type candidate struct {
	line    int // virtual line number
	score   int
	key     uint64 // hash of the line's text: repeated lines count once
	ls, le  int    // offsets in the chunk's data (while it is processed)
	events  int    // group events of the chunk before it
	text    string
	window  []string // the lines around it, voteWindow each side ("" where the log has none)
	context []ContextLine
	step    string
	group   string
}

// before orders candidates best first: higher score, then earlier line.
func (c *candidate) before(d *candidate) bool {
	return c.score > d.score || c.score == d.score && c.line < d.line
}

// chunkKeep bounds the distinct candidates a chunk keeps. The log's best
// maxCandidates are the best of the chunks' best, so the answer does not
// depend on where chunks begin, unless a chunk has more than chunkKeep
// candidates that repeat lines of earlier chunks.
const chunkKeep = 256

// chunkCandidates are what a chunk keeps of the general layer's results.
type chunkCandidates struct {
	top        []candidate // best distinct lines, at most chunkKeep
	keys       map[uint64]bool
	recent     []candidate // the candidates of the last candidateWindow lines seen
	near       []candidate // those within candidateWindow lines before the chunk's first failure marker
	firstFail  int         // virtual line of the chunk's first failure marker (0: none)
	failLine   candidate   // that line, for a log with no better candidate
	failEnds   int
	lastStrong int
	lastOK     int // last success line
	okMarkers  int // "##[error]" lines that report success
}

// conanReference matches a Conan reference with a user and channel
// ("frob/1.0@acme/stable", Conan 1) or a package id ("zlib/1.3.1:<40 hex>").
var conanReference = regexp.MustCompile(`\b[a-z0-9_][a-z0-9_.+-]*/[0-9][a-zA-Z0-9_.+-]*(?:@[a-zA-Z0-9_.+-]+/[a-zA-Z0-9_.+-]+|:[0-9a-f]{40}\b)`)

// fipsContext matches lines that show FIPS mode in use, not merely the
// word (a repository named openssl-fips-policy): the FIPS provider or
// module, the kernel's and the runtimes' FIPS switches.
var fipsContext = regexp.MustCompile(`(?i)fipsinstall|fipsmodule|fips\.so|fips\.cnf|fips_mode|fips_enabled|fips=(?:yes|true|on|1[ "\n]|1$)|fips mode|fips modules?|fips provider|fips140|fips-mode-setup|fips-finish-install|OPENSSL_FIPS|-provider fips|semeru\.fips|com\.redhat\.fips|GOFIPS(?:=|140)|GOLANG_FIPS|boringcrypto|NSS-FIPS|OpenJCEPlusFIPS|--(?:enable|force)-fips|enable FIPS|crypto/boring`)

// keep records a candidate line (in log order).
func (cc *chunkCandidates) keep(cd candidate) {
	if cd.score >= strongMin {
		cc.lastStrong = cd.line
	}
	for len(cc.recent) > 0 && cc.recent[0].line <= cd.line-candidateWindow {
		cc.recent = cc.recent[1:]
	}
	cc.recent = append(cc.recent, cd)
	if cc.keys == nil {
		cc.keys = map[uint64]bool{}
	}
	if cc.keys[cd.key] {
		return
	}
	if len(cc.top) < chunkKeep {
		cc.keys[cd.key] = true
		cc.top = append(cc.top, cd)
		return
	}
	worst := 0
	for i := range cc.top {
		if cc.top[worst].before(&cc.top[i]) {
			worst = i
		}
	}
	if cd.before(&cc.top[worst]) {
		delete(cc.keys, cc.top[worst].key)
		cc.keys[cd.key] = true
		cc.top[worst] = cd
	}
}

// failed records a failure marker at line (after keep for that line).
func (cc *chunkCandidates) failed(fl candidate) {
	cc.failEnds++
	if cc.firstFail != 0 {
		return
	}
	cc.firstFail, cc.failLine = fl.line, fl
	for _, r := range cc.recent {
		if r.line >= fl.line-candidateWindow && r.line < fl.line {
			cc.near = append(cc.near, r)
		}
	}
}

// each calls f for every candidate the chunk holds (top, near, recent and
// the failure line), so they can be given their text.
func (cc *chunkCandidates) each(f func(*candidate)) {
	for i := range cc.top {
		f(&cc.top[i])
	}
	for i := range cc.near {
		f(&cc.near[i])
	}
	for i := range cc.recent {
		f(&cc.recent[i])
	}
	if cc.firstFail != 0 {
		f(&cc.failLine)
	}
}

// textKey hashes a line's text (FNV-1a).
func textKey(text []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range text {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// categoryWords are the words the category of an inferred finding is
// voted by (lower case, matched at the start of a word): the tools that
// print each kind of failure and the symptoms that make it. onLine weighs
// a word on the candidate line itself, around a word on a line near it.
var categoryWords = []struct {
	cat           Category
	onLine, round float64
	words         []string
}{
	{CategoryConan, 3, 2, []string{"conan", "conaninfo", "conanfile", "conandata", "settings.compiler", "settings.os",
		"settings.arch", "settings.build_type", "recipe", "prebuilt", "conancenter", "--build=missing", "version conflict",
		"conan_toolchain", "in remotes", "conan remote", "[remote:", "missing binary:", "profile not found",
		"needs authentication, please login"}},
	// FIPS in use, not a name that contains the word (openssl-fips-policy).
	{CategoryFIPS, 4, 2, []string{"fips mode", "fips provider", "fips module", "fipsinstall", "fipsmodule", "fips.so",
		"fips_mode", "fips_enabled", "fips140", "fips 140", "fips-140", "fips=", "boringcrypto", "semeru.fips",
		"nss-fips", "ckr_", "fips-mode-setup", "fips validated", "for fips", "in fips", "fips self", "self-test",
		"self test", "known-answer", "provider fips", "name=fips"}},
	// CocoaPods resolves an iOS build's dependencies ("pod" alone is a
	// Kubernetes word).
	{CategoryBuild, 6, 1, []string{"cocoapods", "podfile", "pod install"}},
	// A tool that is not installed is the build's setup.
	{CategoryBuild, 6, 1, []string{"command not found", "is not recognized as an internal or external command",
		"is not installed", "unable to locate executable"}},
	// Symptoms of the machine or a service decide on the line itself:
	// they are the cause whatever tool printed them.
	{CategoryInfrastructure, 20, 1, []string{"no space left", "disk full", "out of memory", "oom", "oomkilled",
		"killed", "connection reset", "reset by peer", "econnreset",
		"etimedout", "econnrefused", "enotfound", "eai_again", "name resolution", "could not resolve host",
		"unknown host", "network is unreachable", "bad gateway", "service unavailable", "gateway time",
		"too many requests", "rate limit", "internal server error", "lost communication", "outofmemoryerror",
		"heap space", "heap out of memory", "cannot allocate memory", "enough free space", "not enough space",
		"insufficient space", "disk quota exceeded", "client.timeout exceeded", "request canceled while waiting for connection",
		"awaiting headers", "esockettimedout", "etimedout", "max retries exceeded", "stopped hearing from agent",
		"system failure", "shutdown signal", "sslerror", "ssleoferror",
		"certificate verify failed", "tls handshake", "hash sum mismatch", "read-only mode", "transfer interrupted",
		"temporary failure", "socket hang up", "i/o timeout", "connection timed out"}},
	// A process killed by the kernel (137 = 128 + SIGKILL, mostly the OOM
	// killer): also decides from the failure marker below the line that
	// says what was killed.
	{CategoryInfrastructure, 20, 6, []string{"exit code 137", "exited with 137", "exit status 137", "signal 9",
		"signal: 9", "sigkill"}},
	{CategoryInfrastructure, 5, 1, []string{"503", "502", "504", "429", "connection refused",
		"handshake failure", "mirror", "proxy", "maintenance", "download failed", "unreachable",
		// TLS below the tool: the connection, the proxy's or the host's
		// certificate.
		"handshake", "gnutls", "ssl routines", "ssl_connect", "tlsv1", "sslv3 alert", "x509:",
		"unable to get local issuer certificate", "self signed certificate", "self-signed certificate"}},
	// A registry's refusal, and docker's header of a push.
	{CategoryDeployment, 6, 2, []string{"requested access to the resource is denied", "the push refers to repository",
		// Helm's and the registries' own words.
		"installation failed", "upgrade failed", "rollback failed", "reuse blob", "manifest unknown", "blob unknown",
		"layer already exists", "mounted from",
		// A package registry refusing a version it has.
		"file already exists", "previously published", "already uploaded", "cannot publish over", "payment required",
		"write organization package", "write_package", "permission_denied", "no matches for kind",
		"unable to recognize", "state lock", "the feed already contains",
		"upload.pypi.org", "file-name-reuse",
		// Terraform's diagnostics name the configuration they come from.
		".tf line", "in resource \"", "in data \"", "in module \"", "in provider \""}},
	{CategoryDeployment, 2, 1, []string{"docker push", "push", "publish", "deploy", "upload", "registry",
		"ghcr.io", "ecr", "amazonaws.com", "artifactory", "kubectl", "helm", "terraform", "tfstate", "twine",
		"pypi", "gh release", "gcloud", "ansible", "pulumi", "kubernetes", "k8s", "namespace", "rollout",
		"iam:", "arn:aws", "cloudformation", "heroku", "vercel", "netlify", "s3://", "docker login",
		"authorization token", "image", "container", "pod", "release"}},
	{CategoryTest, 2, 1, []string{"pytest", "unittest", "test_", "tests/", "assert", "assertion", "expected",
		"received", "jest", "mocha", "vitest", "karma", "junit", "surefire", "failsafe", "testng", "ctest", "gtest",
		"go test", "--- fail", "=== run", "not ok", "tox", "rspec", "jtreg", "tests run", "test failed",
		"tests failed", "testcase", "test case", "test suite", "xunit", "nunit", "phpunit", "expect(", "test ",
		"tests ", "spec/", "spec.", "specs", "test.", "... failed", "[  failed  ]", "[ run      ]", "tests, listed below"}},
	{CategoryBuild, 2, 1, []string{"gcc", "g++", "clang", "cc1", "collect2", "ld:", "cmake", "make[", "make:",
		"ninja", "msbuild", ".csproj", "cl.exe", "cargo", "rustc", "go build", "javac", "compil", "linking",
		"linker", "tsc", "webpack", "vite", "esbuild", "babel", "npm install", "npm ci", "yarn install",
		"pnpm", "pip install", "poetry", "setup.py", "wheel", "bazel", "meson", "configure", "undefined reference",
		"undeclared", "error[e", "err_pnpm", "no matching version", "version solving", "cannot find symbol", "unresolved reference", "mismatched types", "syntax error", "gradle",
		"maven", "mvn", "pom.xml", "error cs", "error ts", "lockfile", "package.json", "requirements.txt",
		"go.mod", "module not found", "cannot find module", "no module named", "dotnet", "nuget", "include file",
		"build", "building", "dependency", "dependencies", ".c:", ".cc:", ".cpp:", ".h:", ".hpp:", ".rs:", ".go:",
		".java:", ".kt:", ".kts:", ".ts(", ".cs(", ".swift:", ".scala:", "go vet", "go tool", "go install", "go mod", "go: ",
		"vet:", "lint", "eslint", "flake8", "ruff", "mypy", "clippy", "bundle install", "bundler", "gemfile", "gemspec",
		"rubygems", "requires ruby version", "composer", "installable set of packages", "incompatible"}},
	// git without credentials in a job: the checkout's or the token's setup.
	{CategoryWorkflow, 6, 1, []string{"could not read username", "could not read password", "terminal prompts disabled"}},
	{CategoryWorkflow, 3, 1, []string{"file command", "actions/", "uses:", "workflow", "github_token", "permission",
		"secrets.", ".github", "runs-on", "set-output", "id-token", "oidc", "api.github.com", "octokit",
		"httperror", "artifact", "graphql"}},
	// GitHub Actions' own words for its failures decide on the line.
	{CategoryWorkflow, 20, 2, []string{"resource not accessible by integration", "input required and not supplied",
		"unable to resolve action", "actions_id_token_request", "the job running on runner",
		"maximum execution time", "maximum time limit", "deprecated version of `actions/", "invalid workflow file",
		"error in your yaml syntax",
		"the workflow is not valid", "has timed out after", "higher priority waiting request",
		"operation was canceled", "denied to github-actions[bot]", "github-actions[bot]"}},
}

// dockerLayerProgress reports a line of docker's (or podman's) progress
// of a push or pull: a layer id and its state.
func dockerLayerProgress(t string) bool {
	if len(t) < 14 || t[12] != ':' || t[13] != ' ' {
		return false
	}
	for i := range 12 {
		if c := t[i]; !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	for _, s := range []string{"Preparing", "Waiting", "Pushing", "Pushed", "Layer already exists", "Mounted from",
		"Pulling fs layer", "Downloading", "Verifying Checksum", "Download complete", "Pull complete", "Extracting",
		"Already exists", "Retrying"} {
		if strings.HasPrefix(t[14:], s) {
			return true
		}
	}
	return false
}

// isCommandEcho reports a line that echoes a command: a shell prompt or
// trace ("$ ", "+ "), GitHub's "Run ..." step title, "[command]".
func isCommandEcho(t string) bool {
	return strings.HasPrefix(t, "$ ") || strings.HasPrefix(t, "+ ") || strings.HasPrefix(t, "Run ") ||
		strings.HasPrefix(t, "[command]") || strings.HasPrefix(t, "##[group]Run ")
}

// cryptoRefusals are words of a refused algorithm, provider or keystore:
// in a log that runs in FIPS mode, they make a failure fips whatever tool
// reports it (a test, a build step).
var cryptoRefusals = []string{"algorithm", "provider", "keystore", "digest", "cipher", "md5", "sha1", "sha-1",
	"des", "rc4", "not available", "unsupported", "disabled", "not approved", "not allowed", "nosuchalgorithm",
	"nosuchprovider", "digital envelope", "evp_", "pkcs", "crypto", "kat_", "pct_", "self-test", "self test",
	"self_test", "known-answer", "known answer", "integrity"}

// digestRefused reports Python's hashlib refusing MD5 or SHA-1
// (UnsupportedDigestmodError): OpenSSL's default provider has both, so only
// FIPS mode refuses them. (MD4 and the other legacy digests are refused
// by OpenSSL 3 without FIPS.)
func digestRefused(cd *candidate) bool {
	lower := asciiLower(cd.text)
	if !bytes.Contains(lower, []byte("unsupporteddigestmod")) {
		return false
	}
	for _, t := range append([]string{cd.text}, cd.window...) {
		l := asciiLower(t)
		if bytes.Contains(l, []byte("md4")) || bytes.Contains(l, []byte("ripemd")) || bytes.Contains(l, []byte("whirlpool")) {
			return false
		}
	}
	for _, t := range append([]string{cd.text}, cd.window...) {
		l := asciiLower(t)
		if bytes.Contains(l, []byte("md5")) || bytes.Contains(l, []byte("sha1")) {
			return true
		}
	}
	return false
}

// inferCategory votes the category of a candidate from its line, the
// lines around it (nearer ones more) and the step it ran in. fips says the
// log runs in FIPS mode. It returns CategoryUnknown when nothing points
// anywhere, and the share of the votes the winner got.
func inferCategory(cd *candidate, step string, fips bool) (Category, float64) {
	votes := map[Category]float64{}
	vote := func(text string, onLine bool, w float64) {
		lower := asciiLower(text)
		for _, cw := range categoryWords {
			weight := cw.round
			if onLine {
				weight = cw.onLine
			}
			for _, word := range cw.words {
				if hasWord([]byte(text), lower, word) {
					votes[cw.cat] += weight * w
				}
			}
		}
	}
	vote(cd.text, true, 1)
	for i, t := range cd.window {
		if t == "" {
			continue
		}
		if dockerLayerProgress(t) {
			// "ad6b69b54919: Waiting": a push or pull to a registry.
			votes[CategoryDeployment]++
			continue
		}
		d := i - voteWindow
		if d >= 0 {
			d++
		}
		w := 1 / (1 + math.Abs(float64(d))/4)
		if isCommandEcho(t) {
			w *= 2 // "$ helm install ...": the command that failed names its tool
		}
		vote(t, false, w)
	}
	vote(step, false, 1.5)
	if conanReference.MatchString(cd.text) {
		votes[CategoryConan] += 3 // "zlib/1.3.1:3f2a...", "frob/1.0@acme/stable"
	}
	if diagnosticLocation([]byte(cd.text)) && bytes.Contains(asciiLower(cd.text), []byte(": error")) {
		votes[CategoryBuild] += 2 // "lib/main.dart:12:5: Error: ...": a compiler's diagnostic
	}
	if digestRefused(cd) {
		votes[CategoryFIPS] += 6
	}
	if fips {
		lower := asciiLower(cd.text)
		for _, w := range cryptoRefusals {
			if hasWord([]byte(cd.text), lower, w) {
				votes[CategoryFIPS] += 6
				break
			}
		}
	}
	best, total := CategoryUnknown, 0.0
	for _, c := range Categories {
		total += votes[c]
		if votes[c] > votes[best] {
			best = c
		}
	}
	if votes[best] < 1 {
		return CategoryUnknown, 0
	}
	return best, votes[best] / total
}

var categorySeverity = map[Category]Severity{
	CategoryConan: SeverityHigh, CategoryFIPS: SeverityCritical, CategoryWorkflow: SeverityMedium,
	CategoryBuild: SeverityHigh, CategoryTest: SeverityMedium, CategoryDeployment: SeverityHigh,
	CategoryInfrastructure: SeverityHigh, CategoryUnknown: SeverityMedium,
}

var categoryAdvice = map[Category]string{
	CategoryConan:          "The lines around it come from Conan: check the reference, the remotes and the profile it names.",
	CategoryFIPS:           "The lines around it show FIPS mode in use: check whether the algorithm, provider or keystore it names is allowed in FIPS mode.",
	CategoryWorkflow:       "The lines around it come from GitHub Actions itself: check the workflow file, the action versions and the job's permissions.",
	CategoryBuild:          "The lines around it come from the build: the first error above is usually the cause, later ones follow from it.",
	CategoryTest:           "The lines around it come from a test run: re-run the failing test locally.",
	CategoryDeployment:     "The lines around it come from a deployment or publishing step: check the target, its credentials and whether the version already exists.",
	CategoryInfrastructure: "The lines around it point at the machine or a remote service: re-run the job; if it recurs, check disk, memory and the service's status.",
	CategoryUnknown:        "Nothing around it names a tool or a symptom.",
}

// inferredFinding turns the chosen candidate into a finding.
func inferredFinding(cd *candidate, step, group, source string, bonus int, fips bool) *Finding {
	cat, share := inferCategory(cd, step, fips)
	title := "Likely root cause (no rule matched; category unknown)"
	if cat != CategoryUnknown {
		title = fmt.Sprintf("Likely root cause (no rule matched; %s inferred from the lines around it)", cat)
	}
	conf := 0.2 + 0.1*math.Min(float64(cd.score+bonus-candidateMin)/6, 1) + 0.2*share
	conf = math.Round(math.Min(conf, 0.5)*100) / 100
	id := InferredPrefix + string(cat)
	return &Finding{RuleID: id, Title: title, Category: cat, Severity: categorySeverity[cat], Confidence: conf,
		Line: cd.line, Text: cd.text, Context: cd.context, Step: step, Group: group,
		Suggestions: []string{categoryAdvice[cat],
			"No rule in the catalog knows this failure: if it recurs, add a custom rule (custom_rules) for it."},
		Fingerprint: Fingerprint(id, cd.text), Occurrences: 1, Source: source}
}

// generalState is the general layer's view of the whole log, built by the
// merger from the chunks in order.
type generalState struct {
	top        []candidate // best distinct lines of the log, at most maxCandidates
	tail       []candidate // candidates of the last candidateWindow lines so far
	near       []candidate // candidates within candidateWindow lines before the first failure marker
	firstFail  int
	failLine   *candidate
	failEnds   int
	lastStrong int
	lastOK     int
	sawGroup   bool // GitHub step markers: a raw job log
	okMarkers  int
}

// isOutput reports a candidate that is the job's output, not the script or
// environment GitHub echoes in a step's "Run ..." group.
func isOutput(cd *candidate) bool { return !strings.HasPrefix(cd.group, "Run ") }

// offer adds a candidate to the log's best.
func (g *generalState) offer(cd candidate) {
	worst := -1
	for i := range g.top {
		if g.top[i].key == cd.key {
			return // an earlier line with the same text (and score)
		}
		if worst < 0 || g.top[worst].before(&g.top[i]) {
			worst = i
		}
	}
	if len(g.top) < maxCandidates {
		g.top = append(g.top, cd)
	} else if cd.before(&g.top[worst]) {
		g.top[worst] = cd
	}
}

// merge takes a chunk's candidates; lastLine is the last (virtual) line
// read so far.
func (g *generalState) merge(cc *chunkCandidates, lastLine int) {
	if g.firstFail == 0 && cc.firstFail != 0 {
		g.firstFail = cc.firstFail
		for _, t := range g.tail {
			if t.line >= cc.firstFail-candidateWindow {
				g.near = append(g.near, t)
			}
		}
		g.near = append(g.near, cc.near...)
		fl := cc.failLine
		g.failLine = &fl
	}
	g.failEnds += cc.failEnds
	g.lastStrong = max(g.lastStrong, cc.lastStrong)
	g.lastOK = max(g.lastOK, cc.lastOK)
	g.okMarkers += cc.okMarkers
	for _, cd := range cc.top {
		if isOutput(&cd) {
			g.offer(cd)
		}
	}
	tail := g.tail[:0]
	for _, t := range append(g.tail, cc.recent...) {
		if t.line > lastLine-candidateWindow {
			tail = append(tail, t)
		}
	}
	g.tail = tail
}

// failedLog reports whether the log shows a failure: a failure marker or
// a "##[error]" line (other than one reporting exit code 0), or, in a log without GitHub's step markers, a strong
// candidate no success line follows.
func (g *generalState) failedLog(errorMarkers int) bool {
	return errorMarkers > g.okMarkers || g.failEnds > 0 || !g.sawGroup && g.lastStrong > 0 && g.lastStrong > g.lastOK
}

// bonus is a candidate's position bonus: near before the first failure
// marker.
func (g *generalState) bonus(line int) int {
	if g.firstFail == 0 {
		// Without a marker, where a pasted excerpt ends says little; among
		// equals the first line wins (later errors often follow from it).
		return 0
	}
	d := g.firstFail - line
	if d <= 0 {
		return min(d, 0) / max(-d, 1) // 0 at the marker, -1 after it
	}
	switch {
	case d <= 5:
		return 3
	case d <= 15:
		return 2
	case d <= candidateWindow:
		return 1
	}
	return 0
}

// best returns the candidate the general layer names and its position
// bonus: the best score with the bonus, the earliest line among equals;
// the first failure marker when no line scores; nil when there is none.
func (g *generalState) best() (*candidate, int) {
	var best *candidate
	bestScore, bestBonus := 0, 0
	seen := map[uint64]int{} // key -> earliest line among the candidates
	for _, list := range [][]candidate{g.top, g.near, g.tail} {
		for i := range list {
			cd := &list[i]
			if l, ok := seen[cd.key]; ok && l <= cd.line {
				continue
			}
			seen[cd.key] = cd.line
		}
	}
	for _, list := range [][]candidate{g.top, g.near, g.tail} {
		for i := range list {
			cd := &list[i]
			if !isOutput(cd) || seen[cd.key] != cd.line {
				continue
			}
			b := g.bonus(cd.line)
			if s := cd.score + b; best == nil || s > bestScore || s == bestScore && cd.line < best.line {
				best, bestScore, bestBonus = cd, s, b
			}
		}
	}
	if best == nil && g.failLine != nil {
		return g.failLine, 0
	}
	return best, bestBonus
}
