package contract

import "time"

// Health bands of a domain (DomainHealth.Band).
const (
	BandHealthy  = "healthy"
	BandWarning  = "warning"
	BandCritical = "critical"
	BandArchived = "archived"
	// BandUnknown is a domain whose health cannot be proved: it could not be
	// read, or a part of its data that decides the band is missing.
	BandUnknown = "unknown"
)

// Alert levels of an ecosystem report (EcosystemSummary.AlertLevel).
const (
	AlertNone     = "none"
	AlertWarning  = "warning"
	AlertCritical = "critical"
)

// EcosystemAnalysis is ecosystem_analysis.json, written by action-monitor.
// timestamp, domains (health_score, total_events, event_types,
// recent_activity, issues_detected, last_activity), summary, failures and
// recommendations are the fields existing scripts read; the rest is the
// breakdown.
type EcosystemAnalysis struct {
	Envelope
	Timestamp       time.Time               `json:"timestamp"`
	Domains         map[string]DomainHealth `json:"domains"`
	Summary         EcosystemSummary        `json:"summary"`
	Failures        []FailedJob             `json:"failures"`
	Recommendations []string                `json:"recommendations"`
	// Partial is true when a rate limit stopped the collection; Missing
	// lists the domains not collected.
	Partial       bool              `json:"partial"`
	Missing       []string          `json:"missing"`
	MissingReason string            `json:"missing_reason,omitempty"`
	Delta         *HealthDelta      `json:"delta"`
	Settings      EcosystemSettings `json:"settings"`
	// API is the request accounting of the GitHub client (pkg/ghclient
	// Stats); merged shard reports sum their counters.
	API map[string]any `json:"api"`
}

// EcosystemSettings records the settings a report was made with.
type EcosystemSettings struct {
	WindowHours float64            `json:"window_hours"`
	RecentHours float64            `json:"recent_hours"`
	Bands       HealthBands        `json:"bands"`
	Weights     map[string]float64 `json:"weights"`
	Shard       string             `json:"shard,omitempty"`
}

// HealthBands are the lowest scores of the healthy and warning bands.
type HealthBands struct {
	Healthy int `yaml:"healthy" json:"healthy"`
	Warning int `yaml:"warning" json:"warning"`
}

// DomainHealth is one domain of the ecosystem report.
type DomainHealth struct {
	HealthScore    *int           `json:"health_score"`
	TotalEvents    int            `json:"total_events"`
	EventTypes     map[string]int `json:"event_types"`
	RecentActivity int            `json:"recent_activity"`
	IssuesDetected []string       `json:"issues_detected"`
	LastActivity   *time.Time     `json:"last_activity"`

	// ScoreRange bounds the score when data that could not be read leaves
	// it open (health_score is then null): the band is the one both bounds
	// fall in, or unknown.
	ScoreRange *ScoreRange `json:"score_range,omitempty"`

	Band              string                     `json:"band"`
	Confidence        float64                    `json:"confidence"`
	Components        map[string]HealthComponent `json:"components"`
	MissingComponents []string                   `json:"missing_components"`
	// Findings are the reasons the domain is not fully healthy, worst
	// first, each naming the domain; data that could not be read is a
	// finding of category missing_data.
	Findings        []Finding `json:"findings"`
	Recommendations []string  `json:"recommendations"`
	// Signals holds every name of EventTypes (and the other types the
	// events feed serves): its count in the window and the API it was read
	// from, or why it could not be read (value null). event_types keeps the
	// counts that were read, 0 for the others, for the scripts that read it.
	Signals map[string]Signal `json:"signals"`
	// JobCoverage says how many failed and re-run runs had their jobs read.
	JobCoverage JobCoverage `json:"job_coverage"`
	// Workflows are the per-workflow CI metrics of the window, worst first.
	Workflows         []WorkflowMetrics `json:"workflows"`
	CI                CIStats           `json:"ci"`
	Flaky             FlakyStats        `json:"flaky"`
	OpenPullRequests  int               `json:"open_pull_requests"`
	StalePullRequests int               `json:"stale_pull_requests"`
	OpenIssues        int               `json:"open_issues"`
	CriticalAlerts    []AlertRef        `json:"critical_alerts"`
	EventsTruncated   bool              `json:"events_truncated"`
	EventsNote        string            `json:"events_note,omitempty"`
	PollInterval      int               `json:"poll_interval,omitempty"`
	DefaultBranch     string            `json:"default_branch,omitempty"`
	URL               string            `json:"url,omitempty"`
	Archived          bool              `json:"archived"`
	Error             string            `json:"error,omitempty"`
	Status            int               `json:"status,omitempty"`
}

// Signal sources (Signal.Source).
const (
	SourceEvents             = "events"              // GET /repos/{owner}/{repo}/events
	SourceDeployments        = "deployments"         // GET /repos/{owner}/{repo}/deployments
	SourceDeploymentStatuses = "deployment_statuses" // GET …/deployments/{id}/statuses
	SourceCommitStatuses     = "commit_statuses"     // GET …/commits/{ref}/statuses
	SourceCheckRuns          = "check_runs"          // GET …/commits/{ref}/check-runs
	SourceCheckSuites        = "check_suites"        // GET …/commits/{ref}/check-suites
	SourceNone               = "none"                // no API publishes it to this token
)

// Signal is one activity signal of a domain in the window: how many there
// were (Value) and where that was read (Source, Endpoint); Value is null
// when it could not be read, and Reason says why.
type Signal struct {
	Value    *int   `json:"value"`
	Source   string `json:"source"`
	Endpoint string `json:"endpoint,omitempty"`
	// Note bounds what was read ("the newest 5 heads of the default
	// branch"); Reason says why Value is null.
	Note   string `json:"note,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Status and Permission are the HTTP status that refused the read and
	// the token permission that would allow it.
	Status     int    `json:"status,omitempty"`
	Permission string `json:"permission,omitempty"`
}

// JobCoverage counts the runs with jobs to read (failed and re-run runs;
// startup failures have none), how many were read and how many the
// per-domain budget left out. Essential are the runs the score and the
// failure table need (every re-run, the newest failure of each workflow):
// they are read first, and EssentialNotRead > 0 only when the budget is
// smaller than they are.
type JobCoverage struct {
	Runs             int `json:"runs"`
	Read             int `json:"read"`
	NotRead          int `json:"not_read"`
	Essential        int `json:"essential"`
	EssentialNotRead int `json:"essential_not_read"`
	// Failed counts listings that were tried and refused.
	Failed int `json:"failed,omitempty"`
	Budget int `json:"budget"`
}

// WorkflowMetrics are one workflow's CI figures in the window, the ones
// GitHub's Actions performance metrics show an organisation (failure rate,
// run time, queue time) plus the time to recovery of the default branch.
// Durations are seconds; a figure without data is null, never 0.
type WorkflowMetrics struct {
	Domain     string `json:"domain"`
	Workflow   string `json:"workflow"`
	WorkflowID int64  `json:"workflow_id"`
	// Runs counts the runs in the window; Successes and Failures the
	// concluded ones (flaky runs count as successes, cancelled as neither).
	Runs        int      `json:"runs"`
	Successes   int      `json:"successes"`
	Failures    int      `json:"failures"`
	FailureRate *float64 `json:"failure_rate"`
	// DurationP50/P95 are run times (run_started_at to the last update) of
	// completed runs, in seconds.
	DurationP50 *float64 `json:"duration_p50_s"`
	DurationP95 *float64 `json:"duration_p95_s"`
	// QueueP50/P95 are job queue times (created to started) of the jobs
	// read, QueueJobs how many that was.
	QueueP50  *float64 `json:"queue_p50_s"`
	QueueP95  *float64 `json:"queue_p95_s"`
	QueueJobs int      `json:"queue_jobs"`
	// Recoveries are the default-branch failure streaks that ended with a
	// green run in the window; TimeToRecoveryP50 is their median length
	// (first failure to the next green run, seconds). FailingSince is the
	// first failure of a streak still open.
	Recoveries        int        `json:"recoveries"`
	TimeToRecoveryP50 *float64   `json:"time_to_recovery_p50_s"`
	FailingSince      *time.Time `json:"failing_since,omitempty"`
	LastRun           *time.Time `json:"last_run,omitempty"`
	// Trend compares the newer half of the window with the older one.
	Trend WorkflowTrend `json:"trend"`
	// Daily is one point per UTC day of the window, oldest first.
	Daily []WorkflowDay `json:"daily"`
}

// WorkflowTrend is the change from the older half of the window to the
// newer one: Direction is better, worse, steady or unknown.
type WorkflowTrend struct {
	Direction         string   `json:"direction"`
	FailureRateChange *float64 `json:"failure_rate_change"`
	DurationP50Change *float64 `json:"duration_p50_change_s"`
}

// WorkflowDay is one day of a workflow: concluded runs, failures and the
// median run time (null without completed runs).
type WorkflowDay struct {
	Date        string   `json:"date"`
	Runs        int      `json:"runs"`
	Failures    int      `json:"failures"`
	DurationP50 *float64 `json:"duration_p50_s"`
}

// ScoreRange is the lowest and highest score a domain can have whatever
// the data that could not be read holds.
type ScoreRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// HealthComponent is one part of a domain's health score.
type HealthComponent struct {
	// Value is the measured quantity (a rate 0..1, a count or hours).
	Value float64 `json:"value"`
	// Weight is the configured weight.
	Weight float64 `json:"weight"`
	// Score is 0..100.
	Score  int    `json:"score"`
	Detail string `json:"detail"`
}

// CIStats counts a domain's workflow runs in the window.
type CIStats struct {
	Runs      int `json:"runs"`
	Successes int `json:"successes"`
	Failures  int `json:"failures"`
	Cancelled int `json:"cancelled"`
	Flaky     int `json:"flaky"`
	// LastGreen is the newest successful run on the default branch.
	LastGreen *time.Time `json:"last_green,omitempty"`
}

// FlakyStats is the flaky part of a domain.
type FlakyStats struct {
	Rate float64    `json:"rate"`
	Runs int        `json:"runs"`
	Jobs []FlakyJob `json:"jobs"`
}

// FlakyJob is a job that failed and then passed on the same commit.
type FlakyJob struct {
	Workflow string `json:"workflow"`
	Job      string `json:"job"`
	// Count is the number of runs in the window in which the job flaked.
	Count int `json:"count"`
}

// AlertRef is an open critical alert issue of a domain.
type AlertRef struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	URL    string `json:"url,omitempty"`
}

// EcosystemSummary aggregates the domains.
type EcosystemSummary struct {
	TotalDomains     int `json:"total_domains"`
	HealthyDomains   int `json:"healthy_domains"`
	UnhealthyDomains int `json:"unhealthy_domains"`
	TotalEvents      int `json:"total_events"`
	TotalIssues      int `json:"total_issues"`
	CriticalIssues   int `json:"critical_issues"`

	WarningDomains  int      `json:"warning_domains"`
	CriticalDomains int      `json:"critical_domains"`
	ArchivedDomains int      `json:"archived_domains"`
	UnknownDomains  int      `json:"unknown_domains"`
	AverageScore    *float64 `json:"average_score"`
	AlertLevel      string   `json:"alert_level"`
	Unhealthy       []string `json:"unhealthy"`
	FlakyJobs       int      `json:"flaky_jobs"`
	TotalFailures   int      `json:"total_failures"`
	// NextStep is the one thing to do first, in a sentence ("" when every
	// domain is healthy).
	NextStep string `json:"next_step,omitempty"`
}

// FailedJob is one failed job of a failed (not flaky) run, as the monitor
// saw it: the fixer classifies the jobs listed here, the alert groups them.
type FailedJob struct {
	Domain     string    `json:"domain"`
	Workflow   string    `json:"workflow"`
	RunID      int64     `json:"run_id"`
	RunAttempt int       `json:"run_attempt"`
	Job        string    `json:"job"`
	JobID      int64     `json:"job_id,omitempty"`
	Step       string    `json:"step"`
	Conclusion string    `json:"conclusion"`
	HeadBranch string    `json:"head_branch"`
	HeadSHA    string    `json:"head_sha"`
	URL        string    `json:"url"`
	CreatedAt  time.Time `json:"created_at"`
	// Note says why Job is empty: the run did not start (startup_failure)
	// or its jobs were not read (budget, permission).
	Note string `json:"note,omitempty"`
	// Analysis is the monitor's classification of the job's log
	// (analyze_failures: true); nil when it was not classified.
	Analysis *JobClassification `json:"analysis,omitempty"`
}

// JobClassification is the gist of a failed job's log classification:
// category, severity and the root-cause line (the full finding is in the
// fixer's report).
type JobClassification struct {
	Category    string   `json:"category"`
	Severity    string   `json:"severity"`
	RootCause   string   `json:"root_cause"`
	Line        int      `json:"line,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
}

// HealthDelta is the change since the previous run of the history file.
type HealthDelta struct {
	PreviousTimestamp time.Time              `json:"previous_timestamp"`
	Domains           map[string]DomainDelta `json:"domains"`
	NewDomains        []string               `json:"new_domains"`
	RemovedDomains    []string               `json:"removed_domains"`
	HealthyChange     int                    `json:"healthy_change"`
	UnhealthyChange   int                    `json:"unhealthy_change"`
}

// DomainDelta is one domain's change since the previous run.
type DomainDelta struct {
	PreviousScore *int   `json:"previous_score"`
	ScoreChange   *int   `json:"score_change"`
	PreviousBand  string `json:"previous_band"`
	BandChanged   bool   `json:"band_changed"`
}
