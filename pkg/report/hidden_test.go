package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type hiddenState struct {
	Name  string            `json:"name"`
	Count int               `json:"count"`
	Tags  map[string]string `json:"tags,omitempty"`
}

func TestHiddenJSONRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   hiddenState
	}{
		{name: "plain", in: hiddenState{Name: "main", Count: 2}},
		{name: "comment_closer_in_value", in: hiddenState{Name: "x --> <script>alert(1)</script> & }", Count: 1}},
		{name: "nested_object", in: hiddenState{Name: "n", Tags: map[string]string{"a": "} -->"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			block := HiddenJSON("ecosystem-actions:test", tc.in)
			if strings.Count(block, "-->") != 1 || !strings.HasSuffix(block, " -->") {
				t.Fatalf("block %q closes the comment early", block)
			}
			body := "text before\n" + block + "\ntext after <!-- ecosystem-actions:other {\"name\":\"no\"} -->"
			var got hiddenState
			found, err := FindHiddenJSON(body, "ecosystem-actions:test", &got)
			if !found || err != nil {
				t.Fatalf("FindHiddenJSON() = %v, %v", found, err)
			}
			if diff := cmp.Diff(tc.in, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindHiddenJSONMissingAndBroken(t *testing.T) {
	t.Parallel()
	var v hiddenState
	if found, err := FindHiddenJSON("no state here", "ecosystem-actions:test", &v); found || err != nil {
		t.Errorf("missing: found=%v err=%v, want false, nil", found, err)
	}
	found, err := FindHiddenJSON(`<!-- ecosystem-actions:test {"count":"two"} -->`, "ecosystem-actions:test", &v)
	if !found || err == nil {
		t.Errorf("broken: found=%v err=%v, want true and an error", found, err)
	}
}

func TestReplaceAndRemoveHiddenJSON(t *testing.T) {
	t.Parallel()
	body := "a " + HiddenJSON("s", hiddenState{Count: 1}) + " b"
	got, ok := ReplaceHiddenJSON(body, "s", HiddenJSON("s", hiddenState{Count: 2}))
	if want := `a <!-- s {"name":"","count":2} --> b`; !ok || got != want {
		t.Errorf("ReplaceHiddenJSON() = %q, %v; want %q, true", got, ok, want)
	}
	if got, ok := ReplaceHiddenJSON("a b", "s", "x"); ok || got != "a b" {
		t.Errorf("ReplaceHiddenJSON(no block) = %q, %v; want unchanged, false", got, ok)
	}
	if got := RemoveHiddenJSON(body, "s"); got != "a  b" {
		t.Errorf("RemoveHiddenJSON() = %q", got)
	}
}
