package runner

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeEnv is a getenv built from a map, as in go-githubactions' tests.
func fakeEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "4h", want: 4 * time.Hour},
		{in: "30m", want: 30 * time.Minute},
		{in: "30d", want: 30 * 24 * time.Hour},
		{in: "2w", want: 14 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "1.5h", want: 90 * time.Minute},
		{in: "0.5d", want: 12 * time.Hour},
		{in: "500ms", want: 500 * time.Millisecond},
		{in: "0", want: 0},
		{in: " 10m ", want: 10 * time.Minute},
		{in: "5", wantErr: true},
		{in: "-1h", wantErr: true},
		{in: "h", wantErr: true},
		{in: "4x", wantErr: true},
		{in: "1h-1m", wantErr: true},
		{in: "", wantErr: true},
		{in: "99999999w", wantErr: true},
	}
	for _, tc := range cases {
		got, err := ParseDuration(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseDays(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "7", want: 7 * 24 * time.Hour},
		{in: "0.5", want: 12 * time.Hour},
		{in: "0", want: 0},
		{in: "1e1", want: 10 * 24 * time.Hour},
		{in: "-1", wantErr: true},
		{in: "seven", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: "Inf", wantErr: true},
		{in: "7d", wantErr: true},
	}
	for _, tc := range cases {
		got, err := ParseDays(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseDays(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseBool(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"true", "TRUE", "Yes", "1", " true "} {
		if b, err := ParseBool(s); err != nil || !b {
			t.Errorf("ParseBool(%q) = %v, %v; want true", s, b, err)
		}
	}
	for _, s := range []string{"false", "No", "0", "FALSE"} {
		if b, err := ParseBool(s); err != nil || b {
			t.Errorf("ParseBool(%q) = %v, %v; want false", s, b, err)
		}
	}
	for _, s := range []string{"", "on", "off", "y", "2", "truee"} {
		if _, err := ParseBool(s); err == nil {
			t.Errorf("ParseBool(%q) error = nil, want an error", s)
		}
	}
}

func TestSplitList(t *testing.T) {
	t.Parallel()
	got := SplitList(" a, b ,,\nc\r\n\n d ,")
	if diff := cmp.Diff([]string{"a", "b", "c", "d"}, got); diff != "" {
		t.Errorf("SplitList mismatch (-want +got):\n%s", diff)
	}
	if got := SplitList(" , \n"); len(got) != 0 {
		t.Errorf("SplitList(blank) = %q, want empty", got)
	}
}

func testSpec() Spec {
	return Spec{
		Name: "action-test", Version: "1.2.3", Description: "Tests the runner.",
		Inputs: []Input{
			TokenInput(),
			OwnerInput(),
			{Name: "days_until_stale", Kind: Days, Default: "30", Env: "DAYS_UNTIL_STALE", Usage: "days without activity"},
			{Name: "max_wait", Kind: Duration, Default: "10m"},
			{Name: "limit", Kind: Int, Default: "5"},
			{Name: "dry_run", Kind: Bool, Default: "false"},
			{Name: "policy", Kind: Enum, Default: "wait", Allowed: []string{"wait", "stop"}},
			{Name: "checks", Kind: List, Allowed: []string{"ci", "stale", "security"}},
			{Name: "log_files", Kind: List},
			{Name: "repos", Kind: Repos},
			{Name: "title", Kind: String},
		},
	}
}

func TestLoadResolution(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, r *Run)
	}{
		{
			name: "defaults",
			check: func(t *testing.T, r *Run) {
				if got := r.Days("days_until_stale"); got != 30*24*time.Hour {
					t.Errorf("Days = %v", got)
				}
				if r.IsSet("days_until_stale") || r.Source("days_until_stale") != "default" {
					t.Errorf("IsSet/Source = %v/%q, want default", r.IsSet("days_until_stale"), r.Source("days_until_stale"))
				}
				if r.Int("limit") != 5 || r.Bool("dry_run") || r.String("policy") != "wait" || r.Duration("max_wait") != 10*time.Minute {
					t.Errorf("defaults wrong: limit %d dry_run %v policy %q max_wait %v", r.Int("limit"), r.Bool("dry_run"), r.String("policy"), r.Duration("max_wait"))
				}
				if r.List("checks") != nil || r.Repos("repos") != nil {
					t.Errorf("empty lists = %q %v, want nil", r.List("checks"), r.Repos("repos"))
				}
			},
		},
		{
			name: "flag_beats_input_beats_env",
			args: []string{"--days-until-stale", "1"},
			env:  map[string]string{"INPUT_DAYS_UNTIL_STALE": "2", "DAYS_UNTIL_STALE": "3"},
			check: func(t *testing.T, r *Run) {
				if got := r.Days("days_until_stale"); got != 24*time.Hour || r.Source("days_until_stale") != "flag" {
					t.Errorf("Days = %v from %s, want 24h from flag", got, r.Source("days_until_stale"))
				}
			},
		},
		{
			name: "input_beats_env",
			env:  map[string]string{"INPUT_DAYS_UNTIL_STALE": "0.5", "DAYS_UNTIL_STALE": "3"},
			check: func(t *testing.T, r *Run) {
				if got := r.Days("days_until_stale"); got != 12*time.Hour || r.Source("days_until_stale") != "input" {
					t.Errorf("Days = %v from %s, want 12h from input", got, r.Source("days_until_stale"))
				}
			},
		},
		{
			name: "empty_input_counts_as_unset",
			env:  map[string]string{"INPUT_DAYS_UNTIL_STALE": "  ", "DAYS_UNTIL_STALE": "3"},
			check: func(t *testing.T, r *Run) {
				if got := r.Days("days_until_stale"); got != 72*time.Hour || r.Source("days_until_stale") != "env" {
					t.Errorf("Days = %v from %s, want 72h from env", got, r.Source("days_until_stale"))
				}
			},
		},
		{
			name: "underscore_flag_and_equals",
			args: []string{"--days_until_stale=2", "-limit", "7", "--policy=STOP"},
			check: func(t *testing.T, r *Run) {
				if r.Days("days_until_stale") != 48*time.Hour || r.Int("limit") != 7 {
					t.Errorf("Days %v Int %d", r.Days("days_until_stale"), r.Int("limit"))
				}
				if got := r.String("policy"); got != "stop" {
					t.Errorf("Enum normalised to %q, want stop", got)
				}
			},
		},
		{
			name: "bool_flag_forms",
			args: []string{"--dry-run", "--title", "x"},
			check: func(t *testing.T, r *Run) {
				if !r.Bool("dry_run") || r.String("title") != "x" {
					t.Errorf("dry_run %v title %q", r.Bool("dry_run"), r.String("title"))
				}
			},
		},
		{
			name: "bool_flag_takes_bool_literal",
			args: []string{"--dry-run", "no"},
			env:  map[string]string{"INPUT_DRY_RUN": "true"},
			check: func(t *testing.T, r *Run) {
				if r.Bool("dry_run") {
					t.Error("dry_run = true, want false from the flag")
				}
			},
		},
		{
			name: "list_flag_repeats_and_takes_following_args",
			args: []string{"--log-files", "a.log", "b.log", "--limit", "1", "--log-files", "c.log,d.log", "--checks=CI,stale"},
			check: func(t *testing.T, r *Run) {
				if diff := cmp.Diff([]string{"a.log", "b.log", "c.log", "d.log"}, r.List("log_files")); diff != "" {
					t.Errorf("log_files (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff([]string{"ci", "stale"}, r.List("checks")); diff != "" {
					t.Errorf("checks (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "list_input_newlines",
			env:  map[string]string{"INPUT_LOG_FILES": "a.log\n b.log \n\n"},
			check: func(t *testing.T, r *Run) {
				if diff := cmp.Diff([]string{"a.log", "b.log"}, r.List("log_files")); diff != "" {
					t.Errorf("log_files (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "repos_default_owner_from_repository",
			env:  map[string]string{"GITHUB_REPOSITORY": "sparesparrow/ecosystem", "INPUT_REPOS": "mcp-servers, other/x"},
			check: func(t *testing.T, r *Run) {
				want := []Repo{{Owner: "sparesparrow", Name: "mcp-servers"}, {Owner: "other", Name: "x"}}
				if diff := cmp.Diff(want, r.Repos("repos")); diff != "" {
					t.Errorf("repos (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "repos_owner_input_wins",
			args: []string{"--owner", "octo-org"},
			env:  map[string]string{"GITHUB_REPOSITORY": "sparesparrow/ecosystem", "INPUT_REPOS": "a"},
			check: func(t *testing.T, r *Run) {
				if diff := cmp.Diff([]Repo{{Owner: "octo-org", Name: "a"}}, r.Repos("repos")); diff != "" {
					t.Errorf("repos (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "token_from_github_token_env",
			env:  map[string]string{"GITHUB_TOKEN": "ghp_abc"},
			check: func(t *testing.T, r *Run) {
				if r.String("github_token") != "ghp_abc" {
					t.Errorf("github_token = %q", r.String("github_token"))
				}
			},
		},
		{
			name: "hyphenated_input_env_name_kept",
			check: func(t *testing.T, r *Run) {
				if got := (Input{Name: "github-token"}).InputEnv(); got != "INPUT_GITHUB-TOKEN" {
					t.Errorf("InputEnv = %q", got)
				}
				if got := (Input{Name: "my input"}).InputEnv(); got != "INPUT_MY_INPUT" {
					t.Errorf("InputEnv = %q", got)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Load(testSpec(), WithArgs(tc.args), WithGetenv(fakeEnv(tc.env)))
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			tc.check(t, r)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string // one line per error, in spec order (flag errors first)
	}{
		{
			name: "bad_bool",
			env:  map[string]string{"INPUT_DRY_RUN": "maybe"},
			want: []string{`input dry_run value "maybe" from INPUT_DRY_RUN is not a boolean; allowed: true, false, yes, no, 1, 0`},
		},
		{
			name: "bad_int_and_days_collected",
			env:  map[string]string{"INPUT_LIMIT": "ten", "DAYS_UNTIL_STALE": "-2"},
			want: []string{
				`input days_until_stale value "-2" from DAYS_UNTIL_STALE is negative; allowed: a non-negative number of days, e.g. 7 or 0.5`,
				`input limit value "ten" from INPUT_LIMIT is not an integer; allowed: an integer`,
			},
		},
		{
			name: "bad_enum",
			args: []string{"--policy", "retry"},
			want: []string{`input policy value "retry" from --policy is not allowed; allowed: wait, stop`},
		},
		{
			name: "bad_list_element",
			env:  map[string]string{"INPUT_CHECKS": "ci, lint,stale, docs"},
			want: []string{`input checks value "ci, lint,stale, docs" from INPUT_CHECKS contains "lint", "docs" which is not allowed; allowed: a comma or newline separated list of: ci, stale, security`},
		},
		{
			name: "bad_duration",
			env:  map[string]string{"INPUT_MAX_WAIT": "10"},
			want: []string{`input max_wait value "10" from INPUT_MAX_WAIT is not a valid duration (duration "10" has no unit); allowed: a non-negative duration with a unit, e.g. 30m, 4h, 30d, 2w, 1d12h`},
		},
		{
			name: "bad_repo_without_owner",
			env:  map[string]string{"INPUT_REPOS": "a_b/c,lonely"},
			want: []string{`input repos value "a_b/c,lonely" from INPUT_REPOS is invalid: "a_b/c" has an invalid owner "a_b": an owner is 1-39 characters of A-Z, a-z, 0-9 and '-', not starting with '-'; "lonely" has no owner: write owner/repo or set the owner input; allowed: owner/repo or repo names, comma or newline separated; owner [A-Za-z0-9-] up to 39 characters, repo [A-Za-z0-9._-] up to 100`},
		},
		{
			name: "unknown_flag_and_stray_argument",
			args: []string{"--dayz", "3", "--limit"},
			want: []string{
				`unknown flag --dayz; allowed: --checks, --days-until-stale, --dry-run, --github-token, --limit, --log-files, --max-wait, --owner, --policy, --repos, --title, --help, --version`,
				`unexpected argument "3"; allowed: flags only; see --help`,
				`input limit from --limit needs a value; allowed: an integer`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(testSpec(), WithArgs(tc.args), WithGetenv(fakeEnv(tc.env)))
			if err == nil {
				t.Fatal("Load() error = nil")
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("Load() error %T does not wrap *InputError", err)
			}
			if diff := cmp.Diff(tc.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("Load() errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadRequiredAndSecretNeverInErrors(t *testing.T) {
	t.Parallel()
	spec := Spec{Name: "x", Inputs: []Input{
		{Name: "webhook_url", Kind: String, Required: true},
		{Name: "api_key", Kind: Enum, Secret: true, Allowed: []string{"a"}},
	}}
	var out bytes.Buffer
	_, err := Load(spec, WithGetenv(fakeEnv(map[string]string{"GITHUB_ACTIONS": "true", "INPUT_API_KEY": "s3cr3t-value"})), WithStdout(&out))
	want := []string{
		"input webhook_url is required",
		"input api_key (value hidden) from INPUT_API_KEY is not allowed; allowed: a",
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("Load() errors (-want +got):\n%s", diff)
	}
	if got, want := out.String(), "::add-mask::s3cr3t-value\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}

func TestLoadMasksSecretsOnlyUnderRunner(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "actions", env: map[string]string{"GITHUB_ACTIONS": "true", "INPUT_GITHUB_TOKEN": "ghs_1%2\n"}, want: "::add-mask::ghs_1%252\n"},
		// A token is one line (TokenInput refuses a line break); a secret
		// such as a private key is not.
		{name: "multi_line_secret_masked_per_line", env: map[string]string{"GITHUB_ACTIONS": "true", "INPUT_KEY": "line1\nline2"},
			want: "::add-mask::line1%0Aline2\n::add-mask::line1\n::add-mask::line2\n"},
		{name: "command_line_prints_nothing", env: map[string]string{"GITHUB_TOKEN": "ghp_x"}, want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			if _, err := Load(Spec{Inputs: []Input{TokenInput(), {Name: "key", Kind: String, Secret: true}}}, WithGetenv(fakeEnv(tc.env)), WithStdout(&out)); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("stdout = %q, want %q", out.String(), tc.want)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_, err := Load(testSpec(), WithArgs([]string{"--bogus", "--help"}), WithStdout(&out))
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("Load(--help) error = %v, want ErrHelp", err)
	}
	for _, want := range []string{
		"action-test 1.2.3\n\nTests the runner.\n",
		"  --days-until-stale (days)\n      days without activity\n      input: INPUT_DAYS_UNTIL_STALE\n      env: DAYS_UNTIL_STALE\n      default: 30\n      allowed: a non-negative number of days, e.g. 7 or 0.5\n",
		"  --github-token (string), secret\n",
		"      allowed: wait, stop\n",
		"  --version\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help does not contain %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	_, err = Load(testSpec(), WithArgs([]string{"--version"}), WithStdout(&out))
	if !errors.Is(err, ErrVersion) || out.String() != "action-test 1.2.3\n" {
		t.Errorf("Load(--version) = %v, %q", err, out.String())
	}
}

func TestAccessorPanicsOnUndeclaredInput(t *testing.T) {
	t.Parallel()
	r, err := Load(testSpec())
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"undeclared": func() { r.String("nope") },
		"wrong_kind": func() { r.Bool("limit") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestContextAccessors(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	r, err := Load(Spec{}, WithNow(func() time.Time { return now }), WithGetenv(fakeEnv(map[string]string{
		"GITHUB_REPOSITORY": "sparesparrow/ecosystem", "GITHUB_RUN_ID": "42", "GITHUB_EVENT_NAME": "schedule",
		"GITHUB_WORKSPACE": "/github/workspace", "GITHUB_API_URL": "https://ghe.example/api/v3",
	})))
	if err != nil {
		t.Fatal(err)
	}
	got := []any{r.Repository(), r.RunID(), r.APIURL(), r.ServerURL(), r.Workspace(), r.EventName(), r.Now(), r.RunURL()}
	want := []any{Repo{Owner: "sparesparrow", Name: "ecosystem"}, int64(42), "https://ghe.example/api/v3", "https://github.com", "/github/workspace", "schedule", now,
		"https://github.com/sparesparrow/ecosystem/actions/runs/42"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accessors (-want +got):\n%s", diff)
	}
	r2, _ := Load(Spec{})
	if r2.APIURL() != "https://api.github.com" || r2.Workspace() != "." || r2.RunID() != 0 || r2.RunURL() != "" || r2.Repository() != (Repo{}) {
		t.Errorf("defaults: %q %q %d %q %v", r2.APIURL(), r2.Workspace(), r2.RunID(), r2.RunURL(), r2.Repository())
	}
}

func TestValidateHook(t *testing.T) {
	t.Parallel()
	positive := func(v any) error {
		if v.(time.Duration) <= 0 {
			return errors.New("must be more than 0")
		}
		return nil
	}
	spec := Spec{Inputs: []Input{OwnerInput(), {Name: "days", Kind: Days, Default: "1", Validate: positive}, {Name: "opt", Kind: Days, Validate: positive}}}
	_, err := Load(spec, WithArgs([]string{"--owner", "bad_owner", "--days", "0"}))
	want := []string{
		`input owner value "bad_owner" from --owner is not a GitHub owner; allowed: an owner is 1-39 characters of A-Z, a-z, 0-9 and '-', not starting with '-'`,
		`input days value "0" from --days must be more than 0; allowed: a non-negative number of days, e.g. 7 or 0.5`,
	}
	if err == nil {
		t.Fatal("Load() error = nil")
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if _, err := Load(spec, WithArgs([]string{"--owner", "octo-org"})); err != nil {
		t.Errorf("valid owner: %v", err)
	}
}

func TestSecretNotEchoedFromStrayArgument(t *testing.T) {
	t.Parallel()
	_, err := Load(testSpec(), WithArgs([]string{"--github-token", "ghp_abcdef", "--dry-run", "ghp_abcdef"}))
	if err == nil || strings.Contains(err.Error(), "ghp_abcdef") {
		t.Errorf("Load() error = %v, want an error without the token", err)
	}
}

func TestEventPayload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "event.json")
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(good, []byte(`{"action":"opened","repository":{"full_name":"sparesparrow/x"}}`), 0o644)
	_ = os.WriteFile(bad, []byte(`{not json`), 0o644)
	cases := []struct {
		name    string
		path    string
		want    map[string]any
		wantErr bool
	}{
		{name: "unset"},
		{name: "missing_file", path: filepath.Join(dir, "nope.json")},
		{name: "parsed", path: good, want: map[string]any{"action": "opened", "repository": map[string]any{"full_name": "sparesparrow/x"}}},
		{name: "invalid_json", path: bad, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Load(Spec{}, WithGetenv(fakeEnv(map[string]string{"GITHUB_EVENT_PATH": tc.path})))
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.EventPayload()
			if (err != nil) != tc.wantErr {
				t.Fatalf("EventPayload() error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("EventPayload() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadAllowEmpty(t *testing.T) {
	t.Parallel()
	spec := Spec{Name: "x", Inputs: []Input{
		{Name: "message", Kind: String, Default: "hello", Env: "MESSAGE", AllowEmpty: true},
		{Name: "patterns", Kind: List, Default: "main,release/*", AllowEmpty: true},
		{Name: "label", Kind: String, Default: "stale"}, // empty still means unset
	}}
	cases := []struct {
		name         string
		env          map[string]string // a key present with "" is a set-but-empty variable
		lookup       bool              // WithLookupEnv rather than WithGetenv
		args         []string
		wantMessage  string
		wantPatterns []string
		wantLabel    string
		wantSource   string
	}{
		{name: "present_empty_input_is_a_value", lookup: true,
			env:         map[string]string{"INPUT_MESSAGE": "", "INPUT_PATTERNS": "", "INPUT_LABEL": "", "MESSAGE": "from env"},
			wantMessage: "", wantPatterns: nil, wantLabel: "stale", wantSource: "input"},
		{name: "unset_input_falls_back_to_env_and_default", lookup: true,
			env:         map[string]string{"MESSAGE": "from env"},
			wantMessage: "from env", wantPatterns: []string{"main", "release/*"}, wantLabel: "stale", wantSource: "env"},
		{name: "without_lookup_empty_counts_as_unset",
			env:         map[string]string{"INPUT_MESSAGE": "", "INPUT_PATTERNS": ""},
			wantMessage: "hello", wantPatterns: []string{"main", "release/*"}, wantLabel: "stale", wantSource: "default"},
		{name: "empty_flag_is_a_value", args: []string{"--message="},
			wantMessage: "", wantPatterns: []string{"main", "release/*"}, wantLabel: "stale", wantSource: "flag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opt := WithGetenv(fakeEnv(tc.env))
			if tc.lookup {
				opt = WithLookupEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			}
			r, err := Load(spec, opt, WithArgs(tc.args))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.String("message"); got != tc.wantMessage || r.Source("message") != tc.wantSource {
				t.Errorf("message = %q from %s, want %q from %s", got, r.Source("message"), tc.wantMessage, tc.wantSource)
			}
			if diff := cmp.Diff(tc.wantPatterns, r.List("patterns")); diff != "" {
				t.Errorf("patterns (-want +got):\n%s", diff)
			}
			if got := r.String("label"); got != tc.wantLabel {
				t.Errorf("label = %q, want %q", got, tc.wantLabel)
			}
		})
	}
}
