package redact

import (
	"bytes"
	"encoding/json"
)

// JSON returns the JSON document data with every string in it (keys and
// values) redacted as String would, and everything else byte for byte as
// it was, so the document stays valid and keeps its layout. Text redaction
// over a whole document could not promise that: a private key block that
// spans several strings would swallow the syntax between them, and an
// escaped quote can hide where an assignment's value ends. Each string is
// redacted on its own (a key block split over several strings is not
// recognised as one; producers redact such text before they encode it).
// Data that is not valid JSON is redacted as text. When nothing changes,
// data itself is returned.
func (r *Redactor) JSON(data []byte) []byte {
	if !json.Valid(data) {
		s := string(data)
		if out := r.String(s); out != s {
			return []byte(out)
		}
		return data
	}
	var out []byte // nil until something changes
	last := 0
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		end := stringEnd(data, i)
		lit := data[i:end]
		var s string
		if json.Unmarshal(lit, &s) == nil {
			if red := r.String(s); red != s {
				enc, err := marshalString(red, bytes.Contains(lit, []byte(`\u003c`)) || bytes.Contains(lit, []byte(`\u0026`)) || bytes.Contains(lit, []byte(`\u003e`)))
				if err == nil {
					out = append(append(out, data[last:i]...), enc...)
					last = end
				}
			}
		}
		i = end - 1
	}
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// stringEnd returns the offset just after the JSON string literal that
// starts at data[i] (a '"'), in a document known to be valid.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// marshalString encodes s as a JSON string, escaping <, > and & as
// encoding/json does by default when the document did (htmlSafe).
func marshalString(s string, htmlSafe bool) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(htmlSafe)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// JSONString is JSON for a document held in a string.
func (r *Redactor) JSONString(s string) string {
	out := r.JSON([]byte(s))
	if len(out) == len(s) && string(out) == s {
		return s
	}
	return string(out)
}
