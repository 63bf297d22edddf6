package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCloseWritesSummary(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "step_summary_1")
	if err := os.WriteFile(path, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Load(Spec{Inputs: []Input{TokenInput()}}, WithGetenv(fakeEnv(map[string]string{"GITHUB_STEP_SUMMARY": path, "GITHUB_TOKEN": "ghs_tok"})))
	if err != nil {
		t.Fatal(err)
	}
	r.AddSummary("# Report\n")
	r.AddSummary("token ghs_tok here\n")
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close() error = %v", err)
	}
	got, _ := os.ReadFile(path)
	if want := "earlier step\n# Report\ntoken [redacted: masked value] here\n"; string(got) != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}

func TestCloseWithoutSummaryPath(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r, err := Load(Spec{}, WithStdout(&out))
	if err != nil {
		t.Fatal(err)
	}
	r.AddSummary("# ignored\n")
	if err := r.Close(); err != nil || out.Len() != 0 {
		t.Errorf("Close() = %v, stdout %q; want nil and nothing", err, out.String())
	}
	path := filepath.Join(t.TempDir(), "summary.md")
	r, _ = Load(Spec{}, WithSummaryPath(path))
	r.AddSummary("# kept\n")
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "# kept\n" {
		t.Errorf("WithSummaryPath file = %q", got)
	}
}

func TestCloseTruncatesSummaryAtOneMiB(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		existing int
	}{
		{name: "empty_file", existing: 0},
		{name: "counts_existing_content", existing: 300 * 1024},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "step_summary")
			if err := os.WriteFile(path, bytes.Repeat([]byte("x"), tc.existing), 0o644); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			r, err := Load(Spec{}, WithStdout(&out), WithSummaryPath(path))
			if err != nil {
				t.Fatal(err)
			}
			r.SetReportLocation("the ecosystem-report artifact (reports/ecosystem_summary.md)")
			var b strings.Builder
			b.WriteString("| repo | state |\n| --- | --- |\n")
			for i := 0; b.Len() < 2*SummaryLimit; i++ {
				fmt.Fprintf(&b, "| repo-%06d | ✅ žluťoučký |\n", i)
			}
			r.AddSummary(b.String())
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(path)
			if len(data) > SummaryLimit {
				t.Fatalf("summary file is %d bytes, over %d", len(data), SummaryLimit)
			}
			if len(data) < SummaryLimit-4096 {
				t.Errorf("summary file is %d bytes, wastes more than 4 KiB of the limit", len(data))
			}
			if !utf8.Valid(data) {
				t.Error("summary is not valid UTF-8: a rune was cut")
			}
			s := string(data[tc.existing:])
			note := "> **Summary truncated.** GitHub limits a job summary to 1 MiB, so the last "
			i := strings.Index(s, note)
			if i < 0 {
				t.Fatalf("no truncation note in %q", s[max(0, len(s)-400):])
			}
			kept := s[:i]
			if !strings.HasSuffix(kept, " |\n\n> [!WARNING]\n") {
				t.Errorf("cut is not at a line boundary: %q", kept[max(0, len(kept)-60):])
			}
			if !strings.Contains(s[i:], "The full report is in the ecosystem-report artifact \\(reports/ecosystem\\_summary.md\\).\n") {
				t.Errorf("note does not say where the full report is: %q", s[i:])
			}
			if !strings.Contains(out.String(), "job summary truncated from ") {
				t.Errorf("truncation not logged: %q", out.String())
			}
		})
	}
}

func TestCloseSkipsFullSummaryFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "step_summary")
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), SummaryLimit), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r, _ := Load(Spec{}, WithStdout(&out), WithSummaryPath(path))
	r.AddSummary("more\n")
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Size() != SummaryLimit {
		t.Errorf("summary grew to %d bytes", st.Size())
	}
	if !strings.Contains(out.String(), "job summary not written") {
		t.Errorf("stdout = %q", out.String())
	}
}

func TestExecute(t *testing.T) {
	t.Parallel()
	spec := Spec{Name: "action-x", Version: "0.1.0", Inputs: []Input{TokenInput(), {Name: "days", Kind: Days, Default: "1"}}}
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		fn       func(ctx context.Context, r *Run) error
		wantCode int
		wantOut  string
	}{
		{
			name:     "ok",
			fn:       func(ctx context.Context, r *Run) error { r.Infof("days=%v", r.Days("days")); return nil },
			wantCode: ExitOK,
			wantOut:  "days=24h0m0s\n",
		},
		{
			name:     "help_does_not_run",
			args:     []string{"--help"},
			fn:       func(context.Context, *Run) error { panic("ran") },
			wantCode: ExitOK,
		},
		{
			name:     "version",
			args:     []string{"--version"},
			fn:       func(context.Context, *Run) error { panic("ran") },
			wantCode: ExitOK,
			wantOut:  "action-x 0.1.0\n",
		},
		{
			name:     "bad_input_before_fn",
			env:      map[string]string{"GITHUB_ACTIONS": "true", "INPUT_DAYS": "soon", "INPUT_GITHUB_TOKEN": "ghs_x"},
			args:     []string{"--nope=1"},
			fn:       func(context.Context, *Run) error { panic("ran") },
			wantCode: ExitBadInput,
			wantOut: "::add-mask::ghs_x\n" +
				"::error title=Invalid input::unknown flag --nope; allowed: --days, --github-token, --help, --version\n" +
				"::error title=Invalid input::input days value \"soon\" from INPUT_DAYS is not a number of days; allowed: a non-negative number of days, e.g. 7 or 0.5\n",
		},
		{
			name:     "failure_escaped_and_redacted",
			env:      map[string]string{"GITHUB_TOKEN": "ghp_t"},
			fn:       func(context.Context, *Run) error { return fmt.Errorf("failed to list: 401 for ghp_t\n::error::x") },
			wantCode: ExitFailure,
			wantOut:  "::error::failed: failed to list: 401 for [redacted: masked value]%0A::error::x\n",
		},
		{
			name:     "exit_error_code",
			fn:       func(context.Context, *Run) error { return &ExitError{Code: 3, Err: errors.New("fail_on matched")} },
			wantCode: 3,
			wantOut:  "::error::failed: fail_on matched\n",
		},
		{
			name:     "exit_error_quiet",
			fn:       func(context.Context, *Run) error { return fmt.Errorf("wrapped: %w", &ExitError{Code: 4}) },
			wantCode: 4,
		},
		{
			name: "input_error_from_fn",
			fn: func(context.Context, *Run) error {
				return errors.Join(&InputError{Input: "days", Value: "9", Reason: "is more than days_until_close", Allowed: "at most 3"})
			},
			wantCode: ExitBadInput,
			wantOut:  "::error title=Invalid input::input days value \"9\" is more than days_until_close; allowed: at most 3\n",
		},
		{
			name: "library_errors_converted_with_source",
			env:  map[string]string{"INPUT_DAYS": "9"},
			fn: func(_ context.Context, r *Run) error {
				return errors.Join(&libError{input: "days", value: "9", reason: "is too long"}, errors.Join(errors.New("other problem")))
			},
			wantCode: ExitFailure,
			wantOut:  "::error::failed: input days value \"9\" from INPUT_DAYS is too long%0Aother problem\n",
		},
		{
			name: "library_input_error_is_bad_input",
			env:  map[string]string{"INPUT_DAYS": "9"},
			fn: func(_ context.Context, r *Run) error {
				return fmt.Errorf("failed to validate: %w", &libError{input: "days", value: "9", reason: "is too long", allowed: "1..5"})
			},
			wantCode: ExitBadInput,
			wantOut:  "::error title=Invalid input::input days value \"9\" from INPUT_DAYS is too long; allowed: 1..5\n",
		},
		{
			name: "library_error_not_about_an_input",
			fn: func(_ context.Context, r *Run) error {
				return &libError{value: "x", reason: "is bad in config.yml"}
			},
			wantCode: ExitFailure,
			wantOut:  "::error::failed: lib: is bad in config.yml\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			code := Execute(context.Background(), spec, tc.fn, WithArgs(tc.args), WithGetenv(fakeEnv(tc.env)), WithStdout(&out))
			if code != tc.wantCode {
				t.Errorf("Execute() = %d, want %d; stdout %q", code, tc.wantCode, out.String())
			}
			if tc.wantOut != "" || tc.name != "help_does_not_run" {
				if out.String() != tc.wantOut {
					t.Errorf("stdout = %q, want %q", out.String(), tc.wantOut)
				}
			}
		})
	}
}

func TestExecuteClosesAndReportsCancel(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	code := Execute(ctx, Spec{}, func(ctx context.Context, r *Run) error {
		r.AddSummary("partial\n")
		return ctx.Err()
	}, WithStdout(&out), WithSummaryPath(path))
	if code != ExitFailure || out.String() != "::error::failed: cancelled: context canceled\n" {
		t.Errorf("Execute() = %d, %q", code, out.String())
	}
	if got, _ := os.ReadFile(path); string(got) != "partial\n" {
		t.Errorf("summary = %q, want it written by Close", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out bytes.Buffer
	r, err := Load(Spec{}, WithStdout(&out), WithSummaryPath(filepath.Join(dir, "s")), WithGetenv(fakeEnv(map[string]string{"GITHUB_OUTPUT": filepath.Join(dir, "o")})))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			r.Infof("worker %d", i)
			r.Warningf(Annotation{}, "w%d", i)
			r.AddSummary(fmt.Sprintf("- %d\n", i))
			_ = r.SetOutput(fmt.Sprintf("o%d", i), "v\nw")
		}()
	}
	for range 8 {
		<-done
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "o"))
	got, err := parseFileCommands(string(data))
	if err != nil || len(got) != 8 {
		t.Errorf("outputs = %v, %v", got, err)
	}
}

func TestAddMaskConcurrentWithLogging(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r, err := Load(Spec{}, WithStdout(&out), WithGetenv(fakeEnv(map[string]string{"GITHUB_ACTIONS": "true"})))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			r.AddMask(fmt.Sprintf("secret-%02d", i))
		}
	}()
	for i := range 50 {
		r.Infof("value secret-%02d", i)
	}
	<-done
	r.Infof("all: secret-07 and secret-49 and secret-0")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if got := lines[len(lines)-1]; got != "all: [redacted: masked value] and [redacted: masked value] and secret-0" {
		t.Errorf("last line = %q", got)
	}
}

// libError is a library's validation error: it implements InvalidInput
// without importing the runner (as pkg/config SettingError does).
type libError struct{ input, value, reason, allowed string }

func (e *libError) Error() string { return "lib: " + e.reason }

func (e *libError) InvalidInput() (string, string, string, string) {
	return e.input, e.value, e.reason, e.allowed
}
