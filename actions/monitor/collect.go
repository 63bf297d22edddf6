package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// Limits on what one domain may cost.
const (
	// maxEventPages: GitHub keeps at most 300 events (3 pages of 100).
	maxEventPages = 3
	// maxEventsKept is GitHub's cap on the events feed.
	maxEventsKept = 300
	// maxRunPages: the runs list returns at most 1,000 results per query.
	maxRunPages = 10
	// maxIssuePages bounds the open issues read per domain.
	maxIssuePages = 10
	// DefaultMaxJobRuns is how many job listings (one per failed or
	// re-run run) a domain may cost, most needed first (planJobReads).
	DefaultMaxJobRuns = 20
	// DefaultMaxLogs is how many failed job logs per domain are classified
	// when analyze_failures is on: the newest failure of each distinct
	// workflow and job first.
	DefaultMaxLogs = 5
)

// Classifier classifies a failed job's log (the fixer's library, wired by
// main). It must read the log as a stream.
type Classifier func(ctx context.Context, log io.Reader) (*Analysis, error)

// Collector reads every domain's data through an API with bounded
// concurrency.
type Collector struct {
	API         API
	Now         time.Time
	Window      time.Duration
	Concurrency int
	// Classify, when set, classifies the logs of failed jobs; classCache
	// (when set) keeps its results between runs.
	Classify   Classifier
	classCache *classCache
	MaxJobRuns int
	MaxLogs    int
	// SignalHeads is how many default-branch heads have their statuses and
	// checks read (0: DefaultSignalHeads; < 0: none).
	SignalHeads int
	// Logf receives progress lines (already safe: the caller escapes).
	Logf func(format string, args ...any)
}

// Target is a domain to collect, with metadata when a listing already
// provided it (org mode), so the repository is not fetched again.
type Target struct {
	ghname.Repo
	Meta *RepoMeta
}

// FullName is "owner/name".
func (t Target) FullName() string { return t.String() }

// Collection is the result of collecting every domain.
type Collection struct {
	Domains []DomainData
	// Partial is true when a rate limit stopped the collection; Missing
	// lists the domains that were not collected and MissingReason says why.
	Partial       bool
	Missing       []string
	MissingReason string
}

// errStopped marks a domain abandoned because of a rate-limit stop.
type errStopped struct{ err error }

func (e errStopped) Error() string { return e.err.Error() }
func (e errStopped) Unwrap() error { return e.err }

// Collect reads all targets. Domains that answer 404/403 are reported with
// the reason; a rate-limit stop makes the result partial with the missing
// domains listed. It never returns an empty collection silently.
func (c *Collector) Collect(ctx context.Context, targets []Target) Collection {
	n := c.Concurrency
	if n <= 0 {
		n = 8
	}
	results := make([]DomainData, len(targets))
	stopped := make([]error, len(targets))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d, err := c.collectOne(ctx, t)
			var stop errStopped
			if errors.As(err, &stop) {
				stopped[i] = stop.err
				return
			}
			results[i] = d
		}()
	}
	wg.Wait()
	var out Collection
	for i, t := range targets {
		if stopped[i] != nil {
			out.Partial = true
			out.Missing = append(out.Missing, t.FullName())
			if out.MissingReason == "" {
				out.MissingReason = stopped[i].Error()
			}
			continue
		}
		out.Domains = append(out.Domains, results[i])
	}
	return out
}

// stopFor turns an API error into a stop (rate limit, context) or a
// reason to report.
func stopFor(err error) error {
	if ghclient.IsRateLimitStop(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errStopped{err}
	}
	return nil
}

// listPages reads at most maxPages pages of a listing (0 = all) with
// pkg/ghclient's paginator. On an error it returns nothing but the error:
// a listing is read whole or not at all.
func listPages[T any](ctx context.Context, maxPages int, list func(opt github.ListOptions) ([]T, *github.Response, error)) ([]T, error) {
	items, _, err := ghclient.ListPages(ctx, maxPages, list)
	if err != nil {
		return nil, err
	}
	return items, nil
}

func (c *Collector) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func (c *Collector) collectOne(ctx context.Context, t Target) (DomainData, error) {
	d := DomainData{Name: t.FullName()}
	windowStart := c.Now.Add(-c.Window)

	// Repository metadata.
	if t.Meta != nil {
		d.Meta = *t.Meta
	} else {
		repo, err := c.API.GetRepository(ctx, t.Owner, t.Name)
		if err != nil {
			if stop := stopFor(err); stop != nil {
				return d, stop
			}
			d.Status = ghclient.StatusCode(err)
			d.Error = ghclient.Reason(err)
			c.logf("%s: %s", d.Name, d.Error)
			return d, nil
		}
		d.Meta = metaFrom(repo)
	}
	if d.Meta.Archived {
		// Read-only: no new runs, issues or pushes can happen. It is
		// reported as archived from its metadata alone.
		return d, nil
	}

	// Events, newest first, until the window start.
	d.EventsKnown = true
	total := 0
	oldestInWindow := true
	_, err := ghclient.EachPage(ctx, maxEventPages, func(opt github.ListOptions) ([]*github.Event, *github.Response, error) {
		return c.API.ListEvents(ctx, t.Owner, t.Name, opt)
	}, func(evs []*github.Event, resp *github.Response) bool {
		if resp != nil {
			if poll, _ := strconv.Atoi(resp.Header.Get("X-Poll-Interval")); poll > d.PollInterval {
				d.PollInterval = poll
			}
		}
		total += len(evs)
		for _, e := range evs {
			at := e.GetCreatedAt().Time
			if at.Before(windowStart) {
				oldestInWindow = false
				continue
			}
			d.Events = append(d.Events, eventFrom(e))
		}
		return oldestInWindow // newest first: an older event ends the window
	})
	if err != nil {
		if stop := stopFor(err); stop != nil {
			return d, stop
		}
		var pe *ghclient.PartialError
		if st := ghclient.StatusCode(err); errors.As(err, &pe) && pe.Page == 1 && (st == 404 || st == 403) && t.Meta != nil {
			// The listing showed the repository but it cannot be read.
			d.Status, d.Error = st, ghclient.Reason(err)
			c.logf("%s: %s", d.Name, d.Error)
			return d, nil
		}
		d.EventsKnown = false
		d.EventsError = ghclient.Reason(err)
		d.Events = nil
		d.unread("events", err, "", ComponentActivityRecency)
		c.logf("%s: events not read: %s", d.Name, ghclient.Reason(err))
	}
	if d.EventsKnown {
		switch {
		case oldestInWindow && total >= maxEventsKept:
			d.EventsTruncated = true
			d.EventsNote = fmt.Sprintf("events truncated: GitHub keeps at most %d events and the %s window holds more", maxEventsKept, humanDuration(c.Window))
		case c.Window > eventsRetention:
			d.EventsTruncated = true
			d.EventsNote = fmt.Sprintf("events truncated: GitHub keeps events for 30 days only, the window is %s", humanDuration(c.Window))
		}
	}

	// Workflow runs created in the window (day granularity keeps the URL,
	// and so its ETag, stable for a day).
	created := ">=" + windowStart.UTC().Format("2006-01-02")
	runs, err := listPages(ctx, maxRunPages, func(opt github.ListOptions) ([]*github.WorkflowRun, *github.Response, error) {
		return c.API.ListRuns(ctx, t.Owner, t.Name, created, opt)
	})
	if err != nil {
		if stop := stopFor(err); stop != nil {
			return d, stop
		}
		d.unread("workflow runs", err, "actions: read", ComponentCISuccessRate, ComponentFailureStreak)
		c.logf("%s: workflow runs not read: %s", d.Name, ghclient.Reason(err))
	} else {
		d.RunsKnown = true
		for _, r := range runs {
			if r.GetCreatedAt().Time.Before(windowStart) {
				continue
			}
			d.Runs = append(d.Runs, runFrom(r))
		}
	}
	sort.SliceStable(d.Runs, func(i, j int) bool { return newer(d.Runs[i], d.Runs[j]) })

	// Jobs (all attempts) of the runs the score and the table need, within
	// the budget; the others say why they have none.
	budget := c.MaxJobRuns
	if budget == 0 {
		budget = DefaultMaxJobRuns
	}
	plan := planJobReads(d.Runs, budget)
	d.Jobs.Budget = budget
	for _, i := range plan.read {
		r := &d.Runs[i]
		js, err := listPages(ctx, 0, func(opt github.ListOptions) ([]*github.WorkflowJob, *github.Response, error) {
			return c.API.ListJobs(ctx, t.Owner, t.Name, r.ID, opt)
		})
		if err != nil {
			if stop := stopFor(err); stop != nil {
				return d, stop
			}
			if !d.hasUnread("jobs") {
				// The jobs tell the failed step and the flaky re-runs; the
				// score stands on the runs, so no component is missing.
				d.unread("jobs", err, "actions: read")
			}
			r.JobsNote = "jobs not read: " + ghclient.Reason(err)
			d.Jobs.Failed++
			c.logf("%s: jobs of run %d not read: %s", d.Name, r.ID, ghclient.Reason(err))
			continue
		}
		var jobs []Job
		for _, j := range js {
			jobs = append(jobs, jobFrom(j))
		}
		r.Jobs, r.JobsKnown = jobs, true
		d.Jobs.Read++
	}
	for _, i := range plan.skipped {
		d.Runs[i].JobsNote = fmt.Sprintf("jobs not read: the budget of %d job listings per domain went to newer failures and re-runs", budget)
	}
	for _, i := range plan.noJobs {
		d.Runs[i].JobsNote = "the workflow did not start (startup_failure): no jobs ran; the workflow file does not parse or a reusable workflow it calls cannot be resolved"
	}
	d.Jobs.Runs = len(plan.read) + len(plan.skipped)
	d.Jobs.NotRead = len(plan.skipped)
	d.Jobs.Essential = plan.essential
	d.Jobs.EssentialNotRead = max(plan.essential-budget, 0)

	// Signals outside the events feed, from the APIs that publish them.
	if err := c.collectSignals(ctx, t, &d, windowStart); err != nil {
		return d, err
	}

	// Open issues and pull requests; none to read when the count is 0.
	d.OpenKnown = true
	if d.Meta.OpenIssuesCount > 0 {
		is, err := listPages(ctx, maxIssuePages, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
			return c.API.ListOpenIssues(ctx, t.Owner, t.Name, opt)
		})
		if err != nil {
			if stop := stopFor(err); stop != nil {
				return d, stop
			}
			d.OpenKnown = false
			d.unread("open issues and pull requests", err, "issues: read", ComponentStalePRLoad, ComponentOpenCriticalAlerts)
			c.logf("%s: open issues not read: %s", d.Name, ghclient.Reason(err))
		}
		for _, it := range is {
			d.Open = append(d.Open, itemFrom(it))
		}
	}

	// Failed job logs.
	if c.Classify != nil {
		if err := c.analyze(ctx, t, &d); err != nil {
			return d, err
		}
	}
	return d, nil
}

// jobPlan is which runs get their jobs read.
type jobPlan struct {
	// read are indexes into the runs, in reading order; skipped did not fit
	// the budget; noJobs are startup failures, which have no jobs to read.
	read, skipped, noJobs []int
	// essential counts the runs the score and the failure table need: the
	// re-runs and the newest failure of each workflow (they come first).
	essential int
}

// planJobReads chooses whose jobs to read within budget listings, most
// needed first: every re-run (the flaky rule reads their attempts, and the
// score sets flaky runs apart), then the newest failure of each workflow
// (the failing job and step of every failure group), then the other
// failures, newest first taking the workflows in turn so that one
// long-broken workflow cannot use up the budget of the others. Runs must be
// newest first.
func planJobReads(runs []WorkflowRun, budget int) jobPlan {
	var p jobPlan
	var reruns []int
	byWorkflow := map[int64][]int{}
	var order []int64
	for i, r := range runs {
		switch {
		case r.Conclusion == "startup_failure":
			p.noJobs = append(p.noJobs, i)
		case r.Attempt > 1:
			reruns = append(reruns, i)
		case isFailure(r.Conclusion):
			if _, ok := byWorkflow[r.WorkflowID]; !ok {
				order = append(order, r.WorkflowID)
			}
			byWorkflow[r.WorkflowID] = append(byWorkflow[r.WorkflowID], i)
		}
	}
	queue := append([]int(nil), reruns...)
	// Round robin over the workflows, newest failure first in each: round 0
	// is the newest failure of every workflow.
	for round := 0; ; round++ {
		added := false
		for _, wf := range order {
			if rs := byWorkflow[wf]; round < len(rs) {
				queue = append(queue, rs[round])
				added = true
			}
		}
		if round == 0 {
			p.essential = len(queue)
		}
		if !added {
			break
		}
	}
	for _, i := range queue {
		if len(p.read) < budget {
			p.read = append(p.read, i)
		} else {
			p.skipped = append(p.skipped, i)
		}
	}
	return p
}

// analyze classifies the logs of failed jobs in the latest attempt of
// failed runs: the newest failure of each distinct workflow and job, up to
// MaxLogs, so one broken job repeated many times does not hide the others.
func (c *Collector) analyze(ctx context.Context, t Target, d *DomainData) error {
	limit := c.MaxLogs
	if limit == 0 {
		limit = DefaultMaxLogs
	}
	done := 0
	seen := map[string]bool{}
	for i := range d.Runs {
		r := &d.Runs[i]
		if !isFailure(r.Conclusion) || !r.JobsKnown {
			continue
		}
		last := 0
		for _, j := range r.Jobs {
			last = max(last, attempt(j))
		}
		for ji := range r.Jobs {
			j := &r.Jobs[ji]
			key := r.Name + "\x00" + j.Name
			if attempt(*j) != last || !isFailure(j.Conclusion) || done >= limit || seen[key] {
				continue
			}
			seen[key] = true
			done++
			ck := classKey(d.Name, j.ID, attempt(*j))
			if e, ok := c.classCache.get(ck); ok {
				j.Analysis = e.Analysis
				continue
			}
			rc, err := c.API.JobLog(ctx, t.Owner, t.Name, j.ID)
			if err != nil {
				if stop := stopFor(err); stop != nil {
					return stop
				}
				c.logf("%s: log of job %d not read: %s", d.Name, j.ID, ghclient.Reason(err))
				continue
			}
			a, err := c.Classify(ctx, rc)
			rc.Close()
			if err != nil {
				c.logf("%s: log of job %d not classified: %s", d.Name, j.ID, err)
				continue
			}
			j.Analysis = a
			c.classCache.put(ck, a)
		}
	}
	return nil
}

func metaFrom(r *github.Repository) RepoMeta {
	return RepoMeta{
		DefaultBranch:   r.GetDefaultBranch(),
		Archived:        r.GetArchived(),
		Disabled:        r.GetDisabled(),
		PushedAt:        r.GetPushedAt().Time,
		OpenIssuesCount: r.GetOpenIssuesCount(),
		HTMLURL:         r.GetHTMLURL(),
		Topics:          r.Topics,
		OwnerType:       r.GetOwner().GetType(),
	}
}

func runFrom(r *github.WorkflowRun) WorkflowRun {
	return WorkflowRun{
		ID: r.GetID(), WorkflowID: r.GetWorkflowID(), Name: r.GetName(), HeadBranch: r.GetHeadBranch(),
		HeadSHA: r.GetHeadSHA(), Event: r.GetEvent(), Status: r.GetStatus(), Conclusion: r.GetConclusion(),
		Attempt: max(r.GetRunAttempt(), 1), CreatedAt: r.GetCreatedAt().Time, HTMLURL: r.GetHTMLURL(),
		StartedAt: r.GetRunStartedAt().Time, UpdatedAt: r.GetUpdatedAt().Time,
	}
}

func jobFrom(j *github.WorkflowJob) Job {
	out := Job{ID: j.GetID(), Name: j.GetName(), Attempt: int(max(j.GetRunAttempt(), 1)), Conclusion: j.GetConclusion(),
		HTMLURL: j.GetHTMLURL(), CreatedAt: j.GetCreatedAt().Time, StartedAt: j.GetStartedAt().Time, CompletedAt: j.GetCompletedAt().Time}
	out.FailedStep = failedStep(j.Steps)
	return out
}

// failedStep names the step a failed job stopped at: the first step that
// failed; for a job that timed out or was cancelled, the step that was
// running then (GitHub concludes it cancelled, or timed_out).
func failedStep(steps []*github.TaskStep) string {
	for _, want := range []string{"failure", "timed_out", "cancelled"} {
		for _, s := range steps {
			if s.GetConclusion() == want {
				return s.GetName()
			}
		}
	}
	return ""
}

func itemFrom(i *github.Issue) Item {
	it := Item{Number: i.GetNumber(), Title: i.GetTitle(), IsPull: i.IsPullRequest(), Draft: i.GetDraft(),
		CreatedAt: i.GetCreatedAt().Time, UpdatedAt: i.GetUpdatedAt().Time, HTMLURL: i.GetHTMLURL()}
	for _, l := range i.Labels {
		it.Labels = append(it.Labels, l.GetName())
	}
	return it
}

// ResolveMetadata fills the metadata of targets that share an owner from
// one listing of that owner's repositories (GET /users/{owner}/repos), so a
// domain costs no GET /repos/{owner}/{repo} of its own. The listing is read
// only while it costs fewer requests than the repositories it replaces (the
// Link header tells the page count on page 1); repositories it does not
// show (private, missing, renamed) keep Meta nil and are fetched one by one,
// which also reports a 404/403 with its reason. Errors only mean fallback.
func ResolveMetadata(ctx context.Context, api API, targets []Target) {
	byOwner := map[string][]int{}
	var owners []string
	for i, t := range targets {
		if t.Meta != nil {
			continue
		}
		key := strings.ToLower(t.Owner)
		if _, ok := byOwner[key]; !ok {
			owners = append(owners, key)
		}
		byOwner[key] = append(byOwner[key], i)
	}
	for _, key := range owners {
		idx := byOwner[key]
		if len(idx) < 2 { // one GET is never more than one listing page
			continue
		}
		want := map[string]int{}
		for _, i := range idx {
			want[strings.ToLower(targets[i].Name)] = i
		}
		owner := targets[idx[0]].Owner
		first := true
		_, _ = ghclient.EachPage(ctx, 0, func(opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
			return api.ListOwnerRepos(ctx, owner, opt)
		}, func(rs []*github.Repository, resp *github.Response) bool {
			for _, r := range rs {
				if i, ok := want[strings.ToLower(r.GetName())]; ok && strings.EqualFold(r.GetOwner().GetLogin(), owner) {
					m := metaFrom(r)
					targets[i].Meta = &m
					delete(want, strings.ToLower(r.GetName()))
				}
			}
			// More pages than domains: fetch the rest one by one.
			tooLong := first && resp != nil && resp.LastPage > len(idx)
			first = false
			return len(want) > 0 && !tooLong
		})
	}
}

// OrgFilter selects the repositories of an owner: an organisation, a user
// account, or what an App installation token reaches.
type OrgFilter struct {
	Org string
	// Name is a path.Match pattern on the repository name ("" = all).
	Name string
	// Topic keeps only repositories with this topic ("" = all).
	Topic string
	// Installation is set when the token is an App installation token (or
	// a GITHUB_TOKEN, ghs_…): GET /installation/repositories then adds the
	// private repositories it reaches, which the owner listings do not show.
	Installation bool
}

// OrgListing says where the org's repositories were listed from.
type OrgListing struct {
	// Sources are the listings read: "GET /orgs/{org}/repos",
	// "GET /users/{user}/repos", "GET /installation/repositories".
	Sources []string
	// Account is "organization" or "user" ("" when only the installation
	// listing answered).
	Account string
}

// ListOrgTargets lists the repositories of f.Org matching the filter,
// carrying their metadata so they are not fetched again. An organisation is
// listed with GET /orgs/{org}/repos; a user account answers that with 404,
// and is listed with GET /users/{user}/repos. With an installation token the
// repositories of GET /installation/repositories owned by f.Org are added.
// It fails only when no listing names the owner.
func ListOrgTargets(ctx context.Context, api API, f OrgFilter) ([]Target, OrgListing, error) {
	var listing OrgListing
	byName := map[string]Target{}
	add := func(rs []*github.Repository) {
		for _, r := range rs {
			owner := r.GetOwner().GetLogin()
			if owner == "" {
				owner = f.Org
			}
			if !strings.EqualFold(owner, f.Org) {
				continue
			}
			if f.Name != "" {
				if ok, _ := path.Match(f.Name, r.GetName()); !ok {
					continue
				}
			}
			if f.Topic != "" && !containsFold(r.Topics, f.Topic) {
				continue
			}
			m := metaFrom(r)
			byName[strings.ToLower(owner+"/"+r.GetName())] = Target{Repo: ghname.Repo{Owner: owner, Name: r.GetName()}, Meta: &m}
		}
	}
	orgRepos, orgErr := listPages(ctx, 0, func(opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
		return api.ListOrgRepos(ctx, f.Org, opt)
	})
	var ownerErr error
	switch {
	case orgErr == nil:
		listing.Account, listing.Sources = "organization", append(listing.Sources, "GET /orgs/{org}/repos")
		add(orgRepos)
	case ghclient.StatusCode(orgErr) == http.StatusNotFound:
		// Not an organisation: a user account lists its repositories under
		// /users/{user}/repos.
		var userRepos []*github.Repository
		userRepos, ownerErr = listPages(ctx, 0, func(opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
			return api.ListOwnerRepos(ctx, f.Org, opt)
		})
		if ownerErr == nil {
			listing.Account, listing.Sources = "user", append(listing.Sources, "GET /users/{user}/repos")
			add(userRepos)
		}
	default:
		ownerErr = orgErr
	}
	if stop := stopFor(orgErr); stop != nil {
		return nil, listing, fmt.Errorf("failed to list the repositories of %s: %w", f.Org, orgErr)
	}
	var instErr error
	if f.Installation {
		var instRepos []*github.Repository
		instRepos, instErr = listPages(ctx, 0, func(opt github.ListOptions) ([]*github.Repository, *github.Response, error) {
			return api.ListInstallationRepos(ctx, opt)
		})
		if instErr == nil {
			listing.Sources = append(listing.Sources, "GET /installation/repositories")
			add(instRepos)
		}
	}
	if len(listing.Sources) == 0 {
		switch {
		case orgErr != nil && ghclient.StatusCode(orgErr) == http.StatusNotFound && ghclient.StatusCode(ownerErr) == http.StatusNotFound:
			return nil, listing, fmt.Errorf("failed to list the repositories of %s: it is neither an organization (GET /orgs/%s/repos: 404) nor a user (GET /users/%s/repos: 404)", f.Org, f.Org, f.Org)
		case instErr != nil:
			return nil, listing, fmt.Errorf("failed to list the repositories of %s: %w (installation repositories: %v)", f.Org, ownerErr, instErr)
		}
		return nil, listing, fmt.Errorf("failed to list the repositories of %s: %w", f.Org, ownerErr)
	}
	out := make([]Target, 0, len(byName))
	for _, t := range byName {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FullName() < out[j].FullName() })
	return out, listing, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// unread records data that could not be read: the reason, the status and
// the permission GitHub says is needed (fallback: the one the endpoint is
// documented to need, for a 403 without the header).
func (d *DomainData) unread(data string, err error, permission string, components ...string) {
	u := Unread{Data: data, Components: components, Reason: ghclient.Reason(err), Status: ghclient.StatusCode(err)}
	switch {
	case ghclient.NeededPermission(err) != "":
		u.Permission = ghclient.NeededPermission(err)
	case ghclient.IsForbidden(err):
		u.Permission = permission
	}
	d.Unread = append(d.Unread, u)
}

func (d *DomainData) hasUnread(data string) bool {
	for _, u := range d.Unread {
		if u.Data == data {
			return true
		}
	}
	return false
}
