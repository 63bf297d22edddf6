package ghname

import (
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// GitHub's limits on text the actions write, from its API's 422 answers
// ("title is too long (maximum is 256 characters)", "body is too long
// (maximum is 65536 characters)") and its OpenAPI description
// (repos/create-dispatch-event: event_type maxLength 100, client_payload
// maxProperties 10; actions/create-workflow-dispatch: inputs
// maxProperties 25).
const (
	MaxTitleLength        = 256
	MaxBodyLength         = 65536
	MaxEventTypeLength    = 100
	MaxDispatchPayloadKey = 10
	MaxWorkflowInputs     = 25
	// MaxRefLength bounds a branch or tag name: git has no limit, but
	// GitHub refuses refs longer than 255 bytes (a file name on its
	// storage).
	MaxRefLength = 255
	// MaxTopicLength is GitHub's limit on a repository topic.
	MaxTopicLength = 50
)

// Rules, as error messages and --help say them.
const (
	LoginRule    = "a GitHub login: 1-39 characters of A-Z, a-z, 0-9 and '-', not starting with '-' (an app's bot: <slug>[bot])"
	LabelRule    = "a label name: 1-50 characters, no leading or trailing space, no comma, no control character, not '.' or '..' or a path climbing with them"
	RefRule      = "a branch or tag name as git check-ref-format allows it: no space, control character or any of ~ ^ : ? * [ \\, no '..', '//', '@{', no part starting with '.' or ending with '.lock', not starting with '-' or '/', not ending with '/' or '.', at most 255 bytes"
	WorkflowRule = "a workflow file name ending in .yml or .yaml (no directory: release.yml), or a workflow's numeric id"
	EmailRule    = "an e-mail address (RFC 5322), e.g. alerts@example.com or Alerts <alerts@example.com>"
	TopicRule    = "a topic: 1-50 characters of a-z, 0-9 and '-', starting with a letter or a digit"
)

// ValidateLogin checks a GitHub user, organisation or bot login: an owner
// name (see ValidateOwner), or "<app-slug>[bot]" for a GitHub App's bot
// user (e.g. github-actions[bot]).
func ValidateLogin(s string) error {
	name, bot := strings.CutSuffix(s, "[bot]")
	if bot && name == "" {
		return errors.New(LoginRule)
	}
	if ownerProblem(name) != "" {
		return errors.New(LoginRule)
	}
	return nil
}

// ValidateRef checks a branch or tag name against git check-ref-format's
// rules for a single name (https://git-scm.com/docs/git-check-ref-format,
// rules 1-10, with --branch's refusal of a leading '-'), and GitHub's
// length limit. Such a name can never hold a dot-segment.
func ValidateRef(s string) error {
	bad := func() error { return errors.New(RefRule) }
	switch {
	case s == "" || len(s) > MaxRefLength || s == "@":
		return bad()
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "/"), strings.HasSuffix(s, "/"), strings.HasSuffix(s, "."):
		return bad()
	case strings.Contains(s, ".."), strings.Contains(s, "//"), strings.Contains(s, "@{"):
		return bad()
	case !utf8.ValidString(s):
		return bad()
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || unicode.IsSpace(r) || strings.ContainsRune("~^:?*[\\", r) {
			return bad()
		}
	}
	for _, part := range strings.Split(s, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return bad()
		}
	}
	return nil
}

// ValidateWorkflow checks how workflow_dispatch names a workflow: its file
// name (release.yml: the API takes the name, not the path) or its numeric
// id.
func ValidateWorkflow(s string) error {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return errors.New(WorkflowRule)
		}
		return nil
	}
	if s == "" || len(s) > 255 || !(strings.HasSuffix(s, ".yml") || strings.HasSuffix(s, ".yaml")) ||
		strings.HasPrefix(s, ".") || strings.ContainsAny(s, "/\\?#%") || !utf8.ValidString(s) {
		return errors.New(WorkflowRule)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errors.New(WorkflowRule)
		}
	}
	return nil
}

// ValidateEmail checks one e-mail address (net/mail, RFC 5322: an
// addr-spec or a display name with an angle address). Line breaks, which
// would add header fields, and lists are refused.
func ValidateEmail(s string) error {
	if strings.ContainsAny(s, "\r\n") {
		return errors.New(EmailRule + "; no line break")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return errors.New(EmailRule)
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return errors.New(EmailRule)
	}
	return nil
}

// ValidateTopic checks a repository topic (GitHub: "Topics must start with
// a lowercase letter or number, consist of 50 characters or less, and can
// include hyphens").
func ValidateTopic(s string) error {
	if s == "" || len(s) > MaxTopicLength || s[0] == '-' {
		return errors.New(TopicRule)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return errors.New(TopicRule)
		}
	}
	return nil
}

// ValidateEventType checks a repository_dispatch event type: 1-100
// characters (the API's maxLength), no control characters.
func ValidateEventType(s string) error {
	const rule = "an event type: 1-100 characters, no control character"
	if s == "" || utf8.RuneCountInString(s) > MaxEventTypeLength {
		return errors.New(rule)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errors.New(rule)
		}
	}
	return nil
}

// MaxLength returns an error when s is longer than n characters.
func MaxLength(s string, n int, what string) error {
	if c := utf8.RuneCountInString(s); c > n {
		return fmt.Errorf("is %d characters long; GitHub allows at most %d in %s", c, n, what)
	}
	return nil
}
