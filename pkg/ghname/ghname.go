// Package ghname holds GitHub's naming rules: the one repository type
// (Repo, parsed once at the edge by ParseRepo), owner names, logins, label
// names, branch and tag names, workflow file names, e-mail addresses,
// topics, and GitHub's limits on the text the actions write. It is a leaf,
// so the runner layer, the libraries and the client share it.
package ghname

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Repo is a GitHub repository name, "owner/name".
type Repo struct {
	Owner, Name string
}

// String returns "owner/name".
func (r Repo) String() string { return r.Owner + "/" + r.Name }

// RepoError is a malformed repository name.
type RepoError struct {
	Value  string
	Reason string
}

func (e *RepoError) Error() string {
	return fmt.Sprintf("%q %s", clip(e.Value, 200), e.Reason)
}

// clip cuts s to n bytes on a rune boundary, marking the cut: an error
// quotes a value, never 100 KB of it.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// ParseRepo parses "owner/name", or a bare "name" that takes defaultOwner.
// GitHub owners are 1–39 characters of [A-Za-z0-9-] (not starting with a
// hyphen); repository names are 1–100 characters of [A-Za-z0-9._-] and not
// "." or "..".
func ParseRepo(s, defaultOwner string) (Repo, error) {
	v := strings.TrimSpace(s)
	owner, name, hasSlash := strings.Cut(v, "/")
	if !hasSlash {
		owner, name = defaultOwner, v
		if owner == "" {
			return Repo{}, &RepoError{Value: s, Reason: "has no owner: write owner/repo or set the owner input"}
		}
	}
	if strings.Contains(name, "/") {
		return Repo{}, &RepoError{Value: s, Reason: "has more than one '/': write owner/repo"}
	}
	if err := ownerProblem(owner); err != "" {
		return Repo{}, &RepoError{Value: s, Reason: "has an invalid owner " + fmt.Sprintf("%q", clip(owner, 40)) + ": " + err}
	}
	if err := repoNameProblem(name); err != "" {
		return Repo{}, &RepoError{Value: s, Reason: "has an invalid repository name " + fmt.Sprintf("%q", clip(name, 40)) + ": " + err}
	}
	return Repo{Owner: owner, Name: name}, nil
}

// ValidateOwner checks a GitHub owner name: 1-39 characters of
// [A-Za-z0-9-], not starting with '-'.
func ValidateOwner(s string) error {
	if msg := ownerProblem(s); msg != "" {
		return errors.New(msg)
	}
	return nil
}

func ownerProblem(s string) string {
	const rule = "an owner is 1-39 characters of A-Z, a-z, 0-9 and '-', not starting with '-'"
	if s == "" || len(s) > 39 || s[0] == '-' {
		return rule
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return rule
		}
	}
	return ""
}

func repoNameProblem(s string) string {
	const rule = "a repository name is 1-100 characters of A-Z, a-z, 0-9, '.', '_' and '-', other than '.' and '..'"
	if s == "" || len(s) > 100 || s == "." || s == ".." {
		return rule
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c == '.' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return rule
		}
	}
	return ""
}

// MaxLabelLength is GitHub's limit on the length of a label name.
const MaxLabelLength = 50

// ValidateLabel checks a label name as the actions take it from an input:
// not empty, at most 50 characters, no leading or trailing space, no control
// characters and no comma (list inputs are comma separated, so a comma
// cannot be part of a name), and not a name that climbs when it is put
// into a URL path ("..", "a/../b": no escaping makes such a name one
// path segment for every server; see ghclient.PathSegment). Slashes are
// fine: "lifecycle/stale" is one escaped segment.
func ValidateLabel(name string) error {
	switch {
	case name == "":
		return errors.New("label name is empty")
	case len([]rune(name)) > MaxLabelLength:
		return fmt.Errorf("label name is longer than %d characters", MaxLabelLength)
	case strings.TrimSpace(name) != name:
		return errors.New("label name has leading or trailing spaces")
	case strings.Contains(name, ","):
		return errors.New("label name contains a comma")
	case dotSegment(name):
		return errors.New("label name is or holds '.' or '..' between slashes")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return errors.New("label name contains a control character")
		}
	}
	return nil
}

// dotSegment reports whether s, or s percent-decoded, is "." or ".." or
// holds one between '/' or '\'.
func dotSegment(s string) bool {
	for _, v := range []string{s, percentDecoded(s)} {
		for _, piece := range strings.FieldsFunc(v, func(r rune) bool { return r == '/' || r == '\\' }) {
			if piece == "." || piece == ".." {
				return true
			}
		}
	}
	return false
}

// percentDecoded decodes %XX escapes (invalid ones are kept).
func percentDecoded(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
