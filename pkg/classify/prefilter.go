package classify

import (
	"cmp"
	"encoding/binary"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// The classifier does not run every rule's regexps on every line: that is
// what makes naive log scanners crawl. Instead, for each pattern it extracts
// a set of literals one of which must appear in any match (requiredLiterals),
// and a single pass over the log looks for all of those literals at once,
// case-insensitively (prefilter.next). Only lines that contain one of a
// pattern's literals are given to that pattern's regexp.
//
// The scan hashes the 4-byte window at each position into a 64 Kibit bitmap
// of the literals' anchor grams (an 8 KiB table that stays in L1 cache); a hit
// is verified against the literals that own that gram. Each literal's anchor
// is its rarest 4-byte gram, so common text rarely reaches the verification.

// minLiteral is the shortest literal the prefilter can look for.
const minLiteral = 4

// requiredLiterals returns lower-case literals, one of which occurs
// (ASCII case-insensitively) in every match of re, or nil when no such set
// of literals of at least minLiteral bytes exists.
func requiredLiterals(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	set := required(re.Simplify())
	if !usable(set) {
		return nil
	}
	return set
}

func usable(set []string) bool {
	if len(set) == 0 {
		return false
	}
	for _, s := range set {
		if len(s) < minLiteral {
			return false
		}
	}
	return true
}

// score ranks literal sets: the rarest weakest literal first (see
// rarity), then fewer literals.
func score(set []string) int {
	if !usable(set) {
		return -1
	}
	m, short := rarity(set[0]), false
	for _, s := range set {
		m = min(m, rarity(s))
		short = short || len(s) < fastLiteral
	}
	sc := min(m, 60)*64 - len(set)
	if !short {
		// Literals of fastLiteral bytes or more let the scan step 4 bytes
		// at a time: prefer them to rarer short ones.
		sc += 1 << 16
	}
	return sc
}

// fastLiteral is the shortest literal that lets the prefilter step over
// the text 4 bytes at a time.
const fastLiteral = 7

// rarity estimates how seldom s occurs in build logs: the sum of its
// bytes' rarities plus a bonus for length, so ".py::" (46) beats
// "failed " (35).
func rarity(s string) int {
	r := 2 * len(s)
	for i := 0; i < len(s); i++ {
		r += 11 - byteCommonness(s[i])
	}
	return r
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// literalString returns the literal of an OpLiteral node, or "" when it can
// not be matched byte-wise after ASCII folding (non-ASCII runes under (?i)).
func literalString(re *syntax.Regexp) (string, bool) {
	s := string(re.Rune)
	if re.Flags&syntax.FoldCase != 0 {
		for _, r := range re.Rune {
			// Non-ASCII runes cannot be folded byte-wise. (Known gap: under
			// (?i) Go also folds k to U+212A and s to U+017F; the prefilter
			// folds ASCII only, so such spellings are not found.)
			if r >= utf8.RuneSelf {
				return "", false
			}
		}
	}
	return lowerASCII(s), true
}

func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if s, ok := literalString(re); ok {
			return []string{s}
		}
		return splitFoldLiteral(re)
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil
		}
		// x{3,} requires xxx when x is a literal.
		if ex, ok := exact(re.Sub[0]); ok && len(ex) == 1 && len(ex[0])*re.Min <= 16 {
			return []string{strings.Repeat(ex[0], re.Min)}
		}
		return required(re.Sub[0])
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			set := required(s)
			if !usable(set) {
				return nil
			}
			out = append(out, set...)
		}
		return dedupe(out)
	case syntax.OpConcat:
		// Runs of sub-expressions with a small finite set of matches
		// (literals, alternations of literals, small classes, optional
		// pieces) are multiplied out into longer literals; any other
		// sub-expression ends a run. The best set of the runs and of the
		// other sub-expressions' required sets wins.
		var best []string
		consider := func(set []string) {
			set = dedupe(set)
			if score(set) > score(best) {
				best = set
			}
		}
		var run []string
		flush := func() {
			if run != nil {
				consider(run)
				run = nil
			}
		}
		for _, sub := range re.Sub {
			if ex, ok := exact(sub); ok {
				if run == nil {
					run = []string{""}
				}
				if next := product(run, ex); next != nil {
					run = next
					continue
				}
				flush()
				run = ex
				continue
			}
			flush()
			consider(required(sub))
		}
		flush()
		return best
	}
	return nil
}

const maxExact = 32

// product returns every a+b, or nil when there would be too many.
func product(as, bs []string) []string {
	if len(as)*len(bs) > maxExact {
		return nil
	}
	var out []string
	for _, a := range as {
		for _, b := range bs {
			out = append(out, a+b)
		}
	}
	return out
}

// exact returns the lower-case strings re matches when they are few
// (ASCII case-insensitively), or false.
func exact(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if s, ok := literalString(re); ok {
			return []string{s}, true
		}
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpEndText, syntax.OpEndLine:
		// Patterns match a line's text; in the raw log the scan reads, the
		// end of that text is followed by a line break ("\n", or "\r" of
		// "\r\n" and of a progress bar's redraw).
		return []string{"\n", "\r"}, true
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpQuest:
		if ex, ok := exact(re.Sub[0]); ok && len(ex) < maxExact {
			return append([]string{""}, ex...), true
		}
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if r >= utf8.RuneSelf || len(out) >= maxExact {
					return nil, false
				}
				out = append(out, lowerASCII(string(r)))
			}
		}
		return dedupe(out), true
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			ex, ok := exact(sub)
			if !ok {
				return nil, false
			}
			out = append(out, ex...)
		}
		if len(out) <= maxExact {
			return dedupe(out), true
		}
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			ex, ok := exact(sub)
			if !ok {
				return nil, false
			}
			if out = product(out, ex); out == nil {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// splitFoldLiteral handles a case-folded literal with runes that cannot be
// folded byte-wise: the longest foldable piece is required instead.
func splitFoldLiteral(re *syntax.Regexp) []string {
	var best, cur []rune
	for _, r := range append(append([]rune(nil), re.Rune...), utf8.MaxRune) {
		if r >= utf8.RuneSelf {
			if len(cur) > len(best) {
				best = cur
			}
			cur = nil
			continue
		}
		cur = append(cur, r)
	}
	if len(best) < minLiteral {
		return nil
	}
	return []string{lowerASCII(string(best))}
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// literal is one string the prefilter looks for.
type literal struct {
	text     []byte // lower-case
	patterns []int  // ids of the patterns that require it
}

type gramEntry struct {
	key uint32 // the folded gram
	lit *literal
	off int // offset of the gram in lit.text
	// ext and extMask are the (folded) bytes of the literal that follow
	// the gram, at most 4: a quick check before the whole literal is
	// compared, which sorts out literals sharing a common gram ("test" of
	// ".test.js" and ".test.ts").
	ext, extMask uint32
}

type prefilter struct {
	bits    [1 << 10]uint64 // 65536-bit bitmap of gram hashes
	buckets [][]keyGroup    // by gram hash
	stride  int
}

// keyGroup holds the entries of one gram: those with 4 bytes after the
// gram in their literal sorted by those bytes (so a position's next 4
// bytes pick the few that can match), the others apart.
type keyGroup struct {
	key     uint32
	full    []gramEntry
	partial []gramEntry
}

const gramHashMul = 0x9E3779B1

func gramKey(b []byte) uint32 { return binary.LittleEndian.Uint32(b) | 0x20202020 }

func gramHash(k uint32) uint32 { return (k * gramHashMul) >> 16 }

// newPrefilter indexes literals → pattern ids. With a stride s, each
// literal registers s consecutive grams, so looking at every s-th position
// of the text still finds every occurrence: s consecutive positions always
// contain one that is looked at.
func newPrefilter(lits map[string][]int) *prefilter {
	pf := &prefilter{buckets: make([][]keyGroup, 1<<16), stride: 4}
	for s := range lits {
		pf.stride = min(pf.stride, len(s)-3)
	}
	pf.stride = max(pf.stride, 1)
	for s, ids := range lits {
		l := &literal{text: []byte(s), patterns: ids}
		start := rarestGrams(l.text, pf.stride)
		for off := start; off < start+pf.stride; off++ {
			k := gramKey(l.text[off:])
			h := gramHash(k)
			pf.bits[h>>6] |= 1 << (h & 63)
			e := gramEntry{key: k, lit: l, off: off}
			for j, c := range l.text[off+4 : min(len(l.text), off+8)] {
				e.ext |= uint32(c|0x20) << (8 * j)
				e.extMask |= 0xff << (8 * j)
			}
			pf.add(h, e)
		}
	}
	for _, b := range pf.buckets {
		for i := range b {
			slices.SortFunc(b[i].full, func(x, y gramEntry) int { return cmp.Compare(x.ext, y.ext) })
		}
	}
	return pf
}

func (pf *prefilter) add(h uint32, e gramEntry) {
	b := pf.buckets[h]
	i := slices.IndexFunc(b, func(g keyGroup) bool { return g.key == e.key })
	if i < 0 {
		b = append(b, keyGroup{key: e.key})
		i = len(b) - 1
	}
	if e.extMask == 0xffffffff {
		b[i].full = append(b[i].full, e)
	} else {
		b[i].partial = append(b[i].partial, e)
	}
	pf.buckets[h] = b
}

// check compares the literal of e anchored at position i of b, and sets
// its patterns' bits when it is there.
func check(b []byte, i int, e *gramEntry, mask []uint64) bool {
	start := i - e.off
	if start < 0 || !foldEq(b[start:], e.lit.text) {
		return false
	}
	for _, id := range e.lit.patterns {
		mask[id>>6] |= 1 << (id & 63)
	}
	return true
}

// byteCommonness is a rough frequency of bytes in build logs: lower is rarer.
func byteCommonness(c byte) int {
	switch {
	case c == ' ':
		return 10
	case strings.IndexByte("etaoinsr", c) >= 0:
		return 9
	case strings.IndexByte("lcdumhp", c) >= 0:
		return 7
	case strings.IndexByte("gfbywv./-_0123", c) >= 0:
		return 5
	case c >= 'a' && c <= 'z', c >= '4' && c <= '9':
		return 3
	}
	return 1
}

// rarestGrams returns where the n consecutive 4-byte grams of b made of
// the rarest bytes start.
func rarestGrams(b []byte, n int) int {
	best, bestScore := 0, 1<<30
	for i := 0; i+3+n <= len(b); i++ {
		s := 0
		for _, c := range b[i : i+3+n] {
			s += byteCommonness(c)
		}
		for j := i; j < i+n; j++ {
			if commonGrams[string(b[j:j+4])] {
				s += 40
			}
		}
		if s < bestScore {
			best, bestScore = i, s
		}
	}
	return best
}

// commonGrams are 4-byte grams that build and test logs are full of (lower
// case): a literal is anchored elsewhere when it can be, so that the scan
// verifies fewer positions.
var commonGrams = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{"test", "tests", "est.", "est_", "est:", "_tes", "/tes", ".tes", " tes", "buil", "uild",
		"ild ", "ing ", "ing:", "tion", "ion ", " the", "the ", "and ", "file", "/fil", "erro", "rror", "ror:", "fail",
		"aile", "iled", "led ", "led:", "info", "warn", "arni", "rnin", "ning", "/hom", "home", "/run", "runn", "unne",
		"nner", "work", "ork/", "/usr", "usr/", "/lib", "lib/", "src/", "/src", "comp", "ompi", "mpil", "pile", "ject",
		"obje", "bjec", "pack", "acka", "ckag", "kage", "conf", "onfi", "nfig", "vers", "ersi", "rsio", "sion", "stat",
		"tatu", "atus", "loca", "ocal", "main", ".cpp", ".py:", ".go:", "java", "modu", "odul", "dule", "requ", "eque",
		"pass", "asse", "ssed", "sed ", "time", "ime ", "tool", "ools", " int", "inte", "nter", "ter ", "for ", " for",
		"with", " wit", "ith ", "from", " fro", "rom ", "that", "this", " thi", "ould", "not ", " not", "ed: ", "er: ",
		"ng: ", " is ", " to ", "to t", "s: 0", ": 0,", " 0, "} {
		m[w] = true
	}
	return m
}()

func foldEq(text, lit []byte) bool {
	if len(text) < len(lit) {
		return false
	}
	for i, c := range lit {
		t := text[i]
		if 'A' <= t && t <= 'Z' {
			t += 'a' - 'A'
		}
		if t != c {
			return false
		}
	}
	return true
}

// verify checks the literals anchored on the gram at position i of b and
// sets the bits of the patterns of those found.
func (pf *prefilter) verify(b []byte, i int, mask []uint64) bool {
	k := binary.LittleEndian.Uint32(b[i:]) | 0x20202020
	h := (k * gramHashMul) >> 16
	if pf.bits[h>>6]&(1<<(h&63)) == 0 {
		return false
	}
	found := false
	for gi := range pf.buckets[h] {
		g := &pf.buckets[h][gi]
		if g.key != k {
			continue
		}
		if i+8 > len(b) {
			// Too near the end for the next 4 bytes: every entry.
			for j := range g.full {
				found = check(b, i, &g.full[j], mask) || found
			}
			for j := range g.partial {
				found = check(b, i, &g.partial[j], mask) || found
			}
			break
		}
		ext := binary.LittleEndian.Uint32(b[i+4:]) | 0x20202020
		full := g.full
		if len(full) > 8 {
			lo, _ := slices.BinarySearchFunc(full, ext, func(e gramEntry, x uint32) int { return cmp.Compare(e.ext, x) })
			full = full[lo:]
		}
		for j := range full {
			if full[j].ext == ext {
				found = check(b, i, &full[j], mask) || found
			} else if full[j].ext > ext {
				break
			}
		}
		for j := range g.partial {
			if e := &g.partial[j]; ext&e.extMask == e.ext {
				found = check(b, i, e, mask) || found
			}
		}
		break
	}
	return found
}

// next scans b from position from for the anchor of any literal. At the
// first position where at least one literal occurs, it sets the bits of the
// literals' patterns in mask and returns that position (inside the
// literal(s), so on their line); it returns -1 when there is none.
func (pf *prefilter) next(b []byte, from int, mask []uint64) int {
	i := from
	if pf.stride == 4 {
		// Four positions per two 8-byte loads, the common case.
		for ; i+16 <= len(b); i += 16 {
			x := binary.LittleEndian.Uint64(b[i:])
			y := binary.LittleEndian.Uint64(b[i+8:])
			h1 := ((uint32(x) | 0x20202020) * gramHashMul) >> 16
			h2 := ((uint32(x>>32) | 0x20202020) * gramHashMul) >> 16
			h3 := ((uint32(y) | 0x20202020) * gramHashMul) >> 16
			h4 := ((uint32(y>>32) | 0x20202020) * gramHashMul) >> 16
			if (pf.bits[h1>>6]>>(h1&63)|pf.bits[h2>>6]>>(h2&63)|pf.bits[h3>>6]>>(h3&63)|pf.bits[h4>>6]>>(h4&63))&1 == 0 {
				continue
			}
			for j := i; j < i+16; j += 4 {
				if pf.verify(b, j, mask) {
					return j
				}
			}
		}
	}
	if pf.stride == 2 {
		for ; i+10 <= len(b); i += 8 {
			x := binary.LittleEndian.Uint64(b[i:])
			y := binary.LittleEndian.Uint32(b[i+6:])
			h1 := ((uint32(x) | 0x20202020) * gramHashMul) >> 16
			h2 := ((uint32(x>>16) | 0x20202020) * gramHashMul) >> 16
			h3 := ((uint32(x>>32) | 0x20202020) * gramHashMul) >> 16
			h4 := ((y | 0x20202020) * gramHashMul) >> 16
			if (pf.bits[h1>>6]>>(h1&63)|pf.bits[h2>>6]>>(h2&63)|pf.bits[h3>>6]>>(h3&63)|pf.bits[h4>>6]>>(h4&63))&1 == 0 {
				continue
			}
			for j := i; j < i+8; j += 2 {
				if pf.verify(b, j, mask) {
					return j
				}
			}
		}
	}
	for ; i+4 <= len(b); i += pf.stride {
		if pf.verify(b, i, mask) {
			return i
		}
	}
	return -1
}
