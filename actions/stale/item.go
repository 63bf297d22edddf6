package stale

import (
	"strings"
	"time"
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
	Repo      string // owner/name
	Number    int    // pull requests and issues
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

	// Read is true when the extra read (timeline for pull requests and
	// issues, the commit for branches) was made; Activities holds its
	// result. Items that cannot be stale are not read.
	Read       bool
	Activities []Activity
	// ReadError is why the extra read failed (the item is then skipped).
	ReadError string
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
	ActOther     ActivityKind = "other"
)

// Activity is one timeline entry of a pull request or issue.
type Activity struct {
	Kind      ActivityKind
	Actor     string
	At        time.Time
	CommentID int64  // comments
	Body      string // comments
	Label     string // labeled / unlabeled
}

// assessment is what the timeline says about an item's warning state.
type assessment struct {
	lastActivity time.Time
	lastWhat     string // "created", "commit by x", "comment by x", ...
	// marker is the latest active warning comment by a trusted (non-human)
	// author; nil when there is none.
	marker   *Activity
	warnedAt time.Time
	// humanAfter is the first human activity after the warning.
	humanAfter *Activity
	// unlabeledAfter: the stale label was removed (by anyone) after the
	// warning.
	unlabeledAfter bool
	// closeMarkerAfter: the close comment was already posted after the
	// warning (a previous close whose PATCH failed).
	closeMarkerAfter bool
}

// assess reads an item's timeline. Activity is: any commit; comments,
// reviews and label changes by humans (Policy.isHuman). The action's own
// comments and labels never count; markers are trusted only from non-human
// authors.
func (p Policy) assess(it *Item) assessment {
	a := assessment{lastActivity: it.CreatedAt, lastWhat: "created"}
	for i := range it.Activities {
		act := &it.Activities[i]
		if act.Kind == ActComment && !p.isHuman(act.Actor) && strings.Contains(act.Body, MarkerWarning) {
			if a.marker == nil || !act.At.Before(a.marker.At) {
				a.marker = act
			}
		}
		if countsAsActivity(p, act) && act.At.After(a.lastActivity) {
			a.lastActivity = act.At
			a.lastWhat = string(act.Kind) + " by " + act.Actor
		}
	}
	if a.marker == nil {
		return a
	}
	a.warnedAt = a.marker.At
	for i := range it.Activities {
		act := &it.Activities[i]
		if act.At.Before(a.marker.At) {
			continue
		}
		switch {
		case act.Kind == ActLabeled && strings.EqualFold(act.Label, p.StaleLabel) && !p.isHuman(act.Actor):
			if act.At.After(a.warnedAt) {
				a.warnedAt = act.At
			}
		case act.Kind == ActUnlabeled && strings.EqualFold(act.Label, p.StaleLabel):
			a.unlabeledAfter = true
		case act.Kind == ActComment && !p.isHuman(act.Actor) && strings.Contains(act.Body, MarkerClose):
			a.closeMarkerAfter = true
		}
		if act.Kind == ActLabeled && strings.EqualFold(act.Label, p.StaleLabel) {
			continue // marking an item stale is not activity against it
		}
		if act.At.After(a.marker.At) && countsAsActivity(p, act) && (a.humanAfter == nil || act.At.Before(a.humanAfter.At)) {
			a.humanAfter = act
		}
	}
	return a
}

func countsAsActivity(p Policy, act *Activity) bool {
	switch act.Kind {
	case ActCommit:
		return true
	case ActComment, ActReview, ActLabeled, ActUnlabeled:
		return p.isHuman(act.Actor)
	}
	return false
}
