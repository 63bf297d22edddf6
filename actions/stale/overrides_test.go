package stale

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

func TestApplyConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		yaml    string
		check   func(t *testing.T, p Policy)
		wantErr string
	}{
		{name: "empty_file_keeps_inputs", yaml: "", check: func(t *testing.T, p Policy) {
			if diff := cmp.Diff(DefaultPolicy(), p, cmp.AllowUnexported(Policy{})); diff != "" {
				t.Errorf("policy changed (-want +got):\n%s", diff)
			}
		}},
		{name: "overrides_apply", yaml: "stale:\n  days_until_stale: 0.5\n  days_until_close: 14\n  exempt_labels: [pinned]\n  close_prs: true\n  stale_label: inactive\n",
			check: func(t *testing.T, p Policy) {
				if p.DaysUntilStale != 12*time.Hour || p.DaysUntilClose != 14*Day || !p.ClosePRs || p.StaleLabel != "inactive" {
					t.Errorf("policy = %+v", p)
				}
				if diff := cmp.Diff([]string{"pinned"}, p.ExemptLabels); diff != "" {
					t.Errorf("exempt_labels (-want +got):\n%s", diff)
				}
			}},
		{name: "flat_keys_apply", yaml: "days_until_stale: 14\nexempt_labels:\n  - pinned\n",
			check: func(t *testing.T, p Policy) {
				if p.DaysUntilStale != 14*Day || len(p.ExemptLabels) != 1 {
					t.Errorf("policy = %+v", p)
				}
			}},
		{name: "stale_section_wins_over_flat", yaml: "days_until_stale: 14\nstale:\n  days_until_stale: 20\n",
			check: func(t *testing.T, p Policy) {
				if p.DaysUntilStale != 20*Day {
					t.Errorf("days_until_stale = %v", p.DaysUntilStale)
				}
			}},
		{name: "unknown_key_has_line", yaml: "stale:\n  days_until_stale: 10\n  days_untill_close: 3\n", wantErr: ":3"},
		{name: "unknown_top_level_key", yaml: "stail:\n  x: 1\n", wantErr: "stail"},
		{name: "bad_value_is_validated", yaml: "stale:\n  days_until_stale: -1\n", wantErr: "days_until_stale"},
		{name: "bad_template_is_validated", yaml: "stale:\n  stale_pr_message: \"{{.Nope}}\"\n", wantErr: "{{.Nope}}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := ApplyConfig(DefaultPolicy(), []byte(tc.yaml), "o/r:.github/ecosystem.yml")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "o/r:.github/ecosystem.yml") {
					t.Fatalf("err = %v, want it to name the file and contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, p)
		})
	}
}

// TestConfigValidateRepositories: names are parsed at the edge (the
// runner's Repos input, ghname.ParseRepo: see action-stale/entry's
// TestRunRefusesMalformedRepositories); what a library caller can still
// hand over, an empty list or a Repo with a part missing, is refused here.
func TestConfigValidateRepositories(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		repos []ghname.Repo
		ok    bool
	}{
		{name: "owner_and_name", repos: []ghname.Repo{{Owner: "acme", Name: "app"}, {Owner: "acme", Name: "lib"}}, ok: true},
		{name: "none", repos: nil},
		{name: "zero_value", repos: []ghname.Repo{{}}},
		{name: "bare_name", repos: []ghname.Repo{{Name: "app"}}},
		{name: "empty_name", repos: []ghname.Repo{{Owner: "acme"}}},
		{name: "too_many_slashes", repos: []ghname.Repo{{Owner: "acme", Name: "app/x"}}},
		{name: "slash_in_owner", repos: []ghname.Repo{{Owner: "acme/app", Name: "x"}}},
		{name: "one_bad_among_good", repos: []ghname.Repo{{Owner: "acme", Name: "app"}, {Owner: "", Name: "app"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Config{Policy: DefaultPolicy(), Repositories: tc.repos}.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "repositories") {
				t.Errorf("error %q does not name the input", err)
			}
			var se *config.SettingError
			if err != nil && (!errors.As(err, &se) || se.Name != "repositories" || se.Source != config.InputSource) {
				t.Errorf("error %q is not a SettingError of input repositories (%+v)", err, se)
			}
		})
	}
}
