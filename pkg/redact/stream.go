package redact

import (
	"bytes"
	"io"
)

// Stream redacts text that arrives one line at a time. It remembers when
// a line opened a private key block, so the lines that follow, up to the
// END line, are replaced too. For any text, feeding its lines to one
// Stream gives the lines of String(text). A Stream is not safe for
// concurrent use (its Redactor is); use one per input.
type Stream struct {
	r     *Redactor
	inKey bool
}

// Stream returns a line-by-line redactor using r's rules and values.
func (r *Redactor) Stream() *Stream { return &Stream{r: r} }

// Line redacts one line, given without its "\n" (a trailing "\r" is kept).
func (s *Stream) Line(line string) string {
	out, inKey := s.r.redact(line, s.inKey)
	s.inKey = inKey
	return out
}

// InPrivateKey reports whether the last line left the stream inside a
// private key block (its END line has not come yet).
func (s *Stream) InPrivateKey() bool { return s.inKey }

// MaxLineBytes bounds the line a Writer holds. A longer line is redacted in
// pieces cut after a space (secrets hold none, apart from header
// credentials), or at the bound when it has no space.
const MaxLineBytes = 1 << 20

// Writer redacts what is written through it, line by line, before it
// reaches the underlying writer. It holds back an incomplete last line
// until its "\n" arrives or Close is called, so a secret split across
// writes is still found. A Writer is not safe for concurrent use.
type Writer struct {
	w   io.Writer
	s   *Stream
	buf []byte
	err error
}

// Writer returns a Writer that redacts into w.
func (r *Redactor) Writer(w io.Writer) *Writer { return &Writer{w: w, s: r.Stream()} }

// Write redacts and forwards every complete line of p. It reports len(p)
// unless the underlying writer failed; an error is sticky.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := len(p)
	if last := bytes.LastIndexByte(p, '\n'); last >= 0 {
		// All complete lines at once: redacting a block of lines gives
		// the same text as redacting them one by one (see Stream).
		var block string
		if len(w.buf) > 0 {
			w.buf = append(w.buf, p[:last+1]...)
			block = string(w.buf)
			w.buf = w.buf[:0]
		} else {
			block = string(p[:last+1])
		}
		if err := w.emit(block); err != nil {
			return 0, err
		}
		p = p[last+1:]
	}
	w.buf = append(w.buf, p...)
	for len(w.buf) > MaxLineBytes {
		cut := bytes.LastIndexByte(w.buf[:MaxLineBytes], ' ') + 1
		if cut <= 0 {
			cut = MaxLineBytes
		}
		if err := w.emit(string(w.buf[:cut])); err != nil {
			return 0, err
		}
		w.buf = append(w.buf[:0], w.buf[cut:]...)
	}
	return n, nil
}

func (w *Writer) emit(text string) error {
	out, inKey := w.s.r.redact(text, w.s.inKey)
	w.s.inKey = inKey
	if _, err := io.WriteString(w.w, out); err != nil {
		w.err = err
		return err
	}
	return nil
}

// Close redacts and forwards the last, incomplete line. It does not close
// the underlying writer. Writing after Close starts a new line.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	err := w.emit(string(w.buf))
	w.buf = w.buf[:0]
	return err
}
