package ghname

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRepo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, owner string
		want            Repo
		wantErr         string
	}{
		{name: "full", in: "octo-org/hello.world_1", want: Repo{Owner: "octo-org", Name: "hello.world_1"}},
		{name: "bare_takes_owner", in: "repo", owner: "sparesparrow", want: Repo{Owner: "sparesparrow", Name: "repo"}},
		{name: "trimmed", in: "  a/b ", want: Repo{Owner: "a", Name: "b"}},
		{name: "bare_without_owner", in: "repo", wantErr: "has no owner"},
		{name: "two_slashes", in: "a/b/c", wantErr: "more than one '/'"},
		{name: "empty_owner", in: "/b", wantErr: "invalid owner"},
		{name: "empty_name", in: "a/", wantErr: "invalid repository name"},
		{name: "owner_underscore", in: "a_b/c", wantErr: "owner is 1-39 characters of A-Z, a-z, 0-9 and '-'"},
		{name: "owner_too_long", in: strings.Repeat("a", 40) + "/c", wantErr: "invalid owner"},
		{name: "owner_39", in: strings.Repeat("a", 39) + "/c", want: Repo{Owner: strings.Repeat("a", 39), Name: "c"}},
		{name: "owner_leading_hyphen", in: "-a/c", wantErr: "invalid owner"},
		{name: "name_too_long", in: "a/" + strings.Repeat("b", 101), wantErr: "1-100 characters"},
		{name: "name_dotdot", in: "a/..", wantErr: "other than '.' and '..'"},
		{name: "name_space", in: "a/b c", wantErr: "invalid repository name"},
		{name: "name_shell", in: "a/$(id)", wantErr: "invalid repository name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRepo(tc.in, tc.owner)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseRepo(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
				}
				var re *RepoError
				if !errors.As(err, &re) {
					t.Errorf("ParseRepo error %T is not a *RepoError", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseRepo(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.want.Owner+"/"+tc.want.Name {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
}

func TestValidateLabel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, label string
		wantErr     bool
	}{
		{name: "plain", label: "stale"},
		{name: "unicode_and_spaces_inside", label: "needs review 🚧"},
		{name: "fifty_characters", label: strings.Repeat("x", 50)},
		{name: "empty", label: "", wantErr: true},
		{name: "fifty_one_characters", label: strings.Repeat("x", 51), wantErr: true},
		{name: "leading_space", label: " stale", wantErr: true},
		{name: "comma", label: "a,b", wantErr: true},
		{name: "control_character", label: "a\tb", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := ValidateLabel(tc.label); (err != nil) != tc.wantErr {
				t.Errorf("ValidateLabel(%q) = %v, want error %v", tc.label, err, tc.wantErr)
			}
		})
	}
}
