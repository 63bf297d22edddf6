package runner

import (
	"bytes"
	"strings"
	"testing"
)

// runnerWouldParseCommand reports whether the Actions runner would treat a
// stdout line as a workflow command: after trimming leading whitespace it
// starts with "::" (v2 syntax), or it contains "##[" (the v1 syntax).
func runnerWouldParseCommand(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " \t\v\f\u00a0\u2000\u2003\u3000"), "::") || strings.Contains(line, "##[")
}

// runnerLines splits stdout the way the runner reads it: at LF, CR and CRLF.
func runnerLines(s string) []string {
	return strings.FieldsFunc(strings.ReplaceAll(s, "\r\n", "\n"), func(r rune) bool { return r == '\n' || r == '\r' })
}

func unescapeLine(s string) string {
	return strings.NewReplacer("%3A", ":", "%5B", "[", "%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}

var nastyInputs = []string{
	"\n::error::x",
	"\r::add-mask::y",
	"\r\n::set-output name=x::y",
	"%0A::set-output name=x::y",
	"::stop-commands::abc",
	"   ::warning::indented",
	"\t::debug::tab",
	"text ::add-mask:: secret",
	"##[error]old syntax",
	"a\n##[set-output name=x;]y",
	":",
	"::",
	":::",
	"::::error::x",
	"%3A%3Aerror",
	"%",
	"%25",
	"\u2028::error::unicode-separator",
	"\x00::error::nul",
	"",
	"plain text",
	"https://example.com:8443/a?b=c#d",
}

func TestEscapeLine(t *testing.T) {
	t.Parallel()
	for _, in := range nastyInputs {
		got := EscapeLine(in)
		if strings.ContainsAny(got, "\r\n") {
			t.Errorf("EscapeLine(%q) = %q contains a line break", in, got)
		}
		if strings.Contains(got, "::") || strings.Contains(got, "##[") {
			t.Errorf("EscapeLine(%q) = %q still contains a command marker", in, got)
		}
		for _, prefix := range []string{"", " ", ":", "::", "x"} {
			line := prefix + got
			if prefix != "::" && runnerWouldParseCommand(guard(line)) {
				t.Errorf("guard(%q+EscapeLine(%q)) = %q would be a command", prefix, in, guard(line))
			}
		}
		if back := unescapeLine(got); back != in {
			t.Errorf("unescape(EscapeLine(%q)) = %q, not reversible", in, back)
		}
	}
	exact := map[string]string{
		"\n::error::x":   "%0A:%3Aerror:%3Ax",
		"%0A::x":         "%250A:%3Ax",
		"##[group]a":     "##%5Bgroup]a",
		"std::string":    "std:%3Astring",
		"plain: text, 5": "plain: text, 5",
	}
	for in, want := range exact {
		if got := EscapeLine(in); got != want {
			t.Errorf("EscapeLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInfofNeverEmitsCommands(t *testing.T) {
	t.Parallel()
	formats := []string{"%s", " %s", ":%s", "%s:", "%s%s", "%v", "%q", "%10s", "found %s in %s", "%-5s|"}
	for _, format := range formats {
		for _, a := range nastyInputs {
			for _, b := range []string{":", ":error::x", "\n::x"} {
				var out bytes.Buffer
				r, err := Load(Spec{}, WithStdout(&out))
				if err != nil {
					t.Fatal(err)
				}
				args := []any{a, b}
				r.Infof(format, args[:strings.Count(format, "%")]...)
				for _, line := range runnerLines(out.String()) {
					if runnerWouldParseCommand(line) {
						t.Errorf("Infof(%q, %q, %q) printed command line %q", format, a, b, line)
					}
				}
				if got := strings.Count(out.String(), "\n"); got != 1 || strings.Contains(out.String(), "\r") {
					t.Errorf("Infof(%q, %q) printed %d lines: %q", format, a, got, out.String())
				}
			}
		}
	}
}

func TestInfofKeepsVerbsAndRedactsSecrets(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r, err := Load(Spec{Inputs: []Input{TokenInput()}}, WithStdout(&out), WithGetenv(fakeEnv(map[string]string{"GITHUB_TOKEN": "ghp_SECRET"})))
	if err != nil {
		t.Fatal(err)
	}
	r.Infof("%d repos, %.1f%%, %q, %v", 3, 99.5, "a\nb", []string{"x"})
	r.Infof("token %s leaked", "Bearer ghp_SECRET")
	r.Infof("multi\nline %s", "::x")
	want := "3 repos, 99.5%, \"a\\nb\", [x]\ntoken Bearer [redacted: masked value] leaked\nmulti\nline :%3Ax\n"
	if out.String() != want {
		t.Errorf("stdout = %q, want %q", out.String(), want)
	}
}

func TestDebugf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "off", env: map[string]string{}, want: ""},
		{name: "log_level_debug", env: map[string]string{"LOG_LEVEL": "debug"}, want: "debug: x :%3Ay\n"},
		{name: "log_level_input", env: map[string]string{"INPUT_LOG_LEVEL": "DEBUG"}, want: "debug: x :%3Ay\n"},
		{name: "runner_debug_under_actions", env: map[string]string{"RUNNER_DEBUG": "1", "GITHUB_ACTIONS": "true"}, want: "::debug::x ::y%0Az\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			spec := Spec{}
			if tc.name == "log_level_input" {
				spec.Inputs = []Input{LogLevelInput()}
			}
			r, err := Load(spec, WithStdout(&out), WithGetenv(fakeEnv(tc.env)))
			if err != nil {
				t.Fatal(err)
			}
			arg := "::y"
			if tc.name == "runner_debug_under_actions" {
				arg = "::y\nz"
			}
			r.Debugf("x %s", arg)
			if out.String() != tc.want {
				t.Errorf("stdout = %q, want %q", out.String(), tc.want)
			}
		})
	}
}

func TestGroup(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r, err := Load(Spec{}, WithStdout(&out))
	if err != nil {
		t.Fatal(err)
	}
	end := r.Group("Repos\n::error::x")
	r.Infof("inside")
	end()
	end()
	want := "::group::Repos%0A::error::x\ninside\n::endgroup::\n"
	if out.String() != want {
		t.Errorf("stdout = %q, want %q", out.String(), want)
	}
}

func TestAnnotations(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r, err := Load(Spec{}, WithStdout(&out), WithSummaryPath(""))
	if err != nil {
		t.Fatal(err)
	}
	r.Errorf(Annotation{Title: "Bad: a, b", File: "dir/a,b.go", Line: 3, Col: 2}, "broke %s", "at\n50%")
	r.Warningf(Annotation{}, "plain")
	r.Noticef(Annotation{Title: "t", Line: 4}, "no file so no line")
	want := "::error col=2,file=dir/a%2Cb.go,line=3,title=Bad%3A a%2C b::broke at%0A50%25\n" +
		"::warning::plain\n" +
		"::notice title=t::no file so no line\n"
	if out.String() != want {
		t.Errorf("stdout = %q, want %q", out.String(), want)
	}
}

func TestAnnotationCaps(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r, err := Load(Spec{}, WithStdout(&out), WithAnnotationLimits(AnnotationLimits{Errors: 2, Warnings: 1, Notices: 5, Total: 4}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		r.Errorf(Annotation{File: "f.go", Line: i + 1}, "e%d", i)
	}
	r.Warningf(Annotation{}, "w0")
	r.Warningf(Annotation{Title: "T|x"}, "w1 @octocat <b>")
	r.Noticef(Annotation{}, "n0")
	r.Noticef(Annotation{}, "n1")
	wantOut := "::error file=f.go,line=1::e0\n" +
		"::error file=f.go,line=2::e1\n" +
		"error (over the annotation limit, listed in the job summary): f.go:3: e2\n" +
		"::warning::w0\n" +
		"warning (over the annotation limit, listed in the job summary): T|x: w1 @octocat <b>\n" +
		"::notice::n0\n" +
		"notice (over the annotation limit, listed in the job summary): n1\n"
	if out.String() != wantOut {
		t.Errorf("stdout = %q, want %q", out.String(), wantOut)
	}
	wantSummary := "\n### More findings\n\n3 more annotations exceeded GitHub's limits (2 errors, 1 warnings, 5 notices per step; 4 per job):\n\n" +
		"- **error** `f.go:3`: e2\n" +
		"- **warning** T\\|x: w1 @\u200doctocat &lt;b&gt;\n" +
		"- **notice**: n1\n"
	if got := r.Summary(); got != wantSummary {
		t.Errorf("Summary() = %q, want %q", got, wantSummary)
	}
}

func TestDefaultAnnotationCaps(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r, err := Load(Spec{}, WithStdout(&out))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 15 {
		r.Errorf(Annotation{}, "e%d", i)
		r.Warningf(Annotation{}, "w%d", i)
		r.Noticef(Annotation{}, "n%d", i)
	}
	for _, level := range []string{"error", "warning", "notice"} {
		if got := strings.Count(out.String(), "::"+level+"::"); got != 10 {
			t.Errorf("%d %s annotations, want 10", got, level)
		}
	}
	if got := strings.Count(r.Summary(), "\n- **"); got != 15 {
		t.Errorf("%d findings in the summary, want 15", got)
	}
}
