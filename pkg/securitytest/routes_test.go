package securitytest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner/runnertest"
)

// routeMatcher tells which of the emulator's routes (GitHub's operations,
// pkg/emulator Routes) a request addresses, with its path parameters.
type routeMatcher struct{ mux *http.ServeMux }

type routeHit struct {
	Route  string            // "GET /repos/{owner}/{repo}/issues"
	Params map[string]string // decoded path parameters
}

var wildcard = regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)

func newRouteMatcher() *routeMatcher {
	mux := http.NewServeMux()
	for _, rt := range emulator.Routes() {
		pattern := rt.Method + " " + rt.Pattern
		var names []string
		for _, m := range wildcard.FindAllStringSubmatch(rt.Pattern, -1) {
			names = append(names, m[1])
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			hit := r.Context().Value(hitKey{}).(*routeHit)
			hit.Route = pattern
			hit.Params = map[string]string{}
			for _, n := range names {
				hit.Params[n] = r.PathValue(n)
			}
		})
	}
	return &routeMatcher{mux: mux}
}

type hitKey struct{}

// match returns the route of method and uri ("" when none matches).
func (m *routeMatcher) match(method, uri string) routeHit {
	if strings.Contains(uri, "?sig=") || strings.Contains(uri, "&sig=") {
		return routeHit{Route: signedDownload}
	}
	req := httptest.NewRequest(method, "http://emulator"+uri, nil)
	hit := &routeHit{}
	req = req.WithContext(contextWith(req, hit))
	m.mux.ServeHTTP(httptest.NewRecorder(), req)
	return *hit
}

// intendedRoutes are the GitHub operations each action uses (emulator
// route patterns): what its code calls, no more. A route outside its
// action's list is one a value steered a request to.
var intendedRoutes = map[string][]string{
	"monitor": {
		"GET /repos/{owner}/{repo}", "GET /repos/{owner}/{repo}/actions/runs", "GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
		"GET /repos/{owner}/{repo}/events", "GET /repos/{owner}/{repo}/issues", "GET /orgs/{org}/repos", "GET /users/{username}/repos",
		"GET /installation/repositories", "GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", signedDownload, "GET /rate_limit",
		"GET /repos/{owner}/{repo}/deployments", "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
		"GET /repos/{owner}/{repo}/commits/{ref}/statuses", "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
		"GET /repos/{owner}/{repo}/commits/{ref}/check-suites",
	},
	"fixer": {
		"GET /repos/{owner}/{repo}/actions/jobs/{job_id}", "GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", signedDownload,
		"GET /repos/{owner}/{repo}/actions/runs/{run_id}", "GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
		"GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}", "GET /repos/{owner}/{repo}/contents/{path...}",
		"POST /repos/{owner}/{repo}/dispatches", "GET /repos/{owner}/{repo}", "GET /repos/{owner}/{repo}/git/ref/{ref...}",
		"POST /repos/{owner}/{repo}/git/refs", "PUT /repos/{owner}/{repo}/contents/{path...}", "GET /repos/{owner}/{repo}/pulls",
		"POST /repos/{owner}/{repo}/pulls",
	},
	"stale": {
		"GET /rate_limit", "GET /user", "POST /graphql", "GET /repos/{owner}/{repo}", "GET /repos/{owner}/{repo}/branches",
		"GET /repos/{owner}/{repo}/branches/{branch...}", "GET /repos/{owner}/{repo}/commits/{ref...}", "GET /repos/{owner}/{repo}/contents/{path...}",
		"GET /repos/{owner}/{repo}/issues", "GET /repos/{owner}/{repo}/issues/comments", "GET /repos/{owner}/{repo}/issues/events",
		"GET /repos/{owner}/{repo}/issues/{number}/comments", "GET /repos/{owner}/{repo}/issues/{number}/timeline", "GET /repos/{owner}/{repo}/pulls",
		"POST /repos/{owner}/{repo}/issues", "PATCH /repos/{owner}/{repo}/issues/{number}", "PATCH /repos/{owner}/{repo}/issues/{number}/{sub}",
		"POST /repos/{owner}/{repo}/issues/{number}/comments", "POST /repos/{owner}/{repo}/issues/{number}/labels",
		"DELETE /repos/{owner}/{repo}/issues/{number}/labels/{name}", "DELETE /repos/{owner}/{repo}/git/refs/{ref...}",
	},
	"alert": {
		"GET /user", "POST /graphql", "GET /repos/{owner}/{repo}/issues", "POST /repos/{owner}/{repo}/issues",
		"PATCH /repos/{owner}/{repo}/issues/{number}", "POST /repos/{owner}/{repo}/issues/{number}/comments",
		"GET /repos/{owner}/{repo}/issues/{number}/comments", "POST /repos/{owner}/{repo}/dispatches",
		"POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
		"GET /repos/{owner}/{repo}/actions/runs", "GET /search/issues", "POST /repos/{owner}/{repo}/labels",
		"GET /repos/{owner}/{repo}/contents/{path...}", "GET /repos/{owner}/{repo}/actions/workflows",
		"GET /repos/{owner}/{repo}/issues/{number}",
	},
}

// signedDownload is the emulator's token-free log download (the blob URL
// GET …/logs redirects to).
const signedDownload = "GET (signed download)"

// pathClasses are the input classes whose values go into request paths.
var pathClasses = map[string]bool{"owner": true, "repos": true, "repo": true, "label": true, "labels": true, "login": true,
	"logins": true, "logins*": true, "mentions": true, "email": true, "emails": true, "workflow": true, "workflow_file": true, "ref": true}

// hostile are values an attacker writes into inputs that name things:
// path climbing (raw, percent-encoded, behind %2F or '\'), queries and
// fragments, other repositories, and legitimate names with characters a
// path must escape (a label "lifecycle/stale", "100%").
var hostile = []string{
	"../../user", "../../../git/refs/heads/main", "x/../../y", "..", ".", "%2e%2e", "..%2Fx", "..%5C..%5Cx", "a?b=c", "a#b",
	`a\..\b`, "lifecycle/stale", "a b", "100%", "a%2Fb", "ok,../x", "x\ny", "../../dispatches?x=", "o/r/../../x",
	"sparesparrow/openssl-tools?x=1", "sparesparrow/../user", "sparesparrow/openssl-tools/../../user", ".github/workflows/../../x.yml",
	"x.yml?ref=evil", "%252e%252e", "a/%2e%2e/b",
}

// routeInputs are valid inputs with which each action reaches every route
// its path inputs feed: writes included (not a dry run), dispatches,
// webhooks to nowhere, a pull request.
func routeInputs(t *testing.T, action, dir string) map[string]string {
	t.Helper()
	in := baseInputs(t, action, dir)
	switch action {
	case "fixer":
		in["cooperation"], in["target_repos"] = "true", "sparesparrow/openssl-tools"
		in["workflow_file"], in["create_pull_request"] = ".github/workflows/ci.yml", "true"
	case "stale":
		in["dry_run"], in["include_issues"], in["close_prs"], in["close_issues"] = "false", "true", "true", "true"
		in["stale_label"], in["exempt_labels"], in["any_of_labels"] = "stale", "pinned", ""
	case "alert":
		in["dry_run"], in["channels"], in["dispatch_targets"] = "false", "issue,repository_dispatch,workflow_dispatch", "sparesparrow/openssl-tools"
		in["workflow"], in["workflow_ref"], in["labels"], in["assignees"] = "ci.yml", "master", "ops", "sparesparrow"
	}
	return in
}

// TestHostileInputsStayOnTheirRoutes runs each action once with valid
// inputs (the routes it intends), then with every hostile value in every
// input that names something GitHub puts in a path, and wants every
// request of the hostile runs on one of the intended routes, with a label
// value arriving as exactly the label.
func TestHostileInputsStayOnTheirRoutes(t *testing.T) {
	t.Parallel()
	f := exampleFixture(t)
	now := f.ReferenceTime
	_, rec, apiURL := emulatorServer(t, f, now)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newRouteMatcher()
	env := func(token string) map[string]string {
		return map[string]string{"GITHUB_API_URL": apiURL, "GITHUB_REPOSITORY": "sparesparrow/openssl-tools",
			"GITHUB_REPOSITORY_OWNER": "sparesparrow", "GITHUB_RUN_ID": "1", "GITHUB_WORKSPACE": dir, "INPUT_GITHUB_TOKEN": token}
	}
	hitsBy := func(token string) []routeHit {
		var out []routeHit
		for _, r := range rec.requests() {
			if r.Token == token {
				out = append(out, m.match(r.Method, r.URL))
			}
		}
		return out
	}
	var (
		mu             sync.Mutex
		outside, cases int
	)
	t.Cleanup(func() { t.Logf("hostile values: %d runs, %d requests outside the intended routes", cases, outside) })
	for _, action := range []string{"monitor", "fixer", "stale", "alert"} {
		ep := entries()[action]
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			baseTok := "routes-base-" + action
			st := runnertest.Execute(t, ep.spec, ep.run, env(baseTok), routeInputs(t, action, dir), now)
			intended := map[string]bool{}
			for _, r := range intendedRoutes[action] {
				intended[r] = true
			}
			used := map[string]bool{}
			for _, h := range hitsBy(baseTok) {
				used[h.Route] = true
				if !intended[h.Route] {
					t.Errorf("the valid run of %s used %s, not in its intended routes", action, routeOrPath(h))
				}
			}
			if len(used) < 3 {
				t.Fatalf("the valid run of %s used only %v (exit %d): the test would prove little\n%.3000s", action, sortedKeys(used), st.Code, st.Stdout)
			}
			for _, in := range ep.spec.Inputs {
				if !pathClasses[inputClasses[action][in.Name]] {
					continue
				}
				for i, v := range hostile {
					in, v, token := in, v, fmt.Sprintf("routes-%s-%s-%d", action, in.Name, i)
					t.Run(fmt.Sprintf("%s/%d", in.Name, i), func(t *testing.T) {
						t.Parallel()
						inputs := routeInputs(t, action, dir)
						inputs[in.Name] = v
						runnertest.Execute(t, ep.spec, ep.run, env(token), inputs, now)
						var bad []string
						for _, h := range hitsBy(token) {
							switch {
							case !intended[h.Route]:
								bad = append(bad, "off route: "+routeOrPath(h))
							case inputClasses[action][in.Name] == "label" && h.Params["name"] != "" && h.Params["name"] != v:
								bad = append(bad, fmt.Sprintf("label %q arrived as %q", v, h.Params["name"]))
							}
						}
						mu.Lock()
						cases++
						outside += len(bad)
						mu.Unlock()
						if len(bad) > 0 {
							t.Errorf("%s=%q: %s", in.Name, v, strings.Join(bad, "; "))
						}
					})
				}
			}
		})
	}
}

func routeOrPath(h routeHit) string {
	if h.Route == "" {
		return "(no GitHub route)"
	}
	keys := sortedKeys(h.Params)
	var ps []string
	for _, k := range keys {
		ps = append(ps, k+"="+h.Params[k])
	}
	sort.Strings(ps)
	return h.Route + " " + strings.Join(ps, " ")
}
