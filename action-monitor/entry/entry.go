// Package entry is the entry code of action-monitor: it scores the health of
// every domain (repository) of an ecosystem and writes
// ecosystem_analysis.json, ecosystem_summary.md and a static dashboard. It
// wires the action's inputs to actions/monitor; see README.md.
package entry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/monitor"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// version is set at build time with -ldflags
// "-X github.com/sparesparrow/ecosystem-actions/action-monitor/entry.version=...".
var version = "dev"

// Spec declares the inputs of action-monitor (action.yml declares the same).
func Spec() runner.Spec {
	return runner.Spec{
		Name: "action-monitor", Version: version, Result: (*monitor.Result)(nil),
		Description: "Score the health of every domain of an ecosystem and write ecosystem_analysis.json, ecosystem_summary.md and a dashboard.",
		Inputs: []runner.Input{
			runner.TokenInput(), runner.OwnerInput(),
			{Name: "domains", Kind: runner.Repos, Env: "DOMAINS", Usage: "domains to monitor (owner/repo, or a bare name with the owner input); or use org"},
			{Name: "org", Kind: runner.String, Env: "ORG", Usage: "monitor this owner's repositories instead of domains: an organisation (GET /orgs/{org}/repos) or a user (GET /users/{user}/repos); with an App installation token also GET /installation/repositories", Validate: runner.ValidateOwner},
			{Name: "name_filter", Kind: runner.String, Usage: "with org: only repository names matching this glob, e.g. openssl-*", Validate: runner.ValidateGlob},
			{Name: "topic", Kind: runner.String, Usage: "with org: only repositories with this topic", Validate: runner.ValidateTopic},
			{Name: "window", Kind: runner.Duration, Default: "7d", Env: "WINDOW", Usage: "how far back workflow runs and events are read (events: GitHub keeps 30 days)"},
			{Name: "hours", Kind: runner.Int, Default: "4", Env: "HOURS", Usage: "recent activity = events in the last this many hours (> 0)"},
			{Name: "concurrency", Kind: runner.Int, Default: "8", Usage: "domains read at once (1..64)"},
			{Name: "config", Kind: runner.String, Env: "MONITOR_CONFIG", Usage: "YAML file with weights, bands and limits (see README); empty = defaults", Validate: runner.ValidateInputFile},
			{Name: "analyze_failures", Kind: runner.Bool, Default: "false", Usage: "download failed job logs and classify them with the fixer's rules"},
			{Name: "history_file", Kind: runner.String, Env: "HISTORY_FILE", Usage: "JSON history carried between runs (read for the delta, then appended); empty = none", Validate: runner.ValidateOutputFile},
			{Name: "history_size", Kind: runner.Int, Default: fmt.Sprint(monitor.DefaultHistorySize), Usage: "runs kept in the history file"},
			{Name: "fail_on", Kind: runner.Enum, Default: "never", Allowed: monitor.FailOnValues, Usage: "exit non-zero when the alert level reaches this: never, warning, critical"},
			{Name: "shard", Kind: runner.String, Usage: "i/n: read only this shard of the domains (matrix jobs); empty = all"},
			{Name: "merge_reports", Kind: runner.List, Usage: "merge mode: shard ecosystem_analysis.json paths or globs to combine (no API calls); one report re-renders the pages", Validate: runner.ValidateExistingGlobs},
			{Name: "fixer_report", Kind: runner.List, Usage: "action-fixer's failure_analysis.json paths or globs: the dashboard shows its root causes and fixes (a path not there yet is noted, not an error)", Validate: runner.ValidatePathGlobs},
			{Name: "signal_heads", Kind: runner.Int, Default: fmt.Sprint(monitor.DefaultSignalHeads), Usage: "recent default-branch heads whose commit statuses and checks are read (3 requests each), 0..20; 0 reads none"},
			{Name: "job_budget", Kind: runner.Int, Default: fmt.Sprint(monitor.DefaultMaxJobRuns), Usage: "job listings read per domain (re-runs and the newest failure of each workflow first), 1..1000"},
			runner.OutputDirInput(), runner.LogLevelInput(), runner.CacheDirInput(),
			runner.RateLimitPolicyInput(), runner.MaxWaitInput(),
		},
	}
}

// configFrom builds the library configuration from the inputs; every bad
// value is returned as an input error before any request.
func configFrom(r *runner.Run) (monitor.Config, error) {
	var errs []error
	bad := func(input, value, reason string) {
		errs = append(errs, &runner.InputError{Input: input, Value: value, Reason: reason})
	}
	cfg := monitor.Config{
		Org:    monitor.OrgFilter{Org: r.String("org"), Name: r.String("name_filter"), Topic: r.String("topic")},
		Window: r.Duration("window"), Recent: time.Duration(r.Int("hours")) * time.Hour, Concurrency: r.Int("concurrency"),
		AnalyzeFailures: r.Bool("analyze_failures"), OutputDir: r.String("output_dir"), CacheDir: r.String("cache_dir"),
		HistoryFile: r.String("history_file"), HistorySize: r.Int("history_size"), FailOn: r.String("fail_on"),
		MergeReports: r.List("merge_reports"), FixerReports: r.List("fixer_report"), MaxJobRuns: r.Int("job_budget"),
		Now: r.Now(), Version: version, RunURL: r.RunURL(),
	}
	cfg.Domains = r.Repos("domains")
	if cfg.Window <= 0 {
		bad("window", r.String("window"), "must be > 0, e.g. 7d")
	}
	if r.Int("hours") <= 0 {
		bad("hours", fmt.Sprint(r.Int("hours")), "must be > 0")
	}
	if c := cfg.Concurrency; c < 1 || c > 64 {
		bad("concurrency", fmt.Sprint(c), "allowed: 1..64")
	}
	switch h := r.Int("signal_heads"); {
	case h < 0 || h > 20:
		bad("signal_heads", fmt.Sprint(h), "allowed: 0..20")
	case h == 0:
		cfg.SignalHeads = -1
	default:
		cfg.SignalHeads = h
	}
	if b := cfg.MaxJobRuns; b < 1 || b > 1000 {
		bad("job_budget", fmt.Sprint(b), "allowed: 1..1000")
	}
	if cfg.HistorySize < 1 {
		bad("history_size", fmt.Sprint(cfg.HistorySize), "must be >= 1")
	}
	shard, err := monitor.ParseShard(r.String("shard"))
	if err != nil {
		bad("shard", r.String("shard"), "allowed: i/n with 1 <= i <= n, e.g. 2/4")
	}
	cfg.Shard = shard
	cfg.Health = monitor.DefaultHealthConfig()
	if p := r.String("config"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			bad("config", p, "cannot be read: "+err.Error())
		} else if cfg.Health, err = monitor.ParseHealthConfig(data, p); err != nil {
			bad("config", p, err.Error())
		}
	}
	if len(errs) == 0 {
		errs = append(errs, cfg.Validate())
	}
	return cfg, errors.Join(errs...)
}

// Run is one run of action-monitor: inputs to the library, the result to the
// runner (outputs, summary, report files, findings).
func Run(ctx context.Context, r *runner.Run) (err error) {
	var res *monitor.Result
	// Every declared output is written, whatever happens.
	defer func() { err = errors.Join(err, r.Finish(res)) }()

	cfg, err := configFrom(r)
	if err != nil {
		return err
	}
	deps := monitor.Deps{
		Logf: r.Infof,
		Warnf: func(format string, args ...any) {
			r.Warningf(runner.Annotation{Title: "Ecosystem monitor"}, format, args...)
		},
	}
	if len(cfg.MergeReports) == 0 {
		gcfg := ghclient.RunConfig(r, version)
		// Server-to-server tokens (App installation tokens and GITHUB_TOKEN)
		// start with ghs_: with org, /installation/repositories adds the
		// private repositories they reach.
		cfg.Org.Installation = strings.HasPrefix(gcfg.Token, "ghs_")
		gh, err := ghclient.New(gcfg)
		if err != nil {
			return err
		}
		deps.API = monitor.GitHubAPI{Client: gh.Client}
		deps.Stats = func() any { return gh.Stats() }
		if cfg.AnalyzeFailures {
			deps.Classify = monitor.FixerClassifier(classify.WithRedactor(r.Redactor()))
			deps.ClassifierID = monitor.FixerClassifierID()
		}
	}
	end := r.Group("ecosystem monitor")
	res, err = monitor.Run(ctx, cfg, deps)
	end()
	if err != nil {
		return err
	}
	s := res.Report.Summary
	r.Infof("%d domains: %d healthy, %d warning, %d critical, %d archived, %d unknown; alert level %s",
		s.TotalDomains, s.HealthyDomains, s.WarningDomains, s.CriticalDomains, s.ArchivedDomains, s.UnknownDomains, s.AlertLevel)
	if res.Failed {
		return &runner.ExitError{Code: runner.ExitFailure, Err: fmt.Errorf("alert level %s reaches fail_on %s", s.AlertLevel, cfg.FailOn)}
	}
	return nil
}
