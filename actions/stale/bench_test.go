package stale

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// largeFixture is one repository with 1,000 open pull requests and 2,000
// branches: every pull request has its head branch (1,000 branches protected
// by the open-PR rail), the other 1,000 branches have ages from 1 to 400
// days, some match exempt patterns, some are protected. Pull requests are
// 1 to 400 days old; a third have a recent human comment, a tenth are
// drafts.
func largeFixture() *emulator.Fixture {
	repo := emulator.Repository{Owner: "acme", Name: "big", DefaultBranch: "main", CreatedAt: ago(900),
		Branches: []emulator.Branch{fxBranch("main", 1)}}
	for i := 1; i <= 1000; i++ {
		age := float64(1 + (i*37)%400)
		p := fxPull(i, age)
		p.Draft = i%10 == 0
		if i%3 == 0 && age > 5 {
			p.Comments = []emulator.Comment{{ID: int64(i), User: "reviewer", Body: "ping", CreatedAt: ago(age / 4)}}
		}
		repo.Pulls = append(repo.Pulls, p)
		repo.Branches = append(repo.Branches, fxBranch(p.Head.Ref, age))
	}
	for i := 1; i < 1000; i++ {
		name := fmt.Sprintf("topic/%d", i)
		switch {
		case i%50 == 0:
			name = fmt.Sprintf("release/%d.0", i)
		case i%7 == 0:
			name = fmt.Sprintf("cursor/agent-%d", i)
		}
		b := fxBranch(name, float64(1+(i*53)%400))
		b.Protected = i%97 == 0
		repo.Branches = append(repo.Branches, b)
	}
	return &emulator.Fixture{ReferenceTime: testNow, Repositories: []emulator.Repository{repo}}
}

var (
	reTimeline = regexp.MustCompile(`/issues/\d+/timeline$`)
	reCommit   = regexp.MustCompile(`/commits/[0-9a-f]+$`)
)

// BenchmarkStaleLargeRepository reports the API cost of a real run on a
// repository with 1,000 open pull requests and 2,000 branches: list pages at
// 100 per page, extra reads per candidate (must be <= 1) and writes per
// action (must be <= 2).
func BenchmarkStaleLargeRepository(b *testing.B) {
	fx := largeFixture()
	p := DefaultPolicy()
	p.OperationsPerRun = 100000
	p.ClosePRs, p.DeleteBranches = true, true
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv := emulator.StartForTest(b, fx, emulator.Options{Now: func() time.Time { return testNow }, RateLimit: 1_000_000, SecondaryLimit: -1})
		gh, err := ghclient.New(ghclient.Config{Token: "t", APIURL: srv.URL(), Now: func() time.Time { return testNow }})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := Run(context.Background(), Config{Policy: p, Repositories: repoList("acme/big"), Now: testNow},
			Deps{GitHub: gh.Client})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		var total, lists, extra, writes int
		extraPaths := map[string]int{}
		for _, r := range srv.Requests() {
			total++
			path := strings.TrimPrefix(r.Path, "/api/v3")
			switch {
			case r.Method != "GET":
				writes++
			case strings.HasSuffix(path, "/pulls") || strings.HasSuffix(path, "/branches") || strings.HasSuffix(path, "/issues"):
				lists++
			case reTimeline.MatchString(path) || reCommit.MatchString(path):
				extra++
				extraPaths[path]++
			}
		}
		for path, n := range extraPaths {
			if n > 1 {
				b.Fatalf("%s read %d times: more than one extra read per candidate", path, n)
			}
		}
		actions := 0
		for _, it := range res.Plan.Items {
			if len(it.Calls) > 2 {
				b.Fatalf("%s #%d %s makes %d writes", it.Kind, it.Number, it.Decision, len(it.Calls))
			}
			if len(it.Calls) > 0 {
				actions++
			}
		}
		for _, t := range res.Plan.Tracking {
			if t.Call != nil {
				actions++
			}
		}
		items := len(res.Plan.Items)
		// 1,000 PRs + 2,000 branches at 100 per page = 30 pages, plus the
		// tracking-issue search.
		if lists > 31+2 {
			b.Fatalf("%d list requests, want about 31", lists)
		}
		b.ReportMetric(float64(total)/float64(items), "requests/item")
		b.ReportMetric(float64(lists), "list-pages")
		b.ReportMetric(float64(extra)/float64(len(extraPaths)), "extra-reads/candidate")
		b.ReportMetric(float64(len(extraPaths)), "candidates")
		if actions > 0 {
			b.ReportMetric(float64(writes)/float64(actions), "writes/action")
		}
		b.ReportMetric(float64(total), "requests")
		b.StartTimer()
	}
}

// BenchmarkStaleBranchDeletion reports the cost of the run that deletes
// warned branches, 8 days after the run that warned them: one tracking-issue
// update, one DELETE per branch, and the one re-check read (GET branch) made
// right before each DELETE (rechecks/delete must be <= 1; it is the only
// read the executor makes, documented in the README).
func BenchmarkStaleBranchDeletion(b *testing.B) {
	repo := emulator.Repository{Owner: "acme", Name: "big", DefaultBranch: "main", CreatedAt: ago(900),
		Branches: []emulator.Branch{fxBranch("main", 1)}}
	for i := 1; i <= 500; i++ {
		repo.Branches = append(repo.Branches, fxBranch(fmt.Sprintf("topic/%d", i), float64(40+i%300)))
	}
	fx := &emulator.Fixture{ReferenceTime: testNow, Repositories: []emulator.Repository{repo}}
	p := DefaultPolicy()
	p.OperationsPerRun = 100000
	p.IncludePRs, p.DeleteBranches = false, true
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := &clock{t: testNow}
		srv := emulator.StartForTest(b, fx, emulator.Options{Now: c.Now, RateLimit: 1_000_000, SecondaryLimit: -1})
		run := func() *Result {
			gh, err := ghclient.New(ghclient.Config{Token: "t", APIURL: srv.URL(), Now: c.Now})
			if err != nil {
				b.Fatal(err)
			}
			res, err := Run(context.Background(), Config{Policy: p, Repositories: repoList("acme/big"), Now: c.Now()}, Deps{GitHub: gh.Client})
			if err != nil {
				b.Fatal(err)
			}
			return res
		}
		run() // warns every branch in the tracking issue
		c.Add(8 * Day)
		before := len(srv.Requests())
		b.StartTimer()
		res := run()
		b.StopTimer()
		var rechecks, deletes, writes int
		for _, r := range srv.Requests()[before:] {
			path := strings.TrimPrefix(r.Path, "/api/v3")
			switch {
			case r.Method == "GET" && strings.Contains(path, "/branches/"):
				rechecks++
			case r.Method == "DELETE":
				deletes++
				writes++
			case r.Method != "GET":
				writes++
			}
		}
		if planned := res.Plan.Count(KindBranch, DecisionDelete); deletes != planned || deletes == 0 {
			b.Fatalf("%d DELETEs for %d planned deletions", deletes, planned)
		}
		if rechecks > deletes {
			b.Fatalf("%d branch re-checks for %d deletions: more than one per deletion", rechecks, deletes)
		}
		b.ReportMetric(float64(deletes), "deletes")
		b.ReportMetric(float64(rechecks)/float64(deletes), "rechecks/delete")
		b.ReportMetric(float64(writes)/float64(deletes), "writes/delete")
		b.StartTimer()
	}
}
