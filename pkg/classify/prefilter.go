package classify

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math/bits"
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
// The scan looks at every 4th position (when every literal has 7 bytes or
// more) and tests the grams there in one table lookup: 8-byte grams
// wherever the literal has room for them, 4-byte grams for the offsets of
// a short literal that has not (see prefilter and gramSize). A hit is
// verified against the literals anchored on that gram. Each literal is
// anchored where its grams are rarest (see rarestGrams), so common text
// rarely reaches the verification.

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

// The scan looks at every stride-th position of the text. A literal of
// 8+stride-1 bytes or more is anchored on 8-byte grams; a shorter one on
// an 8-byte gram at each of its anchor offsets with 8 bytes after it, and
// on 4-byte grams at the others; one table lookup per position tests both. The filter is
// indexed by the hash of the 4 bytes at the position. For an 8-byte gram
// whose first half has that hash, its word has a bit chosen by the hash of
// the second half (the 4 bytes 4 further on, whose hash the scan computes
// anyway); for a 4-byte gram, every bit. A long literal anchored on its 8
// bytes is rarely hit by chance even when its 4-byte pieces are common
// ("test", "erro").
//
// A hit is verified against the entries of its filter bit: flat arrays, so
// that the common case, a gram that is there by chance, costs a probe and a
// comparison or two.
const (
	fold4    = 0x20202020
	fold8    = 0x2020202020202020
	gramMul4 = 0x9E3779B1
	// filterLog is the number of bits of the filter's index: 2^16 words
	// of 32 bits (256 KiB), sparse enough that chance collisions stay rare
	// with a few thousand grams.
	filterLog = 16
	// bit4 is the slot bit of a filter word's 4-byte grams (those of
	// 8-byte grams are 0-31).
	bit4    = 32
	slotMul = 0x9E3779B97F4A7C15
)

// gramProduct is the hash product of a folded 4-byte gram: its top
// filterLog bits index the filter, its top 5 bits pick the bit of an
// 8-byte gram it is the second half of.
func gramProduct(k uint32) uint32 { return k * gramMul4 }

func filterIndex(p uint32) uint32 { return p >> (32 - filterLog) }

func secondHalf(p uint32) uint32 { return p >> 27 }

func secondHalfBit(p uint32) uint32 { return 1 << secondHalf(p) }

// literal is one string the prefilter looks for.
type literal struct {
	text     []byte // lower-case
	patterns []int  // ids of the patterns that require it
}

// gramEntry is a literal anchored on one of its grams.
type gramEntry struct {
	key uint64 // the folded gram, 4 or 8 bytes
	// ext and extMask are the (folded) bytes of the literal that follow
	// the gram, at most 4: a quick check before the whole literal is
	// compared, which sorts out literals sharing a common gram ("test" of
	// ".test.js" and ".test.ts").
	ext, extMask uint32
	lit          int32 // index in prefilter.lits
	off          int32 // offset of the gram in the literal
}

// group4 holds the 4-byte grams of one filter word: where their entries
// are, and what turns most chance hits away before they are read: the
// gram (0 when several share the word) and a set of the (folded) bytes
// that follow it in its literals (every byte when a literal ends with it).
type group4 struct {
	key        uint32
	bits8      uint32 // the word's 8-byte grams' bits
	next       uint64 // bit nextBit(c) for each byte c that may follow
	start, end uint32 // in prefilter.entries
}

func nextBit(c byte) uint64 { return 1 << ((uint64(c|0x20) * slotMul) >> 58) }

// slot8 holds the 8-byte grams of one filter bit (id word<<5 | bit),
// with a copy of the first so that a gram there by chance is turned away
// without reading the entries.
type slot8 struct {
	id   uint32 // id+1; 0 for an empty slot
	n    uint32 // entries, from start
	from uint32
	ext  uint32
	key  uint64
	mask uint32 // the first entry's extMask
}

type prefilter struct {
	filter [1 << filterLog]uint32
	// The words with 4-byte grams (every bit set in filter): has4 marks
	// them; rank4 counts those before each has4 word, so that a word's
	// rank indexes groups4. These are small and stay in L1 cache, where
	// most hits of a common 4-byte gram are turned away.
	has4    [1 << (filterLog - 6)]uint64
	rank4   [1 << (filterLog - 6)]uint16
	groups4 []group4
	slots8  []slot8 // open addressing by id, at most half full
	shift   uint
	entries []gramEntry
	lits    []literal
	stride  int
}

// newPrefilter indexes literals → pattern ids. With a stride s, each
// literal registers s consecutive grams, so looking at every s-th position
// of the text still finds every occurrence: s consecutive positions always
// contain one that is looked at.
func newPrefilter(lits map[string][]int) *prefilter {
	pf := &prefilter{stride: 4}
	texts := make([]string, 0, len(lits))
	for s := range lits {
		pf.stride = min(pf.stride, len(s)-3)
		texts = append(texts, s)
	}
	pf.stride = max(pf.stride, 1)
	slices.Sort(texts) // the same tables every time
	by4, by8 := map[uint32][]gramEntry{}, map[uint32][]gramEntry{}
	bits8 := map[uint32]uint32{}
	for _, s := range texts {
		l := int32(len(pf.lits))
		pf.lits = append(pf.lits, literal{text: []byte(s), patterns: lits[s]})
		text := pf.lits[l].text
		start := rarestGrams(text, pf.stride)
		for off := start; off < start+pf.stride; off++ {
			n := gramSize(len(text), off)
			first := binary.LittleEndian.Uint32(text[off:]) | fold4
			h := filterIndex(gramProduct(first))
			e := gramEntry{key: uint64(first), lit: l, off: int32(off)}
			for j, c := range text[off+n : min(len(text), off+n+4)] {
				e.ext |= uint32(c|0x20) << (8 * j)
				e.extMask |= 0xff << (8 * j)
			}
			if n == 8 {
				e.key = binary.LittleEndian.Uint64(text[off:]) | fold8
				bit := secondHalf(gramProduct(binary.LittleEndian.Uint32(text[off+4:]) | fold4))
				bits8[h] |= 1 << bit
				by8[h<<5|bit] = append(by8[h<<5|bit], e)
			} else {
				pf.has4[h>>6] |= 1 << (h & 63)
				by4[h] = append(by4[h], e)
			}
		}
	}
	byKey := func(x, y gramEntry) int { return cmp.Or(cmp.Compare(x.key, y.key), cmp.Compare(x.ext, y.ext)) }
	// The 4-byte grams' words, in rank order.
	r := 0
	for w := range pf.has4 {
		pf.rank4[w] = uint16(r)
		for m := pf.has4[w]; m != 0; m &= m - 1 {
			h := uint32(w<<6 | bits.TrailingZeros64(m))
			es := by4[h]
			slices.SortFunc(es, byKey)
			g := group4{key: uint32(es[0].key), bits8: bits8[h], start: uint32(len(pf.entries)), end: uint32(len(pf.entries) + len(es))}
			for _, e := range es {
				if uint32(e.key) != g.key {
					g.key = 0
				}
				if e.extMask == 0 {
					g.next = ^uint64(0)
				} else {
					g.next |= nextBit(byte(e.ext))
				}
			}
			pf.groups4 = append(pf.groups4, g)
			pf.entries = append(pf.entries, es...)
			r++
		}
	}
	for h, w := range bits8 {
		pf.filter[h] = w
	}
	for w := range pf.has4 {
		for m := pf.has4[w]; m != 0; m &= m - 1 {
			pf.filter[w<<6|bits.TrailingZeros64(m)] = ^uint32(0)
		}
	}
	ids := make([]uint32, 0, len(by8))
	for id := range by8 {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	size := 4
	pf.shift = 64 - 2
	for size < 2*len(ids) {
		size <<= 1
		pf.shift--
	}
	pf.slots8 = make([]slot8, size)
	for _, id := range ids {
		es := by8[id]
		slices.SortFunc(es, byKey)
		i := pf.slotIndex(id)
		for pf.slots8[i].id != 0 {
			i = (i + 1) & (size - 1)
		}
		pf.slots8[i] = slot8{id: id + 1, n: uint32(len(es)), from: uint32(len(pf.entries)),
			key: es[0].key, ext: es[0].ext, mask: es[0].extMask}
		pf.entries = append(pf.entries, es...)
	}
	return pf
}

func (pf *prefilter) slotIndex(id uint32) int { return int((uint64(id) * slotMul) >> pf.shift) }

// byteCommonness is a rough frequency of bytes in build logs: lower is rarer.
func byteCommonness(c byte) int { return int(commonness[c]) }

var commonness = func() (t [256]uint8) {
	for c := range t {
		t[c] = 1
		switch b := byte(c); {
		case b == ' ':
			t[c] = 10
		case strings.IndexByte("etaoinsr", b) >= 0:
			t[c] = 9
		case strings.IndexByte("lcdumhp", b) >= 0:
			t[c] = 7
		case strings.IndexByte("gfbywv./-_0123", b) >= 0:
			t[c] = 5
		case b >= 'a' && b <= 'z', b >= '4' && b <= '9':
			t[c] = 3
		}
	}
	return t
}()

// gramSize is the size of the gram a literal of l bytes is anchored on at
// offset off: 8 bytes when the literal has them there, else 4.
func gramSize(l, off int) int {
	if off+8 <= l {
		return 8
	}
	return 4
}

// rarestGrams returns where the n consecutive grams b is anchored on
// start (see gramSize), chosen so that the scan meets them by chance as
// seldom as it can: 8-byte grams rather than 4-byte ones, rare bytes
// rather than common ones, and no word that logs are full of (see
// commonGrams and commonWords; each costs a gram that holds it 40, a
// 4-byte gram costs twice its bytes and 60 more). Where b has room for n 8-byte grams, only
// those are considered.
func rarestGrams(b []byte, n int) int {
	last := len(b) - 4 - n + 1
	if len(b) >= 8+n-1 {
		last = len(b) - 8 - n + 1
	}
	// Where the common words are in b.
	var words [][2]int
	for _, w := range commonWords {
		for from := 0; ; {
			k := bytes.Index(b[from:], w)
			if k < 0 {
				break
			}
			words = append(words, [2]int{from + k, from + k + len(w)})
			from += k + 1
		}
	}
	costs := make([]int, last+n)
	for j := range costs {
		g := gramSize(len(b), j)
		c := 0
		for _, x := range b[j : j+g] {
			c += byteCommonness(x)
		}
		if g == 4 {
			// A 4-byte gram: met by chance far more often than an 8-byte one.
			c = 2*c + 60
			if commonGrams[string(b[j:j+4])] {
				c += 40
			}
		} else {
			for _, w := range words {
				if j <= w[0] && w[1] <= j+8 {
					c += 40
				}
			}
		}
		costs[j] = c
	}
	best, bestScore := 0, 1<<30
	for i := 0; i <= last; i++ {
		s := 0
		for _, c := range costs[i : i+n] {
			s += c
		}
		if s < bestScore {
			best, bestScore = i, s
		}
	}
	return best
}

// commonWords are words that build and test logs are full of (lower case):
// an 8-byte gram that holds one is met often.
var commonWords = func() [][]byte {
	var out [][]byte
	for _, w := range []string{"http", "download", "package", "found", "support", "deprecat", "test", "error", "fail",
		"remote", "perform", "install", "version", "request", "warn", "build", "compil", "module", "running"} {
		out = append(out, []byte(w))
	}
	return out
}()

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

// litHit is a literal scan found: where its anchor gram is, and which.
type litHit struct{ pos, lit int32 }

// sink takes the literals verify finds: it sets their patterns' bits in
// mask, or, when list is set, appends them to hits.
type sink struct {
	mask []uint64
	hits []litHit
	list bool
}

func (s *sink) add(pf *prefilter, i int, lit int32) {
	if s.list {
		s.hits = append(s.hits, litHit{int32(i), lit})
		return
	}
	for _, id := range pf.lits[lit].patterns {
		s.mask[id>>6] |= 1 << (id & 63)
	}
}

// verify checks the literals anchored on the grams at position i of b and
// gives those found to out.
func (pf *prefilter) verify(b []byte, i int, out *sink) bool {
	k4 := binary.LittleEndian.Uint32(b[i:]) | fold4
	h := filterIndex(gramProduct(k4))
	w := pf.filter[h]
	if w == 0 {
		return false
	}
	found := false
	if m := pf.has4[h>>6]; m&(1<<(h&63)) != 0 {
		g := &pf.groups4[int(pf.rank4[h>>6])+bits.OnesCount64(m&(1<<(h&63)-1))]
		if (g.key == k4 || g.key == 0) && (i+4 >= len(b) || g.next&nextBit(b[i+4]) != 0) {
			found = pf.verifyEntries(pf.entries[g.start:g.end], uint64(k4), b, i, 4, out)
		}
		w = g.bits8
	}
	if i+8 > len(b) {
		return found
	}
	bit := secondHalf(gramProduct(binary.LittleEndian.Uint32(b[i+4:]) | fold4))
	if w&(1<<bit) == 0 {
		return found
	}
	id := h<<5 | bit
	m := len(pf.slots8) - 1
	for j := pf.slotIndex(id); ; j = (j + 1) & m {
		s := &pf.slots8[j]
		if s.id == 0 {
			return found
		}
		if s.id != id+1 {
			continue
		}
		k8 := binary.LittleEndian.Uint64(b[i:]) | fold8
		if s.n == 1 {
			// The common case: turned away by the copy.
			if s.key != k8 {
				return found
			}
			if i+12 <= len(b) && (binary.LittleEndian.Uint32(b[i+8:])|fold4)&s.mask != s.ext {
				return found
			}
		}
		return pf.verifyEntries(pf.entries[s.from:s.from+s.n], k8, b, i, 8, out) || found
	}
}

// verifyEntries checks the entries of a gram of n bytes, key, found at
// position i of b.
func (pf *prefilter) verifyEntries(es []gramEntry, key uint64, b []byte, i, n int, out *sink) bool {
	// The folded bytes after the gram; near the end of b, those there are.
	var ext, have uint32 = 0, 0xffffffff
	if e := i + n; e+4 <= len(b) {
		ext = binary.LittleEndian.Uint32(b[e:]) | fold4
	} else {
		have = 0
		for j, c := range b[e:] {
			ext |= uint32(c|0x20) << (8 * j)
			have |= 0xff << (8 * j)
		}
	}
	found := false
	for k := range es {
		e := &es[k]
		if e.key != key || ext&e.extMask&have != e.ext&have {
			continue
		}
		start := i - int(e.off)
		if start < 0 || !foldEq(b[start:], pf.lits[e.lit].text) {
			continue
		}
		out.add(pf, i, e.lit)
		found = true
	}
	return found
}

// next scans b from position from for the anchor of any literal. At the
// first position where at least one literal occurs, it sets the bits of the
// literals' patterns in mask and returns that position (inside the
// literal(s), so on their line); it returns -1 when there is none.
func (pf *prefilter) next(b []byte, from int, mask []uint64) int {
	out := &sink{mask: mask}
	i := from
	f := &pf.filter
	switch pf.stride {
	case 4:
		// Four positions per 16 bytes, the common case: the products of
		// the 4-byte grams at i, i+4, ..., i+16 (the last for the second
		// half of the 8-byte gram at i+12).
		for ; i+20 <= len(b); i += 16 {
			w := b[i : i+20 : i+20]
			x, y := binary.LittleEndian.Uint64(w[0:])|fold8, binary.LittleEndian.Uint64(w[8:])|fold8
			p0, p1 := gramProduct(uint32(x)), gramProduct(uint32(x>>32))
			p2, p3 := gramProduct(uint32(y)), gramProduct(uint32(y>>32))
			p4 := gramProduct(binary.LittleEndian.Uint32(w[16:]) | fold4)
			m0, m1 := f[filterIndex(p0)]&secondHalfBit(p1), f[filterIndex(p1)]&secondHalfBit(p2)
			m2, m3 := f[filterIndex(p2)]&secondHalfBit(p3), f[filterIndex(p3)]&secondHalfBit(p4)
			if m0|m1|m2|m3 == 0 {
				continue
			}
			if m0 != 0 && pf.verify(b, i, out) {
				return i
			}
			if m1 != 0 && pf.verify(b, i+4, out) {
				return i + 4
			}
			if m2 != 0 && pf.verify(b, i+8, out) {
				return i + 8
			}
			if m3 != 0 && pf.verify(b, i+12, out) {
				return i + 12
			}
		}
	case 2:
		for ; i+14 <= len(b); i += 8 {
			w := b[i : i+14 : i+14]
			x, y := binary.LittleEndian.Uint64(w[0:])|fold8, binary.LittleEndian.Uint64(w[6:])|fold8
			p0, p1, p2 := gramProduct(uint32(x)), gramProduct(uint32(x>>16)), gramProduct(uint32(x>>32))
			p3, p4, p5 := gramProduct(uint32(y)), gramProduct(uint32(y>>16)), gramProduct(uint32(y>>32))
			m0, m1 := f[filterIndex(p0)]&secondHalfBit(p2), f[filterIndex(p1)]&secondHalfBit(p3)
			m2, m3 := f[filterIndex(p2)]&secondHalfBit(p4), f[filterIndex(p3)]&secondHalfBit(p5)
			if m0|m1|m2|m3 == 0 {
				continue
			}
			if m0 != 0 && pf.verify(b, i, out) {
				return i
			}
			if m1 != 0 && pf.verify(b, i+2, out) {
				return i + 2
			}
			if m2 != 0 && pf.verify(b, i+4, out) {
				return i + 4
			}
			if m3 != 0 && pf.verify(b, i+6, out) {
				return i + 6
			}
		}
	}
	for ; i+4 <= len(b); i += pf.stride {
		if pf.verify(b, i, out) {
			return i
		}
	}
	return -1
}

// scanWindow is how many 16-byte blocks scan tests before it verifies the
// hits among them.
const scanWindow = 1024

// scan appends to hits every literal of b whose anchor gram is at or
// after from, in order. It tests the positions of a window of blocks
// without a branch but the loop's, noting those that hit (cand holds
// them: give it cap scanWindow or more), then verifies them: a hit is
// rare enough that testing for it at each block costs more in
// mispredicted branches than the window's second pass.
func (pf *prefilter) scan(b []byte, from int, hits []litHit, cand []uint64) ([]litHit, []uint64) {
	out := &sink{hits: hits, list: true}
	i := from
	f := &pf.filter
	if cap(cand) < scanWindow {
		cand = make([]uint64, scanWindow)
	}
	cand = cand[:scanWindow]
	switch pf.stride {
	case 4:
		for i+20 <= len(b) {
			n, lim := 0, min(len(b)-19, i+16*scanWindow)
			for ; i < lim; i += 16 {
				w := b[i : i+20 : i+20]
				x, y := binary.LittleEndian.Uint64(w[0:])|fold8, binary.LittleEndian.Uint64(w[8:])|fold8
				p0, p1 := gramProduct(uint32(x)), gramProduct(uint32(x>>32))
				p2, p3 := gramProduct(uint32(y)), gramProduct(uint32(y>>32))
				p4 := gramProduct(binary.LittleEndian.Uint32(w[16:]) | fold4)
				m0, m1 := f[filterIndex(p0)]&secondHalfBit(p1), f[filterIndex(p1)]&secondHalfBit(p2)
				m2, m3 := f[filterIndex(p2)]&secondHalfBit(p3), f[filterIndex(p3)]&secondHalfBit(p4)
				cand[n&(scanWindow-1)] = uint64(i)
				n += int(nonZero(m0 | m1 | m2 | m3))
			}
			for _, c := range cand[:n] {
				for t := pf.block4(b, int(c)); t != 0; t &= t - 1 {
					pf.verify(b, int(c)+4*bits.TrailingZeros32(t), out)
				}
			}
		}
	case 2:
		for i+14 <= len(b) {
			n, lim := 0, min(len(b)-13, i+8*scanWindow)
			for ; i < lim; i += 8 {
				w := b[i : i+14 : i+14]
				x, y := binary.LittleEndian.Uint64(w[0:])|fold8, binary.LittleEndian.Uint64(w[6:])|fold8
				p0, p1, p2 := gramProduct(uint32(x)), gramProduct(uint32(x>>16)), gramProduct(uint32(x>>32))
				p3, p4, p5 := gramProduct(uint32(y)), gramProduct(uint32(y>>16)), gramProduct(uint32(y>>32))
				m0, m1 := f[filterIndex(p0)]&secondHalfBit(p2), f[filterIndex(p1)]&secondHalfBit(p3)
				m2, m3 := f[filterIndex(p2)]&secondHalfBit(p4), f[filterIndex(p3)]&secondHalfBit(p5)
				cand[n&(scanWindow-1)] = uint64(i)
				n += int(nonZero(m0 | m1 | m2 | m3))
			}
			for _, c := range cand[:n] {
				for t := pf.block2(b, int(c)); t != 0; t &= t - 1 {
					pf.verify(b, int(c)+2*bits.TrailingZeros32(t), out)
				}
			}
		}
	}
	for ; i+4 <= len(b); i += pf.stride {
		pf.verify(b, i, out)
	}
	return out.hits, cand
}

// block4 returns which of the 4 positions of the stride-4 block at i
// pass the filter (bit k for position i+4k), as scan's first pass tests
// them: that pass only notes the blocks with one.
func (pf *prefilter) block4(b []byte, i int) uint32 {
	f := &pf.filter
	w := b[i : i+20 : i+20]
	x, y := binary.LittleEndian.Uint64(w[0:])|fold8, binary.LittleEndian.Uint64(w[8:])|fold8
	p0, p1 := gramProduct(uint32(x)), gramProduct(uint32(x>>32))
	p2, p3 := gramProduct(uint32(y)), gramProduct(uint32(y>>32))
	p4 := gramProduct(binary.LittleEndian.Uint32(w[16:]) | fold4)
	m0, m1 := f[filterIndex(p0)]&secondHalfBit(p1), f[filterIndex(p1)]&secondHalfBit(p2)
	m2, m3 := f[filterIndex(p2)]&secondHalfBit(p3), f[filterIndex(p3)]&secondHalfBit(p4)
	return nonZero(m0) | nonZero(m1)<<1 | nonZero(m2)<<2 | nonZero(m3)<<3
}

// block2 is block4 for the stride-2 block at i (bit k for position i+2k).
func (pf *prefilter) block2(b []byte, i int) uint32 {
	f := &pf.filter
	w := b[i : i+14 : i+14]
	x, y := binary.LittleEndian.Uint64(w[0:])|fold8, binary.LittleEndian.Uint64(w[6:])|fold8
	p0, p1, p2 := gramProduct(uint32(x)), gramProduct(uint32(x>>16)), gramProduct(uint32(x>>32))
	p3, p4, p5 := gramProduct(uint32(y)), gramProduct(uint32(y>>16)), gramProduct(uint32(y>>32))
	m0, m1 := f[filterIndex(p0)]&secondHalfBit(p2), f[filterIndex(p1)]&secondHalfBit(p3)
	m2, m3 := f[filterIndex(p2)]&secondHalfBit(p4), f[filterIndex(p3)]&secondHalfBit(p5)
	return nonZero(m0) | nonZero(m1)<<1 | nonZero(m2)<<2 | nonZero(m3)<<3
}

// nonZero is 1 for a word with a bit set, else 0, without a branch.
func nonZero(m uint32) uint32 { return (m | -m) >> 31 }
