package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestTrafficRecordsRequestsAndAnswers(t *testing.T) {
	t.Parallel()
	s := start(t, func(o *Options) { o.RecordTraffic = true })
	c := client(t, s)
	if _, _, err := c.Issues.AddLabelsToIssue(ctx(), "acme", "tools", 1, []string{"bug"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Repositories.Get(ctx(), "acme", "gone"); err == nil {
		t.Fatal("acme/gone: want 404")
	}
	resp, err := HTTPClientForTest(t).Get(s.URL() + "/_emulator/requests")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	got := s.Traffic()
	if len(got) != 2 {
		t.Fatalf("recorded %d exchanges, want 2 (control requests are not API traffic): %+v", len(got), got)
	}
	label := got[0]
	if label.Method != http.MethodPost || label.Path != "/repos/acme/tools/issues/1/labels" || label.Status != http.StatusOK {
		t.Errorf("first exchange %s %s → %d", label.Method, label.Path, label.Status)
	}
	if want := `["bug"]`; strings.TrimSpace(string(label.Body)) != want {
		t.Errorf("request body %s, want %s", label.Body, want)
	}
	if label.Auth != "Bearer" || label.Header.Get("Authorization") != "" {
		t.Errorf("auth %q, Authorization header %q: want the scheme only", label.Auth, label.Header.Get("Authorization"))
	}
	if !strings.Contains(string(label.ResponseBody), `"name":"bug"`) || label.ResponseHeader.Get("Content-Type") == "" {
		t.Errorf("answer not kept: %s %v", label.ResponseBody, label.ResponseHeader)
	}
	if got[1].Status != http.StatusNotFound || !strings.Contains(string(got[1].ResponseBody), "Not Found") {
		t.Errorf("second exchange %d %s", got[1].Status, got[1].ResponseBody)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Traffic()); n != 0 {
		t.Errorf("Reset left %d exchanges", n)
	}
}

func TestTrafficOffByDefault(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	if _, _, err := client(t, s).Repositories.Get(ctx(), "acme", "tools"); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Traffic()); n != 0 {
		t.Errorf("recorded %d exchanges without Options.RecordTraffic", n)
	}
}
