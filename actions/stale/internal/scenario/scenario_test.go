package scenario

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/stale"
)

func TestMarkerIsTheActionsMarker(t *testing.T) {
	t.Parallel()
	if Marker != stale.MarkerWarning {
		t.Fatalf("Marker %q, stale.MarkerWarning %q", Marker, stale.MarkerWarning)
	}
}

// TestBuildIsDeterministicAndConsistent: the same size gives the same
// fixture byte for byte, the mix is what SteadyState says, and every item's
// updated_at is its latest comment or event (GitHub's invariant).
func TestBuildIsDeterministicAndConsistent(t *testing.T) {
	t.Parallel()
	a, items := Build(300, SteadyState)
	b, _ := Build(300, SteadyState)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("two builds of 300 items differ")
	}
	got := map[Category]int{}
	for _, it := range items {
		got[it.Category]++
	}
	for c, per100 := range SteadyState {
		want := per100 * 3
		if c == Alert || c == Exempt {
			continue // alert items that fall on pull request numbers become exempt ones
		}
		if got[c] != want {
			t.Errorf("%s: %d items, want %d", c, got[c], want)
		}
	}
	if got[Alert]+got[Exempt] != (SteadyState[Alert]+SteadyState[Exempt])*3 {
		t.Errorf("alert %d + exempt %d", got[Alert], got[Exempt])
	}
	check := func(n int, created, updated time.Time, times []time.Time) {
		latest := created
		for _, x := range times {
			if x.After(latest) {
				latest = x
			}
		}
		if !updated.Equal(latest) {
			t.Errorf("#%d: updated_at %s, latest entry %s", n, updated, latest)
		}
	}
	for _, p := range a.Repositories[0].Pulls {
		var ts []time.Time
		for _, c := range p.Comments {
			ts = append(ts, c.CreatedAt)
		}
		for _, e := range p.Events {
			ts = append(ts, e.CreatedAt)
		}
		check(p.Number, p.CreatedAt, p.UpdatedAt, ts)
	}
	for _, is := range a.Repositories[0].Issues {
		var ts []time.Time
		for _, c := range is.Comments {
			ts = append(ts, c.CreatedAt)
		}
		for _, e := range is.Events {
			ts = append(ts, e.CreatedAt)
		}
		check(is.Number, is.CreatedAt, is.UpdatedAt, ts)
	}
}
