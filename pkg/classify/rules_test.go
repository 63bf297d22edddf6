package classify

import (
	"context"
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
	// Unknown is the general layer's category, not a rule's.
	for _, cat := range Categories[:len(Categories)-1] {
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

func TestParseRulesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown_key", "rules:\n  - id: a.b\n    category: build\n    severity: high\n    patterns: [x]\n    sugestions: [y]\n",
			`custom.yaml:6: unknown key "sugestions" (allowed: id, title`},
		{"unknown_category", "rules:\n  - id: a.b\n    category: security\n    severity: high\n    patterns: [x]\n",
			`custom.yaml:3: rule a.b: unknown category "security" (allowed: conan, fips, workflow, build, test, deployment, infrastructure, unknown)`},
		{"unknown_severity", "rules:\n  - id: a.b\n    category: build\n    severity: urgent\n    patterns: [x]\n",
			`custom.yaml:4: rule a.b: unknown severity "urgent" (allowed: critical, high, medium, low)`},
		{"bad_regexp", "rules:\n  - id: a.b\n    category: build\n    severity: high\n    patterns: ['(unclosed']\n",
			`custom.yaml:5: rule a.b: invalid pattern "(unclosed"`},
		{"unknown_fix", "rules:\n  - id: a.b\n    category: build\n    severity: high\n    patterns: [x]\n    fix: rm_rf\n",
			`custom.yaml:6: rule a.b: unknown fix "rm_rf" (allowed: add_permission`},
		{"unknown_scope", "rules:\n  - id: a.b\n    category: build\n    severity: high\n    patterns: [x]\n    exclusions:\n      - {pattern: y, scope: file}\n",
			`custom.yaml:7: rule a.b: unknown scope "file" (allowed: line, context, log)`},
		{"no_patterns", "rules:\n  - id: a.b\n    category: build\n    severity: high\n", `rule a.b: no patterns`},
		{"top_level_key", "rulez: []\n", `custom.yaml:1: unknown key "rulez" (allowed: rules)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRules([]byte(tt.yaml), "custom.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseRules() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCustomRuleOverridesBuiltin(t *testing.T) {
	t.Parallel()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	extra, err := ParseRules([]byte(`rules:
  - id: build.compiler_error
    title: Compiler error (ours)
    category: build
    severity: critical
    patterns: [': error: ']
    suggestions: [Ask the platform team.]
  - id: build.internal_tool
    title: Internal tool failed
    category: build
    severity: low
    patterns: ['ostools-lint: FAILED']
    suggestions: [Run ostools-lint locally.]
`), "custom.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := c.WithRules(extra...)
	if err != nil {
		t.Fatal(err)
	}
	if len(c2.Rules) != len(c.Rules)+1 || c2.Rule("build.compiler_error").Severity != SeverityCritical {
		t.Fatalf("override not applied: %d rules, %+v", len(c2.Rules), c2.Rule("build.compiler_error"))
	}
	res, err := NewAnalyzer(c2).Analyze(context.Background(), strings.NewReader("x\nostools-lint: FAILED (3 issues)\n"), "x.log")
	if err != nil {
		t.Fatal(err)
	}
	if rc := res.RootCause(); rc == nil || rc.RuleID != "build.internal_tool" || rc.Line != 2 {
		t.Errorf("root cause = %+v", rc)
	}
}
