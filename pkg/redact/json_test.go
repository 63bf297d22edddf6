package redact

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJSON(t *testing.T) {
	t.Parallel()
	r := New("hunter2-the-db-password")
	tests := []struct {
		name, in, want string
	}{
		{"clean_unchanged", `{"a": [1, "two", {"b": null}]}`, `{"a": [1, "two", {"b": null}]}`},
		{"token_in_value", `{"text":"push with ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 failed","n":1}`,
			`{"text":"push with [redacted: github token] failed","n":1}`},
		{"layout_kept", "{\n  \"k\": \"AKIAIOSFODNN7EXAMPLE\",\n  \"x\": true\n}\n", "{\n  \"k\": \"[redacted: aws access key id]\",\n  \"x\": true\n}\n"},
		{"escaped_quote_ends_assignment", `{"line":"password=\"hunter2-the-db-password\" x"}`, `{"line":"password=\"[redacted: masked value]\" x"}`},
		{"key_block_in_one_string", `{"t":"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"}`,
			`{"t":"[redacted: private key]\n[redacted: private key]\n[redacted: private key]"}`},
		{"key_block_spanning_strings_keeps_syntax", `["-----BEGIN PRIVATE KEY-----","MIIEvQIBADANBgkqhkiG9w0BAQEFAASC","-----END PRIVATE KEY-----", 3]`,
			`["[redacted: private key]","MIIEvQIBADANBgkqhkiG9w0BAQEFAASC","-----END PRIVATE KEY-----", 3]`},
		{"html_escaping_kept", `{"t":"\u003cb\u003e AKIAIOSFODNN7EXAMPLE"}`, `{"t":"\u003cb\u003e [redacted: aws access key id]"}`},
		{"not_json_redacted_as_text", `text AKIAIOSFODNN7EXAMPLE {`, `text [redacted: aws access key id] {`},
		{"key_redacted", `{"AKIAIOSFODNN7EXAMPLE":1}`, `{"[redacted: aws access key id]":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(r.JSON([]byte(tt.in)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("JSON(%s) (-want +got):\n%s", tt.in, diff)
			}
			if json.Valid([]byte(tt.in)) && !json.Valid([]byte(got)) {
				t.Errorf("JSON(%s) = %s: no longer valid JSON", tt.in, got)
			}
			if again := string(r.JSON([]byte(got))); again != got {
				t.Errorf("not idempotent: %s then %s", got, again)
			}
		})
	}
}

func TestJSON_cleanAllocatesNothing(t *testing.T) {
	var r Redactor
	in := []byte(`{"a":"` + strings.Repeat("clean text ", 100) + `"}`)
	if got := r.JSON(in); &got[0] != &in[0] {
		t.Error("JSON of clean data returned a copy, want data itself")
	}
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":"ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"}`, `["-----BEGIN PRIVATE KEY-----\nx"]`, `"\u003c"`, `{"k":"v\"x"}`} {
		f.Add(s)
	}
	r := New("masked-value-1234")
	f.Fuzz(func(t *testing.T, in string) {
		out := r.JSON([]byte(in))
		if json.Valid([]byte(in)) {
			if !json.Valid(out) {
				t.Fatalf("JSON(%q) = %q, not valid JSON", in, out)
			}
			var v any
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatal(err)
			}
			walkStrings(v, func(s string) {
				if red := r.String(s); red != s {
					t.Fatalf("JSON(%q) left a secret in %q (redacted: %q)", in, s, red)
				}
			})
		}
	})
}

// walkStrings calls fn with every string (keys included) in a decoded
// JSON value.
func walkStrings(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		fn(v)
	case []any:
		for _, e := range v {
			walkStrings(e, fn)
		}
	case map[string]any:
		for k, e := range v {
			fn(k)
			walkStrings(e, fn)
		}
	}
}
