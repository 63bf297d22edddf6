package fixer

import (
	"strings"
	"testing"
)

func TestDefaultCatalog(t *testing.T) {
	t.Parallel()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatalf("DefaultCatalog() = %v", err)
	}
	perCategory := map[Category]int{}
	for _, r := range c.Rules {
		perCategory[r.Category]++
		if r.Title == "" || len(r.Suggestions) == 0 {
			t.Errorf("rule %s: want a title and at least one suggestion", r.ID)
		}
		if !strings.HasPrefix(r.ID, string(r.Category)+".") && r.Category != CategoryUnknown {
			t.Errorf("rule %s: id should start with its category %q", r.ID, r.Category)
		}
	}
	for _, cat := range Categories {
		if perCategory[cat] == 0 {
			t.Errorf("no rule for category %s", cat)
		}
	}
	// Every embedded pattern must be reachable through the literal
	// prefilter: a pattern without literals runs on every line.
	if un := NewAnalyzer(c).UnfilteredPatterns(); len(un) > 0 {
		t.Errorf("patterns without prefilter literals: %q", un)
	}
}
