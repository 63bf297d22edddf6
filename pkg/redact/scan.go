package redact

import (
	"slices"
	"strings"
)

// Trigger bits: a byte that can start, or sit at a fixed place in, a
// secret. Every other byte is skipped with one table lookup, which is the
// prefilter that keeps clean text cheap. Frequent bytes are avoided where
// a rarer one marks the same shape: a JWT is found at the 'J' of "eyJ", a
// PEM boundary at the 'B' of "-----BEGIN" (log timestamps are full of
// 'e' and '-').
const (
	tGitHub uint8 = 1 << iota // 'g': ghp_ … github_pat_
	tAWS                      // 'A': AKIA …
	tJWT                      // 'J': eyJ…
	tSep                      // ':' '=': assignments, headers, URLs, ::add-mask::
	tScheme                   // 'B' 'b': Bearer, Basic; 'B': -----BEGIN
	tMarker                   // '[': a marker, skipped whole
	tValue                    // first byte of a registered value
)

var builtin = func() (t [256]uint8) {
	t['g'] |= tGitHub
	t['A'] |= tAWS
	t['J'] |= tJWT
	t[':'] |= tSep
	t['='] |= tSep
	t['B'] |= tScheme
	t['b'] |= tScheme
	t['['] |= tMarker
	return t
}()

// scan finds the spans to replace in s, sorted and merged. inKey says s
// starts inside a private key block; the second result says whether s
// ends inside one. limit > 0 stops after that many spans (unmerged).
func (r *Redactor) scan(s string, inKey bool, limit int) ([]Match, bool) {
	vs := r.vals.Load()
	tab := &builtin
	if vs != nil {
		tab = &vs.tab
	}
	var ms []Match
	sc := &scanner{s: s}
	i := 0
	if inKey {
		end, closed := pemEnd(s, 0)
		ms = append(ms, Match{Start: 0, End: end, Kind: PrivateKey})
		if !closed {
			return ms, true
		}
		i = end
	}
	open := false
	var marks []Match // markers met on the way; other spans may not cover them
	for {
		for i < len(s) && tab[s[i]] == 0 {
			i++
		}
		if i >= len(s) || limit > 0 && len(ms) >= limit {
			break
		}
		c := s[i]
		t := tab[c]
		if t == tValue && (i+1 >= len(s) || !vs.hasPair(c, s[i+1])) {
			i++ // registered values make most letters triggers; most pairs miss
			continue
		}
		if t&tMarker != 0 {
			if n := markerAt(s[i:]); n > 0 {
				marks = append(marks, Match{Start: i, End: i + n})
				i += n
				continue
			}
		}
		if c == 'B' && i >= 5 && s[i-5:i] == pemDash && strings.HasPrefix(s[i-5:], pemBegin) {
			if end, closed, ok := matchPEM(s, i-5); ok {
				ms = append(ms, Match{Start: i - 5, End: end, Kind: PrivateKey})
				i = end
				if !closed {
					open = true
				}
				continue
			}
		}
		if t&tGitHub != 0 && i >= sc.ghEnd {
			// A start inside a run already examined ends where it did, with
			// fewer characters: inside the match, or too short.
			end, run := matchGitHub(s, i)
			sc.ghEnd = run
			if end > i {
				ms = append(ms, Match{Start: i, End: end, Kind: GitHubToken})
			}
		}
		if t&tAWS != 0 {
			if end := matchAWS(s, i); end > i {
				ms = append(ms, Match{Start: i, End: end, Kind: AWSAccessKeyID})
			}
		}
		if t&tJWT != 0 && i >= 2 && s[i-2] == 'e' && s[i-1] == 'y' {
			if end := sc.matchJWT(i - 2); end > i {
				ms = append(ms, Match{Start: i - 2, End: end, Kind: JWT})
			}
		}
		if t&tSep != 0 {
			if m, ok := sc.matchSep(i); ok {
				ms = append(ms, m)
			}
		}
		if t&tScheme != 0 {
			if start, end := matchScheme(s, i); end > start {
				ms = append(ms, Match{Start: start, End: end, Kind: Credentials})
			}
		}
		if t&tValue != 0 && i+1 < len(s) && vs.hasPair(c, s[i+1]) {
			{
				for _, v := range vs.byPair[uint16(c)<<8|uint16(s[i+1])] {
					if strings.HasPrefix(s[i:], v) {
						ms = append(ms, Match{Start: i, End: i + len(v), Kind: MaskedValue})
						break
					}
				}
			}
		}
		i++
	}
	sortSpans(ms)
	if len(marks) > 0 {
		ms = clip(ms, marks)
	}
	return merge(ms), open
}

// scanner caches the ends of runs already scanned, so text built to make
// every position start a long scan ("token=token=token=…", "eyJeyJ…")
// costs linear time: a scan starting inside a cached run ends where it
// did.
type scanner struct {
	s     string
	ghEnd int // end of the last GitHub token run examined
	b64   run // base64url run (JWT parts)
	bare  run // bare assignment value
	hdr   run // header value: to end of line or a quote
	eol   run // to end of line
}

type run struct{ start, end int }

// get returns the end of the run containing from, scanning (and caching)
// with in when from is outside the cached one.
func (r *run) get(s string, from int, in func(byte) bool) int {
	if from >= r.start && from < r.end {
		return r.end
	}
	e := from
	for e < len(s) && in(s[e]) {
		e++
	}
	if e > from {
		r.start, r.end = from, e
	}
	return e
}

// hasPair reports whether a registered value starts with the bytes a, b.
func (vs *valueSet) hasPair(a, b byte) bool {
	p := uint16(a)<<8 | uint16(b)
	return vs.pairs[p>>6]&(1<<(p&63)) != 0
}

// sortSpans orders spans by start; at the same start the more specific
// kind first, then the longer.
func sortSpans(ms []Match) {
	slices.SortStableFunc(ms, func(a, b Match) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		if pa, pb := priority(a.Kind), priority(b.Kind); pa != pb {
			return pa - pb
		}
		return b.End - a.End
	})
}

// clip keeps sorted spans off markers (sorted too): a span that starts
// inside a marker is dropped, one that runs into a marker ends before it.
// (A private key block is kept whole: what it covers is key material.) So
// each pass of redact turns only unmarked text into markers.
func clip(ms, marks []Match) []Match {
	out := ms[:0]
	k := 0
	for _, m := range ms {
		for k < len(marks) && marks[k].End <= m.Start {
			k++
		}
		if m.Kind != PrivateKey && k < len(marks) && marks[k].Start < m.End {
			if marks[k].Start <= m.Start {
				continue
			}
			m.End = marks[k].Start
		}
		out = append(out, m)
	}
	return out
}

// merge joins overlapping sorted spans; the joined span keeps the kind of
// the one that starts first (see sortSpans on a tie).
func merge(ms []Match) []Match {
	if len(ms) < 2 {
		return ms
	}
	out := ms[:1]
	for _, m := range ms[1:] {
		last := &out[len(out)-1]
		if m.Start < last.End {
			last.End = max(last.End, m.End)
			continue
		}
		out = append(out, m)
	}
	return out
}

// priority orders kinds for spans that start at the same byte: the more
// specific name wins ("token: ghp_…" is a github token, not a secret).
func priority(k Kind) int {
	switch k {
	case PrivateKey:
		return 0
	case GitHubToken:
		return 1
	case AWSAccessKeyID:
		return 2
	case JWT:
		return 3
	case URLCredentials:
		return 4
	case Credentials:
		return 5
	case MaskedValue:
		return 6
	}
	return 7
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether s starts with prefix, ASCII case folded;
// prefix must be lower case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// hasSuffixFold is hasPrefixFold for the end of s.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && hasPrefixFold(s[len(s)-len(suffix):], suffix)
}
