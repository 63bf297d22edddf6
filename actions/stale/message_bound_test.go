package stale

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRenderMessageFitsAComment: a template within its input bound can
// still expand past GitHub's 65,536-character body limit; the rendered
// message is cut to fit with the marker (which shares the body).
func TestRenderMessageFitsAComment(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("{{.Label}} ", 6000) // 66,000 characters of input expand further
	got, err := renderMessage("stale_pr_message", text, MessageData{Label: "a-long-label-name"})
	if err != nil {
		t.Fatal(err)
	}
	body := MarkerWarning + "\n" + got
	if n := utf8.RuneCountInString(body); n > 65536 {
		t.Errorf("comment body is %d characters, GitHub allows 65536", n)
	}
	if !strings.Contains(got, "message cut to fit") {
		t.Error("the cut is not said")
	}
}
