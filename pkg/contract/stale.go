package contract

import "time"

// StaleAnalysis is the part of stale_analysis.json (written by
// action-stale) that other actions read. actions/stale embeds it in its
// report and adds its own detail (policies, budget, plan, API accounting);
// the JSON Schema describes the whole document.
type StaleAnalysis struct {
	Envelope
	Timestamp       time.Time    `json:"timestamp"`
	Repository      string       `json:"repository"`
	Repositories    []string     `json:"repositories"`
	DryRun          bool         `json:"dry_run"`
	Summary         StaleSummary `json:"summary"`
	StalePRs        []StaleEntry `json:"stale_prs"`
	StaleIssues     []StaleEntry `json:"stale_issues"`
	StaleBranches   []StaleEntry `json:"stale_branches"`
	Recommendations []string     `json:"recommendations"`
	Deletions       []Deletion   `json:"deletions"`
	Errors          []RepoError  `json:"errors"`
	// Findings are one per stale item and one (missing_data) per repository
	// that could not be processed, each naming its domain.
	Findings []Finding `json:"findings"`
}

// StaleSummary are the headline numbers of a stale run.
type StaleSummary struct {
	TotalStalePRs      int     `json:"total_stale_prs"`
	TotalStaleIssues   int     `json:"total_stale_issues"`
	TotalStaleBranches int     `json:"total_stale_branches"`
	OldestPRDays       float64 `json:"oldest_pr_days"`
	OldestBranchDays   float64 `json:"oldest_branch_days"`
	Warned             int     `json:"warned"`
	Unstaled           int     `json:"unstaled"`
	Closed             int     `json:"closed"`
	Deleted            int     `json:"deleted"`
	// ClosedIssues is how many of Closed are issues (the rest are pull
	// requests).
	ClosedIssues int `json:"closed_issues"`
	Deferred     int `json:"deferred"`
	Failed       int `json:"failed"`
	Writes       int `json:"writes"`
}

// StaleEntry is one stale pull request, issue or branch.
type StaleEntry struct {
	Repository   string     `json:"repository"`
	Number       int        `json:"number,omitempty"`
	Title        string     `json:"title,omitempty"`
	URL          string     `json:"url,omitempty"`
	Author       string     `json:"author,omitempty"`
	Branch       string     `json:"branch,omitempty"`
	SHA          string     `json:"sha,omitempty"`
	LastActivity time.Time  `json:"last_activity"`
	InactiveDays float64    `json:"inactive_days"`
	WarnedAt     *time.Time `json:"warned_at,omitempty"`
	ActionDate   *time.Time `json:"action_date,omitempty"`
	// Decision is what the run did or would do: none, warn, unstale, close,
	// delete, skip-exempt, skip-safety, skip-budget or skip-error.
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// Deletion is a deleted (or, in a dry run, to-be-deleted) branch and how to
// restore it.
type Deletion struct {
	Repository string `json:"repository"`
	Branch     string `json:"branch"`
	SHA        string `json:"sha"`
	Restore    string `json:"restore"`
	Done       bool   `json:"done"`
	Error      string `json:"error,omitempty"`
}

// RepoError is a repository a run could not process.
type RepoError struct {
	Repository string `json:"repository"`
	Error      string `json:"error"`
	// Config is true for a bad .github/ecosystem.yml (bad input: fails the
	// run before any write).
	Config bool `json:"config,omitempty"`
	// Deferred is true when the run's request budget ran out before the
	// repository could be read (the next run starts with it).
	Deferred bool `json:"deferred,omitempty"`
}
