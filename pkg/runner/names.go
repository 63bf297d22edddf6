package runner

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// Validate hooks for inputs that name something on GitHub or on disk. Each
// checks a String input's value, or every element of a List's; its error
// says what is wrong and, as a *RuleError, what is allowed, so the input
// error reads "input labels value "ok,.." has ".." which is not a label
// name; allowed: a label name: 1-50 characters, …". They run in Load,
// before any request.

// RuleError is a Validate error that says what is allowed; Load puts
// Allowed into the InputError.
type RuleError struct {
	Reason, Allowed string
}

func (e *RuleError) Error() string {
	if e.Allowed == "" {
		return e.Reason
	}
	return e.Reason + "; allowed: " + e.Allowed
}

// each applies check to a String input's value or to every element of a
// List input's; what names a valid value ("a label name").
func each(what, allowed string, check func(string) error) func(v any) error {
	return func(v any) error {
		switch v := v.(type) {
		case string:
			if check(v) != nil {
				return &RuleError{Reason: "is not " + what, Allowed: allowed}
			}
		case []string:
			for _, s := range v {
				if check(s) != nil {
					return &RuleError{Reason: fmt.Sprintf("has %q, which is not %s", cut(s), what), Allowed: allowed}
				}
			}
		}
		return nil
	}
}

// Name hooks.
var (
	// ValidateLabelName: GitHub label names (pkg/ghname ValidateLabel).
	ValidateLabelName = each("a label name", ghname.LabelRule, ghname.ValidateLabel)
	// ValidateLogin: GitHub logins, bots included.
	ValidateLogin = each("a GitHub login", ghname.LoginRule, ghname.ValidateLogin)
	// ValidateLoginOrAny: logins, or "*" for anyone.
	ValidateLoginOrAny = each("a GitHub login or *", ghname.LoginRule+"; or * for anyone", func(s string) error {
		if s == "*" {
			return nil
		}
		return ghname.ValidateLogin(s)
	})
	// ValidateMention: logins or org/team.
	ValidateMention = each("a GitHub login or org/team", ghname.LoginRule+"; or org/team", func(s string) error {
		s = strings.TrimPrefix(s, "@")
		if org, team, ok := strings.Cut(s, "/"); ok {
			if ghname.ValidateOwner(org) != nil || !teamSlug(team) {
				return errors.New("not org/team")
			}
			return nil
		}
		return ghname.ValidateLogin(s)
	})
	// ValidateRef: branch and tag names (git check-ref-format).
	ValidateRef = each("a branch or tag name", ghname.RefRule, ghname.ValidateRef)
	// ValidateWorkflow: a workflow file name or id, as workflow_dispatch takes it.
	ValidateWorkflow = each("a workflow file name or id", ghname.WorkflowRule, ghname.ValidateWorkflow)
	// ValidateEmail: e-mail addresses (RFC 5322, one per element).
	ValidateEmail = each("an e-mail address", ghname.EmailRule, ghname.ValidateEmail)
	// ValidateTopic: repository topics.
	ValidateTopic = each("a topic", ghname.TopicRule, ghname.ValidateTopic)
	// ValidateRepository: one owner/repo (no bare name).
	ValidateRepository = each("owner/repo", "owner/repo: owner [A-Za-z0-9-] up to 39 characters, repo [A-Za-z0-9._-] up to 100", func(s string) error {
		_, err := ghname.ParseRepo(s, "")
		return err
	})
	// ValidateGlob: shell patterns (path.Match syntax) of at most 255
	// characters (they match names: a repository name has at most 100, a
	// branch name 255 bytes).
	ValidateGlob = each("a valid pattern", "a pattern of path.Match (* ? [a-z], \\ escapes), at most 255 characters, e.g. openssl-*", func(s string) error {
		if utf8.RuneCountInString(s) > ghname.MaxRefLength {
			return errors.New("too long")
		}
		_, err := path.Match(s, "")
		return err
	})
)

// teamSlug reports whether s is a team slug: letters, digits, '-' and '_'.
func teamSlug(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// MaxChars returns a hook refusing text longer than n characters; where
// says what GitHub limits ("a comment body").
func MaxChars(n int, where string) func(v any) error {
	return func(v any) error {
		var all []string
		switch v := v.(type) {
		case string:
			all = []string{v}
		case []string:
			all = v
		}
		for _, s := range all {
			if c := utf8.RuneCountInString(s); c > n {
				return &RuleError{Reason: fmt.Sprintf("is %d characters long", c), Allowed: fmt.Sprintf("at most %d characters (GitHub's limit on %s)", n, where)}
			}
		}
		return nil
	}
}

// SingleLine refuses a value with a line break or another control
// character (a token, a secret sent in a header).
func SingleLine(v any) error {
	s, _ := v.(string)
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return &RuleError{Reason: "holds a line break or a control character", Allowed: "a single line"}
		}
	}
	return nil
}

// All runs hooks in order and returns the first error.
func All(hooks ...func(v any) error) func(v any) error {
	return func(v any) error {
		for _, h := range hooks {
			if h == nil {
				continue
			}
			if err := h(v); err != nil {
				return err
			}
		}
		return nil
	}
}

// IntRange refuses an Int input outside lo..hi.
func IntRange(lo, hi int) func(v any) error {
	return func(v any) error {
		n, _ := v.(int)
		if n < lo || n > hi {
			allowed := fmt.Sprintf("%d..%d", lo, hi)
			if hi == maxInt {
				allowed = fmt.Sprintf("an integer >= %d", lo)
			}
			return &RuleError{Reason: "is out of range", Allowed: allowed}
		}
		return nil
	}
}

const maxInt = int(^uint(0) >> 1)

// AtLeast refuses an Int input below lo.
func AtLeast(lo int) func(v any) error { return IntRange(lo, maxInt) }

// Path hooks: they look at the file system when the inputs are read, so a
// path that cannot work fails before the first request, not after all of
// them.

// ValidateOutputDir: a directory the action can create files in: an
// existing directory, or a path whose nearest existing ancestor is one.
func ValidateOutputDir(v any) error {
	p, _ := v.(string)
	if fi, err := os.Stat(p); err == nil {
		if !fi.IsDir() {
			return &RuleError{Reason: "is an existing file, not a directory", Allowed: "a directory (created when missing)"}
		}
		return nil
	}
	return creatable(p, "a directory (created when missing)")
}

// ValidateOutputFile: a file the action can write: not a directory, in a
// directory it can create.
func ValidateOutputFile(v any) error {
	p, _ := v.(string)
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return &RuleError{Reason: "is a directory", Allowed: "a file path (its directory is created when missing)"}
	}
	return creatable(filepath.Dir(p), "a file path (its directory is created when missing)")
}

// ValidateInputFile: an existing regular file.
func ValidateInputFile(v any) error {
	p, _ := v.(string)
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return &RuleError{Reason: "cannot be read: " + errText(err), Allowed: "an existing file"}
	case fi.IsDir():
		return &RuleError{Reason: "is a directory", Allowed: "an existing file"}
	}
	return nil
}

// ValidateInputDir: an existing directory.
func ValidateInputDir(v any) error {
	p, _ := v.(string)
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return &RuleError{Reason: "cannot be read: " + errText(err), Allowed: "an existing directory"}
	case !fi.IsDir():
		return &RuleError{Reason: "is not a directory", Allowed: "an existing directory"}
	}
	return nil
}

// ValidateExistingGlobs: paths or globs that each match at least one file.
func ValidateExistingGlobs(v any) error {
	l, _ := v.([]string)
	for _, p := range l {
		m, err := filepath.Glob(p)
		switch {
		case err != nil:
			return &RuleError{Reason: fmt.Sprintf("has %q, which is not a valid pattern", cut(p)), Allowed: "paths or globs (filepath.Match syntax) that match files"}
		case len(m) == 0:
			return &RuleError{Reason: fmt.Sprintf("has %q, which matches no file", cut(p)), Allowed: "paths or globs that match files"}
		}
	}
	return nil
}

// creatable checks that dir exists as a directory or can be created: its
// nearest existing ancestor is a directory.
func creatable(dir, allowed string) error {
	d := filepath.Clean(dir)
	for {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return &RuleError{Reason: fmt.Sprintf("lies under %s, which is a file", strconv.Quote(cut(d))), Allowed: allowed}
			}
			return nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil
		}
		d = parent
	}
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// maxValueInError bounds how much of a value an input error quotes.
const maxValueInError = 200

// cut shortens s to 200 characters for an error message.
func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxValueInError {
		return s
	}
	r := []rune(s)
	return string(r[:maxValueInError]) + fmt.Sprintf("… (%d characters)", len(r))
}

// cutReason bounds a reason that may quote a value (a library's message)
// to 400 characters.
func cutReason(s string) string {
	if utf8.RuneCountInString(s) <= 2*maxValueInError {
		return s
	}
	return string([]rune(s)[:2*maxValueInError]) + "…"
}

// ValidateWorkflowPath: a workflow file to read: a path ending in .yml or
// .yaml, without a query or fragment character; one that is not a local
// file is read through the API from the repository, so it must then be
// relative and must not climb with "..".
func ValidateWorkflowPath(v any) error {
	p, _ := v.(string)
	const allowed = "a workflow file path ending in .yml or .yaml: a local file, or a path in the repository such as .github/workflows/ci.yml (no '..')"
	if !(strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) || strings.ContainsAny(p, "?#%\\") {
		return &RuleError{Reason: "is not a workflow file path", Allowed: allowed}
	}
	if fi, err := os.Stat(p); err == nil {
		if fi.IsDir() {
			return &RuleError{Reason: "is a directory", Allowed: allowed}
		}
		return nil
	}
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") {
		return &RuleError{Reason: "is not a local file, and an absolute path cannot be read from the repository", Allowed: allowed}
	}
	for _, part := range strings.Split(filepath.ToSlash(p), "/") {
		if part == ".." {
			return &RuleError{Reason: "climbs out of the repository with '..'", Allowed: allowed}
		}
	}
	return nil
}

// ValidateURL: an absolute http or https URL with a host.
func ValidateURL(v any) error {
	s, _ := v.(string)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(s, " \r\n\t") {
		return &RuleError{Reason: "is not an http or https URL", Allowed: "an absolute https:// (or http://) URL, e.g. https://github.com/o/r/actions/runs/1"}
	}
	return nil
}

// clipRunes cuts s to n characters, marking the cut.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// ValidatePathGlobs: paths or globs of valid syntax (filepath.Match); a
// pattern matching nothing yet is allowed.
func ValidatePathGlobs(v any) error {
	l, _ := v.([]string)
	for _, p := range l {
		if _, err := filepath.Match(p, ""); err != nil {
			return &RuleError{Reason: fmt.Sprintf("has %q, which is not a valid pattern", cut(p)), Allowed: "paths or globs (filepath.Match syntax: * ? [a-z])"}
		}
	}
	return nil
}
