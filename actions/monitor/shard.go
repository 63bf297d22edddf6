package monitor

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// Shard is "i/n": this job reads the domains whose name hashes to i
// (1-based) of n. The zero value means no sharding.
type Shard struct {
	Index, Count int
}

// String is "i/n" ("" when not sharded).
func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ParseShard parses "i/n" with 1 <= i <= n; "" is no sharding.
func ParseShard(s string) (Shard, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Shard{}, nil
	}
	bad := &config.SettingError{Source: "input", Name: "shard", Value: s, Reason: "allowed: i/n with 1 <= i <= n, e.g. 1/4"}
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, bad
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, bad
	}
	return Shard{Index: i, Count: n}, nil
}

// Owns reports whether a domain belongs to this shard: FNV-1a of the full
// name, so the split depends only on the name and n.
func (s Shard) Owns(domain string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(domain)))
	return int(h.Sum32()%uint32(s.Count))+1 == s.Index
}

// ExpandReportPaths resolves merge_reports entries (paths or globs) into a
// sorted list of files; a pattern that matches nothing is an error.
func ExpandReportPaths(patterns []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range patterns {
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, &config.SettingError{Source: "input", Name: "merge_reports", Value: p, Reason: "not a valid glob: " + err.Error()}
		}
		if len(matches) == 0 {
			return nil, &config.SettingError{Source: "input", Name: "merge_reports", Value: p, Reason: "matches no file"}
		}
		for _, m := range matches {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// loadShardReports reads shard reports for merging. They must share the
// schema major version and settings (apart from the shard) and must not overlap;
// the merged timestamp is the latest shard's.
func loadShardReports(paths []string) (reportInput, error) {
	var in reportInput
	in.Domains = map[string]DomainReport{}
	var reasons []string
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return in, fmt.Errorf("failed to read shard report: %w", err)
		}
		doc, err := contract.Decode(data, p)
		if err != nil {
			return in, fmt.Errorf("failed to merge shard report: %w", err)
		}
		if doc.Ecosystem == nil {
			return in, fmt.Errorf("failed to merge %s: a %s report, want %s (the monitor's shard reports)", p, doc.Kind, contract.KindEcosystem)
		}
		r := *doc.Ecosystem
		settings := r.Settings
		settings.Shard = ""
		if i == 0 {
			in.Now, in.Settings = r.Timestamp, settings
		} else {
			// Matrix shards start seconds apart: the merged report carries
			// the latest shard's clock (each shard's window was measured
			// from its own).
			if r.Timestamp.After(in.Now) {
				in.Now = r.Timestamp
			}
			a, _ := json.Marshal(settings)
			b, _ := json.Marshal(in.Settings)
			if string(a) != string(b) {
				return in, fmt.Errorf("failed to merge %s: its settings differ from %s", p, paths[0])
			}
		}
		for name, d := range r.Domains {
			if _, dup := in.Domains[name]; dup {
				return in, fmt.Errorf("failed to merge %s: domain %s is in two shard reports", p, name)
			}
			in.Domains[name] = d
		}
		in.Failures = append(in.Failures, r.Failures...)
		in.Missing = append(in.Missing, r.Missing...)
		if r.Partial {
			in.Partial = true
			if r.MissingReason != "" {
				reasons = append(reasons, r.MissingReason)
			}
		}
		in.API = sumAPI(in.API, r.API)
	}
	if len(reasons) > 0 {
		in.Reason = reasons[0]
	}
	return in, nil
}

// sumAPI adds the counters of two API accounting objects; non-counter
// fields (remaining, reset, ...) keep the value with the lowest remaining.
func sumAPI(a, b map[string]any) map[string]any {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		av, aok := out[k].(float64)
		bv, bok := v.(float64)
		switch {
		case !aok || !bok:
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		case isAPICounter(k):
			out[k] = av + bv
		case k == "rate_limit_remaining" && bv < av:
			out[k] = bv
		}
	}
	return out
}

func isAPICounter(k string) bool {
	switch k {
	case "requests", "not_modified", "retries", "rate_limit_points", "secondary_waits",
		"primary_waits", "rate_limit_stops", "wait_seconds", "cache_entries", "cache_write_errors":
		return true
	}
	return false
}
