package report

import (
	"strings"
	"testing"
)

func BenchmarkMarkdown(b *testing.B) {
	s := strings.Repeat("Fix <script> in `main.go` | cc @octocat, mail a@b.com [x](javascript:y) ", 20)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Markdown(s)
	}
}

func BenchmarkTruncateSummary(b *testing.B) {
	s := strings.Repeat("| sparesparrow/repo | ✅ healthy | 12 | @octocat |\n", 40000) // ~2 MiB
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Truncate(s, 1024*1024, "\n_truncated_\n")
	}
}
