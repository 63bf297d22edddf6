package classify

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readAll(t testing.TB, r io.Reader, opts ...ReadOption) []Line {
	t.Helper()
	lr := NewLogReader(r, opts...)
	var lines []Line
	for lr.Next() {
		lines = append(lines, lr.Line())
	}
	if err := lr.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	return lines
}

func TestLogReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		opts []ReadOption
		want []Line
	}{
		{
			name: "timestamps_groups_and_errors",
			in: "\xef\xbb\xbf2026-11-19T02:13:44.1234567Z ##[group]Run make -j4\n" +
				"2026-11-19T02:13:44.1234567Z make -j4\n" +
				"2026-11-19T02:13:44.2Z ##[endgroup]\n" +
				"2026-11-19T02:13:45Z cc1plus: fatal error\n" +
				"2026-11-19T02:13:46.0000000Z ##[error]Process completed with exit code 2.\n",
			want: []Line{
				{Num: 1, Text: "##[group]Run make -j4", Group: "Run make -j4", Step: "Run make -j4", Marker: "group"},
				{Num: 2, Text: "make -j4", Group: "Run make -j4", Step: "Run make -j4"},
				{Num: 3, Text: "##[endgroup]", Step: "Run make -j4", Marker: "endgroup"},
				{Num: 4, Text: "cc1plus: fatal error", Step: "Run make -j4"},
				{Num: 5, Text: "##[error]Process completed with exit code 2.", Step: "Run make -j4", Error: true, Marker: "error"},
			},
		},
		{
			name: "crlf_and_ansi",
			in:   "2026-11-19T02:13:44.1234567Z \x1b[31;1merror:\x1b[0m bad\r\n\x1b]8;;http://x\x07link\x1b]8;;\x07\r\nplain",
			want: []Line{
				{Num: 1, Text: "error: bad"},
				{Num: 2, Text: "link"},
				{Num: 3, Text: "plain"},
			},
		},
		{
			name: "progress_carriage_returns_keep_last_segment",
			in:   "2026-11-19T02:13:44Z 10%\r50%\r100% done\r\n",
			want: []Line{{Num: 1, Text: "100% done"}},
		},
		{
			// Other CI systems' and pasting's decorations are not the
			// tool's text; numbers that are the text stay.
			name: "line_decorations_removed",
			in: "2026-11-19 02:13:44 something\n" +
				"> > ERROR: quoted twice\n" +
				"[2022-02-09T16:36:30.797Z] [ERROR] jenkins timestamper\n" +
				"00:19:09  [WARNING] jenkins elapsed\n" +
				"#55 ERROR: buildkit step\n" +
				"#8 12.07 npm ERR! buildkit step and seconds\n" +
				"85.28 error[E0308]: mismatched types\n" +
				"\u2502 Error: terraform box\n" +
				"remote: W: Failed to fetch\n" +
				"[deploy-web : run-kubectl] Error from server (Forbidden)\n" +
				"  \t indented\n" +
				"\x1b[36m> \x1b[0mcoloured quote\n" +
				"12.5% done\n" +
				"3 errors\n" +
				"[ 42%] Building CXX object\n" +
				"#include <x.h>\n",
			want: []Line{
				{Num: 1, Text: "something"},
				{Num: 2, Text: "ERROR: quoted twice"},
				{Num: 3, Text: "[ERROR] jenkins timestamper"},
				{Num: 4, Text: "[WARNING] jenkins elapsed"},
				{Num: 5, Text: "ERROR: buildkit step"},
				{Num: 6, Text: "npm ERR! buildkit step and seconds"},
				{Num: 7, Text: "error[E0308]: mismatched types"},
				{Num: 8, Text: "Error: terraform box"},
				{Num: 9, Text: "W: Failed to fetch"},
				{Num: 10, Text: "Error from server (Forbidden)"},
				{Num: 11, Text: "indented"},
				{Num: 12, Text: "coloured quote"},
				{Num: 13, Text: "12.5% done"},
				{Num: 14, Text: "3 errors"},
				{Num: 15, Text: "[ 42%] Building CXX object"},
				{Num: 16, Text: "#include <x.h>"},
			},
		},
		{
			name: "long_line_cut_into_segments",
			in:   strings.Repeat("x", 70) + "\nnext\n",
			opts: []ReadOption{WithMaxLineBytes(32)},
			want: []Line{
				{Num: 1, Text: strings.Repeat("x", 32)},
				{Num: 1, Text: strings.Repeat("x", 32), Continued: true},
				{Num: 1, Text: "xxxxxx", Continued: true},
				{Num: 2, Text: "next"},
			},
		},
		{
			// A cut falls after the last blank of the segment's last
			// eighth, so words stay whole; a marker-looking continuation
			// is not a marker.
			name: "long_line_cut_at_a_blank",
			in:   strings.Repeat("a", 28) + " bcdefghij##[error]x\n",
			opts: []ReadOption{WithMaxLineBytes(32)},
			want: []Line{
				{Num: 1, Text: strings.Repeat("a", 28) + " "},
				{Num: 1, Text: "bcdefghij##[error]x", Continued: true},
			},
		},
		{
			name: "line_of_exactly_the_limit_is_whole",
			in:   strings.Repeat("y", 32) + "\n" + strings.Repeat("z", 32),
			opts: []ReadOption{WithMaxLineBytes(32)},
			want: []Line{{Num: 1, Text: strings.Repeat("y", 32)}, {Num: 2, Text: strings.Repeat("z", 32)}},
		},
		{
			name: "empty_lines_keep_numbers",
			in:   "\n\nthird\n",
			want: []Line{{Num: 1}, {Num: 2}, {Num: 3, Text: "third"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := readAll(t, strings.NewReader(tt.in), tt.opts...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLogReaderFlatMemory reads a log with one 8 MiB line through a 1 KiB
// limit: the reader must not buffer the whole line, and must read all of
// it (the error at its end included).
func TestLogReaderFlatMemory(t *testing.T) {
	t.Parallel()
	r := io.MultiReader(strings.NewReader("a\n"), io.LimitReader(repeatReader('z'), 8<<20),
		strings.NewReader(" error: at the end\nb\n"))
	lr := NewLogReader(r, WithMaxLineBytes(1024))
	var got []Line
	segments := 0
	for lr.Next() {
		l := lr.Line()
		if l.Num == 2 {
			segments++
			if !strings.Contains(l.Text, "error") {
				continue
			}
			l.Text = strings.TrimLeft(l.Text, "z")
		}
		got = append(got, l)
	}
	if lr.Err() != nil {
		t.Fatal(lr.Err())
	}
	want := []Line{{Num: 1, Text: "a"}, {Num: 2, Text: "error: at the end", Continued: true}, {Num: 3, Text: "b"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if want := 8<<20/1024 + 1; segments != want {
		t.Errorf("line 2 read in %d segments, want %d", segments, want)
	}
	if n := lr.br.Size(); n > 4096 {
		t.Errorf("buffer grew to %d bytes", n)
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func FuzzReadLog(f *testing.F) {
	f.Add([]byte("2026-11-19T02:13:44.1234567Z ##[group]Run x\n##[endgroup]\r\n\x1b[31merror\x1b[0m\n##[error]boom"), 64)
	f.Add([]byte("\xef\xbb\xbf\r\r\n\x1b]\x1b[\n"), 8)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		max = int(uint(max)%512) + 1
		lr := NewLogReader(bytes.NewReader(data), WithMaxLineBytes(max))
		dr, _, derr := DecodeLog(bytes.NewReader(data))
		if derr != nil {
			if lr.Next() || lr.Err() == nil || lr.Err().Error() != derr.Error() {
				t.Fatalf("undecodable log: Err() = %v, want %v", lr.Err(), derr)
			}
			return
		}
		if data, derr = io.ReadAll(dr); derr != nil {
			t.Fatal(derr)
		}
		n := 0
		for lr.Next() {
			l := lr.Line()
			if !l.Continued {
				n++
			}
			if l.Num != n {
				t.Fatalf("line number %d, want %d", l.Num, n)
			}
			if len(l.Text) > max {
				t.Fatalf("line %d has %d bytes, limit %d", n, len(l.Text), max)
			}
			if strings.ContainsAny(l.Text, "\r\n\x1b") {
				t.Fatalf("line %d keeps CR, LF or ESC: %q", n, l.Text)
			}
		}
		if lr.Err() != nil {
			t.Fatal(lr.Err())
		}
		wantLines := bytes.Count(data, []byte{'\n'})
		if len(data) > 0 && data[len(data)-1] != '\n' {
			wantLines++
		}
		if n != wantLines {
			t.Fatalf("read %d lines, want %d", n, wantLines)
		}
	})
}
