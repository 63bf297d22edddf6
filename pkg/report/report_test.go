package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestMarkdown(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{name: "plain", in: "Fix flaky test in ci", want: "Fix flaky test in ci"},
		{name: "script_tag", in: "<script>alert(1)</script>", want: "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"},
		{name: "pipe", in: "a | b", want: "a \\| b"},
		{name: "backticks", in: "use `rm -rf`", want: "use \\`rm -rf\\`"},
		{name: "mention", in: "cc @octocat please", want: "cc @\u200doctocat please"},
		{name: "team_mention", in: "@org/team review", want: "@\u200dorg/team review"},
		{name: "email_stays_readable", in: "mail a@b.com", want: "mail a@b.com"},
		{name: "javascript_link", in: "[link](javascript:x)", want: "\\[link\\]\\(javascript:x\\)"},
		{name: "image", in: "![x](http://t/p.png)", want: "\\!\\[x\\]\\(http://t/p.png\\)"},
		{name: "newlines_flattened", in: "a\nb\r\nc\rd", want: "a b c d"},
		{name: "heading_and_list_at_start", in: "# title", want: "\\# title"},
		{name: "leading_dash", in: "- item", want: "\\- item"},
		{name: "inner_dash_kept", in: "a-b", want: "a-b"},
		{name: "ordered_list_at_start", in: "1. step", want: "1\\. step"},
		{name: "version_kept", in: "v1.2.3 and 2.0", want: "v1.2.3 and 2.0"},
		{name: "emphasis", in: "*bold* _it_ ~~s~~", want: "\\*bold\\* \\_it\\_ \\~\\~s\\~\\~"},
		{name: "entity", in: "&lt; & \"q\"", want: "&amp;lt; &amp; &quot;q&quot;"},
		{name: "backslash", in: `C:\path\`, want: `C:\\path\\`},
		{name: "html_comment", in: "<!-- hide -->", want: "&lt;\\!-- hide --&gt;"},
		{name: "unicode_kept", in: "žluťoučký 🐎", want: "žluťoučký 🐎"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Markdown(tc.in); got != tc.want {
				t.Errorf("Markdown(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNeutralizeMentions(t *testing.T) {
	t.Parallel()
	zwj := MentionBreaker
	cases := []struct {
		name, in string
		allowed  []string
		want     string
	}{
		{name: "user", in: "@octocat", want: "@" + zwj + "octocat"},
		{name: "in_parens", in: "(@octocat)", want: "(@" + zwj + "octocat)"},
		{name: "team", in: "ping @sparesparrow/maintainers", want: "ping @" + zwj + "sparesparrow/maintainers"},
		{name: "email", in: "a@b.com and x.y@z.org", want: "a@b.com and x.y@z.org"},
		{name: "bare_at", in: "@ and @@ and @-x", want: "@ and @@ and @-x"},
		{name: "allowed_login_stays_live", in: "@octocat @other", allowed: []string{"OctoCat"}, want: "@octocat @" + zwj + "other"},
		{name: "allowed_team", in: "@org/team @org/other", allowed: []string{"@org/team"}, want: "@org/team @" + zwj + "org/other"},
		{name: "bot", in: "@dependabot[bot]", want: "@" + zwj + "dependabot[bot]"},
		{name: "after_unicode_letter", in: "é@octocat", want: "é@octocat"},
		{name: "no_at", in: "nothing here", want: "nothing here"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := NeutralizeMentions(tc.in, tc.allowed); got != tc.want {
				t.Errorf("NeutralizeMentions(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestHTML(t *testing.T) {
	t.Parallel()
	got := HTML(`<img src=x onerror="alert('@octocat')">&`)
	want := "&lt;img src=x onerror=&#34;alert(&#39;@\u200doctocat&#39;)&#34;&gt;&amp;"
	if got != want {
		t.Errorf("HTML() = %q, want %q", got, want)
	}
}

func TestCode(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"main.go":      "`main.go`",
		"a`b":          "``a`b``",
		"`start":       "`` `start ``",
		"x``y`":        "``` x``y` ```",
		"a\nb":         "`a b`",
		"":             "` `",
		" padded ":     "`  padded  `",
		"<b>@octocat|": "`<b>@octocat|`",
	}
	for in, want := range cases {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTableMarkdown(t *testing.T) {
	t.Parallel()
	tbl := Table{
		Header: []string{"Repo", "Title"},
		Rows: [][]string{
			{"a", Markdown("fix | pipe")},
			{"b", "raw | pipe\nsecond line"},
			{Code("x|y"), "escaped \\| already"},
			{"short"},
			{"c", "d", "extra"},
		},
	}
	want := "| Repo | Title | |\n" +
		"| --- | --- | --- |\n" +
		"| a | fix \\| pipe | |\n" +
		"| b | raw \\| pipe<br>second line | |\n" +
		"| `x\\|y` | escaped \\| already | |\n" +
		"| short | | |\n" +
		"| c | d | extra |\n"
	if got := tbl.Markdown(); got != want {
		t.Errorf("Markdown() =\n%s\nwant\n%s", got, want)
	}
	if got := (Table{}).Markdown(); got != "" {
		t.Errorf("empty table = %q", got)
	}
	// A backslash before a pipe that is itself escaped: "\\|" must become "\\\|".
	if got := tableCell(`a\\|b`); got != `a\\\|b` {
		t.Errorf("tableCell = %q", got)
	}
}

func TestDetails(t *testing.T) {
	t.Parallel()
	got := Details("Logs <for> @octocat\n", "line 1\n\n")
	want := "<details><summary>Logs &lt;for&gt; @\u200doctocat</summary>\n\nline 1\n\n</details>\n"
	if got != want {
		t.Errorf("Details() = %q, want %q", got, want)
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		max      int
		note     string
		want     string
	}{
		{name: "fits", in: "a\nb\n", max: 4, note: "N\n", want: "a\nb\n"},
		{name: "cut_at_line", in: "line1\nline2\nline3\n", max: 14, note: "N\n", want: "line1\nline2\nN\n"},
		{name: "no_newline_in_range_cuts_at_rune", in: "žžžžž", max: 6, note: "N", want: "žž\nN"},
		{name: "closes_code_fence", in: "```\ncode1\ncode2\ncode3\ncode4\n", max: 16, note: "N\n", want: "```\ncode1\n```\nN\n"},
		{name: "closes_tilde_fence", in: "~~~go\nx\ny\nz\nw\nv\nu\n", max: 16, note: "N\n", want: "~~~go\nx\ny\n~~~\nN\n"},
		{name: "closes_details", in: "<details>\n\nbody\nmore\nmore\nmore\nmore\n", max: 30, note: "N\n", want: "<details>\n\nbody\n</details>\nN\n"},
		{name: "note_too_long", in: "abcdef\n", max: 3, note: "NOTE", want: "NOT"},
		{name: "zero", in: "abc", max: 0, note: "N", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Truncate(tc.in, tc.max, tc.note)
			if got != tc.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
			if len(got) > tc.max {
				t.Errorf("len = %d > max %d", len(got), tc.max)
			}
			if !utf8.ValidString(got) {
				t.Errorf("result %q is not valid UTF-8", got)
			}
		})
	}
}

func TestTruncateFuncReportsCut(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for range 100 {
		b.WriteString("0123456789\n") // 11 bytes per line
	}
	var gotCut Cut
	out := TruncateFunc(b.String(), 500, func(c Cut) string {
		gotCut = c
		return "cut " + strings.Repeat("x", 10) + "\n"
	})
	if len(out) > 500 {
		t.Fatalf("len = %d", len(out))
	}
	want := Cut{TotalBytes: 1100, KeptBytes: 484, KeptLines: 44, CutBytes: 616, CutLines: 56}
	if diff := cmp.Diff(want, gotCut); diff != "" {
		t.Errorf("Cut (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(out, "0123456789\ncut xxxxxxxxxx\n") {
		t.Errorf("out ends %q", out[len(out)-30:])
	}
}

func TestTruncateIssueBodyLimit(t *testing.T) {
	t.Parallel()
	// Issue bodies are limited to 65,536 characters; multi-byte text must
	// never be split inside a rune.
	body := strings.Repeat("| 🐎 žluťoučký kůň | @octocat |\n", 5000)
	got := Truncate(body, 65536, "\n_Truncated; see the workflow run._\n")
	if len(got) > 65536 || !utf8.ValidString(got) || !strings.HasSuffix(got, "|\n\n_Truncated; see the workflow run._\n") {
		t.Errorf("len %d valid %v tail %q", len(got), utf8.ValidString(got), got[len(got)-60:])
	}
}

func TestWriteJSONAndWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "nested", "deeper", "report.json")
	v := map[string]any{"b": []int{1, 2}, "a": "<x>"}
	if err := WriteJSON(path, v); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": \"\\u003cx\\u003e\",\n  \"b\": [\n    1,\n    2\n  ]\n}\n"
	if string(got) != want {
		t.Errorf("WriteJSON wrote %q, want %q", got, want)
	}
	var back map[string]any
	if err := json.Unmarshal(got, &back); err != nil {
		t.Error(err)
	}
	if err := WriteFile(path, []byte("replaced")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "replaced" {
		t.Errorf("WriteFile = %q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteJSON(filepath.Join(dir, "bad.json"), make(chan int)); err == nil {
		t.Error("WriteJSON(chan) error = nil")
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.json")); !os.IsNotExist(err) {
		t.Error("a failed WriteJSON created the file")
	}
	blocker := filepath.Join(dir, "file")
	_ = os.WriteFile(blocker, nil, 0o644)
	if err := WriteFile(filepath.Join(blocker, "x"), nil); err == nil {
		t.Error("WriteFile under a regular file error = nil")
	}
}
