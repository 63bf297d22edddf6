package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
)

// variants returns the forms of v that Add registers (see Add), each at
// least MinValueLength long, possibly with duplicates.
func variants(v string) []string {
	var out []string
	add := func(s string) {
		if len(strings.TrimSpace(s)) >= MinValueLength {
			out = append(out, s)
		}
	}
	forms := func(s string) {
		add(s)
		if b, err := json.Marshal(s); err == nil && len(b) >= 2 {
			add(string(b[1 : len(b)-1]))
		}
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		// Unpadded encodings are prefixes of the padded ones, so one
		// registration covers both.
		add(base64.RawStdEncoding.EncodeToString([]byte(s)))
		add(base64.RawURLEncoding.EncodeToString([]byte(s)))
	}
	forms(v)
	if t := strings.TrimSpace(v); t != v {
		forms(t)
	}
	if strings.ContainsAny(v, "\r\n") {
		for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
			add(line)
			if t := strings.TrimSpace(line); t != line {
				add(t)
			}
		}
	}
	return out
}
