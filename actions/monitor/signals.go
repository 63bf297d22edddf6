package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// Signal is one named activity signal of a domain in the report.
type Signal = contract.Signal

// FeedEventTypes are the event types the Events API serves
// (GET /repos/{owner}/{repo}/events), counted from the feed. GitHub's list
// of event types (docs "GitHub event types") has named DiscussionEvent,
// PullRequestReviewThreadEvent and SponsorshipEvent in some of its
// versions; they are counted when the feed carries them.
// https://docs.github.com/rest/using-the-rest-api/github-event-types
var FeedEventTypes = []string{
	"CommitCommentEvent", "CreateEvent", "DeleteEvent", "DiscussionEvent", "ForkEvent", "GollumEvent",
	"IssueCommentEvent", "IssuesEvent", "MemberEvent", "PublicEvent", "PullRequestEvent",
	"PullRequestReviewCommentEvent", "PullRequestReviewEvent", "PullRequestReviewThreadEvent",
	"PushEvent", "ReleaseEvent", "SponsorshipEvent", "WatchEvent",
}

// apiSignals are the names of the monitor's specification that the events
// feed does not carry (they exist as webhook events), with the API that
// publishes each instead.
var apiSignals = map[string]struct{ source, endpoint, permission string }{
	"DeploymentEvent":       {contract.SourceDeployments, "GET /repos/{owner}/{repo}/deployments", "deployments: read"},
	"DeploymentStatusEvent": {contract.SourceDeploymentStatuses, "GET /repos/{owner}/{repo}/deployments/{id}/statuses", "deployments: read"},
	"StatusEvent":           {contract.SourceCommitStatuses, "GET /repos/{owner}/{repo}/commits/{sha}/statuses", "statuses: read"},
	"CheckRunEvent":         {contract.SourceCheckRuns, "GET /repos/{owner}/{repo}/commits/{sha}/check-runs", "checks: read"},
	"CheckSuiteEvent":       {contract.SourceCheckSuites, "GET /repos/{owner}/{repo}/commits/{sha}/check-suites", "checks: read"},
}

// Why the two remaining names of the specification have no API.
const (
	teamAddReasonOrg = "GitHub publishes a team being added to a repository only as the team_add webhook and in the organization audit log (GitHub Enterprise Cloud); no REST endpoint a repository token reads dates it (GET /repos/{owner}/{repo}/teams lists the teams, not when they were added)"
	teamAddNoteUser  = "the repository belongs to a user account: teams exist only in organizations, so none can be added"
	marketplaceWhy   = "marketplace purchases belong to GitHub Apps listed on GitHub Marketplace, not to repositories: only the app reads them, with its own JWT (GET /marketplace_listing/accounts/{account_id})"
)

// notInFeed is true for the names of the specification the Events API does
// not serve: an entry of such a type in a feed is not counted (their own
// APIs are).
func notInFeed(eventType string) bool {
	_, api := apiSignals[eventType]
	return api || eventType == "TeamAddEvent" || eventType == "MarketplacePurchaseEvent"
}

// SignalNames are every name a domain's signals and event_types hold: the
// 23 event types of the monitor's specification plus the feed types GitHub
// documents besides them (DiscussionEvent, PullRequestReviewThreadEvent).
var SignalNames = func() []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]string{EventTypes, FeedEventTypes} {
		for _, n := range list {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}()

// Limits on what the signals outside the feed may cost a domain.
const (
	// DefaultSignalHeads is how many recent heads of the default branch
	// have their commit statuses, check suites and check runs read (3
	// requests each; the signal_heads input).
	DefaultSignalHeads = 3
	// maxDeploymentPages bounds the deployments listing (newest first).
	maxDeploymentPages = 3
	// maxDeploymentStatusReads is how many deployments of the window, newest
	// first, have their statuses read.
	maxDeploymentStatusReads = 10
	// maxSignalPages bounds a commit's statuses or checks listing.
	maxSignalPages = 3
)

// SignalRead is what was read for one signal outside the events feed.
type SignalRead struct {
	// Known is false when the API refused (Reason, Status, Permission).
	Known bool
	// Times are the moments of each occurrence (created or started).
	Times      []time.Time
	Note       string
	Reason     string
	Status     int
	Permission string
	err        error
}

func (r *SignalRead) fail(err error, permission string) {
	r.Known, r.Times, r.err = false, nil, err
	r.Reason, r.Status = ghclient.Reason(err), ghclient.StatusCode(err)
	switch {
	case ghclient.NeededPermission(err) != "":
		r.Permission = ghclient.NeededPermission(err)
	case r.Status == http.StatusForbidden:
		r.Permission = permission
	}
}

// recentHeads are the commits the default branch pointed at in the window,
// newest first: the heads of its pushes (PushEvent payloads) and of its
// workflow runs.
func recentHeads(d *DomainData, windowStart time.Time) []string {
	type head struct {
		sha string
		at  time.Time
	}
	ref := "refs/heads/" + d.Meta.DefaultBranch
	latest := map[string]time.Time{}
	for _, e := range d.Events {
		if e.Type == "PushEvent" && e.Ref == ref && e.Head != "" && !e.CreatedAt.Before(windowStart) {
			if e.CreatedAt.After(latest[e.Head]) {
				latest[e.Head] = e.CreatedAt
			}
		}
	}
	for _, r := range d.Runs {
		if r.HeadBranch == d.Meta.DefaultBranch && r.HeadSHA != "" && r.CreatedAt.After(latest[r.HeadSHA]) {
			latest[r.HeadSHA] = r.CreatedAt
		}
	}
	hs := make([]head, 0, len(latest))
	for sha, at := range latest {
		hs = append(hs, head{sha, at})
	}
	sort.Slice(hs, func(i, j int) bool {
		if !hs[i].at.Equal(hs[j].at) {
			return hs[i].at.After(hs[j].at)
		}
		return hs[i].sha < hs[j].sha
	})
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, h.sha)
	}
	return out
}

// collectSignals reads the signals the events feed does not carry from the
// APIs that publish them: deployments and their statuses, and the commit
// statuses, check suites and check runs of the default branch's recent
// heads. A refusal is recorded with its reason; only a stop (rate limit,
// cancellation) is returned.
func (c *Collector) collectSignals(ctx context.Context, t Target, d *DomainData, windowStart time.Time) error {
	d.Signals = map[string]*SignalRead{}
	for name := range apiSignals {
		d.Signals[name] = &SignalRead{Known: true}
	}

	// Deployments created in the window, newest first.
	deps := d.Signals["DeploymentEvent"]
	var inWindow []*github.Deployment
	more, err := ghclient.EachPage(ctx, maxDeploymentPages, func(opt github.ListOptions) ([]*github.Deployment, *github.Response, error) {
		return c.API.ListDeployments(ctx, t.Owner, t.Name, opt)
	}, func(ds []*github.Deployment, _ *github.Response) bool {
		for _, dp := range ds {
			at := dp.GetCreatedAt().Time
			if at.Before(windowStart) {
				return false // newest first: the rest is older
			}
			inWindow = append(inWindow, dp)
			deps.Times = append(deps.Times, at)
		}
		return true
	})
	if err != nil {
		if stop := stopFor(err); stop != nil {
			return stop
		}
		deps.fail(err, apiSignals["DeploymentEvent"].permission)
		d.Signals["DeploymentStatusEvent"].fail(err, apiSignals["DeploymentStatusEvent"].permission)
	}
	if more && len(inWindow) == maxDeploymentPages*ghclient.PerPage {
		deps.Note = fmt.Sprintf("the newest %d deployments (GitHub lists newest first)", len(inWindow))
	}
	if sts := d.Signals["DeploymentStatusEvent"]; sts.Known {
		for i, dp := range inWindow {
			if i == maxDeploymentStatusReads {
				sts.Note = fmt.Sprintf("statuses of the newest %d of the %d deployments in the window", maxDeploymentStatusReads, len(inWindow))
				break
			}
			ss, err := listPages(ctx, maxSignalPages, func(opt github.ListOptions) ([]*github.DeploymentStatus, *github.Response, error) {
				return c.API.ListDeploymentStatuses(ctx, t.Owner, t.Name, dp.GetID(), opt)
			})
			if err != nil {
				if stop := stopFor(err); stop != nil {
					return stop
				}
				sts.fail(err, apiSignals["DeploymentStatusEvent"].permission)
				break
			}
			for _, st := range ss {
				if at := st.GetCreatedAt().Time; !at.Before(windowStart) {
					sts.Times = append(sts.Times, at)
				}
			}
		}
	}

	// Commit statuses and checks of the default branch's recent heads.
	heads := recentHeads(d, windowStart)
	limit := c.SignalHeads
	if limit == 0 {
		limit = DefaultSignalHeads
	}
	statuses, runs, suites := d.Signals["StatusEvent"], d.Signals["CheckRunEvent"], d.Signals["CheckSuiteEvent"]
	if limit < 0 {
		for _, r := range []*SignalRead{statuses, runs, suites} {
			r.Known, r.Reason = false, "not read: signal_heads is 0 (commit statuses and checks are not requested)"
		}
		heads = nil
	}
	note := ""
	if limit > 0 && len(heads) > limit {
		note = fmt.Sprintf("the newest %d of the %d heads of %s in the window", limit, len(heads), d.Meta.DefaultBranch)
		heads = heads[:limit]
	} else {
		note = fmt.Sprintf("%s of %s in the window", plural(len(heads), "head", "heads"), d.Meta.DefaultBranch)
	}
	statuses.Note, runs.Note, suites.Note = note, note+" (GitHub Actions jobs included)", note+" (GitHub Actions runs included)"
	seenRun, seenSuite := map[int64]bool{}, map[int64]bool{}
	for _, sha := range heads {
		if statuses.Known {
			ss, err := listPages(ctx, maxSignalPages, func(opt github.ListOptions) ([]*github.RepoStatus, *github.Response, error) {
				return c.API.ListCommitStatuses(ctx, t.Owner, t.Name, sha, opt)
			})
			if stop := stopFor(err); stop != nil {
				return stop
			}
			if err != nil {
				statuses.fail(err, apiSignals["StatusEvent"].permission)
			}
			for _, st := range ss {
				if at := st.GetCreatedAt().Time; !at.Before(windowStart) {
					statuses.Times = append(statuses.Times, at)
				}
			}
		}
		if suites.Known {
			ss, err := listPages(ctx, maxSignalPages, func(opt github.ListOptions) ([]*github.CheckSuite, *github.Response, error) {
				return c.API.ListCheckSuites(ctx, t.Owner, t.Name, sha, opt)
			})
			if stop := stopFor(err); stop != nil {
				return stop
			}
			if err != nil {
				suites.fail(err, apiSignals["CheckSuiteEvent"].permission)
			}
			for _, su := range ss {
				if at := su.GetCreatedAt().Time; !at.Before(windowStart) && !seenSuite[su.GetID()] {
					seenSuite[su.GetID()] = true
					suites.Times = append(suites.Times, at)
				}
			}
		}
		if runs.Known {
			rs, err := listPages(ctx, maxSignalPages, func(opt github.ListOptions) ([]*github.CheckRun, *github.Response, error) {
				return c.API.ListCheckRuns(ctx, t.Owner, t.Name, sha, opt)
			})
			if stop := stopFor(err); stop != nil {
				return stop
			}
			if err != nil {
				runs.fail(err, apiSignals["CheckRunEvent"].permission)
			}
			for _, cr := range rs {
				if at := cr.GetStartedAt().Time; !at.Before(windowStart) && !seenRun[cr.GetID()] {
					seenRun[cr.GetID()] = true
					runs.Times = append(runs.Times, at)
				}
			}
		}
	}
	// What could not be read is missing data, one finding per API, with the
	// permission that would let it be read; no score component needs it.
	for _, fam := range []struct{ data, first, second string }{
		{"deployments", "DeploymentEvent", "DeploymentStatusEvent"},
		{"commit statuses", "StatusEvent", ""},
		{"check runs and suites", "CheckRunEvent", "CheckSuiteEvent"},
	} {
		r := d.Signals[fam.first]
		if r.Known && fam.second != "" {
			r = d.Signals[fam.second]
		}
		if !r.Known && r.err != nil {
			d.unread(fam.data, r.err, apiSignals[fam.first].permission)
		}
	}
	return nil
}

// pushPayload is the part of a PushEvent payload the heads need.
type pushPayload struct {
	Ref  string `json:"ref"`
	Head string `json:"head"`
}

func eventFrom(e *github.Event) Event {
	ev := Event{Type: e.GetType(), CreatedAt: e.GetCreatedAt().Time}
	if ev.Type == "PushEvent" && e.RawPayload != nil {
		var p pushPayload
		if json.Unmarshal(*e.RawPayload, &p) == nil {
			ev.Ref, ev.Head = p.Ref, p.Head
		}
	}
	return ev
}

// activitySignals are the signals outside the feed that count as activity
// (recent_activity, last_activity) like the feed's events: a deployment is
// something people did. Commit statuses and checks are CI outcomes, which
// the CI components already score; counting them would make a repository
// whose scheduled workflows run look active.
var activitySignals = map[string]bool{"DeploymentEvent": true}

// assessSignals builds a domain's signals: each name's count in the
// window from the API that carries it, or why it could not be read. It
// returns the moments of the activity signals read outside the feed.
func assessSignals(d DomainData, windowStart time.Time) (map[string]Signal, []time.Time) {
	out := make(map[string]Signal, len(SignalNames))
	count := func(times []time.Time) *int {
		n := 0
		for _, at := range times {
			if !at.Before(windowStart) {
				n++
			}
		}
		return &n
	}
	var activity []time.Time
	feed := map[string]int{}
	for _, e := range d.Events {
		if !e.CreatedAt.Before(windowStart) {
			feed[e.Type]++
		}
	}
	unreadable := ""
	switch {
	case d.Error != "":
		unreadable = "the domain could not be read: " + d.Error
	case d.Meta.Archived:
		unreadable = "the repository is archived: only its metadata is read"
	}
	for _, name := range SignalNames {
		if api, ok := apiSignals[name]; ok {
			s := Signal{Source: api.source, Endpoint: api.endpoint}
			r := d.Signals[name]
			switch {
			case unreadable != "":
				s.Reason = unreadable
			case r == nil:
				s.Reason = "not read"
			case !r.Known:
				s.Reason, s.Status, s.Permission = r.Reason, r.Status, r.Permission
			default:
				s.Value, s.Note = count(r.Times), r.Note
				if activitySignals[name] {
					activity = append(activity, r.Times...)
				}
			}
			out[name] = s
			continue
		}
		switch name {
		case "TeamAddEvent":
			s := Signal{Source: contract.SourceNone}
			switch {
			case unreadable != "":
				s.Reason = unreadable
			case strings.EqualFold(d.Meta.OwnerType, "User"):
				zero := 0
				s.Value, s.Source, s.Note = &zero, "repository", teamAddNoteUser
				s.Endpoint = "GET /repos/{owner}/{repo} (owner.type)"
			default:
				s.Reason = teamAddReasonOrg
			}
			out[name] = s
			continue
		case "MarketplacePurchaseEvent":
			out[name] = Signal{Source: contract.SourceNone, Reason: marketplaceWhy}
			continue
		}
		s := Signal{Source: contract.SourceEvents, Endpoint: "GET /repos/{owner}/{repo}/events"}
		switch {
		case unreadable != "":
			s.Reason = unreadable
		case !d.EventsKnown:
			s.Reason = "the events feed could not be read"
			if d.EventsError != "" {
				s.Reason += ": " + d.EventsError
			}
		default:
			n := feed[name]
			s.Value = &n
			if d.EventsTruncated {
				s.Note = d.EventsNote
			}
		}
		out[name] = s
	}
	return out, activity
}
