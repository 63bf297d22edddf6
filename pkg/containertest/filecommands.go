package containertest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeyValue is one entry of a file command, in file order.
type KeyValue struct {
	Name, Value string
}

// FileCommandError is a line the runner would reject; the step would fail.
type FileCommandError struct {
	Line   int    // 1-based line of the entry that is wrong
	Text   string // that line
	Reason string
}

func (e *FileCommandError) Error() string {
	return fmt.Sprintf("line %d %q: %s", e.Line, e.Text, e.Reason)
}

// ParseFileCommand parses GITHUB_OUTPUT, GITHUB_ENV or GITHUB_STATE with the
// runner's rules (FileCommandManager.cs, EnvFileKeyValuePairs; NOTES §8.7):
// lines end at LF only; empty lines are skipped; NAME=VALUE when "=" comes
// before any "<<" (split at the first "="); NAME<<DELIM otherwise, whose value
// is every following line up to the first line equal to DELIM, without the
// line break before it. A missing delimiter, a value line at end of file
// without its newline, an empty name or delimiter, or a line in neither form
// is an error. One deliberate difference: the runner accepts "=value" (an
// empty name) and this parser rejects it.
func ParseFileCommand(data []byte) ([]KeyValue, error) {
	text := string(data)
	var out []KeyValue
	index, lineNo := 0, 0
	for {
		line, _, ok := readLine(text, &index)
		if !ok {
			return out, nil
		}
		lineNo++
		if line == "" {
			continue
		}
		eq := strings.Index(line, "=")
		hd := strings.Index(line, "<<")
		switch {
		case eq >= 0 && (hd < 0 || eq < hd):
			name, value, _ := strings.Cut(line, "=")
			if name == "" {
				return out, &FileCommandError{Line: lineNo, Text: line, Reason: "name must not be empty"}
			}
			out = append(out, KeyValue{Name: name, Value: value})
		case hd >= 0:
			name, delim, _ := strings.Cut(line, "<<")
			if name == "" || delim == "" {
				return out, &FileCommandError{Line: lineNo, Text: line, Reason: "name must not be empty and delimiter must not be empty"}
			}
			start, end := index, index
			first := lineNo
			for {
				l, nl, ok := readLine(text, &index)
				if !ok {
					return out, &FileCommandError{Line: first, Text: line, Reason: fmt.Sprintf("matching delimiter not found %q", delim)}
				}
				lineNo++
				if l == delim {
					break
				}
				if !nl {
					return out, &FileCommandError{Line: first, Text: line, Reason: "EOF marker missing new line"}
				}
				end = index - 1
			}
			value := ""
			if end > start {
				value = text[start:end]
			}
			out = append(out, KeyValue{Name: name, Value: value})
		default:
			return out, &FileCommandError{Line: lineNo, Text: line, Reason: "invalid format: neither NAME=VALUE nor NAME<<DELIMITER"}
		}
	}
}

// readLine returns the line starting at *index and whether it ended with LF;
// ok is false at end of text.
func readLine(text string, index *int) (line string, newline, ok bool) {
	if *index >= len(text) {
		return "", false, false
	}
	rest := text[*index:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		*index += i + 1
		return rest[:i], true, true
	}
	*index = len(text)
	return rest, false, true
}

// Outputs parses a GITHUB_OUTPUT file into a map; a name set twice keeps the
// last value, as steps.<id>.outputs does.
func Outputs(data []byte) (map[string]string, error) {
	kvs, err := ParseFileCommand(data)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.Name] = kv.Value
	}
	return m, nil
}

// FileCommands are the per-step files the runner creates in
// <RUNNER_TEMP>/_runner_file_commands, named <prefix><guid>.
type FileCommands struct {
	Dir                                   string // host directory holding the files
	Output, Env, Path, State, StepSummary string // file names inside Dir
}

// ContainerDir is where the runner mounts the file-command directory.
const ContainerDir = "/github/file_commands"

// NewFileCommands creates dir (if needed) and five empty files with fresh
// GUID names, as the runner does before each step.
func NewFileCommands(dir string) (*FileCommands, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("failed to create file-command directory: %w", err)
	}
	fc := &FileCommands{Dir: dir}
	var errs []error
	for _, f := range []struct {
		prefix string
		name   *string
	}{
		{"set_output_", &fc.Output},
		{"set_env_", &fc.Env},
		{"add_path_", &fc.Path},
		{"save_state_", &fc.State},
		{"step_summary_", &fc.StepSummary},
	} {
		*f.name = f.prefix + guid()
		errs = append(errs, os.WriteFile(filepath.Join(dir, *f.name), nil, 0o666))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("failed to create file-command files: %w", err)
	}
	return fc, nil
}

// Vars returns GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STATE and
// GITHUB_STEP_SUMMARY as KEY=VALUE, the files seen under base (the host Dir
// for a process, ContainerDir inside a container).
func (fc *FileCommands) Vars(base string) []string {
	return []string{
		"GITHUB_OUTPUT=" + filepath.Join(base, fc.Output),
		"GITHUB_ENV=" + filepath.Join(base, fc.Env),
		"GITHUB_PATH=" + filepath.Join(base, fc.Path),
		"GITHUB_STATE=" + filepath.Join(base, fc.State),
		"GITHUB_STEP_SUMMARY=" + filepath.Join(base, fc.StepSummary),
	}
}

// ReadOutputs parses the step's GITHUB_OUTPUT file.
func (fc *FileCommands) ReadOutputs() (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(fc.Dir, fc.Output))
	if err != nil {
		return nil, fmt.Errorf("failed to read GITHUB_OUTPUT: %w", err)
	}
	out, err := Outputs(data)
	if err != nil {
		return nil, fmt.Errorf("failed to parse GITHUB_OUTPUT %s: %w", fc.Output, err)
	}
	return out, nil
}

// ReadSummary returns the step's job summary.
func (fc *FileCommands) ReadSummary() (string, error) {
	data, err := os.ReadFile(filepath.Join(fc.Dir, fc.StepSummary))
	if err != nil {
		return "", fmt.Errorf("failed to read GITHUB_STEP_SUMMARY: %w", err)
	}
	return string(data), nil
}

// guid is a random RFC 4122 version 4 UUID, like the runner's Guid.NewGuid().
func guid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
