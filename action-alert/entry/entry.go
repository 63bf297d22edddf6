// Package entry is the entry code of action-alert: it turns the monitor, fixer
// and stale reports into one issue per group of problems (domain by default)
// with a checklist kept current, closed when every problem cleared, reopened
// when one returns; plus repository_dispatch / workflow_dispatch fan-out and
// chat and e-mail webhooks. It wires the action's inputs to actions/alert;
// see README.md.
package entry

import (
	"context"
	"errors"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/actions/alert"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// version is set at build time with -ldflags
// "-X github.com/sparesparrow/ecosystem-actions/action-alert/entry.version=...".
var version = "dev"

func levels() []string {
	var out []string
	for _, l := range alert.Levels {
		out = append(out, string(l))
	}
	return out
}

func types() []string {
	var out []string
	for _, t := range alert.Types {
		out = append(out, string(t))
	}
	return out
}

// validateEventType: "auto" or a repository_dispatch event type.
func validateEventType(v any) error {
	s, _ := v.(string)
	if s == "auto" {
		return nil
	}
	if err := ghname.ValidateEventType(s); err != nil {
		return &runner.RuleError{Reason: "is not an event type", Allowed: "auto, or " + err.Error()}
	}
	return nil
}

// Spec declares the inputs of action-alert (action.yml declares the same).
func Spec() runner.Spec {
	return runner.Spec{
		Name: "action-alert", Version: version, Result: (*alert.Result)(nil),
		Description: "Turn ecosystem reports into one issue per domain with a checklist of its problems, dispatch fan-out, chat and e-mail webhooks.",
		Inputs: []runner.Input{
			runner.TokenInput(), runner.OwnerInput(),
			{Name: "reports", Kind: runner.String, Required: true, Env: "REPORTS", Usage: "report paths or globs (comma/newline separated), or a report's JSON"},
			{Name: "alert_type", Kind: runner.Enum, Default: "auto", Allowed: types(), Usage: "alert family; auto takes it from each report and level"},
			{Name: "min_level", Kind: runner.Enum, Default: "low", Allowed: levels(), Usage: "alerts below this level are left out (and resolve open ones)"},
			{Name: "repository", Kind: runner.String, Usage: "owner/name receiving the alert issues; default: the current repository", Validate: runner.ValidateRepository},
			{Name: "label", Kind: runner.String, Default: alert.DefaultLabel, Usage: "label that marks alert issues (they are found by it)", Validate: runner.ValidateLabelName},
			{Name: "labels", Kind: runner.List, Usage: "more labels added to alert issues", Validate: runner.ValidateLabelName},
			{Name: "assignees", Kind: runner.List, Usage: "logins assigned to alert issues", Validate: runner.ValidateLogin},
			{Name: "mention", Kind: runner.List, Usage: "logins or org/team whose @mentions stay live and who are cc'd on new and changed alerts", Validate: runner.ValidateMention},
			{Name: "channels", Kind: runner.List, Default: "issue", Allowed: alert.AllChannels, Usage: "where alerts go"},
			{Name: "group_by", Kind: runner.String, Default: alert.GroupDomain, Usage: "one issue per: domain, domain,category or fingerprint"},
			{Name: "file_in", Kind: runner.Enum, Default: alert.FileInAlertRepo, Allowed: alert.FileInModes, Usage: "where issues go: alert-repo, or domain (each domain's repository, plus one ecosystem issue)"},
			{Name: "trusted_authors", Kind: runner.List, Usage: "logins besides the token's own whose marked alert issues are adopted", Validate: runner.ValidateLogin},
			{Name: "resolve_after", Kind: runner.Int, Default: "1", Usage: "runs covering a domain without its problem before the issue closes (>= 1)",
				Validate: func(v any) error {
					if v.(int) < 1 {
						return errors.New("must be at least 1")
					}
					return nil
				}},
			{Name: "dispatch_targets", Kind: runner.Repos, Usage: "repositories receiving repository_dispatch / workflow_dispatch (owner/name, or a bare name with owner)"},
			{Name: "event_type", Kind: runner.String, Default: "auto", Usage: "repository_dispatch event type; auto: ecosystem-alert to every target, domain-failure to each failing target", Validate: validateEventType},
			{Name: "workflow", Kind: runner.String, Usage: "workflow file name or id started by workflow_dispatch", Validate: runner.ValidateWorkflow},
			{Name: "workflow_ref", Kind: runner.String, Default: "main", Usage: "branch or tag the dispatched workflow runs on", Validate: runner.ValidateRef},
			{Name: "workflow_inputs", Kind: runner.String, Usage: "JSON object of workflow_dispatch inputs (at most 25)"},
			{Name: "slack_webhook_url", Kind: runner.List, Secret: true, Env: "SLACK_WEBHOOK_URL", Usage: "Slack incoming webhook URL(s) (secret)"},
			{Name: "teams_webhook_url", Kind: runner.List, Secret: true, Env: "TEAMS_WEBHOOK_URL", Usage: "Microsoft Teams incoming webhook URL(s) (secret)"},
			{Name: "webhook_url", Kind: runner.List, Secret: true, Env: "WEBHOOK_URL", Usage: "generic JSON webhook URL(s) (secret)"},
			{Name: "webhook_secret", Kind: runner.String, Secret: true, Env: "WEBHOOK_SECRET", Usage: "signs generic webhook bodies: HMAC-SHA256 in the " + alert.SignatureHeader + " header (secret)", Validate: runner.SingleLine},
			{Name: "teams_format", Kind: runner.Enum, Default: alert.TeamsAdaptiveCard, Allowed: alert.TeamsFormats, Usage: "Teams payload: adaptive_card (Adaptive Card 1.5, Workflows webhooks) or message_card (retired connectors)"},
			{Name: "smtp_url", Kind: runner.List, Secret: true, Env: "SMTP_URL", Usage: "smtp://user:password@host:587 or smtps://… (secret)"},
			{Name: "smtp_password", Kind: runner.String, Secret: true, Env: "SMTP_PASSWORD", Usage: "SMTP password, if not in smtp_url (secret)", Validate: runner.SingleLine},
			{Name: "email_from", Kind: runner.String, Usage: "sender address of alert e-mails", Validate: runner.ValidateEmail},
			{Name: "email_to", Kind: runner.List, Usage: "recipients of alert e-mails", Validate: runner.ValidateEmail},
			{Name: "webhook_retries", Kind: runner.Int, Default: "3", Usage: "retries of a failed webhook, with backoff (0-10)"},
			{Name: "artifact_url", Kind: runner.String, Usage: "where truncated issue bodies link the full report; default: this run's page", Validate: runner.ValidateURL},
			runner.DryRunInput(), runner.OutputDirInput(), runner.LogLevelInput(), runner.CacheDirInput(),
			runner.RateLimitPolicyInput(), runner.MaxWaitInput(),
		},
	}
}

func config(r *runner.Run) alert.Config {
	repo := strings.TrimSpace(r.String("repository"))
	if repo == "" && r.Repository().Name != "" {
		repo = r.Repository().String()
	}
	var targets []string
	for _, t := range r.Repos("dispatch_targets") {
		targets = append(targets, t.String())
	}
	secrets := func(name string) []string {
		l := r.List(name)
		for _, s := range l {
			r.AddMask(s)
		}
		return l
	}
	return alert.Config{
		Reports: r.String("reports"), BaseDir: r.Workspace(),
		Type: alert.Type(r.String("alert_type")), MinLevel: alert.Level(r.String("min_level")),
		Repository: repo, Label: r.String("label"), Labels: r.List("labels"), Assignees: r.List("assignees"), Mention: r.List("mention"),
		Channels: r.List("channels"), ResolveAfter: r.Int("resolve_after"),
		GroupBy: r.String("group_by"), FileIn: r.String("file_in"), TrustedAuthors: r.List("trusted_authors"),
		DispatchTargets: targets, EventType: r.String("event_type"),
		Workflow: r.String("workflow"), WorkflowRef: r.String("workflow_ref"), WorkflowInputs: r.String("workflow_inputs"),
		SlackWebhooks: secrets("slack_webhook_url"), TeamsWebhooks: secrets("teams_webhook_url"),
		GenericWebhooks: secrets("webhook_url"), SMTPURLs: secrets("smtp_url"),
		Email:       alert.EmailConfig{From: r.String("email_from"), To: r.List("email_to"), Password: r.String("smtp_password")},
		TeamsFormat: r.String("teams_format"), WebhookSecret: r.String("webhook_secret"),
		WebhookRetries: r.Int("webhook_retries"), DryRun: r.Bool("dry_run"), OutputDir: r.String("output_dir"),
		RunID: r.RunID(), RunURL: r.RunURL(), Version: version, ArtifactURL: r.String("artifact_url"), Now: r.Now(),
	}
}

// Run is one run of action-alert: inputs to the library, the result to the
// runner (outputs, summary, report files, findings).
func Run(ctx context.Context, r *runner.Run) (err error) {
	var res *alert.Result
	// Every declared output is written, whatever happens.
	defer func() { err = errors.Join(err, r.Finish(res)) }()
	cfg := config(r)
	if _, _, perr := alert.Prepare(&cfg); perr != nil {
		return perr
	}
	gh, err := ghclient.New(ghclient.RunConfig(r, version))
	if err != nil {
		return err
	}
	end := r.Group("alerts")
	identity := func(ctx context.Context) (alert.Identity, error) {
		id, err := ghclient.ResolveIdentity(ctx, gh.Client, "")
		return alert.Identity{Login: id.Login, Source: id.Source}, err
	}
	res, err = alert.Run(ctx, cfg, alert.Deps{GitHub: gh.Client, Logf: r.Infof, Stats: func() any { return gh.Stats() }, Identity: identity, Redactor: r.Redactor()})
	end()
	if errors.Is(err, alert.ErrIncomplete) {
		return &runner.ExitError{Code: runner.ExitFailure, Err: err}
	}
	return err
}
