package emulator

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// copyFixtureJSON is the reference copyFixture must agree with: a JSON
// round trip.
func copyFixtureJSON(t *testing.T, f *Fixture) *Fixture {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var cp Fixture
	if err := json.Unmarshal(b, &cp); err != nil {
		t.Fatal(err)
	}
	return &cp
}

// edgeFixture has what a JSON round trip changes: empty omitempty slices
// and maps, integer payloads, local and monotonic times, invalid UTF-8.
func edgeFixture() *Fixture {
	local := time.Date(2025, 1, 2, 3, 4, 5, 6, time.FixedZone("CET", 3600))
	zero := time.Time{}
	return &Fixture{
		ReferenceTime: time.Now(),
		Users:         []User{},
		Tokens:        map[string]Token{"t": {Login: "octo", Permissions: map[string]string{}}, "u": {Login: "mona", Permissions: map[string]string{"issues": "write"}}},
		Repositories: []Repository{{
			Owner: "acme", Name: "edge", Topics: []string{}, CreatedAt: local, Files: map[string]string{"a\xffb": "x", "b": "bad \xff\xfe utf-8"},
			Events: []Event{
				{Type: "PushEvent", CreatedAt: local, Payload: map[string]any{"n": 5, "big": int64(1) << 60, "list": []any{1, "x", map[string]any{"t": local}}, "nested": map[string]any{}}},
				{Type: "WatchEvent", Payload: map[string]any{}},
			},
			Runs:   []Run{{ID: 1, Jobs: []Job{{ID: 2, Log: "ok\n\xc3(\n", Steps: []Step{}}}, Artifacts: nil}},
			Pulls:  []Pull{{Number: 1, Labels: []string{}, Assignees: []string{"octo"}, ClosedAt: &zero, Commits: []Commit{{SHA: "a", Date: time.Now()}}}},
			Issues: []Issue{{Number: 2, ClosedAt: &local, Comments: []Comment{}, Events: []IssueEvent{{Event: "closed"}}}},
		}},
	}
}

func TestCopyFixtureIsAJSONRoundTrip(t *testing.T) {
	t.Parallel()
	example, err := loadExample()
	if err != nil {
		t.Fatalf("the example fixture does not load: %v", err)
	}
	tests := []struct {
		name string
		f    *Fixture
	}{
		{name: "test_fixture", f: testFixture()},
		{name: "edge_cases", f: edgeFixture()},
		{name: "example_ecosystem", f: example},
		{name: "empty", f: &Fixture{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := copyFixtureJSON(t, tt.f)
			got, err := copyFixture(tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("copyFixture differs from a JSON round trip (-json +copy):\n%s", cmp.Diff(want, got))
			}
		})
	}
}

func TestCopyFixtureSharesNothingMutable(t *testing.T) {
	t.Parallel()
	f := edgeFixture()
	before := copyFixtureJSON(t, f)
	cp, err := copyFixture(f)
	if err != nil {
		t.Fatal(err)
	}
	r := &cp.Repositories[0]
	r.Files["b"] = "changed"
	r.Events[0].Payload["n"] = 6
	r.Events[0].Payload["list"].([]any)[0] = 2
	r.Pulls[0].Assignees[0] = "someone"
	*r.Pulls[0].ClosedAt = time.Now()
	r.Runs[0].Jobs[0].Log = "changed"
	cp.Tokens["u"].Permissions["issues"] = "read"
	if after := copyFixtureJSON(t, f); !reflect.DeepEqual(before, after) {
		t.Errorf("changing the copy changed the original (-before +after):\n%s", cmp.Diff(before, after))
	}
}

func TestCopyFixtureRejectsWhatJSONRejects(t *testing.T) {
	t.Parallel()
	f := &Fixture{Repositories: []Repository{{Owner: "a", Name: "b", CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}}
	if _, err := copyFixture(f); err == nil {
		t.Error("a year past 9999 was copied without an error")
	}
}
