package emulator

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAppendJSONMatchesMarshal checks appendJSON against json.Marshal for
// every kind of value a response body is built from.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	t.Parallel()
	raw, _ := json.Marshal(map[string]any{"login": "<bot>", "id": 1})
	tests := []struct {
		name string
		v    any
	}{
		{name: "nil", v: nil},
		{name: "plain_string", v: "hello"},
		{name: "html_characters", v: "<script>a && b</script>"},
		{name: "quotes_and_backslashes", v: `say "hi" \ bye`},
		{name: "control_characters", v: "\x00\x01\b\f\n\r\t\x1f\x7f"},
		{name: "line_separators", v: "a\u2028b\u2029c"},
		{name: "invalid_utf8", v: "ok\xff\xfe\xc3(ok"},
		{name: "multibyte", v: "é 中文 😀"},
		{name: "bools", v: []any{true, false}},
		{name: "ints", v: []any{0, -1, math.MaxInt, math.MinInt, int64(math.MaxInt64), int64(math.MinInt64)}},
		{name: "floats", v: []any{1.0, 0.1, 1e21, -2.5e-7}},
		{name: "map_keys_sorted_and_escaped", v: map[string]any{"b": 1, "a": 2, "A": 3, "é": 4, "<k>": 5, "": 6, "a\n": 7}},
		{name: "nested", v: map[string]any{"list": []any{map[string]any{"x": nil}, []string{"a", "<"}}, "m": map[string]any{}}},
		{name: "nil_containers", v: map[string]any{"m": map[string]any(nil), "l": []any(nil), "s": []string(nil)}},
		{name: "empty_containers", v: map[string]any{"m": map[string]any{}, "l": []any{}, "s": []string{}}},
		{name: "raw_message", v: map[string]any{"user": json.RawMessage(raw), "none": json.RawMessage(nil)}},
		{name: "other_types_fall_back", v: map[string]any{"errs": []ValidationError{{Resource: "Issue", Code: "invalid"}},
			"labels": map[string]string{"z": "<", "a": "b"}, "time": time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), "n": json.Number("12")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := appendJSON(nil, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("appendJSON = %s\njson.Marshal = %s", got, want)
			}
		})
	}
	t.Run("unsupported_value_is_an_error", func(t *testing.T) {
		t.Parallel()
		if _, err := appendJSON(nil, map[string]any{"x": math.NaN()}); err == nil {
			t.Error("NaN encoded without an error")
		}
	})
}

// TestAppendJSONStringMatchesMarshal compares string encoding on every
// single byte and on random strings mixing ASCII, controls, multibyte
// runes, separators and invalid bytes.
func TestAppendJSONStringMatchesMarshal(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		t.Helper()
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, json.Marshal = %s", s, got, want)
		}
	}
	for b := 0; b < 256; b++ {
		check(string([]byte{byte(b)}))
		check("a" + string([]byte{byte(b)}) + "z")
	}
	pieces := []string{"a", "Z", " ", "<", ">", "&", `"`, `\`, "\n", "\x00", "\x1b", "\x7f", "é", "中", "😀", "\u2028", "\u2029", "\xff", "\xc3", "\xe2\x80"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		var sb strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		check(sb.String())
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a<b>&c", "\u2028", "\xff", "\x00\n\t", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, json.Marshal = %s", s, got, want)
		}
	})
}

// TestBodiesAreCanonicalJSON checks that served bodies are exactly what
// json.Marshal makes of their own content (sorted keys, compact, HTML
// escaped), as when every body was encoded by json.Marshal.
func TestBodiesAreCanonicalJSON(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	paths := []string{
		"/repos/acme/tools", "/orgs/acme/repos", "/users/octo", "/repos/acme/tools/actions/runs",
		"/repos/acme/tools/actions/runs/901", "/repos/acme/tools/actions/runs/900/jobs?filter=all",
		"/repos/acme/tools/pulls?state=all", "/repos/acme/tools/pulls/3", "/repos/acme/tools/issues?state=all",
		"/repos/acme/tools/issues/3/timeline", "/repos/acme/tools/branches/master", "/repos/acme/tools/events",
		"/search/issues?q=repo:acme/tools", "/repos/acme/nope",
	}
	for _, p := range paths {
		_, body := rawGet(t, s, p, nil)
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Errorf("GET %s: not JSON: %v", p, err)
			continue
		}
		want, _ := json.Marshal(v)
		if !bytes.Equal(append(want, '\n'), body) {
			t.Errorf("GET %s: body is not json.Marshal's encoding of itself", p)
		}
	}
}

// TestEncodedCacheFollowsState checks that cached repositories and users
// follow writes, the caller's permissions and the API prefix.
func TestEncodedCacheFollowsState(t *testing.T) {
	t.Parallel()
	f := testFixture()
	f.Tokens = map[string]Token{
		"reader": {Login: "octo", Permissions: map[string]string{"contents": "read", "actions": "read", "issues": "write"}},
		"writer": {Login: "mona"},
	}
	s := StartForTest(t, f, Options{Now: fixedNow})
	get := func(path, token string) map[string]any {
		t.Helper()
		resp, b := rawGet(t, s, path, map[string]string{"Authorization": "Bearer " + token})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, resp.StatusCode, b)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	runRepo := func(path, token string) map[string]any {
		t.Helper()
		runs := get(path, token)["workflow_runs"].([]any)
		return runs[0].(map[string]any)["repository"].(map[string]any)
	}
	type view struct {
		OpenIssues     float64
		RunOpenIssues  float64
		Push, RunPush  bool
		URL, OwnerURL  string
		RunURL, RunAPI string
	}
	look := func(prefix, token string) view {
		repo := get(prefix+"/repos/acme/tools", token)
		rr := runRepo(prefix+"/repos/acme/tools/actions/runs", token)
		return view{
			OpenIssues: repo["open_issues_count"].(float64), RunOpenIssues: rr["open_issues_count"].(float64),
			Push: repo["permissions"].(map[string]any)["push"].(bool), RunPush: rr["permissions"].(map[string]any)["push"].(bool),
			URL: repo["url"].(string), OwnerURL: repo["owner"].(map[string]any)["url"].(string),
			RunURL: rr["url"].(string), RunAPI: rr["owner"].(map[string]any)["url"].(string),
		}
	}
	base := s.URL()
	want := func(open float64, push bool, prefix string) view {
		return view{OpenIssues: open, RunOpenIssues: open, Push: push, RunPush: push,
			URL: base + prefix + "/repos/acme/tools", OwnerURL: base + prefix + "/users/acme",
			RunURL: base + prefix + "/repos/acme/tools", RunAPI: base + prefix + "/users/acme"}
	}
	// Open: issue #1 and pull requests #3, #4.
	if diff := cmp.Diff(want(3, false, ""), look("", "reader")); diff != "" {
		t.Errorf("reader (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want(3, true, ""), look("", "writer")); diff != "" {
		t.Errorf("writer after reader (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want(3, false, "/api/v3"), look("/api/v3", "reader")); diff != "" {
		t.Errorf("reader under /api/v3 (-want +got):\n%s", diff)
	}
	if resp, b := rawDo(t, s, http.MethodPost, "/repos/acme/tools/issues", `{"title":"new"}`, map[string]string{"Authorization": "Bearer reader"}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create issue = %d %s", resp.StatusCode, b)
	}
	if diff := cmp.Diff(want(4, false, ""), look("", "reader")); diff != "" {
		t.Errorf("reader after creating an issue (-want +got):\n%s", diff)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want(3, true, "/api/v3"), look("/api/v3", "writer")); diff != "" {
		t.Errorf("writer after Reset (-want +got):\n%s", diff)
	}
}
