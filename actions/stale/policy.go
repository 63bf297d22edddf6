// Package stale finds inactive pull requests, issues and branches across
// repositories, warns first (a label and a marked comment, or a line in one
// tracking issue per repository for branches) and acts (close, delete) only
// when the grace period has passed since that warning.
//
// The work is split in three steps so a dry run shows exactly what a real run
// does: Collect reads the state of each repository, Decide turns it into a
// Plan (every item, its decision, the reason and the exact API calls), and
// Execute performs the plan's calls and nothing else.
//
// The labels and the hidden markers in comments are the only state: nothing
// is cached between runs, so a run always starts from what GitHub shows.
package stale

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// Day is the length of one day in the policy's units.
const Day = 24 * time.Hour

// Policy is every setting that decides what happens to an item. It comes from
// the action's inputs and may be overridden per repository by the stale
// section of .github/ecosystem.yml (see Overrides).
type Policy struct {
	// DaysUntilStale is how long an item must be inactive before it is
	// warned (fractional days allowed: 0.5 days = 12h). Default 30 days.
	DaysUntilStale time.Duration `json:"days_until_stale"`
	// DaysUntilClose is how long after the warning a pull request or issue is
	// closed, or a branch deleted. Counted from the warning, never from
	// updated_at. Default 7 days.
	DaysUntilClose time.Duration `json:"days_until_close"`
	// StaleLabel is the label that marks a warned pull request or issue.
	StaleLabel string `json:"stale_label"`

	// StalePRMessage and StaleIssueMessage are the warning comments; they
	// cannot be empty (the comment is the warning and carries the marker).
	StalePRMessage    string `json:"stale_pr_message"`
	StaleIssueMessage string `json:"stale_issue_message"`
	// CloseMessage is posted when closing; empty closes without a comment.
	CloseMessage string `json:"close_message"`
	// StaleBranchMessage is the note per branch in the tracking issue;
	// empty leaves the note column blank.
	StaleBranchMessage string `json:"stale_branch_message"`

	ExemptLabels         []string `json:"exempt_labels,omitempty"`
	ExemptMilestones     []string `json:"exempt_milestones,omitempty"`
	ExemptAssignees      []string `json:"exempt_assignees,omitempty"`
	ExemptAuthors        []string `json:"exempt_authors,omitempty"`
	ExemptBranchPatterns []string `json:"exempt_branch_patterns,omitempty"`
	ExemptDraftPR        bool     `json:"exempt_draft_pr"`
	// AnyOfLabels: only items carrying at least one of these labels are
	// processed (empty = no filter).
	AnyOfLabels []string `json:"any_of_labels,omitempty"`
	// OnlyLabels: only items carrying all of these labels are processed
	// (empty = no filter).
	OnlyLabels []string `json:"only_labels,omitempty"`

	IncludePRs      bool `json:"include_prs"`
	IncludeIssues   bool `json:"include_issues"`
	IncludeBranches bool `json:"include_branches"`
	ClosePRs        bool `json:"close_prs"`
	CloseIssues     bool `json:"close_issues"`
	DeleteBranches  bool `json:"delete_branches"`

	// OperationsPerRun caps the number of WRITE requests (POST, PATCH,
	// DELETE) a run makes across all repositories. Reads are not counted:
	// they are bounded by the list sizes (see the README). Default 30.
	OperationsPerRun int `json:"operations_per_run"`

	// BotLogin is the bot_login input: the login to use when the token's own
	// login cannot be read (see ResolveIdentity); "" = find it. Its
	// comments and label changes never count as activity.
	BotLogin string `json:"bot_login,omitempty"`
	// AlertLabel is the label of the alert action's issues (alert's
	// DefaultLabel, "ecosystem-alert"): items carrying it are never
	// touched, so long-lived alert issues are not closed as stale. ""
	// processes them like any other.
	AlertLabel string `json:"alert_label,omitempty"`
	// IgnoreActors are further logins whose comments, reviews and label
	// changes never count as activity. Logins ending in "[bot]" never count
	// either. Commits always count, whoever pushed them.
	IgnoreActors []string `json:"ignore_actors,omitempty"`

	// self is the login the token acts as (Identity.Login), set by Run:
	// only its comments with a marker at the start, its stale label events
	// and its tracking issues are the action's own.
	self string
}

// DefaultAlertLabel is the label the alert action puts on its issues
// (actions/alert DefaultLabel; a test keeps the two equal).
const DefaultAlertLabel = "ecosystem-alert"

// Default messages. Placeholders are documented in MessageData.
const (
	DefaultStalePRMessage = "This pull request has had no activity for {{.Days}} days. It is now labelled {{.Label}}" +
		"{{if .WillClose}} and will be closed on {{.CloseDate}}{{end}} unless there is new activity " +
		"(a commit, a comment, a review or removing the label)."
	DefaultStaleIssueMessage = "This issue has had no activity for {{.Days}} days. It is now labelled {{.Label}}" +
		"{{if .WillClose}} and will be closed on {{.CloseDate}}{{end}} unless there is new activity " +
		"(a comment or removing the label)."
	DefaultCloseMessage = "Closing: no activity for {{.DaysUntilClose}} days since the stale warning of {{.WarnedDate}}. " +
		"Reopen it whenever work resumes."
	DefaultStaleBranchMessage = "Branch {{.Branch}} (last commit {{.SHA}} by {{.Author}}, {{.Days}} days ago) is stale" +
		"{{if .WillClose}} and will be deleted on {{.CloseDate}}{{end}}. Push a commit to keep it."
)

// DefaultExemptBranchPatterns protect long-lived branches by name. The
// default branch and protected branches are never deleted regardless.
var DefaultExemptBranchPatterns = []string{"main", "master", "develop", "release/*", "release-*", "hotfix/*", "gh-pages"}

// DefaultIgnoreActors never count as activity (besides BotLogin and any
// login ending in "[bot]").
var DefaultIgnoreActors = []string{"github-actions[bot]", "dependabot[bot]"}

// DefaultPolicy returns the safe defaults: warn only, close nothing, delete
// nothing.
func DefaultPolicy() Policy {
	return Policy{
		DaysUntilStale:       30 * Day,
		DaysUntilClose:       7 * Day,
		StaleLabel:           "stale",
		StalePRMessage:       DefaultStalePRMessage,
		StaleIssueMessage:    DefaultStaleIssueMessage,
		CloseMessage:         DefaultCloseMessage,
		StaleBranchMessage:   DefaultStaleBranchMessage,
		ExemptBranchPatterns: append([]string(nil), DefaultExemptBranchPatterns...),
		ExemptDraftPR:        true,
		IncludePRs:           true,
		IncludeBranches:      true,
		OperationsPerRun:     30,
		AlertLabel:           DefaultAlertLabel,
		IgnoreActors:         append([]string(nil), DefaultIgnoreActors...),
	}
}

// Validate checks every setting and returns all problems at once
// (errors.Join of *config.SettingError). source prefixes each error (an input set or
// a config file name); "" for none.
func (p Policy) Validate(source string) error {
	var errs []error
	bad := func(setting, value, reason string) {
		errs = append(errs, &config.SettingError{Source: source, Name: setting, Value: value, Reason: reason})
	}
	if p.DaysUntilStale < 0 {
		bad("days_until_stale", fmtDays(p.DaysUntilStale), "must be a number of days, 0 or more (fractions allowed, e.g. 0.5; 0 = stale at once)")
	}
	if p.DaysUntilClose < 0 {
		bad("days_until_close", fmtDays(p.DaysUntilClose), "must be a number of days, 0 or more (fractions allowed)")
	}
	if err := ghname.ValidateLabel(p.StaleLabel); err != nil {
		bad("stale_label", p.StaleLabel, err.Error())
	}
	for _, l := range [][2]any{{"exempt_labels", p.ExemptLabels}, {"any_of_labels", p.AnyOfLabels}, {"only_labels", p.OnlyLabels}} {
		for _, name := range l[1].([]string) {
			if err := ghname.ValidateLabel(name); err != nil {
				bad(l[0].(string), name, err.Error())
			}
		}
	}
	for _, pat := range p.ExemptBranchPatterns {
		if _, err := path.Match(pat, ""); err != nil || pat == "" {
			bad("exempt_branch_patterns", pat, "not a valid glob (allowed: literal names, *, ?, [class]; * does not match /)")
		}
	}
	if p.OperationsPerRun < 0 {
		bad("operations_per_run", fmt.Sprint(p.OperationsPerRun), "must be 0 or more (0 = plan only, no writes)")
	}
	if p.BotLogin != "" && !validLogin(p.BotLogin) {
		bad("bot_login", p.BotLogin, "must be a GitHub login (letters, digits, single hyphens, at most 39 characters, optionally ending in [bot]) or empty to use the token's own login")
	}
	if p.AlertLabel != "" {
		if err := ghname.ValidateLabel(p.AlertLabel); err != nil {
			bad("alert_label", p.AlertLabel, err.Error())
		}
	}
	for _, l := range [][2]any{{"exempt_assignees", p.ExemptAssignees}, {"exempt_authors", p.ExemptAuthors}, {"ignore_actors", p.IgnoreActors}} {
		for _, login := range l[1].([]string) {
			if login != "*" && !validLogin(login) {
				bad(l[0].(string), login, "must be a GitHub login (letters, digits, single hyphens, at most 39 characters, optionally ending in [bot])")
			}
		}
	}
	for _, m := range []struct {
		name, text string
		kind       ItemKind
	}{
		{"stale_pr_message", p.StalePRMessage, KindPR},
		{"stale_issue_message", p.StaleIssueMessage, KindIssue},
		{"close_message", p.CloseMessage, KindPR},
		{"stale_branch_message", p.StaleBranchMessage, KindBranch},
	} {
		if _, err := ParseMessage(m.name, m.text); err != nil {
			errs = append(errs, &config.SettingError{Source: source, Name: m.name, Value: m.text, Reason: err.Error(),
				Allowed: "a Go text/template of at most 65536 characters using the fields the README lists, e.g. {{.Days}}, {{.Label}}, {{.CloseDate}}"})
		}
		if warning := m.name == "stale_pr_message" || m.name == "stale_issue_message"; warning && strings.TrimSpace(m.text) == "" {
			bad(m.name, m.text, "must not be empty: the warning comment is the warning (and carries the marker the grace period is counted from); leave the input unset for the built-in message")
		}
	}
	return errors.Join(errs...)
}

// validLogin checks GitHub's login rules: 1-39 letters, digits or single
// hyphens, not starting or ending with a hyphen; bot accounts add "[bot]".
func validLogin(s string) bool {
	s = strings.TrimSuffix(s, "[bot]")
	if s == "" || len(s) > 39 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func fmtDays(d time.Duration) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", d.Hours()/24), "0"), ".")
}

// exemptReason says why an item is exempt, or "" when it is not.
func (p Policy) exemptReason(it *Item) string {
	if it.Kind != KindBranch && p.AlertLabel != "" && it.HasLabel(p.AlertLabel) {
		return fmt.Sprintf("has the alert label %q (an alert issue: closed by the alert action when its problem clears)", p.AlertLabel)
	}
	if it.Kind == KindBranch {
		for _, pat := range p.ExemptBranchPatterns {
			if ok, _ := path.Match(pat, it.Branch); ok {
				return fmt.Sprintf("branch matches exempt_branch_patterns %q", pat)
			}
		}
		if contains(p.ExemptAuthors, it.Author) {
			return fmt.Sprintf("author %s is in exempt_authors", it.Author)
		}
		return ""
	}
	for _, l := range it.Labels {
		if containsFold(p.ExemptLabels, l) {
			return fmt.Sprintf("has exempt label %q", l)
		}
	}
	if it.Milestone != "" && (contains(p.ExemptMilestones, it.Milestone) || contains(p.ExemptMilestones, "*")) {
		return fmt.Sprintf("in exempt milestone %q", it.Milestone)
	}
	for _, a := range it.Assignees {
		if contains(p.ExemptAssignees, a) || contains(p.ExemptAssignees, "*") {
			return fmt.Sprintf("assigned to exempt assignee %s", a)
		}
	}
	if contains(p.ExemptAuthors, it.Author) {
		return fmt.Sprintf("author %s is in exempt_authors", it.Author)
	}
	if it.Draft && p.ExemptDraftPR {
		return "draft pull request (exempt_draft_pr)"
	}
	if len(p.AnyOfLabels) > 0 {
		found := false
		for _, l := range it.Labels {
			if containsFold(p.AnyOfLabels, l) {
				found = true
			}
		}
		if !found {
			return "has none of any_of_labels"
		}
	}
	for _, want := range p.OnlyLabels {
		if !containsFold(it.Labels, want) {
			return fmt.Sprintf("lacks %q required by only_labels", want)
		}
	}
	return ""
}

// isHuman reports whether an actor's comments, reviews and label changes
// count as activity.
func (p Policy) isHuman(login string) bool {
	if login == "" || p.byUs(login) || strings.EqualFold(login, p.BotLogin) || strings.HasSuffix(login, "[bot]") {
		return false
	}
	return !contains(p.IgnoreActors, login)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// containsFold matches label names the way GitHub does: case-insensitively.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
