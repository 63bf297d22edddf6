package fixer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
	"gopkg.in/yaml.v3"
)

// ProducerAction is the action named as the producer of the report.
const ProducerAction = "action-fixer"

// Config is what the fixer action asks for. Logs come from files, from the
// jobs of a run or a list of jobs (through the API), and from the failed jobs
// a monitor report lists.
type Config struct {
	LogFiles    []string // paths or globs
	Repository  string   // owner/repo for RunID and JobIDs
	RunID       int64    // every failed job of this run
	JobIDs      []int64  // these jobs
	ReportPath  string   // monitor report (ecosystem_analysis.json): its failures
	CustomRules string   // YAML rule file in the catalog format
	OutputDir   string   // failure_analysis.json and failure_analysis.md go here
	Output      string   // overrides the JSON path
	// WorkflowFile, when set, is patched with the mechanical fixes of the
	// findings (diff and patched copy written to OutputDir).
	WorkflowFile   string
	TimeoutMinutes int
	// CreatePullRequest opens a pull request with the workflow patch in
	// the repository the workflow was read from (Repository for a local
	// file); Deps.API must implement PullRequestAPI.
	CreatePullRequest bool
	// Version is the action's version, recorded as the report's producer;
	// Now is the report's generated_at (default: the current time).
	Version string
	Now     time.Time
	// RunURL is the workflow run the action runs in ("" on the command line).
	RunURL string
}

// JobRef names one job whose log is fetched through the API.
type JobRef struct {
	Repository string `json:"repository"`
	RunID      int64  `json:"run_id,omitempty"`
	JobID      int64  `json:"job_id"`
	Name       string `json:"name,omitempty"`
	// Workflow is the workflow's name and URL the job's page, when known.
	Workflow string `json:"workflow,omitempty"`
	URL      string `json:"url,omitempty"`
	// Conclusion is the job's (failure, timed_out, cancelled) and Step the
	// step that failed or, in a job that timed out or was cancelled (no
	// step fails then), the step that was running; "" when unknown.
	Conclusion string `json:"conclusion,omitempty"`
	Step       string `json:"step,omitempty"`
}

// API is the part of the GitHub API the fixer uses (see GitHubAPI).
type API interface {
	// FailedJobs lists the failed jobs of a run (latest attempt).
	FailedJobs(ctx context.Context, repository string, runID int64) ([]JobRef, error)
	// JobLog streams a job's log (GitHub answers with a 302 to the blob).
	JobLog(ctx context.Context, repository string, jobID int64) (io.ReadCloser, error)
}

// Deps are the side effects of Run.
type Deps struct {
	API  API                              // required only for run_id, job_ids and report
	Logf func(format string, args ...any) // progress (arguments are untrusted: escape them)
	// Redactor redacts every finding before it is reported (default:
	// pkg/redact's rules alone); pass the run's (runner.Run.Redactor) so
	// values the run masked are found too (classify.WithRedactor).
	Redactor *redact.Redactor
}

// Report is failure_analysis.json (pkg/contract FailureAnalysis).
type Report = contract.FailureAnalysis

// Summary counts the analysis.
type Summary = contract.FailureSummary

// Patch is the mechanical fix of the workflow file.
type Patch = contract.WorkflowPatch

// Result is the outcome of Run.
type Result struct {
	Report       Report
	JSONPath     string
	MarkdownPath string
	Markdown     string
	Diff         string
	// PullRequest is the pull request opened (or found open) with the
	// patch when Config.CreatePullRequest is set.
	PullRequest *PullRequest

	patch         *PatchResult
	patchRequests []PatchRequest
}

// Run classifies every log the configuration names and writes the reports.
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	logf := deps.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	catalog, err := classify.DefaultCatalog()
	if err != nil {
		return nil, err
	}
	if cfg.CustomRules != "" {
		data, err := os.ReadFile(cfg.CustomRules)
		if err != nil {
			return nil, fmt.Errorf("failed to read custom_rules: %w", err)
		}
		extra, err := classify.ParseRules(data, cfg.CustomRules)
		if err != nil {
			return nil, err
		}
		if catalog, err = catalog.WithRules(extra...); err != nil {
			return nil, err
		}
	}
	files, err := expandFiles(cfg.LogFiles)
	if err != nil {
		return nil, err
	}
	jobs, err := jobsToFetch(ctx, cfg, deps.API)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 && len(jobs) == 0 {
		// A run or report without failed jobs is good news, not an error.
		logf("no failed job to analyse")
	}
	a := classify.NewAnalyzer(catalog, classify.WithRedactor(deps.Redactor))
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	rep := Report{Envelope: contract.NewEnvelope(contract.KindFailure, contract.Producer{Action: ProducerAction, Version: cfg.Version, RunURL: cfg.RunURL}, cfg.Now),
		Failures: []classify.Finding{}, Analyses: []classify.Analysis{}}
	// A log read from a file belongs to the repository the fixer runs for.
	fileDomain := ""
	if validRepository(cfg.Repository) {
		fileDomain = cfg.Repository
	}
	for _, f := range files {
		logf("classifying %s", f.Name)
		res, err := analyzePath(ctx, a, f)
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		if res.Job == "" && cfg.WorkflowFile != "" {
			// The log's set-up section names the job: the patch goes there.
			res.Job = jobNameFromLog(f)
		}
		for i := range res.Findings {
			res.Findings[i].Domain = fileDomain
			if res.Findings[i].Job == "" {
				res.Findings[i].Job = res.Job
			}
		}
		rep.Analyses = append(rep.Analyses, *res)
	}
	for _, j := range jobs {
		logf("classifying job %d of %s", j.JobID, j.Repository)
		body, err := deps.API.JobLog(ctx, j.Repository, j.JobID)
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("job %d of %s: %v", j.JobID, j.Repository, err))
			continue
		}
		res, err := a.Analyze(ctx, body, fmt.Sprintf("%s/actions/jobs/%d", j.Repository, j.JobID))
		body.Close()
		if err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			continue
		}
		res.Job, res.Repository, res.RunID, res.JobID = j.Name, j.Repository, j.RunID, j.JobID
		for i := range res.Findings {
			f := &res.Findings[i]
			f.Job, f.Domain, f.Workflow, f.RunID, f.JobID, f.RunURL = j.Name, j.Repository, j.Workflow, j.RunID, j.JobID, j.URL
		}
		placeInStep(res, j)
		rep.Analyses = append(rep.Analyses, *res)
	}
	summarize(&rep)

	out := &Result{}
	// What was asked and not done: the analysis is written all the same,
	// and Run returns an *IncompleteError naming each item.
	var notDone []string
	if cfg.WorkflowFile != "" {
		if err := patchWorkflow(ctx, cfg, deps.API, &rep, out); err != nil {
			// One unreadable workflow file does not discard the analysis.
			if rep.Patch == nil {
				rep.Patch = &Patch{Workflow: cfg.WorkflowFile, Applied: []string{}}
			}
			rep.Patch.Error = err.Error()
			rep.Errors = append(rep.Errors, fmt.Sprintf("workflow_file %s: %v", cfg.WorkflowFile, err))
			notDone = append(notDone, fmt.Sprintf("patch workflow_file %s: %v", cfg.WorkflowFile, err))
		} else if cfg.CreatePullRequest && out.patch.Changed() {
			repo := rep.Patch.Repository
			if repo == "" {
				repo = cfg.Repository
			}
			var findings []classify.Finding
			for _, a := range rep.Analyses {
				findings = append(findings, a.Findings...)
			}
			pra, ok := deps.API.(PullRequestAPI)
			var pr *PullRequest
			var err error
			if !ok {
				err = &IncompleteError{NotDone: []string{"open a pull request with the patch of " + out.patch.Path + ": create_pull_request needs the GitHub API (github_token)"}}
			} else {
				pr, err = openPullRequest(ctx, pra, repo, out.patch.Path, out.patchRequests, findings, logf)
			}
			var inc *IncompleteError
			switch {
			case errors.Is(err, ErrNoFix):
				rep.Patch.Skipped = append(rep.Patch.Skipped, "no pull request: "+err.Error())
			case errors.As(err, &inc):
				rep.Patch.NotDone = append(rep.Patch.NotDone, inc.NotDone...)
				notDone = append(notDone, inc.NotDone...)
			case err != nil:
				rep.Patch.NotDone = append(rep.Patch.NotDone, err.Error())
				notDone = append(notDone, err.Error())
			}
			rep.Patch.PullRequest, out.PullRequest = pr, pr
		}
	}
	dir := cfg.OutputDir
	if dir == "" {
		dir = "."
	}
	out.JSONPath = cfg.Output
	if out.JSONPath == "" {
		out.JSONPath = filepath.Join(dir, "failure_analysis.json")
	}
	out.MarkdownPath = filepath.Join(dir, "failure_analysis.md")
	out.Report = rep
	out.Markdown = Markdown(rep, out.Diff)
	if err := report.WriteJSON(out.JSONPath, rep); err != nil {
		return nil, fmt.Errorf("failed to write %s: %w", out.JSONPath, err)
	}
	if err := report.WriteFile(out.MarkdownPath, []byte(out.Markdown)); err != nil {
		return nil, fmt.Errorf("failed to write %s: %w", out.MarkdownPath, err)
	}
	if len(notDone) > 0 {
		return out, &IncompleteError{NotDone: notDone}
	}
	return out, nil
}

// IncompleteError is returned with a complete Result when the analysis is
// written but something asked for was not done: the workflow file could
// not be read or patched, or a write to GitHub (the fix branch, the file,
// the pull request) failed. Each NotDone item says what was not done and
// why, and what was done that a retry or an undo needs to know.
type IncompleteError struct{ NotDone []string }

func (e *IncompleteError) Error() string { return "not done: " + strings.Join(e.NotDone, "; ") }

// expandFiles resolves log_files: paths or globs, each match a log file, a
// zip archive or a directory of logs (classify.FindLogs).
func expandFiles(patterns []string) ([]classify.LogFile, error) {
	var out []classify.LogFile
	seen := map[string]bool{}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		matches := []string{p}
		if _, err := os.Stat(p); err != nil {
			if matches, err = filepath.Glob(p); err != nil {
				return nil, fmt.Errorf("invalid log_files pattern %q: %w", p, err)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("log_files: %q matches no file", p)
			}
		}
		for _, m := range matches {
			logs, err := classify.FindLogs(m)
			if err != nil {
				return nil, fmt.Errorf("log_files: %w", err)
			}
			for _, l := range logs {
				if !seen[l.Name] {
					seen[l.Name] = true
					out = append(out, l)
				}
			}
		}
	}
	return out, nil
}

func analyzePath(ctx context.Context, a *classify.Analyzer, f classify.LogFile) (*classify.Analysis, error) {
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("failed to open log: %w", err)
	}
	defer r.Close()
	return a.Analyze(ctx, r, f.Name)
}

// jobsToFetch resolves run_id, job_ids and the monitor report into jobs.
func jobsToFetch(ctx context.Context, cfg Config, api API) ([]JobRef, error) {
	var jobs []JobRef
	needAPI := cfg.RunID != 0 || len(cfg.JobIDs) > 0
	if cfg.ReportPath != "" {
		data, err := os.ReadFile(cfg.ReportPath)
		if err != nil {
			return nil, fmt.Errorf("failed to read report: %w", err)
		}
		refs, err := ReportJobs(data)
		if err != nil {
			return nil, fmt.Errorf("failed to read report %s: %w", cfg.ReportPath, err)
		}
		if ws, ok := api.(WorkflowSource); ok {
			for i, r := range refs {
				if r.Step != "" {
					continue
				}
				// A report without the step (a monitor that names failed
				// steps only, not the one a timeout stopped): ask the job.
				j, err := ws.Job(ctx, r.Repository, r.JobID)
				if err != nil {
					continue // the log is still read; the step stays the log's
				}
				refs[i].Step = j.Step
				if refs[i].Conclusion == "" {
					refs[i].Conclusion = j.Conclusion
				}
			}
		}
		jobs = append(jobs, refs...)
		needAPI = needAPI || len(refs) > 0
	}
	if needAPI && api == nil {
		return nil, errors.New("fetching job logs needs the GitHub API (github_token)")
	}
	if cfg.RunID != 0 {
		refs, err := api.FailedJobs(ctx, cfg.Repository, cfg.RunID)
		if err != nil {
			return nil, fmt.Errorf("failed to list the jobs of run %d: %w", cfg.RunID, err)
		}
		jobs = append(jobs, refs...)
	}
	for _, id := range cfg.JobIDs {
		ref := JobRef{Repository: cfg.Repository, JobID: id}
		if ws, ok := api.(WorkflowSource); ok {
			// The job's name says which job of the workflow to fix, its
			// steps which step failed (or was running when it timed out).
			var err error
			if ref, err = ws.Job(ctx, cfg.Repository, id); err != nil {
				return nil, fmt.Errorf("failed to read job %d of %s: %w", id, cfg.Repository, err)
			}
		}
		jobs = append(jobs, ref)
	}
	seen := map[string]bool{}
	var out []JobRef
	for _, j := range jobs {
		k := fmt.Sprintf("%s#%d", j.Repository, j.JobID)
		if !seen[k] {
			seen[k] = true
			out = append(out, j)
		}
	}
	return out, nil
}

// ReportJobs returns the failed jobs a monitor report
// (ecosystem_analysis.json) lists under "failures".
func ReportJobs(data []byte) ([]JobRef, error) {
	doc, err := contract.Decode(data, "report")
	if err != nil {
		return nil, err
	}
	if doc.Ecosystem == nil {
		return nil, fmt.Errorf("a %s report, want %s (the monitor's report)", doc.Kind, contract.KindEcosystem)
	}
	var out []JobRef
	for _, f := range doc.Ecosystem.Failures {
		if f.JobID == 0 || f.Domain == "" {
			continue
		}
		out = append(out, JobRef{Repository: f.Domain, RunID: f.RunID, JobID: f.JobID, Name: f.Job, Workflow: f.Workflow, URL: f.URL,
			Conclusion: f.Conclusion, Step: f.Step})
	}
	return out, nil
}

// validRepository reports whether s is "owner/repo".
func validRepository(s string) bool {
	_, err := ghname.ParseRepo(s, "")
	return err == nil
}

func summarize(rep *Report) {
	s := Summary{ByCategory: map[classify.Category]int{}, Logs: len(rep.Analyses)}
	for _, a := range rep.Analyses {
		rc := a.RootCause()
		if rc == nil {
			if a.ErrorMarkers > 0 {
				s.Unexplained++
			}
			continue
		}
		s.Failed++
		if rc.Category == classify.CategoryUnknown || classify.IsInferred(rc) {
			// No rule named the cause: the general layer's line, or only a
			// custom catch-all rule matched.
			s.Unexplained++
		}
		s.ByCategory[rc.Category]++
		rep.Failures = append(rep.Failures, *rc)
		if rc.Severity.Rank() > s.MaxSeverity.Rank() {
			s.MaxSeverity = rc.Severity
		}
	}
	best := 0
	for _, c := range classify.Categories {
		if n := s.ByCategory[c]; n > best {
			best, s.TopCategory = n, c
		}
	}
	sort.SliceStable(rep.Failures, func(i, j int) bool {
		return rep.Failures[i].Severity.Rank() > rep.Failures[j].Severity.Rank()
	})
	rep.Summary = s
}

// workflowSource is the workflow file to patch and the findings that
// concern it.
type workflowSource struct {
	src        []byte
	repository string // "" for a local file
	ref        string
	findings   []classify.Finding
}

// loadWorkflow reads workflow_file from disk or, when it is not a local
// file, through the API: from the repository and head commit of the run
// whose workflow it is, or else from the default branch of repository.
func loadWorkflow(ctx context.Context, cfg Config, api API, rep *Report) (*workflowSource, error) {
	var all []classify.Finding
	for _, a := range rep.Analyses {
		all = append(all, a.Findings...)
	}
	src, err := os.ReadFile(cfg.WorkflowFile)
	if err == nil {
		return &workflowSource{src: src, findings: all}, nil
	}
	ws, ok := api.(WorkflowSource)
	if !errors.Is(err, fs.ErrNotExist) || !ok {
		return nil, fmt.Errorf("failed to read workflow_file: %w", err)
	}
	want := strings.TrimPrefix(filepath.ToSlash(cfg.WorkflowFile), "./")
	out := &workflowSource{repository: cfg.Repository}
	type runKey struct {
		repo string
		run  int64
	}
	runs := map[runKey][2]string{}
	for _, a := range rep.Analyses {
		if a.Repository == "" || len(a.Findings) == 0 {
			continue
		}
		runID := a.RunID
		if runID == 0 && a.JobID != 0 {
			j, err := ws.Job(ctx, a.Repository, a.JobID)
			if err != nil {
				return nil, fmt.Errorf("failed to find the run of job %d of %s: %w", a.JobID, a.Repository, err)
			}
			runID = j.RunID
		}
		k := runKey{a.Repository, runID}
		info, seen := runs[k]
		if !seen {
			path, sha, err := ws.RunWorkflow(ctx, a.Repository, runID)
			if err != nil {
				return nil, fmt.Errorf("failed to read run %d of %s: %w", runID, a.Repository, err)
			}
			info = [2]string{path, sha}
			runs[k] = info
		}
		if info[0] != want || (out.findings != nil && a.Repository != out.repository) {
			continue
		}
		if out.findings == nil {
			out.repository, out.ref = a.Repository, info[1]
		}
		out.findings = append(out.findings, a.Findings...)
	}
	if out.findings == nil {
		// No fetched job ran this workflow: patch it for every finding.
		out.findings = all
	}
	if !strings.Contains(out.repository, "/") {
		return nil, fmt.Errorf("workflow_file %q is not a local file and no repository is known to read it from", cfg.WorkflowFile)
	}
	if out.src, _, err = ws.FileContents(ctx, out.repository, want, out.ref); err != nil {
		return nil, fmt.Errorf("failed to read workflow_file %s from %s: %w", want, out.repository, err)
	}
	return out, nil
}

// patchRequests are the fixes the findings call for, each limited to the
// job of the workflow that failed, and notes on the fixes left out.
func patchRequests(cfg Config, src []byte, findings []classify.Finding) ([]PatchRequest, []string) {
	ids := map[string]string{}
	reqs := fixRequestsForJobs(findings, func(name string) string {
		id, ok := ids[name]
		if !ok {
			id = WorkflowJobID(src, name)
			ids[name] = id
		}
		return id
	})
	var out []PatchRequest
	var notes []string
	for _, r := range reqs {
		if r.Fix == classify.FixAddTimeout {
			r.TimeoutMinutes = cfg.TimeoutMinutes
			if r.Job == "" && len(timeoutJobs(src)) > 1 {
				// timeout-minutes helps the job that timed out, not every job.
				notes = append(notes, "add_timeout not made: the log does not say which job timed out (give run_id or job_ids, or a raw log with its set-up section)")
				continue
			}
		}
		out = append(out, r)
	}
	return out, notes
}

// timeoutJobs are the jobs of a workflow that can take timeout-minutes
// (not reusable-workflow calls).
func timeoutJobs(src []byte) []string {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	var out []string
	for _, j := range (&patcher{root: doc.Content[0]}).jobs("") {
		if k, _ := mapValue(j.node, "uses"); k == nil {
			out = append(out, j.id)
		}
	}
	return out
}

func patchWorkflow(ctx context.Context, cfg Config, api API, rep *Report, out *Result) error {
	ws, err := loadWorkflow(ctx, cfg, api, rep)
	if err != nil {
		return err
	}
	rep.Patch = &Patch{Workflow: cfg.WorkflowFile, Repository: ws.repository, Ref: ws.ref, Applied: []string{}}
	reqs, notes := patchRequests(cfg, ws.src, ws.findings)
	res, err := PatchWorkflow(strings.TrimPrefix(filepath.ToSlash(cfg.WorkflowFile), "./"), ws.src, reqs)
	if err != nil {
		return err
	}
	out.patch, out.patchRequests = res, reqs
	p := rep.Patch
	if res.Applied != nil {
		p.Applied = res.Applied
	}
	p.Skipped = append(notes, res.Skipped...)
	if res.Changed() {
		dir := cfg.OutputDir
		if dir == "" {
			dir = "."
		}
		base := strings.TrimSuffix(filepath.Base(cfg.WorkflowFile), filepath.Ext(cfg.WorkflowFile))
		diffPath, patchedPath := filepath.Join(dir, base+".fix.diff"), filepath.Join(dir, filepath.Base(cfg.WorkflowFile))
		if err := report.WriteFile(diffPath, []byte(res.Diff)); err != nil {
			return fmt.Errorf("failed to write %s: %w", diffPath, err)
		}
		p.DiffPath = diffPath
		if err := report.WriteFile(patchedPath, res.Patched); err != nil {
			return fmt.Errorf("failed to write %s: %w", patchedPath, err)
		}
		p.PatchedPath = patchedPath
		out.Diff = res.Diff
	}
	return nil
}

// Markdown renders the report for failure_analysis.md and the job summary.
// Every log-derived string is escaped (pkg/report): log lines are untrusted.
func Markdown(rep Report, diff string) string {
	var b strings.Builder
	s := rep.Summary
	b.WriteString("## Failure analysis\n\n")
	fmt.Fprintf(&b, "%d logs analysed: %d failures explained", s.Logs, s.Failed)
	if s.Unexplained > 0 {
		fmt.Fprintf(&b, ", %d failed without a matching rule", s.Unexplained)
	}
	if s.TopCategory != "" {
		fmt.Fprintf(&b, "; top category **%s**, highest severity **%s**", s.TopCategory, s.MaxSeverity)
	}
	b.WriteString(".\n\n")
	if len(rep.Failures) > 0 {
		t := report.Table{Header: []string{"Severity", "Category", "Log", "Line", "Root cause", "Rule"}}
		for _, f := range rep.Failures {
			t.Rows = append(t.Rows, []string{string(f.Severity), string(f.Category), report.Markdown(f.Source),
				fmt.Sprint(f.Line), report.Code(report.NeutralizeMentions(report.Clip(f.Text, 200), nil)), report.Code(f.RuleID)})
		}
		b.WriteString(t.Markdown())
		b.WriteString("\n")
		for _, f := range rep.Failures {
			var d strings.Builder
			fmt.Fprintf(&d, "**%s** (confidence %.2f, fingerprint %s)", report.Markdown(f.Title), f.Confidence, report.Code(f.Fingerprint))
			if f.Step != "" {
				fmt.Fprintf(&d, " in step %s", report.Code(f.Step))
			}
			d.WriteString("\n\n```text\n")
			lines := append([]classify.ContextLine{{Line: f.Line, Text: f.Text}}, f.Context...)
			sort.SliceStable(lines, func(i, j int) bool { return lines[i].Line < lines[j].Line })
			for _, c := range lines {
				mark := " "
				if c.Line == f.Line {
					mark = ">"
				}
				fmt.Fprintf(&d, "%s %5d | %s\n", mark, c.Line, fence(c.Text))
			}
			d.WriteString("```\n\n")
			for _, sg := range f.Suggestions {
				fmt.Fprintf(&d, "- %s\n", report.Markdown(sg))
			}
			b.WriteString(report.Details(report.Markdown(f.Source)+": "+report.Markdown(f.Title), d.String()))
			b.WriteString("\n")
		}
	}
	if rep.Patch != nil && diff != "" {
		b.WriteString("### Proposed workflow fix\n\n")
		for _, a := range rep.Patch.Applied {
			fmt.Fprintf(&b, "- %s\n", report.Markdown(a))
		}
		b.WriteString("\n```diff\n" + fence(diff) + "```\n")
		if pr := rep.Patch.PullRequest; pr != nil {
			state := "Opened"
			if !pr.Created {
				state = "Already open (left unchanged):"
			}
			fmt.Fprintf(&b, "\n%s pull request [%s#%d](%s) from %s.\n", state, report.Markdown(pr.Repository), pr.Number, pr.URL, report.Code(pr.Branch))
		}
	}
	if rep.Patch != nil && len(rep.Patch.NotDone) > 0 {
		b.WriteString("\n### Not done\n\n")
		for _, nd := range rep.Patch.NotDone {
			fmt.Fprintf(&b, "- %s\n", report.Markdown(nd))
		}
	}
	if len(rep.Errors) > 0 {
		b.WriteString("\n### Inputs that could not be read\n\n")
		for _, e := range rep.Errors {
			fmt.Fprintf(&b, "- %s\n", report.Markdown(e))
		}
	}
	return b.String()
}

// fence keeps untrusted text inside a fenced code block: a line of
// backticks cannot close the block, and @mentions stay inert.
func fence(s string) string {
	s = strings.ReplaceAll(s, "```", "`\u200b``")
	return report.NeutralizeMentions(s, nil)
}

// Outputs are the action's outputs: failures (a compact JSON list of the
// root causes; the report has the rest), top_category, max_severity,
// report_path and pull_request_url. A nil result gives their empty values.
func (r *Result) Outputs() map[string]any {
	out := map[string]any{"failures": []map[string]any{}, "top_category": "", "max_severity": "", "report_path": "", "pull_request_url": ""}
	if r == nil {
		return out
	}
	failures := []map[string]any{}
	for _, f := range r.Report.Failures {
		failures = append(failures, map[string]any{"rule_id": f.RuleID, "category": f.Category, "severity": f.Severity,
			"pattern": f.Pattern, "line": f.Line, "text": f.Text, "source": f.Source, "fingerprint": f.Fingerprint,
			"confidence": f.Confidence, "suggestions": f.Suggestions, "domain": f.Domain})
	}
	out["failures"] = failures
	out["top_category"], out["max_severity"] = string(r.Report.Summary.TopCategory), string(r.Report.Summary.MaxSeverity)
	out["report_path"] = r.JSONPath
	if r.PullRequest != nil {
		out["pull_request_url"] = r.PullRequest.URL
	}
	return out
}

// Summary is the job summary.
func (r *Result) Summary() string {
	if r == nil {
		return ""
	}
	return r.Markdown
}

// ReportFiles are failure_analysis.json, failure_analysis.md and, with a
// patch, its diff and patched copy.
func (r *Result) ReportFiles() []string {
	if r == nil {
		return nil
	}
	files := []string{r.JSONPath, r.MarkdownPath}
	if p := r.Report.Patch; p != nil {
		for _, f := range []string{p.DiffPath, p.PatchedPath} {
			if f != "" {
				files = append(files, f)
			}
		}
	}
	return files
}

// Findings are the root causes, most severe first.
func (r *Result) Findings() []classify.Finding {
	if r == nil {
		return nil
	}
	return r.Report.Failures
}
