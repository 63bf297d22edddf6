package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// WriteJSON writes v as JSON indented by two spaces with a trailing newline,
// atomically (see WriteFile), every string in it redacted (redact.JSON: the
// document stays valid).
func WriteJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("failed to encode %s: %w", path, err)
	}
	return writeFile(path, redact.New().JSON(buf.Bytes()))
}

// WriteFile writes data to path atomically: it creates the parent
// directories, writes a temporary file in the same directory, syncs it and
// renames it over path, so readers never see a half-written report. The file
// mode is 0644. Secrets pkg/redact finds in data are replaced by its
// markers: every report, summary, diff and dashboard file is written here,
// the one place files leave by.
func WriteFile(path string, data []byte) error {
	s := string(data)
	if red := redact.String(s); red != s {
		data = []byte(red)
	}
	return writeFile(path, data)
}

func writeFile(path string, data []byte) (retErr error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("failed to create directory for %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("failed to create temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if retErr != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("failed to set mode of %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("failed to sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("failed to close %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("failed to rename %s into place: %w", path, err)
	}
	return nil
}
