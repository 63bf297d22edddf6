package stale

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// Config is one run: the policy from the inputs, the repositories, the mode.
type Config struct {
	Policy Policy
	// Repositories are "owner/name".
	Repositories []string
	DryRun       bool
	// OutputDir receives stale_analysis.json and stale_analysis.md ("" =
	// write nothing).
	OutputDir string
	// Repository is the repository running the action (GITHUB_REPOSITORY),
	// recorded in the report.
	Repository string
	// Now is the run's clock; every decision uses this one instant.
	Now time.Time
	// Version is the action's version and RunURL the workflow run it runs
	// in, recorded as the report's producer.
	Version, RunURL string
}

// Deps are the run's side effects.
type Deps struct {
	GitHub *github.Client
	// Stats returns the client's API accounting (ghclient.Client.Stats),
	// recorded in the report; nil for none.
	Stats func() any
	// Logf prints a progress line; its arguments are untrusted and must be
	// escaped by the implementation (runner.Run.Infof does).
	Logf func(format string, args ...any)
}

// Result is what a run produced.
type Result struct {
	Plan     *Plan
	Analysis *Analysis
	// Files written (JSON, Markdown).
	Files []string
}

// ErrPartial marks a run that finished but could not process every
// repository; the report says which and why.
var ErrPartial = errors.New("some repositories were not processed")

// Validate checks the run's settings (inputs and repositories) before
// anything is read or written.
func (c Config) Validate() error {
	var errs []error
	if err := c.Policy.Validate(""); err != nil {
		errs = append(errs, err)
	}
	if len(c.Repositories) == 0 {
		errs = append(errs, &PolicyError{Setting: "repositories", Value: "", Reason: "no repository to process (set repositories, or run in a repository)"})
	}
	for _, r := range c.Repositories {
		if _, err := runner.ParseRepo(r, ""); err != nil {
			var re *runner.RepoError
			reason := err.Error()
			if errors.As(err, &re) {
				reason = re.Reason
			}
			errs = append(errs, &PolicyError{Setting: "repositories", Value: r, Reason: "must be owner/name: " + reason})
		}
	}
	return errors.Join(errs...)
}

// Run collects, plans, executes (unless DryRun) and reports. Bad inputs and
// bad .github/ecosystem.yml files fail before any write. Repositories that
// cannot be read are reported and make Run return ErrPartial after the
// others were processed and the report written.
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.GitHub == nil {
		return nil, errors.New("failed to start: no GitHub client")
	}
	logf := deps.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	col := &Collector{GitHub: deps.GitHub, Now: cfg.Now, Logf: logf}
	states, repoErrs, err := col.Collect(ctx, cfg.Policy, cfg.Repositories)
	if err != nil {
		return nil, err
	}
	var configErrs []error
	for _, e := range repoErrs {
		if e.Config {
			configErrs = append(configErrs, errors.New(e.Error))
		}
	}
	if len(configErrs) > 0 {
		return nil, fmt.Errorf("failed to read repository settings (nothing was written): %w", errors.Join(configErrs...))
	}
	plan, err := Decide(cfg.Now, states, cfg.Policy.OperationsPerRun, cfg.DryRun)
	if err != nil {
		return nil, err
	}
	if !cfg.DryRun {
		ex := &Executor{GitHub: deps.GitHub, Now: cfg.Now, Logf: logf}
		ex.Execute(ctx, plan)
	} else {
		for _, c := range plan.Calls() {
			logf("dry run: would %s (%s)", c.String(), c.Summary)
		}
	}
	var stats any
	if deps.Stats != nil {
		stats = deps.Stats()
	}
	a := Analyze(plan, states, repoErrs, cfg.Repository, stats)
	a.Envelope = contract.NewEnvelope(contract.KindStale, contract.Producer{Action: ProducerAction, Version: cfg.Version, RunURL: cfg.RunURL}, cfg.Now)
	res := &Result{Plan: plan, Analysis: a}
	if cfg.OutputDir != "" {
		jsonPath := filepath.Join(cfg.OutputDir, "stale_analysis.json")
		mdPath := filepath.Join(cfg.OutputDir, "stale_analysis.md")
		if err := report.WriteJSON(jsonPath, a); err != nil {
			return res, fmt.Errorf("failed to write the report: %w", err)
		}
		if err := report.WriteFile(mdPath, []byte(a.Markdown())); err != nil {
			return res, fmt.Errorf("failed to write the report: %w", err)
		}
		res.Files = []string{jsonPath, mdPath}
	}
	if len(repoErrs) > 0 {
		return res, fmt.Errorf("%w: %d of %d", ErrPartial, len(repoErrs), len(cfg.Repositories))
	}
	return res, nil
}
