package alert

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInhibit(t *testing.T) {
	t.Parallel()
	root := func(fp, domain string, workflows ...string) Alert {
		return Alert{Fingerprint: fp, Source: KindFixer, Problem: ProblemFailure, Scope: domain, Workflow: workflows[0], Workflows: workflows}
	}
	failing := func(fp, domain, workflow string) Alert {
		return Alert{Fingerprint: fp, Source: KindMonitor, Problem: ProblemFailure, Scope: domain, Workflow: workflow}
	}
	health := func(fp, domain string, comps ...string) Alert {
		return Alert{Fingerprint: fp, Source: KindMonitor, Problem: ProblemUnhealthy, Scope: domain, Components: comps}
	}
	for _, tt := range []struct {
		name   string
		alerts []Alert
		want   map[string][]string // fingerprint → suppressed by
	}{
		{"same_domain_and_workflow", []Alert{root("r", "eco/a", "CI"), failing("f", "eco/a", "CI")}, map[string][]string{"f": {"r"}}},
		{"other_workflow", []Alert{root("r", "eco/a", "CI"), failing("f", "eco/a", "Nightly")}, map[string][]string{}},
		{"other_domain", []Alert{root("r", "eco/b", "CI"), failing("f", "eco/a", "CI")}, map[string][]string{}},
		{"one_root_several_workflows", []Alert{root("r", "eco/a", "Monitor", "Release"), failing("f1", "eco/a", "Monitor"), failing("f2", "eco/a", "Release")},
			map[string][]string{"f1": {"r"}, "f2": {"r"}}},
		{"health_only_ci_all_explained", []Alert{root("r", "eco/a", "CI"), failing("f", "eco/a", "CI"), health("h", "eco/a", "failure_streak", "ci_success_rate")},
			map[string][]string{"f": {"r"}, "h": {"r"}}},
		{"health_with_other_component", []Alert{root("r", "eco/a", "CI"), failing("f", "eco/a", "CI"), health("h", "eco/a", "failure_streak", "stale_pr_load")},
			map[string][]string{"f": {"r"}}},
		{"health_with_unexplained_workflow", []Alert{root("r", "eco/a", "CI"), failing("f", "eco/a", "CI"), failing("g", "eco/a", "Nightly"), health("h", "eco/a", "failure_streak")},
			map[string][]string{"f": {"r"}}},
		{"health_without_root", []Alert{failing("f", "eco/a", "CI"), health("h", "eco/a", "failure_streak")}, map[string][]string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			Inhibit(tt.alerts)
			got := map[string][]string{}
			for _, a := range tt.alerts {
				if len(a.SuppressedBy) > 0 {
					got[a.Fingerprint] = a.SuppressedBy
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("suppressed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseGroupBy(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": GroupDomain, "domain": GroupDomain, "Domain, Category": GroupDomainCategory,
		"category,domain": GroupDomainCategory, "fingerprint": GroupFingerprint} {
		if got, err := ParseGroupBy(in); err != nil || got != want {
			t.Errorf("ParseGroupBy(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"team", "domain,fingerprint", "category"} {
		if _, err := ParseGroupBy(bad); err == nil {
			t.Errorf("ParseGroupBy(%q) accepted", bad)
		}
	}
}

// TestGroupAlerts: symptoms go to the group of their root cause, so the
// issue that shows a root cause also lists what it explains.
func TestGroupAlerts(t *testing.T) {
	t.Parallel()
	alerts := []Alert{
		{Fingerprint: "r", Source: KindFixer, Problem: ProblemFailure, Scope: "eco/a", Category: "build", Workflow: "CI", Workflows: []string{"CI"}},
		{Fingerprint: "f", Source: KindMonitor, Problem: ProblemFailure, Scope: "eco/a", Category: "unclassified", Workflow: "CI"},
		{Fingerprint: "s", Source: KindStale, Problem: ProblemStale, Scope: "eco/a", Category: "stale"},
		{Fingerprint: "b", Source: KindStale, Problem: ProblemStale, Scope: "eco/b", Category: "stale"},
	}
	Inhibit(alerts)
	for _, tt := range []struct {
		mode, fileIn string
		want         map[string][]string // group key → fingerprints
		repos        map[string]string
	}{
		{GroupDomain, FileInAlertRepo, map[string][]string{"eco/a": {"r", "f", "s"}, "eco/b": {"b"}}, map[string]string{"eco/a": "eco/alerts", "eco/b": "eco/alerts"}},
		{GroupDomainCategory, FileInAlertRepo, map[string][]string{"eco/a|build": {"r", "f"}, "eco/a|stale": {"s"}, "eco/b|stale": {"b"}}, nil},
		{GroupFingerprint, FileInAlertRepo, map[string][]string{"r": {"r", "f"}, "s": {"s"}, "b": {"b"}}, nil},
		{GroupDomain, FileInDomain, map[string][]string{"eco/a": {"r", "f", "s"}, "eco/b": {"b"}}, map[string]string{"eco/a": "eco/a", "eco/b": "eco/b"}},
	} {
		got := map[string][]string{}
		repos := map[string]string{}
		for _, g := range GroupAlerts(alerts, tt.mode, DefaultLabel, tt.fileIn, "eco/alerts") {
			for _, a := range g.Alerts {
				got[g.Key] = append(got[g.Key], a.Fingerprint)
			}
			repos[g.Key] = g.Repo
			if g.ID != GroupID(DefaultLabel, tt.mode, g.Key) {
				t.Errorf("%s: group id", tt.mode)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s/%s groups (-want +got):\n%s", tt.mode, tt.fileIn, diff)
		}
		if tt.repos != nil {
			if diff := cmp.Diff(tt.repos, repos); diff != "" {
				t.Errorf("%s/%s repositories (-want +got):\n%s", tt.mode, tt.fileIn, diff)
			}
		}
	}
}
