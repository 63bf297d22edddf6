package alert

import (
	"reflect"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
	"sort"
	"time"
)

// Group events (Notified.Event, GroupResult.Notify): the transitions that
// are announced. Anything else (a problem's details changing, one problem
// of several clearing, a symptom becoming suppressed) only edits the body.
const (
	NotifyOpened   = "opened"
	NotifyChanged  = "changed" // a new problem, or one got worse
	NotifyReopened = "reopened"
	NotifyResolved = "resolved"
	NotifyFiring   = "firing" // no issue state: every current alert is delivered
)

// resolvedKeep is how long a cleared problem stays listed (checked) in an
// open group issue; it is dropped at the next write after that.
const resolvedKeep = 14 * 24 * time.Hour

// mergeInput is what one group's merge needs besides the previous state.
type mergeInput struct {
	group *Group
	// open reports whether the issue is open (false: closed, or none yet).
	open bool
	// covered reports whether this run looked at a problem it did not see
	// (so that not seeing it counts as a miss).
	covered      func(p *ProblemState) bool
	resolveAfter int
	runID        int64
	now          time.Time
}

// groupPlan is the outcome of a merge.
type groupPlan struct {
	next GroupState
	// event is the transition to announce ("" for none); about lists the
	// problems it is about.
	event string
	about []string
	// changed is true when the state differs from the previous one.
	changed bool
}

func problemFrom(a Alert, first time.Time) *ProblemState {
	p := &ProblemState{FirstSeen: first}
	p.update(a)
	return p
}

// Bounds of the texts a problem keeps in the state block, so that a group
// of many problems stays far below GitHub's 65,536-character body.
const (
	maxStateTitle = 200
	maxStateText  = 300
	maxStateName  = 120
	maxStateURL   = 300
)

// inert neutralises @mentions in text kept in the state block (hidden, but
// a mention must never be live anywhere in an issue body).
func inert(s string, n int) string { return report.NeutralizeMentions(clip(s, n), nil) }

func (p *ProblemState) update(a Alert) {
	p.Title, p.Level, p.Type, p.Source, p.Scope, p.Problem = inert(a.Title, maxStateTitle), a.Level, a.Type, a.Source, a.Scope, a.Problem
	p.Category, p.Workflow, p.Job, p.RootCause = inert(a.Category, maxStateName), inert(a.Workflow, maxStateName), inert(a.Job, maxStateName), inert(a.RootCause, maxStateText)
	p.RunURL = ""
	if len(a.RunURL) <= maxStateURL {
		p.RunURL = a.RunURL
	}
	p.Fix = ""
	if len(a.Suggestions) > 0 {
		p.Fix = inert(a.Suggestions[0], maxStateText)
	}
	p.SuppressedBy = nil
	p.Status = StatusActive
	if len(a.SuppressedBy) > 0 {
		p.SuppressedBy = append([]string(nil), a.SuppressedBy...)
		p.Status = StatusSuppressed
	}
	p.Missed, p.MissRun, p.ResolvedAt = 0, 0, nil
}

func detected(a Alert, now time.Time) time.Time {
	if !a.DetectedAt.IsZero() && a.DetectedAt.Before(now) {
		return a.DetectedAt.UTC().Truncate(time.Second)
	}
	return now
}

// mergeGroup folds this run's view of a group into its previous state (nil for a
// new group). It is pure: the same state and alerts give the same plan, so
// a run that sees nothing new changes nothing.
func mergeGroup(prev *GroupState, in mergeInput) groupPlan {
	g := in.group
	var next GroupState
	if prev != nil {
		next = prev.clone()
	} else {
		next = GroupState{Problems: map[string]*ProblemState{}}
	}
	next.Group, next.Mode, next.Key = g.ID, g.Mode, g.Key
	var about []string
	seen := map[string]bool{}
	for _, a := range g.Alerts {
		seen[a.Fingerprint] = true
		p := next.Problems[a.Fingerprint]
		if p == nil {
			p = problemFrom(a, detected(a, in.now))
			next.Problems[a.Fingerprint] = p
			if p.Status == StatusActive {
				about = append(about, a.Fingerprint)
			}
			continue
		}
		was, wasLevel := p.Status, p.Level
		if was == StatusResolved {
			p.FirstSeen = detected(a, in.now)
		}
		p.update(a)
		if p.Status == StatusActive && (was != StatusActive || p.Level.Rank() > wasLevel.Rank()) {
			about = append(about, a.Fingerprint)
		}
	}
	var cleared []string
	for _, fp := range next.fps() {
		p := next.Problems[fp]
		if seen[fp] || p.Status == StatusResolved || in.covered == nil || !in.covered(p) {
			continue
		}
		if in.runID == 0 || p.MissRun != in.runID {
			p.Missed++
			p.MissRun = in.runID
		}
		if p.Missed >= max(in.resolveAfter, 1) {
			p.Status = StatusResolved
			t := in.now
			p.ResolvedAt = &t
			cleared = append(cleared, fp)
		}
	}
	active, suppressed, _ := next.count()
	plan := groupPlan{}
	switch {
	case prev == nil || !in.open && prev.Gen == 0 && len(prev.Problems) == 0:
		if active > 0 {
			plan.event, plan.about = NotifyOpened, next.activeFPs()
		}
	case !in.open:
		if active > 0 {
			plan.event, plan.about = NotifyReopened, next.activeFPs()
		}
	case len(about) > 0:
		plan.event, plan.about = NotifyChanged, about
	case active == 0 && suppressed == 0 && len(next.Problems) > 0:
		plan.event = NotifyResolved
		plan.about = cleared
		if len(plan.about) == 0 {
			plan.about = next.resolvedFPs()
		}
	}
	if plan.event != "" {
		next.Gen++
		next.Notified = &Notified{Gen: next.Gen, RunID: in.runID, Event: plan.event, Problems: sortedCopy(plan.about)}
	}
	if prev == nil || !reflect.DeepEqual(*prev, next) {
		// Cleared problems are listed for a while, then dropped (only when
		// the body is written anyway, so pruning never causes a write).
		for fp, p := range next.Problems {
			if p.Status == StatusResolved && p.ResolvedAt != nil && in.now.Sub(*p.ResolvedAt) > resolvedKeep {
				delete(next.Problems, fp)
			}
		}
		plan.changed = true
	}
	plan.next = next
	return plan
}

func (s GroupState) activeFPs() []string {
	var out []string
	for fp, p := range s.Problems {
		if p.Status == StatusActive {
			out = append(out, fp)
		}
	}
	sort.Strings(out)
	return out
}

func (s GroupState) resolvedFPs() []string {
	var out []string
	for fp, p := range s.Problems {
		if p.Status == StatusResolved {
			out = append(out, fp)
		}
	}
	sort.Strings(out)
	return out
}
