// Package monitor computes the health of every domain (repository) of an
// ecosystem from its own GitHub data: repository metadata, the events feed,
// workflow runs with their jobs and attempts, and open pull requests and
// issues. It writes ecosystem_analysis.json, ecosystem_summary.md and a static
// dashboard.
//
// The package is split by concern: model.go (collected inputs), health.go
// (the score), flaky.go (re-run detection), collect.go (the GitHub calls),
// report.go (the JSON document), markdown.go and dashboard.go (renderings),
// history.go (deltas between runs) and shard.go (matrix sharding).
package monitor

import (
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// EventTypes are the 23 event types of the monitor's specification; every
// one of them is always present in a domain's event_types and signals. Seven
// of them are not served by the Events API (they are webhook events):
// deployments, deployment statuses, commit statuses, check runs and check
// suites are read from their own APIs, and team additions and marketplace
// purchases have none a repository token can read (signals.go).
var EventTypes = []string{
	"CommitCommentEvent", "CreateEvent", "DeleteEvent", "DeploymentEvent",
	"DeploymentStatusEvent", "ForkEvent", "GollumEvent", "IssueCommentEvent",
	"IssuesEvent", "MarketplacePurchaseEvent", "MemberEvent", "PublicEvent",
	"PullRequestEvent", "PullRequestReviewCommentEvent", "PullRequestReviewEvent",
	"PushEvent", "ReleaseEvent", "SponsorshipEvent", "StatusEvent", "TeamAddEvent",
	"WatchEvent", "CheckRunEvent", "CheckSuiteEvent",
}

// DomainData is everything collected for one domain; the health score is a
// pure function of it, the configuration and the clock.
type DomainData struct {
	// Name is "owner/repo".
	Name string
	Meta RepoMeta
	// Events are the feed entries inside the window, newest first.
	Events []Event
	// EventsTruncated is set when GitHub's feed limits (300 events or 30
	// days) may have cut the window; EventsNote says which.
	EventsTruncated bool
	EventsNote      string
	// PollInterval is the X-Poll-Interval GitHub sent with the events feed.
	PollInterval int
	// EventsKnown is false when the events feed could not be read, and
	// EventsError says why.
	EventsKnown bool
	EventsError string
	// Signals are the signals read outside the events feed (deployments,
	// commit statuses, checks) by their event type name.
	Signals map[string]*SignalRead
	// Runs are the workflow runs created inside the window, newest first.
	Runs []WorkflowRun
	// RunsKnown is false when the runs could not be read (no permission).
	RunsKnown bool
	// Jobs says whose jobs were read (see planJobReads).
	Jobs JobCoverage
	// Open lists open pull requests and issues; OpenKnown is false when
	// they were not read.
	Open      []Item
	OpenKnown bool
	// Unread lists the parts of the domain's data that could not be read
	// (permission, 404, 5xx after retries): each becomes a missing_data
	// finding, and the band is only what the readable data proves.
	Unread []Unread
	// Error is set when the domain could not be read at all (404, 403);
	// Status is the HTTP status.
	Error  string
	Status int
}

// Unread is a part of a domain's data that could not be read.
type Unread struct {
	// Data names what is missing: "events", "workflow runs", "jobs",
	// "open issues".
	Data string
	// Components are the health components that need it.
	Components []string
	Reason     string
	Status     int
	// Permission is the token permission that would let it be read ("" when
	// none would, e.g. a 500).
	Permission string
}

// RepoMeta is the repository metadata the score needs.
type RepoMeta struct {
	DefaultBranch   string
	Archived        bool
	Disabled        bool
	PushedAt        time.Time
	OpenIssuesCount int
	HTMLURL         string
	Topics          []string
	// OwnerType is the owner's account type: "User" or "Organization".
	OwnerType string
}

// Event is one entry of the repository events feed.
type Event struct {
	Type      string
	CreatedAt time.Time
	// Ref and Head are a PushEvent's ref and the commit it pushed.
	Ref, Head string
}

// WorkflowRun is a workflow run (its latest attempt) and, when fetched, the jobs of
// all its attempts.
type WorkflowRun struct {
	ID         int64
	WorkflowID int64
	Name       string
	HeadBranch string
	HeadSHA    string
	Event      string
	Status     string
	Conclusion string
	Attempt    int
	CreatedAt  time.Time
	HTMLURL    string
	// StartedAt is run_started_at; UpdatedAt is when the run last changed
	// (its end, once completed).
	StartedAt time.Time
	UpdatedAt time.Time
	// Jobs of every attempt (jobs?filter=all); JobsKnown says they were
	// read, JobsNote why not.
	Jobs      []Job
	JobsKnown bool
	JobsNote  string
}

// JobCoverage is how many runs had their jobs read.
type JobCoverage = contract.JobCoverage

// Job is a job of one attempt of a run.
type Job struct {
	ID         int64
	Name       string
	Attempt    int
	Conclusion string
	// FailedStep is the first step whose conclusion is failure.
	FailedStep string
	HTMLURL    string
	// CreatedAt, StartedAt and CompletedAt time the job: queue time is
	// StartedAt − CreatedAt.
	CreatedAt, StartedAt, CompletedAt time.Time
	// Analysis is the classified log, when analyze_failures is on.
	Analysis *Analysis
}

// Analysis is the gist of a failed job's log classification.
type Analysis = contract.JobClassification

// Item is an open pull request or issue.
type Item struct {
	Number    int
	Title     string
	IsPull    bool
	Draft     bool
	Labels    []string
	CreatedAt time.Time
	UpdatedAt time.Time
	HTMLURL   string
}

// conclusion classes.
func isFailure(conclusion string) bool {
	switch conclusion {
	case "failure", "timed_out", "startup_failure":
		return true
	}
	return false
}

func isSuccess(conclusion string) bool { return conclusion == "success" }
