package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Output file names under Config.OutputDir.
const (
	ReportFile  = "ecosystem_analysis.json"
	SummaryFile = "ecosystem_summary.md"
	PagesDir    = "pages_content"
)

// FailOnValues are the allowed fail_on values.
var FailOnValues = []string{"never", "warning", "critical"}

// Config is a monitor run, built by main from the inputs.
type Config struct {
	// Domains are the repositories to read, parsed at the edge (the
	// domains input).
	Domains []ghname.Repo
	// Org lists the organisation's repositories instead of Domains,
	// filtered by Org.Name (glob) and Org.Topic.
	Org OrgFilter

	Window time.Duration // default 7 days
	Recent time.Duration // the `hours` input; default 4h
	// Concurrency bounds the domains read at once (default 8).
	Concurrency int
	Health      HealthConfig
	// AnalyzeFailures classifies failed job logs (needs Deps.Classify).
	AnalyzeFailures bool

	OutputDir string
	// CacheDir is cache_dir: the classifications of failed jobs are kept
	// under it (ClassifiedCacheFile); "" keeps none.
	CacheDir    string
	HistoryFile string
	HistorySize int
	FailOn      string
	Shard       Shard
	// MergeReports, when set, switches to merge mode: the shard reports
	// (paths or globs) are combined instead of reading GitHub. With one
	// report it re-renders the pages, e.g. after the fixer ran.
	MergeReports []string
	// FixerReports are the fixer's failure_analysis.json files (paths or
	// globs) whose root causes and fixes the dashboard shows; a pattern that
	// matches nothing is noted on the page, not an error.
	FixerReports []string

	Now time.Time
	// Version is the action's version, recorded as the report's producer.
	Version string
	// RunURL is the workflow run the action runs in ("" on the command line).
	RunURL     string
	MaxJobRuns int
	MaxLogs    int
	// SignalHeads is the signal_heads input: default-branch heads whose
	// commit statuses and checks are read (0: DefaultSignalHeads; < 0:
	// none, those signals say so).
	SignalHeads int
}

// Deps are the monitor's side effects.
type Deps struct {
	API API
	// Stats returns the client's accounting (pkg/ghclient Stats), JSON-able.
	Stats func() any
	// Classify classifies failed job logs (the fixer's classifier);
	// ClassifierID names its rule catalog (FixerClassifierID): with
	// Config.CacheDir set, classifications made under the same id are reused
	// by job id and attempt, so a warm run downloads no log.
	Classify     Classifier
	ClassifierID string
	// Logf and Warnf print progress and warnings (escaped by the caller).
	Logf  func(format string, args ...any)
	Warnf func(format string, args ...any)
}

// Result is what main turns into outputs.
type Result struct {
	Report      Report
	ReportPath  string
	SummaryPath string
	PagesPath   string
	// Markdown is the job summary.
	Markdown string
	// Failed is true when the alert level reaches fail_on.
	Failed bool
}

// Validate checks the configuration before any request; every problem is
// reported (errors.Join).
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &config.SettingError{Source: "input", Name: field, Value: value, Reason: reason})
	}
	merge := len(c.MergeReports) > 0
	if !merge {
		switch {
		case len(c.Domains) == 0 && c.Org.Org == "":
			bad("domains", "", "set domains (owner/repo list) or org")
		case len(c.Domains) > 0 && c.Org.Org != "":
			bad("org", c.Org.Org, "set either domains or org, not both")
		}
	}
	if c.Org.Org != "" {
		if err := ghname.ValidateOwner(c.Org.Org); err != nil {
			bad("org", c.Org.Org, err.Error())
		}
	}
	if c.Org.Name != "" {
		if _, err := path.Match(c.Org.Name, ""); err != nil {
			bad("name_filter", c.Org.Name, "not a valid glob: "+err.Error())
		}
	}
	for _, p := range c.FixerReports {
		if _, err := filepath.Match(p, ""); err != nil {
			bad("fixer_report", p, "not a valid glob: "+err.Error())
		}
	}
	if c.Window < 0 {
		bad("window", c.Window.String(), "must be positive")
	}
	if c.Recent < 0 {
		bad("hours", c.Recent.String(), "must be positive")
	}
	if c.Concurrency < 0 || c.Concurrency > 64 {
		bad("concurrency", fmt.Sprint(c.Concurrency), "allowed: 1..64")
	}
	if c.FailOn != "" && !contains(FailOnValues, c.FailOn) {
		bad("fail_on", c.FailOn, "allowed: "+strings.Join(FailOnValues, ", "))
	}
	if c.Shard.Count > 0 && (c.Shard.Index < 1 || c.Shard.Index > c.Shard.Count) {
		bad("shard", c.Shard.String(), "allowed: i/n with 1 <= i <= n")
	}
	if merge && c.Shard.Count > 0 {
		bad("shard", c.Shard.String(), "merge_reports combines shards: leave shard empty")
	}
	if c.Health.Weights != nil {
		if err := c.Health.Validate("config"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c *Config) defaults() {
	if c.Window == 0 {
		c.Window = 7 * 24 * time.Hour
	}
	if c.Recent == 0 {
		c.Recent = 4 * time.Hour
	}
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	if c.Health.Weights == nil {
		c.Health = DefaultHealthConfig()
	}
	if c.FailOn == "" {
		c.FailOn = "never"
	}
	if c.OutputDir == "" {
		c.OutputDir = "reports"
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	c.Now = c.Now.UTC().Truncate(time.Second)
}

// Targets resolves the domains to read (before sharding): the Domains list,
// or the organisation's repositories matching the filter.
func (c *Config) Targets(ctx context.Context, api API) ([]Target, error) {
	if c.Org.Org != "" {
		t, _, err := ListOrgTargets(ctx, api, c.Org)
		return t, err
	}
	var out []Target
	seen := map[string]bool{}
	for _, r := range c.Domains {
		key := strings.ToLower(r.String())
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Target{Repo: r})
	}
	return out, nil
}

// Run reads every domain (or merges shard reports), scores it, writes
// ecosystem_analysis.json, ecosystem_summary.md and pages_content/, and
// appends to the history file (not in a shard job: the merge does it).
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	logf := deps.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	warnf := deps.Warnf
	if warnf == nil {
		warnf = logf
	}

	// An unusable history file stops the run before any request: writing
	// over it would lose every run it holds.
	history, err := LoadHistory(cfg.HistoryFile)
	if err != nil {
		return nil, err
	}

	var in reportInput
	if len(cfg.MergeReports) > 0 {
		paths, err := ExpandReportPaths(cfg.MergeReports)
		if err != nil {
			return nil, err
		}
		in, err = loadShardReports(paths)
		if err != nil {
			return nil, err
		}
		logf("merged %d shard reports (%d domains)", len(paths), len(in.Domains))
	} else {
		if deps.API == nil {
			return nil, errors.New("failed to run the monitor: no GitHub API client")
		}
		if cfg.AnalyzeFailures && deps.Classify == nil {
			warnf("analyze_failures is on but no log classifier is available; failures are reported without root causes")
		}
		targets, err := cfg.Targets(ctx, deps.API)
		if err != nil {
			return nil, err
		}
		var mine []Target
		for _, t := range targets {
			if cfg.Shard.Owns(t.FullName()) {
				mine = append(mine, t)
			}
		}
		ResolveMetadata(ctx, deps.API, mine)
		logf("reading %d domains (concurrency %d)", len(mine), cfg.Concurrency)
		col := Collector{API: deps.API, Now: cfg.Now, Window: cfg.Window, Concurrency: cfg.Concurrency,
			MaxJobRuns: cfg.MaxJobRuns, MaxLogs: cfg.MaxLogs, SignalHeads: cfg.SignalHeads, Logf: logf}
		if cfg.AnalyzeFailures {
			col.Classify = deps.Classify
			if cfg.CacheDir != "" && deps.Classify != nil && deps.ClassifierID != "" {
				cc, err := loadClassCache(cfg.CacheDir, deps.ClassifierID)
				if err != nil {
					warnf("%v", err)
				}
				col.classCache = cc
			}
		}
		coll := col.Collect(ctx, mine)
		if cc := col.classCache; cc != nil {
			if err := cc.save(); err != nil {
				warnf("%v", err)
			}
			logf("failure analysis: %d job logs classified from the cache (%s)", cc.hits, cfg.CacheDir)
		}
		in = reportInput{Now: cfg.Now, Domains: map[string]DomainReport{}, Partial: coll.Partial,
			Missing: coll.Missing, Reason: coll.MissingReason}
		set := Settings{Window: cfg.Window, Recent: cfg.Recent}
		for _, d := range coll.Domains {
			a := Assess(d, cfg.Health, set, cfg.Now)
			in.Domains[d.Name] = DomainReportFrom(a, d)
			in.Failures = append(in.Failures, a.Failures...)
		}
		in.Settings = Echo{WindowHours: cfg.Window.Hours(), RecentHours: cfg.Recent.Hours(),
			Bands: cfg.Health.Bands, Weights: cfg.Health.Weights, Shard: cfg.Shard.String()}
		if deps.Stats != nil {
			in.API = toMap(deps.Stats())
		}
		if cc := col.classCache; cc != nil {
			if in.API == nil {
				in.API = map[string]any{}
			}
			in.API["classified_from_cache"] = cc.hits
		}
		if coll.Partial {
			warnf("rate limit reached: the report is partial, %d domains missing (%s)", len(coll.Missing), coll.MissingReason)
		}
	}
	if in.API == nil {
		in.API = map[string]any{}
	}
	sharded := cfg.Shard.Count > 1
	if !sharded {
		in.History = history
	}
	in.Version, in.RunURL = cfg.Version, cfg.RunURL
	rep := buildReport(in)
	// The fixer's root causes, read now: the next step and the pages name
	// them when the fixer ran before this step.
	fixer, fixerMissing, err := LoadFixerReports(cfg.FixerReports)
	if err != nil {
		return nil, err
	}
	if len(fixerMissing) > 0 {
		logf("fixer_report %s: no such file yet; the dashboard shows the monitor's own root causes", strings.Join(fixerMissing, ", "))
	}
	rep.Summary.NextStep = NextStep(rep, GroupFailures(rep, fixer))

	res := &Result{Report: rep,
		ReportPath:  filepath.Join(cfg.OutputDir, ReportFile),
		SummaryPath: filepath.Join(cfg.OutputDir, SummaryFile),
		PagesPath:   filepath.Join(cfg.OutputDir, PagesDir),
		Failed:      FailOnExceeded(cfg.FailOn, rep.Summary.AlertLevel)}
	res.Markdown = RenderMarkdown(rep)

	if err := report.WriteJSON(res.ReportPath, rep); err != nil {
		return nil, fmt.Errorf("failed to write the report: %w", err)
	}
	if err := report.WriteFile(res.SummaryPath, []byte(res.Markdown)); err != nil {
		return nil, fmt.Errorf("failed to write the summary: %w", err)
	}
	if !sharded {
		history.Append(rep, cfg.HistorySize)
		if err := WritePages(res.PagesPath, Pages{Report: rep, Markdown: res.Markdown, History: history, Fixer: fixer, FixerMissing: fixerMissing}); err != nil {
			return nil, err
		}
		if cfg.HistoryFile != "" {
			if err := report.WriteJSON(cfg.HistoryFile, history); err != nil {
				return nil, fmt.Errorf("failed to write the history file: %w", err)
			}
		}
	}
	return res, nil
}

// toMap converts a JSON-able value (ghclient.Stats) into a generic object so
// shard reports can be summed and compared.
func toMap(v any) map[string]any {
	data, err := json.Marshal(v)
	if err != nil {
		return map[string]any{}
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return map[string]any{}
	}
	return m
}

// Outputs are the action's outputs: alert_level, unhealthy_domains (JSON
// list), report_path and health_json (score, band and confidence per
// domain). A nil result gives their empty values.
func (r *Result) Outputs() map[string]any {
	out := map[string]any{"alert_level": AlertNone, "unhealthy_domains": []string{}, "report_path": "", "health_json": map[string]any{}}
	if r == nil {
		return out
	}
	health := map[string]any{}
	for name, d := range r.Report.Domains {
		health[name] = map[string]any{"health_score": d.HealthScore, "band": d.Band, "confidence": d.Confidence}
	}
	out["alert_level"], out["report_path"], out["health_json"] = r.Report.Summary.AlertLevel, r.ReportPath, health
	out["unhealthy_domains"] = nonNil(r.Report.Summary.Unhealthy)
	return out
}

// Summary is the job summary.
func (r *Result) Summary() string {
	if r == nil {
		return ""
	}
	return r.Markdown
}

// ReportFiles are ecosystem_analysis.json and ecosystem_summary.md.
func (r *Result) ReportFiles() []string {
	if r == nil {
		return nil
	}
	return []string{r.ReportPath, r.SummaryPath}
}

// Findings are what deserves an annotation: one finding per unhealthy
// domain (critical or warning, with its reasons), and the data that could
// not be read.
func (r *Result) Findings() []contract.Finding {
	if r == nil {
		return nil
	}
	var out []contract.Finding
	for _, name := range r.Report.Summary.Unhealthy {
		d := r.Report.Domains[name]
		sev := contract.SeverityWarning
		if d.Band == BandCritical {
			sev = contract.SeverityCritical
		}
		out = append(out, contract.Finding{Domain: name, Category: contract.CategoryHealth, Severity: sev,
			Title: "unhealthy domain", Text: fmt.Sprintf("%s is %s (score %s): %s", name, d.Band, scoreText(d.HealthScore), strings.Join(d.IssuesDetected, "; ")),
			Fingerprint: contract.FactFingerprint(name, string(contract.CategoryHealth), d.Band)})
	}
	for _, name := range sortedNames(r.Report.Domains) {
		for _, f := range r.Report.Domains[name].Findings {
			if f.Category == contract.CategoryMissingData {
				out = append(out, f)
			}
		}
	}
	return out
}
