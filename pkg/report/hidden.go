package report

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// HiddenJSON renders v as a hidden HTML comment, "<!-- name {json} -->", for
// machine-readable state kept in an issue or comment body (the only storage
// an action has that outlives its run). name must not contain spaces, e.g.
// "ecosystem-actions:state". encoding/json escapes '<', '>' and '&', so the
// JSON can never end the comment early, whatever strings v holds. A value
// that does not encode renders as "{}".
func HiddenJSON(name string, v any) string {
	b, err := json.Marshal(v)
	if err != nil || len(b) == 0 || b[0] != '{' {
		b = []byte("{}")
	}
	return "<!-- " + name + " " + string(b) + " -->"
}

func hiddenRE(name string) *regexp.Regexp {
	return regexp.MustCompile(`<!-- ` + regexp.QuoteMeta(name) + ` (\{.*?\}) -->`)
}

// FindHiddenJSON decodes the first HiddenJSON block called name in s into v.
// found is false when s has none; err is set when the block does not decode
// (edited by hand, or written by an incompatible version).
func FindHiddenJSON(s, name string, v any) (found bool, err error) {
	m := hiddenRE(name).FindStringSubmatch(s)
	if m == nil {
		return false, nil
	}
	if err := json.Unmarshal([]byte(m[1]), v); err != nil {
		return true, fmt.Errorf("failed to decode the hidden %s block: %w", name, err)
	}
	return true, nil
}

// ReplaceHiddenJSON replaces every HiddenJSON block called name in s with
// block (usually a new HiddenJSON); ok is false, and s unchanged, when s has
// none.
func ReplaceHiddenJSON(s, name, block string) (out string, ok bool) {
	re := hiddenRE(name)
	if !re.MatchString(s) {
		return s, false
	}
	return re.ReplaceAllLiteralString(s, block), true
}

// RemoveHiddenJSON removes every HiddenJSON block called name from s.
func RemoveHiddenJSON(s, name string) string {
	return hiddenRE(name).ReplaceAllString(s, "")
}
