package stale

import (
	"net/url"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// TestLabelWithSlashAndSpecials: a stale label with '/', '?', '#', '%' or
// a space ("lifecycle/stale" is common in Kubernetes-style repositories)
// is one path segment: the warning adds it, the un-stale removes it, and
// no request goes anywhere else. Before, "lifecycle/stale" addressed
// .../labels/lifecycle/stale, a route that does not exist; the 404 counted
// as done and the label stayed.
func TestLabelWithSlashAndSpecials(t *testing.T) {
	t.Parallel()
	for _, label := range []string{"lifecycle/stale", "stale?x=1", "stale#1", "100% stale", "a/b/c d"} {
		t.Run(url.PathEscape(label), func(t *testing.T) {
			t.Parallel()
			fresh := fxPull(2, 90) // untouched for 90 days: gets the warning
			p := warned(fxPull(1, 90), 10)
			p.Labels = []string{label}
			p.Events[len(p.Events)-1].Label = label
			p.Comments = append(p.Comments, emulator.Comment{ID: 5, User: "alice", Body: "still on it", CreatedAt: ago(2)})
			e := startEnv(t, fixture(fxRepo("app", []emulator.Pull{p, fresh})))
			e.mustRun(policy(func(p *Policy) { p.StaleLabel = label }), false)
			if got := e.pull("acme/app", 1); containsFold(got.Labels, label) {
				t.Errorf("#1 still has %q after the un-stale: %v", label, got.Labels)
			}
			if got := e.pull("acme/app", 2); !containsFold(got.Labels, label) {
				t.Errorf("#2 did not get %q: %v", label, got.Labels)
			}
			for _, r := range e.srv.Requests() {
				if r.Method == "GET" || strings.HasSuffix(r.Path, "/graphql") {
					continue
				}
				if !strings.HasPrefix(r.Path, "/repos/acme/app/issues/") || r.Status >= 300 {
					t.Errorf("%s %s → %d: outside the issue routes, or refused", r.Method, r.Path, r.Status)
				}
			}
		})
	}
}
