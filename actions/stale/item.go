package stale

import (
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// ItemKind is what an item is.
type ItemKind string

// Item kinds.
const (
	KindPR     ItemKind = "pull_request"
	KindIssue  ItemKind = "issue"
	KindBranch ItemKind = "branch"
)

// Noun is the kind in words, for messages.
func (k ItemKind) Noun() string {
	switch k {
	case KindPR:
		return "pull request"
	case KindIssue:
		return "issue"
	}
	return "branch"
}

// Markers are hidden HTML comments that identify the action's own comments.
// They are the state between runs: a warning is "label + active marker
// comment"; resolving it rewrites the marker; closing posts the close marker.
const (
	MarkerWarning  = "<!-- ecosystem-actions:stale -->"
	MarkerResolved = "<!-- ecosystem-actions:stale-resolved -->"
	MarkerClose    = "<!-- ecosystem-actions:stale-close -->"
	// MarkerBranches opens the body of the per-repository tracking issue.
	MarkerBranches = "<!-- ecosystem-actions:stale-branches -->"
)

// TrackingIssueTitle is the title of the per-repository branch tracking
// issue.
const TrackingIssueTitle = "Stale branches"

// Item is one pull request, issue or branch as collected from GitHub.
type Item struct {
	Kind      ItemKind
	Repo      ghname.Repo
	Number    int // pull requests and issues
	Title     string
	URL       string
	Author    string
	Labels    []string
	Milestone string
	Assignees []string
	Draft     bool
	CreatedAt time.Time
	UpdatedAt time.Time

	// Branch is the branch name (branches) or head ref (pull requests).
	Branch string
	// SHA is the branch's last commit (branches) or the head SHA.
	SHA string
	// CommitDate is the committer date of a branch's last commit.
	CommitDate time.Time
	Protected  bool

	// Read is true when the item's activities are known: Activities holds
	// them and Evidence says where they come from (the repository-wide
	// listings, the item's timeline, or the cursor of an earlier run); for
	// branches, when the last commit was read. Items whose list entry alone
	// decides (younger than the threshold, or not updated at all since it)
	// are not read.
	Read       bool
	Evidence   Evidence
	Activities []Activity
	// ReadError is why the extra read failed (the item is then skipped).
	ReadError string
	// needsRead is set by the collector for an item only its timeline (or
	// branch commit) can decide; the run reads it in turn, within budget.
	needsRead bool
}

// HasLabel reports whether the item carries the label (case-insensitive,
// as GitHub compares label names).
func (it *Item) HasLabel(name string) bool { return containsFold(it.Labels, name) }

// ActivityKind is the kind of a timeline entry.
type ActivityKind string

// Activity kinds that matter; everything else is "other" and ignored.
const (
	ActCommit    ActivityKind = "commit"
	ActComment   ActivityKind = "comment"
	ActReview    ActivityKind = "review"
	ActLabeled   ActivityKind = "labeled"
	ActUnlabeled ActivityKind = "unlabeled"
	ActReopened  ActivityKind = "reopened"
	// ActEvent is another deliberate change of the item by its actor
	// (assigned, milestoned, renamed, ready_for_review, ...; see
	// activityEvents).
	ActEvent ActivityKind = "event"
	ActOther ActivityKind = "other"
)

// activityEvents are the issue events, besides labels and reopening, that a
// person makes on purpose and that count as activity when a human makes
// them. Passive ones (mentioned, subscribed, referenced) do not.
var activityEvents = map[string]bool{
	"assigned": true, "unassigned": true, "milestoned": true, "demilestoned": true, "renamed": true,
	"ready_for_review": true, "convert_to_draft": true, "review_requested": true, "review_request_removed": true,
	"locked": true, "unlocked": true, "head_ref_restored": true, "base_ref_changed": true, "transferred": true,
}

// pushEvents are issue events that mean new commits on a pull request:
// activity whoever pushed (like commits in the timeline).
var pushEvents = map[string]bool{"head_ref_force_pushed": true}

// Activity is one timeline entry of a pull request or issue.
type Activity struct {
	Kind      ActivityKind
	Actor     string
	At        time.Time
	CommentID int64  // comments
	Body      string // comments
	Label     string // labeled / unlabeled
	// Event is the issue event name (ActEvent, ActOther).
	Event string
}

// Evidence says where an item's activities come from.
type Evidence string

// Evidence kinds.
const (
	// EvidenceNone: nothing beyond the list entry was needed (updated_at
	// older than days_until_stale proves no activity of any kind since).
	EvidenceNone Evidence = ""
	// EvidenceListings: the repository-wide issue events and comments
	// listings covered the item's window.
	EvidenceListings Evidence = "listings"
	// EvidenceTimeline: the item's own timeline was read.
	EvidenceTimeline Evidence = "timeline"
	// EvidenceCursor: the cursor kept from an earlier run still holds
	// (updated_at unchanged since).
	EvidenceCursor Evidence = "cursor"
)

// updateTolerance is how far apart updated_at and the entry that caused it
// may be (GitHub writes them in the same request; clocks round to seconds).
const updateTolerance = time.Minute

// assessment is what the timeline says about an item's warning state.
type assessment struct {
	lastActivity time.Time
	lastWhat     string // "created", "commit by x", "comment by x", ...
	// marker is the latest active warning comment by the token's own
	// login, with the marker at the start of the body; nil when there is
	// none (or it is not in the evidence).
	marker *Activity
	// warned is true when the item carries our current warning: our marker
	// comment, or the stale label added by us and not removed since.
	warned   bool
	warnedAt time.Time
	// humanAfter is the first activity after the warning that resets it.
	humanAfter *Activity
	// unlabeledAfter: the stale label was removed (by anyone) after the
	// warning.
	unlabeledAfter bool
	// closeMarkerAfter: the close comment was already posted after the
	// warning (a previous close whose PATCH failed).
	closeMarkerAfter bool
}

// startsWithMarker reports whether body opens with marker (leading blank
// space allowed). A marker inside a quote, a code span or anywhere later in
// the body is not one.
func startsWithMarker(body, marker string) bool {
	return strings.HasPrefix(strings.TrimLeft(body, " \t\r\n\ufeff"), marker)
}

// own reports whether a comment or issue body is the action's own with the
// given marker: written by the token's login and opening with the marker.
func (p Policy) own(author, body, marker string) bool {
	return p.self != "" && strings.EqualFold(author, p.self) && startsWithMarker(body, marker)
}

// byUs reports whether login is the token's own login.
func (p Policy) byUs(login string) bool { return p.self != "" && strings.EqualFold(login, p.self) }

// assess reads an item's activities. Activity is: any commit (and forced
// push); comments, reviews, label changes and other deliberate changes by
// humans (Policy.isHuman); reopening by anyone but the action; and an
// update of the item that no visible entry explains (updated_at later than
// every entry: an edit of the description, or anything else the API does
// not list) — counted, because the action cannot tell who made it. The
// action's own comments and labels never count; markers count only from the
// token's own login at the start of the body.
func (p Policy) assess(it *Item) assessment {
	a := assessment{lastActivity: it.CreatedAt, lastWhat: "created"}
	latestVisible := it.CreatedAt
	var ourLabel, unlabel *Activity
	for i := range it.Activities {
		act := &it.Activities[i]
		if act.At.After(latestVisible) {
			latestVisible = act.At
		}
		switch {
		case act.Kind == ActComment && p.own(act.Actor, act.Body, MarkerWarning):
			if a.marker == nil || !act.At.Before(a.marker.At) {
				a.marker = act
			}
		case act.Kind == ActLabeled && strings.EqualFold(act.Label, p.StaleLabel) && p.byUs(act.Actor):
			if ourLabel == nil || !act.At.Before(ourLabel.At) {
				ourLabel = act
			}
		case act.Kind == ActUnlabeled && strings.EqualFold(act.Label, p.StaleLabel):
			if unlabel == nil || !act.At.Before(unlabel.At) {
				unlabel = act
			}
		}
		if p.countsAsActivity(act) && act.At.After(a.lastActivity) {
			a.lastActivity = act.At
			a.lastWhat = string(act.Kind) + " by " + act.Actor
			if act.Kind == ActEvent {
				a.lastWhat = act.Event + " by " + act.Actor
			}
		}
		if act.Kind == ActUnlabeled && strings.EqualFold(act.Label, p.StaleLabel) && p.byUs(act.Actor) && act.At.After(a.lastActivity) {
			// The action removes its label only when it found activity after
			// its warning (which an update the timeline does not show leaves
			// no trace of): the item counts as active from then on.
			a.lastActivity = act.At
			a.lastWhat = "activity after the warning (un-staled by the action)"
		}
	}
	unexplained := false
	if it.Evidence == EvidenceTimeline || it.Evidence == EvidenceListings {
		if it.UpdatedAt.After(latestVisible.Add(updateTolerance)) && it.UpdatedAt.After(a.lastActivity) {
			unexplained = true
			a.lastActivity = it.UpdatedAt
			a.lastWhat = "an update the timeline does not show (updated_at; e.g. an edit of the description)"
		}
	}
	labelCurrent := it.HasLabel(p.StaleLabel) && ourLabel != nil && (unlabel == nil || unlabel.At.Before(ourLabel.At))
	switch {
	case a.marker != nil:
		a.warned, a.warnedAt = true, a.marker.At
		if labelCurrent && ourLabel.At.After(a.warnedAt) {
			a.warnedAt = ourLabel.At
		}
	case labelCurrent:
		// Our label without a visible marker comment: the comment is older
		// than the listings reach, or in the format of an earlier version
		// (marker at the end). The action labels only after its comment
		// was posted, so the label is the warning.
		a.warned, a.warnedAt = true, ourLabel.At
	default:
		return a
	}
	for i := range it.Activities {
		act := &it.Activities[i]
		if !act.At.After(a.warnedAt) {
			continue
		}
		switch {
		case act.Kind == ActUnlabeled && strings.EqualFold(act.Label, p.StaleLabel):
			a.unlabeledAfter = true
		case act.Kind == ActComment && p.own(act.Actor, act.Body, MarkerClose):
			a.closeMarkerAfter = true
		}
		if act.Kind == ActLabeled && strings.EqualFold(act.Label, p.StaleLabel) {
			continue // marking an item stale is not activity against it
		}
		if p.countsAsActivity(act) && (a.humanAfter == nil || act.At.Before(a.humanAfter.At)) {
			a.humanAfter = act
		}
	}
	if a.humanAfter == nil && unexplained && it.UpdatedAt.After(a.warnedAt.Add(updateTolerance)) {
		// The unexplained update came after the warning.
		a.humanAfter = &Activity{Kind: ActOther, Actor: "unknown", At: it.UpdatedAt, Event: "an update the timeline does not show"}
	}
	return a
}

func (p Policy) countsAsActivity(act *Activity) bool {
	switch act.Kind {
	case ActCommit:
		return true
	case ActReopened:
		return act.Actor != "" && !p.byUs(act.Actor)
	case ActComment, ActReview, ActLabeled, ActUnlabeled, ActEvent:
		return p.isHuman(act.Actor)
	case ActOther:
		return pushEvents[act.Event]
	}
	return false
}
