package stale

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Cursor is what one run leaves for the next, kept in a file in the
// runner's cache (cache_dir, carried between runs with actions/cache):
//
//   - per item, the evidence a read found and the updated_at it was read at:
//     while updated_at has not changed nothing happened to the item, so the
//     next run decides it again without reading (a warned item waiting for
//     its grace period costs no request);
//   - per branch commit SHA, its date and author (a commit never changes);
//   - where the last run stopped (the repositories it could not finish come
//     first next time) and the content-creating writes of the last hour (so a
//     run knows how much of GitHub's 500 per hour earlier runs used).
//
// A missing, unreadable or foreign (other login, other label) cursor is
// ignored: everything is then read again, nothing is decided differently.
// The labels, markers and tracking issues on GitHub stay the state; the
// cursor only saves reads.
type Cursor struct {
	Version int `json:"version"`
	// Login is the identity the evidence was collected for.
	Login   string                 `json:"login"`
	Repos   map[string]*RepoCursor `json:"repos"`
	Written []time.Time            `json:"content_writes,omitempty"`
	// Unfinished lists repositories the last run could not finish.
	Unfinished []string  `json:"unfinished,omitempty"`
	SavedAt    time.Time `json:"saved_at"`

	path string
}

// cursorVersion changes when the file's meaning changes; other versions
// are ignored.
const cursorVersion = 1

// RepoCursor is the cursor of one repository.
type RepoCursor struct {
	StaleLabel string                `json:"stale_label"`
	Items      map[string]itemMemo   `json:"items,omitempty"`
	Commits    map[string]commitMemo `json:"commits,omitempty"`
}

type itemMemo struct {
	UpdatedAt time.Time `json:"u"`
	Labelled  bool      `json:"l,omitempty"`
	Acts      []memoAct `json:"a,omitempty"`
}

type memoAct struct {
	Kind      ActivityKind `json:"k"`
	Actor     string       `json:"by,omitempty"`
	At        time.Time    `json:"at"`
	CommentID int64        `json:"id,omitempty"`
	Body      string       `json:"body,omitempty"`
	Label     string       `json:"label,omitempty"`
	Event     string       `json:"event,omitempty"`
}

type commitMemo struct {
	Date   time.Time `json:"date"`
	Author string    `json:"author,omitempty"`
}

// CursorFile is where the cursor lives inside cache_dir: its own folder,
// which the ETag cache's pruning leaves alone.
func CursorFile(cacheDir string) string {
	if cacheDir == "" {
		return ""
	}
	return filepath.Join(cacheDir, "stale", "cursor.json")
}

// LoadCursor reads the cursor at path ("" = none). A missing file gives an
// empty cursor; a damaged one an empty cursor and the reason (reported as a
// warning: it only costs reads).
func LoadCursor(path, login string) (*Cursor, error) {
	c := &Cursor{Version: cursorVersion, Login: login, Repos: map[string]*RepoCursor{}, path: path}
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("failed to read the cursor %s (starting without it): %w", path, err)
	}
	var old Cursor
	if err := json.Unmarshal(data, &old); err != nil {
		return c, fmt.Errorf("failed to parse the cursor %s (starting without it): %w", path, err)
	}
	if old.Version != cursorVersion || !strings.EqualFold(old.Login, login) {
		return c, nil
	}
	if old.Repos != nil {
		c.Repos = old.Repos
	}
	c.Written, c.Unfinished = old.Written, old.Unfinished
	return c, nil
}

// Save writes the cursor atomically (temp file + rename).
func (c *Cursor) Save(now time.Time) error {
	if c == nil || c.path == "" {
		return nil
	}
	c.SavedAt = now
	hour := now.Add(-time.Hour)
	var keep []time.Time
	for _, t := range c.Written {
		if t.After(hour) {
			keep = append(keep, t)
		}
	}
	c.Written = keep
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("failed to encode the cursor: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return fmt.Errorf("failed to save the cursor: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".cursor-*")
	if err != nil {
		return fmt.Errorf("failed to save the cursor: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("failed to save the cursor: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("failed to save the cursor: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("failed to save the cursor: %w", err)
	}
	return nil
}

// ContentLeft is how many content-creating writes GitHub still allows this
// hour, as far as this action's own earlier runs used them.
// perHour < 0 means no limit.
func (c *Cursor) ContentLeft(now time.Time, perHour int) int {
	if perHour < 0 {
		return 1 << 30
	}
	n := 0
	if c != nil {
		hour := now.Add(-time.Hour)
		for _, t := range c.Written {
			if t.After(hour) && !t.After(now) {
				n++
			}
		}
	}
	return max(0, perHour-n)
}

func (c *Cursor) repo(name, staleLabel string) *RepoCursor {
	if c == nil {
		return nil
	}
	rc := c.Repos[name]
	if rc == nil || !strings.EqualFold(rc.StaleLabel, staleLabel) {
		rc = &RepoCursor{StaleLabel: staleLabel}
		c.Repos[name] = rc
	}
	if rc.Items == nil {
		rc.Items = map[string]itemMemo{}
	}
	if rc.Commits == nil {
		rc.Commits = map[string]commitMemo{}
	}
	return rc
}

func itemKey(it *Item) string { return string(it.Kind[0:1]) + fmt.Sprint(it.Number) }

// recall restores an item's evidence when its updated_at is the one it was
// read at.
func (rc *RepoCursor) recall(it *Item, staleLabel string) bool {
	if rc == nil {
		return false
	}
	m, ok := rc.Items[itemKey(it)]
	if !ok || !m.UpdatedAt.Equal(it.UpdatedAt) || m.Labelled != it.HasLabel(staleLabel) {
		return false
	}
	it.Activities = nil
	for _, a := range m.Acts {
		it.Activities = append(it.Activities, Activity{Kind: a.Kind, Actor: a.Actor, At: a.At, CommentID: a.CommentID, Body: a.Body, Label: a.Label, Event: a.Event})
	}
	it.Read, it.Evidence = true, EvidenceCursor
	return true
}

// remember keeps an item's evidence: every activity with its actor, kind
// and time (so a later policy, other ignore_actors for example, weighs them
// afresh), and the bodies of the action's own marker comments only (a
// resolved warning is rewritten from it).
func (rc *RepoCursor) remember(p Policy, it *Item) {
	if rc == nil || !it.Read {
		return
	}
	m := itemMemo{UpdatedAt: it.UpdatedAt, Labelled: it.HasLabel(p.StaleLabel)}
	for _, a := range it.Activities {
		body := ""
		if a.Kind == ActComment && p.byUs(a.Actor) && (startsWithMarker(a.Body, MarkerWarning) || startsWithMarker(a.Body, MarkerClose)) {
			body = a.Body
		}
		m.Acts = append(m.Acts, memoAct{Kind: a.Kind, Actor: a.Actor, At: a.At, CommentID: a.CommentID, Body: body, Label: a.Label, Event: a.Event})
	}
	rc.Items[itemKey(it)] = m
}

// forget drops an item (written this run: its updated_at moved).
func (rc *RepoCursor) forget(it *Item) {
	if rc != nil {
		delete(rc.Items, itemKey(it))
	}
}

// prune drops items and commits no longer listed.
func (rc *RepoCursor) prune(items []*Item) {
	if rc == nil {
		return
	}
	seen, shas := map[string]bool{}, map[string]bool{}
	for _, it := range items {
		if it.Kind == KindBranch {
			shas[it.SHA] = true
		} else {
			seen[itemKey(it)] = true
		}
	}
	for k := range rc.Items {
		if !seen[k] {
			delete(rc.Items, k)
		}
	}
	for k := range rc.Commits {
		if !shas[k] {
			delete(rc.Commits, k)
		}
	}
}

func (rc *RepoCursor) commit(sha string) (commitMemo, bool) {
	if rc == nil || sha == "" {
		return commitMemo{}, false
	}
	m, ok := rc.Commits[sha]
	return m, ok && !m.Date.IsZero()
}

func (rc *RepoCursor) keepCommit(sha string, m commitMemo) {
	if rc != nil && sha != "" && !m.Date.IsZero() {
		rc.Commits[sha] = m
	}
}
