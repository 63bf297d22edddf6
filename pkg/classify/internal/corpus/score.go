package corpus

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Verdict is a classifier's top-1 answer for one log.
type Verdict struct {
	// Found reports a root cause; the other fields are unset without one.
	Found bool
	// Class is the root cause's category.
	Class string
	// Rule is the rule id that named it.
	Rule string
	// Line is its 1-based line number in the log.
	Line int
}

// Classifier classifies the log at path.
type Classifier func(ctx context.Context, path string) (Verdict, error)

// NoFailure is the confusion column of logs where no root cause was found.
const NoFailure = "-"

// Report is the score of one classifier on one set of cases.
type Report struct {
	Name string
	// Logs counts all cases, Failing those with a class other than
	// ClassNone, Green the others.
	Logs, Failing, Green int
	// ClassRight counts failing logs whose top-1 class is the label.
	ClassRight int
	// LineRight counts failing logs whose root-cause line matches the
	// labelled one (LineMatches), whatever the class.
	LineRight int
	// RuleCases counts failing logs that name an expected rule, RuleRight
	// those whose top-1 rule is that one.
	RuleCases, RuleRight int
	// FalsePositives counts green logs with a root cause.
	FalsePositives int
	// Confusion counts logs by labelled class and top-1 class (NoFailure
	// when none was found).
	Confusion map[string]map[string]int
	// Misses names the failing logs whose class or root-cause line was
	// wrong and the green logs with a root cause, with what was found.
	Misses []string
}

// Score classifies every case and tallies the answers.
func Score(ctx context.Context, name string, cases []Case, classify Classifier) (*Report, error) {
	r := &Report{Name: name, Confusion: map[string]map[string]int{}}
	for _, c := range cases {
		v, err := classify(ctx, c.Path)
		if err != nil {
			return nil, fmt.Errorf("failed to classify %s: %w", c.Name, err)
		}
		got := NoFailure
		if v.Found {
			got = v.Class
		}
		if r.Confusion[c.Class] == nil {
			r.Confusion[c.Class] = map[string]int{}
		}
		r.Confusion[c.Class][got]++
		r.Logs++
		if c.Class == ClassNone {
			r.Green++
			if v.Found {
				r.FalsePositives++
				r.Misses = append(r.Misses, fmt.Sprintf("%s: none, found %s (%s) at line %d", c.Name, v.Class, v.Rule, v.Line))
			}
			continue
		}
		r.Failing++
		if v.Found && v.Class == c.Class {
			r.ClassRight++
		} else {
			r.Misses = append(r.Misses, fmt.Sprintf("%s: %s, found %s", c.Name, c.Class, got))
		}
		if c.Rule != "" {
			r.RuleCases++
			if v.Found && v.Rule == c.Rule {
				r.RuleRight++
			}
		}
		if v.Found {
			lines, err := readLines(c.Path)
			if err != nil {
				return nil, err
			}
			switch {
			case v.Line < 1 || v.Line > len(lines):
				r.Misses = append(r.Misses, fmt.Sprintf("%s: root-cause line %d outside the log (%d lines)", c.Name, v.Line, len(lines)))
			case LineMatches(lines[v.Line-1], c.Lines):
				r.LineRight++
			default:
				r.Misses = append(r.Misses, fmt.Sprintf("%s: root-cause line %d %q, labelled %q", c.Name, v.Line, clip(Normalize(lines[v.Line-1])), clip(Normalize(c.Lines[0]))))
			}
		}
	}
	return r, nil
}

// clip shortens a line for a miss report.
func clip(s string) string {
	if r := []rune(s); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return s
}

// AllRight counts the logs the classifier got right: failing logs with the
// labelled class, green logs without a root cause.
func (r *Report) AllRight() int { return r.ClassRight + r.Green - r.FalsePositives }

func pct(a, b int) string {
	if b == 0 {
		return "   -  "
	}
	return fmt.Sprintf("%5.1f%%", 100*float64(a)/float64(b))
}

// Write prints the report: the headline figures, then the confusion
// summary (rows: labelled class; columns: top-1 class).
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "%s: %d logs (%d failing, %d green)\n", r.Name, r.Logs, r.Failing, r.Green)
	fmt.Fprintf(w, "  top-1 class         %4d/%-4d %s   (failing logs)\n", r.ClassRight, r.Failing, pct(r.ClassRight, r.Failing))
	fmt.Fprintf(w, "  root-cause line     %4d/%-4d %s   (failing logs)\n", r.LineRight, r.Failing, pct(r.LineRight, r.Failing))
	if r.RuleCases > 0 {
		fmt.Fprintf(w, "  rule                %4d/%-4d %s   (failing logs naming a rule)\n", r.RuleRight, r.RuleCases, pct(r.RuleRight, r.RuleCases))
	}
	fmt.Fprintf(w, "  false positives     %4d/%-4d          (green logs)\n", r.FalsePositives, r.Green)
	fmt.Fprintf(w, "  all logs right      %4d/%-4d %s   (green right when nothing is found)\n", r.AllRight(), r.Logs, pct(r.AllRight(), r.Logs))
	cols := []string{"conan", "fips", "workflow", "build", "test", "deployment", "infrastructure", "unknown"}
	for _, row := range r.Confusion {
		for got := range row {
			if got != NoFailure && !slices.Contains(cols, got) {
				cols = append(cols, got)
			}
		}
	}
	cols = append(cols, NoFailure)
	short := func(s string) string {
		if len(s) > 6 {
			return s[:6]
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  %-15s %5s %7s", "labelled \\ top-1", "logs", "right")
	for _, c := range cols {
		fmt.Fprintf(&b, " %6s", short(c))
	}
	fmt.Fprintln(w, b.String())
	for _, class := range Classes {
		row := r.Confusion[class]
		if row == nil {
			continue
		}
		n, right := 0, 0
		for got, k := range row {
			n += k
			if got == class || (class == ClassNone && got == NoFailure) {
				right += k
			}
		}
		b.Reset()
		fmt.Fprintf(&b, "  %-15s %5d %7s", class, n, pct(right, n))
		for _, c := range cols {
			if k := row[c]; k > 0 {
				fmt.Fprintf(&b, " %6d", k)
			} else {
				fmt.Fprintf(&b, " %6s", ".")
			}
		}
		fmt.Fprintln(w, b.String())
	}
}
