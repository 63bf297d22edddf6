package apitraffic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	alertentry "github.com/sparesparrow/ecosystem-actions/action-alert/entry"
	fixerentry "github.com/sparesparrow/ecosystem-actions/action-fixer/entry"
	monitorentry "github.com/sparesparrow/ecosystem-actions/action-monitor/entry"
	staleentry "github.com/sparesparrow/ecosystem-actions/action-stale/entry"
	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator/openapitest"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner/runnertest"
)

// description is GitHub's description trimmed to the paths the emulator
// serves (a request for any other operation is named from the whole
// description's operation list), loaded once per test binary.
var description = sync.OnceValues(func() (*openapitest.Description, error) {
	var paths []string
	for _, r := range emulator.Routes() {
		paths = append(paths, r.Path)
	}
	return openapitest.Load(paths, nil)
})

// example is the example ecosystem, read once (servers copy it).
var example = sync.OnceValues(func() (*emulator.Fixture, error) {
	return emulator.LoadFixture(emulator.ExampleFixturePath())
})

// entry is one action as its main.go runs it.
type entry struct {
	spec runner.Spec
	run  func(context.Context, *runner.Run) error
}

var entries = map[string]entry{
	"monitor": {monitorentry.Spec(), monitorentry.Run},
	"fixer":   {fixerentry.Spec(), fixerentry.Run},
	"stale":   {staleentry.Spec(), staleentry.Run},
	"alert":   {alertentry.Spec(), alertentry.Run},
}

// world is one emulator on the example ecosystem, recording its traffic,
// with a settable clock, and the workflow context steps run in.
type world struct {
	t   *testing.T
	srv *emulator.Server
	mu  sync.Mutex
	now time.Time
	ctx *containertest.Context
	ws  string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	f, err := example()
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, now: f.ReferenceTime, ws: t.TempDir()}
	// The secondary limits are off: the clock stands still, so a scenario's
	// writes would all fall into one minute, which a real run spreads out.
	w.srv = emulator.StartForTest(t, f, emulator.Options{Now: w.clock, RecordTraffic: true, SecondaryLimit: -1})
	w.ctx = containertest.GitHubContextForTest()
	w.ctx.GitHub["workspace"] = w.ws
	w.ctx.Env = map[string]string{"REPORTS": filepath.Join(w.ws, "reports")}
	w.ctx.Steps = map[string]map[string]string{}
	return w
}

func (w *world) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

func (w *world) advance(d time.Duration) { w.mu.Lock(); defer w.mu.Unlock(); w.now = w.now.Add(d) }

// step runs one step the way the runner runs a container step (INPUT_*
// from the action's declared inputs and defaults, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files) and returns its outputs. A failing step fails
// the test; its traffic is still validated.
func (w *world) step(st containertest.Step) map[string]string {
	w.t.Helper()
	a, err := containertest.LoadAction(filepath.Join("..", "..", "action-"+st.Action))
	if err != nil {
		w.t.Fatal(err)
	}
	inputs, _, err := a.InputEnv(st.With, w.ctx)
	if err != nil {
		w.t.Fatalf("step %s: %v", st.ID, err)
	}
	p := containertest.Paths{Workspace: w.ws, Temp: filepath.Join(w.ws, "_temp"), Home: filepath.Join(w.ws, "_home"), Workflow: filepath.Join(w.ws, "_workflow")}
	env := map[string]string{}
	for _, kv := range append(containertest.StepEnv(w.ctx, w.srv.URL(), p, nil), inputs...) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	ep := entries[st.Action]
	res := runnertest.Execute(w.t, ep.spec, ep.run, env, nil, w.clock())
	if res.Code != 0 {
		w.t.Errorf("step %s exited %d:\n%s", st.ID, res.Code, res.Stdout)
	}
	outs, err := containertest.Outputs([]byte(res.Outputs))
	if err != nil {
		w.t.Fatalf("step %s: outputs: %v", st.ID, err)
	}
	w.ctx.Steps[st.ID] = outs
	return outs
}

// with returns base with the pairs kv (key, value, key, value...) set.
func with(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

const day = 24 * time.Hour

// healedReport writes a copy of the monitor report at path in which domain
// shows no problem, and returns its path.
func healedReport(t *testing.T, path, domain string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	d, ok := r["domains"].(map[string]any)[domain].(map[string]any)
	if !ok {
		t.Fatalf("%s: no domain %s", path, domain)
	}
	d["issues_detected"], d["findings"], d["critical_alerts"], d["band"], d["health_score"] = []any{}, []any{}, []any{}, "healthy", 100
	if ci, ok := d["ci"].(map[string]any); ok {
		for k, v := range ci {
			if _, num := v.(float64); num && strings.Contains(k, "streak") {
				ci[k] = 0
			}
		}
	}
	var kept []any
	for _, f := range r["failures"].([]any) {
		if f.(map[string]any)["domain"] != domain {
			kept = append(kept, f)
		}
	}
	r["failures"] = kept
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(filepath.Dir(path), "healed_analysis.json")
	if err := os.WriteFile(p, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// scenarios are the runs whose traffic is checked.
var scenarios = []struct {
	name string
	run  func(w *world)
}{
	{"demo_chain", func(w *world) {
		for _, st := range containertest.DemoChain() {
			w.step(st)
		}
	}},
	{"stale_writes", func(w *world) {
		stale := map[string]string{
			"repositories": containertest.DemoDomains, "owner": "sparesparrow", "dry_run": "false",
			"include_issues": "true", "close_issues": "true", "close_prs": "true", "delete_branches": "true",
			"operations_per_run": "200", "output_dir": "${{ env.REPORTS }}",
		}
		// The first run warns, labels, closes what was warned before, and
		// un-stales what people touched since; the tracking issues list the
		// stale branches.
		out := w.step(containertest.Step{ID: "stale1", Action: "stale", With: stale})
		if !strings.Contains(out["closed_prs"], `"number":190`) || !strings.Contains(out["warned_branches"], "temp-fips-test") {
			w.t.Errorf("run 1 did not close #190 (warned 9 days ago) or list the stale branches: closed_prs %s warned_branches %s", out["closed_prs"], out["warned_branches"])
		}
		// Past days_until_close: the second closes and deletes what the
		// first warned.
		w.advance(8 * day)
		out = w.step(containertest.Step{ID: "stale2", Action: "stale", With: stale})
		if out["closed_prs"] == "[]" || !strings.Contains(out["closed_issues"], `"number":195`) || !strings.Contains(out["deleted_branches"], "temp-fips-test") {
			w.t.Errorf("run 2 did not close and delete what run 1 warned: closed_prs %s closed_issues %s deleted_branches %s", out["closed_prs"], out["closed_issues"], out["deleted_branches"])
		}
	}},
	{"alert_lifecycle", func(w *world) {
		w.step(containertest.Step{ID: "monitor", Action: "monitor", With: map[string]string{
			"domains": containertest.DemoDomains, "owner": "sparesparrow", "output_dir": "${{ env.REPORTS }}", "analyze_failures": "true",
		}})
		report := w.ctx.Steps["monitor"]["report_path"]
		alert := func(id, report string) map[string]string {
			w.advance(time.Hour)
			w.ctx.GitHub["run_id"] = id
			out := w.step(containertest.Step{ID: "alert" + id, Action: "alert", With: map[string]string{
				"reports":          report,
				"channels":         "issue,repository_dispatch,workflow_dispatch",
				"dispatch_targets": "mcp-project-orchestrator",
				"workflow":         "orchestrator.yml",
				"workflow_ref":     "main",
				"workflow_inputs":  `{"release_type":"domain","triggered_by":"alert","source_repository":"sparesparrow/openssl-tools","source_version":"1.0.0"}`,
				"labels":           "ci,triage",
				"owner":            "sparesparrow", "dry_run": "false", "output_dir": "${{ env.REPORTS }}",
			}})
			w.t.Logf("alert run %s: issues %s; dispatches %d bytes", id, out["issues"], len(out["dispatches"]))
			return out
		}
		// Open (and update the earlier #64, commenting), claim, dispatch
		// both kinds.
		alert("2", report)
		// openssl-fips-policy healed: its issue is resolved (closed).
		healed := healedReport(w.t, report, "sparesparrow/openssl-fips-policy")
		if out := alert("3", healed); !strings.Contains(out["issues"], `"closed":[6`) {
			w.t.Errorf("the healed domain's issue was not closed: %s", out["issues"])
		}
		// And back: the same problem reopens it.
		if out := alert("4", report); !strings.Contains(out["issues"], `"reopened":[6`) {
			w.t.Errorf("the returning problem did not reopen its issue: %s", out["issues"])
		}
	}},
	{"fixer_pull_request", func(w *world) {
		w.step(containertest.Step{ID: "monitor", Action: "monitor", With: map[string]string{
			"domains": containertest.DemoDomains, "owner": "sparesparrow", "output_dir": "${{ env.REPORTS }}",
			"analyze_failures": "true", "signal_heads": "5", "history_file": "${{ env.REPORTS }}/history.json",
		}})
		// The Release run that fails on actions/upload-artifact@v3: its
		// workflow is patched and proposed in a pull request.
		out := w.step(containertest.Step{ID: "fixer", Action: "fixer", With: map[string]string{
			"repository": "sparesparrow/mcp-project-orchestrator", "run_id": "11596130220",
			"workflow_file": ".github/workflows/release.yml", "output_dir": "${{ env.REPORTS }}",
			"create_pull_request": "true", "cooperation": "true", "target_repos": "sparesparrow/mcp-project-orchestrator",
		}})
		if out["pull_request_url"] == "" {
			w.t.Error("the fixer opened no pull request")
		}
	}},
}

// tally is what the validation found, over every scenario.
type tally struct {
	mu         sync.Mutex
	requests   int
	conforming int
	ops        map[string]int
	departures map[string][]string // "operation: what" → where
}

func TestActionsTrafficConformsToTheDescription(t *testing.T) {
	t.Parallel()
	desc, err := description()
	d := openapitest.Require(t, desc, err)
	all := &tally{ops: map[string]int{}, departures: map[string][]string{}}
	t.Run("scenarios", func(t *testing.T) {
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				sc.run(w)
				traffic := w.srv.Traffic()
				if dir := os.Getenv("APITRAFFIC_DUMP"); dir != "" {
					b, _ := json.MarshalIndent(traffic, "", " ")
					_ = os.WriteFile(filepath.Join(dir, sc.name+".json"), b, 0o600)
				}
				if len(traffic) == 0 {
					t.Fatal("no request recorded: the scenario proves nothing")
				}
				bad := 0
				for i, ex := range traffic {
					op, errs := validate(d, ex)
					all.mu.Lock()
					all.requests++
					all.ops[op]++
					if len(errs) == 0 {
						all.conforming++
					}
					for _, e := range errs {
						key := op + ": " + clipText(e, 240)
						all.departures[key] = append(all.departures[key], fmt.Sprintf("%s #%d %s %s", sc.name, i, ex.Method, ex.Path))
					}
					all.mu.Unlock()
					if len(errs) > 0 {
						bad++
						t.Errorf("request %d: %s %s (%s) → %d:\n  %s", i, ex.Method, requestURI(ex), op, ex.Status, strings.Join(errs, "\n  "))
					}
				}
				t.Logf("%s: %d requests, %d depart from the description", sc.name, len(traffic), bad)
			})
		}
	})
	var ops []string
	for op, n := range all.ops {
		ops = append(ops, fmt.Sprintf("%s ×%d", op, n))
	}
	sort.Strings(ops)
	var deps []string
	for k, where := range all.departures {
		deps = append(deps, fmt.Sprintf("%s (×%d, first %s)", k, len(where), where[0]))
	}
	sort.Strings(deps)
	t.Logf("actions' traffic: %d requests recorded, %d distinct operations, %d requests conforming (request and answer); errata applied to the description: %d oneOf read as anyOf, %d allOf read as anyOf, %d search-syntax query parameters without format date-time\n  operations: %s",
		all.requests, len(all.ops), all.conforming, d.OneOfs, d.AllOfs, d.Formats, strings.Join(ops, ", "))
	if len(deps) > 0 {
		t.Logf("%d distinct departures:\n  %s", len(deps), strings.Join(deps, "\n  "))
	}
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func requestURI(ex emulator.Exchange) string {
	if ex.Query == "" {
		return ex.Path
	}
	return ex.Path + "?" + ex.Query
}

// validate checks one exchange: the request against the operation it is
// for (parameters, body; no undocumented query parameter, no body where
// the operation takes none), the answer against the operation's
// responses. It returns the operation's id and what departs.
func validate(d *openapitest.Description, ex emulator.Exchange) (string, []string) {
	path := ex.Path
	if p, ok := strings.CutPrefix(path, "/api/v3"); ok && (p == "" || strings.HasPrefix(p, "/")) {
		path = p
	}
	tmpl, id, ok := d.Match(ex.Method, path)
	if !ok {
		return ex.Method + " " + path, []string{"no operation of the description is " + ex.Method + " " + path}
	}
	item := d.Paths.Find(tmpl)
	if item == nil {
		return id, []string{fmt.Sprintf("%s %s is %s, which the emulator does not serve", ex.Method, tmpl, id)}
	}
	op := item.GetOperation(ex.Method)
	params, _ := openapitest.TemplateParams(tmpl, path)
	target := "https://api.github.com" + path
	if ex.Query != "" {
		target += "?" + ex.Query
	}
	req, err := http.NewRequest(ex.Method, target, bytes.NewReader(ex.Body))
	if err != nil {
		return id, []string{err.Error()}
	}
	req.Header = ex.Header.Clone()
	route := &routers.Route{Spec: d.T, Path: tmpl, PathItem: item, Method: ex.Method, Operation: op}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	var errs []string
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		errs = append(errs, "request: "+openapitest.OneLine(err))
	}
	documented := map[string]bool{}
	for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				documented[p.Value.Name] = true
			}
		}
	}
	q, err := url.ParseQuery(ex.Query)
	if err != nil {
		errs = append(errs, "request: query: "+err.Error())
	}
	var unknown []string
	for k := range q {
		if !documented[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs = append(errs, fmt.Sprintf("request: query parameter %q is not a parameter of %s", k, id))
	}
	if op.RequestBody == nil && len(bytes.TrimSpace(ex.Body)) > 0 {
		errs = append(errs, fmt.Sprintf("request: a body (%s) where %s takes none", openapitest.Clip(ex.Body), id))
	}
	if ex.Status == 0 {
		return id, append(errs, "no answer (connection dropped)")
	}
	answer, _ := openapitest.ValidateAnswer(d, in, op, ex.Status, ex.ResponseHeader, ex.ResponseBody)
	return id, append(errs, answer...)
}
