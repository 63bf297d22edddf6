package emulator

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// Fixture is the documented state format the emulator loads (YAML or JSON).
// All timestamps are absolute; when the server's clock differs from
// ReferenceTime every timestamp is shifted by the difference, so a fixture
// written once stays "N days old" forever. See testdata/ecosystem/README.md.
type Fixture struct {
	// ReferenceTime is the "now" the fixture was written for.
	ReferenceTime time.Time `yaml:"reference_time" json:"reference_time"`
	// Users known to the server. Logins referenced elsewhere but not listed
	// here are created as plain users; logins ending in "[bot]" are bots.
	Users []User `yaml:"users,omitempty" json:"users,omitempty"`
	// Tokens maps a bearer token to the login it authenticates as and the
	// permissions it holds ("issues: write", ...). An empty map accepts any
	// token as the default identity with every permission.
	Tokens map[string]Token `yaml:"tokens,omitempty" json:"tokens,omitempty"`
	// Orgs lists organisations; repositories whose owner is an org are
	// listed by GET /orgs/{org}/repos.
	Orgs         []string     `yaml:"orgs,omitempty" json:"orgs,omitempty"`
	Repositories []Repository `yaml:"repositories" json:"repositories"`
}

// User is a GitHub account.
type User struct {
	Login string `yaml:"login" json:"login"`
	ID    int64  `yaml:"id,omitempty" json:"id,omitempty"`
	// Type is "User", "Bot" or "Organization".
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
}

// Token is what a bearer token authenticates as.
type Token struct {
	Login string `yaml:"login" json:"login"`
	// Permissions like {"issues": "write", "contents": "read"}. Empty means all.
	Permissions map[string]string `yaml:"permissions,omitempty" json:"permissions,omitempty"`
}

// Repository is one repository with everything the actions read or write.
type Repository struct {
	Owner         string    `yaml:"owner" json:"owner"`
	Name          string    `yaml:"name" json:"name"`
	ID            int64     `yaml:"id,omitempty" json:"id,omitempty"`
	Description   string    `yaml:"description,omitempty" json:"description,omitempty"`
	DefaultBranch string    `yaml:"default_branch,omitempty" json:"default_branch,omitempty"`
	Private       bool      `yaml:"private,omitempty" json:"private,omitempty"`
	Fork          bool      `yaml:"fork,omitempty" json:"fork,omitempty"`
	Archived      bool      `yaml:"archived,omitempty" json:"archived,omitempty"`
	Disabled      bool      `yaml:"disabled,omitempty" json:"disabled,omitempty"`
	Language      string    `yaml:"language,omitempty" json:"language,omitempty"`
	Topics        []string  `yaml:"topics,omitempty" json:"topics,omitempty"`
	CreatedAt     time.Time `yaml:"created_at,omitempty" json:"created_at,omitempty"`
	PushedAt      time.Time `yaml:"pushed_at,omitempty" json:"pushed_at,omitempty"`
	// Status, when set, makes every request under this repository answer
	// with that code (404 for a missing or invisible repo, 403 for a token
	// without access, 301 for a moved one) and a documented error body.
	Status int `yaml:"status,omitempty" json:"status,omitempty"`
	// MovedTo is the "owner/name" a Status 301 repository redirects to.
	MovedTo string `yaml:"moved_to,omitempty" json:"moved_to,omitempty"`

	Labels    []Label    `yaml:"labels,omitempty" json:"labels,omitempty"`
	Events    []Event    `yaml:"events,omitempty" json:"events,omitempty"`
	Workflows []Workflow `yaml:"workflows,omitempty" json:"workflows,omitempty"`
	Runs      []Run      `yaml:"runs,omitempty" json:"runs,omitempty"`
	Branches  []Branch   `yaml:"branches,omitempty" json:"branches,omitempty"`
	Pulls     []Pull     `yaml:"pulls,omitempty" json:"pulls,omitempty"`
	Issues    []Issue    `yaml:"issues,omitempty" json:"issues,omitempty"`
	Tags      []Tag      `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Files are repository contents at the default branch, served by
	// GET /repos/{o}/{r}/contents/{path} (e.g. .github/ecosystem.yml,
	// workflow files). Value is the file text.
	Files map[string]string `yaml:"files,omitempty" json:"files,omitempty"`
}

// FullName is "owner/name".
func (r Repository) FullName() string { return r.Owner + "/" + r.Name }

// Label is a repository label.
type Label struct {
	Name        string `yaml:"name" json:"name"`
	Color       string `yaml:"color,omitempty" json:"color,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// Event is one entry of GET /repos/{o}/{r}/events. Payload is served as is.
type Event struct {
	ID        string         `yaml:"id,omitempty" json:"id,omitempty"`
	Type      string         `yaml:"type" json:"type"`
	Actor     string         `yaml:"actor" json:"actor"`
	CreatedAt time.Time      `yaml:"created_at" json:"created_at"`
	Payload   map[string]any `yaml:"payload,omitempty" json:"payload,omitempty"`
}

// Workflow is a workflow file of the repository.
type Workflow struct {
	ID    int64  `yaml:"id" json:"id"`
	Name  string `yaml:"name" json:"name"`
	Path  string `yaml:"path" json:"path"`                       // .github/workflows/ci.yml
	State string `yaml:"state,omitempty" json:"state,omitempty"` // active (default), disabled_manually
}

// Run is a workflow run. RunAttempt is the latest attempt; jobs of earlier
// attempts carry their own RunAttempt and are listed with filter=all.
type Run struct {
	ID           int64      `yaml:"id" json:"id"`
	WorkflowID   int64      `yaml:"workflow_id" json:"workflow_id"`
	RunNumber    int        `yaml:"run_number,omitempty" json:"run_number,omitempty"`
	RunAttempt   int        `yaml:"run_attempt,omitempty" json:"run_attempt,omitempty"` // default 1
	Event        string     `yaml:"event" json:"event"`                                 // push, pull_request, schedule, workflow_dispatch, repository_dispatch
	Status       string     `yaml:"status,omitempty" json:"status,omitempty"`           // default completed
	Conclusion   string     `yaml:"conclusion,omitempty" json:"conclusion,omitempty"`   // success, failure, cancelled, timed_out, startup_failure, skipped, neutral
	HeadBranch   string     `yaml:"head_branch" json:"head_branch"`
	HeadSHA      string     `yaml:"head_sha" json:"head_sha"`
	DisplayTitle string     `yaml:"display_title,omitempty" json:"display_title,omitempty"`
	Actor        string     `yaml:"actor,omitempty" json:"actor,omitempty"`
	CreatedAt    time.Time  `yaml:"created_at" json:"created_at"`
	UpdatedAt    time.Time  `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
	Jobs         []Job      `yaml:"jobs,omitempty" json:"jobs,omitempty"`
	Artifacts    []Artifact `yaml:"artifacts,omitempty" json:"artifacts,omitempty"`
}

// Job is a job of a run attempt. The log is either inline (Log) or a file
// relative to the fixture file's directory (LogFile).
type Job struct {
	ID          int64     `yaml:"id" json:"id"`
	Name        string    `yaml:"name" json:"name"`
	RunAttempt  int       `yaml:"run_attempt,omitempty" json:"run_attempt,omitempty"` // default 1
	Status      string    `yaml:"status,omitempty" json:"status,omitempty"`           // default completed
	Conclusion  string    `yaml:"conclusion,omitempty" json:"conclusion,omitempty"`
	StartedAt   time.Time `yaml:"started_at,omitempty" json:"started_at,omitempty"`
	CompletedAt time.Time `yaml:"completed_at,omitempty" json:"completed_at,omitempty"`
	Steps       []Step    `yaml:"steps,omitempty" json:"steps,omitempty"`
	Log         string    `yaml:"log,omitempty" json:"log,omitempty"`
	LogFile     string    `yaml:"log_file,omitempty" json:"log_file,omitempty"`
}

// Step is a step of a job.
type Step struct {
	Name       string `yaml:"name" json:"name"`
	Conclusion string `yaml:"conclusion" json:"conclusion"` // success, failure, skipped, cancelled
}

// Artifact is a run artifact.
type Artifact struct {
	ID        int64     `yaml:"id" json:"id"`
	Name      string    `yaml:"name" json:"name"`
	SizeBytes int64     `yaml:"size_in_bytes,omitempty" json:"size_in_bytes,omitempty"`
	Expired   bool      `yaml:"expired,omitempty" json:"expired,omitempty"`
	CreatedAt time.Time `yaml:"created_at,omitempty" json:"created_at,omitempty"`
}

// Commit is the commit a branch points to.
type Commit struct {
	SHA     string    `yaml:"sha" json:"sha"`
	Author  string    `yaml:"author" json:"author"` // login
	Date    time.Time `yaml:"date" json:"date"`
	Message string    `yaml:"message,omitempty" json:"message,omitempty"`
}

// Branch is a git branch (refs/heads/Name).
type Branch struct {
	Name      string `yaml:"name" json:"name"`
	Protected bool   `yaml:"protected,omitempty" json:"protected,omitempty"`
	Commit    Commit `yaml:"commit" json:"commit"`
}

// Tag is a git tag.
type Tag struct {
	Name string `yaml:"name" json:"name"`
	SHA  string `yaml:"sha" json:"sha"`
}

// Comment is an issue or pull-request comment.
type Comment struct {
	ID        int64     `yaml:"id,omitempty" json:"id,omitempty"`
	User      string    `yaml:"user" json:"user"`
	Body      string    `yaml:"body" json:"body"`
	CreatedAt time.Time `yaml:"created_at" json:"created_at"`
	UpdatedAt time.Time `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
}

// Review is a pull-request review.
type Review struct {
	ID          int64     `yaml:"id,omitempty" json:"id,omitempty"`
	User        string    `yaml:"user" json:"user"`
	State       string    `yaml:"state" json:"state"` // APPROVED, CHANGES_REQUESTED, COMMENTED
	Body        string    `yaml:"body,omitempty" json:"body,omitempty"`
	SubmittedAt time.Time `yaml:"submitted_at" json:"submitted_at"`
}

// IssueEvent is an entry of GET /repos/{o}/{r}/issues/{n}/events
// (labeled, unlabeled, closed, reopened, assigned, milestoned, ...).
type IssueEvent struct {
	ID        int64     `yaml:"id,omitempty" json:"id,omitempty"`
	Event     string    `yaml:"event" json:"event"`
	Actor     string    `yaml:"actor" json:"actor"`
	Label     string    `yaml:"label,omitempty" json:"label,omitempty"`
	CreatedAt time.Time `yaml:"created_at" json:"created_at"`
}

// Ref is one side of a pull request. Repo is "owner/name"; when it differs
// from the base repository the pull request comes from a fork.
type Ref struct {
	Ref  string `yaml:"ref" json:"ref"`
	SHA  string `yaml:"sha,omitempty" json:"sha,omitempty"`
	Repo string `yaml:"repo,omitempty" json:"repo,omitempty"`
}

// Pull is a pull request (also served as an issue with a pull_request key).
type Pull struct {
	Number    int          `yaml:"number" json:"number"`
	Title     string       `yaml:"title" json:"title"`
	Body      string       `yaml:"body,omitempty" json:"body,omitempty"`
	User      string       `yaml:"user" json:"user"`
	State     string       `yaml:"state,omitempty" json:"state,omitempty"` // open (default), closed
	Draft     bool         `yaml:"draft,omitempty" json:"draft,omitempty"`
	Merged    bool         `yaml:"merged,omitempty" json:"merged,omitempty"`
	Head      Ref          `yaml:"head" json:"head"`
	Base      Ref          `yaml:"base" json:"base"`
	Labels    []string     `yaml:"labels,omitempty" json:"labels,omitempty"`
	Milestone string       `yaml:"milestone,omitempty" json:"milestone,omitempty"`
	Assignees []string     `yaml:"assignees,omitempty" json:"assignees,omitempty"`
	CreatedAt time.Time    `yaml:"created_at" json:"created_at"`
	UpdatedAt time.Time    `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
	ClosedAt  *time.Time   `yaml:"closed_at,omitempty" json:"closed_at,omitempty"`
	Commits   []Commit     `yaml:"commits,omitempty" json:"commits,omitempty"`
	Comments  []Comment    `yaml:"comments,omitempty" json:"comments,omitempty"`
	Reviews   []Review     `yaml:"reviews,omitempty" json:"reviews,omitempty"`
	Events    []IssueEvent `yaml:"events,omitempty" json:"events,omitempty"`
}

// Issue is an issue (not a pull request).
type Issue struct {
	Number      int          `yaml:"number" json:"number"`
	Title       string       `yaml:"title" json:"title"`
	Body        string       `yaml:"body,omitempty" json:"body,omitempty"`
	User        string       `yaml:"user" json:"user"`
	State       string       `yaml:"state,omitempty" json:"state,omitempty"` // open (default), closed
	StateReason string       `yaml:"state_reason,omitempty" json:"state_reason,omitempty"`
	Labels      []string     `yaml:"labels,omitempty" json:"labels,omitempty"`
	Milestone   string       `yaml:"milestone,omitempty" json:"milestone,omitempty"`
	Assignees   []string     `yaml:"assignees,omitempty" json:"assignees,omitempty"`
	CreatedAt   time.Time    `yaml:"created_at" json:"created_at"`
	UpdatedAt   time.Time    `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
	ClosedAt    *time.Time   `yaml:"closed_at,omitempty" json:"closed_at,omitempty"`
	Comments    []Comment    `yaml:"comments,omitempty" json:"comments,omitempty"`
	Events      []IssueEvent `yaml:"events,omitempty" json:"events,omitempty"`
}

// LoadFixture reads a fixture from a YAML or JSON file (JSON is YAML).
// Job LogFile paths are resolved relative to the file's directory and read
// into Log, so the returned fixture is self-contained.
func LoadFixture(path string) (*Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read fixture: %w", err)
	}
	var f Fixture
	dec := yaml.NewDecoder(bytesReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("failed to parse fixture %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	for ri := range f.Repositories {
		for ui := range f.Repositories[ri].Runs {
			run := &f.Repositories[ri].Runs[ui]
			for ji := range run.Jobs {
				job := &run.Jobs[ji]
				if job.LogFile == "" {
					continue
				}
				b, err := os.ReadFile(filepath.Join(dir, job.LogFile))
				if err != nil {
					return nil, fmt.Errorf("failed to read log of job %d in %s: %w", job.ID, f.Repositories[ri].FullName(), err)
				}
				job.Log = string(b)
			}
		}
	}
	return &f, nil
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
