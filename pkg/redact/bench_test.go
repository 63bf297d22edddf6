package redact

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// benchCorpus is every corpus log, concatenated in a stable order (about
// 1 MB of real-shaped CI output without secrets).
func benchCorpus(b *testing.B) string {
	logs := corpusLogs(b)
	names := make([]string, 0, len(logs))
	for n := range logs {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, n := range names {
		sb.WriteString(logs[n])
	}
	return sb.String()
}

// BenchmarkString measures String on the clean corpus (the common case:
// nothing to replace, nothing allocated), with 50 registered values, and
// with a secret planted every 40 lines; the baselines in the same run are
// strings.Count of "\n" (a memchr-speed pass) and one Go regexp for just
// the GitHub and AWS shapes, so the figures read as ratios.
func BenchmarkString(b *testing.B) {
	clean := benchCorpus(b)
	var planted strings.Builder
	for i, l := range strings.SplitAfter(clean, "\n") {
		planted.WriteString(l)
		if i%40 == 0 {
			fmt.Fprintf(&planted, "%secho %s AWS_ACCESS_KEY_ID=%s password=hunter2%d\n", ts, ghToken("p", byte(i)), awsKeyID, i)
		}
	}
	var values []string // what the runner masks: random-looking strings
	for i := range 50 {
		values = append(values, body(byte(100+i), 24))
	}
	var empty Redactor
	cases := []struct {
		name string
		r    *Redactor
		in   string
	}{
		{"clean", &empty, clean},
		{"clean_50_values", New(values...), clean},
		{"planted", &empty, planted.String()},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.in)))
			b.ReportAllocs()
			for b.Loop() {
				_ = c.r.String(c.in)
			}
		})
	}
	b.Run("baseline_count_newlines", func(b *testing.B) {
		b.SetBytes(int64(len(clean)))
		for b.Loop() {
			_ = strings.Count(clean, "\n")
		}
	})
	b.Run("baseline_regexp_github_aws", func(b *testing.B) {
		re := regexp.MustCompile(`gh[pousr]_[A-Za-z0-9_]{36,}|github_pat_[A-Za-z0-9_]{36,}|\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`)
		b.SetBytes(int64(len(clean)))
		for b.Loop() {
			_ = re.FindAllStringIndex(clean, -1)
		}
	})
}

// BenchmarkWriter measures the line-stream Writer on the clean corpus,
// written in 32 KiB chunks as io.Copy would.
func BenchmarkWriter(b *testing.B) {
	clean := benchCorpus(b)
	var r Redactor
	b.SetBytes(int64(len(clean)))
	b.ReportAllocs()
	for b.Loop() {
		w := r.Writer(io.Discard)
		for p := clean; p != ""; {
			n := min(32<<10, len(p))
			_, _ = io.WriteString(w, p[:n])
			p = p[n:]
		}
		_ = w.Close()
	}
}
