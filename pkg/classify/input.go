package classify

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// LogFile is one log to classify: a file, or a member of a zip archive
// (Name "logs_123.zip!0_build.txt").
type LogFile struct {
	Name string
	open func() (io.ReadCloser, error)
}

// Open opens the log as stored; Analyze decodes it.
func (f LogFile) Open() (io.ReadCloser, error) { return f.open() }

// LogExtensions are the file name endings FindLogs takes for logs in a
// directory or an archive ("" is a name without a dot). Compressed logs it
// cannot decode (.xz, .zst, .7z) are taken too, so that they are reported
// as errors rather than skipped without a word.
var LogExtensions = []string{".log", ".txt", ".out", ".gz", ".bz2", ".zip", ".xz", ".zst", ".7z", ""}

// jobLog matches the job logs of GitHub's run log archive ("0_build.txt"):
// beside each, a folder of the job's name holds the same lines again,
// one file per step.
var jobLog = regexp.MustCompile(`^\d+_(.+)\.txt$`)

// FindLogs returns the logs path names, the way maintainers keep them:
//   - a file is one log, whatever its encoding (see DecodeLog);
//   - a zip archive (such as the run log archive GitHub's "Download log
//     archive" gives) holds one log per member;
//   - a directory holds the log files under it (names ending in one of
//     LogExtensions, hidden ones skipped).
//
// In a directory or archive laid out like GitHub's run log archive, the
// per-step folder beside a job's log ("build/" beside "0_build.txt") is
// skipped: it repeats the job log's lines. A directory or archive without
// any log is an error, so it never reads as "no failure".
func FindLogs(p string) ([]LogFile, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("failed to read logs: %w", err)
	}
	if fi.IsDir() {
		return dirLogs(p)
	}
	if isZip(p) {
		return zipLogs(p)
	}
	return []LogFile{{Name: p, open: func() (io.ReadCloser, error) { return os.Open(p) }}}, nil
}

func isLogName(name string) bool {
	base := path.Base(name)
	if strings.HasPrefix(base, ".") {
		return false
	}
	return slices.Contains(LogExtensions, strings.ToLower(path.Ext(base)))
}

// skipStepFolders drops the members of step folders that repeat a job log
// next to them (names are slash-separated, relative).
func skipStepFolders(names []string) []string {
	jobs := map[string]bool{}
	for _, n := range names {
		dir, base := path.Split(n)
		if m := jobLog.FindStringSubmatch(base); m != nil {
			jobs[dir+m[1]+"/"] = true
		}
	}
	if len(jobs) == 0 {
		return names
	}
	var out []string
	for _, n := range names {
		skip := false
		for dir := path.Dir(n); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if jobs[dir+"/"] {
				skip = true
				break
			}
		}
		if !skip {
			out = append(out, n)
		}
	}
	return out
}

func dirLogs(root string) ([]LogFile, error) {
	var names []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !isLogName(d.Name()) {
			return nil
		}
		if !d.Type().IsRegular() {
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to read log directory %s: %w", root, err)
	}
	var out []LogFile
	for _, n := range skipStepFolders(names) {
		p := filepath.Join(root, filepath.FromSlash(n))
		if isZip(p) {
			logs, err := zipLogs(p)
			if err != nil {
				return nil, err
			}
			out = append(out, logs...)
			continue
		}
		out = append(out, LogFile{Name: p, open: func() (io.ReadCloser, error) { return os.Open(p) }})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("log directory %s holds no log file (allowed: files named *%s, or without an extension)",
			root, strings.Join(LogExtensions[:len(LogExtensions)-1], ", *"))
	}
	return out, nil
}

func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return false
	}
	return string(magic[:]) == "PK\x03\x04" || string(magic[:]) == "PK\x05\x06"
}

func zipLogs(p string) ([]LogFile, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("failed to read zip archive %s: %w", p, err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !isLogName(f.Name) || strings.HasSuffix(strings.ToLower(f.Name), ".zip") {
			continue
		}
		names = append(names, f.Name)
	}
	var out []LogFile
	for _, n := range skipStepFolders(names) {
		out = append(out, LogFile{Name: p + "!" + n, open: func() (io.ReadCloser, error) { return openZipMember(p, n) }})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("zip archive %s holds no log file", p)
	}
	return out, nil
}

type zipMember struct {
	io.ReadCloser
	archive *zip.ReadCloser
}

func (m zipMember) Close() error {
	return errors.Join(m.ReadCloser.Close(), m.archive.Close())
}

func openZipMember(p, name string) (io.ReadCloser, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("failed to read zip archive %s: %w", p, err)
	}
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			zr.Close()
			return nil, fmt.Errorf("failed to read %s in %s: %w", name, p, err)
		}
		return zipMember{ReadCloser: rc, archive: zr}, nil
	}
	zr.Close()
	return nil, fmt.Errorf("failed to read %s in %s: no such member", name, p)
}
