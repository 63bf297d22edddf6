package containertest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFileCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []KeyValue
		wantErr string
	}{
		{name: "empty_file", in: "", want: nil},
		{name: "key_value", in: "a=1\nb=two words\n", want: []KeyValue{{"a", "1"}, {"b", "two words"}}},
		{name: "split_at_first_equals", in: "a=b=c\n", want: []KeyValue{{"a", "b=c"}}},
		{name: "equals_before_heredoc_is_key_value", in: "a=x<<y\n", want: []KeyValue{{"a", "x<<y"}}},
		{name: "heredoc_before_equals", in: "a<<E=F\nv\nE=F\n", want: []KeyValue{{"a", "v"}}},
		{name: "empty_value", in: "a=\n", want: []KeyValue{{"a", ""}}},
		{name: "last_line_without_newline", in: "a=1", want: []KeyValue{{"a", "1"}}},
		{name: "empty_lines_skipped", in: "\n\na=1\n\n", want: []KeyValue{{"a", "1"}}},
		{name: "heredoc_multiline", in: "j<<EOF_1\n{\n  \"x\": 1\n}\nEOF_1\n", want: []KeyValue{{"j", "{\n  \"x\": 1\n}"}}},
		{name: "heredoc_empty_value", in: "a<<D\nD\n", want: []KeyValue{{"a", ""}}},
		{name: "heredoc_single_empty_line_is_empty", in: "a<<D\n\nD\n", want: []KeyValue{{"a", ""}}},
		{name: "heredoc_two_empty_lines_keep_one_break", in: "a<<D\n\n\nD\n", want: []KeyValue{{"a", "\n"}}},
		{name: "heredoc_delimiter_last_without_newline", in: "a<<D\nv\nD", want: []KeyValue{{"a", "v"}}},
		{name: "heredoc_delimiter_compared_exactly", in: "a<<D\n D\nD \nD\n", want: []KeyValue{{"a", " D\nD "}}},
		{name: "heredoc_value_contains_equals_and_markers", in: "a<<D\nx=1\nb<<C\nD\nz=2\n", want: []KeyValue{{"a", "x=1\nb<<C"}, {"z", "2"}}},
		{name: "carriage_return_is_data", in: "a=1\r\n", want: []KeyValue{{"a", "1\r"}}},
		{name: "duplicate_names_kept_in_order", in: "a=1\na=2\n", want: []KeyValue{{"a", "1"}, {"a", "2"}}},
		{name: "missing_delimiter", in: "a<<D\nv\n", wantErr: `matching delimiter not found "D"`},
		{name: "value_at_eof_without_newline", in: "a<<D\nv", wantErr: "EOF marker missing new line"},
		{name: "empty_delimiter", in: "a<<\n", wantErr: "delimiter must not be empty"},
		{name: "empty_heredoc_name", in: "<<D\nD\n", wantErr: "name must not be empty"},
		{name: "empty_name", in: "=v\n", wantErr: "name must not be empty"},
		{name: "neither_form", in: "a=1\njust text\n", wantErr: `line 2 "just text": invalid format`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFileCommand([]byte(tt.in))
			if tt.wantErr != "" {
				var fe *FileCommandError
				if !errors.As(err, &fe) {
					t.Fatalf("ParseFileCommand(%q) error = %v, want a *FileCommandError", tt.in, err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFileCommand(%q) error = %q, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFileCommand(%q) error = %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFileCommand(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestOutputs_last_value_wins(t *testing.T) {
	t.Parallel()
	got, err := Outputs([]byte("a=1\nb<<X\nm\nX\na=2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"a": "2", "b": "m"}, got); diff != "" {
		t.Errorf("Outputs mismatch (-want +got):\n%s", diff)
	}
}

func TestNewFileCommands(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "_runner_file_commands")
	fc, err := NewFileCommands(dir)
	if err != nil {
		t.Fatal(err)
	}
	vars := fc.Vars(ContainerDir)
	wantPrefix := []string{
		"GITHUB_OUTPUT=/github/file_commands/set_output_",
		"GITHUB_ENV=/github/file_commands/set_env_",
		"GITHUB_PATH=/github/file_commands/add_path_",
		"GITHUB_STATE=/github/file_commands/save_state_",
		"GITHUB_STEP_SUMMARY=/github/file_commands/step_summary_",
	}
	if len(vars) != len(wantPrefix) {
		t.Fatalf("Vars() = %q, want %d entries", vars, len(wantPrefix))
	}
	for i, v := range vars {
		if !strings.HasPrefix(v, wantPrefix[i]) || len(v) != len(wantPrefix[i])+36 {
			t.Errorf("Vars()[%d] = %q, want %q followed by a 36-character GUID", i, v, wantPrefix[i])
		}
	}
	for _, name := range []string{fc.Output, fc.Env, fc.Path, fc.State, fc.StepSummary} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Size() != 0 {
			t.Errorf("file %s: stat error %v, want an empty file", name, err)
		}
	}
	other, err := NewFileCommands(dir)
	if err != nil {
		t.Fatal(err)
	}
	if other.Output == fc.Output {
		t.Errorf("two steps got the same GITHUB_OUTPUT name %q", fc.Output)
	}

	if err := os.WriteFile(filepath.Join(dir, fc.Output), []byte("x<<D\n1\nD\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fc.StepSummary), []byte("# hi\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	outs, err := fc.ReadOutputs()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"x": "1"}, outs); diff != "" {
		t.Errorf("ReadOutputs mismatch (-want +got):\n%s", diff)
	}
	if s, err := fc.ReadSummary(); err != nil || s != "# hi\n" {
		t.Errorf("ReadSummary() = %q, %v; want %q", s, err, "# hi\n")
	}
}
