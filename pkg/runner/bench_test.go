package runner

import (
	"io"
	"strings"
	"testing"
)

func BenchmarkEscapeLine(b *testing.B) {
	line := strings.Repeat("2024-05-01T12:00:00Z ##[error]step failed: std::string %0A::add-mask::x ", 20)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		_ = EscapeLine(line)
	}
}

func BenchmarkInfof(b *testing.B) {
	r, err := Load(Spec{Inputs: []Input{TokenInput()}}, WithStdout(io.Discard), WithGetenv(fakeEnv(map[string]string{"GITHUB_TOKEN": "ghp_0123456789abcdef"})))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r.Infof("repo %s: %d open PRs, title %q", "sparesparrow/mcp-servers", 12, "::error::evil\ntitle")
	}
}
