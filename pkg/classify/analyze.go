package classify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"regexp"
	"regexp/syntax"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Analyzer classifies job logs with a compiled catalog. It is safe for
// concurrent use; build it once and reuse it.
type Analyzer struct {
	catalog      *Catalog
	pf           *prefilter
	pats         []compiledPattern
	conds        []*regexp.Regexp // log-scoped conditions, by id
	ruleConds    [][]ruleCond     // per rule: its log-scoped conditions
	always       []int            // pattern ids without usable literals: run on every line
	words        int              // uint64 words of a pattern mask
	workers      int
	chunkSize    int
	maxLine      int
	contextLines int
	window       int // lines kept before/after a chunk: max(contextLines, condition lines)
	maxFindings  int
	free         chan []byte
	// Score tokens of the general layer are pattern ids [tokenBase,
	// tokenEnd); tokenWords has their bits.
	tokenBase, tokenEnd int
	tokenWords          []uint64
	fipsCond            int // the log-scoped condition "FIPS mode in use"
	pfRules             *prefilter
	// The general layer's other tokens (not triggers) are found on a
	// candidate line by their own prefilter, which sets their pattern ids'
	// bits (quietWords), or, those too short for it (quietShort), always
	// looked for.
	pfQuiet    *prefilter
	quietWords []uint64
	quietShort []int
	short      []shortLiteral
	red        *redact.Redactor // findings are redacted with it (WithRedactor)
}

// shortLiteral is a literal too short for the prefilter's 4-byte stride
// and without ASCII letters (so case does not matter): it is found with
// bytes.Index instead, which runs at memory speed for a needle such as
// "»" or "●" that ordinary log text rarely holds.
type shortLiteral struct {
	lit    []byte // what the line must hold
	needle []byte // lit without its blanks: what is searched for
	rare   int    // index in needle of the byte searched for first
	ids    []int
}

// index returns the first occurrence of the needle in b, or -1. It looks
// for the needle's rarest byte with bytes.IndexByte (which runs at memory
// speed) and compares the rest there: for a symbol such as "●" that is its
// last byte, since the lead byte of a 3-byte UTF-8 sequence is shared by
// "✓", "─" and every other symbol of its block.
func (s *shortLiteral) index(b []byte) int {
	n, r := len(s.needle), s.rare
	for from := r; from < len(b); {
		k := bytes.IndexByte(b[from:], s.needle[r])
		if k < 0 {
			return -1
		}
		at := from + k - r
		if at+n <= len(b) && bytes.Equal(b[at:at+n], s.needle) {
			return at
		}
		from += k + 1
	}
	return -1
}

// rareByte returns the index of the byte of needle least likely in logs:
// a UTF-8 continuation byte before a lead byte, then by byteCommonness,
// the last of equals.
func rareByte(needle []byte) int {
	best, bestScore := 0, 1<<30
	for i, c := range needle {
		sc := byteCommonness(c)
		if c >= 0xc0 {
			sc += 10 // a lead byte: shared by a whole block of symbols
		}
		if sc <= bestScore {
			best, bestScore = i, sc
		}
	}
	return best
}

// shortSafe reports a short literal that can be searched for case-
// sensitively: no ASCII letters, and a non-blank part of 2 bytes or more.
func shortSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return len(strings.TrimSpace(s)) >= 2
}

func (a *Analyzer) addShort(s string, id int) {
	for i := range a.short {
		if string(a.short[i].lit) == s {
			a.short[i].ids = append(a.short[i].ids, id)
			return
		}
	}
	needle := []byte(strings.TrimSpace(s))
	a.short = append(a.short, shortLiteral{lit: []byte(s), needle: needle, rare: rareByte(needle), ids: []int{id}})
}

type compiledPattern struct {
	rule int // index in catalog.Rules, -1 for a log-scoped condition or a marker
	cond int // index in Analyzer.conds, -1 otherwise
	re   *regexp.Regexp
	src  string
	// start is the literal a line must start with to match ("ERROR " of
	// "^ERROR \S+\.py::"), lower case when fold: a line the prefilter
	// found for a literal further on is turned away without the regexp.
	start []byte
	fold  bool
}

// requiredStart returns the literal every match of pattern starts the
// text with (after ^), and whether it is matched ASCII case-insensitively;
// nil when there is none, or under (?i) when it has a rune Go folds beyond
// ASCII (k, s and the non-ASCII ones), which a byte comparison cannot.
func requiredStart(pattern string) ([]byte, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText && re.Sub[0].Op != syntax.OpBeginLine {
		return nil, false
	}
	lit := re.Sub[1]
	if lit.Op != syntax.OpLiteral {
		return nil, false
	}
	fold := lit.Flags&syntax.FoldCase != 0
	if fold {
		for _, r := range lit.Rune {
			if r >= utf8.RuneSelf || strings.ContainsRune("kKsS", r) {
				return nil, false
			}
		}
		return []byte(lowerASCII(string(lit.Rune))), true
	}
	return []byte(string(lit.Rune)), false
}

// startsRight reports whether text can match p as far as its start says.
func (p *compiledPattern) startsRight(text []byte) bool {
	if p.start == nil {
		return true
	}
	if !p.fold {
		return bytes.HasPrefix(text, p.start)
	}
	return foldEq(text, p.start)
}

type ruleCond struct {
	cond    int
	exclude bool
}

// markerPattern is the pattern id of GitHub's "##[" markers.
const markerPattern = 0

// AnalyzerOption configures an Analyzer.
type AnalyzerOption func(*Analyzer)

// WithWorkers sets how many goroutines classify chunks of a log
// (default: GOMAXPROCS, at most 4).
func WithWorkers(n int) AnalyzerOption {
	return func(a *Analyzer) {
		if n > 0 {
			a.workers = n
		}
	}
}

// WithChunkSize sets the bytes read per chunk (default 1 MiB). Memory use is
// about (2×workers+3)×chunk size.
func WithChunkSize(n int) AnalyzerOption {
	return func(a *Analyzer) {
		if n > 0 {
			a.chunkSize = n
		}
	}
}

// WithContextLines sets the lines shown before and after a finding (default 3).
func WithContextLines(n int) AnalyzerOption {
	return func(a *Analyzer) {
		if n >= 0 {
			a.contextLines = n
		}
	}
}

// WithMaxFindings caps the distinct findings kept per log (default 20).
func WithMaxFindings(n int) AnalyzerOption {
	return func(a *Analyzer) {
		if n > 0 {
			a.maxFindings = n
		}
	}
}

// WithLineLimit sets the longest line classified (DefaultMaxLineBytes).
func WithLineLimit(n int) AnalyzerOption {
	return func(a *Analyzer) {
		if n > 0 {
			a.maxLine = n
		}
	}
}

// NewAnalyzer compiles the catalog into a prefilter and pattern table.
func NewAnalyzer(c *Catalog, opts ...AnalyzerOption) *Analyzer {
	a := &Analyzer{catalog: c, workers: min(runtime.GOMAXPROCS(0), 4), chunkSize: 1 << 20,
		maxLine: DefaultMaxLineBytes, contextLines: 3, maxFindings: 20, red: redact.New()}
	for _, o := range opts {
		o(a)
	}
	a.chunkSize = max(a.chunkSize, a.maxLine+1, 64)
	a.free = make(chan []byte, 2*a.workers+3)
	lits := map[string][]int{}
	add := func(p compiledPattern) {
		id := len(a.pats)
		p.start, p.fold = requiredStart(p.src)
		a.pats = append(a.pats, p)
		set := requiredLiterals(p.src)
		if set == nil {
			a.always = append(a.always, id)
			return
		}
		for _, s := range set {
			if len(s) < fastLiteral && shortSafe(s) {
				a.addShort(s, id)
				continue
			}
			lits[s] = append(lits[s], id)
		}
	}
	a.pats = append(a.pats, compiledPattern{rule: -1, cond: -1})
	for _, m := range []string{"##[group]", "##[endgroup]", "##[error]"} {
		lits[m] = []int{markerPattern}
	}
	a.tokenBase = len(a.pats)
	tokenLits := map[string][]int{}
	for i := range scoreTokens {
		t := &scoreTokens[i]
		if t.trigger {
			for _, k := range t.prefilterKeys() {
				tokenLits[k] = append(tokenLits[k], len(a.pats))
			}
		}
		a.pats = append(a.pats, compiledPattern{rule: -1, cond: -1, src: t.lit})
	}
	a.tokenEnd = len(a.pats)
	quiet := map[string][]int{}
	a.quietWords = make([]uint64, (a.tokenEnd+63)/64)
	for i := range scoreTokens {
		t, id := &scoreTokens[i], a.tokenBase+i
		if t.trigger {
			continue
		}
		a.quietWords[id>>6] |= 1 << (id & 63)
		if len(t.lit) < minLiteral {
			a.quietShort = append(a.quietShort, id)
			continue
		}
		quiet[t.lit] = append(quiet[t.lit], id)
	}
	a.pfQuiet = newPrefilter(quiet)
	a.window = max(a.contextLines, voteWindow)
	condIDs := map[string]int{}
	a.ruleConds = make([][]ruleCond, len(c.Rules))
	for ri, r := range c.Rules {
		for i, p := range r.Patterns {
			add(compiledPattern{rule: ri, cond: -1, re: r.res[i], src: p})
		}
		for _, conds := range []struct {
			list    []Condition
			exclude bool
		}{{r.Exclusions, true}, {r.Requires, false}} {
			for _, cd := range conds.list {
				if cd.Scope == ScopeContext {
					a.window = max(a.window, cd.Lines)
				}
				if cd.Scope != ScopeLog {
					continue
				}
				id, ok := condIDs[cd.Pattern]
				if !ok {
					id = len(a.conds)
					condIDs[cd.Pattern] = id
					a.conds = append(a.conds, cd.re)
					add(compiledPattern{rule: -1, cond: id, re: cd.re, src: cd.Pattern})
				}
				a.ruleConds[ri] = append(a.ruleConds[ri], ruleCond{cond: id, exclude: conds.exclude})
			}
		}
	}
	// FIPS mode in use anywhere in the log: a log-scoped condition of the
	// general layer (the FIPS rules require the same).
	if id, ok := condIDs[fipsContext.String()]; ok {
		a.fipsCond = id
	} else {
		a.fipsCond = len(a.conds)
		a.conds = append(a.conds, fipsContext)
		add(compiledPattern{rule: -1, cond: a.fipsCond, re: fipsContext, src: fipsContext.String()})
	}
	a.words = (len(a.pats) + 63) / 64
	a.tokenWords = make([]uint64, (a.tokenEnd+63)/64)
	for id := a.tokenBase; id < a.tokenEnd; id++ {
		a.tokenWords[id>>6] |= 1 << (id & 63)
	}
	// Two prefilters: the rules' literals, and those with the general
	// layer's score tokens. A log a rule has certainly explained needs no
	// general layer any more, so its later chunks are scanned with the
	// first one (see Analyze).
	a.pfRules = newPrefilter(lits)
	for k, ids := range tokenLits {
		lits[k] = append(lits[k], ids...)
	}
	a.pf = newPrefilter(lits)
	return a
}

// UnfilteredPatterns returns the patterns that have no literal the
// prefilter can look for: they run on every line and slow the analyzer.
func (a *Analyzer) UnfilteredPatterns() []string {
	var out []string
	for _, id := range a.always {
		out = append(out, a.pats[id].src)
	}
	return out
}

// Classify reads one job log and returns its findings with the embedded
// catalog. source names the log (file path or owner/repo job id) in findings.
func Classify(ctx context.Context, r io.Reader, source string) (*Analysis, error) {
	c, err := DefaultCatalog()
	if err != nil {
		return nil, err
	}
	return NewAnalyzer(c).Analyze(ctx, r, source)
}

// chunk is a piece of the log made of whole lines, with copies of the lines
// just before and after it so that context windows can cross chunk borders.
type chunk struct {
	data      []byte // pre | body | post
	bodyStart int
	bodyEnd   int
	startLine int // lines before the body
	first     bool
	need      int // following lines still to append after the body
	done      chan struct{}
	// breaks are the offsets in data of the line breaks splitLong
	// inserted; breakLines the (virtual) numbers of the lines they end.
	breaks     []int
	breakLines []int
	contStart  bool // the body starts with the continuation of a cut line

	// results
	lines    int
	events   []groupEvent
	matches  []match
	condSeen []bool
	errors   int
	cand     chunkCandidates
	hits     []lineHit // scratch for evalLine
}

type groupEvent struct {
	kind  marker
	title string
}

type match struct {
	rule     int
	pattern  string
	priority int // the rule's, or a built-in's it won the line from
	line     int
	text     string
	context  []ContextLine
	events   int // group events of the chunk before this line
	fp       string
	count    int // occurrences of this fingerprint in the same group segment of the chunk
}

// Analyze classifies one job log read from r, decoded first (see
// DecodeLog): a log it cannot decode or read gives an error that names
// source, never an empty analysis. The findings it returns hold no secret
// (see WithRedactor).
func (a *Analyzer) Analyze(ctx context.Context, r io.Reader, source string) (*Analysis, error) {
	r, _, err := DecodeLog(r)
	if err != nil {
		var de *DecodeError
		if errors.As(err, &de) {
			de.Source = source
			return nil, de
		}
		return nil, fmt.Errorf("failed to read log %s: %w", source, err)
	}
	work := make(chan *chunk)
	ordered := make(chan *chunk, 2*a.workers)
	explained := new(atomic.Bool) // set by the merger, read by the workers
	var wg sync.WaitGroup
	for range a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{mask: make([]uint64, a.words), fps: map[fpKey]string{}}
			for c := range work {
				a.process(c, w, explained)
				close(c.done)
			}
		}()
	}
	readErr := make(chan error, 1)
	var total int64
	go func() {
		var err error
		total, err = a.readChunks(ctx, r, work, ordered)
		close(work)
		close(ordered)
		readErr <- err
	}()
	m := newMerger(a, source)
	m.explained = explained
	for c := range ordered {
		<-c.done
		m.merge(c)
		select {
		case a.free <- c.data[:0]:
		default:
		}
	}
	wg.Wait()
	if err := <-readErr; err != nil {
		return nil, fmt.Errorf("failed to read log %s: %w", source, err)
	}
	res := m.finish()
	res.Bytes = total
	redactAnalysis(res, a.red)
	return res, nil
}

func (a *Analyzer) buffer() []byte {
	select {
	case b := <-a.free:
		return b
	default:
		return make([]byte, 0, a.chunkSize+2*a.window*128+4096)
	}
}

// readChunks splits the log into chunks of whole lines and sends each to
// the workers and, in order, to the merger. A chunk is sent once the
// a.window lines that follow it are known (they may span several chunks).
func (a *Analyzer) readChunks(ctx context.Context, r io.Reader, work, ordered chan<- *chunk) (int64, error) {
	var (
		pending  []*chunk
		tail     []byte // the last a.window lines read so far
		carry    []byte
		lineBase int
		total    int64
		eof      bool
		first    = true
		contNext bool // the next chunk starts with a continuation
	)
	send := func(c *chunk) {
		work <- c
		ordered <- c
	}
	for !eof {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		c := &chunk{done: make(chan struct{}), startLine: lineBase, first: first, contStart: contNext}
		first = false
		data := a.buffer()
		data = append(data, tail...)
		c.bodyStart = len(data)
		data = append(data, carry...)
		carry = carry[:0]
		// Fill the body up to chunkSize bytes.
		want := c.bodyStart + a.chunkSize
		if cap(data) < want {
			grown := make([]byte, len(data), want+2*a.window*128+4096)
			copy(grown, data)
			data = grown
		}
		for len(data) < want {
			n, err := r.Read(data[len(data):want])
			data = data[:len(data)+n]
			total += int64(n)
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				return total, err
			}
		}
		// Lines longer than maxLine are cut into segments (virtual line
		// breaks, numbered back to the log's lines when the analysis ends),
		// so that nothing of them goes unread.
		data, c.breaks = a.splitLong(data, c.bodyStart)
		body := data[c.bodyStart:]
		if !eof {
			// The body holds more than maxLine bytes and no run of them
			// without a line break, so it has a line end.
			nl := bytes.LastIndexByte(body, '\n')
			carry = append(carry, body[nl+1:]...)
			data = data[:c.bodyStart+nl+1]
			n := len(c.breaks)
			contNext = n > 0 && c.breaks[n-1] == c.bodyStart+nl
		}
		if eof && len(data) > c.bodyStart && data[len(data)-1] != '\n' {
			// The last line ends like the others (some score tokens'
			// keys include the end of the line).
			data = append(data, '\n')
		}
		c.bodyEnd = len(data)
		c.data = data
		body = data[c.bodyStart:c.bodyEnd]
		c.lines = bytes.Count(body, []byte{'\n'})
		if len(c.breaks) > 0 {
			c.breakLines = make([]int, len(c.breaks))
			line, from := c.startLine+1, c.bodyStart
			for i, b := range c.breaks {
				line += bytes.Count(data[from:b], []byte{'\n'})
				from = b
				c.breakLines[i] = line
			}
		}
		lineBase += c.lines
		// Give the chunks waiting for following lines what this body has.
		for _, p := range pending {
			if p.need > 0 {
				head, n := firstLines(body, p.need)
				p.data = appendLines(p.data, head, a.maxLine)
				p.need -= n
			}
		}
		for len(pending) > 0 && pending[0].need == 0 {
			send(pending[0])
			pending = pending[1:]
		}
		c.need = a.window
		if c.need == 0 {
			send(c)
		} else {
			pending = append(pending, c)
		}
		tail = a.nextTail(tail, body)
	}
	for _, p := range pending {
		send(p)
	}
	return total, nil
}

// splitLong cuts the lines of data[start:] that are longer than a.maxLine
// into segments, as LogReader does: a line break is inserted where
// segmentCut says, as soon as more than maxLine bytes without a newline are
// known. It returns data (a new slice when it changed) and the offsets of
// the inserted breaks.
//
// Long lines are rare, so it looks for them cheaply: a line longer than
// maxLine covers a whole h-byte window aligned on h (h = maxLine/2), and
// windows are searched for a newline only until one is found.
func (a *Analyzer) splitLong(data []byte, start int) ([]byte, []int) {
	body := data[start:]
	h := max(a.maxLine/2, 1)
	var cuts []int // offsets in body where a break goes before the byte
	for k := 0; (k+1)*h <= len(body); k++ {
		if bytes.IndexByte(body[k*h:(k+1)*h], '\n') >= 0 {
			continue
		}
		// Walk the lines from the start of the one that covers window k.
		pos := bytes.LastIndexByte(body[:k*h], '\n') + 1
		if n := len(cuts); n > 0 && cuts[n-1] > pos {
			pos = cuts[n-1]
		}
		for {
			end := min(len(body), pos+a.maxLine+1)
			if i := bytes.IndexByte(body[pos:end], '\n'); i >= 0 {
				pos += i + 1
				if pos >= (k+1)*h {
					break
				}
				continue
			}
			if len(body)-pos <= a.maxLine {
				pos = len(body)
				break
			}
			pos += segmentCut(body[pos:], a.maxLine)
			cuts = append(cuts, pos)
		}
		k = pos/h - 1
	}
	if len(cuts) == 0 {
		return data, nil
	}
	out := make([]byte, 0, len(data)+len(cuts)+a.window*128+4096)
	out = append(out, data[:start]...)
	breaks := make([]int, len(cuts))
	from := 0
	for i, c := range cuts {
		out = append(out, body[from:c]...)
		breaks[i] = len(out)
		out = append(out, '\n')
		from = c
	}
	out = append(out, body[from:]...)
	return out, breaks
}

// segmentCut returns where a line that runs on past max bytes is cut: after
// the last space, tab or CR among the last eighth (at most 1 KiB) of its
// first max bytes, so that words stay whole, else at max. b holds more than
// max bytes of the line.
func segmentCut(b []byte, max int) int {
	look := min(max/8, 1024)
	for i := max - 1; i >= max-look && i > 0; i-- {
		if c := b[i]; c == ' ' || c == '\t' || c == '\r' {
			return i + 1
		}
	}
	return max
}

// nextTail returns the last a.window lines of tail followed by body.
func (a *Analyzer) nextTail(tail, body []byte) []byte {
	if a.window == 0 {
		return tail[:0]
	}
	start, n := lastLines(body, a.window)
	if n < a.window {
		ts, _ := lastLines(tail, a.window-n)
		out := append([]byte(nil), tail[ts:]...)
		return appendLines(out, body, a.maxLine)
	}
	return appendLines(tail[:0], body[start:], a.maxLine)
}

// lastLines returns where the last n lines of b start and how many there are.
func lastLines(b []byte, n int) (int, int) {
	if len(b) == 0 || n == 0 {
		return len(b), 0
	}
	end := len(b)
	if b[end-1] == '\n' {
		end--
	}
	for k := 1; ; k++ {
		i := bytes.LastIndexByte(b[:end], '\n')
		if i < 0 {
			return 0, k
		}
		if k == n {
			return i + 1, k
		}
		end = i
	}
}

// firstLines returns the first n lines of b and how many there are.
func firstLines(b []byte, n int) ([]byte, int) {
	end, k := 0, 0
	for k < n && end < len(b) {
		i := bytes.IndexByte(b[end:], '\n')
		k++
		if i < 0 {
			end = len(b)
			break
		}
		end += i + 1
	}
	return b[:end], k
}

func appendLines(dst, lines []byte, maxLine int) []byte {
	for len(lines) > 0 {
		i := bytes.IndexByte(lines, '\n')
		line := lines
		if i >= 0 {
			line, lines = lines[:i], lines[i+1:]
		} else {
			lines = nil
		}
		dst = append(dst, line[:min(len(line), maxLine)]...)
		dst = append(dst, '\n')
	}
	return dst
}

// process finds candidate lines of a chunk with the prefilter and runs the
// patterns they may match.
func (a *Analyzer) process(c *chunk, w *worker, explained *atomic.Bool) {
	mask := w.mask
	// Once a rule has certainly explained the log, the general layer's
	// answer cannot be used: its tokens are no longer looked for.
	pf := a.pf
	if explained.Load() {
		pf = a.pfRules
	}
	c.condSeen = make([]bool, len(a.conds))
	body := c.data[:c.bodyEnd]
	pos := c.bodyStart
	countedTo, lineNum := c.bodyStart, c.startLine+1
	var text, lower []byte
	ruleSeen := map[int]bool{}
	fps := map[string]int{}
	// Every literal of the body, by the position of its anchor.
	w.hits, w.cand = pf.scan(body, c.bodyStart, w.hits[:0], w.cand)
	hits, hi := w.hits, 0 // hits[hi] is the next at or after pos
	esc := -2             // next ESC byte at or after pos: len(body) none, -2 to be searched
	// next occurrence of each short literal's needle: len(body) none, -2
	// to be searched
	shortAt := make([]int, len(a.short))
	for i := range shortAt {
		shortAt[i] = -2
	}
	lineStart := func(p int) int { return max(bytes.LastIndexByte(body[:p], '\n')+1, c.bodyStart) }
	for pos < c.bodyEnd {
		clear(mask)
		var ls, le int
		if len(a.always) > 0 {
			ls = pos
			for _, id := range a.always {
				mask[id>>6] |= 1 << (id & 63)
			}
		} else {
			// ANSI codes can split a literal ("err\x1b[0mor"): lines with
			// an ESC byte are also scanned after normalisation.
			if esc == -2 || esc < pos {
				if esc = bytes.IndexByte(body[pos:], 0x1b); esc < 0 {
					esc = len(body)
				} else {
					esc += pos
				}
			}
			hitLs, escLs := len(body), len(body)
			if hi < len(hits) {
				hitLs = lineStart(int(hits[hi].pos))
			}
			if esc < len(body) {
				escLs = lineStart(esc)
			}
			for i := range shortAt {
				if shortAt[i] == -2 || shortAt[i] < pos {
					if k := a.short[i].index(body[pos:]); k < 0 {
						shortAt[i] = len(body)
					} else {
						shortAt[i] = pos + k
					}
				}
				if shortAt[i] < len(body) {
					escLs = min(escLs, lineStart(shortAt[i]))
				}
			}
			ls = min(hitLs, escLs)
			if ls >= len(body) {
				break
			}
		}
		le = bytes.IndexByte(body[ls:], '\n')
		if le < 0 {
			le = len(body)
		} else {
			le += ls
		}
		// Every literal on the line, not only the first (with the line's
		// end: some literals end with it, see exact).
		lineEnd := min(le+1, len(body))
		for ; hi < len(hits) && int(hits[hi].pos) < lineEnd; hi++ {
			for _, id := range pf.lits[hits[hi].lit].patterns {
				mask[id>>6] |= 1 << (id & 63)
			}
		}
		for i := range shortAt {
			if shortAt[i] < le && bytes.Contains(body[ls:le], a.short[i].lit) {
				for _, id := range a.short[i].ids {
					mask[id>>6] |= 1 << (id & 63)
				}
			}
		}
		lineNum += bytes.Count(body[countedTo:ls], []byte{'\n'})
		countedTo = ls
		pos = le + 1
		raw := body[ls:le][:min(le-ls, a.maxLine)]
		text = normalizeLine(text[:0], raw, c.first && lineNum == 1)
		if bytes.IndexByte(raw, 0x1b) >= 0 {
			// With the line's end, which some score tokens' keys include.
			withEnd := append(text, '\n')
			for q := 0; ; {
				h := pf.next(withEnd, q, mask)
				if h < 0 {
					break
				}
				q = h + 1
			}
			for i := range a.short {
				if bytes.Contains(text, a.short[i].lit) {
					for _, id := range a.short[i].ids {
						mask[id>>6] |= 1 << (id & 63)
					}
				}
			}
		}
		if a.evalLine(c, w, raw, text, lineNum, ls, le, ruleSeen, fps) {
			continue
		}
		if a.tokenHit(mask) {
			lower = a.scoreCandidate(&c.cand, mask, text, lower, lineNum, ls, le, len(c.events))
		}
	}
	a.materialize(c)
}

func (a *Analyzer) evalLine(c *chunk, w *worker, raw, text []byte, lineNum, ls, le int, ruleSeen map[int]bool, fps map[string]int) bool {
	mask := w.mask
	isGroup := false
	if mask[0]&1 != 0 && !c.continues(ls) {
		switch kind, title := rawMarker(raw, c.first && lineNum == 1); kind {
		case markerGroup, markerEndGroup:
			c.events = append(c.events, groupEvent{kind: kind, title: title})
			isGroup = true
		case markerError:
			c.errors++
		}
	}
	clear(ruleSeen)
	for w, word := range mask {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			id := w*64 + b
			if id == markerPattern || id >= a.tokenBase && id < a.tokenEnd {
				continue
			}
			p := &a.pats[id]
			if p.cond >= 0 {
				if !c.condSeen[p.cond] && p.re.Match(text) {
					c.condSeen[p.cond] = true
				}
				continue
			}
			if isGroup || ruleSeen[p.rule] || !p.startsRight(text) || !p.re.Match(text) {
				continue
			}
			ruleSeen[p.rule] = true
			r := a.catalog.Rules[p.rule]
			if !a.conditionsHold(c, r, text, ls, le) {
				continue
			}
			c.hits = append(c.hits, lineHit{rule: p.rule, pattern: p.src})
		}
	}
	if len(c.hits) == 0 {
		return isGroup
	}
	s := string(text)
	for _, h := range a.resolveLine(c.hits) {
		fp := w.fingerprint(a.catalog.Rules[h.rule].ID, h.rule, s)
		key := fmt.Sprintf("%s/%d", fp, len(c.events))
		if i, ok := fps[key]; ok {
			c.matches[i].count++
			continue
		}
		fps[key] = len(c.matches)
		c.matches = append(c.matches, match{rule: h.rule, pattern: h.pattern, priority: h.priority, line: lineNum, text: s,
			context: a.contextAround(c, ls, le, lineNum, a.contextLines), events: len(c.events), fp: fp, count: 1})
	}
	c.hits = c.hits[:0]
	return isGroup
}

// worker is what one of Analyze's goroutines keeps across the chunks of a
// log: its pattern mask, the fingerprints of the lines it matched and the
// prefilter's scratch.
type worker struct {
	mask []uint64
	fps  map[fpKey]string
	hits []litHit // scratch of the prefilter's scan
	cand []uint64
}

type fpKey struct {
	rule int
	text string
}

// A worker remembers the fingerprints of up to fpMemo lines of at most
// fpMemoLine bytes (512 KiB): logs repeat their failure lines (retries,
// one error per file, the same test in every shard), and masking a line
// runs several regexps.
const (
	fpMemo     = 1024
	fpMemoLine = 512
)

func (w *worker) fingerprint(ruleID string, rule int, text string) string {
	if fp, ok := w.fps[fpKey{rule, text}]; ok {
		return fp
	}
	fp := Fingerprint(ruleID, text)
	if len(w.fps) < fpMemo && len(text) <= fpMemoLine {
		w.fps[fpKey{rule, text}] = fp
	}
	return fp
}

// lineHit is a rule that matched a line, before custom and built-in rules
// on the same line are resolved.
type lineHit struct {
	rule     int
	pattern  string
	priority int
}

// resolveLine decides between custom and built-in rules that match the
// same line: the custom rule's finding stands and the built-ins' go, and
// it ranks with the highest priority among them, unless the custom rule
// says defer_to_builtin, then the built-ins' stand and its own goes.
// Without both kinds on the line, every hit stands with its rule's
// priority.
func (a *Analyzer) resolveLine(hits []lineHit) []lineHit {
	var custom, deferring, builtin bool
	top := 0
	for i := range hits {
		r := a.catalog.Rules[hits[i].rule]
		hits[i].priority = r.Priority
		switch {
		case r.builtin:
			builtin = true
			top = max(top, r.Priority)
		case r.DeferToBuiltin:
			deferring = true
		default:
			custom = true
		}
	}
	if !builtin || !custom && !deferring {
		return hits
	}
	out := hits[:0]
	for _, h := range hits {
		r := a.catalog.Rules[h.rule]
		switch {
		case r.builtin && custom:
			continue // the custom rule explains this line
		case !r.builtin && r.DeferToBuiltin:
			continue // the built-in does
		case !r.builtin:
			h.priority = max(h.priority, top)
		}
		out = append(out, h)
	}
	return out
}

// tokenHit reports whether mask has a score token.
func (a *Analyzer) tokenHit(mask []uint64) bool {
	for w, t := range a.tokenWords {
		if mask[w]&t != 0 {
			return true
		}
	}
	return false
}

// scoreCandidate gives a line with score tokens to the general layer.
func (a *Analyzer) scoreCandidate(cc *chunkCandidates, mask []uint64, text, lower []byte, line, ls, le, events int) []byte {
	sc, lower := a.scoreLine(text, mask, lower)
	if sc.success {
		cc.lastOK = line
		if hasPrefixFold(text, "##[error]") {
			cc.okMarkers++ // "##[error]Process completed with exit code 0."
		}
	}
	if sc.score >= candidateMin {
		cc.keep(candidate{line: line, score: sc.score, key: textKey(text), ls: ls, le: le, events: events})
	}
	if sc.failEnd {
		cc.failed(candidate{line: line, key: textKey(text), ls: ls, le: le, events: events})
	}
	return lower
}

// materialize gives the candidates a chunk kept their text, the lines
// around them and their context.
func (a *Analyzer) materialize(c *chunk) {
	last := c.startLine + c.lines
	recent := c.cand.recent[:0]
	for _, r := range c.cand.recent {
		if r.line > last-candidateWindow {
			recent = append(recent, r)
		}
	}
	c.cand.recent = recent
	// Only the chunk's best can be among the log's best: the others keep
	// no text (and are not offered), which saves reading their windows.
	if len(c.cand.top) > materializeMax {
		slices.SortFunc(c.cand.top, func(x, y candidate) int {
			if x.before(&y) {
				return -1
			}
			return 1
		})
		c.cand.top = c.cand.top[:materializeMax]
	}
	c.cand.each(func(cd *candidate) {
		w := a.windowTexts(c, cd.ls, cd.le, voteWindow)
		cd.window = make([]string, len(w))
		for i, t := range w {
			cd.window[i] = string(t)
		}
		raw := c.data[cd.ls:cd.le][:min(cd.le-cd.ls, a.maxLine)]
		cd.text = report.Clip(string(normalizeLine(nil, raw, c.first && cd.line == 1)), maxTextBytes)
		cd.context = a.contextAround(c, cd.ls, cd.le, cd.line, a.contextLines)
	})
}

// continues reports whether the line starting at offset ls of c.data is
// the continuation of a line splitLong cut.
func (c *chunk) continues(ls int) bool {
	if ls == c.bodyStart {
		return c.contStart
	}
	_, ok := slices.BinarySearch(c.breaks, ls-1)
	return ok
}

// conditionsHold checks a rule's line and context scoped exclusions and
// requirements (log-scoped ones are settled when the whole log is read).
func (a *Analyzer) conditionsHold(c *chunk, r *Rule, text []byte, ls, le int) bool {
	var window [][]byte
	matchAny := func(cd Condition) bool {
		if cd.Scope == ScopeLine {
			return cd.re.Match(text)
		}
		if cd.re.Match(text) {
			return true
		}
		if window == nil {
			window = a.windowTexts(c, ls, le, a.window)
		}
		for _, w := range window[max(0, a.window-cd.Lines):min(len(window), a.window+cd.Lines)] {
			if w != nil && cd.re.Match(w) {
				return true
			}
		}
		return false
	}
	for _, cd := range r.Exclusions {
		if cd.Scope != ScopeLog && matchAny(cd) {
			return false
		}
	}
	for _, cd := range r.Requires {
		if cd.Scope != ScopeLog && !matchAny(cd) {
			return false
		}
	}
	return true
}

// windowTexts returns the normalised n lines before and n after the line
// [ls, le) of c.data: 2n entries, nil where the log has no such line.
func (a *Analyzer) windowTexts(c *chunk, ls, le, n int) [][]byte {
	out := make([][]byte, 2*n)
	s := ls
	for i := n - 1; i >= 0 && s > 0; i-- {
		ps := bytes.LastIndexByte(c.data[:s-1], '\n') + 1
		out[i] = normalizeLine(make([]byte, 0, s-1-ps), c.data[ps : s-1][:min(s-1-ps, a.maxLine)], c.first && ps == 0)
		s = ps
	}
	e := le
	for i := n; i < 2*n && e < len(c.data); i++ {
		ns := e + 1
		if ns >= len(c.data) {
			break
		}
		ne := bytes.IndexByte(c.data[ns:], '\n')
		if ne < 0 {
			ne = len(c.data)
		} else {
			ne += ns
		}
		out[i] = normalizeLine(make([]byte, 0, ne-ns), c.data[ns:ne][:min(ne-ns, a.maxLine)], false)
		e = ne
	}
	return out
}

func (a *Analyzer) contextAround(c *chunk, ls, le, lineNum, n int) []ContextLine {
	if n == 0 {
		return nil
	}
	w := a.windowTexts(c, ls, le, n)
	var out []ContextLine
	for i, t := range w {
		if t == nil {
			continue
		}
		num := lineNum - n + i
		if i >= n {
			num = lineNum + i - n + 1
		}
		out = append(out, ContextLine{Line: num, Text: report.Clip(string(t), maxContextBytes)})
	}
	return out
}

// merger combines chunk results in log order.
type merger struct {
	a        *Analyzer
	source   string
	group    string
	step     string
	condSeen []bool
	byFP     map[string]*Finding
	priority map[string]int // rule priority by fingerprint
	order    []*Finding
	dropped  int
	lines    int
	errors   int
	breaks   []int // virtual numbers of the lines cut by splitLong
	gen      generalState
	// explained is set once a finding that will certainly be kept (a
	// specific rule's, outside a Run group, with no log-scoped condition)
	// is in: the general layer is then not needed.
	explained *atomic.Bool
}

func newMerger(a *Analyzer, source string) *merger {
	return &merger{a: a, source: source, condSeen: make([]bool, len(a.conds)), byFP: map[string]*Finding{},
		priority: map[string]int{}}
}

func (m *merger) apply(e groupEvent) {
	switch e.kind {
	case markerGroup:
		m.group, m.step = e.title, e.title
	case markerEndGroup:
		m.group = ""
	}
}

type groupState struct{ group, step string }

func (m *merger) merge(c *chunk) {
	m.lines += c.lines
	m.errors += c.errors
	m.breaks = append(m.breaks, c.breakLines...)
	for i, s := range c.condSeen {
		m.condSeen[i] = m.condSeen[i] || s
	}
	// The group and step after each of the chunk's group events.
	states := make([]groupState, len(c.events)+1)
	states[0] = groupState{m.group, m.step}
	for i, e := range c.events {
		m.apply(e)
		states[i+1] = groupState{m.group, m.step}
		m.gen.sawGroup = m.gen.sawGroup || e.kind == markerGroup
	}
	for _, mt := range c.matches {
		st := states[mt.events]
		m.add(mt, st.step, st.group)
	}
	c.cand.each(func(cd *candidate) {
		st := states[cd.events]
		cd.step, cd.group = st.step, st.group
	})
	m.gen.merge(&c.cand, m.lines)
}

// add records a match found in the given step and group.
func (m *merger) add(mt match, step, group string) {
	// Lines inside a step's "Run ..." group echo the step's script and
	// environment, not its output: they never count as failures.
	if strings.HasPrefix(group, "Run ") {
		return
	}
	if f, ok := m.byFP[mt.fp]; ok {
		f.Occurrences += mt.count
		return
	}
	if len(m.order) >= m.a.maxFindings*4 {
		m.dropped++
		return
	}
	r := m.a.catalog.Rules[mt.rule]
	f := &Finding{RuleID: r.ID, Title: r.Title, Category: r.Category, Severity: r.Severity,
		Confidence: r.Confidence, Pattern: mt.pattern, Line: mt.line, Text: report.Clip(mt.text, maxTextBytes),
		Context: mt.context, Step: step, Group: group, Suggestions: r.Suggestions, Fix: r.Fix,
		Fingerprint: mt.fp, Occurrences: mt.count, Source: m.source}
	m.byFP[mt.fp] = f
	m.priority[mt.fp] = mt.priority
	m.order = append(m.order, f)
	if m.explained != nil && r.Category != CategoryUnknown && len(m.a.ruleConds[mt.rule]) == 0 {
		m.explained.Store(true)
	}
}

// logLine maps a virtual line number (segments of cut lines counted as
// lines) to the number of the log's line.
func (m *merger) logLine(v int) int {
	n, _ := slices.BinarySearch(m.breaks, v)
	return v - n
}

func (m *merger) finish() *Analysis {
	res := &Analysis{Source: m.source, Lines: m.lines - len(m.breaks), ErrorMarkers: m.errors, Findings: []Finding{}}
	if len(m.breaks) > 0 {
		for _, f := range m.order {
			f.Line = m.logLine(f.Line)
			for i := range f.Context {
				f.Context[i].Line = m.logLine(f.Context[i].Line)
			}
		}
	}
	var kept []*Finding
	for _, f := range m.order {
		if m.logConditionsHold(f.RuleID) {
			kept = append(kept, f)
		}
	}
	// Catch-all findings only matter when nothing specific explains the log.
	specific := slices.IndexFunc(kept, func(f *Finding) bool { return f.Category != CategoryUnknown }) >= 0
	if specific {
		kept = slices.DeleteFunc(kept, func(f *Finding) bool { return f.Category == CategoryUnknown })
	} else if g := &m.gen; g.failedLog(m.errors) {
		// No rule explains the failure: the general layer names a line.
		if cd, bonus := g.best(); cd != nil {
			f := inferredFinding(cd, cd.step, cd.group, m.source, bonus, m.condSeen[m.a.fipsCond])
			f.Line = m.logLine(f.Line)
			for i := range f.Context {
				f.Context[i].Line = m.logLine(f.Context[i].Line)
			}
			m.priority[f.Fingerprint] = math.MaxInt
			kept = append([]*Finding{f}, kept...)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		fi, fj := kept[i], kept[j]
		if pi, pj := m.priority[fi.Fingerprint], m.priority[fj.Fingerprint]; pi != pj {
			return pi > pj
		}
		if ri, rj := fi.Severity.Rank(), fj.Severity.Rank(); ri != rj {
			return ri > rj
		}
		return fi.Line < fj.Line
	})
	if len(kept) > m.a.maxFindings {
		res.Dropped = len(kept) - m.a.maxFindings
		kept = kept[:m.a.maxFindings]
	}
	res.Dropped += m.dropped
	for i, f := range kept {
		if f.Suggestions == nil {
			f.Suggestions = []string{}
		}
		if i == 0 {
			f.RootCause = true
			// Another equally ranked explanation of another class makes the
			// root cause less certain.
			for _, g := range kept[1:] {
				if m.priority[g.Fingerprint] == m.priority[f.Fingerprint] && g.Severity == f.Severity && g.Category != f.Category {
					f.Confidence -= 0.15
					break
				}
			}
		} else {
			f.Confidence -= 0.1
		}
		f.Confidence = math.Round(max(f.Confidence, 0.05)*100) / 100
		res.Findings = append(res.Findings, *f)
	}
	return res
}

func (m *merger) logConditionsHold(ruleID string) bool {
	for ri, r := range m.a.catalog.Rules {
		if r.ID != ruleID {
			continue
		}
		// An exclusion seen anywhere cancels; every requirement must be seen.
		for _, rc := range m.a.ruleConds[ri] {
			if rc.exclude == m.condSeen[rc.cond] {
				return false
			}
		}
		return true
	}
	return false
}
