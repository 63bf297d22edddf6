// Package entry is the entry code of action-fixer: it classifies failed CI job
// logs (root-cause line, category, severity, suggestions), proposes mechanical
// workflow fixes and writes failure_analysis.json and failure_analysis.md. It
// wires the action's inputs to actions/fixer; see README.md.
package entry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/actions/fixer"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"github.com/sparesparrow/ecosystem-actions/pkg/dispatch"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// version is set at build time with -ldflags
// "-X github.com/sparesparrow/ecosystem-actions/action-fixer/entry.version=...".
var version = "dev"

// Spec declares the inputs of action-fixer (action.yml declares the same).
func Spec() runner.Spec {
	return runner.Spec{
		Name: "action-fixer", Version: version, Result: (*fixer.Result)(nil),
		Description: "Classify failed CI job logs: root-cause line, category, severity, suggestions and mechanical workflow fixes.",
		Inputs: []runner.Input{
			runner.TokenInput(),
			{Name: "log_files", Kind: runner.List, Env: "LOG_FILES", Usage: "log files or globs (several after --log-files, repeated, or comma/newline separated)", Validate: runner.ValidateExistingGlobs},
			{Name: "log_dir", Kind: runner.String, Env: "LOG_DIR", Usage: "directory of job logs classified too (added to log_files): *.log, *.txt, gzip'd, zip archives, GitHub's run log archive unpacked", Validate: runner.ValidateInputDir},
			{Name: "run_id", Kind: runner.Int, Default: "0", Usage: "classify every failed job of this workflow run (0 = none)", Validate: runner.AtLeast(0)},
			{Name: "job_ids", Kind: runner.List, Usage: "classify these job ids (numbers)"},
			{Name: "repository", Kind: runner.String, Usage: "owner/repo of run_id and job_ids (default: the current repository)", Validate: runner.ValidateRepository},
			{Name: "report", Kind: runner.String, Usage: "monitor report (ecosystem_analysis.json): classify every failed job it lists", Validate: runner.ValidateInputFile},
			{Name: "custom_rules", Kind: runner.String, Env: "FIXER_CUSTOM_RULES", Usage: "YAML file of extra rules in the catalog format (same id replaces a built-in rule)", Validate: runner.ValidateInputFile},
			{Name: "workflow_file", Kind: runner.String, Usage: "workflow to patch with the mechanical fixes (diff and patched copy in output_dir); not a local file: read through the API", Validate: runner.ValidateWorkflowPath},
			{Name: "timeout_minutes", Kind: runner.Int, Default: "60", Usage: "timeout-minutes the add_timeout fix sets (1..360)"},
			runner.OutputDirInput(),
			{Name: "output", Kind: runner.String, Usage: "path of failure_analysis.json (default: output_dir/failure_analysis.json)", Validate: runner.ValidateOutputFile},
			{Name: "create_pull_request", Kind: runner.Bool, Default: "false", Usage: "open a pull request with the workflow patch (branch ecosystem-actions/fix-<fingerprint>; idempotent)"},
			{Name: "cooperation", Kind: runner.Bool, Default: "false", Usage: "send a fixer-analysis repository_dispatch to each of target_repos"},
			{Name: "target_repos", Kind: runner.Repos, Usage: "repositories that receive the fixer-analysis dispatch (with cooperation: true)"},
			{Name: "max_annotations", Kind: runner.Int, Default: "10", Usage: "error annotations for root causes (GitHub shows 10 per step; the rest go to the summary)"},
			runner.LogLevelInput(), runner.RateLimitPolicyInput(), runner.MaxWaitInput(),
		},
	}
}

func configFrom(r *runner.Run) (fixer.Config, error) {
	var errs []error
	bad := func(input, value, reason string) {
		errs = append(errs, &runner.InputError{Input: input, Value: value, Source: r.Source(input), Reason: reason})
	}
	cfg := fixer.Config{
		LogFiles: r.List("log_files"), Repository: r.String("repository"), RunID: int64(r.Int("run_id")),
		ReportPath: r.String("report"), CustomRules: r.String("custom_rules"), OutputDir: r.String("output_dir"),
		Output: r.String("output"), WorkflowFile: r.String("workflow_file"), TimeoutMinutes: r.Int("timeout_minutes"),
		CreatePullRequest: r.Bool("create_pull_request"), Version: version, Now: r.Now(), RunURL: r.RunURL(),
	}
	if cfg.Repository == "" {
		cfg.Repository = r.Repository().String()
	}
	if dir := r.String("log_dir"); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			bad("log_dir", dir, "allowed: an existing directory of job logs (*.log)")
		} else {
			cfg.LogFiles = append(cfg.LogFiles, dir)
		}
	}
	if cfg.RunID < 0 {
		bad("run_id", fmt.Sprint(cfg.RunID), "must be a run id (> 0) or 0")
	}
	for _, s := range r.List("job_ids") {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			bad("job_ids", s, "allowed: positive job ids, e.g. 29679449")
			continue
		}
		cfg.JobIDs = append(cfg.JobIDs, id)
	}
	if (cfg.RunID != 0 || len(cfg.JobIDs) > 0) && !strings.Contains(cfg.Repository, "/") {
		bad("repository", cfg.Repository, "allowed: owner/repo (needed by run_id and job_ids)")
	}
	if m := cfg.TimeoutMinutes; m < 1 || m > 360 {
		bad("timeout_minutes", fmt.Sprint(m), "allowed: 1..360")
	}
	if r.Int("max_annotations") < 0 {
		bad("max_annotations", fmt.Sprint(r.Int("max_annotations")), "must be >= 0")
	}
	if p := cfg.ReportPath; p != "" {
		// Read before any request: a report that is not the monitor's is
		// a bad input, not a failure after the API calls.
		if data, err := os.ReadFile(p); err == nil {
			if _, err := fixer.ReportJobs(data); err != nil {
				errs = append(errs, &runner.InputError{Input: "report", Value: p, Source: r.Source("report"), Reason: "is not a monitor report: " + err.Error(),
					Allowed: "an ecosystem_analysis.json written by action-monitor"})
			}
		}
	}
	if p := cfg.CustomRules; p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			bad("custom_rules", p, "cannot be read: "+err.Error())
		} else if _, err := classify.ParseRules(data, p); err != nil {
			bad("custom_rules", p, err.Error())
		}
	}
	if r.Bool("cooperation") && len(r.Repos("target_repos")) == 0 {
		bad("target_repos", "", "at least one owner/repo is needed with cooperation: true")
	}
	if cfg.CreatePullRequest && cfg.WorkflowFile == "" {
		bad("workflow_file", "", "a workflow file to patch is needed with create_pull_request: true")
	}
	if len(cfg.LogFiles) == 0 && cfg.RunID == 0 && len(cfg.JobIDs) == 0 && cfg.ReportPath == "" {
		bad("log_files", "", "give log_files, log_dir, run_id, job_ids or report")
	}
	return cfg, errors.Join(errs...)
}

// Run is one run of action-fixer: inputs to the library, the result to the
// runner (outputs, summary, report files, findings).
func Run(ctx context.Context, r *runner.Run) (err error) {
	var res *fixer.Result
	// Every declared output is written, whatever happens; at most
	// max_annotations root causes become annotations.
	defer func() { err = errors.Join(err, r.Finish(res, runner.MaxFindingAnnotations(r.Int("max_annotations")))) }()
	cfg, err := configFrom(r)
	if err != nil {
		return err
	}
	var gh *ghclient.Client
	if cfg.RunID != 0 || len(cfg.JobIDs) > 0 || cfg.ReportPath != "" || r.Bool("cooperation") || cfg.CreatePullRequest || needsFetch(cfg.WorkflowFile) {
		gh, err = ghclient.New(ghclient.RunConfig(r, version))
		if err != nil {
			return err
		}
	}
	deps := fixer.Deps{Logf: r.Infof, Redactor: r.Redactor()}
	if gh != nil {
		deps.API = fixer.GitHubAPI{Client: gh.Client}
	}
	end := r.Group("failure analysis")
	res, err = fixer.Run(ctx, cfg, deps)
	end()
	if res == nil {
		return err
	}
	// With a result, err is what was asked and not done (an unreadable
	// workflow_file, a failed write): the analysis is reported first.
	var incomplete *fixer.IncompleteError
	if err != nil && !errors.As(err, &incomplete) {
		return err
	}
	s := res.Report.Summary
	r.Infof("%d logs: %d with a root cause (%d unexplained), top category %s, max severity %s", s.Logs, s.Failed, s.Unexplained, s.TopCategory, s.MaxSeverity)
	// A log that could not be read is no evidence of health: say so where
	// the run is looked at, not only in the report.
	for _, e := range res.Report.Errors {
		if !strings.HasPrefix(e, "workflow_file ") {
			r.Errorf(runner.Annotation{Title: "Log not classified"}, "%s", e)
		}
	}
	if res.Report.Patch != nil {
		for _, a := range res.Report.Patch.Applied {
			r.Noticef(runner.Annotation{Title: "Workflow fix", File: res.Report.Patch.Workflow}, "%s", a)
		}
	}
	if pr := res.PullRequest; pr != nil {
		state := "opened"
		if !pr.Created {
			state = "already open, left unchanged"
		}
		r.Noticef(runner.Annotation{Title: "Workflow fix pull request"}, "%s#%d (%s): %s", pr.Repository, pr.Number, state, pr.URL)
	}
	var coopErr error
	if r.Bool("cooperation") {
		coopErr = cooperate(ctx, r, gh, res)
	}
	if incomplete != nil {
		for _, nd := range incomplete.NotDone {
			r.Errorf(runner.Annotation{Title: "Not done"}, "%s", nd)
		}
		// Annotated above: the step fails without repeating them.
		return &runner.ExitError{Code: runner.ExitFailure, Err: coopErr}
	}
	return coopErr
}

// needsFetch reports whether workflow_file has to be read through the API.
func needsFetch(path string) bool {
	if path == "" {
		return false
	}
	_, err := os.Stat(path)
	return errors.Is(err, os.ErrNotExist)
}

// cooperate sends a compact fixer-analysis repository_dispatch to each
// target repository through pkg/dispatch (the alert action's code path).
func cooperate(ctx context.Context, r *runner.Run, gh *ghclient.Client, res *fixer.Result) error {
	targets := r.Repos("target_repos")
	s := res.Report.Summary
	var top []map[string]any
	for i, f := range res.Report.Failures {
		if i == 5 {
			break
		}
		top = append(top, map[string]any{"rule_id": f.RuleID, "category": f.Category, "severity": f.Severity,
			"line": f.Line, "text": report.NeutralizeMentions(f.Text, nil), "fingerprint": f.Fingerprint})
	}
	payload := map[string]any{
		"source_repository": r.Repository().String(), "run_id": r.RunID(), "logs": s.Logs, "failed": s.Failed,
		"top_category": s.TopCategory, "max_severity": s.MaxSeverity, "failures": top,
	}
	results, err := (&dispatch.Sender{Client: gh.Client}).RepositoryDispatch(ctx, targets, "fixer-analysis", dispatch.Fit(payload, "top_category", "max_severity"))
	if err != nil {
		return err
	}
	for _, d := range results {
		r.Infof("fixer-analysis to %s: %s %s", d.Target, d.Status, d.Error)
	}
	if failed := dispatch.Failed(results); len(failed) > 0 {
		return fmt.Errorf("failed to send fixer-analysis to %d of %d repositories", len(failed), len(results))
	}
	return nil
}
