package emulator

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// encodedKey names one cached encoding: an object kind ("user", "repo",
// "full-repo"), the API base its URLs are built on, the login or full
// name, and, for repositories, whether the caller may push (their
// permissions object).
type encodedKey struct {
	kind string
	api  string
	name string
	push bool
}

// maxEncoded bounds the cache; past it the cache starts over.
const maxEncoded = 10_000

// encoded returns the JSON encoding of the object build makes, from the
// server's cache of repeated objects. Users and repositories appear in
// every run, pull request and issue of a list, and encoding their maps
// was most of the cost of a list; embedded as json.RawMessage they
// marshal to the same bytes. The cache holds only what depends on the
// state, the key and nothing else, and is dropped on every write and on
// Reset (invalidateEncoded). Callers hold s.mu.
func (c *call) encoded(key encodedKey, build func() any) any {
	s := c.s
	if b, ok := s.encodedCache[key]; ok {
		return b
	}
	v := build() // may call encoded itself, so before scratch is used
	b, err := appendJSON(s.encodeScratch[:0], v)
	s.encodeScratch = b[:0]
	if err != nil {
		return v
	}
	raw := json.RawMessage(append(make([]byte, 0, len(b)), b...))
	if s.encodedCache == nil || len(s.encodedCache) >= maxEncoded {
		s.encodedCache = map[encodedKey]json.RawMessage{}
	}
	s.encodedCache[key] = raw
	return raw
}

// invalidateEncoded drops the cached encodings: a write may have changed
// what they show (open_issues_count, pushed_at, ...). Callers hold s.mu.
func (s *Server) invalidateEncoded() { s.encodedCache = nil }

// appendJSON appends the encoding of v to b, byte for byte what
// json.Marshal writes (map keys sorted, HTML characters escaped), for the
// values response bodies are built from: maps, slices, strings, numbers,
// booleans and nil. A json.RawMessage is copied as is, not re-validated
// and compacted as json.Marshal would: the cached encodings are already
// json.Marshal output, and re-scanning them was most of the cost of a
// list. Any other type is left to json.Marshal.
func appendJSON(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case json.RawMessage:
		if v == nil {
			return append(b, "null"...), nil
		}
		return append(b, v...), nil
	case string:
		return appendJSONString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, v[k]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case []string:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, e)
		}
		return append(b, ']'), nil
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, enc...), nil
}

const lowerHex = "0123456789abcdef"

// appendJSONString appends s as a JSON string exactly as json.Marshal
// does: <, > and & as \u003c \u003e \u0026, the short escapes \b \f \n
// \r \t, other control characters as \u00XX, invalid UTF-8 as \ufffd,
// and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', lowerHex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
