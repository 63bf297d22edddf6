package stale

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// MessageData is what a message template can use. Placeholders:
//
//	{{.Days}}           whole days without activity
//	{{.DaysUntilStale}} the stale threshold in days (may be fractional: 0.5)
//	{{.DaysUntilClose}} the grace period after the warning in days
//	{{.CloseDate}}      the date it will be closed / deleted (YYYY-MM-DD)
//	{{.WarnedDate}}     the date of the warning (YYYY-MM-DD; close message)
//	{{.WillClose}}      true when close_prs / close_issues / delete_branches is on
//	{{.Author}}         the author's login (pull request, issue) or last committer (branch)
//	{{.Title}}          the title, Markdown-escaped, @mentions neutralised
//	{{.Number}}         the pull request / issue number
//	{{.Label}}          the stale label, as an inline code span
//	{{.Kind}}           "pull request", "issue" or "branch"
//	{{.Repository}}     owner/name
//	{{.Branch}}         the branch name as an inline code span (branches; head branch for pull requests)
//	{{.SHA}}            the last commit SHA (branches; head SHA for pull requests)
//
// Any other field is an error when the inputs are read, before any write.
type MessageData struct {
	Days           int
	DaysUntilStale string
	DaysUntilClose string
	CloseDate      string
	WarnedDate     string
	WillClose      bool
	Author         string
	Title          string
	Number         int
	Label          string
	Kind           string
	Repository     string
	Branch         string
	SHA            string
}

// Placeholders lists the allowed template fields, sorted.
func Placeholders() []string {
	t := reflect.TypeOf(MessageData{})
	out := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		out = append(out, t.Field(i).Name)
	}
	sort.Strings(out)
	return out
}

// ParseMessage parses a message template and checks that every field it
// references is a MessageData placeholder, so a typo fails before anything
// is written rather than halfway through a run.
func ParseMessage(name, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("failed to parse template: %w", err)
	}
	allowed := map[string]bool{}
	for _, p := range Placeholders() {
		allowed[p] = true
	}
	var unknown []string
	for _, tt := range t.Templates() {
		if tt.Tree == nil {
			continue
		}
		walkFields(tt.Tree.Root, func(field string) {
			if !allowed[field] {
				unknown = append(unknown, field)
			}
		})
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown placeholder {{.%s}} (allowed: %s)", strings.Join(unknown, "}}, {{."),
			"{{."+strings.Join(Placeholders(), "}}, {{.")+"}}")
	}
	// Execute once on sample data: catches method calls on fields and
	// function misuse that parsing alone accepts.
	if err := t.Execute(new(strings.Builder), MessageData{}); err != nil {
		return nil, fmt.Errorf("failed to render template: %w", err)
	}
	return t, nil
}

// walkFields calls fn with the first identifier of every field reference
// ({{.X}}, {{$.X}}, {{.X.Y}}) in the tree.
func walkFields(n parse.Node, fn func(string)) {
	switch n := n.(type) {
	case nil:
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkFields(c, fn)
		}
	case *parse.ActionNode:
		walkFields(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkFields(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkFields(a, fn)
		}
	case *parse.FieldNode:
		if len(n.Ident) > 0 {
			fn(n.Ident[0])
		}
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			fn(n.Ident[1])
		}
	case *parse.ChainNode:
		walkFields(n.Node, fn)
	case *parse.IfNode:
		walkFields(n.Pipe, fn)
		walkFields(n.List, fn)
		walkFields(n.ElseList, fn)
	case *parse.RangeNode:
		walkFields(n.Pipe, fn)
		walkFields(n.List, fn)
		walkFields(n.ElseList, fn)
	case *parse.WithNode:
		walkFields(n.Pipe, fn)
		walkFields(n.List, fn)
		walkFields(n.ElseList, fn)
	case *parse.TemplateNode:
		walkFields(n.Pipe, fn)
	}
}

// maxRenderedMessage bounds a rendered message: GitHub refuses a comment
// or issue body over 65,536 characters, and the message shares the body
// with the hidden marker and, later, the resolution note.
const maxRenderedMessage = ghname.MaxBodyLength - 1024

// renderMessage renders a validated template, cut at a line boundary to
// fit in a comment (the template input is bounded, but the fields it
// expands are not).
func renderMessage(name, text string, d MessageData) (string, error) {
	t, err := ParseMessage(name, text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("failed to render %s: %w", name, err)
	}
	return report.Truncate(b.String(), maxRenderedMessage, "\n\n_(message cut to fit GitHub's 65,536-character limit)_\n"), nil
}
