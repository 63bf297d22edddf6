package alert_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/alert"
	"github.com/sparesparrow/ecosystem-actions/actions/fixer"
	"github.com/sparesparrow/ecosystem-actions/actions/monitor"
	"github.com/sparesparrow/ecosystem-actions/actions/stale"
	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// chainReports are the reports of one run of the demo chain.
type chainReports struct {
	dir                   string
	monitor, fixer, stale string
	ecosystem             *contract.EcosystemAnalysis
	failures              *contract.FailureAnalysis
	staleReport           *contract.StaleAnalysis
	fixture               *emulator.Fixture
	srv                   *emulator.Server
	gh                    *ghclient.Client
	now                   time.Time
	domains               []string
}

// runChain runs monitor → fixer → stale on the example ecosystem the way
// the demo does (containertest.DemoChain: the demo's four domains, the
// fixer fed the monitor's report, stale in dry run), through the emulator.
func runChain(t testing.TB, opts emulator.Options) *chainReports {
	t.Helper()
	f, err := emulator.LoadFixture(filepath.Join("..", "..", "testdata", "ecosystem", "ecosystem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	now := f.ReferenceTime
	opts.Now = func() time.Time { return now }
	srv := emulator.StartForTest(t, f, opts)
	gh, err := ghclient.New(ghclient.Config{Token: "t", APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	c := &chainReports{dir: t.TempDir(), fixture: f, srv: srv, gh: gh, now: now}
	for _, d := range strings.Split(containertest.DemoDomains, ",") {
		c.domains = append(c.domains, "sparesparrow/"+d)
	}
	ctx := context.Background()
	var domains []ghname.Repo
	for _, d := range c.domains {
		r, err := ghname.ParseRepo(d, "")
		if err != nil {
			t.Fatal(err)
		}
		domains = append(domains, r)
	}
	mres, err := monitor.Run(ctx, monitor.Config{Domains: domains, Now: now, OutputDir: c.dir, Version: "test"},
		monitor.Deps{API: monitor.GitHubAPI{Client: gh.Client}})
	if err != nil {
		t.Fatalf("monitor: %v", err)
	}
	c.monitor, c.ecosystem = mres.ReportPath, &mres.Report
	fres, err := fixer.Run(ctx, fixer.Config{ReportPath: mres.ReportPath, OutputDir: c.dir, Repository: containertest.DemoRepository, Version: "test", Now: now},
		fixer.Deps{API: fixer.GitHubAPI{Client: gh.Client}})
	if err != nil {
		t.Fatalf("fixer: %v", err)
	}
	c.fixer, c.failures = fres.JSONPath, &fres.Report
	sres, err := stale.Run(ctx, stale.Config{Policy: stale.DefaultPolicy(), Repositories: domains, DryRun: true, OutputDir: c.dir,
		Repository: containertest.DemoRepository, Now: now, Version: "test"}, stale.Deps{GitHub: gh.Client})
	if err != nil {
		t.Fatalf("stale: %v", err)
	}
	c.stale, c.staleReport = sres.Files[0], &sres.Analysis.StaleAnalysis
	return c
}

// jobOwner maps every job id and run id of the fixture to the repository
// it belongs to: the truth the reports must keep.
func jobOwner(f *emulator.Fixture) (jobs, runs map[int64]string) {
	jobs, runs = map[int64]string{}, map[int64]string{}
	for _, r := range f.Repositories {
		for _, run := range r.Runs {
			runs[run.ID] = r.FullName()
			for _, j := range run.Jobs {
				jobs[j.ID] = r.FullName()
			}
		}
	}
	return jobs, runs
}

// TestChainAttributesEveryIssueToItsDomain runs the demo chain and checks
// every issue the alert files against the findings it came from: the title
// names the domain of the alert, and that domain is the repository that
// owns the failed job (per the fixture, not per any report).
func TestChainAttributesEveryIssueToItsDomain(t *testing.T) {
	t.Parallel()
	c := runChain(t, emulator.Options{})
	jobs, runs := jobOwner(c.fixture)

	// Every fixer finding names the repository whose job failed.
	if len(c.failures.Failures) == 0 {
		t.Fatal("the fixer found no failure in the example ecosystem; the test would prove nothing")
	}
	for _, f := range c.failures.Failures {
		owner, ok := jobs[f.JobID]
		if !ok || f.Domain != owner {
			t.Errorf("fixer finding %s (job %d %q) names domain %q, the job belongs to %q", f.RuleID, f.JobID, f.Job, f.Domain, owner)
		}
		if runs[f.RunID] != owner || f.RunURL == "" {
			t.Errorf("fixer finding %s: run %d (of %q), run URL %q", f.RuleID, f.RunID, runs[f.RunID], f.RunURL)
		}
	}

	out := filepath.Join(c.dir, "alerts")
	res, err := alert.Run(context.Background(), alert.Config{
		Reports: strings.Join([]string{c.monitor, c.fixer, c.stale}, "\n"), Repository: containertest.DemoRepository,
		Channels: []string{alert.ChannelIssue}, OutputDir: out, Now: c.now, Version: "test"}, alert.Deps{GitHub: c.gh.Client})
	if err != nil {
		t.Fatalf("alert: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(out, alert.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := contract.Decode(data, alert.ResultsFile)
	if err != nil {
		t.Fatal(err)
	}
	// The issues this run's reports raised (not the older alert issues of
	// the fixture it closes or leaves alone).
	raised := map[string]bool{alert.ActionCreated: true, alert.ActionUpdated: true, alert.ActionChanged: true,
		alert.ActionUnchanged: true, alert.ActionReopened: true, alert.ActionAdopted: true}
	byIssue := map[int][]contract.AlertOutcome{}
	for _, a := range doc.Alert.Alerts {
		if a.Issue > 0 && raised[a.Action] {
			byIssue[a.Issue] = append(byIssue[a.Issue], a)
		}
	}
	var demo emulator.RepoState
	for _, r := range c.srv.State().Repositories {
		if r.FullName == containertest.DemoRepository {
			demo = r
		}
	}
	fixerIssues := 0
	for _, is := range demo.Issues {
		for _, a := range byIssue[is.Number] {
			checkAttribution(t, c, is, a, jobs, runs, &fixerIssues)
		}
	}
	if fixerIssues == 0 || len(byIssue) == 0 {
		t.Errorf("the chain filed %d issues, %d alerts from fixer findings; want some of each", len(byIssue), fixerIssues)
	}
	t.Logf("%d issues checked (%d alerts from fixer findings), %d alerts", len(byIssue), fixerIssues, len(res.Alerts))
}

// checkAttribution checks one alert listed in a group issue: the issue
// names the alert's domain first (one issue per domain), and the findings
// it came from belong to that domain.
func checkAttribution(t *testing.T, c *chainReports, is emulator.Issue, a contract.AlertOutcome, jobs, runs map[int64]string, fixerIssues *int) {
	t.Helper()
	{
		// Issue titles are "[level] <domain>: <what>".
		if _, rest, _ := strings.Cut(is.Title, "] "); !strings.HasPrefix(rest, a.Domain+": ") {
			t.Errorf("issue #%d %q does not name its domain %s first", is.Number, is.Title, a.Domain)
		}
		for _, other := range c.domains {
			if other != a.Domain && strings.Contains(is.Title, other+":") {
				t.Errorf("issue #%d %q names another domain %s", is.Number, is.Title, other)
			}
		}
		var from []string // the domains of the findings the alert came from
		switch {
		case a.Source == string(alert.KindFixer):
			*fixerIssues++
			for _, f := range c.failures.Failures {
				if alert.Fingerprint(f.Domain, alert.ProblemFailure, f.Fingerprint) == a.Fingerprint {
					from = append(from, jobs[f.JobID])
				}
			}
		case a.Source == string(alert.KindMonitor) && a.Problem == alert.ProblemFailure:
			for _, f := range c.ecosystem.Failures {
				if alert.Fingerprint(f.Domain, alert.ProblemFailure, f.Workflow) == a.Fingerprint {
					from = append(from, runs[f.RunID])
				}
			}
		case a.Source == string(alert.KindMonitor):
			if _, ok := c.ecosystem.Domains[a.Domain]; ok {
				from = append(from, a.Domain)
			}
		case a.Source == string(alert.KindStale):
			for _, f := range c.staleReport.Findings {
				if f.Domain == a.Domain {
					from = append(from, f.Domain)
					break
				}
			}
		}
		if len(from) == 0 {
			t.Errorf("issue #%d %q (%s %s): no finding it came from", is.Number, is.Title, a.Source, a.Problem)
		}
		for _, d := range from {
			if d != a.Domain {
				t.Errorf("issue #%d %q is filed under %s, but its finding is about %s", is.Number, is.Title, a.Domain, d)
			}
		}
	}
}
