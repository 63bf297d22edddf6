package alert

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sparesparrow/ecosystem-actions/pkg/dispatch"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// exampleDomains are the four domains of the example ecosystem
// (testdata/ecosystem), which the reports in testdata/ describe.
var exampleDomains = []string{"sparesparrow/openssl-tools", "sparesparrow/openssl-conan-base", "sparesparrow/openssl-fips-policy",
	"sparesparrow/mcp-project-orchestrator"}

// TestRepositoryDispatch_example_ecosystem_one_event_per_target: the
// example ecosystem's reports open dozens of alerts; each target still gets
// at most one event per event type (ecosystem-alert once, domain-failure
// once and only when it is itself failing), each payload within GitHub's
// limits, and a re-run of the same run id sends nothing.
func TestRepositoryDispatch_example_ecosystem_one_event_per_target(t *testing.T) {
	t.Parallel()
	f, err := emulator.LoadFixture(filepath.Join("..", "..", "testdata", "ecosystem", "ecosystem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, f, emulator.Options{})
	cfg := e.config(t, "ecosystem_analysis.json,failure_analysis.json,stale_analysis.json", 4242)
	cfg.BaseDir, cfg.Repository = "testdata", "sparesparrow/mcp-project-orchestrator"
	cfg.Channels = []string{ChannelIssue, ChannelRepositoryDispatch}
	cfg.DispatchTargets = exampleDomains
	res, err := e.run(t, cfg)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	notable := 0
	failing := map[string]bool{}
	for _, ar := range res.Alerts {
		if ar.Notify != "" {
			notable++
			if ar.Problem == ProblemFailure {
				failing[ar.Scope] = true
			}
		}
	}
	if notable < 10 {
		t.Fatalf("only %d notable alerts: the example reports should open many", notable)
	}
	perTarget := map[string]map[string]int{}
	for _, d := range e.srv.Dispatches() {
		if perTarget[d.Repo] == nil {
			perTarget[d.Repo] = map[string]int{}
		}
		perTarget[d.Repo][d.EventType]++
		if err := dispatch.ValidatePayload(d.ClientPayload); err != nil || len(d.ClientPayload) > dispatch.MaxPayloadKeys {
			t.Errorf("%s %s payload: %v (%d keys)", d.Repo, d.EventType, err, len(d.ClientPayload))
		}
		alerts, _ := d.ClientPayload["alerts"].([]any)
		if len(alerts) == 0 || len(alerts) > MaxPayloadAlerts {
			t.Errorf("%s %s carries %d alerts", d.Repo, d.EventType, len(alerts))
		}
		if d.EventType == EventDomainFailure {
			for _, a := range alerts {
				if dom := a.(map[string]any)["domain"]; dom != d.Repo {
					t.Errorf("domain-failure to %s carries an alert of %v", d.Repo, dom)
				}
			}
		}
	}
	want := map[string]map[string]int{}
	for _, repo := range exampleDomains {
		want[repo] = map[string]int{EventEcosystemAlert: 1}
		if failing[repo] {
			want[repo][EventDomainFailure] = 1
		}
	}
	if diff := cmp.Diff(want, perTarget); diff != "" {
		t.Errorf("dispatches per target and event type (-want +got):\n%s", diff)
	}
	for repo, n := range perTarget {
		total := 0
		for _, c := range n {
			total += c
		}
		if total > 2 {
			t.Errorf("%s received %d dispatches, want at most 2", repo, total)
		}
	}
	t.Logf("%d notable alerts, failing domains %v, dispatches %v", notable, failing, perTarget)
	if len(failing) == 0 {
		t.Error("no failing domain: the routing of domain-failure is not exercised")
	}

	before := len(e.srv.Dispatches())
	res, err = e.run(t, cfg)
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if n := len(e.srv.Dispatches()) - before; n != 0 || len(res.Dispatches) != 0 {
		t.Errorf("re-run of the same run sent %d dispatches (%d results)", n, len(res.Dispatches))
	}
}

// TestAggregatePayload_bounded: more alerts than fit are cut to the
// highest levels, counted and flagged.
func TestAggregatePayload_bounded(t *testing.T) {
	t.Parallel()
	rs := &runState{cfg: Config{RunID: 9, RunURL: "https://x/runs/9", Repository: "eco/alerts"}}
	var ars []*AlertResult
	for i := range 30 {
		l, n := LevelLow, NotifyOpened
		if i%10 == 0 {
			l, n = LevelCritical, NotifyReopened
		}
		ars = append(ars, &AlertResult{Fingerprint: itoa(int64(i)), Level: l, Notify: n, Scope: "eco/one", Title: string(make([]rune, 500))})
	}
	p, err := rs.aggregatePayload(ars, "eco/one")
	if err != nil {
		t.Fatal(err)
	}
	if err := dispatch.ValidatePayload(p); err != nil {
		t.Fatal(err)
	}
	items := p["alerts"].([]PayloadAlert)
	var keys []string
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if diff := cmp.Diff([]string{"alerts", "counts", "domain", "level", "repository", "run_id", "run_url", "source", "total", "truncated"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if len(items) != MaxPayloadAlerts || p["truncated"] != true || p["total"] != 30 || p["level"] != string(LevelCritical) {
		t.Errorf("payload: %d alerts, truncated %v, total %v, level %v", len(items), p["truncated"], p["total"], p["level"])
	}
	for i := range 3 {
		if items[i].Level != LevelCritical {
			t.Errorf("alert %d level %s, want the critical ones first", i, items[i].Level)
		}
	}
	if got := len([]rune(items[0].Title)); got != maxPayloadTitle {
		t.Errorf("title of %d runes, want %d", got, maxPayloadTitle)
	}
	want := map[string]int{NotifyOpened: 27, NotifyChanged: 0, NotifyReopened: 3, NotifyResolved: 0}
	if diff := cmp.Diff(want, p["counts"]); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
