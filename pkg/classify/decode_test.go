package classify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// The files in testdata/encoded were written by the real tools from
// testdata/fixer/corpus/conan/conan2-missing-prebuilt-openssl.log:
// gzip -9 -n, bzip2 -9, xz, zstd, iconv -t UTF-16LE / UTF-16BE (with a
// BOM printed in front for the -bom file), tr '\n' '\r' (CR line ends),
// Python's zipfile, and the head of /usr/bin/ls (binary.log).
const encodedDir = "testdata/encoded"

// TestAnalyzeEncodedLogs gives the analyzer the same log stored the ways
// maintainers have it: each decodable one must give the plain log's
// analysis, each other one an error naming the file and what it is.
func TestAnalyzeEncodedLogs(t *testing.T) {
	t.Parallel()
	a := testAnalyzer(t)
	plain := analyzeFile(t, a, filepath.Join(corpusDir, "conan/conan2-missing-prebuilt-openssl.log"))
	tests := []struct {
		file  string
		steps []string
		err   string
	}{
		{file: "conan2-missing-prebuilt.log.gz", steps: []string{"gzip"}},
		{file: "conan2-missing-prebuilt.log.bz2", steps: []string{"bzip2"}},
		{file: "conan2-missing-prebuilt.utf16le-bom.log", steps: []string{"utf-16le"}},
		{file: "conan2-missing-prebuilt.utf16le.log", steps: []string{"utf-16le"}},
		{file: "conan2-missing-prebuilt.utf16be.log", steps: []string{"utf-16be"}},
		{file: "conan2-missing-prebuilt.utf16le.log.gz", steps: []string{"gzip", "utf-16le"}},
		{file: "conan2-missing-prebuilt.cr.log", steps: []string{"cr-line-ends"}},
		{file: "conan2-missing-prebuilt.log.xz", err: "conan2-missing-prebuilt.log.xz: xz-compressed data, not a text log (decompress it first: xz -d)"},
		{file: "conan2-missing-prebuilt.log.zst", err: "conan2-missing-prebuilt.log.zst: zstd-compressed data, not a text log"},
		{file: "logs.zip", err: "logs.zip: a zip archive, not a text log"},
		{file: "binary.log", err: "binary.log: binary data, not a text log"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(encodedDir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, steps, derr := DecodeLog(bytes.NewReader(data))
			// One byte per read: decoders must not depend on how reads fall.
			res, err := a.Analyze(context.Background(), iotest.OneByteReader(bytes.NewReader(data)), tt.file)
			if tt.err != "" {
				var de *DecodeError
				if err == nil || !errors.As(err, &de) || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("Analyze error = %v, want a *DecodeError starting %q", err, tt.err)
				}
				if derr == nil {
					t.Errorf("DecodeLog accepted %s", tt.file)
				}
				return
			}
			if err != nil || derr != nil {
				t.Fatalf("Analyze error = %v, DecodeLog error = %v", err, derr)
			}
			if diff := cmp.Diff(tt.steps, steps); diff != "" {
				t.Errorf("decoding steps (-want +got):\n%s", diff)
			}
			got, want := res.RootCause(), plain.RootCause()
			if got == nil || got.RuleID != want.RuleID || got.Line != want.Line || got.Text != want.Text {
				t.Fatalf("root cause = %+v, want %s at line %d: %q", got, want.RuleID, want.Line, want.Text)
			}
			if res.Lines != plain.Lines || len(res.Findings) != len(plain.Findings) {
				t.Errorf("%d lines and %d findings, want %d and %d", res.Lines, len(res.Findings), plain.Lines, len(plain.Findings))
			}
		})
	}
}

func TestDecodeLog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		want  string
		steps []string
	}{
		{"plain_utf8_untouched", "a\r\nb\n\xef\xbb\xbfc", "a\r\nb\n\xef\xbb\xbfc", nil},
		{"latin1_bytes_are_text", "caf\xe9 error\n", "caf\xe9 error\n", nil},
		{"progress_cr_inside_lf_lines_kept", "10%\r50%\r100%\nnext\n", "10%\r50%\r100%\nnext\n", nil},
		{"cr_only", "one\rtwo\r\rfour", "one\ntwo\n\nfour", []string{"cr-line-ends"}},
		{"utf16le_surrogate_pair", "\xff\xfeh\x00i\x00 \x00\x3d\xd8\x00\xde\n\x00", "hi \U0001F600\n", []string{"utf-16le"}},
		{"utf16be_no_bom", "\x00e\x00r\x00r\x00o\x00r\x00:\x00 \x00x\x00\n", "error: x\n", []string{"utf-16be"}},
		{"utf16le_unpaired_and_odd", "\xff\xfea\x00\x00\xd8b\x00c", "a\ufffdb\ufffd", []string{"utf-16le"}},
		{"utf16le_crlf_stays_crlf", "\xff\xfea\x00\r\x00\n\x00b\x00\r\x00\n\x00", "a\r\nb\r\n", []string{"utf-16le"}},
		{"empty", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, steps, err := DecodeLog(iotest.HalfReader(strings.NewReader(tt.in)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("decoded %q, want %q", got, tt.want)
			}
			if diff := cmp.Diff(tt.steps, steps); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeLogReadError passes a read error through, not an empty log.
func TestDecodeLogReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	_, err := testAnalyzer(t).Analyze(context.Background(), iotest.ErrReader(boom), "job 42")
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "job 42") {
		t.Errorf("Analyze error = %v, want it to wrap %v and name the log", err, boom)
	}
	var gz bytes.Buffer
	gz.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3}) // a gzip header and a cut body
	_, err = testAnalyzer(t).Analyze(context.Background(), &gz, "cut.log.gz")
	if err == nil || !strings.Contains(err.Error(), "cut.log.gz") {
		t.Errorf("Analyze error on a cut gzip stream = %v, want an error naming the file", err)
	}
}
