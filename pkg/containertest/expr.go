package containertest

import (
	"fmt"
	"sort"
	"strings"
)

// Context holds the expression contexts that step inputs and action defaults
// may use. It evaluates only property paths (no operators or functions):
// `${{ github.<name> }}`, `${{ env.<name> }}` and
// `${{ steps.<id>.outputs.<name> }}`. Anything else, or a name that is not
// set, is an *ExpressionError rather than the runner's silent empty string, so
// that a chain that refers to a missing output fails loudly.
type Context struct {
	GitHub map[string]string
	Env    map[string]string
	// Steps maps a step id to its outputs.
	Steps map[string]map[string]string
}

// ExpressionError is a `${{ }}` expression this harness cannot evaluate.
type ExpressionError struct {
	Expr   string
	Reason string
}

func (e *ExpressionError) Error() string {
	return fmt.Sprintf("cannot evaluate ${{ %s }}: %s", e.Expr, e.Reason)
}

// Evaluate replaces every `${{ expr }}` in s with its value.
func (c *Context) Evaluate(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return "", &ExpressionError{Expr: strings.TrimSpace(s[i+3:]), Reason: `no closing "}}"`}
		}
		b.WriteString(s[:i])
		v, err := c.lookup(strings.TrimSpace(s[i+3 : i+j]))
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		s = s[i+j+2:]
	}
}

func (c *Context) lookup(expr string) (string, error) {
	parts := strings.Split(expr, ".")
	fail := func(reason string) (string, error) {
		return "", &ExpressionError{Expr: expr, Reason: reason}
	}
	switch {
	case len(parts) == 2 && parts[0] == "github":
		v, ok := c.GitHub[parts[1]]
		if !ok {
			return fail("github." + parts[1] + " is not set (set: " + strings.Join(keys(c.GitHub), ", ") + ")")
		}
		return v, nil
	case len(parts) == 2 && parts[0] == "env":
		v, ok := c.Env[parts[1]]
		if !ok {
			return fail("env." + parts[1] + " is not set")
		}
		return v, nil
	case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
		outs, ok := c.Steps[parts[1]]
		if !ok {
			return fail("no step with id " + parts[1] + " has run (ran: " + strings.Join(keys(c.Steps), ", ") + ")")
		}
		v, ok := outs[parts[3]]
		if !ok {
			return fail("step " + parts[1] + " set no output " + parts[3] + " (it set: " + strings.Join(keys(outs), ", ") + ")")
		}
		return v, nil
	default:
		return fail("only github.<name>, env.<name> and steps.<id>.outputs.<name> are supported")
	}
}

func keys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
