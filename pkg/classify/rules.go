package classify

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"gopkg.in/yaml.v3"
)

// Category is the class of a failure (the contract's Category).
type Category = contract.Category

// Categories of failures. CategoryUnknown is reserved for the catch-all
// rules that fire when a job failed and no specific rule explains why.
const (
	CategoryConan          Category = "conan"
	CategoryFIPS           Category = "fips"
	CategoryWorkflow       Category = "workflow"
	CategoryBuild          Category = "build"
	CategoryTest           Category = "test"
	CategoryDeployment     Category = "deployment"
	CategoryInfrastructure Category = "infrastructure"
	CategoryUnknown        Category = "unknown"
)

// Categories lists the allowed categories in report order.
var Categories = []Category{CategoryConan, CategoryFIPS, CategoryWorkflow, CategoryBuild, CategoryTest,
	CategoryDeployment, CategoryInfrastructure, CategoryUnknown}

// Severity says how urgent a failure is: critical for FIPS and security,
// high for build and Conan, medium for workflow and test, low for
// maintenance (the contract's Severity; Rank orders it).
type Severity = contract.Severity

// Severities the catalog allows.
const (
	SeverityCritical = contract.SeverityCritical
	SeverityHigh     = contract.SeverityHigh
	SeverityMedium   = contract.SeverityMedium
	SeverityLow      = contract.SeverityLow
)

// Severities lists the allowed severities, most severe first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow}

// Fix names a mechanical workflow fix (the contract's Fix; see
// actions/fixer PatchWorkflow).
type Fix = contract.Fix

// Mechanical fixes.
const (
	FixAddPermission         Fix = "add_permission"
	FixUpgradeArtifactAction Fix = "upgrade_artifact_action"
	FixAddTimeout            Fix = "add_timeout"
	FixConanBuildMissing     Fix = "conan_build_missing"
	FixAddConanCache         Fix = "add_conan_cache"
)

// Fixes lists the allowed fix names.
var Fixes = []Fix{FixAddPermission, FixUpgradeArtifactAction, FixAddTimeout, FixConanBuildMissing, FixAddConanCache}

// Scope says where a condition (exclusion or requirement) is looked for.
type Scope string

// Scopes of conditions.
const (
	ScopeLine    Scope = "line"    // the matched line itself
	ScopeContext Scope = "context" // the matched line and Lines lines around it
	ScopeLog     Scope = "log"     // anywhere in the same log
)

// Scopes lists the allowed scopes.
var Scopes = []Scope{ScopeLine, ScopeContext, ScopeLog}

// DefaultConditionLines is the window of a context-scoped condition.
const DefaultConditionLines = 5

// Condition is an exclusion or a context requirement of a rule.
// In YAML it is either a bare regexp (scope line) or a mapping
// {pattern, scope, lines}.
type Condition struct {
	Pattern string `yaml:"pattern"`
	Scope   Scope  `yaml:"scope"`
	Lines   int    `yaml:"lines"`

	re *regexp.Regexp
}

// Rule is one entry of the catalog. The YAML format is documented in
// rules/README.md; the embedded catalog lives in rules/*.yaml.
type Rule struct {
	ID          string      `yaml:"id"`
	Title       string      `yaml:"title"`
	Category    Category    `yaml:"category"`
	Severity    Severity    `yaml:"severity"`
	Priority    int         `yaml:"priority"`
	Confidence  float64     `yaml:"confidence"`
	Patterns    []string    `yaml:"patterns"`
	Exclusions  []Condition `yaml:"exclusions"`
	Requires    []Condition `yaml:"requires"`
	Suggestions []string    `yaml:"suggestions"`
	Fix         Fix         `yaml:"fix"`
	// DeferToBuiltin lets a built-in rule that matches the same line win:
	// by default a custom rule's finding replaces the built-ins' on every
	// line they both match.
	DeferToBuiltin bool `yaml:"defer_to_builtin"`

	res     []*regexp.Regexp
	source  string
	line    int
	builtin bool // from the embedded catalog
}

// DefaultPriority is the priority of a rule that does not set one. Catch-all
// rules use a low priority so that any specific rule wins the root cause.
const DefaultPriority = 50

// DefaultConfidence is the confidence of a rule that does not set one.
const DefaultConfidence = 0.8

// Catalog is a validated, compiled set of rules.
type Catalog struct {
	Rules []*Rule
}

//go:embed rules/*.yaml
var embeddedRules embed.FS

// DefaultCatalog returns the embedded rule catalog.
func DefaultCatalog() (*Catalog, error) {
	files, err := fs.Glob(embeddedRules, "rules/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("failed to list embedded rules: %w", err)
	}
	sort.Strings(files)
	var rules []*Rule
	for _, f := range files {
		data, err := embeddedRules.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("failed to read embedded rules %s: %w", f, err)
		}
		rs, err := ParseRules(data, path.Base(f))
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			r.builtin = true
		}
		rules = append(rules, rs...)
	}
	return NewCatalog(rules...)
}

// NewCatalog validates the rules (unique ids) and returns a catalog.
func NewCatalog(rules ...*Rule) (*Catalog, error) {
	seen := map[string]*Rule{}
	var errs []error
	for _, r := range rules {
		if prev, ok := seen[r.ID]; ok {
			errs = append(errs, &config.Error{Source: r.source, Line: r.line,
				Msg: fmt.Sprintf("duplicate rule id %q (first defined at %s:%d)", r.ID, prev.source, prev.line)})
			continue
		}
		seen[r.ID] = r
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Catalog{Rules: rules}, nil
}

// WithRules returns a catalog with the rules of c followed by extra. A rule of
// extra with the id of an existing rule replaces it, so users can override
// the embedded catalog.
func (c *Catalog) WithRules(extra ...*Rule) (*Catalog, error) {
	byID := map[string]int{}
	var out []*Rule
	for _, r := range c.Rules {
		byID[r.ID] = len(out)
		out = append(out, r)
	}
	added := map[string]bool{}
	for _, r := range extra {
		if added[r.ID] {
			return nil, &config.Error{Source: r.source, Line: r.line, Msg: fmt.Sprintf("duplicate rule id %q", r.ID)}
		}
		added[r.ID] = true
		if i, ok := byID[r.ID]; ok {
			out[i] = r
			continue
		}
		out = append(out, r)
	}
	return &Catalog{Rules: out}, nil
}

// Rule returns the rule with the given id, or nil.
func (c *Catalog) Rule(id string) *Rule {
	for _, r := range c.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// ruleFile is a rule file: a "rules:" list, each rule kept as a node so
// that its errors can name the line of the offending value.
type ruleFile struct {
	Rules []config.Node `yaml:"rules"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// ParseRules decodes and validates a rule file through pkg/config (unknown
// keys at any depth are errors with their line). source names the file in
// errors ("custom_rules.yaml:12: rule x: unknown category "foo" (allowed:
// ...)"); every error is a *config.Error or *config.UnknownKeyError.
func ParseRules(data []byte, source string) ([]*Rule, error) {
	var f ruleFile
	if err := config.DecodeStrict(data, source, &f); err != nil {
		return nil, err
	}
	if len(f.Rules) == 0 {
		return nil, &config.Error{Source: source, Msg: "no rules (want a top-level \"rules:\" list)"}
	}
	var rules []*Rule
	var errs []error
	for i := range f.Rules {
		r, err := parseRule(&f.Rules[i].Node, source)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, r)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return rules, nil
}

func valueLine(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Line
		}
	}
	return n.Line
}

func parseRule(n *yaml.Node, source string) (*Rule, error) {
	var raw struct {
		ID          string        `yaml:"id"`
		Title       string        `yaml:"title"`
		Category    string        `yaml:"category"`
		Severity    string        `yaml:"severity"`
		Priority    *int          `yaml:"priority"`
		Confidence  *float64      `yaml:"confidence"`
		Patterns    []string      `yaml:"patterns"`
		Exclusions  []config.Node `yaml:"exclusions"`
		Requires    []config.Node `yaml:"requires"`
		Suggestions []string      `yaml:"suggestions"`
		Fix         string        `yaml:"fix"`
		Defer       bool          `yaml:"defer_to_builtin"`
	}
	if err := config.DecodeNode(n, source, &raw); err != nil {
		return nil, err
	}
	bad := func(key, msg string, args ...any) error {
		return &config.Error{Source: source, Line: valueLine(n, key), Msg: fmt.Sprintf(msg, args...)}
	}
	r := &Rule{ID: raw.ID, Title: raw.Title, Category: Category(raw.Category), Severity: Severity(raw.Severity),
		Priority: DefaultPriority, Confidence: DefaultConfidence, Patterns: raw.Patterns,
		Suggestions: raw.Suggestions, Fix: Fix(raw.Fix), DeferToBuiltin: raw.Defer, source: source, line: n.Line}
	if !idPattern.MatchString(r.ID) {
		return nil, bad("id", "invalid rule id %q (want lower-case letters, digits, '.', '_' or '-')", r.ID)
	}
	if !slices.Contains(Categories, r.Category) {
		return nil, bad("category", "rule %s: unknown category %q (allowed: %s)", r.ID, raw.Category, joinValues(Categories))
	}
	if !slices.Contains(Severities, r.Severity) {
		return nil, bad("severity", "rule %s: unknown severity %q (allowed: %s)", r.ID, raw.Severity, joinValues(Severities))
	}
	if r.Fix != "" && !slices.Contains(Fixes, r.Fix) {
		return nil, bad("fix", "rule %s: unknown fix %q (allowed: %s)", r.ID, raw.Fix, joinValues(Fixes))
	}
	if raw.Priority != nil {
		if *raw.Priority < 0 || *raw.Priority > 100 {
			return nil, bad("priority", "rule %s: priority %d out of range (allowed: 0-100)", r.ID, *raw.Priority)
		}
		r.Priority = *raw.Priority
	}
	if raw.Confidence != nil {
		if *raw.Confidence <= 0 || *raw.Confidence > 1 {
			return nil, bad("confidence", "rule %s: confidence %v out of range (allowed: >0 to 1)", r.ID, *raw.Confidence)
		}
		r.Confidence = *raw.Confidence
	}
	if len(r.Patterns) == 0 {
		return nil, bad("id", "rule %s: no patterns (at least one regexp is required)", r.ID)
	}
	for _, p := range r.Patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, bad("patterns", "rule %s: invalid pattern %q: %v", r.ID, p, err)
		}
		r.res = append(r.res, re)
	}
	var err error
	if r.Exclusions, err = parseConditions(raw.Exclusions, source, r.ID); err != nil {
		return nil, err
	}
	if r.Requires, err = parseConditions(raw.Requires, source, r.ID); err != nil {
		return nil, err
	}
	return r, nil
}

func parseConditions(nodes []config.Node, source, id string) ([]Condition, error) {
	var out []Condition
	for i := range nodes {
		n := &nodes[i].Node
		c := Condition{Scope: ScopeLine}
		switch n.Kind {
		case yaml.ScalarNode:
			c.Pattern = n.Value
		case yaml.MappingNode:
			c.Scope = ""
			if err := config.DecodeNode(n, source, &c); err != nil {
				return nil, err
			}
			if c.Scope == "" {
				c.Scope = ScopeContext
			}
		default:
			return nil, &config.Error{Source: source, Line: n.Line, Msg: fmt.Sprintf("rule %s: a condition is a regexp or a mapping {pattern, scope, lines}", id)}
		}
		if !slices.Contains(Scopes, c.Scope) {
			return nil, &config.Error{Source: source, Line: n.Line,
				Msg: fmt.Sprintf("rule %s: unknown scope %q (allowed: %s)", id, c.Scope, joinValues(Scopes))}
		}
		if c.Lines < 0 {
			return nil, &config.Error{Source: source, Line: n.Line, Msg: fmt.Sprintf("rule %s: lines %d must be >= 0", id, c.Lines)}
		}
		if c.Scope == ScopeContext && c.Lines == 0 {
			c.Lines = DefaultConditionLines
		}
		re, err := regexp.Compile(c.Pattern)
		if err != nil || c.Pattern == "" {
			return nil, &config.Error{Source: source, Line: n.Line, Msg: fmt.Sprintf("rule %s: invalid condition pattern %q: %v", id, c.Pattern, err)}
		}
		c.re = re
		out = append(out, c)
	}
	return out, nil
}

func joinValues[T ~string](vs []T) string {
	var b bytes.Buffer
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(v))
	}
	return b.String()
}
