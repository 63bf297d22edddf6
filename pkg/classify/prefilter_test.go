package classify

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPrefilterFindsEveryLiteral checks the prefilter's contract against a
// naive search: scanning a text from a position with next, again and
// again from one past each hit, reports every literal that occurs at or
// after that position (ASCII case-insensitively) and none that does not
// occur. Literal sets of each shortest length give each stride (1 to 4),
// with 4-byte and 8-byte grams; texts hold the literals in random case,
// pieces of them, and literals cut off by the text's end.
func TestPrefilterFindsEveryLiteral(t *testing.T) {
	t.Parallel()
	const alphabet = "abcdeERROR: fail-test_/.[]#\n\r0123"
	for shortest := 4; shortest <= 8; shortest++ {
		for seed := range 12 {
			t.Run(fmt.Sprintf("shortest_%d_seed_%d", shortest, seed), func(t *testing.T) {
				t.Parallel()
				rng := rand.New(rand.NewPCG(uint64(shortest), uint64(seed)))
				word := func(n int) string {
					b := make([]byte, n)
					for i := range b {
						b[i] = alphabet[rng.IntN(len(alphabet))]
					}
					return string(b)
				}
				lits := map[string][]int{}
				var texts []string
				for id := 0; len(texts) < 1+rng.IntN(60); id++ {
					n := shortest + rng.IntN(16)
					if len(texts) == 0 {
						n = shortest
					}
					s := lowerASCII(word(n))
					if len(texts) > 0 && rng.IntN(3) == 0 {
						// Share a piece with another literal.
						o := texts[rng.IntN(len(texts))]
						s = lowerASCII(o[:min(len(o), 4+rng.IntN(5))] + word(max(0, n-len(o))))
						if len(s) < shortest {
							s += lowerASCII(word(shortest - len(s)))
						}
					}
					if _, ok := lits[s]; !ok {
						texts = append(texts, s)
					}
					lits[s] = append(lits[s], id)
				}
				pf := newPrefilter(lits)
				if want := min(4, shortest-3); pf.stride != want {
					t.Fatalf("stride = %d, want %d", pf.stride, want)
				}
				ids := 0
				for _, v := range lits {
					ids = max(ids, slices.Max(v)+1)
				}
				for round := range 30 {
					var b []byte
					size := 50 + rng.IntN(400)
					if round%10 == 9 {
						// Longer than scan's window of blocks.
						size = 16*scanWindow*2 + rng.IntN(4000)
					}
					for len(b) < size {
						switch rng.IntN(4) {
						case 0:
							l := texts[rng.IntN(len(texts))]
							if rng.IntN(4) == 0 {
								l = l[:rng.IntN(len(l))] // a piece
							}
							for _, c := range []byte(l) {
								if rng.IntN(2) == 0 && 'a' <= c && c <= 'z' {
									c -= 'a' - 'A'
								}
								b = append(b, c)
							}
						default:
							b = append(b, word(1+rng.IntN(12))...)
						}
					}
					if round%3 == 0 {
						// The text ends inside a literal.
						l := texts[rng.IntN(len(texts))]
						b = append(b, l[:len(l)-1]...)
					}
					from := rng.IntN(len(b))
					mask := make([]uint64, (ids+63)/64)
					for q := from; ; {
						h := pf.next(b, q, mask)
						if h < 0 {
							break
						}
						if h < q {
							t.Fatalf("next(%d) = %d, before the start", q, h)
						}
						q = h + 1
					}
					// scan, in windows of every size, finds the same.
					hits, _ := pf.scan(b, from, nil, nil)
					scanned := make([]uint64, len(mask))
					for k, h := range hits {
						if k > 0 && h.pos < hits[k-1].pos || int(h.pos) < from {
							t.Fatalf("scan hits out of order: %v", hits)
						}
						l := pf.lits[h.lit].text
						at := false
						for start := max(0, int(h.pos)-len(l)+1); start <= int(h.pos); start++ {
							at = at || foldEq(b[start:], l)
						}
						if !at {
							t.Errorf("scan: literal %q reported at %d of %q, not there", l, h.pos, b)
						}
						for _, id := range pf.lits[h.lit].patterns {
							scanned[id>>6] |= 1 << (id & 63)
						}
					}
					for s, v := range lits {
						after := indexFold(b[from:], []byte(s)) >= 0
						anywhere := indexFold(b, []byte(s)) >= 0
						for _, id := range v {
							got := mask[id>>6]&(1<<(id&63)) != 0
							if after && !got {
								t.Errorf("literal %q in %q after %d: not reported", s, b, from)
							}
							if got && !anywhere {
								t.Errorf("literal %q reported, but not in %q", s, b)
							}
							if got != (scanned[id>>6]&(1<<(id&63)) != 0) {
								t.Errorf("literal %q in %q after %d: next reports %v, scan the opposite", s, b, from, got)
							}
						}
					}
				}
			})
		}
	}
}

// indexFold is the naive search: the first occurrence of lit (lower case)
// in b, ASCII case-insensitively.
func indexFold(b, lit []byte) int {
	for i := 0; i+len(lit) <= len(b); i++ {
		if foldEq(b[i:], lit) {
			return i
		}
	}
	return -1
}

// TestShortLiteralIndex checks the rare-byte search of short literals
// against bytes.Index.
func TestShortLiteralIndex(t *testing.T) {
	t.Parallel()
	texts := []string{"", "●", " ● x", "✓ ✓ ● ", "»", "a » b", "\xe2\x97", "\x8f●", "✓✓✓✓", "xx\xe2\x97\x8f"}
	for _, needle := range []string{"●", "»", "::", "=>"} {
		s := shortLiteral{needle: []byte(needle), rare: rareByte([]byte(needle))}
		for _, text := range texts {
			if got, want := s.index([]byte(text)), bytes.Index([]byte(text), []byte(needle)); got != want {
				t.Errorf("index(%q) of %q = %d, want %d", text, needle, got, want)
			}
		}
	}
	// A symbol's last byte, not the lead byte every symbol of its block
	// shares.
	if got := rareByte([]byte("●")); got != 2 {
		t.Errorf("rareByte(●) = %d, want 2", got)
	}
}

// TestRarestGrams checks where literals are anchored: every gram of the
// window inside the literal, 8-byte grams wherever the literal has room
// for them, and away from the words logs are full of when the literal
// leaves a choice.
func TestRarestGrams(t *testing.T) {
	t.Parallel()
	for n := 4; n <= 24; n++ {
		lit := []byte("abcdefghijklmnopqrstuvwxyz"[:n])
		for stride := 1; stride <= 4 && stride <= n-3; stride++ {
			start := rarestGrams(lit, stride)
			for off := start; off < start+stride; off++ {
				g := gramSize(n, off)
				if off+g > n {
					t.Errorf("len %d stride %d: gram of %d bytes at %d runs past the literal", n, stride, g, off)
				}
				if n >= 8+stride-1 && g != 8 {
					t.Errorf("len %d stride %d: a %d-byte gram at %d, want 8", n, stride, g, off)
				}
			}
		}
	}
	for _, tc := range []struct {
		lit   string
		avoid string // no gram of the window holds it
	}{
		{"missing download info for ", "download"},
		{"error: package '", "package"},
		{"uses a deprecated version of ", "deprecat"},
	} {
		start := rarestGrams([]byte(tc.lit), 4)
		for off := start; off < start+4; off++ {
			if g := tc.lit[off : off+gramSize(len(tc.lit), off)]; bytes.Contains([]byte(g), []byte(tc.avoid)) {
				t.Errorf("%q anchored on %q, which holds %q", tc.lit, g, tc.avoid)
			}
		}
	}
	// A literal of 10 bytes at stride 4: three of its grams are 8 bytes.
	if start := rarestGrams([]byte("--- fail: "), 4); start != 0 {
		t.Errorf(`"--- fail: " anchored at %d, want 0 (8-byte grams at 0, 1 and 2)`, start)
	}
}
