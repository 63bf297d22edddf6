// Package entry is the entry code of action-stale: it warns about and (only
// when asked) closes stale pull requests and issues and deletes stale
// branches, across repositories. It wires the action's inputs to
// actions/stale; see README.md.
package entry

import (
	"context"
	"errors"

	"github.com/sparesparrow/ecosystem-actions/actions/stale"
	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// version is set at build time with -ldflags
// "-X github.com/sparesparrow/ecosystem-actions/action-stale/entry.version=...".
var version = "dev"

// Spec declares the inputs of action-stale (action.yml declares the same).
func Spec() runner.Spec {
	d := stale.DefaultPolicy()
	list := func(l []string) string {
		out := ""
		for i, s := range l {
			if i > 0 {
				out += ","
			}
			out += s
		}
		return out
	}
	return runner.Spec{
		Name: "action-stale", Version: version, Result: (*stale.Result)(nil),
		Description: "Warn about stale pull requests, issues and branches; close/delete them only after a grace period counted from the warning.",
		Inputs: []runner.Input{
			runner.TokenInput(), runner.OwnerInput(),
			{Name: "repositories", Kind: runner.Repos, Env: "DOMAINS", Usage: "repositories to process (owner/name, or a bare name with the owner input); default: the current repository"},
			{Name: "days_until_stale", Kind: runner.Days, Default: "30", Env: "DAYS_UNTIL_STALE", Usage: "days without activity before the warning (fractions allowed, 0 = at once)"},
			{Name: "days_until_close", Kind: runner.Days, Default: "7", Env: "DAYS_UNTIL_CLOSE", Usage: "days after the warning before closing/deleting"},
			{Name: "stale_label", Kind: runner.String, Default: d.StaleLabel, Usage: "label that marks a warned pull request or issue", Validate: runner.ValidateLabelName},
			{Name: "stale_pr_message", Kind: runner.String, Default: d.StalePRMessage, Usage: "warning comment template for pull requests", Validate: runner.MaxChars(ghname.MaxBodyLength, "a comment body")},
			{Name: "stale_issue_message", Kind: runner.String, Default: d.StaleIssueMessage, Usage: "warning comment template for issues", Validate: runner.MaxChars(ghname.MaxBodyLength, "a comment body")},
			{Name: "close_message", Kind: runner.String, Default: d.CloseMessage, AllowEmpty: true, Usage: "comment template posted when closing; empty closes without a comment", Validate: runner.MaxChars(ghname.MaxBodyLength, "a comment body")},
			{Name: "stale_branch_message", Kind: runner.String, Default: d.StaleBranchMessage, AllowEmpty: true, Usage: "note template per branch in the tracking issue; empty for none", Validate: runner.MaxChars(ghname.MaxBodyLength, "an issue body")},
			{Name: "exempt_labels", Kind: runner.List, Usage: "items with any of these labels are never touched", Validate: runner.ValidateLabelName},
			{Name: "exempt_milestones", Kind: runner.List, Usage: "items in these milestones (* = any) are never touched"},
			{Name: "exempt_assignees", Kind: runner.List, Usage: "items assigned to these logins (* = anyone) are never touched", Validate: runner.ValidateLoginOrAny},
			{Name: "exempt_authors", Kind: runner.List, Usage: "items (branches: last commits) by these logins are never touched", Validate: runner.ValidateLoginOrAny},
			{Name: "exempt_branch_patterns", Kind: runner.List, Default: list(stale.DefaultExemptBranchPatterns), AllowEmpty: true, Usage: "branch globs never touched (* does not match /); empty for none", Validate: runner.ValidateGlob},
			{Name: "exempt_draft_pr", Kind: runner.Bool, Default: "true", Usage: "never touch draft pull requests"},
			{Name: "any_of_labels", Kind: runner.List, Usage: "only items with at least one of these labels", Validate: runner.ValidateLabelName},
			{Name: "only_labels", Kind: runner.List, Usage: "only items with all of these labels", Validate: runner.ValidateLabelName},
			{Name: "include_prs", Kind: runner.Bool, Default: "true", Usage: "process open pull requests"},
			{Name: "include_issues", Kind: runner.Bool, Default: "false", Usage: "process open issues too"},
			{Name: "include_branches", Kind: runner.Bool, Default: "true", Usage: "process branches (warned in one tracking issue per repository)"},
			{Name: "close_prs", Kind: runner.Bool, Default: "false", Usage: "close warned pull requests after days_until_close"},
			{Name: "close_issues", Kind: runner.Bool, Default: "false", Usage: "close warned issues after days_until_close"},
			{Name: "delete_branches", Kind: runner.Bool, Default: "false", Usage: "delete warned branches after days_until_close (needs contents: write)"},
			{Name: "content_per_hour", Kind: runner.Int, Default: "500", Usage: "content-creating requests GitHub allows per hour (its secondary limit); every write counts; 0 = no limit (an Enterprise Server without secondary limits)"},
			{Name: "operations_per_run", Kind: runner.Int, Default: "30", Usage: "maximum write requests per run (reads are bounded by the rate limit found at the start)"},
			{Name: "bot_login", Kind: runner.String, Usage: "login to use only when the token's own login cannot be read (it is read from the token; a different value is reported)", Validate: runner.ValidateLogin},
			{Name: "alert_label", Kind: runner.String, Default: d.AlertLabel, AllowEmpty: true, Usage: "items with the alert action's label are never touched; '' to process them", Validate: runner.ValidateLabelName},
			{Name: "ignore_actors", Kind: runner.List, Default: list(stale.DefaultIgnoreActors), AllowEmpty: true, Usage: "logins whose comments, reviews and label changes are not activity", Validate: runner.ValidateLogin},
			runner.DryRunInput(), runner.OutputDirInput(), runner.LogLevelInput(), runner.CacheDirInput(),
			runner.RateLimitPolicyInput(), runner.MaxWaitInput(),
		},
	}
}

func policy(r *runner.Run) stale.Policy {
	p := stale.DefaultPolicy()
	p.DaysUntilStale, p.DaysUntilClose = r.Days("days_until_stale"), r.Days("days_until_close")
	p.StaleLabel = r.String("stale_label")
	p.StalePRMessage, p.StaleIssueMessage = r.String("stale_pr_message"), r.String("stale_issue_message")
	p.CloseMessage, p.StaleBranchMessage = r.String("close_message"), r.String("stale_branch_message")
	p.ExemptLabels, p.ExemptMilestones = r.List("exempt_labels"), r.List("exempt_milestones")
	p.ExemptAssignees, p.ExemptAuthors = r.List("exempt_assignees"), r.List("exempt_authors")
	p.ExemptBranchPatterns, p.ExemptDraftPR = r.List("exempt_branch_patterns"), r.Bool("exempt_draft_pr")
	p.AnyOfLabels, p.OnlyLabels = r.List("any_of_labels"), r.List("only_labels")
	p.IncludePRs, p.IncludeIssues, p.IncludeBranches = r.Bool("include_prs"), r.Bool("include_issues"), r.Bool("include_branches")
	p.ClosePRs, p.CloseIssues, p.DeleteBranches = r.Bool("close_prs"), r.Bool("close_issues"), r.Bool("delete_branches")
	p.OperationsPerRun = r.Int("operations_per_run")
	p.BotLogin, p.IgnoreActors = r.String("bot_login"), r.List("ignore_actors")
	p.AlertLabel = r.String("alert_label")
	return p
}

// selfRepo parses GITHUB_REPOSITORY, the repository processed when the
// repositories input is empty; a malformed value is a bad repositories
// setting, refused before any request.
func selfRepo(s string) (ghname.Repo, error) {
	rp, err := ghname.ParseRepo(s, "")
	if err != nil {
		reason := err.Error()
		var re *ghname.RepoError
		if errors.As(err, &re) {
			reason = re.Reason
		}
		return ghname.Repo{}, &config.SettingError{Source: config.InputSource, Name: "repositories", Value: s, Reason: "must be owner/name: " + reason}
	}
	return rp, nil
}

// Run is one run of action-stale: inputs to the library, the result to the
// runner (outputs, summary, report files, findings).
func Run(ctx context.Context, r *runner.Run) (err error) {
	var res *stale.Result
	// Every declared output is written, whatever happens.
	defer func() { err = errors.Join(err, r.Finish(res)) }()
	// The repositories input is parsed by the runner (ghname.ParseRepo);
	// GITHUB_REPOSITORY, the fallback, is parsed here: the library takes
	// the values as they are.
	repos := r.Repos("repositories")
	if len(repos) == 0 && r.Repository().Name != "" {
		self, err := selfRepo(r.Repository().String())
		if err != nil {
			return err
		}
		repos = []ghname.Repo{self}
	}
	cfg := stale.Config{Policy: policy(r), Repositories: repos, DryRun: r.Bool("dry_run"),
		OutputDir: r.String("output_dir"), Repository: r.Repository().String(), Now: r.Now(), Version: version, RunURL: r.RunURL(),
		Host: stale.ServerHost(r.ServerURL()), CursorFile: stale.CursorFile(r.String("cache_dir")),
		ContentPerHour: r.Int("content_per_hour"), NoContentLimit: r.Int("content_per_hour") == 0}
	if err := cfg.Validate(); err != nil {
		return err
	}
	gh, err := ghclient.New(ghclient.RunConfig(r, version))
	if err != nil {
		return err
	}
	end := r.Group("stale: " + cfg.Policy.StaleLabel)
	res, err = stale.Run(ctx, cfg, stale.Deps{GitHub: gh.Client, Stats: func() any { return gh.Stats() }, Logf: r.Infof})
	end()
	if res != nil {
		for _, w := range res.Warnings {
			r.Warningf(runner.Annotation{Title: "Stale"}, "%s", w)
		}
	}
	if res != nil && res.Analysis != nil {
		for _, d := range res.Analysis.Deletions {
			if d.Done {
				r.Noticef(runner.Annotation{Title: "Branch deleted"}, "%s: deleted %s at %s; restore with: %s", d.Repository, d.Branch, d.SHA, d.Restore)
			}
		}
		if !res.Analysis.DryRun {
			for _, it := range res.Plan.Items {
				if it.Decision == stale.DecisionClose && it.Error == "" && len(it.Executed) == len(it.Calls) {
					r.Noticef(runner.Annotation{Title: "Closed as stale"}, "%s: closed %s #%d; reopen with: %s", it.Repository, it.Kind.Noun(), it.Number, it.Restore)
				}
			}
		}
		for _, nd := range res.Analysis.NotDone() {
			r.Errorf(runner.Annotation{Title: "Not done"}, "%s", nd)
		}
	}
	if errors.Is(err, stale.ErrPartial) || errors.Is(err, stale.ErrWritesFailed) {
		return &runner.ExitError{Code: runner.ExitFailure, Err: err}
	}
	return err
}
