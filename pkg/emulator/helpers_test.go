package emulator

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// refTime is the fixture's reference time; testNow is the server clock,
// so every fixture timestamp is shifted by testNow − refTime.
var (
	refTime = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	testNow = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
)

func fixedNow() time.Time { return testNow }

// ago is a fixture timestamp d before the reference time.
func ago(d time.Duration) time.Time { return refTime.Add(-d) }

// served is the emulator's view of a fixture timestamp.
func served(t time.Time) time.Time { return t.Add(testNow.Sub(refTime)) }

const day = 24 * time.Hour

func ptrTime(t time.Time) *time.Time { return &t }

// testFixture is a small ecosystem: one org repository with runs, PRs,
// issues and branches, one user repository, and repositories with Status.
func testFixture() *Fixture {
	f := &Fixture{
		ReferenceTime: refTime,
		Users:         []User{{Login: "octo", ID: 101}, {Login: "mona", ID: 102}},
		Orgs:          []string{"acme"},
		Repositories: []Repository{
			{
				Owner: "acme", Name: "tools", ID: 5001, Description: "Build tooling", DefaultBranch: "master",
				Language: "Python", Topics: []string{"conan"}, CreatedAt: ago(400 * day), PushedAt: ago(1 * day),
				Labels: []Label{{Name: "bug", Color: "d73a4a", Description: "Something isn't working"}, {Name: "stale", Color: "cccccc"}},
				Workflows: []Workflow{
					{ID: 11, Name: "CI", Path: ".github/workflows/ci.yml"},
					{ID: 12, Name: "Nightly", Path: ".github/workflows/nightly.yml"},
					{ID: 13, Name: "Old", Path: ".github/workflows/old.yml", State: "disabled_manually"},
				},
				Files: map[string]string{
					".github/workflows/ci.yml":      "on:\n  push:\n  workflow_dispatch:\n    inputs:\n      level: {}\n",
					".github/workflows/nightly.yml": "on:\n  schedule:\n    - cron: '0 2 * * *'\n",
					"README.md":                     "# tools\n",
				},
				Branches: []Branch{
					{Name: "master", Protected: true, Commit: Commit{SHA: "1111111111111111111111111111111111111111", Author: "octo", Date: ago(1 * day), Message: "Merge #3"}},
					{Name: "feature/x", Commit: Commit{SHA: "2222222222222222222222222222222222222222", Author: "mona", Date: ago(40 * day), Message: "Add x"}},
					{Name: "cursor/tmp-1", Commit: Commit{SHA: "3333333333333333333333333333333333333333", Author: "octo", Date: ago(90 * day)}},
				},
				Tags: []Tag{{Name: "v1.0.0", SHA: "1111111111111111111111111111111111111111"}},
				Runs: []Run{
					{ID: 900, WorkflowID: 11, RunNumber: 7, RunAttempt: 2, Event: "push", Conclusion: "failure", HeadBranch: "master",
						HeadSHA: "1111111111111111111111111111111111111111", DisplayTitle: "Merge #3", Actor: "octo", CreatedAt: ago(2 * day),
						Jobs: []Job{
							{ID: 9001, Name: "build", RunAttempt: 1, Conclusion: "failure", StartedAt: ago(2 * day), CompletedAt: ago(2*day - 10*time.Minute),
								Steps: []Step{{Name: "Set up job", Conclusion: "success"}, {Name: "Build", Conclusion: "failure"}}, Log: "attempt 1\nERROR: Missing prebuilt package\n"},
							{ID: 9002, Name: "build", RunAttempt: 2, Conclusion: "failure", StartedAt: ago(2*day - time.Hour), CompletedAt: ago(2*day - 70*time.Minute),
								Steps: []Step{{Name: "Set up job", Conclusion: "success"}, {Name: "Build", Conclusion: "failure"}}, Log: "attempt 2\nld: undefined reference to `main'\n"},
							{ID: 9003, Name: "lint", RunAttempt: 2, Conclusion: "success", StartedAt: ago(2*day - time.Hour), CompletedAt: ago(2*day - 65*time.Minute), Log: "ok\n"},
						},
						Artifacts: []Artifact{{ID: 77, Name: "build-log", SizeBytes: 1024, CreatedAt: ago(2 * day)}},
					},
					{ID: 901, WorkflowID: 11, RunNumber: 8, Event: "pull_request", Conclusion: "success", HeadBranch: "feature/x",
						HeadSHA: "2222222222222222222222222222222222222222", Actor: "mona", CreatedAt: ago(1 * day)},
					{ID: 902, WorkflowID: 12, RunNumber: 1, Event: "schedule", Conclusion: "cancelled", HeadBranch: "master",
						HeadSHA: "1111111111111111111111111111111111111111", CreatedAt: ago(10 * day)},
					{ID: 903, WorkflowID: 12, RunNumber: 2, Event: "schedule", Status: "in_progress", HeadBranch: "master",
						HeadSHA: "1111111111111111111111111111111111111111", CreatedAt: ago(3 * time.Hour)},
				},
				Pulls: []Pull{
					{Number: 3, Title: "Add x", Body: "adds x", User: "mona", Head: Ref{Ref: "feature/x"}, Base: Ref{Ref: "master"},
						Labels: []string{"enhancement"}, Assignees: []string{"octo"}, Milestone: "v2", CreatedAt: ago(40 * day), UpdatedAt: ago(35 * day),
						Comments: []Comment{{User: "octo", Body: "LGTM?", CreatedAt: ago(36 * day)}},
						Reviews:  []Review{{User: "octo", State: "APPROVED", SubmittedAt: ago(35 * day)}},
						Commits:  []Commit{{SHA: "2222222222222222222222222222222222222222", Author: "mona", Date: ago(40 * day), Message: "Add x"}}},
					{Number: 4, Title: "Fork change", User: "stranger", Draft: true, Head: Ref{Ref: "patch-1", Repo: "stranger/tools"}, Base: Ref{Ref: "master"},
						CreatedAt: ago(5 * day)},
					{Number: 2, Title: "Merged thing", User: "octo", State: "closed", Merged: true, Head: Ref{Ref: "old"}, Base: Ref{Ref: "master"},
						CreatedAt: ago(100 * day), ClosedAt: ptrTime(ago(99 * day))},
				},
				Issues: []Issue{
					{Number: 1, Title: "Nightly build broken", Body: "see logs", User: "octo", Labels: []string{"bug"}, CreatedAt: ago(20 * day),
						Comments: []Comment{{User: "mona", Body: "same here", CreatedAt: ago(19 * day)}},
						Events:   []IssueEvent{{Event: "labeled", Actor: "octo", Label: "bug", CreatedAt: ago(20 * day)}}},
					{Number: 5, Title: "Old question", User: "mona", State: "closed", StateReason: "not_planned", CreatedAt: ago(200 * day), ClosedAt: ptrTime(ago(150 * day)),
						Events: []IssueEvent{{Event: "closed", Actor: "octo", CreatedAt: ago(150 * day)}}},
				},
				Events: []Event{
					{Type: "PushEvent", Actor: "octo", CreatedAt: ago(1 * day), Payload: map[string]any{"repository_id": 5001, "push_id": 1, "ref": "refs/heads/master", "head": "1111111111111111111111111111111111111111", "before": "0000000000000000000000000000000000000000"}},
					{Type: "WatchEvent", Actor: "mona", CreatedAt: ago(29 * day), Payload: map[string]any{"action": "started"}},
					{Type: "ForkEvent", Actor: "stranger", CreatedAt: ago(31 * day)},
				},
			},
			{Owner: "octo", Name: "notes", DefaultBranch: "main", CreatedAt: ago(50 * day), PushedAt: ago(3 * day),
				Branches: []Branch{{Name: "main", Commit: Commit{SHA: "4444444444444444444444444444444444444444", Author: "octo", Date: ago(3 * day)}}}},
			{Owner: "acme", Name: "gone", Status: http.StatusNotFound},
			{Owner: "acme", Name: "blocked", Status: http.StatusForbidden},
			{Owner: "acme", Name: "old-name", Status: http.StatusMovedPermanently, MovedTo: "acme/tools"},
			{Owner: "acme", Name: "secret", Private: true, CreatedAt: ago(10 * day)},
		},
	}
	return f
}

// start runs the emulator on testFixture with a fixed clock.
func start(t *testing.T, mod func(*Options)) *Server {
	t.Helper()
	opts := Options{Now: fixedNow}
	if mod != nil {
		mod(&opts)
	}
	return StartForTest(t, testFixture(), opts)
}

// client is a go-github client for the server with a token.
func client(t *testing.T, s *Server) *github.Client {
	t.Helper()
	c := github.NewClient(HTTPClientForTest(t)).WithAuthToken("test-token")
	u, err := c.BaseURL.Parse(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

func ctx() context.Context { return context.Background() }

// loadExample is the example ecosystem fixture, read once per test binary
// (reading its 1.3 MB of YAML takes seconds under -race). Tests must not
// change it; servers copy it.
var loadExample = sync.OnceValues(func() (*Fixture, error) { return LoadFixture(ExampleFixturePath()) })
