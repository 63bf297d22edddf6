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

	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// Report is one decoded report. Exactly one of Monitor, Fixer and Stale is
// set, as Kind says.
type Report struct {
	Kind Kind
	// Path is the file the report was read from; "" for inline JSON.
	Path string
	// Time is the report's timestamp (zero when it has none).
	Time    time.Time
	Monitor *MonitorReport
	Fixer   *FixerReport
	Stale   *StaleReport
}

// Name is the report's path, or "inline JSON #n".
func (r Report) Name() string {
	if r.Path != "" {
		return r.Path
	}
	return "inline " + string(r.Kind) + " report"
}

// MonitorReport holds the fields of ecosystem_analysis.json (schema 2.x,
// actions/monitor) the alerts need. Decoding our own copy keeps the alert
// action working across additive schema changes.
type MonitorReport struct {
	SchemaVersion string                   `json:"schema_version"`
	Timestamp     time.Time                `json:"timestamp"`
	Domains       map[string]MonitorDomain `json:"domains"`
	Failures      []MonitorFailure         `json:"failures"`
	Partial       bool                     `json:"partial"`
	Missing       []string                 `json:"missing"`
	MissingReason string                   `json:"missing_reason"`
}

// MonitorDomain is one domain of the monitor report.
type MonitorDomain struct {
	HealthScore    *int     `json:"health_score"`
	Band           string   `json:"band"`
	Confidence     float64  `json:"confidence"`
	IssuesDetected []string `json:"issues_detected"`
	Findings       []struct {
		Severity  string `json:"severity"`
		Component string `json:"component"`
		Message   string `json:"message"`
	} `json:"findings"`
	Recommendations []string `json:"recommendations"`
	CI              struct {
		Runs      int        `json:"runs"`
		Successes int        `json:"successes"`
		Failures  int        `json:"failures"`
		LastGreen *time.Time `json:"last_green"`
	} `json:"ci"`
	OpenPullRequests  int    `json:"open_pull_requests"`
	StalePullRequests int    `json:"stale_pull_requests"`
	DefaultBranch     string `json:"default_branch"`
	URL               string `json:"url"`
	Archived          bool   `json:"archived"`
	Error             string `json:"error"`
	Status            int    `json:"status"`
}

// MonitorFailure is one failed job in the monitor report.
type MonitorFailure struct {
	Domain     string    `json:"domain"`
	Workflow   string    `json:"workflow"`
	RunID      int64     `json:"run_id"`
	RunAttempt int       `json:"run_attempt"`
	Job        string    `json:"job"`
	Step       string    `json:"step"`
	Conclusion string    `json:"conclusion"`
	HeadBranch string    `json:"head_branch"`
	HeadSHA    string    `json:"head_sha"`
	URL        string    `json:"url"`
	CreatedAt  time.Time `json:"created_at"`
	Analysis   *struct {
		Category    string   `json:"category"`
		Severity    string   `json:"severity"`
		RootCause   string   `json:"root_cause"`
		Line        int      `json:"line"`
		Suggestions []string `json:"suggestions"`
	} `json:"analysis"`
}

// FixerReport holds what the alerts need from failure_analysis.json
// (actions/fixer). The fixer's report was not final when this was written,
// so the decoder accepts the documented finding fields either at the top
// level (findings[]) or per analysed job (analyses[] / jobs[] with
// findings[]), and a bare JSON array of findings (the fixer's `failures`
// output).
type FixerReport struct {
	Timestamp  time.Time       `json:"timestamp"`
	Repository string          `json:"repository"`
	Domain     string          `json:"domain"`
	RunURL     string          `json:"run_url"`
	Findings   []FixerFinding  `json:"findings"`
	Analyses   []FixerAnalysis `json:"analyses"`
	Jobs       []FixerAnalysis `json:"jobs"`
}

// FixerAnalysis is the classification of one job log.
type FixerAnalysis struct {
	Source     string         `json:"source"`
	Job        string         `json:"job"`
	Repository string         `json:"repository"`
	URL        string         `json:"url"`
	Findings   []FixerFinding `json:"findings"`
}

// FixerFinding is one classified failure (actions/fixer Finding).
type FixerFinding struct {
	RuleID      string   `json:"rule_id"`
	Title       string   `json:"title"`
	Category    string   `json:"category"`
	Severity    string   `json:"severity"`
	Confidence  float64  `json:"confidence"`
	Pattern     string   `json:"pattern"`
	Line        int      `json:"line"`
	Text        string   `json:"text"`
	Suggestions []string `json:"suggestions"`
	Fingerprint string   `json:"fingerprint"`
	Occurrences int      `json:"occurrences"`
	RootCause   bool     `json:"root_cause"`
	Source      string   `json:"source"`
	Job         string   `json:"job"`
	Step        string   `json:"step"`
	Repository  string   `json:"repository"`
	Domain      string   `json:"domain"`
	URL         string   `json:"url"`
	Context     []struct {
		Line int    `json:"line"`
		Text string `json:"text"`
	} `json:"context"`
}

// StaleReport holds what the alerts need from stale_analysis.json
// (actions/stale Analysis).
type StaleReport struct {
	Timestamp     time.Time    `json:"timestamp"`
	Repository    string       `json:"repository"`
	Repositories  []string     `json:"repositories"`
	DryRun        bool         `json:"dry_run"`
	StalePRs      []StaleEntry `json:"stale_prs"`
	StaleIssues   []StaleEntry `json:"stale_issues"`
	StaleBranches []StaleEntry `json:"stale_branches"`
	Errors        []struct {
		Repository string `json:"repository"`
		Error      string `json:"error"`
	} `json:"errors"`
}

// StaleEntry is one stale item.
type StaleEntry struct {
	Repository   string  `json:"repository"`
	Number       int     `json:"number"`
	Title        string  `json:"title"`
	URL          string  `json:"url"`
	Author       string  `json:"author"`
	Branch       string  `json:"branch"`
	InactiveDays float64 `json:"inactive_days"`
	Decision     string  `json:"decision"`
	Reason       string  `json:"reason"`
}

// ReportError is a report that cannot be used: missing, unreadable, not
// JSON, or of no known kind. Input is the action input it came from.
type ReportError struct {
	Input  string // "reports"
	Value  string // the path, glob or "inline JSON"
	Reason string
}

func (e *ReportError) Error() string {
	return fmt.Sprintf("invalid %s value %q: %s", e.Input, e.Value, e.Reason)
}

// LoadReports reads the reports named by spec: inline JSON (a report object,
// or an array of report objects or of fixer findings) when spec starts with
// '{' or '[', otherwise a comma- or newline-separated list of paths and
// globs, relative to dir. Every glob must match and every file must be a
// known report; all problems are returned together.
func LoadReports(spec, dir string) ([]Report, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, &ReportError{Input: "reports", Value: "", Reason: "no report given: want paths or globs of ecosystem_analysis.json, failure_analysis.json or stale_analysis.json, or their JSON"}
	}
	if spec[0] == '{' || spec[0] == '[' {
		reps, err := decodeReports([]byte(spec), "")
		if err != nil {
			return nil, &ReportError{Input: "reports", Value: "inline JSON", Reason: err.Error()}
		}
		return reps, nil
	}
	var out []Report
	var errs []error
	seen := map[string]bool{}
	for _, item := range runner.SplitList(spec) {
		pattern := item
		if !filepath.IsAbs(pattern) && dir != "" {
			pattern = filepath.Join(dir, pattern)
		}
		var paths []string
		if strings.ContainsAny(item, "*?[") {
			m, err := filepath.Glob(pattern)
			if err != nil {
				errs = append(errs, &ReportError{Input: "reports", Value: item, Reason: "bad glob: " + err.Error()})
				continue
			}
			if len(m) == 0 {
				errs = append(errs, &ReportError{Input: "reports", Value: item, Reason: "the glob matches no file"})
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
				reason := "cannot be read: " + err.Error()
				if errors.Is(err, os.ErrNotExist) {
					reason = "no such file"
				}
				errs = append(errs, &ReportError{Input: "reports", Value: item, Reason: reason})
				continue
			}
			name := p
			if rel, rerr := filepath.Rel(dir, p); dir != "" && rerr == nil && !strings.HasPrefix(rel, "..") {
				name = rel
			}
			reps, err := decodeReports(data, filepath.ToSlash(name))
			if err != nil {
				errs = append(errs, &ReportError{Input: "reports", Value: filepath.ToSlash(name), Reason: err.Error()})
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

// DecodeReport decodes one report document and detects its kind.
func DecodeReport(data []byte, path string) (Report, error) {
	reps, err := decodeReports(data, path)
	if err != nil {
		return Report{}, err
	}
	if len(reps) != 1 {
		return Report{}, fmt.Errorf("want one report, got %d", len(reps))
	}
	return reps[0], nil
}

const knownKinds = "want ecosystem_analysis.json (domains, summary), failure_analysis.json (findings or analyses) or stale_analysis.json (stale_prs, stale_branches)"

func decodeReports(data []byte, path string) ([]Report, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("empty report: " + knownKinds)
	}
	if data[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, fmt.Errorf("not valid JSON: %v", err)
		}
		var out []Report
		var findings []FixerFinding
		for i, raw := range items {
			var keys map[string]json.RawMessage
			if err := json.Unmarshal(raw, &keys); err != nil {
				return nil, fmt.Errorf("element %d is not a JSON object", i)
			}
			if isFinding(keys) {
				var f FixerFinding
				if err := json.Unmarshal(raw, &f); err != nil {
					return nil, fmt.Errorf("element %d: %v", i, err)
				}
				findings = append(findings, f)
				continue
			}
			r, err := decodeObject(raw, keys, path)
			if err != nil {
				return nil, fmt.Errorf("element %d: %v", i, err)
			}
			out = append(out, r)
		}
		if len(findings) > 0 {
			out = append(out, Report{Kind: KindFixer, Path: path, Fixer: &FixerReport{Findings: findings}})
		}
		if len(out) == 0 {
			return nil, errors.New("empty JSON array: " + knownKinds)
		}
		return out, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	r, err := decodeObject(data, keys, path)
	if err != nil {
		return nil, err
	}
	return []Report{r}, nil
}

func isFinding(keys map[string]json.RawMessage) bool {
	_, cat := keys["category"]
	_, rule := keys["rule_id"]
	_, pat := keys["pattern"]
	return cat && (rule || pat)
}

func decodeObject(raw []byte, keys map[string]json.RawMessage, path string) (Report, error) {
	has := func(k string) bool { _, ok := keys[k]; return ok }
	r := Report{Path: path}
	switch {
	case has("domains") && has("summary"):
		var m MonitorReport
		if err := json.Unmarshal(raw, &m); err != nil {
			return r, fmt.Errorf("malformed ecosystem_analysis.json: %v", err)
		}
		r.Kind, r.Monitor, r.Time = KindMonitor, &m, m.Timestamp
	case has("stale_prs") || has("stale_branches") || has("stale_issues"):
		var s StaleReport
		if err := json.Unmarshal(raw, &s); err != nil {
			return r, fmt.Errorf("malformed stale_analysis.json: %v", err)
		}
		r.Kind, r.Stale, r.Time = KindStale, &s, s.Timestamp
	case has("findings") || has("analyses") || (has("jobs") && !has("domains")) || (has("failures") && !has("domains")):
		var f FixerReport
		if err := json.Unmarshal(raw, &f); err != nil {
			return r, fmt.Errorf("malformed failure_analysis.json: %v", err)
		}
		if err := decodeFixerFailures(keys["failures"], &f); err != nil {
			return r, fmt.Errorf("malformed failure_analysis.json: %v", err)
		}
		r.Kind, r.Fixer, r.Time = KindFixer, &f, f.Timestamp
	default:
		ks := make([]string, 0, len(keys))
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		if len(ks) > 8 {
			ks = append(ks[:8], "…")
		}
		return r, fmt.Errorf("unknown report kind (top-level keys: %s): %s", strings.Join(ks, ", "), knownKinds)
	}
	return r, nil
}

// decodeFixerFailures accepts a "failures" array of per-job analyses (with
// findings[]) or of findings, in case the fixer names its list that way.
func decodeFixerFailures(raw json.RawMessage, f *FixerReport) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return fmt.Errorf("failures: %v", err)
	}
	for i, it := range items {
		b, _ := json.Marshal(it)
		if _, ok := it["findings"]; ok {
			var an FixerAnalysis
			if err := json.Unmarshal(b, &an); err != nil {
				return fmt.Errorf("failures[%d]: %v", i, err)
			}
			f.Analyses = append(f.Analyses, an)
			continue
		}
		if isFinding(it) {
			var x FixerFinding
			if err := json.Unmarshal(b, &x); err != nil {
				return fmt.Errorf("failures[%d]: %v", i, err)
			}
			f.Findings = append(f.Findings, x)
		}
	}
	return nil
}
