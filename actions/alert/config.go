package alert

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/dispatch"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// Channels.
const (
	ChannelIssue              = "issue"
	ChannelRepositoryDispatch = "repository_dispatch"
	ChannelWorkflowDispatch   = "workflow_dispatch"
	ChannelWebhook            = "webhook"
)

// AllChannels are the allowed channels values.
var AllChannels = []string{ChannelIssue, ChannelRepositoryDispatch, ChannelWorkflowDispatch, ChannelWebhook}

// DefaultLabel is the label every alert issue carries (the example
// ecosystem's alert issues use it).
const DefaultLabel = "ecosystem-alert"

// Config is one run of the alert action. main.go fills it from the inputs.
type Config struct {
	// Reports are paths, globs (relative to BaseDir) or JSON (the reports
	// input).
	Reports string
	BaseDir string
	// Type is the alert_type; MinLevel the min_level.
	Type     Type
	MinLevel Level
	// Repository ("owner/name") receives the alert issues; it is also the
	// domain of fixer findings whose report names none.
	Repository string
	// Label marks alert issues (they are found by listing it); Labels are
	// added to them; Assignees are assigned.
	Label     string
	Labels    []string
	Assignees []string
	// Mention lists the logins (or org/team) whose @mentions stay live in
	// alert text and who are cc'd on new and changed alerts.
	Mention []string
	// Channels: issue, repository_dispatch, workflow_dispatch, webhook.
	Channels []string
	// GroupBy is how problems are grouped into issues (GroupModes; default
	// domain); FileIn where the issues go (FileInModes; default
	// alert-repo).
	GroupBy, FileIn string
	// TrustedAuthors are logins, besides the token's own, whose marked
	// alert issues are adopted (e.g. github-actions[bot] after moving to a
	// GitHub App token).
	TrustedAuthors []string
	// ClaimWait bounds how long a run waits for another run that claimed a
	// group to write its issue (default DefaultClaimWait).
	ClaimWait time.Duration
	// ResolveAfter is how many covering runs must miss a fingerprint
	// before its issue is closed (default 1).
	ResolveAfter int
	// DispatchTargets ("owner/repo") receive repository_dispatch and
	// workflow_dispatch.
	DispatchTargets []string
	// EventType is the repository_dispatch event type, or "auto"
	// (ecosystem-alert to every target, plus domain-failure to each target
	// that is itself failing; see plan).
	EventType string
	// Workflow (file name or id), WorkflowRef and WorkflowInputs (a JSON
	// object) drive the workflow_dispatch fan-out.
	Workflow, WorkflowRef, WorkflowInputs string
	// Webhook URLs (secrets) by kind, and SMTP URLs for e-mail.
	SlackWebhooks, TeamsWebhooks, GenericWebhooks, SMTPURLs []string
	Email                                                   EmailConfig
	// TeamsFormat is the Teams payload: TeamsAdaptiveCard (default: an
	// Adaptive Card 1.5 in a message, what Teams Workflows webhooks accept)
	// or TeamsMessageCard (the retired Office 365 connector card, only on
	// request).
	TeamsFormat string
	// WebhookSecret, when set, signs every generic webhook body with
	// HMAC-SHA256 (see SignatureHeader). A secret: never logged or written.
	WebhookSecret string `json:"-"`
	// WebhookRetries is how many times a failed webhook is retried.
	WebhookRetries int
	// DryRun plans every write without making it.
	DryRun bool
	// OutputDir receives alert_results.json and alert_summary.md.
	OutputDir string
	// RunID is GITHUB_RUN_ID (0 on the command line: every invocation is
	// then a new run). RunURL is the run's page; ArtifactURL where the full
	// report is linked from truncated bodies (default RunURL).
	RunID               int64
	RunURL, ArtifactURL string
	// Version is the action's version, recorded as the result's producer.
	Version string
	// Now is the time of the run.
	Now time.Time
}

var (
	workflowRe = regexp.MustCompile(`^(?:[0-9]{1,19}|[A-Za-z0-9_][A-Za-z0-9._-]{0,250}\.ya?ml)$`)
	loginRe    = regexp.MustCompile(`^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$`)
	teamRe     = regexp.MustCompile(`^@?[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

func (c Config) has(ch string) bool {
	for _, x := range c.Channels {
		if x == ch {
			return true
		}
	}
	return false
}

func join[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// Validate checks every setting and returns all problems together
// (errors.Join of *config.SettingError), before any request.
func (c *Config) Validate() error {
	var errs []error
	bad := func(input, value, reason, allowed string) {
		errs = append(errs, &config.SettingError{Source: config.InputSource, Name: input, Value: value, Reason: reason, Allowed: allowed})
	}
	secret := func(input, reason string) {
		allowed := "a single line"
		switch input {
		case "slack_webhook_url", "teams_webhook_url", "webhook_url":
			allowed = "https:// URLs (http:// only to a loopback address)"
		case "smtp_url":
			allowed = "smtp://[user:password@]host[:port] or smtps://…"
		}
		errs = append(errs, &config.SettingError{Source: config.InputSource, Name: input, Reason: reason, Secret: true, Allowed: allowed})
	}
	if strings.TrimSpace(c.Reports) == "" {
		bad("reports", "", "is required: paths or globs of ecosystem_analysis.json, failure_analysis.json or stale_analysis.json, or their JSON", "")
	}
	if c.Type == "" {
		c.Type = TypeAuto
	}
	okType := false
	for _, t := range Types {
		okType = okType || t == c.Type
	}
	if !okType {
		bad("alert_type", string(c.Type), "unknown alert type", join(Types))
	}
	if c.MinLevel == "" {
		c.MinLevel = LevelLow
	}
	if r := c.MinLevel.Rank(); r < 1 {
		bad("min_level", string(c.MinLevel), "unknown level", join(Levels))
	}
	if len(c.Channels) == 0 {
		c.Channels = []string{ChannelIssue}
	}
	for _, ch := range c.Channels {
		known := false
		for _, a := range AllChannels {
			known = known || a == ch
		}
		if !known {
			bad("channels", ch, "unknown channel", strings.Join(AllChannels, ", "))
		}
	}
	if c.Label == "" {
		c.Label = DefaultLabel
	}
	for i, l := range append([]string{c.Label}, c.Labels...) {
		if err := ghname.ValidateLabel(l); err != nil {
			input := "labels"
			if i == 0 {
				input = "label"
			}
			bad(input, l, err.Error(), "1-50 characters, no comma, no control characters")
		}
	}
	if _, err := dispatch.ParseTarget(c.Repository); err != nil {
		bad("repository", c.Repository, "the repository for alert issues must be owner/name", "")
	}
	for _, a := range c.Assignees {
		if !loginRe.MatchString(a) {
			bad("assignees", a, "not a GitHub login", "")
		}
	}
	for _, m := range c.Mention {
		if !loginRe.MatchString(m) && !teamRe.MatchString(m) {
			bad("mention", m, "not a GitHub login or org/team", "")
		}
	}
	if g, err := ParseGroupBy(c.GroupBy); err != nil {
		bad("group_by", c.GroupBy, "unknown grouping", strings.Join(GroupModes, "; "))
	} else {
		c.GroupBy = g
	}
	if c.FileIn == "" {
		c.FileIn = FileInAlertRepo
	}
	if c.FileIn != FileInAlertRepo && c.FileIn != FileInDomain {
		bad("file_in", c.FileIn, "unknown place for alert issues", strings.Join(FileInModes, ", "))
	}
	for _, a := range c.TrustedAuthors {
		if !loginRe.MatchString(a) {
			bad("trusted_authors", a, "not a GitHub login", "logins such as github-actions[bot] or my-app[bot]")
		}
	}
	if c.ClaimWait < 0 {
		bad("claim_wait", c.ClaimWait.String(), "must not be negative", "")
	}
	if c.ResolveAfter == 0 {
		c.ResolveAfter = 1
	}
	if c.ResolveAfter < 1 {
		bad("resolve_after", fmt.Sprint(c.ResolveAfter), "must be at least 1 run", "")
	}
	for _, t := range c.DispatchTargets {
		if _, err := dispatch.ParseTarget(t); err != nil {
			bad("dispatch_targets", t, "malformed target: want owner/repo", "")
		}
	}
	needTargets := c.has(ChannelRepositoryDispatch) || c.has(ChannelWorkflowDispatch)
	if needTargets && len(c.DispatchTargets) == 0 {
		bad("dispatch_targets", "", "is required with the repository_dispatch and workflow_dispatch channels", "")
	}
	if c.EventType == "" {
		c.EventType = "auto"
	}
	if c.EventType != "auto" {
		if err := dispatch.ValidateEventType(c.EventType); err != nil {
			bad("event_type", c.EventType, err.Error(), "auto, "+strings.Join(dispatch.EcosystemEventTypes, ", "))
		}
	}
	if c.has(ChannelWorkflowDispatch) {
		if strings.TrimSpace(c.Workflow) == "" {
			bad("workflow", "", "is required with the workflow_dispatch channel: a file name such as release.yml or a numeric id", "")
		} else if !workflowRe.MatchString(strings.TrimSpace(c.Workflow)) {
			bad("workflow", c.Workflow, "not a workflow file name or id", "a file name in .github/workflows such as release.yml, or a numeric workflow id")
		}
		if strings.TrimSpace(c.WorkflowRef) == "" {
			bad("workflow_ref", "", "is required with the workflow_dispatch channel: a branch or tag", "")
		}
	}
	if s := strings.TrimSpace(c.WorkflowInputs); s != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			bad("workflow_inputs", s, "must be a JSON object, e.g. {\"release_type\":\"domain\"}", "")
		} else if len(m) > dispatch.MaxWorkflowInput {
			bad("workflow_inputs", s, fmt.Sprintf("has %d inputs, GitHub allows at most %d", len(m), dispatch.MaxWorkflowInput), "")
		}
	}
	hooks := 0
	for _, group := range []struct {
		input string
		urls  []string
	}{{"slack_webhook_url", c.SlackWebhooks}, {"teams_webhook_url", c.TeamsWebhooks}, {"webhook_url", c.GenericWebhooks}} {
		for i, raw := range group.urls {
			hooks++
			if reason := checkHookURL(raw); reason != "" {
				secret(group.input, fmt.Sprintf("URL #%d %s", i+1, reason))
			}
		}
	}
	for i, raw := range c.SMTPURLs {
		hooks++
		t, err := ParseSMTPURL(raw)
		if err != nil {
			secret("smtp_url", fmt.Sprintf("URL #%d %s", i+1, err.Error()))
			continue
		}
		if len(c.Email.To) == 0 && len(t.to) == 0 {
			bad("email_to", "", "is required with smtp_url: the recipients of alert e-mails", "")
		}
		if c.Email.From == "" && t.from == "" {
			bad("email_from", "", "is required with smtp_url: the sender address", "")
		}
	}
	if c.has(ChannelWebhook) && hooks == 0 {
		bad("channels", ChannelWebhook, "the webhook channel needs slack_webhook_url, teams_webhook_url, webhook_url or smtp_url", "")
	}
	if c.TeamsFormat == "" {
		c.TeamsFormat = TeamsAdaptiveCard
	}
	if c.TeamsFormat != TeamsMessageCard && c.TeamsFormat != TeamsAdaptiveCard {
		bad("teams_format", c.TeamsFormat, "unknown Teams payload format", strings.Join(TeamsFormats, ", "))
	}
	if strings.ContainsAny(c.WebhookSecret, "\r\n") {
		secret("webhook_secret", "must be a single line")
	}
	if c.WebhookRetries < 0 || c.WebhookRetries > 10 {
		bad("webhook_retries", fmt.Sprint(c.WebhookRetries), "must be 0 to 10", "")
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	if c.ArtifactURL == "" {
		c.ArtifactURL = c.RunURL
	}
	return errors.Join(errs...)
}

// checkHookURL requires https, or http to a loopback address (a local
// receiver); it returns "" when the URL is fine. The reason never contains
// the URL.
func checkHookURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "is not a URL"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
			return ""
		}
		return "must use https (http only to a loopback address)"
	}
	return "must be an https URL"
}

// Webhooks lists the configured destinations with their report names.
func (c Config) Webhooks() []Webhook {
	var out []Webhook
	add := func(kind string, urls []string) {
		for i, u := range urls {
			out = append(out, Webhook{Kind: kind, Name: webhookName(kind, i+1), URL: strings.TrimSpace(u)})
		}
	}
	add(WebhookSlack, c.SlackWebhooks)
	add(WebhookTeams, c.TeamsWebhooks)
	add(WebhookGeneric, c.GenericWebhooks)
	add(WebhookEmail, c.SMTPURLs)
	return out
}
