package securitytest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/runner/runnertest"
)

// FuzzHostileInputs feeds any string into any input of any action that
// names something GitHub puts in a request path (the pathClasses of
// inputClasses), on top of inputs that reach every route, and wants every
// request the emulator sees on the action's intended routes, a label
// arriving as exactly itself. make fuzz runs it briefly.
func FuzzHostileInputs(f *testing.F) {
	type target struct{ action, input, class string }
	var targets []target
	for _, action := range []string{"monitor", "fixer", "stale", "alert"} {
		for _, in := range entries()[action].spec.Inputs {
			if c := inputClasses[action][in.Name]; pathClasses[c] {
				targets = append(targets, target{action, in.Name, c})
			}
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].action+targets[i].input < targets[j].action+targets[j].input })
	for i, v := range hostile {
		f.Add(uint(i), v)
	}
	fx := exampleFixture(f)
	now := fx.ReferenceTime
	_, rec, apiURL := emulatorServer(f, fx, now)
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	m := newRouteMatcher()
	intended := map[string]map[string]bool{}
	for a, routes := range intendedRoutes {
		intended[a] = map[string]bool{}
		for _, r := range routes {
			intended[a][r] = true
		}
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, pick uint, value string) {
		tg := targets[pick%uint(len(targets))]
		ep := entries()[tg.action]
		token := fmt.Sprintf("fuzz-%d", n.Add(1))
		inputs := routeInputs(t, tg.action, dir)
		inputs[tg.input] = value
		env := map[string]string{"GITHUB_API_URL": apiURL, "GITHUB_REPOSITORY": "sparesparrow/openssl-tools",
			"GITHUB_REPOSITORY_OWNER": "sparesparrow", "GITHUB_RUN_ID": "1", "GITHUB_WORKSPACE": dir, "INPUT_GITHUB_TOKEN": token}
		runnertest.Execute(t, ep.spec, ep.run, env, inputs, now)
		for _, r := range rec.requests() {
			if r.Token != token {
				continue
			}
			h := m.match(r.Method, r.URL)
			switch {
			case !intended[tg.action][h.Route]:
				t.Fatalf("%s %s=%q: %s %s is off its routes (%s)", tg.action, tg.input, value, r.Method, r.URL, routeOrPath(h))
			case tg.class == "label" && h.Params["name"] != "" && h.Params["name"] != value:
				t.Fatalf("%s %s=%q: label arrived as %q", tg.action, tg.input, value, h.Params["name"])
			}
		}
	})
}
