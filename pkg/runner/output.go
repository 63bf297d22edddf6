package runner

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

var outputName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// SetOutput sets a step output. Under the runner (GITHUB_OUTPUT set) it is
// appended to that file in the heredoc form
//
//	name<<ghadelimiter_<32 random hex digits>
//	value
//	ghadelimiter_<…>
//
// with a fresh random delimiter that is checked not to occur in the value,
// so any value, including multi-line JSON, round-trips exactly
// (go-githubactions' SetOutput uses a fixed delimiter). Without
// GITHUB_OUTPUT (command-line use) the output is printed to stdout as one
// line "output <name>=<value>", the value escaped with EscapeLine. Set
// GITHUB_OUTPUT to a file to capture outputs on the command line. Either
// way the value is redacted first (see Redactor): an output is read by
// later steps and shown in the run's logs.
func (r *Run) SetOutput(name, value string) error {
	if !outputName.MatchString(name) {
		return fmt.Errorf("failed to set output %q: an output name is a letter or '_' followed by letters, digits, '_' or '-'", name)
	}
	return r.setOutput(name, r.redact(value))
}

// setOutput writes an output whose value is redacted already.
func (r *Run) setOutput(name, value string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outputs[name] = value
	path := r.getenv("GITHUB_OUTPUT")
	if path == "" {
		r.writeLocked("output " + name + "=" + EscapeLine(value) + "\n")
		return nil
	}
	delim, err := heredocDelimiter(r.random, value)
	if err != nil {
		return fmt.Errorf("failed to set output %s: %w", name, err)
	}
	var b strings.Builder
	b.WriteString(name + "<<" + delim + "\n")
	if value != "" {
		b.WriteString(value + "\n")
	}
	b.WriteString(delim + "\n")
	if err := appendFile(path, b.String()); err != nil {
		return fmt.Errorf("failed to set output %s: %w", name, err)
	}
	return nil
}

// SetJSONOutput sets a step output to v encoded as compact JSON (readable
// with fromJSON in workflow expressions).
//
// Secrets are redacted in every string of the document (redact.JSON), so
// the value stays valid JSON.
func (r *Run) SetJSONOutput(name string, v any) error {
	if !outputName.MatchString(name) {
		return r.SetOutput(name, "") // the name's error
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("failed to encode output %s: %w", name, err)
	}
	return r.setOutput(name, string(r.red.JSON(data)))
}

// Outputs returns a copy of the outputs set so far.
func (r *Run) Outputs() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]string, len(r.outputs))
	for k, v := range r.outputs {
		out[k] = v
	}
	return out
}

// heredocDelimiter returns "ghadelimiter_" and 32 random hex digits that do
// not occur anywhere in value (so not as a line either).
func heredocDelimiter(random io.Reader, value string) (string, error) {
	for range 16 {
		var buf [16]byte
		if _, err := io.ReadFull(random, buf[:]); err != nil {
			return "", fmt.Errorf("failed to generate delimiter: %w", err)
		}
		d := "ghadelimiter_" + hex.EncodeToString(buf[:])
		if !strings.Contains(value, d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("failed to generate a delimiter that does not occur in the value")
}

func appendFile(path, s string) (retErr error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err := f.Close(); err != nil && retErr == nil {
			retErr = err
		}
	}()
	_, err = f.WriteString(s)
	return err
}
