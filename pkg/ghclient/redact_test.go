package ghclient

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// TestRedactBodies_issueAndComment: what an action writes to GitHub (issue
// titles and bodies, comments, dispatch payloads) is redacted on the way
// out, with the values the run masked; repository content is not.
func TestRedactBodies_issueAndComment(t *testing.T) {
	t.Parallel()
	now := time.Now()
	f := emuFixture(now)
	f.Repositories[1].Branches = []emulator.Branch{{Name: "main", Commit: emulator.Commit{SHA: strings.Repeat("a", 40), Date: now}}}
	emu := emulator.StartForTest(t, f, emulator.Options{})
	c, err := New(Config{Token: testToken, APIURL: emu.URL(), Redactor: redact.New("masked-by-the-run-42")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	repo := emuRepos[1]
	secret := "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
	is, _, err := c.Issues.Create(ctx, emuOwner, repo, &github.IssueRequest{Title: github.String("token " + secret),
		Body: github.String("log line: masked-by-the-run-42 and AKIAIOSFODNN7EXAMPLE")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Issues.CreateComment(ctx, emuOwner, repo, is.GetNumber(), &github.IssueComment{Body: github.String("again " + secret)}); err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"text":"` + secret + `"}`)
	raw := json.RawMessage(payload)
	if _, _, err := c.Repositories.Dispatch(ctx, emuOwner, repo, github.DispatchRequestOptions{EventType: "e", ClientPayload: &raw}); err != nil {
		t.Fatal(err)
	}
	content := "password: hunter2-real-one\n"
	if _, _, err := c.Repositories.CreateFile(ctx, emuOwner, repo, "config.yml", &github.RepositoryContentFileOptions{
		Message: github.String("add"), Content: []byte(content), Branch: github.String("main")}); err != nil {
		t.Fatal(err)
	}
	st := emu.State()
	var text strings.Builder
	for _, r := range st.Repositories {
		for _, i := range r.Issues {
			text.WriteString(i.Title + "\n" + i.Body + "\n")
			for _, cm := range i.Comments {
				text.WriteString(cm.Body + "\n")
			}
		}
	}
	for _, d := range st.Dispatches {
		text.WriteString(d.ClientPayload["text"].(string) + "\n")
	}
	for _, leak := range []string{secret, "masked-by-the-run-42", "AKIAIOSFODNN7EXAMPLE"} {
		if strings.Contains(text.String(), leak) {
			t.Errorf("GitHub got %q:\n%s", leak, text.String())
		}
	}
	if n := strings.Count(text.String(), "[redacted: "); n != 5 {
		t.Errorf("%d markers, want 5:\n%s", n, text.String())
	}
	fc, _, _, err := c.Repositories.GetContents(ctx, emuOwner, repo, "config.yml", &github.RepositoryContentGetOptions{Ref: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := fc.GetContent(); got != content {
		t.Errorf("committed content = %q, want %q as given: repository content is not the program's text", got, content)
	}
}

func TestRedactBodies_kinds(t *testing.T) {
	t.Parallel()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.ContentLength != int64(len(b)) {
			t.Errorf("Content-Length %d for a %d-byte body", r.ContentLength, len(b))
		}
		got = append(got, string(b))
	}))
	t.Cleanup(srv.Close)
	hc := &http.Client{Transport: RedactBodies(nil, nil)}
	secret := "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
	bin := base64.StdEncoding.EncodeToString([]byte(secret))
	for _, tc := range []struct{ ctype, body, want string }{
		{"application/json", `{"text":"` + secret + `"}`, `{"text":"[redacted: github token]"}`},
		{"", `{"text":"` + secret + `"}`, `{"text":"[redacted: github token]"}`},
		{"text/plain; charset=utf-8", "x " + secret, "x [redacted: github token]"},
		{"application/x-www-form-urlencoded", "payload=" + secret, "payload=[redacted: github token]"},
		{"application/zip", secret, secret},
		{"application/json", bin, bin},
	} {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(tc.body))
		if tc.ctype != "" {
			req.Header.Set("Content-Type", tc.ctype)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if last := got[len(got)-1]; last != tc.want {
			t.Errorf("%s %q sent as %q, want %q", tc.ctype, tc.body, last, tc.want)
		}
	}
}
