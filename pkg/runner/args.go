package runner

import (
	"fmt"
	"sort"
	"strings"
)

// parsedArgs is the command line split into flag values per input.
type parsedArgs struct {
	values  map[string][]string // input name → raw values in order (lists may repeat)
	flags   map[string]string   // input name → the flag as written, for messages
	help    bool
	version bool
	errs    []error
}

func isHelp(a string) bool    { return a == "--help" || a == "-help" || a == "-h" }
func isVersion(a string) bool { return a == "--version" || a == "-version" }

// looksLikeFlag reports whether a starts a new flag (and so ends the values of
// a list flag). "-" alone and negative numbers are values.
func looksLikeFlag(a string) bool {
	if a == "--" {
		return true
	}
	if len(a) < 2 || a[0] != '-' {
		return false
	}
	c := a[1]
	return c != '.' && (c < '0' || c > '9')
}

// parseArgs resolves the command line against the spec. Flags are
// --name-with-hyphens (or underscores, or a single leading '-'), with the
// value after '=' or in the next argument. Bool flags alone mean true; a
// following true/false/yes/no/1/0 argument is taken as their value. List and
// Repos flags may repeat and also take the following non-flag arguments.
func parseArgs(spec Spec, args []string) parsedArgs {
	p := parsedArgs{values: map[string][]string{}, flags: map[string]string{}}
	byFlag := map[string]Input{}
	for _, in := range spec.Inputs {
		byFlag[strings.ToLower(strings.ReplaceAll(in.Name, "_", "-"))] = in
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if isHelp(a) {
			p.help = true
		}
		if isVersion(a) {
			p.version = true
		}
	}
	if p.help || p.version {
		return p
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			for _, rest := range args[i+1:] {
				p.errs = append(p.errs, &InputError{Reason: fmt.Sprintf("unexpected argument %q", rest), Allowed: "flags only; see --help"})
			}
			break
		}
		if !looksLikeFlag(a) {
			p.errs = append(p.errs, &InputError{Reason: fmt.Sprintf("unexpected argument %q", a), Allowed: "flags only; see --help"})
			continue
		}
		name := strings.TrimLeft(a, "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		key := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
		in, ok := byFlag[key]
		if !ok {
			flag := a
			if hasVal {
				flag, _, _ = strings.Cut(a, "=")
			}
			p.errs = append(p.errs, &InputError{Input: flag, Reason: fmt.Sprintf("unknown flag %s", flag), Allowed: validFlags(spec)})
			continue
		}
		p.flags[in.Name] = "--" + key
		switch {
		case hasVal:
			p.values[in.Name] = append(p.values[in.Name], val)
		case in.Kind == Bool:
			if i+1 < len(args) {
				if _, err := ParseBool(args[i+1]); err == nil {
					p.values[in.Name] = append(p.values[in.Name], args[i+1])
					i++
					continue
				}
			}
			p.values[in.Name] = append(p.values[in.Name], "true")
		case in.Kind == List || in.Kind == Repos:
			n := 0
			for i+1 < len(args) && !looksLikeFlag(args[i+1]) {
				p.values[in.Name] = append(p.values[in.Name], args[i+1])
				i++
				n++
			}
			if n == 0 {
				p.errs = append(p.errs, &InputError{Input: in.Name, Source: "--" + key, Reason: "needs a value", Allowed: in.allowedText()})
			}
		default:
			if i+1 >= len(args) {
				p.errs = append(p.errs, &InputError{Input: in.Name, Source: "--" + key, Reason: "needs a value", Allowed: in.allowedText()})
				continue
			}
			p.values[in.Name] = append(p.values[in.Name], args[i+1])
			i++
		}
	}
	return p
}

func validFlags(spec Spec) string {
	flags := make([]string, 0, len(spec.Inputs)+2)
	for _, in := range spec.Inputs {
		flags = append(flags, in.Flag())
	}
	sort.Strings(flags)
	flags = append(flags, "--help", "--version")
	return strings.Join(flags, ", ")
}
