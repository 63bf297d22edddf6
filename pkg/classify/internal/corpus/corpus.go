// Package corpus loads the labelled CI log corpora in testdata/fixer and
// scores a classifier on them: the corpus written together with the rules
// (testdata/fixer/corpus, labels.yaml) and the public corpus of excerpts
// from public threads (testdata/fixer/public/{dev,validation}, manifest.yaml;
// its README is the labelling guide).
package corpus

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ClassNone labels a log that shows no failure.
const ClassNone = "none"

// Classes are the labels a log can carry: the classifier's categories
// (without its catch-all "unknown") and ClassNone.
var Classes = []string{"conan", "fips", "workflow", "build", "test", "deployment", "infrastructure", ClassNone}

// Halves of the public corpus, in the order they are dealt.
const (
	HalfDev        = "dev"
	HalfValidation = "validation"
)

// Case is one labelled log.
type Case struct {
	// Name identifies the log within its corpus (a path relative to it).
	Name string
	// Path is the file to classify.
	Path string
	// Class is the labelled root-cause class, ClassNone for a green log.
	Class string
	// Lines are the lines accepted as the root cause, the labelled one
	// first; empty for a green log.
	Lines []string
	// Rule is the expected rule id where the corpus names one.
	Rule string
	// Source is the public address the log was copied from, if any.
	Source string
	// Batch is the public corpus's split batch the log came in (0 for the
	// existing corpus).
	Batch int
}

// Entry is one log of a public manifest.
type Entry struct {
	File      string   `yaml:"file"`
	Batch     int      `yaml:"batch"`
	Class     string   `yaml:"class"`
	Tool      string   `yaml:"tool"`
	Source    string   `yaml:"source"`
	RootCause string   `yaml:"root_cause"`
	Also      []string `yaml:"also"`
	Note      string   `yaml:"note"`
}

// Manifest describes one half of the public corpus (manifest.yaml).
type Manifest struct {
	Half string  `yaml:"half"`
	Logs []Entry `yaml:"logs"`
}

// ReadManifest reads dir/manifest.yaml; unknown keys are errors.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, "manifest.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read manifest: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", path, err)
	}
	return &m, nil
}

// LoadPublic returns the cases of one half of the public corpus.
func LoadPublic(dir string) ([]Case, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	cases := make([]Case, 0, len(m.Logs))
	for _, e := range m.Logs {
		c := Case{Name: e.File, Path: filepath.Join(dir, e.File), Class: e.Class, Source: e.Source, Batch: e.Batch}
		if e.RootCause != "" {
			c.Lines = append([]string{e.RootCause}, e.Also...)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

type label struct {
	Category string `yaml:"category"`
	Rule     string `yaml:"rule"`
	Line     int    `yaml:"line"`
}

// LoadLabels returns the cases of a corpus described by labels.yaml (file ->
// category, rule and root-cause line number); the labelled line's text is
// read from the log.
func LoadLabels(dir string) ([]Case, error) {
	data, err := os.ReadFile(filepath.Join(dir, "labels.yaml"))
	if err != nil {
		return nil, fmt.Errorf("failed to read labels: %w", err)
	}
	var labels map[string]label
	if err := yaml.Unmarshal(data, &labels); err != nil {
		return nil, fmt.Errorf("failed to parse labels: %w", err)
	}
	names := make([]string, 0, len(labels))
	for name := range labels {
		names = append(names, name)
	}
	sort.Strings(names)
	cases := make([]Case, 0, len(names))
	for _, name := range names {
		l := labels[name]
		c := Case{Name: name, Path: filepath.Join(dir, name), Class: l.Category, Rule: l.Rule}
		if l.Line > 0 {
			text, err := lineOf(c.Path, l.Line)
			if err != nil {
				return nil, err
			}
			c.Lines = []string{text}
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// lineOf returns line n (1-based) of the file at path.
func lineOf(path string, n int) (string, error) {
	lines, err := readLines(path)
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(lines) {
		return "", fmt.Errorf("%s has %d lines, no line %d", path, len(lines), n)
	}
	return lines[n-1], nil
}

// readLines returns the lines of a file without their line terminators.
func readLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read log: %w", err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

// Deal assigns sources (address -> class of its logs) to halves: within each
// class the addresses are sorted by the hex SHA-256 of the address and dealt
// alternately to HalfDev and HalfValidation, HalfDev first. It is the split
// rule of one batch of the public corpus.
func Deal(sources map[string]string) map[string]string {
	byClass := map[string][]string{}
	for src, class := range sources {
		byClass[class] = append(byClass[class], src)
	}
	half := make(map[string]string, len(sources))
	for _, srcs := range byClass {
		sort.Slice(srcs, func(i, j int) bool { return digest(srcs[i]) < digest(srcs[j]) })
		for i, src := range srcs {
			half[src] = HalfDev
			if i%2 == 1 {
				half[src] = HalfValidation
			}
		}
	}
	return half
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

var (
	ansiRE      = regexp.MustCompile(`\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])`)
	timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z(?: |$)`)
)

// Normalize returns a log line as it is compared: without GitHub's timestamp
// prefix, ANSI escape sequences, carriage returns and surrounding white
// space.
func Normalize(line string) string {
	line = strings.ReplaceAll(line, "\r", "")
	line = ansiRE.ReplaceAllString(line, "")
	line = timestampRE.ReplaceAllString(line, "")
	return strings.TrimSpace(line)
}

// LineMatches reports whether the line a classifier chose names the labelled
// root cause: after Normalize, it contains one of the accepted lines.
func LineMatches(chosen string, accepted []string) bool {
	chosen = Normalize(chosen)
	for _, want := range accepted {
		if want = Normalize(want); want != "" && strings.Contains(chosen, want) {
			return true
		}
	}
	return false
}

// ValidClass reports whether class is one of Classes.
func ValidClass(class string) bool { return slices.Contains(Classes, class) }
