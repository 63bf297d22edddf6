package classify

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// DefaultMaxLineBytes is the longest line the log reader keeps whole.
// Longer lines are cut into segments of at most this many bytes (see
// Line.Continued), so memory stays flat whatever the log contains
// (minified bundles and base64 blobs are common in CI output) and nothing
// of such a line goes unread.
const DefaultMaxLineBytes = 64 << 10

// Line is one line of a GitHub Actions job log after normalisation.
//
// GitHub prefixes every line of a downloaded job log with an RFC 3339
// timestamp ("2026-11-19T02:13:44.1234567Z "), steps are wrapped in
// "##[group]"/"##[endgroup]" and failures are marked with "##[error]".
// See https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions.
type Line struct {
	// Num is the 1-based line number in the original log.
	Num int `json:"line"`
	// Text is the line without timestamp, ANSI escape codes and carriage
	// returns. Markers such as "##[error]" are kept.
	Text string `json:"text"`
	// Group is the title of the currently open ##[group] ("" outside groups).
	Group string `json:"group,omitempty"`
	// Step is the title of the most recent ##[group]: GitHub opens a group
	// for each step ("Run make -j4") and the step's output follows the
	// ##[endgroup], so Step names the step a line belongs to.
	Step string `json:"step,omitempty"`
	// Marker is the GitHub marker that starts the line: "group",
	// "endgroup", "error" or "".
	Marker string `json:"marker,omitempty"`
	// Error reports a "##[error]" marker on the line.
	Error bool `json:"error,omitempty"`
	// Continued reports a segment of a line longer than the reader's limit
	// that continues the previous segment (same Num). Markers are not
	// recognised in continuations.
	Continued bool `json:"continued,omitempty"`
}

// LogReader reads a job log line by line with a bounded buffer.
// Use it like bufio.Scanner: for lr.Next() { lr.Line() }; then lr.Err().
// The log is decoded first (see DecodeLog).
type LogReader struct {
	br       *bufio.Reader
	max      int
	num      int
	line     Line
	err      error
	buf      []byte
	group    string
	step     string
	finished bool
	cont     bool // the next segment continues the current line
	eof      bool
}

// ReadOption configures a LogReader.
type ReadOption func(*LogReader)

// WithMaxLineBytes sets the longest line kept (DefaultMaxLineBytes if n <= 0).
func WithMaxLineBytes(n int) ReadOption {
	return func(lr *LogReader) {
		if n > 0 {
			lr.max = n
		}
	}
}

// NewLogReader returns a streaming reader of a job log. A log DecodeLog
// cannot read gives no line and its error from Err.
func NewLogReader(r io.Reader, opts ...ReadOption) *LogReader {
	lr := &LogReader{max: DefaultMaxLineBytes}
	for _, o := range opts {
		o(lr)
	}
	dr, _, err := DecodeLog(r)
	if err != nil {
		lr.err, lr.finished = err, true
		dr = bytes.NewReader(nil)
	}
	lr.br = bufio.NewReaderSize(dr, max(lr.max+1, 16))
	return lr
}

// Next advances to the next line. It returns false at the end of the log or
// on a read error (see Err).
func (lr *LogReader) Next() bool {
	if lr.finished {
		return false
	}
	cont := lr.cont
	raw, more, err := lr.readRaw()
	if err != nil {
		lr.finished = true
		if err != io.EOF {
			lr.err = fmt.Errorf("failed to read log line %d: %w", lr.num+1, err)
		}
		return false
	}
	lr.cont = more
	if !cont {
		lr.num++
	}
	first := lr.num == 1 && !cont
	lr.buf = normalizeLine(lr.buf[:0], raw, first)
	text := lr.buf
	l := Line{Num: lr.num, Continued: cont}
	kind, title := markerNone, ""
	if !cont {
		kind, title = rawMarker(raw, first)
	}
	switch kind {
	case markerGroup:
		lr.group, lr.step = title, title
		l.Marker = "group"
	case markerEndGroup:
		lr.group = ""
		l.Marker = "endgroup"
	case markerError:
		l.Error = true
		l.Marker = "error"
	}
	l.Text = string(text)
	l.Group, l.Step = lr.group, lr.step
	lr.line = l
	return true
}

// readRaw returns the next raw segment (without the newline) and whether
// the line goes on after it: a line of more than lr.max bytes is cut where
// segmentCut says. It returns io.EOF at the end of the log.
func (lr *LogReader) readRaw() ([]byte, bool, error) {
	scanned := 0
	for {
		buf, _ := lr.br.Peek(lr.br.Buffered())
		limit := min(len(buf), lr.max+1)
		if i := bytes.IndexByte(buf[scanned:limit], '\n'); i >= 0 {
			line := buf[:scanned+i]
			lr.br.Discard(scanned + i + 1)
			return line, false, nil
		}
		scanned = limit
		if len(buf) > lr.max {
			cut := segmentCut(buf, lr.max)
			lr.br.Discard(cut)
			return buf[:cut], true, nil
		}
		if lr.eof {
			if len(buf) == 0 {
				return nil, false, io.EOF
			}
			lr.br.Discard(len(buf))
			return buf, false, nil
		}
		// Read more: Peek fills the buffer (moving what is buffered to
		// its start) and reports the end of the log or a read error.
		if _, err := lr.br.Peek(len(buf) + 1); err != nil {
			if err != io.EOF {
				return nil, false, err
			}
			lr.eof = true
		}
	}
}

// Line returns the current line.
func (lr *LogReader) Line() Line { return lr.line }

// Err returns the first read error (nil at a clean end of the log).
func (lr *LogReader) Err() error { return lr.err }

type marker int

const (
	markerNone marker = iota
	markerGroup
	markerEndGroup
	markerError
)

var (
	groupPrefix    = []byte("##[group]")
	endGroupPrefix = []byte("##[endgroup]")
	errorPrefix    = []byte("##[error]")
)

// rawMarker classifies a raw log line by the GitHub marker that starts it
// (after the timestamp). Markers are written by the runner, never split by
// colour codes, so they are recognised in the raw text only; the group
// title is normalised.
func rawMarker(raw []byte, first bool) (marker, string) {
	if first {
		raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	}
	kind, rest := lineMarker(stripTimestamp(raw))
	if kind != markerGroup {
		return kind, ""
	}
	return kind, string(bytes.TrimSpace(normalizeLine(nil, rest, false)))
}

// lineMarker classifies a line by its GitHub log marker.
func lineMarker(text []byte) (marker, []byte) {
	if len(text) < 3 || text[0] != '#' || text[1] != '#' || text[2] != '[' {
		return markerNone, nil
	}
	switch {
	case bytes.HasPrefix(text, groupPrefix):
		return markerGroup, text[len(groupPrefix):]
	case bytes.HasPrefix(text, endGroupPrefix):
		return markerEndGroup, nil
	case bytes.HasPrefix(text, errorPrefix):
		return markerError, text[len(errorPrefix):]
	}
	return markerNone, nil
}

// normalizeLine appends to dst the visible text of raw: the timestamp prefix,
// a leading byte order mark (first line), ANSI escape sequences and carriage
// returns are removed. When a line holds carriage returns that overwrite it
// (progress bars), the last non-empty segment is kept, as a terminal shows it.
// Leading blanks and the decorations other CI systems and pasting put in
// front of a line are removed too (see linePrefix), so that rules anchored
// at the start of a line see the tool's own text.
func normalizeLine(dst, raw []byte, first bool) []byte {
	if first {
		raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	}
	for len(raw) > 0 && raw[len(raw)-1] == '\r' {
		raw = raw[:len(raw)-1]
	}
	raw = stripTimestamp(raw)
	if i := bytes.LastIndexByte(raw, '\r'); i >= 0 {
		raw = lastSegment(raw)
	}
	if bytes.IndexByte(raw, 0x1b) < 0 {
		return append(dst, raw[linePrefix(raw):]...)
	}
	start := len(dst)
	dst = stripANSI(dst, raw)
	if p := linePrefix(dst[start:]); p > 0 {
		dst = append(dst[:start], dst[start+p:]...)
	}
	return dst
}

// linePrefix returns the length of the decoration in front of a line's
// text: blanks, quote markers ("> " as issue threads and e-mail quote a
// pasted log), box drawing (Terraform's "│ Error:"), "remote: " (git
// push output), timestamps other CI systems print (Jenkins
// "[2022-02-09T16:36:30.797Z] " and "00:19:09 ", Azure and application
// logs "2016-07-29 15:01:16.6494 "), BuildKit's "#12 " step and "85.28 "
// elapsed-seconds prefixes, and Tekton's "[task : step] ".
func linePrefix(b []byte) int {
	i := 0
	for range 8 {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		n := decoration(b[i:])
		if n == 0 {
			return i
		}
		i += n
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits returns how many ASCII digits b starts with.
func digits(b []byte) int {
	n := 0
	for n < len(b) && isDigit(b[n]) {
		n++
	}
	return n
}

// clock returns the length of "HH:MM:SS" (with an optional fraction) at
// the start of b, or 0.
func clock(b []byte) int {
	if len(b) < 8 || digits(b) != 2 || b[2] != ':' || digits(b[3:]) != 2 || b[5] != ':' || digits(b[6:]) != 2 {
		return 0
	}
	n := 8
	if n < len(b) && (b[n] == '.' || b[n] == ',') {
		if k := digits(b[n+1:]); k > 0 {
			n += 1 + k
		}
	}
	return n
}

// dateTime returns the length of "YYYY-MM-DD[T ]HH:MM:SS(.frac)(Z|±hh:mm)" at
// the start of b, or 0.
func dateTime(b []byte) int {
	if len(b) < 19 || digits(b) != 4 || b[4] != '-' || digits(b[5:]) != 2 || b[7] != '-' || digits(b[8:]) != 2 ||
		(b[10] != 'T' && b[10] != ' ') {
		return 0
	}
	n := clock(b[11:])
	if n == 0 {
		return 0
	}
	n += 11
	if n < len(b) && b[n] == 'Z' {
		n++
	} else if n+5 < len(b)+1 && n < len(b) && (b[n] == '+' || b[n] == '-') && digits(b[n+1:]) >= 2 {
		n += 1 + digits(b[n+1:])
		if n < len(b) && b[n] == ':' {
			n += 1 + digits(b[n+1:])
		}
	}
	return n
}

// decoration returns the length of one decoration at the start of b
// (followed by a blank where the form has one), or 0.
func decoration(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	blank := func(n int) int { // n, if a blank (or the end) follows
		if n > 0 && (n == len(b) || b[n] == ' ' || b[n] == '\t') {
			return n
		}
		return 0
	}
	switch c := b[0]; {
	case c == '>':
		return 1
	case c == 0xe2 && len(b) >= 3 && b[1] == 0x94 && (b[2] == 0x82 || b[2] == 0x83): // │ ┃
		return 3
	case c == 0xe2 && len(b) >= 3 && b[1] == 0x95 && (b[2] == 0xb7 || b[2] == 0xb5): // ╷ ╵
		return 3
	case c == 'r':
		if bytes.HasPrefix(b, []byte("remote: ")) {
			return 7
		}
	case c == '[':
		end := bytes.IndexByte(b, ']')
		if end < 0 || end > 48 {
			return 0
		}
		in := b[1:end]
		if dateTime(in) == len(in) || clock(in) == len(in) {
			return blank(end + 1)
		}
		// Tekton: "[task : step] ".
		if k := bytes.Index(in, []byte(" : ")); k > 0 && bytes.IndexByte(in, ' ') == k && bytes.LastIndexByte(in, ' ') == k+2 {
			return blank(end + 1)
		}
	case c == '#':
		if k := digits(b[1:]); k > 0 {
			return blank(1 + k)
		}
	case isDigit(c):
		if n := dateTime(b); n > 0 {
			return blank(n)
		}
		if n := clock(b); n > 0 {
			return blank(n)
		}
		// BuildKit elapsed seconds: "85.28 ".
		if k := digits(b); k <= 5 && k < len(b) && b[k] == '.' {
			if f := digits(b[k+1:]); f >= 1 && f <= 3 {
				return blank(k + 1 + f)
			}
		}
	}
	return 0
}

func lastSegment(raw []byte) []byte {
	for {
		i := bytes.LastIndexByte(raw, '\r')
		if i < 0 {
			return raw
		}
		if seg := raw[i+1:]; len(bytes.TrimSpace(seg)) > 0 {
			return seg
		}
		raw = raw[:i]
	}
}

// stripTimestamp removes a leading "YYYY-MM-DDTHH:MM:SS(.fraction)Z " prefix.
func stripTimestamp(b []byte) []byte {
	const layout = "0000-00-00T00:00:00"
	if len(b) < len(layout)+2 {
		return b
	}
	for i := 0; i < len(layout); i++ {
		c := b[i]
		if layout[i] == '0' {
			if c < '0' || c > '9' {
				return b
			}
		} else if c != layout[i] {
			return b
		}
	}
	i := len(layout)
	if b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i+1 < len(b) && b[i] == 'Z' && b[i+1] == ' ' {
		return b[i+2:]
	}
	if i+1 == len(b) && b[i] == 'Z' {
		return b[i+1:]
	}
	return b
}

// stripANSI appends raw to dst without ANSI escape sequences (CSI "ESC [ ...
// final", OSC "ESC ] ... BEL|ESC \" and two-byte escapes).
func stripANSI(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != 0x1b {
			dst = append(dst, c)
			continue
		}
		if i+1 >= len(raw) {
			break
		}
		switch raw[i+1] {
		case '[':
			j := i + 2
			for j < len(raw) && (raw[j] < 0x40 || raw[j] > 0x7e) {
				j++
			}
			i = j
		case ']':
			j := i + 2
			for j < len(raw) && raw[j] != 0x07 && !(raw[j] == 0x1b && j+1 < len(raw) && raw[j+1] == '\\') {
				j++
			}
			if j < len(raw) && raw[j] == 0x1b {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return dst
}
