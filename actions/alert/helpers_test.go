package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// clock is a fixed, settable clock shared by the emulator and the runs.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func testFixture() *emulator.Fixture {
	repo := func(name string) emulator.Repository {
		return emulator.Repository{
			Owner: "eco", Name: name, DefaultBranch: "main",
			Branches:  []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: strings.Repeat("a", 40), Author: "dev", Date: t0.Add(-time.Hour)}}},
			Workflows: []emulator.Workflow{{ID: 7, Name: "Triage", Path: ".github/workflows/triage.yml"}},
			Labels:    []emulator.Label{{Name: DefaultLabel, Color: "e11d21"}},
		}
	}
	return &emulator.Fixture{ReferenceTime: t0, Repositories: []emulator.Repository{repo("alerts"), repo("one"), repo("two"), repo("three")}}
}

type env struct {
	srv   *emulator.Server
	gh    *ghclient.Client
	clock *clock

	mu   sync.Mutex
	logs []string // every line the runs logged
}

// logged reports whether any run logged a line containing s.
func (e *env) logged(s string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.logs {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func newEnv(t *testing.T, f *emulator.Fixture, opts emulator.Options) *env {
	t.Helper()
	c := &clock{now: t0}
	opts.Now = c.Now
	if f == nil {
		f = testFixture()
	}
	srv := emulator.StartForTest(t, f, opts)
	gh, err := ghclient.New(ghclient.Config{Token: "test-token", APIURL: srv.URL() + "/", MaxRetries: -1,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, gh: gh, clock: c}
}

func (e *env) config(t *testing.T, reports string, runID int64) Config {
	t.Helper()
	return Config{Reports: reports, Repository: "eco/alerts", RunID: runID, RunURL: "https://github.com/eco/alerts/actions/runs/" + itoa(runID),
		Now: e.clock.now, OutputDir: t.TempDir()}
}

func (e *env) run(t *testing.T, cfg Config) (*Result, error) {
	t.Helper()
	return Run(context.Background(), cfg, Deps{GitHub: e.gh.Client, Sleep: func(context.Context, time.Duration) error { return nil },
		Logf: func(format string, args ...any) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.logs = append(e.logs, fmt.Sprintf(format, args...))
		}})
}

func (e *env) issues(t *testing.T, repo string) []emulator.Issue {
	t.Helper()
	for _, r := range e.srv.State().Repositories {
		if r.FullName == repo {
			return r.Issues
		}
	}
	t.Fatalf("no repository %s", repo)
	return nil
}

func (e *env) writes() int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Method != "GET" {
			n++
		}
	}
	return n
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// domain is one domain of a synthetic monitor report.
type domain struct {
	score      int
	components []string // finding components (severity from the band)
}

// monitorJSON builds an ecosystem_analysis.json with the given domains.
func monitorJSON(at time.Time, domains map[string]domain, missing ...string) string {
	doms := map[string]any{}
	for name, d := range domains {
		band := "healthy"
		switch LevelForScore(d.score) {
		case LevelWarning:
			band = "warning"
		case LevelCritical:
			band = "critical"
		}
		var findings []any
		for _, c := range d.components {
			findings = append(findings, map[string]any{"severity": band, "component": c, "message": c + " is bad"})
		}
		doms[name] = map[string]any{"health_score": d.score, "band": band, "confidence": 1, "findings": findings,
			"url": "https://github.com/" + name, "default_branch": "main"}
	}
	if missing == nil {
		missing = []string{}
	}
	b, _ := json.Marshal(map[string]any{"schema_version": "2.0", "timestamp": at, "summary": map[string]any{},
		"domains": doms, "failures": []any{}, "partial": len(missing) > 0, "missing": missing})
	return string(b)
}
