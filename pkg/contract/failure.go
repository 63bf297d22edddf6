package contract

// FailureAnalysis is failure_analysis.json, written by action-fixer.
type FailureAnalysis struct {
	Envelope
	Summary FailureSummary `json:"summary"`
	// Failures are the root cause of every failed log, most severe first;
	// each names its domain (the repository whose job failed).
	Failures []Finding      `json:"failures"`
	Analyses []LogAnalysis  `json:"analyses"`
	Patch    *WorkflowPatch `json:"patch,omitempty"`
	// Errors are inputs that could not be read: logs, the workflow file.
	Errors []string `json:"errors,omitempty"`
}

// FailureSummary counts the analysis.
type FailureSummary struct {
	Logs int `json:"logs"`
	// Failed counts logs with a root cause.
	Failed int `json:"failed"`
	// Unexplained counts failed logs no specific rule explained: logs with
	// error markers and no finding, and logs only a catch-all rule (category
	// unknown, e.g. "Process completed with exit code 1") matched.
	Unexplained int              `json:"unexplained"`
	ByCategory  map[Category]int `json:"by_category"`
	TopCategory Category         `json:"top_category"`
	MaxSeverity Severity         `json:"max_severity"`
}

// WorkflowPatch is the mechanical fix of a workflow file.
type WorkflowPatch struct {
	Workflow string `json:"workflow"`
	// Repository and Ref say where the workflow was read from when it was
	// fetched through the API ("" Ref = the default branch).
	Repository  string   `json:"repository,omitempty"`
	Ref         string   `json:"ref,omitempty"`
	DiffPath    string   `json:"diff_path,omitempty"`
	PatchedPath string   `json:"patched_path,omitempty"`
	Applied     []string `json:"applied"`
	Skipped     []string `json:"skipped,omitempty"`
	// PullRequest is the pull request that carries the patch.
	PullRequest *PullRequest `json:"pull_request,omitempty"`
	// Error says why the workflow could not be read or patched (the
	// analysis stands without the patch).
	Error string `json:"error,omitempty"`
	// NotDone lists the writes to GitHub that failed (fix branch, file,
	// pull request), each with what was done before it.
	NotDone []string `json:"not_done,omitempty"`
}

// PullRequest is the pull request that carries a workflow patch.
type PullRequest struct {
	Repository string `json:"repository"`
	Number     int    `json:"number"`
	URL        string `json:"url"`
	Branch     string `json:"branch"`
	Base       string `json:"base"`
	// Created is false when an open pull request from Branch already
	// existed: nothing was pushed or changed then.
	Created bool `json:"created"`
}
