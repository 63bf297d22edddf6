package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// Report is one decoded report (pkg/contract). Exactly one of Monitor,
// Fixer and Stale is set, as Kind says.
type Report struct {
	Kind Kind
	// Path is the file the report was read from; "" for inline JSON.
	Path string
	// Time is the report's timestamp (zero when it has none).
	Time    time.Time
	Monitor *contract.EcosystemAnalysis
	Fixer   *contract.FailureAnalysis
	Stale   *contract.StaleAnalysis
}

// Name is the report's path, or "inline <kind> report".
func (r Report) Name() string {
	if r.Path != "" {
		return r.Path
	}
	return "inline " + string(r.Kind) + " report"
}

// reportsAllowed says what the reports input takes.
const reportsAllowed = "paths or globs of ecosystem_analysis.json, failure_analysis.json or stale_analysis.json files, or a report's JSON"

// LoadReports reads the reports named by spec: inline JSON (a report object,
// or an array of report objects or of fixer findings) when spec starts with
// '{' or '[', otherwise a comma- or newline-separated list of paths and
// globs, relative to dir. Every glob must match and every file must be a
// report of a kind and major version this build reads; all problems are
// returned together, each a *config.SettingError about the reports input.
func LoadReports(spec, dir string) ([]Report, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, &config.SettingError{Source: config.InputSource, Name: "reports", Value: "", Reason: "no report given: want paths or globs of ecosystem_analysis.json, failure_analysis.json or stale_analysis.json, or their JSON", Allowed: reportsAllowed}
	}
	if spec[0] == '{' || spec[0] == '[' {
		reps, err := decodeReports([]byte(spec), "", "inline JSON")
		if err != nil {
			return nil, &config.SettingError{Source: config.InputSource, Name: "reports", Value: spec, Reason: "is inline JSON that is not a report: " + reason(err), Allowed: reportsAllowed}
		}
		return reps, nil
	}
	var out []Report
	var errs []error
	seen := map[string]bool{}
	for _, item := range splitList(spec) {
		pattern := item
		if !filepath.IsAbs(pattern) && dir != "" {
			pattern = filepath.Join(dir, pattern)
		}
		var paths []string
		if strings.ContainsAny(item, "*?[") {
			m, err := filepath.Glob(pattern)
			if err != nil {
				errs = append(errs, &config.SettingError{Source: config.InputSource, Name: "reports", Value: item, Reason: "bad glob: " + err.Error(), Allowed: reportsAllowed})
				continue
			}
			if len(m) == 0 {
				errs = append(errs, &config.SettingError{Source: config.InputSource, Name: "reports", Value: item, Reason: "the glob matches no file", Allowed: reportsAllowed})
				continue
			}
			sort.Strings(m)
			paths = m
		} else {
			paths = []string{pattern}
		}
		for _, p := range paths {
			if seen[p] {
				continue
			}
			seen[p] = true
			data, err := os.ReadFile(p)
			if err != nil {
				r := "cannot be read: " + err.Error()
				if errors.Is(err, os.ErrNotExist) {
					r = "no such file"
				}
				errs = append(errs, &config.SettingError{Source: config.InputSource, Name: "reports", Value: item, Reason: r, Allowed: reportsAllowed})
				continue
			}
			name := p
			if rel, rerr := filepath.Rel(dir, p); dir != "" && rerr == nil && !strings.HasPrefix(rel, "..") {
				name = rel
			}
			name = filepath.ToSlash(name)
			reps, err := decodeReports(data, name, name)
			if err != nil {
				errs = append(errs, &config.SettingError{Source: config.InputSource, Name: "reports", Value: name, Reason: reason(err), Allowed: reportsAllowed})
				continue
			}
			out = append(out, reps...)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// reason is an error's message without the file name the *config.SettingError
// already carries as its value.
func reason(err error) string {
	var ve *contract.VersionError
	if errors.As(err, &ve) {
		return ve.Detail()
	}
	return err.Error()
}

// splitList splits a comma- or newline-separated list, dropping empty
// entries.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// DecodeReport decodes one report document by its kind.
func DecodeReport(data []byte, path string) (Report, error) {
	reps, err := decodeReports(data, path, nonEmpty(path, "inline JSON"))
	if err != nil {
		return Report{}, err
	}
	if len(reps) != 1 {
		return Report{}, fmt.Errorf("want one report, got %d", len(reps))
	}
	return reps[0], nil
}

// decodeReports decodes a report object, or an array of report objects and
// of fixer findings (the fixer's `failures` output), which become one
// failure analysis.
func decodeReports(data []byte, path, name string) ([]Report, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '[' {
		r, err := decodeObject(data, path, name)
		if err != nil {
			return nil, err
		}
		return []Report{r}, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	var out []Report
	var findings []contract.Finding
	for i, raw := range items {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			return nil, fmt.Errorf("element %d is not a JSON object", i)
		}
		if isFinding(keys) {
			var f contract.Finding
			if err := json.Unmarshal(raw, &f); err != nil {
				return nil, fmt.Errorf("element %d: %v", i, err)
			}
			findings = append(findings, f)
			continue
		}
		r, err := decodeObject(raw, path, fmt.Sprintf("%s element %d", name, i))
		if err != nil {
			return nil, fmt.Errorf("element %d: %v", i, err)
		}
		out = append(out, r)
	}
	if len(findings) > 0 {
		out = append(out, Report{Kind: KindFixer, Path: path, Fixer: &contract.FailureAnalysis{Failures: findings}})
	}
	if len(out) == 0 {
		return nil, errors.New("empty JSON array: want reports or fixer findings")
	}
	return out, nil
}

// isFinding recognises a fixer finding in a bare array.
func isFinding(keys map[string]json.RawMessage) bool {
	_, cat := keys["category"]
	_, rule := keys["rule_id"]
	_, pat := keys["pattern"]
	return cat && (rule || pat)
}

func decodeObject(raw []byte, path, name string) (Report, error) {
	doc, err := contract.Decode(raw, name)
	if err != nil {
		return Report{Path: path}, stripName(err, name)
	}
	r := Report{Path: path, Time: doc.Time()}
	switch doc.Kind {
	case contract.KindEcosystem:
		r.Kind, r.Monitor = KindMonitor, doc.Ecosystem
	case contract.KindFailure:
		r.Kind, r.Fixer = KindFixer, doc.Failure
	case contract.KindStale:
		r.Kind, r.Stale = KindStale, doc.Stale
	default:
		return r, fmt.Errorf("a %s report is not an input of the alert action: want ecosystem_analysis, failure_analysis or stale_analysis", doc.Kind)
	}
	return r, nil
}

// stripName drops the "name: " prefix contract.Decode puts on its errors
// (the *config.SettingError names the file); a *VersionError is kept whole.
func stripName(err error, name string) error {
	var ve *contract.VersionError
	if errors.As(err, &ve) {
		return err
	}
	return errors.New(strings.TrimPrefix(err.Error(), name+": "))
}
