package stale

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCursorRoundTrip: evidence is kept per item with the updated_at it
// was read at and answers only while updated_at is the same; a cursor of
// another login, or a damaged one, is ignored.
func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	path := CursorFile(t.TempDir())
	p := DefaultPolicy()
	p.self = "github-actions[bot]"
	c, err := LoadCursor(path, p.self)
	if err != nil {
		t.Fatal(err)
	}
	it := pr(4, 90, warning(3, 7), labeled("github-actions[bot]", 3, "stale"), comment("ci-user", 2, "coverage", 8),
		comment("renovate[bot]", 1, "rebased", 9))
	it.Labels, it.Evidence, it.UpdatedAt = []string{"stale"}, EvidenceListings, daysAgo(1)
	rc := c.repo("o/r", p.StaleLabel)
	ignoring := p
	ignoring.IgnoreActors = []string{"ci-user"}
	rc.remember(ignoring, it) // kept although ci-user was not a person then
	rc.keepCommit("abc", commitMemo{Date: daysAgo(40), Author: "bob"})
	c.Written = []time.Time{testNow.Add(-30 * time.Minute), testNow.Add(-2 * time.Hour)}
	if err := c.Save(testNow); err != nil {
		t.Fatal(err)
	}

	again, err := LoadCursor(path, "GitHub-Actions[bot]")
	if err != nil {
		t.Fatal(err)
	}
	if n := again.ContentLeft(testNow, 500); n != 499 {
		t.Errorf("content left %d, want 499 (one write in the last hour)", n)
	}
	fresh := pr(4, 90)
	fresh.Labels, fresh.UpdatedAt = []string{"stale"}, daysAgo(1)
	rc2 := again.repo("o/r", "stale")
	if !rc2.recall(fresh, "stale") {
		t.Fatal("unchanged item not recalled")
	}
	want := append([]Activity(nil), it.Activities...)
	for i := range want {
		if !p.own(want[i].Actor, want[i].Body, MarkerWarning) {
			want[i].Body = "" // only the action's own marker comments keep their text
		}
	}
	if diff := cmp.Diff(want, fresh.Activities); diff != "" {
		t.Errorf("recalled activities (-kept +recalled):\n%s", diff)
	}
	// A later policy weighs the kept activities afresh: ci-user is a person now.
	if a := p.assess(fresh); a.humanAfter == nil || a.humanAfter.Actor != "ci-user" {
		t.Errorf("assessment from the cursor: %+v", a)
	}
	if m, ok := rc2.commit("abc"); !ok || m.Author != "bob" {
		t.Errorf("commit memo %+v %v", m, ok)
	}
	moved := pr(4, 90)
	moved.Labels, moved.UpdatedAt = []string{"stale"}, daysAgo(0.5)
	if rc2.recall(moved, "stale") {
		t.Error("recalled an item whose updated_at moved")
	}
	if other := again.repo("o/r", "inactive"); other.recall(fresh, "inactive") {
		t.Error("recalled evidence kept for another stale label")
	}

	foreign, _ := LoadCursor(path, "someone-else")
	if len(foreign.Repos) != 0 {
		t.Errorf("a cursor of another login was used: %+v", foreign.Repos)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	damaged, err := LoadCursor(path, p.self)
	if err == nil || !strings.Contains(err.Error(), filepath.Base(path)) || len(damaged.Repos) != 0 {
		t.Errorf("damaged cursor: err %v, repos %v", err, damaged.Repos)
	}
}
