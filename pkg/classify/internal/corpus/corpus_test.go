package corpus

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		chosen   string
		accepted []string
		want     bool
	}{
		{"equal", "ERROR: Missing binary: fmt/7.1.3", []string{"ERROR: Missing binary: fmt/7.1.3"}, true},
		{"chosen_has_timestamp", "2019-09-17T23:02:09.5908268Z ##[error]x.cs(17,19): error CS0103", []string{"##[error]x.cs(17,19): error CS0103"}, true},
		{"label_has_timestamp", "##[error]boom", []string{"2023-02-09T20:11:49.9484027Z ##[error]boom"}, true},
		{"ansi_and_cr", "\x1b[31merror\x1b[0m: could not compile `x`\r", []string{"error: could not compile `x`"}, true},
		{"chosen_contains_label", "> ERROR: Conflict in nss/3.89:", []string{"ERROR: Conflict in nss/3.89:"}, true},
		{"second_accepted_line", "npm ERR! network read ECONNRESET", []string{"npm ERR! code ECONNRESET", "npm ERR! network read ECONNRESET"}, true},
		{"label_longer_than_chosen", "ERROR: Conflict", []string{"ERROR: Conflict in nss/3.89:"}, false},
		{"other_line", "make: *** [all] Error 2", []string{"g++: fatal error: Killed signal terminated program cc1plus"}, false},
		{"empty_label_never_matches", "anything", []string{"", "   "}, false},
		{"no_labels", "anything", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := LineMatches(tt.chosen, tt.accepted); got != tt.want {
				t.Errorf("LineMatches(%q, %q) = %v, want %v", tt.chosen, tt.accepted, got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"2026-11-19T02:13:44.1234567Z ##[error]Process completed with exit code 1.": "##[error]Process completed with exit code 1.",
		"2026-11-19T02:13:44Z":                        "",
		"\x1b]0;title\x07\x1b[1;32m✓\x1b[0m passed  ": "✓ passed",
		"[2019-08-12T18:02:32.013Z] ERROR: Conflict":  "[2019-08-12T18:02:32.013Z] ERROR: Conflict", // Jenkins timestamps stay
		"  ok  \r": "ok",
	}
	for in, want := range tests {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeal(t *testing.T) {
	t.Parallel()
	sources := map[string]string{}
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		sources["https://example.test/conan/"+s] = "conan"
	}
	for _, s := range []string{"a", "b"} {
		sources["https://example.test/none/"+s] = "none"
	}
	sources["https://example.test/fips/a"] = "fips"
	half := Deal(sources)
	count := map[string]map[string]int{}
	for src, h := range half {
		class := sources[src]
		if count[class] == nil {
			count[class] = map[string]int{}
		}
		count[class][h]++
	}
	want := map[string]map[string]int{
		"conan": {HalfDev: 3, HalfValidation: 2},
		"none":  {HalfDev: 1, HalfValidation: 1},
		"fips":  {HalfDev: 1},
	}
	if diff := cmp.Diff(want, count); diff != "" {
		t.Errorf("halves per class (-want +got):\n%s", diff)
	}
	// Dealing does not depend on which other classes are present.
	conanOnly := map[string]string{}
	for src, class := range sources {
		if class == "conan" {
			conanOnly[src] = class
		}
	}
	for src, h := range Deal(conanOnly) {
		if half[src] != h {
			t.Errorf("%s: %s alone, %s with other classes", src, h, half[src])
		}
	}
}

func writeLog(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []Case{
		{Name: "right.log", Path: writeLog(t, dir, "right.log", "noise\nERROR: Missing binary: zlib\nmore\n"), Class: "conan", Lines: []string{"ERROR: Missing binary: zlib"}, Rule: "conan.missing"},
		{Name: "wrong-line.log", Path: writeLog(t, dir, "wrong-line.log", "g++: fatal error: Killed signal\nmake: *** Error 1\n"), Class: "infrastructure", Lines: []string{"g++: fatal error: Killed signal"}},
		{Name: "wrong-class.log", Path: writeLog(t, dir, "wrong-class.log", "ValueError: disabled for fips\n"), Class: "fips", Lines: []string{"ValueError: disabled for fips"}},
		{Name: "missed.log", Path: writeLog(t, dir, "missed.log", "not ok 1 - x\n"), Class: "test", Lines: []string{"not ok 1 - x"}},
		{Name: "green.log", Path: writeLog(t, dir, "green.log", "0 Error(s)\n"), Class: ClassNone},
		{Name: "green-fp.log", Path: writeLog(t, dir, "green-fp.log", "ERROR: pip's dependency resolver\n"), Class: ClassNone},
		{Name: "outside.log", Path: writeLog(t, dir, "outside.log", "one line\n"), Class: "build", Lines: []string{"one line"}},
	}
	answers := map[string]Verdict{
		"right.log":       {Found: true, Class: "conan", Rule: "conan.missing", Line: 2},
		"wrong-line.log":  {Found: true, Class: "infrastructure", Line: 2},
		"wrong-class.log": {Found: true, Class: "build", Line: 1},
		"green-fp.log":    {Found: true, Class: "build", Rule: "build.pip", Line: 1},
		"outside.log":     {Found: true, Class: "build", Line: 9},
	}
	classify := func(_ context.Context, path string) (Verdict, error) {
		return answers[filepath.Base(path)], nil
	}
	r, err := Score(context.Background(), "fake", cases, classify)
	if err != nil {
		t.Fatal(err)
	}
	got := *r
	got.Misses = nil
	want := Report{
		Name: "fake", Logs: 7, Failing: 5, Green: 2,
		ClassRight: 3, LineRight: 2, RuleCases: 1, RuleRight: 1, FalsePositives: 1,
		Confusion: map[string]map[string]int{
			"conan":          {"conan": 1},
			"infrastructure": {"infrastructure": 1},
			"fips":           {"build": 1},
			"test":           {NoFailure: 1},
			"build":          {"build": 1},
			ClassNone:        {NoFailure: 1, "build": 1},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Score (-want +got):\n%s", diff)
	}
	if got, want := r.AllRight(), 4; got != want {
		t.Errorf("AllRight() = %d, want %d", got, want)
	}
	wantMisses := []string{
		`wrong-line.log: root-cause line 2 "make: *** Error 1", labelled "g++: fatal error: Killed signal"`,
		"wrong-class.log: fips, found build",
		"missed.log: test, found -",
		"green-fp.log: none, found build (build.pip) at line 1",
		"outside.log: root-cause line 9 outside the log (1 lines)",
	}
	if diff := cmp.Diff(wantMisses, r.Misses); diff != "" {
		t.Errorf("Misses (-want +got):\n%s", diff)
	}
	var out bytes.Buffer
	r.Write(&out)
	for _, s := range []string{
		"fake: 7 logs (5 failing, 2 green)",
		"top-1 class            3/5     60.0%",
		"root-cause line        2/5     40.0%",
		"false positives        1/2",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("Write output lacks %q:\n%s", s, out.String())
		}
	}
}

func TestLoadLabels(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "conan"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeLog(t, dir, "conan/x.log", "a\nERROR: Missing prebuilt package for 'zlib/1.3'\nb\n")
	writeLog(t, dir, "labels.yaml", "conan/x.log: {category: conan, rule: conan.missing_prebuilt_package, line: 2}\nnone/y.log: {category: none}\n")
	got, err := LoadLabels(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Case{
		{Name: "conan/x.log", Path: filepath.Join(dir, "conan/x.log"), Class: "conan", Rule: "conan.missing_prebuilt_package", Lines: []string{"ERROR: Missing prebuilt package for 'zlib/1.3'"}},
		{Name: "none/y.log", Path: filepath.Join(dir, "none/y.log"), Class: ClassNone},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadLabels (-want +got):\n%s", diff)
	}
	writeLog(t, dir, "labels.yaml", "conan/x.log: {category: conan, line: 7}\n")
	if _, err := LoadLabels(dir); err == nil || !strings.Contains(err.Error(), "no line 7") {
		t.Errorf("LoadLabels with a line past the end: err = %v, want one naming line 7", err)
	}
}
