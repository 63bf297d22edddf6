package redact

import (
	"strings"
	"testing"
)

// FuzzRedact checks, for any text: redacting twice equals redacting once;
// the line stream gives the same text as String; Find and Contains agree
// with String; clean text comes back as it was.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"", "token: ***", "password=hunter22", ghToken("p", 1) + "x", awsKeyID, rfc7519JWT,
		"-----BEGIN PRIVATE KEY-----\nMC4\n-----END PRIVATE KEY-----",
		"-----BEGIN RSA PRIVATE KEY-----\r\nabc", "Authorization: Bearer abc123def456",
		"https://u:p4ssw0rd@host/x", "::add-mask::v4lue", "[redacted: secret]AKIAIOSFODNN7EXAMPLE",
		`{\"password\":\"x\\\"y\"}`, "Basic " + rfc7617Basic, "masked-value-1AKIAIOSFODNN7EXAMPLE",
	} {
		f.Add(s)
	}
	r := New("masked-value-1")
	f.Fuzz(func(t *testing.T, s string) {
		once := r.String(s)
		if twice := r.String(once); twice != once {
			t.Fatalf("not idempotent:\n  in    %q\n  once  %q\n  twice %q", s, once, twice)
		}
		if st := streamLines(r, s); st != once {
			t.Fatalf("stream differs:\n  in     %q\n  String %q\n  stream %q", s, once, st)
		}
		var buf strings.Builder
		w := r.Writer(&buf)
		for p := s; p != ""; {
			n := min(3, len(p))
			_, _ = w.Write([]byte(p[:n]))
			p = p[n:]
		}
		_ = w.Close()
		if buf.String() != once {
			t.Fatalf("Writer differs:\n  in     %q\n  String %q\n  Writer %q", s, once, buf.String())
		}
		if found := len(r.Find(s)) > 0; found != (once != s) || r.Contains(s) != found {
			t.Fatalf("Find/Contains disagree with String for %q: found %v, changed %v", s, found, once != s)
		}
	})
}

// plantable secrets for FuzzNoSurvivor: the text planted and the part of
// it that must not survive.
var plantable = []struct{ text, secret string }{
	{ghToken("p", 31), ghToken("p", 31)},
	{ghToken("o", 32), ghToken("o", 32)},
	{ghToken("u", 33), ghToken("u", 33)},
	{ghToken("s", 34), ghToken("s", 34)},
	{ghToken("r", 35), ghToken("r", 35)},
	{fineGrainedPAT(36), fineGrainedPAT(36)},
	{statelessGHS(), statelessGHS()},
	{awsKeyID, awsKeyID},
	{"ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A"},
	{"aws_secret_access_key=" + awsSecretKey, awsSecretKey},
	{rfc7519JWT, rfc7519JWT},
	{"Authorization: Basic " + rfc7617Basic, rfc7617Basic},
	{"Authorization: Bearer mF_9.B5f-4.1JqM", "mF_9.B5f-4.1JqM"},
	{"https://bob:s3cr3tpass@example.com", "s3cr3tpass"},
	{"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGtzZWNyZXQ\n-----END PRIVATE KEY-----", "MC4CAQAwBQYDK2VwBCIEIGtzZWNyZXQ"},
	{"DB_PASSWORD=Pa55w0rd!x", "Pa55w0rd!x"},
}

// separators that may stand between a secret and the text around it.
const separators = " \n\t\"'`=(),;|<>[]{}"

// FuzzNoSurvivor plants a known secret between random texts (with a
// separator on each side, as a secret stands in real text) and a
// registered random value anywhere: neither may survive.
func FuzzNoSurvivor(f *testing.F) {
	f.Add("prefix ", " suffix", uint8(0), uint8(0), uint8(0), "my-masked-value")
	f.Add("password=", "@host", uint8(9), uint8(2), uint8(3), "AKIA")
	f.Add("-----BEGIN ", "-----", uint8(14), uint8(1), uint8(1), "\r\n\r\nab")
	f.Add("Authorization: ", "\n", uint8(11), uint8(0), uint8(1), "[redacted: secret]x")
	f.Fuzz(func(t *testing.T, prefix, suffix string, which, left, right uint8, value string) {
		p := plantable[int(which)%len(plantable)]
		l, rt := separators[int(left)%len(separators)], separators[int(right)%len(separators)]
		in := prefix + string(l) + p.text + string(rt) + suffix
		var r Redactor
		if out := r.String(in); survives(out, p.secret) {
			t.Fatalf("%q survived in\n  in  %q\n  out %q", p.secret, in, out)
		}
		if len(strings.TrimSpace(value)) < MinValueLength || strings.Contains(value, markerPrefix) {
			return // not registered (too short), or matched only outside markers
		}
		r.Add(value)
		in = prefix + value + suffix
		if out := r.String(in); survives(out, value) {
			t.Fatalf("registered %q survived in\n  in  %q\n  out %q", value, in, out)
		}
	})
}

// survives reports whether secret occurs in out other than in (or
// across) a marker's own words ("alue" in "[redacted: masked value]").
func survives(out, secret string) bool {
	var marks []Match
	for i := 0; i < len(out); i++ {
		if n := markerAt(out[i:]); n > 0 {
			marks = append(marks, Match{Start: i, End: i + n})
			i += n - 1
		}
	}
	for from := 0; ; {
		k := strings.Index(out[from:], secret)
		if k < 0 {
			return false
		}
		a, e := from+k, from+k+len(secret)
		inMarker := false
		for _, m := range marks {
			if a < m.End && m.Start < e {
				inMarker = true
				break
			}
		}
		if !inMarker {
			return true
		}
		from = a + 1
	}
}
