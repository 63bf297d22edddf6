// Package scenario builds the emulated repositories the stale benchmarks and
// the side-by-side comparison with actions/stale run on: deterministic (the
// same size gives the same fixture, byte for byte), with every item's
// category known so decisions can be compared item by item.
package scenario

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// Reference is the fixture's reference time; the emulator shifts every
// timestamp by now − Reference, so ages hold whenever it runs.
var Reference = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Token is the workflow's GITHUB_TOKEN for acme/big (identity
// github-actions[bot], GET /user 403, 1,000 requests per hour).
const Token = "ghs_bench_github_token"

// Bot is the login of the workflow's GITHUB_TOKEN, the author of the
// earlier runs' warnings.
const Bot = "github-actions[bot]"

// Marker opens the earlier runs' warning comments (stale.MarkerWarning; a
// test keeps them equal).
const Marker = "<!-- ecosystem-actions:stale -->"

// Category is what an item's history is, and so what a stale tool with
// days_until_stale 30 and a 7-day grace period should do with it.
type Category string

// Categories.
const (
	// NewlyStale: no update for 31–400 days, not labelled: warn.
	NewlyStale Category = "newly-stale"
	// Due: warned (label + comment by the bot) 8–14 days ago, nothing since:
	// close.
	Due Category = "due"
	// Waiting: warned 1–6.5 days ago, nothing since: leave.
	Waiting Category = "waiting"
	// Reset: warned 3–6.5 days ago, a person commented since: un-stale.
	Reset Category = "reset"
	// Fresh: a person commented within the last 28 days: leave.
	Fresh Category = "fresh"
	// Exempt: labelled pinned: leave.
	Exempt Category = "exempt"
	// BotOnly: the last person's activity is 35–80 days old, a bot
	// commented within 20 days. action-stale warns (bots are not
	// activity); actions/stale leaves it (updated_at is recent).
	BotOnly Category = "bot-only"
	// Young: opened 2–25 days ago: leave.
	Young Category = "young"
	// Alert: an alert action's issue, old and never updated: leave (both
	// exempt the alert label).
	Alert Category = "alert"
)

// SteadyState is the mix of a repository where a stale action runs daily
// with days_until_stale 30 and days_until_close 7, per 100 open items: a
// week of warnings waiting (a day's worth of new ones is 10), a day's worth
// due and newly stale, some reset by a comment, fresh, exempt, young and
// alert items, and a few only bots touched lately.
var SteadyState = map[Category]int{NewlyStale: 10, Due: 10, Waiting: 48, Reset: 5, Fresh: 15, Exempt: 5, BotOnly: 3, Young: 2, Alert: 2}

// Backlog is a repository where no stale action ran before: most items are
// old and none is labelled.
var Backlog = map[Category]int{NewlyStale: 60, Fresh: 20, Exempt: 5, BotOnly: 5, Young: 8, Alert: 2}

// Item is one generated item with its category.
type Item struct {
	Number   int
	PR       bool
	Category Category
}

// Build makes one repository acme/big with n open items (odd numbers pull
// requests, even ones issues) in the given mix, deterministically.
func Build(n int, mix map[Category]int) (*emulator.Fixture, []Item) {
	order := []Category{NewlyStale, Due, Waiting, Reset, Fresh, Exempt, BotOnly, Young, Alert}
	var pattern []Category
	for _, c := range order {
		for i := 0; i < mix[c]; i++ {
			pattern = append(pattern, c)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(n), 14))
	rng.Shuffle(len(pattern), func(i, j int) { pattern[i], pattern[j] = pattern[j], pattern[i] })
	repo := emulator.Repository{Owner: "acme", Name: "big", DefaultBranch: "main", CreatedAt: ago(900),
		Labels:   []emulator.Label{{Name: "stale", Color: "ededed"}, {Name: "pinned", Color: "0e8a16"}, {Name: "ecosystem-alert", Color: "d93f0b"}},
		Branches: []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: fmt.Sprintf("%040x", 1), Author: "alice", Date: ago(1)}}}}
	var items []Item
	for i := 0; i < n; i++ {
		num := i + 1
		cat := pattern[i%len(pattern)]
		if cat == Alert && num%2 == 1 {
			cat = Exempt // alert items are issues
		}
		r := rand.New(rand.NewPCG(uint64(num), uint64(n)))
		span := func(lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }
		h := history{created: span(100, 400)}
		switch cat {
		case NewlyStale:
			h.human = span(31, 59)
		case Due:
			h.human = span(40, 90)
			h.warned = span(8, 14)
		case Waiting:
			h.human = span(40, 90)
			h.warned = span(1, 6.5)
		case Reset:
			h.human = span(40, 90)
			h.warned = span(3, 6.5)
			h.after = h.warned - span(0.5, 2.5)
		case Fresh:
			h.human = span(1, 28)
		case Exempt:
			h.human = span(31, 59)
			h.labels = []string{"pinned"}
		case BotOnly:
			h.human = span(35, 80)
			h.bot = span(2, 20)
		case Young:
			h.created = span(2, 25)
		case Alert:
			h.labels = []string{"ecosystem-alert"}
		}
		items = append(items, Item{Number: num, PR: num%2 == 1, Category: cat})
		comments, events := h.entries(num)
		updated := ago(h.created)
		for _, c := range comments {
			if c.CreatedAt.After(updated) {
				updated = c.CreatedAt
			}
		}
		for _, e := range events {
			if e.CreatedAt.After(updated) {
				updated = e.CreatedAt
			}
		}
		labels := append([]string(nil), h.labels...)
		if h.warned > 0 {
			labels = append(labels, "stale")
		}
		title := fmt.Sprintf("Item %d (%s)", num, cat)
		if num%2 == 1 {
			repo.Pulls = append(repo.Pulls, emulator.Pull{Number: num, Title: title, User: "alice", CreatedAt: ago(h.created), UpdatedAt: updated,
				Head: emulator.Ref{Ref: fmt.Sprintf("feature-%d", num), SHA: fmt.Sprintf("%040x", 0x1000+num)}, Base: emulator.Ref{Ref: "main"},
				Labels: labels, Comments: comments, Events: events,
				Commits: []emulator.Commit{{SHA: fmt.Sprintf("%040x", 0x1000+num), Author: "alice", Date: ago(h.created), Message: title}}})
		} else {
			user := "alice"
			if cat == Alert {
				user = Bot
			}
			repo.Issues = append(repo.Issues, emulator.Issue{Number: num, Title: title, User: user, CreatedAt: ago(h.created), UpdatedAt: updated,
				Labels: labels, Comments: comments, Events: events})
		}
	}
	return &emulator.Fixture{ReferenceTime: Reference, Repositories: []emulator.Repository{repo},
		Tokens: map[string]emulator.Token{Token: {Kind: "github_token", Repository: "acme/big"}}}, items
}

// history is an item's timeline in days before Reference (0 = absent).
type history struct {
	created, human, warned, after, bot float64
	labels                             []string
}

func (h history) entries(num int) ([]emulator.Comment, []emulator.IssueEvent) {
	var cs []emulator.Comment
	var es []emulator.IssueEvent
	id := int64(num) * 10
	if h.human > 0 {
		cs = append(cs, emulator.Comment{ID: id + 1, User: "bob", Body: "Any news on this?", CreatedAt: ago(h.human)})
	}
	if h.warned > 0 {
		at := ago(h.warned)
		cs = append(cs, emulator.Comment{ID: id + 2, User: Bot, Body: Marker + "\nThis has had no activity for 30 days. It is now labelled `stale` and will be closed in 7 days unless there is new activity.", CreatedAt: at})
		es = append(es, emulator.IssueEvent{ID: id + 3, Event: "labeled", Actor: Bot, Label: "stale", CreatedAt: at.Add(time.Second)})
	}
	if h.after > 0 {
		cs = append(cs, emulator.Comment{ID: id + 4, User: "alice", Body: "Still working on it.", CreatedAt: ago(h.after)})
	}
	if h.bot > 0 {
		cs = append(cs, emulator.Comment{ID: id + 5, User: "codecov[bot]", Body: "Coverage report: 81%", CreatedAt: ago(h.bot)})
	}
	return cs, es
}

func ago(days float64) time.Time {
	return Reference.Add(-time.Duration(days * float64(24*time.Hour))).Truncate(time.Second)
}
