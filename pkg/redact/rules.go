package redact

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// minGitHubBody is the fewest letters and digits after a GitHub prefix.
// GitHub's documented shapes are longer: 36 after ghp_/gho_/ghu_/ghs_/ghr_
// (40 in all) and 82 after github_pat_ (22 + "_" + 59, 93 in all); 30
// still catches a token cut short by a log line or a column.
const minGitHubBody = 30

// matchGitHub returns the end of the GitHub token at s[i:], or 0.
//
// Shapes (outside sources, checked 2026):
//   - prefixes ghp_ gho_ ghu_ ghs_ ghr_, characters [A-Za-z0-9_], "plan to
//     support tokens up to 255 characters" (GitHub changelog 2021-03-31,
//     https://github.blog/changelog/2021-03-31-authentication-token-format-updates-are-generally-available);
//     the last six characters are a CRC-32 checksum (GitHub blog, "Behind
//     GitHub's new authentication token formats", 2021-04-05), which is
//     not checked here: a redactor must also catch mistyped and example
//     tokens;
//   - github_pat_ for fine-grained personal access tokens (GitHub docs,
//     "About authentication to GitHub", GitHub's token formats);
//   - stateless installation tokens "ghs_APPID_JWT", ~520 characters with
//     two dots; GitHub's recommended pattern is ghs_[A-Za-z0-9\._]{36,}
//     (GitHub changelog 2026-05-15, "GitHub App installation tokens:
//     per-request override header").
//
// So the body is [A-Za-z0-9_.-]+ (the '-' because a JWT's base64url may
// hold one), trailing '.' and '-' are left out (a full stop after the
// token), and it must hold at least minGitHubBody letters and digits. No
// left word boundary is required: a token glued to other text is still a
// token.
//
// run is where the scan of the body stopped (0 when s[i:] has no prefix).
func matchGitHub(s string, i int) (end, run int) {
	rest := s[i:]
	body := 0
	switch {
	case len(rest) > 4 && rest[1] == 'h' && rest[3] == '_' && strings.IndexByte("pousr", rest[2]) >= 0:
		body = 4
	case strings.HasPrefix(rest, "github_pat_"):
		body = len("github_pat_")
	default:
		return 0, 0
	}
	j, alnum := body, 0
	for j < len(rest) {
		c := rest[j]
		if isAlnum(c) {
			alnum++
		} else if c != '_' && c != '.' && c != '-' {
			break
		}
		j++
	}
	run = i + j
	for j > body && (rest[j-1] == '.' || rest[j-1] == '-') {
		j--
	}
	if alnum < minGitHubBody {
		return 0, run
	}
	return i + j, run
}

// matchAWS returns the end of the AWS access key id at s[i:], or 0: one of
// the documented prefixes (see AWSAccessKeyID) and 16 upper-case letters or
// digits, not inside a longer word.
func matchAWS(s string, i int) int {
	if len(s)-i < 20 || i > 0 && isAlnum(s[i-1]) {
		return 0
	}
	switch s[i : i+4] {
	case "AKIA", "ASIA", "ABIA", "ACCA":
	default:
		return 0
	}
	for j := i + 4; j < i+20; j++ {
		if c := s[j]; !(c >= 'A' && c <= 'Z' || isDigit(c)) {
			return 0
		}
	}
	if i+20 < len(s) && isAlnum(s[i+20]) {
		return 0
	}
	return i + 20
}

func isB64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// matchJWT returns the end of the JWT at s[i:], or 0: three (JWS) to five
// (JWE) base64url parts joined by dots, the first starting "eyJ" and at
// least 16 characters long (the shortest real header, {"alg":"none"}, is
// 19), the second at least 2 ("e30" is {}); the last may be empty (an
// unsecured JWS ends with a dot, RFC 7519 §6.1).
func (sc *scanner) matchJWT(i int) int {
	s := sc.s
	if !strings.HasPrefix(s[i:], "eyJ") {
		return 0
	}
	j, parts := i, 0
	for {
		k := sc.b64.get(s, j, isB64URL)
		parts++
		switch {
		case parts == 1 && k-j < 16, parts == 2 && k-j < 2:
			return 0
		}
		if parts < 5 && k < len(s) && s[k] == '.' {
			j = k + 1
			continue
		}
		j = k
		break
	}
	if parts < 3 {
		return 0
	}
	return j
}

const (
	pemBegin = "-----BEGIN "
	pemEndTx = "-----END "
	pemDash  = "-----"
)

// pemLabel returns the end of a PEM boundary's label-and-dashes at
// s[j:] ("RSA PRIVATE KEY-----"), or -1 unless the label names a private
// key: upper-case letters, digits and spaces ending in "PRIVATE KEY" or
// "PRIVATE KEY BLOCK", then five dashes.
func pemLabel(s string, j int) int {
	k := j
	for k < len(s) && (s[k] >= 'A' && s[k] <= 'Z' || isDigit(s[k]) || s[k] == ' ') && k-j < 64 {
		k++
	}
	label := s[j:k]
	if !strings.HasSuffix(label, "PRIVATE KEY") && !strings.HasSuffix(label, "PRIVATE KEY BLOCK") {
		return -1
	}
	if !strings.HasPrefix(s[k:], pemDash) {
		return -1
	}
	return k + len(pemDash)
}

// matchPEM matches a private key block starting at s[i:] ("-----BEGIN
// "). end is after the END boundary, or len(s) when there is none (closed
// false): a cut-off key is still a key.
func matchPEM(s string, i int) (end int, closed, ok bool) {
	if pemLabel(s, i+len(pemBegin)) < 0 {
		return 0, false, false
	}
	end, closed = pemEnd(s, i+len(pemBegin))
	return end, closed, true
}

// pemEnd finds the first private-key END boundary in s at or after from.
func pemEnd(s string, from int) (int, bool) {
	for from < len(s) {
		k := strings.Index(s[from:], pemEndTx)
		if k < 0 {
			break
		}
		j := from + k + len(pemEndTx)
		if e := pemLabel(s, j); e >= 0 {
			return e, true
		}
		from = j
	}
	return len(s), false
}

// matchSep handles the separator at s[i] (':' or '='): an "::add-mask::"
// command, a URL with credentials, or a secret-looking assignment or
// authentication header.
func (sc *scanner) matchSep(i int) (Match, bool) {
	s := sc.s
	if s[i] == ':' {
		if strings.HasPrefix(s[i:], "::add-mask::") {
			a := i + len("::add-mask::")
			e := sc.eol.get(s, a, notEOL)
			for e > a && (s[e-1] == ' ' || s[e-1] == '\t') {
				e--
			}
			if e > a && markerAt(s[a:e]) == 0 {
				return Match{Start: a, End: e, Kind: MaskedValue}, true
			}
			return Match{}, false
		}
		if strings.HasPrefix(s[i:], "://") {
			if a, e, ok := matchURL(s, i); ok {
				return Match{Start: a, End: e, Kind: URLCredentials}, true
			}
			return Match{}, false
		}
	}
	return sc.matchAssignment(i)
}

func notEOL(c byte) bool { return c != '\n' && c != '\r' }

func isSchemeChar(c byte) bool { return isAlnum(c) || c == '+' || c == '.' || c == '-' }

// matchURL matches the userinfo of the URL whose "://" is at s[i:]. It is
// credentials when it holds a password ("user:pass", RFC 3986 §3.2.1) that
// is not a placeholder, or when the user name alone looks like a token
// ("https://<token>@host"); "ssh://git@host" is not.
func matchURL(s string, i int) (int, int, bool) {
	k := i
	for k > 0 && isSchemeChar(s[k-1]) {
		k--
	}
	for k < i && !isAlpha(s[k]) { // a scheme starts with a letter
		k++
	}
	if k == i {
		return 0, 0, false
	}
	a := i + 3
	e := a
	for e < len(s) {
		c := s[e]
		if c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || isSpace(c) {
			break
		}
		e++
	}
	at := strings.LastIndexByte(s[a:e], '@')
	if at <= 0 {
		return 0, 0, false
	}
	user, pass, hasPass := strings.Cut(s[a:a+at], ":")
	if hasPass {
		if placeholder(pass) && !looksSecret(user) {
			return 0, 0, false
		}
	} else if !looksSecret(user) {
		return 0, 0, false
	}
	return a, a + at, true
}

// keyword is a secret-naming word an assignment's key may end with.
type keyword struct {
	word string
	// bounded: the word must be the whole key or follow a non-letter
	// ("_auth", not "oauth"; "sig", not "config").
	bounded bool
	// header: the value is HTTP credentials, up to the end of the line.
	header bool
}

// keywords, indexed by their last byte so a separator costs one lookup.
// Cross-checked against gitleaks' generic-api-key rule, whose keywords are
// key, api, token, pat, secret, client, password and auth anywhere in the
// key, with an entropy threshold on the value. Here the key must end with
// the word (so "token_type", "max_tokens" and "keyboard" are not keys)
// and, instead of entropy, placeholders are excluded and a bare value after
// ':' must look like a secret. "key" alone and "client" are left out: too
// many ordinary fields end with them.
var keywords = func() (t [256][]keyword) {
	for last, kws := range map[byte][]keyword{
		'd': {{word: "password"}, {word: "passwd"}},
		'e': {{word: "passphrase"}, {word: "signature"}},
		't': {{word: "secret"}},
		'n': {{word: "authorization", header: true}, {word: "token"}},
		'y': {{word: "apikey"}, {word: "api_key"}, {word: "api-key"}, {word: "access_key"}, {word: "accesskey"},
			{word: "access-key"}, {word: "secret_key"}, {word: "secretkey"}, {word: "secret-key"},
			{word: "private_key"}, {word: "privatekey"}, {word: "private-key"}},
		'h': {{word: "auth", bounded: true}},
		'g': {{word: "sig", bounded: true}},
	} {
		t[last] = kws
		t[last-'a'+'A'] = kws
	}
	return t
}()

// keywordBefore returns the keyword the key ending at s[:end] ends with.
func keywordBefore(s string, end int) (keyword, bool) {
	if end == 0 {
		return keyword{}, false
	}
	key := s[max(0, end-24):end]
	for _, kw := range keywords[key[len(key)-1]] {
		if !hasSuffixFold(key, kw.word) {
			continue
		}
		if kw.bounded {
			if b := end - len(kw.word); b > 0 && isAlpha(s[b-1]) {
				continue
			}
		}
		return kw, true
	}
	return keyword{}, false
}

// matchAssignment matches the value of "key = value", "key: value",
// "KEY=value", `"key": "value"`, `key="value"` or `\"key\":\"value\"` when
// the key ends with a secret-naming word (see keywords). The value is
// quoted, or runs to the next space, quote, '&' or ','. It is not a secret
// when it is a placeholder ("***", "null", "$VAR", "${{ secrets.X }}",
// "<token>", a marker). Comparisons ("==", "!=", "<=", ":=") are not
// assignments. After an unquoted key and ':' (YAML, prose, log fields),
// or an '=' with spaces around it (ini files, but also code quoted in
// stack traces), an unquoted value must also look like a secret (see
// looksSecret), so "token: write", "password: required" and "id_token =
// yield" stay.
//
// For Authorization and Proxy-Authorization the value runs to the end of
// the line (or a quote) and the scheme word is kept: "Authorization:
// Bearer [redacted: credentials]".
func (sc *scanner) matchAssignment(i int) (Match, bool) {
	s := sc.s
	sep := s[i]
	if sep == '=' {
		if i+1 < len(s) && (s[i+1] == '=' || s[i+1] == '~') {
			return Match{}, false
		}
		if i > 0 && strings.IndexByte("=!<>:+-*/%&|^", s[i-1]) >= 0 {
			return Match{}, false
		}
	} else if i+1 < len(s) && s[i+1] == ':' || i > 0 && s[i-1] == ':' {
		return Match{}, false // "::" (scopes, IPv6, commands)
	}
	k := i
	for n := 0; k > 0 && (s[k-1] == ' ' || s[k-1] == '\t') && n < 4; n++ {
		k--
	}
	quotedKey := false
	if k > 0 && (s[k-1] == '"' || s[k-1] == '\'') {
		k--
		quotedKey = true
		if k > 0 && s[k-1] == '\\' {
			k--
		}
	}
	kw, ok := keywordBefore(s, k)
	if !ok {
		return Match{}, false
	}
	if sep == ':' {
		// "scheme://token:pass@host" is a URL's userinfo: matchURL's.
		ks := k
		for ks > 0 && (isAlnum(s[ks-1]) || s[ks-1] == '_' || s[ks-1] == '.' || s[ks-1] == '-') {
			ks--
		}
		if strings.HasSuffix(s[:ks], "://") {
			return Match{}, false
		}
	}
	j := i + 1
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if kw.header {
		return sc.headerValue(j)
	}
	a, e, quotedVal := sc.value(j)
	if e <= a {
		return Match{}, false
	}
	v := s[a:e]
	if placeholder(v) || markerAt(s[a:]) > 0 {
		return Match{}, false
	}
	// Strong evidence: a quoted key or value, or "KEY=value" written
	// tight. "key = value" with spaces is as often code ("const id_token =
	// yield …" in a stack trace) as an ini file, so it needs the same
	// secret-looking value as ':'.
	spaced := k < i || j > i+1
	strong := quotedKey || quotedVal || sep == '=' && !spaced
	if strong && len(v) < 4 || !strong && !looksSecret(v) {
		return Match{}, false
	}
	return Match{Start: a, End: e, Kind: Secret}, true
}

// value returns the bounds of the value starting at s[j:]: inside quotes
// (also JSON-escaped \"…\"), or up to a space, quote, '&' or ','.
func (sc *scanner) value(j int) (int, int, bool) {
	s := sc.s
	if j >= len(s) {
		return j, j, false
	}
	q, a := byte(0), j
	switch {
	case s[j] == '"' || s[j] == '\'':
		q, a = s[j], j+1
	case s[j] == '\\' && j+1 < len(s) && s[j+1] == '"':
		q, a = '"', j+2
	}
	if q != 0 {
		for e := a; e < len(s); e++ {
			switch c := s[e]; {
			case c == '\n' || c == '\r':
				return a, e, true
			case c == '\\' && q == '"' && e+1 < len(s) && s[e+1] == '"':
				if s[j] == '\\' {
					return a, e, true // the closing \" of \"…\"
				}
				e++ // an escaped quote inside
			case c == q:
				return a, e, true
			}
		}
		return a, len(s), true
	}
	return j, sc.bare.get(s, j, inBare), false
}

func inBare(c byte) bool { return !isSpace(c) && c != '"' && c != '\'' && c != '&' && c != ',' }

// authSchemes are HTTP authentication scheme names (IANA registry) that
// carry no credential when they stand alone.
var authSchemes = []string{"bearer", "basic", "token", "digest", "negotiate", "ntlm", "hoba", "mutual", "scram-sha-256", "aws4-hmac-sha256"}

// headerValue matches the credentials of an Authorization header whose
// value starts at s[j:].
func (sc *scanner) headerValue(j int) (Match, bool) {
	s := sc.s
	if j < len(s) && (s[j] == '"' || s[j] == '\'') {
		j++
	}
	e := sc.hdr.get(s, j, inHeader)
	for e > j && (s[e-1] == ' ' || s[e-1] == '\t') {
		e--
	}
	v := s[j:e]
	if placeholder(v) || markerAt(s[j:]) > 0 {
		return Match{}, false
	}
	scheme, cred, hasCred := strings.Cut(v[:min(len(v), 32)], " ")
	if hasCred {
		cred = v[len(scheme)+1:]
	}
	if hasCred && isSchemeWord(scheme) {
		cred = strings.TrimLeft(cred, " \t")
		a := e - len(cred)
		if placeholder(cred) || markerAt(s[a:]) > 0 {
			return Match{}, false
		}
		return Match{Start: a, End: e, Kind: Credentials}, true
	}
	if !hasCred {
		for _, sc := range authSchemes {
			if strings.EqualFold(v, sc) {
				return Match{}, false
			}
		}
		if !looksSecret(v) {
			return Match{}, false
		}
	}
	return Match{Start: j, End: e, Kind: Credentials}, true
}

func inHeader(c byte) bool { return c != '\n' && c != '\r' && c != '"' && c != '\'' }

func isSchemeWord(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// matchScheme matches a standalone "Bearer <token>" (RFC 6750 §2.1:
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=")
// or "Basic <credentials>" (RFC 7617 §2: base64 of user-id ":" password) at
// s[i:], and returns the credential's bounds. A bearer token must be 8 or
// more characters with a digit, or 20 or more with both cases, so prose
// ("bearer of bad news", "Bearer token") stays; Basic credentials must
// decode to text holding a ':'.
func matchScheme(s string, i int) (int, int) {
	if i > 0 && isAlnum(s[i-1]) {
		return 0, 0
	}
	rest := s[i:]
	var basic bool
	switch {
	case hasPrefixFold(rest, "bearer "):
	case hasPrefixFold(rest, "basic "):
		basic = true
	default:
		return 0, 0
	}
	a := i + len("basic ")
	if !basic {
		a = i + len("bearer ")
	}
	for a < len(s) && s[a] == ' ' {
		a++
	}
	e := a
	for e < len(s) {
		c := s[e]
		if isAlnum(c) || c == '+' || c == '/' || !basic && (c == '-' || c == '.' || c == '_' || c == '~') {
			e++
			continue
		}
		break
	}
	for e < len(s) && s[e] == '=' {
		e++
	}
	if e < len(s) && isAlnum(s[e]) || e-a < 8 {
		return 0, 0
	}
	tok := s[a:e]
	if basic {
		dec, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			dec, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(tok, "="))
		}
		if err != nil || !utf8.Valid(dec) || !strings.Contains(string(dec), ":") || strings.ContainsFunc(string(dec), func(r rune) bool { return r < ' ' }) {
			return 0, 0
		}
		return a, e
	}
	var digit, up, low bool
	for j := 0; j < len(tok); j++ {
		c := tok[j]
		digit = digit || isDigit(c)
		up = up || c >= 'A' && c <= 'Z'
		low = low || c >= 'a' && c <= 'z'
	}
	if !digit && !(len(tok) >= 20 && up && low) {
		return 0, 0
	}
	return a, e
}

// placeholder reports whether an assignment's value is a stand-in rather
// than a secret: empty, a marker, masked ("***", "xxxx"), a reference to a
// variable or expression ("$TOKEN", "${TOKEN}", "${{ secrets.T }}",
// "$(cat f)", "%TOKEN%", "{{ .Token }}", "<token>"), another tool's
// redaction ("[REDACTED]", as octokit prints headers), or a literal such
// as null, none, true, false.
func placeholder(v string) bool {
	if v == "" || markerAt(v) > 0 {
		return true
	}
	masked := true
	for i := 0; i < len(v) && i < 64; i++ {
		if c := v[i]; c != '*' && c != 'x' && c != 'X' && c != '.' && c != '#' {
			masked = false
			break
		}
	}
	if masked {
		return true
	}
	last := v[len(v)-1]
	switch {
	case v[0] == '$' && len(v) > 1 && (isAlpha(v[1]) || v[1] == '_' || v[1] == '{' || v[1] == '('):
		return true
	case strings.HasPrefix(v, "{{"):
		return true
	case v[0] == '%' && last == '%' && len(v) > 2:
		return true
	case v[0] == '<' && last == '>', v[0] == '[' && last == ']' && allLetters(v[1:len(v)-1]):
		// <token>, <redacted>; [REDACTED] (octokit), [FILTERED], [MASKED]
		return true
	}
	if len(v) <= 9 {
		for _, w := range placeholderWords {
			if strings.EqualFold(v, w) {
				return true
			}
		}
	}
	return false
}

var placeholderWords = []string{"null", "nil", "none", "true", "false", "undefined", "redacted", "hidden", "masked", "(none)", "(null)", "[]", "{}", "''", `""`}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) && s[i] != '_' && s[i] != ' ' {
			return false
		}
	}
	return s != ""
}

// looksSecret reports whether an unquoted value after a ':' (or a bare
// user name in a URL, or a lone header value) looks like a credential
// rather than a word: 8 or more characters mixing letters and digits, or 12
// or more digits, or 16 or more mixing upper and lower case, or letters
// with a symbol typical of passwords.
func looksSecret(v string) bool {
	if len(v) < 8 {
		return false
	}
	var low, up, digit, sym bool
	for i := 0; i < len(v) && i < 64; i++ { // the first 64 bytes decide
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z':
			low = true
		case c >= 'A' && c <= 'Z':
			up = true
		case isDigit(c):
			digit = true
		case strings.IndexByte("!@#$%^&*+=?~", c) >= 0:
			sym = true
		}
	}
	letters := low || up
	switch {
	case digit && letters, digit && len(v) >= 12, up && low && len(v) >= 16, sym && letters:
		return true
	}
	return false
}
