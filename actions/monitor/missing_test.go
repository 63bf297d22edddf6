package monitor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// runExampleAs runs the monitor on the example ecosystem with a token the
// emulator knows, holding perms (nil: every permission), and opts' faults.
func runExampleAs(t *testing.T, perms map[string]string, opts emulator.Options) Report {
	t.Helper()
	fc := *sharedExample(t) // a copy: only its tokens change
	f := &fc
	f.Tokens = map[string]emulator.Token{"t": {Login: "github-actions[bot]", Permissions: perms}}
	_, url := startEmulator(t, f, opts)
	c := newClient(t, url, "", func(cfg *ghclient.Config) { cfg.Token = "t" })
	var domains []ghname.Repo
	for _, r := range f.Repositories {
		domains = append(domains, ghname.Repo{Owner: r.Owner, Name: r.Name})
	}
	res, err := Run(context.Background(), Config{Domains: domains, Now: f.ReferenceTime, OutputDir: t.TempDir(), Window: 14 * 24 * time.Hour},
		Deps{API: GitHubAPI{Client: c.Client}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Report
}

var alertRank = map[string]int{AlertNone: 0, AlertWarning: 1, AlertCritical: 2}

// checkMissingRuns compares a run whose workflow runs could not be read
// with the run that read everything: every domain with runs is in band
// unknown or in its true band (never a better one), its true score lies in
// the score range, confidence drops, a missing_data finding says what was
// not read (and which permission would fix it), and the alert level is
// not lowered by the missing data.
func checkMissingRuns(t *testing.T, full, partial Report, wantStatus int, wantPermission string) {
	t.Helper()
	checked := 0
	for name, fd := range full.Domains {
		d := partial.Domains[name]
		if fd.CI.Runs == 0 || fd.Archived {
			continue
		}
		checked++
		if d.Band != BandUnknown && d.Band != fd.Band {
			t.Errorf("%s: band %s without its runs, %s with them: missing data changed the band", name, d.Band, fd.Band)
		}
		if d.HealthScore != nil {
			t.Errorf("%s: health_score %d from partial data, want null", name, *d.HealthScore)
		}
		if d.ScoreRange == nil || fd.HealthScore == nil || *fd.HealthScore < d.ScoreRange.Min || *fd.HealthScore > d.ScoreRange.Max {
			t.Errorf("%s: score range %+v does not hold the true score %s", name, d.ScoreRange, scoreText(fd.HealthScore))
		}
		if d.Confidence >= fd.Confidence {
			t.Errorf("%s: confidence %.2f without runs, %.2f with them", name, d.Confidence, fd.Confidence)
		}
		var missing *contract.Finding
		for i, f := range d.Findings {
			if f.Category == contract.CategoryMissingData && f.Component == "workflow runs" {
				missing = &d.Findings[i]
			}
		}
		switch {
		case missing == nil:
			t.Errorf("%s: no missing_data finding for the workflow runs: %+v", name, d.Findings)
		case missing.Domain != name || missing.Status != wantStatus || missing.Permission != wantPermission:
			t.Errorf("%s: missing_data finding %+v, want domain %s, status %d, permission %q", name, *missing, name, wantStatus, wantPermission)
		case wantPermission != "" && !strings.Contains(strings.Join(d.Recommendations, "\n"), wantPermission):
			t.Errorf("%s: no recommendation names %s: %v", name, wantPermission, d.Recommendations)
		}
	}
	if checked == 0 {
		t.Fatal("no domain with workflow runs: the test proves nothing")
	}
	// The alert level is what the bands prove, unknown counting as
	// warning; missing data never takes it below the full level (capped at
	// warning, the most an unknown band can claim).
	want := AlertNone
	for _, d := range partial.Domains {
		switch d.Band {
		case BandCritical:
			want = AlertCritical
		case BandWarning, BandUnknown:
			if want == AlertNone {
				want = AlertWarning
			}
		}
	}
	got := partial.Summary.AlertLevel
	if got != want {
		t.Errorf("alert level %s, want %s from the bands", got, want)
	}
	if alertRank[got] < min(alertRank[full.Summary.AlertLevel], alertRank[AlertWarning]) {
		t.Errorf("alert level %s without runs is below %s with them", got, full.Summary.AlertLevel)
	}
}

func TestTokenWithoutActionsRead(t *testing.T) {
	t.Parallel()
	full := runExampleAs(t, nil, emulator.Options{})
	// GITHUB_TOKEN with contents, issues and pull-requests but no actions
	// permission: the runs and jobs endpoints answer 403.
	partial := runExampleAs(t, map[string]string{"contents": "read", "issues": "read", "pull_requests": "read"}, emulator.Options{})
	checkMissingRuns(t, full, partial, 403, "actions: read")
}

func TestRunsEndpointFails(t *testing.T) {
	t.Parallel()
	full := runExampleAs(t, nil, emulator.Options{})
	partial := runExampleAs(t, nil, emulator.Options{Faults: []emulator.Fault{{PathRegex: `/actions/runs$`, Kind: emulator.FaultInternalError}}})
	checkMissingRuns(t, full, partial, 500, "")
}
