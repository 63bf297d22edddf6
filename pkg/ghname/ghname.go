// Package ghname holds GitHub's naming rules: the one repository type
// (Repo, parsed once at the edge by ParseRepo), owner names and label
// names. It is a leaf, so the runner layer, the libraries and the client
// share it.
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
	return fmt.Sprintf("%q %s", e.Value, e.Reason)
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
		return Repo{}, &RepoError{Value: s, Reason: "has an invalid owner " + fmt.Sprintf("%q", owner) + ": " + err}
	}
	if err := repoNameProblem(name); err != "" {
		return Repo{}, &RepoError{Value: s, Reason: "has an invalid repository name " + fmt.Sprintf("%q", name) + ": " + err}
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
// cannot be part of a name).
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
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return errors.New("label name contains a control character")
		}
	}
	return nil
}
