package classify

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// Logs reach the classifier the way maintainers have them, not only as the
// UTF-8 text GitHub serves: saved from a browser or PowerShell as UTF-16,
// gzip'd by a CI system's artifact step, or written with classic Mac (CR)
// line ends by tools that redraw a terminal. DecodeLog turns each of these
// into the UTF-8, LF-terminated text the analyzer reads, and refuses what it
// cannot read with an error that says what the bytes are: a log that
// cannot be decoded must never read as "no failure found".

// sniffBytes is how much of a log DecodeLog looks at to recognise it.
const sniffBytes = 64 << 10

// maxDecodeLayers bounds nested compression (a gzip of a gzip).
const maxDecodeLayers = 3

// DecodeError reports a log that cannot be read as text: Format says what
// the bytes look like and Hint how to make them readable.
type DecodeError struct {
	Source string // the log, as the caller named it ("" when unknown)
	Format string
	Hint   string
}

func (e *DecodeError) Error() string {
	msg := e.Format + ", not a text log"
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	if e.Source != "" {
		return e.Source + ": " + msg
	}
	return msg
}

// magics are formats DecodeLog recognises but does not read.
var magics = []struct {
	prefix string
	offset int
	format string
	hint   string
}{
	{"\xfd7zXZ\x00", 0, "xz-compressed data", "decompress it first: xz -d"},
	{"\x28\xb5\x2f\xfd", 0, "zstd-compressed data", "decompress it first: zstd -d"},
	{"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive", "extract the logs first"},
	{"PK\x03\x04", 0, "a zip archive", "give the .zip file's path (its logs are read one by one) or extract it"},
	{"Rar!\x1a\x07", 0, "a RAR archive", "extract the logs first"},
	{"ustar", 257, "a tar archive", "extract the logs first: tar -xf"},
	{"\x89PNG\r\n\x1a\n", 0, "a PNG image", "give the job's log, not a screenshot"},
	{"%PDF-", 0, "a PDF document", "give the job's log as text"},
}

// DecodeLog returns a reader of the log text r holds, as UTF-8 with LF line
// ends, and the decoding steps it applied, outermost first ("gzip",
// "utf-16le", "cr-line-ends"; none for plain UTF-8). gzip and bzip2 are
// decompressed; UTF-16 with or without a byte order mark is transcoded; a
// log whose lines end in CR alone gets LF line ends (CR inside LF lines,
// as progress bars write it, is left for the line reader). Other
// compressed formats, archives and binary data give a *DecodeError.
func DecodeLog(r io.Reader) (io.Reader, []string, error) {
	var steps []string
	for range maxDecodeLayers {
		head, rest, err := sniff(r, sniffBytes)
		if err != nil {
			return nil, steps, err
		}
		switch {
		case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
			zr, err := gzip.NewReader(rest)
			if err != nil {
				return nil, steps, fmt.Errorf("failed to read gzip data: %w", err)
			}
			steps = append(steps, "gzip")
			r = zr
			continue
		case len(head) >= 10 && bytes.HasPrefix(head, []byte("BZh")) && head[3] >= '1' && head[3] <= '9' &&
			bytes.Equal(head[4:10], []byte("1AY&SY")):
			steps = append(steps, "bzip2")
			r = bzip2.NewReader(rest)
			continue
		}
		for _, m := range magics {
			if len(head) >= m.offset+len(m.prefix) && string(head[m.offset:m.offset+len(m.prefix)]) == m.prefix {
				return nil, steps, &DecodeError{Format: m.format, Hint: m.hint}
			}
		}
		if enc, bom := utf16Encoding(head); enc != "" {
			steps = append(steps, enc)
			rest = &utf16Reader{r: rest, be: enc == "utf-16be", skip: bom}
			if head, rest, err = sniff(rest, sniffBytes); err != nil {
				return nil, steps, err
			}
		} else if looksBinary(head) {
			return nil, steps, &DecodeError{Format: "binary data",
				Hint: "control bytes throughout; give the job's log as text, or gzip, bzip2 or UTF-16"}
		}
		if crLineEnds(head) {
			steps = append(steps, "cr-line-ends")
			rest = &crReader{r: rest}
		}
		return rest, steps, nil
	}
	return nil, steps, &DecodeError{Format: fmt.Sprintf("compressed more than %d times", maxDecodeLayers)}
}

// sniff reads up to n bytes of r and returns them with a reader of the whole
// stream (those bytes first).
func sniff(r io.Reader, n int) ([]byte, io.Reader, error) {
	head := make([]byte, n)
	k := 0
	for k < n {
		m, err := r.Read(head[k:])
		k += m
		if err == io.EOF {
			return head[:k], bytes.NewReader(head[:k]), nil
		}
		if err != nil {
			// io.ErrUnexpectedEOF too: a decompressor's word for a cut stream.
			return nil, nil, err
		}
	}
	return head, io.MultiReader(bytes.NewReader(head), r), nil
}

// utf16Encoding recognises UTF-16 by its byte order mark or, without one,
// by the zero high bytes of mostly-ASCII text: "utf-16le" or "utf-16be"
// (and whether a BOM is to be skipped), or "" for anything else.
func utf16Encoding(head []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return "utf-16le", true
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return "utf-16be", true
	}
	n := min(len(head), 4096) &^ 1
	if n < 8 {
		return "", false
	}
	var zeroEven, zeroOdd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			zeroEven++
		}
		if head[i+1] == 0 {
			zeroOdd++
		}
	}
	pairs := n / 2
	switch {
	case zeroOdd*10 >= pairs*7 && zeroEven*10 <= pairs:
		return "utf-16le", false
	case zeroEven*10 >= pairs*7 && zeroOdd*10 <= pairs:
		return "utf-16be", false
	}
	return "", false
}

// looksBinary reports text that is mostly control bytes: more than one in ten
// is NUL or a C0 control a log does not use.
func looksBinary(head []byte) bool {
	bad := 0
	for _, c := range head {
		if c == 0 || c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != '\b' && c != 0x1b && c != 0x07 || c == 0x7f {
			bad++
		}
	}
	return bad*10 > len(head)
}

// crLineEnds reports text whose lines end in CR alone: CRs and no LF at all
// in what was sniffed.
func crLineEnds(head []byte) bool {
	return bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0
}

// crReader turns CR line ends (and any CR LF pair) into LF.
type crReader struct {
	r      io.Reader
	lastCR bool
}

func (c *crReader) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		out := 0
		for _, b := range p[:n] {
			switch {
			case b == '\r':
				p[out] = '\n'
				out++
				c.lastCR = true
				continue
			case b == '\n' && c.lastCR:
			default:
				p[out] = b
				out++
			}
			c.lastCR = false
		}
		if out > 0 || err != nil {
			return out, err
		}
	}
}

// utf16Reader transcodes UTF-16 to UTF-8. Unpaired surrogates and a final
// odd byte become U+FFFD.
type utf16Reader struct {
	r    io.Reader
	be   bool
	skip bool   // a byte order mark to drop
	raw  []byte // read, not yet decoded (an odd byte or a high surrogate)
	buf  []byte
	out  []byte
	err  error
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		if u.buf == nil {
			u.buf = make([]byte, 32<<10)
		}
		k := copy(u.buf, u.raw)
		n, err := u.r.Read(u.buf[k:])
		u.raw = u.decode(u.buf[:k+n], err != nil)
		u.err = err
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// decode converts the complete code units of b into u.out and returns what
// is left (kept for the next read unless final).
func (u *utf16Reader) decode(b []byte, final bool) []byte {
	u.out = u.out[:0]
	unit := func(i int) uint16 {
		if u.be {
			return uint16(b[i])<<8 | uint16(b[i+1])
		}
		return uint16(b[i+1])<<8 | uint16(b[i])
	}
	i := 0
	for ; i+1 < len(b); i += 2 {
		c := unit(i)
		if u.skip {
			u.skip = false
			if c == 0xfeff {
				continue
			}
		}
		r := rune(c)
		if utf16.IsSurrogate(r) {
			if c >= 0xdc00 {
				r = utf8.RuneError
			} else if i+3 < len(b) {
				r = utf16.DecodeRune(r, rune(unit(i+2)))
				if r == utf8.RuneError {
					// An unpaired high surrogate; the next unit stands alone.
				} else {
					i += 2
				}
			} else if !final {
				break
			} else {
				r = utf8.RuneError
			}
		}
		u.out = utf8.AppendRune(u.out, r)
	}
	rest := b[i:]
	if final && len(rest) > 0 {
		u.out = utf8.AppendRune(u.out, utf8.RuneError)
		rest = nil
	}
	return append([]byte(nil), rest...)
}
