package classify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/bits"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

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
	red          *redact.Redactor // every log is read through it (WithRedactor)
}

type compiledPattern struct {
	rule int // index in catalog.Rules, -1 for a log-scoped condition or a marker
	cond int // index in Analyzer.conds, -1 otherwise
	re   *regexp.Regexp
	src  string
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
		a.pats = append(a.pats, p)
		set := requiredLiterals(p.src)
		if set == nil {
			a.always = append(a.always, id)
			return
		}
		for _, s := range set {
			lits[s] = append(lits[s], id)
		}
	}
	a.pats = append(a.pats, compiledPattern{rule: -1, cond: -1})
	for _, m := range []string{"##[group]", "##[endgroup]", "##[error]"} {
		lits[m] = []int{markerPattern}
	}
	a.window = a.contextLines
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
	a.words = (len(a.pats) + 63) / 64
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

	// results
	lines    int
	events   []groupEvent
	matches  []match
	condSeen []bool
	errors   int
}

type groupEvent struct {
	kind  marker
	title string
}

type match struct {
	rule    int
	pattern string
	line    int
	text    string
	context []ContextLine
	events  int // group events of the chunk before this line
	fp      string
	count   int // occurrences of this fingerprint in the same group segment of the chunk
}

// Analyze classifies one job log read from r. The findings it returns hold
// no secret (see WithRedactor).
func (a *Analyzer) Analyze(ctx context.Context, r io.Reader, source string) (*Analysis, error) {
	work := make(chan *chunk)
	ordered := make(chan *chunk, 2*a.workers)
	var wg sync.WaitGroup
	for range a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mask := make([]uint64, a.words)
			for c := range work {
				a.process(c, mask)
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
		return nil, err
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
		scratch  []byte
	)
	send := func(c *chunk) {
		work <- c
		ordered <- c
	}
	for !eof {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("failed to read log: %w", err)
		}
		c := &chunk{done: make(chan struct{}), startLine: lineBase, first: first}
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
				return total, fmt.Errorf("failed to read log: %w", err)
			}
		}
		body := data[c.bodyStart:]
		if !eof {
			nl := bytes.LastIndexByte(body, '\n')
			if nl < 0 {
				// A line longer than the chunk: keep maxLine bytes, skip the rest.
				data = data[:c.bodyStart+a.maxLine]
				if scratch == nil {
					scratch = make([]byte, 32<<10)
				}
				for {
					n, err := r.Read(scratch)
					total += int64(n)
					if i := bytes.IndexByte(scratch[:n], '\n'); i >= 0 {
						carry = append(carry, scratch[i+1:n]...)
						break
					}
					if err == io.EOF {
						eof = true
						break
					}
					if err != nil {
						return total, fmt.Errorf("failed to read log: %w", err)
					}
				}
				data = append(data, '\n')
			} else {
				carry = append(carry, body[nl+1:]...)
				data = data[:c.bodyStart+nl+1]
			}
		}
		c.bodyEnd = len(data)
		c.data = data
		body = data[c.bodyStart:c.bodyEnd]
		c.lines = bytes.Count(body, []byte{'\n'})
		if len(body) > 0 && body[len(body)-1] != '\n' {
			c.lines++
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
func (a *Analyzer) process(c *chunk, mask []uint64) {
	c.condSeen = make([]bool, len(a.conds))
	body := c.data[:c.bodyEnd]
	pos := c.bodyStart
	countedTo, lineNum := c.bodyStart, c.startLine+1
	var text []byte
	ruleSeen := map[int]bool{}
	fps := map[string]int{}
	hitMask := make([]uint64, len(mask))
	hit := -2 // next prefilter hit at or after pos: -1 none, -2 to be searched
	esc := -2 // next ESC byte at or after pos: len(body) none, -2 to be searched
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
			if hit == -2 || hit >= 0 && hit < pos {
				clear(hitMask)
				hit = a.pf.next(body, pos, hitMask)
			}
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
			if hit >= 0 {
				hitLs = lineStart(hit)
			}
			if esc < len(body) {
				escLs = lineStart(esc)
			}
			ls = min(hitLs, escLs)
			if ls >= len(body) {
				break
			}
			if hitLs == ls {
				copy(mask, hitMask)
				hit = -2
			}
		}
		le = bytes.IndexByte(body[ls:], '\n')
		if le < 0 {
			le = len(body)
		} else {
			le += ls
		}
		// Every literal on the line, not only the first.
		for q := ls; ; {
			h := a.pf.next(body[:le], q, mask)
			if h < 0 {
				break
			}
			q = h + 1
		}
		lineNum += bytes.Count(body[countedTo:ls], []byte{'\n'})
		countedTo = ls
		pos = le + 1
		raw := body[ls:le][:min(le-ls, a.maxLine)]
		text = normalizeLine(text[:0], raw, c.first && lineNum == 1)
		if bytes.IndexByte(raw, 0x1b) >= 0 {
			for q := 0; ; {
				h := a.pf.next(text, q, mask)
				if h < 0 {
					break
				}
				q = h + 1
			}
		}
		a.evalLine(c, mask, raw, text, lineNum, ls, le, ruleSeen, fps)
	}
}

func (a *Analyzer) evalLine(c *chunk, mask []uint64, raw, text []byte, lineNum, ls, le int, ruleSeen map[int]bool, fps map[string]int) {
	isGroup := false
	if mask[0]&1 != 0 {
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
			if id == markerPattern {
				continue
			}
			p := &a.pats[id]
			if p.cond >= 0 {
				if !c.condSeen[p.cond] && p.re.Match(text) {
					c.condSeen[p.cond] = true
				}
				continue
			}
			if isGroup || ruleSeen[p.rule] || !p.re.Match(text) {
				continue
			}
			ruleSeen[p.rule] = true
			r := a.catalog.Rules[p.rule]
			if !a.conditionsHold(c, r, text, ls, le) {
				continue
			}
			s := string(text)
			fp := Fingerprint(r.ID, s)
			key := fmt.Sprintf("%s/%d", fp, len(c.events))
			if i, ok := fps[key]; ok {
				c.matches[i].count++
				continue
			}
			fps[key] = len(c.matches)
			c.matches = append(c.matches, match{rule: p.rule, pattern: p.src, line: lineNum, text: s,
				context: a.contextAround(c, ls, le, lineNum, a.contextLines), events: len(c.events), fp: fp, count: 1})
		}
	}
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

func (m *merger) merge(c *chunk) {
	m.lines += c.lines
	m.errors += c.errors
	for i, s := range c.condSeen {
		m.condSeen[i] = m.condSeen[i] || s
	}
	applied := 0
	for _, mt := range c.matches {
		for ; applied < mt.events; applied++ {
			m.apply(c.events[applied])
		}
		m.add(mt, m.step, m.group)
	}
	for ; applied < len(c.events); applied++ {
		m.apply(c.events[applied])
	}
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
	m.priority[mt.fp] = r.Priority
	m.order = append(m.order, f)
}

func (m *merger) finish() *Analysis {
	res := &Analysis{Source: m.source, Lines: m.lines, ErrorMarkers: m.errors, Findings: []Finding{}}
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
