package runner

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseFileCommands parses a GITHUB_OUTPUT file the way the Actions runner
// does (FileCommandManager, NOTES §8.7): lines split at LF only; empty lines
// skipped; NAME=VALUE when '=' comes before any "<<", else NAME<<DELIM and
// the value is every following line up to the first line equal to DELIM,
// without the line break before it; a missing delimiter, an empty name or
// delimiter, or a line of neither form is an error.
func parseFileCommands(text string) (map[string]string, error) {
	out := map[string]string{}
	pos := 0
	readLine := func() (string, bool) {
		if pos >= len(text) {
			return "", false
		}
		i := strings.IndexByte(text[pos:], '\n')
		if i < 0 {
			line := text[pos:]
			pos = len(text)
			return line, true
		}
		line := text[pos : pos+i]
		pos += i + 1
		return line, true
	}
	for {
		line, ok := readLine()
		if !ok {
			return out, nil
		}
		if line == "" {
			continue
		}
		eq := strings.Index(line, "=")
		hd := strings.Index(line, "<<")
		switch {
		case eq >= 0 && (hd < 0 || eq < hd):
			out[line[:eq]] = line[eq+1:]
		case hd >= 0:
			name, delim := line[:hd], line[hd+2:]
			if name == "" || delim == "" {
				return nil, fmt.Errorf("invalid format %q: name must not be empty and delimiter must not be empty", line)
			}
			start := pos
			found := false
			for {
				lineStart := pos
				l, ok := readLine()
				if !ok {
					break
				}
				if l == delim {
					end := lineStart - 1 // the line break before the delimiter is not part of the value
					if end < start {
						end = start
					}
					out[name] = text[start:end]
					found = true
					break
				}
				if pos == len(text) && !strings.HasSuffix(text, "\n") {
					return nil, errors.New("EOF marker missing new line")
				}
			}
			if !found {
				return nil, fmt.Errorf("matching delimiter not found %q", delim)
			}
		default:
			return nil, fmt.Errorf("invalid format %q", line)
		}
	}
}

func TestParseFileCommandsMatchesRunnerRules(t *testing.T) {
	t.Parallel()
	got, err := parseFileCommands("a=1=2\n\nb<<EOF\nx\ny\nEOF\nempty<<D\nD\nlast<<Z\nv\nZ")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"a": "1=2", "b": "x\ny", "empty": "", "last": "v"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"noform\n", "x<<EOF\nv\n", "<<EOF\nEOF\n", "x<<\n\n", "x<<EOF\nvalueEOF"} {
		if _, err := parseFileCommands(bad); err == nil {
			t.Errorf("parseFileCommands(%q) error = nil", bad)
		}
	}
}

func TestSetOutputExactBytes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "set_output_1")
	r, err := Load(Spec{}, WithGetenv(fakeEnv(map[string]string{"GITHUB_OUTPUT": path})), WithRandom(bytes.NewReader(bytes.Repeat([]byte{0xab}, 64))))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SetOutput("count", "3"); err != nil {
		t.Fatal(err)
	}
	if err := r.SetOutput("empty", ""); err != nil {
		t.Fatal(err)
	}
	d := "ghadelimiter_" + strings.Repeat("ab", 16)
	want := "count<<" + d + "\n3\n" + d + "\nempty<<" + d + "\n" + d + "\n"
	got, _ := os.ReadFile(path)
	if string(got) != want {
		t.Errorf("GITHUB_OUTPUT = %q, want %q", got, want)
	}
}

func TestSetOutputRoundTrip(t *testing.T) {
	t.Parallel()
	values := map[string]string{
		"json":           `{"summary":"line1\nline2","items":[1,2],"html":"<b>&</b>"}`,
		"multi":          "first\nsecond\n\nfourth",
		"trailing_nl":    "ends with newline\n",
		"leading_nl":     "\nstarts with newline",
		"only_nl":        "\n",
		"empty":          "",
		"eq_and_heredoc": "a=b<<c",
		"fake_delimiter": "x\nghadelimiter_abababababababababababababababab\nEOF\n_GitHubActionsFileCommandDelimeter_\ny",
		"crlf":           "a\r\nb\r",
		"unicode":        "žluťoučký kůň 🐎",
	}
	path := filepath.Join(t.TempDir(), "set_output_2")
	// A random source that first yields the delimiter present in one value,
	// so SetOutput must detect the collision and draw again.
	rnd := newMultiReader(bytes.Repeat([]byte{0xab}, 16), bytes.Repeat([]byte{0x01}, 16*64))
	r, err := Load(Spec{}, WithGetenv(fakeEnv(map[string]string{"GITHUB_OUTPUT": path})), WithRandom(rnd))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fake_delimiter", "json", "multi", "trailing_nl", "leading_nl", "only_nl", "empty", "eq_and_heredoc", "crlf", "unicode"} {
		if err := r.SetOutput(name, values[name]); err != nil {
			t.Fatalf("SetOutput(%s) error = %v", name, err)
		}
	}
	if err := r.SetJSONOutput("structured", map[string]any{"text": "a\nb", "n": 1}); err != nil {
		t.Fatal(err)
	}
	values["structured"] = `{"n":1,"text":"a\nb"}`
	data, _ := os.ReadFile(path)
	got, err := parseFileCommands(string(data))
	if err != nil {
		t.Fatalf("runner would reject GITHUB_OUTPUT: %v\n%s", err, data)
	}
	if diff := cmp.Diff(values, got); diff != "" {
		t.Errorf("outputs do not round-trip (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(values, r.Outputs()); diff != "" {
		t.Errorf("Outputs() (-want +got):\n%s", diff)
	}
}

type multiReader struct{ parts [][]byte }

func (m *multiReader) Read(p []byte) (int, error) {
	for len(m.parts) > 0 && len(m.parts[0]) == 0 {
		m.parts = m.parts[1:]
	}
	if len(m.parts) == 0 {
		return 0, errors.New("exhausted")
	}
	n := copy(p, m.parts[0])
	m.parts[0] = m.parts[0][n:]
	return n, nil
}

func newMultiReader(parts ...[]byte) *multiReader { return &multiReader{parts: parts} }

func TestSetOutputErrors(t *testing.T) {
	t.Parallel()
	r, err := Load(Spec{}, WithGetenv(fakeEnv(map[string]string{"GITHUB_OUTPUT": filepath.Join(t.TempDir(), "missing-dir", "x")})))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", "a=b", "a<<b", "a\nb", "1st", "a b"} {
		if err := r.SetOutput(name, "v"); err == nil {
			t.Errorf("SetOutput(%q) error = nil, want invalid name", name)
		}
	}
	if err := r.SetOutput("ok", "v"); err == nil || !strings.HasPrefix(err.Error(), "failed to set output ok: ") {
		t.Errorf("SetOutput to a missing directory error = %v", err)
	}
	if err := r.SetJSONOutput("ch", make(chan int)); err == nil {
		t.Error("SetJSONOutput(chan) error = nil")
	}
}

func TestSetOutputCommandLine(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r, err := Load(Spec{Inputs: []Input{TokenInput()}}, WithStdout(&out), WithGetenv(fakeEnv(map[string]string{"GITHUB_TOKEN": "tok123"})))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SetOutput("report", "a\n::error::x tok123"); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "output report=a%0A:%3Aerror:%3Ax [redacted: masked value]\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}
