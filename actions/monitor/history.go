package monitor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// DefaultHistorySize is how many runs the history file keeps.
const DefaultHistorySize = 60

// History is the file the workflow carries between runs (history_file
// input): one entry per run, oldest first.
type History struct {
	Entries []HistoryEntry `json:"entries"`
}

// HistoryEntry is one past run.
type HistoryEntry struct {
	Timestamp        time.Time               `json:"timestamp"`
	Domains          map[string]HistoryPoint `json:"domains"`
	HealthyDomains   int                     `json:"healthy_domains"`
	UnhealthyDomains int                     `json:"unhealthy_domains"`
	AverageScore     *float64                `json:"average_score"`
}

// HistoryPoint is one domain in one past run.
type HistoryPoint struct {
	Score *int   `json:"score"`
	Band  string `json:"band"`
}

// Delta is the change since the previous run.
type Delta = contract.HealthDelta

// DomainDelta is one domain's change since the previous run.
type DomainDelta = contract.DomainDelta

// HistoryError is a history_file that exists but cannot be used: it cannot
// be read, or it is not a history. The run stops before any request and the
// file is left as it is, since overwriting it would lose every past run.
type HistoryError struct {
	Path string
	// Parse is true when the file was read but is not a history.
	Parse bool
	Err   error
}

func (e *HistoryError) Error() string {
	if e.Parse {
		return fmt.Sprintf("history_file %s is not a history file (%v): fix it, move it aside or point history_file elsewhere; nothing was written", e.Path, e.Err)
	}
	return fmt.Sprintf("history_file %s cannot be read (%v); nothing was written", e.Path, e.Err)
}

func (e *HistoryError) Unwrap() error { return e.Err }

// InvalidInput makes the runner report the error as one about the
// history_file input (pkg/runner InvalidInput).
func (e *HistoryError) InvalidInput() (input, value, reason, allowed string) {
	if e.Parse {
		return "history_file", e.Path, "is not a history file this action wrote (" + e.Err.Error() + "); fix it, move it aside or choose another path: nothing was written", ""
	}
	return "history_file", e.Path, "cannot be read (" + e.Err.Error() + "); nothing was written", ""
}

// LoadHistory reads a history file; a missing file is an empty history. A
// file that cannot be read or parsed is a *HistoryError.
func LoadHistory(path string) (*History, error) {
	h := &History{}
	if path == "" {
		return h, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return nil, &HistoryError{Path: path, Err: err}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		// An empty file (touch history.json) holds no run to lose.
		return h, nil
	}
	if err := json.Unmarshal(data, h); err != nil {
		return nil, &HistoryError{Path: path, Parse: true, Err: err}
	}
	if h.Entries == nil {
		// {} or another JSON object: not a file this action wrote.
		if !json.Valid(data) || !hasEntriesKey(data) {
			return nil, &HistoryError{Path: path, Parse: true, Err: errors.New(`no "entries" list`)}
		}
	}
	sort.SliceStable(h.Entries, func(i, j int) bool { return h.Entries[i].Timestamp.Before(h.Entries[j].Timestamp) })
	return h, nil
}

func hasEntriesKey(data []byte) bool {
	var keys map[string]json.RawMessage
	if json.Unmarshal(data, &keys) != nil {
		return false
	}
	_, ok := keys["entries"]
	return ok
}

// last is the newest entry strictly before t, or nil.
func (h *History) last(t time.Time) *HistoryEntry {
	if h == nil {
		return nil
	}
	for i := len(h.Entries) - 1; i >= 0; i-- {
		if h.Entries[i].Timestamp.Before(t) {
			return &h.Entries[i]
		}
	}
	return nil
}

// delta compares a report with the previous entry; nil without history.
func (h *History) delta(r Report) *Delta {
	prev := h.last(r.Timestamp)
	if prev == nil {
		return nil
	}
	d := &Delta{PreviousTimestamp: prev.Timestamp, Domains: map[string]DomainDelta{},
		NewDomains: []string{}, RemovedDomains: []string{},
		HealthyChange:   r.Summary.HealthyDomains - prev.HealthyDomains,
		UnhealthyChange: r.Summary.UnhealthyDomains - prev.UnhealthyDomains}
	for _, name := range sortedNames(r.Domains) {
		cur := r.Domains[name]
		p, ok := prev.Domains[name]
		if !ok {
			d.NewDomains = append(d.NewDomains, name)
			continue
		}
		dd := DomainDelta{PreviousScore: p.Score, PreviousBand: p.Band, BandChanged: p.Band != cur.Band}
		if p.Score != nil && cur.HealthScore != nil {
			c := *cur.HealthScore - *p.Score
			dd.ScoreChange = &c
		}
		d.Domains[name] = dd
	}
	for _, name := range sortedNames(prev.Domains) {
		if _, ok := r.Domains[name]; !ok && !contains(r.Missing, name) {
			d.RemovedDomains = append(d.RemovedDomains, name)
		}
	}
	return d
}

// Append adds the report as the newest entry and keeps the last keep
// entries (DefaultHistorySize when keep <= 0). Domains missing from a
// partial report keep no point for this run.
func (h *History) Append(r Report, keep int) {
	if keep <= 0 {
		keep = DefaultHistorySize
	}
	e := HistoryEntry{Timestamp: r.Timestamp, Domains: map[string]HistoryPoint{},
		HealthyDomains: r.Summary.HealthyDomains, UnhealthyDomains: r.Summary.UnhealthyDomains,
		AverageScore: r.Summary.AverageScore}
	for name, d := range r.Domains {
		e.Domains[name] = HistoryPoint{Score: d.HealthScore, Band: d.Band}
	}
	// Replace an entry with the same timestamp (a re-run of the same report).
	kept := h.Entries[:0]
	for _, old := range h.Entries {
		if !old.Timestamp.Equal(e.Timestamp) {
			kept = append(kept, old)
		}
	}
	h.Entries = append(kept, e)
	if len(h.Entries) > keep {
		h.Entries = h.Entries[len(h.Entries)-keep:]
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
