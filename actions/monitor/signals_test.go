package monitor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// TestEverySignalHasItsSource: on the example ecosystem every one of the
// 23 names of the specification (and the other feed types) is in each
// readable domain's signals with a value and the API it was read from, or
// with the reason it could not be read; the ecosystem exercises each
// source; and the counts of the signals outside the feed equal what the
// fixture holds in the window (counted here from the fixture, not by the
// monitor's code).
func TestEverySignalHasItsSource(t *testing.T) {
	t.Parallel()
	f := sharedExample(t)
	window := 14 * 24 * time.Hour // the default run's
	rep := defaultExample(t)
	start := f.ReferenceTime.Add(-window)
	sources := map[string]int{}
	for _, r := range f.Repositories {
		d, ok := rep.Domains[r.FullName()]
		if !ok {
			t.Fatalf("%s missing from the report", r.FullName())
		}
		for _, name := range EventTypes {
			s, ok := d.Signals[name]
			switch {
			case !ok:
				t.Errorf("%s: signal %s missing", r.FullName(), name)
			case s.Value == nil && s.Reason == "":
				t.Errorf("%s: %s has neither a value nor a reason: %+v", r.FullName(), name, s)
			case s.Value != nil && (s.Source == "" || s.Endpoint == ""):
				t.Errorf("%s: %s = %d without its source: %+v", r.FullName(), name, *s.Value, s)
			case s.Value != nil && d.EventTypes[name] != *s.Value:
				t.Errorf("%s: event_types[%s] = %d, signals say %d", r.FullName(), name, d.EventTypes[name], *s.Value)
			}
			if s.Value != nil && *s.Value > 0 {
				sources[s.Source]++
			}
		}
		if r.Archived || r.Status != 0 {
			continue
		}
		// Independent counts from the fixture.
		deployments, statuses := 0, 0
		for _, dp := range r.Deployments {
			if !dp.CreatedAt.Before(start) {
				deployments++
				for _, st := range dp.Statuses {
					if !st.CreatedAt.Before(start) {
						statuses++
					}
				}
			}
		}
		if got := d.Signals["DeploymentEvent"].Value; got == nil || *got != deployments {
			t.Errorf("%s: DeploymentEvent = %v, the fixture holds %d deployments in the window", r.FullName(), got, deployments)
		}
		if got := d.Signals["DeploymentStatusEvent"].Value; got == nil || *got != statuses {
			t.Errorf("%s: DeploymentStatusEvent = %v, the fixture holds %d statuses of them", r.FullName(), got, statuses)
		}
		if s := d.Signals["TeamAddEvent"]; s.Value == nil || *s.Value != 0 || s.Note == "" {
			t.Errorf("%s: TeamAddEvent = %+v, want 0 with the note that a user account has no teams", r.FullName(), s)
		}
		if s := d.Signals["MarketplacePurchaseEvent"]; s.Value != nil || s.Reason == "" {
			t.Errorf("%s: MarketplacePurchaseEvent = %+v, want no value and the reason", r.FullName(), s)
		}
	}
	for _, src := range []string{contract.SourceEvents, contract.SourceDeployments, contract.SourceDeploymentStatuses,
		contract.SourceCommitStatuses, contract.SourceCheckRuns, contract.SourceCheckSuites} {
		if sources[src] == 0 {
			t.Errorf("no signal of the example ecosystem came from %s: the fixture does not exercise it", src)
		}
	}
}

// TestSignalsWithoutPermission: a token without checks, statuses and
// deployments permissions still gets a report; those signals have no value
// and say the API answered 403 and which permission would let them be read.
func TestSignalsWithoutPermission(t *testing.T) {
	t.Parallel()
	fc := *sharedExample(t)
	f := &fc
	f.Tokens = map[string]emulator.Token{"t": {Login: "github-actions[bot]", Permissions: map[string]string{
		"contents": "read", "actions": "read", "issues": "read", "pull_requests": "read", "metadata": "read"}}}
	_, u := startEmulator(t, f, emulator.Options{})
	c := newClient(t, u, "", func(cfg *ghclient.Config) { cfg.Token = "t" })
	cfg := Config{Domains: repos(t, "sparesparrow/openssl-tools", "sparesparrow/openssl-fips-policy"), Now: f.ReferenceTime, OutputDir: t.TempDir()}
	res, err := Run(context.Background(), cfg, Deps{API: GitHubAPI{Client: c.Client}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"DeploymentEvent": "deployments: read", "DeploymentStatusEvent": "deployments: read",
		"StatusEvent": "statuses: read", "CheckRunEvent": "checks: read", "CheckSuiteEvent": "checks: read"}
	for name, d := range res.Report.Domains {
		for sig, perm := range want {
			s := d.Signals[sig]
			if s.Value != nil || s.Status != 403 || s.Permission != perm || s.Reason == "" {
				t.Errorf("%s: %s = %+v, want no value, status 403 and permission %q", name, sig, s, perm)
			}
			if d.EventTypes[sig] != 0 {
				t.Errorf("%s: event_types[%s] = %d for a signal that could not be read", name, sig, d.EventTypes[sig])
			}
		}
		if s := d.Signals["PushEvent"]; s.Value == nil {
			t.Errorf("%s: PushEvent = %+v: the events feed was readable", name, s)
		}
		// Each API that refused is a missing_data finding naming the
		// permission, and a recommendation to grant it.
		for data, perm := range map[string]string{"deployments": "deployments: read", "commit statuses": "statuses: read", "check runs and suites": "checks: read"} {
			found := false
			for _, f := range d.Findings {
				if f.Category == contract.CategoryMissingData && f.Component == data && f.Permission == perm {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no missing_data finding for %s with permission %s: %+v", name, data, perm, d.Findings)
			}
			if !strings.Contains(strings.Join(d.Recommendations, "\n"), perm) {
				t.Errorf("%s: no recommendation names %s", name, perm)
			}
		}
		if d.Band == BandUnknown {
			t.Errorf("%s: band unknown only because signals outside the score could not be read", name)
		}
	}
}

// TestSignalHeadsBoundTheCommitReads: signal_heads bounds the statuses and
// checks listings (3 per head); 0 (SignalHeads < 0) sends none and the three
// signals say why they have no value.
func TestSignalHeadsBoundTheCommitReads(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 3})
	for _, tc := range []struct {
		heads, want int
	}{{1, 3}, {-1, 0}} {
		e := newEnv(t, f, emulator.Options{}, "")
		cfg := genConfig(t, f)
		cfg.SignalHeads = tc.heads
		res, err := Run(context.Background(), cfg, e.deps())
		if err != nil {
			t.Fatal(err)
		}
		if got := apiRequests(e.srv)["commit_checks"]; got != tc.want*len(f.Repositories) {
			t.Errorf("signal heads %d: %d commit status/check listings, want %d", tc.heads, got, tc.want*len(f.Repositories))
		}
		for name, d := range res.Report.Domains {
			for _, sig := range []string{"StatusEvent", "CheckRunEvent", "CheckSuiteEvent"} {
				s := d.Signals[sig]
				if tc.heads < 0 && (s.Value != nil || !strings.Contains(s.Reason, "signal_heads")) {
					t.Errorf("%s: %s = %+v with signal_heads 0, want no value and the reason", name, sig, s)
				}
				if tc.heads > 0 && s.Value == nil {
					t.Errorf("%s: %s = %+v, want a value", name, sig, s)
				}
			}
		}
	}
}
