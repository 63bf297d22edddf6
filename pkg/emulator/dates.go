package emulator

import (
	"fmt"
	"strings"
	"time"
)

// parseDateRange parses GitHub's search date syntax (">=2024-01-02",
// "<2024-01-02T10:00:00Z", "A..B", "A..*", "*..B", or a bare date) into a
// predicate. A bare date covers that whole UTC day.
// See https://docs.github.com/search-github/getting-started-with-searching-on-github/understanding-the-search-syntax#query-for-dates
func parseDateRange(s string) (func(time.Time) bool, error) {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, ".."); ok {
		var lo, hi func(time.Time) bool
		if a != "*" {
			start, _, err := parseBound(a)
			if err != nil {
				return nil, err
			}
			lo = func(t time.Time) bool { return !t.Before(start) }
		}
		if b != "*" {
			_, end, err := parseBound(b)
			if err != nil {
				return nil, err
			}
			hi = func(t time.Time) bool { return t.Before(end) }
		}
		return func(t time.Time) bool { return (lo == nil || lo(t)) && (hi == nil || hi(t)) }, nil
	}
	for _, op := range []string{">=", "<=", ">", "<"} {
		rest, ok := strings.CutPrefix(s, op)
		if !ok {
			continue
		}
		start, end, err := parseBound(rest)
		if err != nil {
			return nil, err
		}
		switch op {
		case ">=":
			return func(t time.Time) bool { return !t.Before(start) }, nil
		case "<=":
			return func(t time.Time) bool { return t.Before(end) }, nil
		case ">":
			return func(t time.Time) bool { return !t.Before(end) }, nil
		default:
			return func(t time.Time) bool { return t.Before(start) }, nil
		}
	}
	start, end, err := parseBound(s)
	if err != nil {
		return nil, err
	}
	return func(t time.Time) bool { return !t.Before(start) && t.Before(end) }, nil
}

// parseBound returns the half-open interval [start, end) a date or
// date-time denotes: a whole day for a date, one second for a date-time.
func parseBound(s string) (start, end time.Time, err error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, t.Add(24 * time.Hour), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, t.Add(time.Second), nil
		}
	}
	return time.Time{}, time.Time{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, optionally with >, >=, <, <= or a..b", s)
}
