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
	Orgs []string `yaml:"orgs,omitempty" json:"orgs,omitempty"`
	// Apps are GitHub Apps with their installations: their JWTs (signed
	// with the app's private key) mint installation tokens through
	// POST /app/installations/{id}/access_tokens. See apps.go.
	Apps         []App        `yaml:"apps,omitempty" json:"apps,omitempty"`
	Repositories []Repository `yaml:"repositories" json:"repositories"`
}

// User is a GitHub account.
type User struct {
	Login string `yaml:"login" json:"login"`
	ID    int64  `yaml:"id,omitempty" json:"id,omitempty"`
	// Type is "User", "Bot" or "Organization".
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
}

// Token kinds (Token.Kind).
const (
	TokenUser         = "user"         // a personal access token (the default)
	TokenInstallation = "installation" // a GitHub App installation access token (ghs_…)
	TokenGitHubToken  = "github_token" // the GITHUB_TOKEN of a workflow run
)

// Token is what a bearer token authenticates as.
//
// A user token (Kind "" or "user") is Login with Permissions.
//
// An installation token (Kind "installation") acts as "<App>[bot]": App is
// the app's slug; AppID and InstallationID identify it (taken from the
// apps entry with that slug and installation when the fixture has one);
// Repositories ("owner/name") are what it may reach (empty: every
// repository of the installation's account, or of the apps entry's
// installation). GET /user answers it 403, as GitHub does.
//
// A GITHUB_TOKEN (Kind "github_token") acts as github-actions[bot] for
// the one Repository ("owner/name") its workflow runs in, with the
// 1,000-requests-per-hour budget GitHub gives it per repository.
type Token struct {
	Kind  string `yaml:"kind,omitempty" json:"kind,omitempty"`
	Login string `yaml:"login,omitempty" json:"login,omitempty"`
	// Permissions like {"issues": "write", "contents": "read"}. Empty means all.
	Permissions    map[string]string `yaml:"permissions,omitempty" json:"permissions,omitempty"`
	App            string            `yaml:"app,omitempty" json:"app,omitempty"`
	AppID          int64             `yaml:"app_id,omitempty" json:"app_id,omitempty"`
	InstallationID int64             `yaml:"installation_id,omitempty" json:"installation_id,omitempty"`
	Repositories   []string          `yaml:"repositories,omitempty" json:"repositories,omitempty"`
	Repository     string            `yaml:"repository,omitempty" json:"repository,omitempty"`
}

// App is a GitHub App. Its JWTs are verified with the public half of Key
// (a PEM RSA public or private key) or of the PEM file KeyFile (relative
// to the fixture file, read by LoadFixture into Key).
type App struct {
	Slug          string         `yaml:"slug" json:"slug"`
	ID            int64          `yaml:"id" json:"id"`
	ClientID      string         `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	Name          string         `yaml:"name,omitempty" json:"name,omitempty"`
	Owner         string         `yaml:"owner,omitempty" json:"owner,omitempty"`
	Key           string         `yaml:"key,omitempty" json:"key,omitempty"`
	KeyFile       string         `yaml:"key_file,omitempty" json:"key_file,omitempty"`
	Installations []Installation `yaml:"installations,omitempty" json:"installations,omitempty"`
}

// Installation is an app's installation on an account. Repositories are
// the names ("name" or "owner/name") it was granted; empty means every
// repository of Account (repository_selection "all").
type Installation struct {
	ID           int64             `yaml:"id" json:"id"`
	Account      string            `yaml:"account" json:"account"`
	Repositories []string          `yaml:"repositories,omitempty" json:"repositories,omitempty"`
	Permissions  map[string]string `yaml:"permissions,omitempty" json:"permissions,omitempty"`
	Events       []string          `yaml:"events,omitempty" json:"events,omitempty"`
	CreatedAt    time.Time         `yaml:"created_at,omitempty" json:"created_at,omitempty"`
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
	// workflow files). Value is the file text. Every other branch starts
	// with the same files; writes (PUT contents) make new commits.
	Files map[string]string `yaml:"files,omitempty" json:"files,omitempty"`

	// Caches are GitHub Actions caches (GET/DELETE …/actions/caches).
	Caches []Cache `yaml:"caches,omitempty" json:"caches,omitempty"`
	// Deployments with their statuses (GET …/deployments).
	Deployments []Deployment `yaml:"deployments,omitempty" json:"deployments,omitempty"`
	// Statuses are commit statuses (GET …/commits/{ref}/statuses, …/status).
	Statuses []CommitStatus `yaml:"statuses,omitempty" json:"statuses,omitempty"`
	// CheckSuites and CheckRuns of apps other than GitHub Actions; the
	// runs' own suites and jobs are served as check suites and check runs
	// too (GET …/commits/{ref}/check-suites, …/check-runs).
	CheckSuites []CheckSuite `yaml:"check_suites,omitempty" json:"check_suites,omitempty"`
	CheckRuns   []CheckRun   `yaml:"check_runs,omitempty" json:"check_runs,omitempty"`
	// Releases (GET/POST …/releases).
	Releases []Release `yaml:"releases,omitempty" json:"releases,omitempty"`
}

// Cache is a GitHub Actions cache entry.
type Cache struct {
	ID             int64     `yaml:"id,omitempty" json:"id,omitempty"`
	Key            string    `yaml:"key" json:"key"`
	Ref            string    `yaml:"ref" json:"ref"` // refs/heads/main
	Version        string    `yaml:"version,omitempty" json:"version,omitempty"`
	SizeBytes      int64     `yaml:"size_in_bytes,omitempty" json:"size_in_bytes,omitempty"`
	CreatedAt      time.Time `yaml:"created_at,omitempty" json:"created_at,omitempty"`
	LastAccessedAt time.Time `yaml:"last_accessed_at,omitempty" json:"last_accessed_at,omitempty"`
}

// Deployment is a deployment of a ref to an environment.
type Deployment struct {
	ID          int64              `yaml:"id" json:"id"`
	SHA         string             `yaml:"sha" json:"sha"`
	Ref         string             `yaml:"ref" json:"ref"`
	Task        string             `yaml:"task,omitempty" json:"task,omitempty"` // default deploy
	Environment string             `yaml:"environment" json:"environment"`
	Description string             `yaml:"description,omitempty" json:"description,omitempty"`
	Creator     string             `yaml:"creator" json:"creator"`
	Payload     map[string]any     `yaml:"payload,omitempty" json:"payload,omitempty"`
	Production  bool               `yaml:"production_environment,omitempty" json:"production_environment,omitempty"`
	Transient   bool               `yaml:"transient_environment,omitempty" json:"transient_environment,omitempty"`
	CreatedAt   time.Time          `yaml:"created_at" json:"created_at"`
	UpdatedAt   time.Time          `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
	Statuses    []DeploymentStatus `yaml:"statuses,omitempty" json:"statuses,omitempty"` // oldest first
}

// DeploymentStatus is one status of a deployment.
type DeploymentStatus struct {
	ID             int64     `yaml:"id" json:"id"`
	State          string    `yaml:"state" json:"state"` // error, failure, inactive, pending, success, queued, in_progress
	Creator        string    `yaml:"creator" json:"creator"`
	Description    string    `yaml:"description,omitempty" json:"description,omitempty"`
	EnvironmentURL string    `yaml:"environment_url,omitempty" json:"environment_url,omitempty"`
	LogURL         string    `yaml:"log_url,omitempty" json:"log_url,omitempty"`
	CreatedAt      time.Time `yaml:"created_at" json:"created_at"`
}

// CommitStatus is a commit status (the Statuses API).
type CommitStatus struct {
	ID          int64     `yaml:"id,omitempty" json:"id,omitempty"`
	SHA         string    `yaml:"sha" json:"sha"`
	State       string    `yaml:"state" json:"state"`                         // error, failure, pending, success
	Context     string    `yaml:"context,omitempty" json:"context,omitempty"` // default "default"
	Description string    `yaml:"description,omitempty" json:"description,omitempty"`
	TargetURL   string    `yaml:"target_url,omitempty" json:"target_url,omitempty"`
	Creator     string    `yaml:"creator" json:"creator"`
	CreatedAt   time.Time `yaml:"created_at" json:"created_at"`
	UpdatedAt   time.Time `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
}

// CheckSuite is a check suite of an app other than GitHub Actions.
type CheckSuite struct {
	ID         int64     `yaml:"id" json:"id"`
	App        string    `yaml:"app" json:"app"` // app slug
	HeadSHA    string    `yaml:"head_sha" json:"head_sha"`
	HeadBranch string    `yaml:"head_branch,omitempty" json:"head_branch,omitempty"`
	Status     string    `yaml:"status,omitempty" json:"status,omitempty"` // default completed
	Conclusion string    `yaml:"conclusion,omitempty" json:"conclusion,omitempty"`
	CreatedAt  time.Time `yaml:"created_at" json:"created_at"`
	UpdatedAt  time.Time `yaml:"updated_at,omitempty" json:"updated_at,omitempty"`
}

// CheckRun is a check run of an app other than GitHub Actions.
type CheckRun struct {
	ID           int64     `yaml:"id" json:"id"`
	Name         string    `yaml:"name" json:"name"`
	CheckSuiteID int64     `yaml:"check_suite_id" json:"check_suite_id"`     // a CheckSuites entry
	Status       string    `yaml:"status,omitempty" json:"status,omitempty"` // default completed
	Conclusion   string    `yaml:"conclusion,omitempty" json:"conclusion,omitempty"`
	StartedAt    time.Time `yaml:"started_at" json:"started_at"`
	CompletedAt  time.Time `yaml:"completed_at,omitempty" json:"completed_at,omitempty"`
	DetailsURL   string    `yaml:"details_url,omitempty" json:"details_url,omitempty"`
	Title        string    `yaml:"title,omitempty" json:"title,omitempty"`
	Summary      string    `yaml:"summary,omitempty" json:"summary,omitempty"`
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
	for ai := range f.Apps {
		app := &f.Apps[ai]
		if app.KeyFile == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, app.KeyFile))
		if err != nil {
			return nil, fmt.Errorf("failed to read key of app %s: %w", app.Slug, err)
		}
		app.Key = string(b)
	}
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
