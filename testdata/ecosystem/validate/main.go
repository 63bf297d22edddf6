// Command validate loads testdata/ecosystem/ecosystem.yaml through
// emulator.LoadFixture, checks the invariants the tests rely on (unique ids,
// well-formed SHAs, references that resolve, the oddities README.md
// promises) and prints the findings README.md lists.
//
//	go run ./testdata/ecosystem/validate [-f testdata/ecosystem/ecosystem.yaml]
//
// It exits non-zero when an invariant does not hold.
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

var (
	hexSHA   = regexp.MustCompile(`^[0-9a-f]{40}$`)
	failures []string
)

func check(ok bool, format string, args ...any) {
	if !ok {
		failures = append(failures, fmt.Sprintf(format, args...))
	}
}

// eventTypes are the types the Events API serves (GitHub's "GitHub event
// types"; DiscussionEvent, PullRequestReviewThreadEvent and SponsorshipEvent
// appear in some versions of that list). The fixture's events are only of
// these types: the monitor reads deployments, statuses and checks from
// their own APIs.
var eventTypes = []string{
	"WatchEvent", "PullRequestEvent", "IssuesEvent", "PushEvent", "ForkEvent", "CreateEvent",
	"DeleteEvent", "ReleaseEvent", "CommitCommentEvent", "IssueCommentEvent", "PullRequestReviewEvent",
	"PullRequestReviewCommentEvent", "PublicEvent", "MemberEvent", "GollumEvent", "SponsorshipEvent",
	"DiscussionEvent", "PullRequestReviewThreadEvent",
}

var domains = []string{"openssl-tools", "openssl-conan-base", "openssl-fips-policy", "mcp-project-orchestrator"}

func main() {
	path := flag.String("f", "testdata/ecosystem/ecosystem.yaml", "fixture")
	flag.Parse()
	f, err := emulator.LoadFixture(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	now := f.ReferenceTime
	check(now.Equal(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)), "reference_time is %s", now)

	ids := map[string]map[string]string{}
	uniq := func(kind string, id any, where string) {
		k := fmt.Sprint(id)
		if ids[kind] == nil {
			ids[kind] = map[string]string{}
		}
		if prev, ok := ids[kind][k]; ok {
			check(false, "%s id %s used twice (%s and %s)", kind, k, prev, where)
		}
		ids[kind][k] = where
	}
	shaOK := func(s, where string) { check(hexSHA.MatchString(s), "%s: bad sha %q", where, s) }
	notAfter := func(t time.Time, where string) { check(!t.After(now), "%s: %s is after the reference time", where, t) }

	userKnown := map[string]bool{}
	for _, u := range f.Users {
		uniq("user", u.ID, u.Login)
		userKnown[u.Login] = true
		if strings.HasSuffix(u.Login, "[bot]") {
			check(u.Type == "Bot", "user %s should be a Bot", u.Login)
		}
	}
	for _, b := range []string{"github-actions[bot]", "dependabot[bot]", "renovate[bot]"} {
		check(userKnown[b], "bot %s not listed", b)
	}

	byName := map[string]*emulator.Repository{}
	for i := range f.Repositories {
		r := &f.Repositories[i]
		byName[r.Name] = r
		full := r.FullName()
		uniq("repository", r.ID, full)
		labels := map[string]bool{}
		for _, l := range r.Labels {
			check(!labels[l.Name], "%s: label %s twice", full, l.Name)
			labels[l.Name] = true
		}
		for _, e := range r.Events {
			uniq("event", e.ID, full)
			notAfter(e.CreatedAt, full+" event "+e.ID)
			if e.Type == "PushEvent" {
				for _, k := range []string{"repository_id", "push_id", "ref", "head", "before"} {
					_, ok := e.Payload[k]
					check(ok, "%s: PushEvent %s lacks %s", full, e.ID, k)
				}
				check(len(e.Payload) == 5, "%s: PushEvent %s has extra keys", full, e.ID)
				shaOK(fmt.Sprint(e.Payload["head"]), full+" push head")
			}
		}
		wf := map[int64]emulator.Workflow{}
		for _, w := range r.Workflows {
			uniq("workflow", w.ID, full)
			wf[w.ID] = w
			check(strings.HasPrefix(w.Path, ".github/workflows/") && strings.Count(w.Path, "/") == 2, "%s: workflow path %s", full, w.Path)
		}
		for _, run := range r.Runs {
			where := fmt.Sprintf("%s run %d", full, run.ID)
			uniq("run", run.ID, where)
			_, ok := wf[run.WorkflowID]
			check(ok, "%s: unknown workflow %d", where, run.WorkflowID)
			shaOK(run.HeadSHA, where)
			notAfter(run.CreatedAt, where)
			notAfter(run.UpdatedAt, where)
			check(!run.UpdatedAt.Before(run.CreatedAt), "%s: updated before created", where)
			check(run.Conclusion != "", "%s: no conclusion", where)
			if run.Conclusion == "startup_failure" {
				check(len(run.Jobs) == 0, "%s: startup_failure with jobs", where)
			} else {
				check(len(run.Jobs) > 0, "%s: no jobs", where)
			}
			for _, j := range run.Jobs {
				jw := fmt.Sprintf("%s job %d", where, j.ID)
				uniq("job", j.ID, jw)
				notAfter(j.CompletedAt, jw)
				att := j.RunAttempt
				if att == 0 {
					att = 1
				}
				check(att <= max(run.RunAttempt, 1), "%s: attempt %d > run attempt %d", jw, att, run.RunAttempt)
				if j.Conclusion == "failure" || j.Conclusion == "timed_out" {
					check(j.Log != "", "%s: failed job without a log", jw)
					failedStep := false
					for _, s := range j.Steps {
						failedStep = failedStep || s.Conclusion == "failure" || s.Conclusion == "cancelled"
					}
					check(failedStep, "%s: failed job without a failed step", jw)
				}
				if j.Log != "" {
					n := strings.Count(j.Log, "\n")
					check(n >= 30 && n <= 220, "%s: log %s has %d lines", jw, j.LogFile, n)
				}
			}
			for _, a := range run.Artifacts {
				uniq("artifact", a.ID, where)
			}
		}
		for _, b := range r.Branches {
			shaOK(b.Commit.SHA, full+" branch "+b.Name)
			notAfter(b.Commit.Date, full+" branch "+b.Name)
		}
		for _, t := range r.Tags {
			shaOK(t.SHA, full+" tag "+t.Name)
		}
		branch := map[string]bool{}
		for _, b := range r.Branches {
			check(!branch[b.Name], "%s: branch %s twice", full, b.Name)
			branch[b.Name] = true
		}
		if r.Status == 0 {
			check(branch[r.DefaultBranch], "%s: default branch %s missing", full, r.DefaultBranch)
		}
		nums := map[int]string{}
		for _, p := range r.Pulls {
			where := fmt.Sprintf("%s#%d", full, p.Number)
			check(nums[p.Number] == "", "%s: number used twice", where)
			nums[p.Number] = "pull"
			shaOK(p.Head.SHA, where+" head")
			notAfter(p.UpdatedAt, where)
			for _, l := range p.Labels {
				check(labels[l], "%s: label %s not defined", where, l)
			}
			if p.State != "closed" && p.Head.Repo == full {
				check(branch[p.Head.Ref], "%s: head branch %s missing", where, p.Head.Ref)
			}
			for _, c := range p.Commits {
				shaOK(c.SHA, where+" commit")
			}
			for _, c := range p.Comments {
				uniq("comment", c.ID, where)
			}
			for _, rv := range p.Reviews {
				uniq("review", rv.ID, where)
			}
			for _, e := range p.Events {
				uniq("issue_event", e.ID, where)
			}
		}
		for _, is := range r.Issues {
			where := fmt.Sprintf("%s#%d", full, is.Number)
			check(nums[is.Number] == "", "%s: number used twice", where)
			nums[is.Number] = "issue"
			for _, l := range is.Labels {
				check(labels[l], "%s: label %s not defined", where, l)
			}
			for _, c := range is.Comments {
				uniq("comment", c.ID, where)
			}
			for _, e := range is.Events {
				uniq("issue_event", e.ID, where)
			}
		}
	}

	// the oddities README.md promises
	for _, d := range domains {
		r := byName[d]
		check(r != nil, "domain %s missing", d)
		if r == nil {
			continue
		}
		have := map[string]bool{}
		served := map[string]bool{}
		for _, t := range eventTypes {
			served[t] = true
		}
		for _, e := range r.Events {
			have[e.Type] = true
			check(served[e.Type], "%s: event %s of type %s, which the Events API does not serve", d, e.ID, e.Type)
		}
		for _, t := range eventTypes {
			if t == "DiscussionEvent" || t == "PullRequestReviewThreadEvent" {
				continue // served, not drawn
			}
			check(have[t], "%s: no %s", d, t)
		}
	}
	check(len(byName["openssl-tools"].Events) > 300, "openssl-tools must have more than 300 events")
	check(byName["legacy-monitor"].Archived, "legacy-monitor must be archived")
	check(byName["private-sandbox"].Status == 404, "private-sandbox must answer 404")
	check(!byName["openssl-fips-policy"].Archived && strings.Contains(byName["openssl-fips-policy"].Files["README.md"], "archived"),
		"openssl-fips-policy: archived in README only")
	check(strings.Contains(byName["mcp-project-orchestrator"].Files[".github/workflows/release.yml"], "actions/upload-artifact@v3"), "orchestrator release.yml must use upload-artifact@v3")
	check(strings.Contains(byName["openssl-conan-base"].Files[".github/ecosystem.yml"], "days_until_stale: 14"), "conan-base override missing")
	cb := byName["openssl-tools"].Files[".github/workflows/conan-build.yml"]
	check(strings.Contains(cb, "conan install") && !strings.Contains(cb, "--build=missing") && !strings.Contains(cb, "id-token"), "openssl-tools conan-build.yml oddities")
	for _, e := range byName["openssl-fips-policy"].Events {
		check(e.CreatedAt.Before(now.Add(-6*24*time.Hour)), "openssl-fips-policy: recent event %s", e.ID)
	}

	report(f)
	if len(failures) > 0 {
		fmt.Fprintf(os.Stderr, "\n%d invariant(s) failed:\n", len(failures))
		for _, s := range failures {
			fmt.Fprintln(os.Stderr, "  -", s)
		}
		os.Exit(1)
	}
	fmt.Println("\nall invariants hold")
}

func days(d time.Duration) float64 { return float64(d) / float64(24*time.Hour) }

func isBot(login string) bool { return strings.HasSuffix(login, "[bot]") }

// report prints the findings README.md lists.
func report(f *emulator.Fixture) {
	now := f.ReferenceTime
	for _, d := range domains {
		var r *emulator.Repository
		for i := range f.Repositories {
			if f.Repositories[i].Name == d {
				r = &f.Repositories[i]
			}
		}
		fmt.Printf("\n== %s (default %s, archived %v, pushed %s)\n", r.FullName(), r.DefaultBranch, r.Archived, r.PushedAt.Format(time.RFC3339))
		evs := append([]emulator.Event(nil), r.Events...)
		sort.Slice(evs, func(i, j int) bool { return evs[i].CreatedAt.After(evs[j].CreatedAt) })
		in30, last4h := 0, 0
		for _, e := range evs {
			if now.Sub(e.CreatedAt) <= 30*24*time.Hour {
				in30++
			}
			if now.Sub(e.CreatedAt) <= 4*time.Hour {
				last4h++
			}
		}
		served := min(len(evs), 300)
		servedIn30 := 0
		for _, e := range evs[:served] {
			if now.Sub(e.CreatedAt) <= 30*24*time.Hour {
				servedIn30++
			}
		}
		fmt.Printf("events: %d in fixture, %d within 30 days, %d within 4 h, newest %s, oldest %s\n", len(evs), in30, last4h,
			evs[0].CreatedAt.Format(time.RFC3339), evs[len(evs)-1].CreatedAt.Format(time.RFC3339))
		fmt.Printf("events served (newest 300, within 30 days): %d, oldest served %s (%.1f days)\n", servedIn30,
			evs[served-1].CreatedAt.Format(time.RFC3339), days(now.Sub(evs[served-1].CreatedAt)))

		wfName := map[int64]string{}
		for _, w := range r.Workflows {
			wfName[w.ID] = w.Name
		}
		conc := map[string]int{}
		for _, run := range r.Runs {
			conc[run.Conclusion]++
		}
		fmt.Printf("workflows: %d; runs: %d %v\n", len(r.Workflows), len(r.Runs), conc)
		// default-branch streak, overall and per workflow
		runs := append([]emulator.Run(nil), r.Runs...)
		sort.Slice(runs, func(i, j int) bool { return runs[i].CreatedAt.After(runs[j].CreatedAt) })
		bad := func(c string) bool { return c == "failure" || c == "timed_out" || c == "startup_failure" }
		streak, lastGreen := 0, time.Time{}
		for _, run := range runs {
			if run.HeadBranch != r.DefaultBranch || run.Conclusion == "cancelled" || run.Conclusion == "skipped" {
				continue
			}
			if bad(run.Conclusion) {
				streak++
				continue
			}
			lastGreen = run.CreatedAt
			break
		}
		fmt.Printf("default branch: failure streak %d (all workflows), last green run created %s\n", streak, lastGreen.Format(time.RFC3339))
		per := map[string][2]any{}
		for _, run := range runs {
			if run.HeadBranch != r.DefaultBranch {
				continue
			}
			n := wfName[run.WorkflowID]
			v, seen := per[n]
			if seen && v[1] != nil {
				continue
			}
			s := 0
			if seen {
				s = v[0].(int)
			}
			switch {
			case bad(run.Conclusion):
				per[n] = [2]any{s + 1, nil}
			case run.Conclusion == "success":
				per[n] = [2]any{s, run.CreatedAt}
			default:
				per[n] = [2]any{s, nil}
			}
		}
		var names []string
		for n, v := range per {
			if v[0].(int) > 0 {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			lg := "none in window"
			if t, ok := per[n][1].(time.Time); ok {
				lg = t.Format(time.RFC3339)
			}
			fmt.Printf("  workflow %q: %d consecutive failures on %s, last green %s\n", n, per[n][0], r.DefaultBranch, lg)
		}
		// flaky jobs and failed jobs
		for _, run := range runs {
			if run.RunAttempt < 2 {
				continue
			}
			for _, j := range run.Jobs {
				if j.RunAttempt == 1 && j.Conclusion == "failure" {
					fmt.Printf("  flaky: run %d (%s, %s) job %q failed on attempt 1, passed on attempt %d, sha %s\n", run.ID, wfName[run.WorkflowID],
						run.CreatedAt.Format("2006-01-02"), j.Name, run.RunAttempt, run.HeadSHA[:7])
				}
			}
		}
		logs := map[string]int{}
		failedJobs := 0
		for _, run := range r.Runs {
			for _, j := range run.Jobs {
				if j.Conclusion != "success" && j.Conclusion != "skipped" && j.LogFile != "" {
					failedJobs++
					logs[j.LogFile]++
				}
			}
		}
		var lf []string
		for k, v := range logs {
			lf = append(lf, fmt.Sprintf("%s×%d", strings.TrimPrefix(k, "logs/"), v))
		}
		sort.Strings(lf)
		fmt.Printf("failed/cancelled jobs with logs: %d: %s\n", failedJobs, strings.Join(lf, ", "))

		// pull requests: last human activity
		openHeads := map[string]bool{}
		fmt.Println("open pull requests (age, days since last human activity, notes):")
		for _, p := range r.Pulls {
			if p.State == "closed" {
				continue
			}
			if p.Head.Repo == r.FullName() {
				openHeads[p.Head.Ref] = true
			}
			last := p.CreatedAt
			warned := time.Time{}
			for _, c := range p.Commits {
				if c.Date.After(last) {
					last = c.Date
				}
			}
			for _, c := range p.Comments {
				if strings.Contains(c.Body, "<!-- ecosystem-actions:stale -->") {
					warned = c.CreatedAt
					continue
				}
				if c.CreatedAt.After(last) {
					last = c.CreatedAt
				}
			}
			for _, rv := range p.Reviews {
				if rv.SubmittedAt.After(last) {
					last = rv.SubmittedAt
				}
			}
			for _, e := range p.Events {
				if !isBot(e.Actor) && e.CreatedAt.After(last) {
					last = e.CreatedAt
				}
			}
			var notes []string
			if p.Draft {
				notes = append(notes, "draft")
			}
			if p.Head.Repo != r.FullName() {
				notes = append(notes, "fork "+p.Head.Repo)
			}
			if !warned.IsZero() {
				notes = append(notes, fmt.Sprintf("warned %.1f days ago", days(now.Sub(warned))))
				if last.After(warned) {
					notes = append(notes, "human activity after warning")
				}
			}
			if len(p.Labels) > 0 {
				notes = append(notes, "labels "+strings.Join(p.Labels, ","))
			}
			if p.Milestone != "" {
				notes = append(notes, "milestone "+p.Milestone)
			}
			if len(p.Assignees) > 0 {
				notes = append(notes, "assignees "+strings.Join(p.Assignees, ","))
			}
			fmt.Printf("  #%d %-62q by %-18s age %5.1f  idle %5.1f  %s\n", p.Number, p.Title, p.User, days(now.Sub(p.CreatedAt)), days(now.Sub(last)), strings.Join(notes, "; "))
		}
		// branches
		old, deletable := 0, 0
		var reasons []string
		for _, b := range r.Branches {
			age := days(now.Sub(b.Commit.Date))
			if age <= 30 {
				continue
			}
			old++
			switch {
			case b.Name == r.DefaultBranch:
				reasons = append(reasons, b.Name+" (default)")
			case b.Protected:
				reasons = append(reasons, b.Name+" (protected)")
			case openHeads[b.Name]:
				reasons = append(reasons, b.Name+" (open PR head)")
			default:
				deletable++
			}
		}
		cursor, cursorOld := 0, 0
		for _, b := range r.Branches {
			if strings.HasPrefix(b.Name, "cursor/") {
				cursor++
				if days(now.Sub(b.Commit.Date)) > 30 && !openHeads[b.Name] {
					cursorOld++
				}
			}
		}
		fmt.Printf("branches: %d (%d cursor/*), %d older than 30 days, %d deletable; kept: %s\n", len(r.Branches), cursor, old, deletable, strings.Join(reasons, ", "))
		if cursor > 0 {
			fmt.Printf("  cursor/* older than 30 days without an open PR: %d\n", cursorOld)
		}
		openIs, closedIs := 0, 0
		for _, is := range r.Issues {
			if is.State == "closed" {
				closedIs++
			} else {
				openIs++
			}
			if strings.Contains(is.Body, "ecosystem-actions:fingerprint=") {
				st := is.State
				if st == "" {
					st = "open"
				}
				fmt.Printf("  alert #%d (%s): %s\n", is.Number, st, is.Title)
			}
		}
		fmt.Printf("issues: %d open, %d closed; tags: %d\n", openIs, closedIs, len(r.Tags))
	}
}
