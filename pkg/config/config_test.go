package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type limits struct {
	MaxIssues int             `yaml:"max_issues"`
	Labels    []string        `yaml:"labels"`
	Extra     map[string]rule `yaml:"extra"`
}

type rule struct {
	Match string  `yaml:"match"`
	Days  float64 `yaml:"days"`
}

type base struct {
	Owner string `yaml:"owner"`
}

type testConfig struct {
	base    `yaml:",inline"`
	Name    string `yaml:"name"`
	Limits  limits `yaml:"limits"`
	Rules   []rule `yaml:"rules"`
	Ptr     *rule  `yaml:"ptr"`
	Ignored string `yaml:"-"`
	Default string
}

func TestDecodeStrict(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		yaml    string
		want    testConfig
		wantErr []string
	}{
		{
			name: "valid_nested",
			yaml: "owner: sparesparrow\nname: x\nlimits:\n  max_issues: 3\n  labels: [a, b]\n  extra:\n    k: {match: m, days: 0.5}\nrules:\n  - match: y\n    days: 2\nptr:\n  match: p\ndefault: d\n",
			want: testConfig{base: base{Owner: "sparesparrow"}, Name: "x", Limits: limits{MaxIssues: 3, Labels: []string{"a", "b"}, Extra: map[string]rule{"k": {Match: "m", Days: 0.5}}},
				Rules: []rule{{Match: "y", Days: 2}}, Ptr: &rule{Match: "p"}, Default: "d"},
		},
		{
			name:    "unknown_top_level_key",
			yaml:    "name: x\nnmae: y\n",
			wantErr: []string{`cfg.yaml:2: unknown key "nmae" (allowed: default, limits, name, owner, ptr, rules)`},
		},
		{
			name:    "unknown_key_in_list_element",
			yaml:    "rules:\n  - match: a\n  - match: b\n    dayz: 3\n",
			wantErr: []string{`cfg.yaml:4: unknown key "dayz" (allowed: days, match)`},
		},
		{
			name:    "unknown_key_in_map_value_and_pointer",
			yaml:    "limits:\n  extra:\n    k:\n      bogus: 1\nptr:\n  nope: 2\n",
			wantErr: []string{`cfg.yaml:4: unknown key "bogus" (allowed: days, match)`, `cfg.yaml:6: unknown key "nope" (allowed: days, match)`},
		},
		{
			name:    "ignored_field_key_is_unknown",
			yaml:    "ignored: x\n",
			wantErr: []string{`cfg.yaml:1: unknown key "ignored" (allowed: default, limits, name, owner, ptr, rules)`},
		},
		{
			name:    "type_error_names_line",
			yaml:    "name: x\nlimits:\n  max_issues: many\n",
			wantErr: []string{"cfg.yaml:3: cannot unmarshal !!str `many` into int"},
		},
		{
			name:    "syntax_error_names_line",
			yaml:    "name: x\n  bad: [\n",
			wantErr: []string{"cfg.yaml:2: "},
		},
		{
			name:    "merge_keys_and_aliases_are_checked",
			yaml:    "defaults: &d\n  match: a\nrules:\n  - <<: *d\n    days: 1\n",
			wantErr: []string{`cfg.yaml:1: unknown key "defaults" (allowed: default, limits, name, owner, ptr, rules)`},
		},
		{
			name: "empty_document",
			yaml: "",
		},
		{
			name:    "two_documents",
			yaml:    "name: a\n---\nname: b\n",
			wantErr: []string{"cfg.yaml:2: more than one YAML document"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got testConfig
			err := DecodeStrict([]byte(tc.yaml), "cfg.yaml", &got)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("DecodeStrict() error = %v", err)
				}
				if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(testConfig{})); diff != "" {
					t.Errorf("DecodeStrict() mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("DecodeStrict() error = nil, want %q", tc.wantErr)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.wantErr) {
				t.Fatalf("DecodeStrict() error = %q, want %d errors %q", err, len(tc.wantErr), tc.wantErr)
			}
			for i, want := range tc.wantErr {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("error %d = %q, want prefix %q", i, lines[i], want)
				}
			}
		})
	}
}

func TestDecodeStrictUnknownKeyErrorType(t *testing.T) {
	t.Parallel()
	var got testConfig
	err := DecodeStrict([]byte("limits:\n  labelz: [x]\n"), "ecosystem.yaml", &got)
	var uk *UnknownKeyError
	if !errors.As(err, &uk) {
		t.Fatalf("error %v is not an *UnknownKeyError", err)
	}
	want := &UnknownKeyError{Source: "ecosystem.yaml", Line: 2, Path: "limits", Key: "labelz", Allowed: []string{"extra", "labels", "max_issues"}}
	if diff := cmp.Diff(want, uk); diff != "" {
		t.Errorf("UnknownKeyError mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeStrictInlineMapAcceptsAnyKey(t *testing.T) {
	t.Parallel()
	type withRest struct {
		Name string          `yaml:"name"`
		Rest map[string]rule `yaml:",inline"`
	}
	var got withRest
	if err := DecodeStrict([]byte("name: a\nx:\n  match: m\n"), "f", &got); err != nil {
		t.Fatalf("DecodeStrict() error = %v", err)
	}
	err := DecodeStrict([]byte("x:\n  bad: 1\n"), "f", &got)
	if err == nil || !strings.Contains(err.Error(), `f:2: unknown key "bad"`) {
		t.Errorf("DecodeStrict() error = %v, want unknown key bad at line 2", err)
	}
}

func TestDecodeStrictRejectsNonPointer(t *testing.T) {
	t.Parallel()
	if err := DecodeStrict([]byte("a: 1"), "f", testConfig{}); err == nil {
		t.Error("DecodeStrict(non-pointer) error = nil, want an error")
	}
}
