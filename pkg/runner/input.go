package runner

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of an input; it decides how the raw string is validated
// and which accessor returns it.
type Kind int

// Input kinds.
const (
	String   Kind = iota // any text; Allowed, when set, restricts it like Enum
	Bool                 // true/false, yes/no, 1/0 (case-insensitive)
	Int                  // a base-10 integer
	Days                 // a non-negative number of days, fractions allowed: 0.5 = 12h
	Duration             // a non-negative Go duration plus d (24h) and w (7d): 4h, 30m, 30d, 2w, 1d12h
	List                 // comma- or newline-separated, trimmed, empty elements dropped
	Repos                // a List of owner/repo; a bare name takes the owner input
	Enum                 // one of Allowed (case-insensitive, normalised to Allowed's spelling)
)

// String returns the kind's name as shown by --help.
func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Bool:
		return "bool"
	case Int:
		return "int"
	case Days:
		return "days"
	case Duration:
		return "duration"
	case List:
		return "list"
	case Repos:
		return "repos"
	case Enum:
		return "enum"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Input declares one action input. The same declaration drives action.yml's
// INPUT_<NAME> variable, the command-line flag, the documented environment
// variable fallback and --help.
type Input struct {
	Name     string   // snake_case as in action.yml, e.g. "days_until_stale"; flag is --days-until-stale
	Kind     Kind     // how the value is validated and read
	Default  string   // used when no flag, INPUT_ or Env value is set
	Required bool     // an empty resolved value is an error
	Secret   bool     // masked with ::add-mask:: as soon as read, never echoed (not even in errors)
	Env      string   // documented environment variable fallback, e.g. "DAYS_UNTIL_STALE" ("" = none)
	Allowed  []string // Enum values; for List, each element must be one of them
	Usage    string   // one line, shown by --help

	// AllowEmpty makes an explicitly empty value a value instead of "unset":
	// an INPUT_<NAME> variable that is present but empty (or --flag="")
	// wins over Env and Default. The Actions runner sets every declared
	// input, with action.yml's default when the workflow does not give it,
	// so an empty INPUT_<NAME> reaches the action only when the workflow
	// wrote an empty value, provided action.yml declares the same non-empty
	// default as Default (the entrypoint tests check this). On the command
	// line an unset INPUT_<NAME> still falls back to Env and Default. Needs
	// WithLookupEnv to tell "present and empty" from "unset" (Main passes
	// os.LookupEnv); with only WithGetenv an empty variable counts as unset.
	AllowEmpty bool

	// Validate, when set, checks the parsed value (string, bool, int,
	// time.Duration, []string or []Repo, by Kind) after the Kind's own
	// checks; its error text becomes the InputError's Reason, e.g.
	// "must be more than 0". It is not called for an empty optional input.
	Validate func(v any) error
}

// Flag returns the input's command-line flag, e.g. "--days-until-stale".
func (in Input) Flag() string {
	return "--" + strings.ReplaceAll(in.Name, "_", "-")
}

// InputEnv returns the variable the Actions runner sets for the input:
// "INPUT_" + the name upper-cased with spaces replaced by "_" (hyphens are
// kept, as the runner does).
func (in Input) InputEnv() string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(in.Name, " ", "_"))
}

// Spec describes an action: its name and version for --version, a
// description for --help, and its inputs.
type Spec struct {
	Name, Version, Description string
	Inputs                     []Input
	// Result, when set, is the result of a run that did nothing (a nil
	// pointer of the action's result type): when the inputs are invalid,
	// Execute writes its Outputs (every declared output, empty), so the
	// outputs are written on every exit path as the READMEs promise.
	Result Result
}

// InputError is a bad input value. Its message names the input, the value
// (never for Secret inputs) and what is allowed. Load joins one per bad input.
type InputError struct {
	Input   string // input name, e.g. "days_until_stale"; for an unknown flag, the flag
	Value   string // the offending value ("" for Secret inputs), quoted cut to 200 characters
	Source  string // where the value came from: "--days-until-stale", "INPUT_DAYS_UNTIL_STALE", "DAYS_UNTIL_STALE", "default"
	Allowed string // what is allowed, e.g. "one of: wait, stop"
	Reason  string // what is wrong, e.g. "is not a number"
	Secret  bool   // the value is hidden
}

func (e *InputError) Error() string {
	var b strings.Builder
	if e.Input == "" || strings.HasPrefix(e.Input, "-") {
		b.WriteString(e.Reason) // a command-line problem, not an input's value
	} else {
		b.WriteString("input " + e.Input)
		switch {
		case e.Secret:
			b.WriteString(" (value hidden)")
		case e.Value != "":
			fmt.Fprintf(&b, " value %q", cut(e.Value))
		}
		switch {
		case e.Source == "default" && e.Value != "":
			b.WriteString(" (the default)")
		case e.Source != "" && e.Source != "default":
			b.WriteString(" from " + e.Source)
		}
		b.WriteString(" " + cutReason(e.Reason))
	}
	if e.Allowed != "" {
		b.WriteString("; allowed: " + e.Allowed)
	}
	return b.String()
}

// value is a resolved input: the raw string, where it came from, and the
// parsed value (string, bool, int, time.Duration, []string or []Repo).
type value struct {
	raw    string
	source string // "flag", "input", "env", "default"
	origin string // the flag or variable name, for error messages
	parsed any
}

var durationPart = regexp.MustCompile(`^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h|d|w)`)

// ParseDuration parses a non-negative duration: Go units (ns, us, ms, s, m,
// h) plus d (24h) and w (7 days), combinable: "4h", "30m", "30d", "2w",
// "1d12h", "0". A bare number other than 0 is rejected (is it hours? days?).
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if s == "0" {
		return 0, nil
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("negative duration %q", orig)
	}
	var total float64
	for s != "" {
		m := durationPart.FindStringSubmatch(s)
		if m == nil {
			if _, err := strconv.ParseFloat(s, 64); err == nil {
				return 0, fmt.Errorf("duration %q has no unit", orig)
			}
			return 0, fmt.Errorf("invalid duration %q", orig)
		}
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", orig)
		}
		total += n * float64(unitOf(m[2]))
		s = s[len(m[0]):]
	}
	if total > math.MaxInt64 {
		return 0, fmt.Errorf("duration %q is too long", orig)
	}
	return time.Duration(total), nil
}

func unitOf(u string) time.Duration {
	switch u {
	case "ns":
		return time.Nanosecond
	case "us", "µs":
		return time.Microsecond
	case "ms":
		return time.Millisecond
	case "s":
		return time.Second
	case "m":
		return time.Minute
	case "h":
		return time.Hour
	case "d":
		return 24 * time.Hour
	}
	return 7 * 24 * time.Hour // "w"
}

// ParseDays parses a non-negative, possibly fractional number of days
// ("7", "0.5" = 12h).
func ParseDays(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a number of days", s)
	}
	if f < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	d := f * float64(24*time.Hour)
	if d > math.MaxInt64 {
		return 0, fmt.Errorf("%q days is too long", s)
	}
	return time.Duration(math.Round(d)), nil
}

// ParseBool accepts true/false, yes/no and 1/0, case-insensitively.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", s)
}

// SplitList splits a comma- or newline-separated list, trims each element
// and drops empty ones.
func SplitList(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' })
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// allowedOf returns the canonical spelling of v in allowed (case-insensitive).
func allowedOf(v string, allowed []string) (string, bool) {
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a, true
		}
	}
	return "", false
}

func oneOf(allowed []string) string {
	return strings.Join(allowed, ", ")
}

// allowedText describes what the input accepts, for errors and --help.
func (in Input) allowedText() string {
	switch in.Kind {
	case Bool:
		return "true, false, yes, no, 1, 0"
	case Int:
		return "an integer"
	case Days:
		return "a non-negative number of days, e.g. 7 or 0.5"
	case Duration:
		return "a non-negative duration with a unit, e.g. 30m, 4h, 30d, 2w, 1d12h"
	case Repos:
		return "owner/repo or repo names, comma or newline separated; owner [A-Za-z0-9-] up to 39 characters, repo [A-Za-z0-9._-] up to 100"
	case List:
		if len(in.Allowed) > 0 {
			return "a comma or newline separated list of: " + strings.Join(in.Allowed, ", ")
		}
		return "a comma or newline separated list"
	}
	if len(in.Allowed) > 0 {
		return oneOf(in.Allowed)
	}
	return ""
}

// parse validates raw for the input. defaultOwner is used by Repos.
func (in Input) parse(raw, defaultOwner string) (any, *InputError) {
	bad := func(reason string) *InputError {
		return &InputError{Input: in.Name, Value: raw, Allowed: in.allowedText(), Reason: reason}
	}
	switch in.Kind {
	case String, Enum:
		if len(in.Allowed) == 0 || raw == "" {
			if in.Kind == Enum && raw == "" && len(in.Allowed) > 0 {
				return nil, bad("is empty")
			}
			return raw, nil
		}
		v, ok := allowedOf(raw, in.Allowed)
		if !ok {
			return nil, bad("is not allowed")
		}
		return v, nil
	case Bool:
		if raw == "" {
			return false, nil
		}
		v, err := ParseBool(raw)
		if err != nil {
			return nil, bad("is not a boolean")
		}
		return v, nil
	case Int:
		if raw == "" {
			return 0, nil
		}
		v, err := strconv.Atoi(raw)
		if err != nil {
			return nil, bad("is not an integer")
		}
		return v, nil
	case Days:
		if raw == "" {
			return time.Duration(0), nil
		}
		v, err := ParseDays(raw)
		if err != nil {
			if strings.HasPrefix(strings.TrimSpace(raw), "-") {
				return nil, bad("is negative")
			}
			return nil, bad("is not a number of days")
		}
		return v, nil
	case Duration:
		if raw == "" {
			return time.Duration(0), nil
		}
		v, err := ParseDuration(raw)
		if err != nil {
			return nil, bad("is not a valid duration (" + err.Error() + ")")
		}
		return v, nil
	case List:
		items := SplitList(raw)
		if len(in.Allowed) == 0 {
			return items, nil
		}
		var badItems []string
		for i, it := range items {
			v, ok := allowedOf(it, in.Allowed)
			if !ok {
				badItems = append(badItems, strconv.Quote(it))
				continue
			}
			items[i] = v
		}
		if len(badItems) > 0 {
			return nil, bad("contains " + strings.Join(badItems, ", ") + " which is not allowed")
		}
		return items, nil
	case Repos:
		var repos []Repo
		var problems []string
		for _, it := range SplitList(raw) {
			r, err := ParseRepo(it, defaultOwner)
			if err != nil {
				var re *RepoError
				if errors.As(err, &re) {
					problems = append(problems, fmt.Sprintf("%q %s", clipRunes(it, 60), re.Reason))
				} else {
					problems = append(problems, cutReason(err.Error()))
				}
				continue
			}
			repos = append(repos, r)
		}
		if len(problems) > 0 {
			return nil, bad("is invalid: " + strings.Join(problems, "; "))
		}
		return repos, nil
	}
	return nil, bad("has an unknown kind " + in.Kind.String())
}

// check runs parse and then the input's Validate hook.
func (in Input) check(raw, defaultOwner string) (any, *InputError) {
	v, ierr := in.parse(raw, defaultOwner)
	if ierr != nil || in.Validate == nil || raw == "" {
		return v, ierr
	}
	if err := in.Validate(v); err != nil {
		ie := &InputError{Input: in.Name, Value: raw, Allowed: in.allowedText(), Reason: err.Error()}
		var re *RuleError
		if errors.As(err, &re) {
			ie.Reason = re.Reason
			if re.Allowed != "" {
				ie.Allowed = re.Allowed
			}
		}
		return nil, ie
	}
	return v, nil
}
