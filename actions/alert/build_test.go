package alert

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

func loadTestReports(t *testing.T, names ...string) []Report {
	t.Helper()
	reps, err := LoadReports(strings.Join(names, ","), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	return reps
}

type alertKey struct {
	Scope, Problem string
	Level          Level
	Type           Type
}

func keys(as []Alert) []alertKey {
	var out []alertKey
	for _, a := range as {
		out = append(out, alertKey{a.Scope, a.Problem, a.Level, a.Type})
	}
	return out
}

func TestBuild_from_example_reports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		reports []string
		opts    BuildOptions
		want    []alertKey
	}{
		{
			name:    "monitor_auto_all_levels",
			reports: []string{"ecosystem_analysis.json"},
			opts:    BuildOptions{Type: TypeAuto, MinLevel: LevelLow},
			want: []alertKey{
				{"sparesparrow/mcp-project-orchestrator", ProblemUnhealthy, LevelCritical, TypeCritical},
				{"sparesparrow/openssl-fips-policy", ProblemFailure, LevelCritical, TypeCritical},
				{"sparesparrow/openssl-fips-policy", ProblemUnhealthy, LevelCritical, TypeCritical},
				{"sparesparrow/openssl-tools", ProblemFailure, LevelHigh, TypeEcosystem},
				{"sparesparrow/openssl-conan-base", ProblemUnhealthy, LevelWarning, TypeEcosystem},
				{"sparesparrow/openssl-tools", ProblemUnhealthy, LevelWarning, TypeEcosystem},
				{"sparesparrow/mcp-project-orchestrator", ProblemFailure, LevelMedium, TypeEcosystem},
				{"sparesparrow/mcp-project-orchestrator", ProblemFailure, LevelMedium, TypeEcosystem},
				{"sparesparrow/mcp-project-orchestrator", ProblemFailure, LevelMedium, TypeEcosystem},
				{"sparesparrow/openssl-conan-base", ProblemFailure, LevelMedium, TypeEcosystem},
				{"sparesparrow/openssl-conan-base", ProblemFailure, LevelMedium, TypeEcosystem},
				{"sparesparrow/openssl-tools", ProblemFailure, LevelMedium, TypeEcosystem},
				{"sparesparrow/openssl-tools", ProblemFailure, LevelMedium, TypeEcosystem},
				{"sparesparrow/openssl-tools", ProblemFailure, LevelMedium, TypeEcosystem},
			},
		},
		{
			name:    "monitor_critical_only",
			reports: []string{"ecosystem_analysis.json"},
			opts:    BuildOptions{Type: TypeCritical, MinLevel: LevelLow},
			want: []alertKey{
				{"sparesparrow/mcp-project-orchestrator", ProblemUnhealthy, LevelCritical, TypeCritical},
				{"sparesparrow/openssl-fips-policy", ProblemFailure, LevelCritical, TypeCritical},
				{"sparesparrow/openssl-fips-policy", ProblemUnhealthy, LevelCritical, TypeCritical},
			},
		},
		{
			name:    "monitor_min_level_warning",
			reports: []string{"ecosystem_analysis.json"},
			opts:    BuildOptions{Type: TypeEcosystem, MinLevel: LevelWarning},
			want: []alertKey{
				{"sparesparrow/mcp-project-orchestrator", ProblemUnhealthy, LevelCritical, TypeEcosystem},
				{"sparesparrow/openssl-fips-policy", ProblemFailure, LevelCritical, TypeEcosystem},
				{"sparesparrow/openssl-fips-policy", ProblemUnhealthy, LevelCritical, TypeEcosystem},
				{"sparesparrow/openssl-tools", ProblemFailure, LevelHigh, TypeEcosystem},
				{"sparesparrow/openssl-conan-base", ProblemUnhealthy, LevelWarning, TypeEcosystem},
				{"sparesparrow/openssl-tools", ProblemUnhealthy, LevelWarning, TypeEcosystem},
			},
		},
		{
			name:    "fixer_root_causes_only",
			reports: []string{"failure_analysis.json"},
			opts:    BuildOptions{Type: TypeAuto, MinLevel: LevelLow, DefaultDomain: "sparesparrow/other"},
			want: []alertKey{
				{"sparesparrow/openssl-tools", ProblemFailure, LevelCritical, TypeCritical},
				{"sparesparrow/openssl-tools", ProblemFailure, LevelHigh, TypeEcosystem},
			},
		},
		{
			name:    "stale_per_repository",
			reports: []string{"stale_analysis.json"},
			opts:    BuildOptions{Type: TypeAuto, MinLevel: LevelLow},
			want: []alertKey{
				{"sparesparrow/openssl-conan-base", ProblemStale, LevelLow, TypeStale},
				{"sparesparrow/openssl-tools", ProblemStale, LevelLow, TypeStale},
			},
		},
		{
			name:    "stale_dropped_by_min_level",
			reports: []string{"stale_analysis.json"},
			opts:    BuildOptions{Type: TypeStale, MinLevel: LevelMedium},
			want:    nil,
		},
		{
			name:    "maintenance_keeps_low_only",
			reports: []string{"stale_analysis.json", "failure_analysis.json"},
			opts:    BuildOptions{Type: TypeMaintenance, MinLevel: LevelLow},
			want: []alertKey{
				{"sparesparrow/openssl-conan-base", ProblemStale, LevelLow, TypeMaintenance},
				{"sparesparrow/openssl-tools", ProblemStale, LevelLow, TypeMaintenance},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := Build(loadTestReports(t, tt.reports...), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, keys(b.Alerts)); diff != "" {
				t.Errorf("alerts (-want +got):\n%s", diff)
			}
			seen := map[string]bool{}
			for _, a := range b.Alerts {
				if len(a.Fingerprint) != 16 || seen[a.Fingerprint] {
					t.Errorf("bad or repeated fingerprint %q", a.Fingerprint)
				}
				seen[a.Fingerprint] = true
			}
		})
	}
}

func TestFingerprint_is_what_and_where_not_when(t *testing.T) {
	t.Parallel()
	a := loadTestReports(t, "ecosystem_analysis.json")
	b1, err := Build(a, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The same report a day later with other scores and times: same fingerprints.
	m := *a[0].Monitor
	m.Timestamp = m.Timestamp.AddDate(0, 0, 1)
	doms := map[string]contract.DomainHealth{}
	for n, d := range m.Domains {
		if d.HealthScore != nil {
			s := *d.HealthScore - 1
			d.HealthScore = &s
		}
		doms[n] = d
	}
	m.Domains = doms
	fails := append([]contract.FailedJob(nil), m.Failures...)
	for i := range fails {
		fails[i].CreatedAt = fails[i].CreatedAt.AddDate(0, 0, 1)
		fails[i].RunID += 1000
	}
	m.Failures = fails
	b2, err := Build([]Report{{Kind: KindMonitor, Monitor: &m, Time: m.Timestamp}}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fps := func(b Built) (out []string) {
		for _, x := range b.Alerts {
			out = append(out, x.Fingerprint+" "+factsDigest(x))
		}
		return out
	}
	if diff := cmp.Diff(fps(b1), fps(b2)); diff != "" {
		t.Errorf("fingerprints or facts changed with time and scores (-before +after):\n%s", diff)
	}
	if Fingerprint("sparesparrow/openssl-tools", "unhealthy") != Fingerprint(" Sparesparrow/OpenSSL-Tools", "unhealthy ") {
		t.Error("fingerprint depends on case or spacing")
	}
	if Fingerprint("a b", "c") == Fingerprint("a", "b c") {
		t.Error("fingerprint parts are not separated")
	}
}

func TestBuild_coverage(t *testing.T) {
	t.Parallel()
	b, err := Build(loadTestReports(t, "ecosystem_analysis.json", "stale_analysis.json"), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind           Kind
		scope, problem string
		want           bool
	}{
		{KindMonitor, "sparesparrow/openssl-tools", ProblemUnhealthy, true},
		{KindMonitor, "SPARESPARROW/openssl-tools", ProblemFailure, true},
		{KindMonitor, "sparesparrow/not-in-report", ProblemUnhealthy, false},
		{KindStale, "sparesparrow/openssl-tools", ProblemStale, true},
		{KindStale, "sparesparrow/openssl-fips-policy", ProblemStale, false},
		{KindFixer, "sparesparrow/openssl-tools", ProblemFailure, false},
	}
	for _, tt := range tests {
		if got := b.Coverage.Covers(tt.kind, tt.scope, tt.problem); got != tt.want {
			t.Errorf("Covers(%s, %s, %s) = %v, want %v", tt.kind, tt.scope, tt.problem, got, tt.want)
		}
	}
	// A partial report does not cover its missing domains; an unreadable
	// domain covers only "unreadable".
	partial := `{"schema_version":"2.0","timestamp":"2026-11-20T12:00:00Z","summary":{},"partial":true,"missing":["o/gone"],
	  "domains":{"o/ok":{"health_score":90,"band":"healthy"},"o/err":{"health_score":null,"band":"unknown","error":"Not Found","status":404}}}`
	reps, err := LoadReports(partial, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err = Build(reps, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Coverage.Covers(KindMonitor, "o/gone", ProblemUnhealthy) || !b.Coverage.Covers(KindMonitor, "o/ok", ProblemUnhealthy) ||
		b.Coverage.Covers(KindMonitor, "o/err", ProblemUnhealthy) || !b.Coverage.Covers(KindMonitor, "o/err", ProblemUnreadable) {
		t.Errorf("partial coverage wrong: %+v", b.Coverage)
	}
	if diff := cmp.Diff([]alertKey{{"o/err", ProblemUnreadable, LevelWarning, TypeEcosystem}}, keys(b.Alerts)); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
}

func TestLevels(t *testing.T) {
	t.Parallel()
	scores := []struct {
		score int
		want  Level
	}{{100, LevelNone}, {80, LevelNone}, {79, LevelWarning}, {60, LevelWarning}, {59, LevelCritical}, {0, LevelCritical}}
	for _, s := range scores {
		if got := LevelForScore(s.score); got != s.want {
			t.Errorf("LevelForScore(%d) = %s, want %s", s.score, got, s.want)
		}
	}
	cats := []struct {
		cat  string
		want Level
	}{{"fips", LevelCritical}, {"security", LevelCritical}, {"build", LevelHigh}, {"conan", LevelHigh},
		{"workflow", LevelMedium}, {"test", LevelMedium}, {"maintenance", LevelLow}, {"deployment", LevelMedium}}
	for _, c := range cats {
		if got := SeverityForCategory(c.cat); got != c.want {
			t.Errorf("SeverityForCategory(%s) = %s, want %s", c.cat, got, c.want)
		}
	}
	if _, err := ParseLevel("severe"); err == nil {
		t.Error("ParseLevel accepted an unknown level")
	}
}

func TestLoadReports_errors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.json"), []byte(`{"hello":"world"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, spec string
		want       []string
	}{
		{"empty", "  ", []string{`invalid reports value ""`, "no report given"}},
		{"missing_file", "nope.json", []string{`"nope.json"`, "no such file"}},
		{"glob_without_match", "reports/*.json", []string{"matches no file"}},
		{"not_json", "bad.json", []string{"bad.json", "not a JSON object"}},
		{"unknown_kind", "other.json", []string{"unknown report kind", "hello", "ecosystem_analysis.json"}},
		{"all_reported_together", "nope.json,bad.json", []string{"no such file", "not a JSON object"}},
		{"bad_inline_json", `{"domains": `, []string{"inline JSON", "not a JSON object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadReports(tt.spec, dir)
			if err == nil {
				t.Fatal("no error")
			}
			var re *config.SettingError
			if !errors.As(err, &re) {
				t.Errorf("error %T is not a *config.SettingError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadReports_globs_and_inline(t *testing.T) {
	t.Parallel()
	reps, err := LoadReports("*_analysis.json", "testdata")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []Kind
	for _, r := range reps {
		kinds = append(kinds, r.Kind)
	}
	if diff := cmp.Diff([]Kind{KindMonitor, KindFixer, KindStale}, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	// The fixer's `failures` output: a bare array of findings.
	reps, err = LoadReports(`[{"rule_id":"test.failed","category":"test","severity":"medium","pattern":"FAIL","fingerprint":"ab"}]`, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(reps, BuildOptions{DefaultDomain: "o/r"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]alertKey{{"o/r", ProblemFailure, LevelMedium, TypeEcosystem}}, keys(b.Alerts)); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
	// A failure analysis: each root cause names its domain.
	reps, err = LoadReports(`{"kind":"failure_analysis","schema_version":"1.1","producer":{"action":"action-fixer","version":"test"},
	  "failures":[{"domain":"o/r","job":"build","rule_id":"fips.x","category":"fips","severity":"critical","pattern":"p","root_cause":true}]}`, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err = Build(reps, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]alertKey{{"o/r", ProblemFailure, LevelCritical, TypeCritical}}, keys(b.Alerts)); diff != "" {
		t.Errorf("failures[] alerts (-want +got):\n%s", diff)
	}
}

func TestCheckType(t *testing.T) {
	t.Parallel()
	reps := loadTestReports(t, "ecosystem_analysis.json", "stale_analysis.json")
	tests := []struct {
		typ     Type
		wantErr string
	}{
		{TypeAuto, ""}, {TypeCritical, ""}, {TypeMaintenance, ""},
		{TypeStale, "alert_type stale needs stale_analysis.json"},
		{TypeEcosystem, "alert_type ecosystem needs ecosystem_analysis.json or failure_analysis.json"},
	}
	for _, tt := range tests {
		err := CheckType(tt.typ, reps)
		if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("CheckType(%s) = %v, want %q", tt.typ, err, tt.wantErr)
		}
	}
}
