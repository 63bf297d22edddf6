package emulator

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

// TestPutContents covers the create-or-update shapes: 201 for a new file,
// 200 for an update with the old blob SHA, 409 for a stale SHA and 422
// when the SHA of an existing file is missing.
func TestPutContents(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	const path = ".github/workflows/ci.yml"
	old := testFixture().Repositories[0].Files[path]
	if _, _, err := c.Git.CreateRef(ctx(), "acme", "tools", &github.Reference{Ref: github.String("refs/heads/fix"),
		Object: &github.GitObject{SHA: github.String("1111111111111111111111111111111111111111")}}); err != nil {
		t.Fatal(err)
	}
	put := func(p, sha string, content string) (*github.RepositoryContentResponse, *github.Response, error) {
		opts := &github.RepositoryContentFileOptions{Message: github.String("Fix CI"), Content: []byte(content), Branch: github.String("fix")}
		if sha != "" {
			opts.SHA = github.String(sha)
		}
		return c.Repositories.UpdateFile(ctx(), "acme", "tools", p, opts)
	}
	wantStatus := func(name string, resp *github.Response, err error, status int) {
		t.Helper()
		if resp == nil || resp.StatusCode != status {
			t.Errorf("%s: status %v (err %v), want %d", name, resp, err, status)
		}
	}
	_, resp, err := put(path, "", old+"# x\n")
	wantStatus("missing sha", resp, err, http.StatusUnprocessableEntity)
	_, resp, err = put(path, strings.Repeat("0", 40), old+"# x\n")
	wantStatus("stale sha", resp, err, http.StatusConflict)
	got, resp, err := put(path, blobSHA(old), old+"# x\n")
	wantStatus("update", resp, err, http.StatusOK)
	if err == nil {
		if got.GetContent().GetSHA() != blobSHA(old+"# x\n") || got.GetContent().GetPath() != path || len(got.Commit.GetSHA()) != 40 {
			t.Errorf("update response = %+v", got)
		}
	}
	_, resp, err = put("docs/new.md", "", "# new\n")
	wantStatus("create", resp, err, http.StatusCreated)
	ws := s.FileWrites()
	if len(ws) != 2 || ws[0].Branch != "fix" || ws[0].Content != old+"# x\n" || !ws[1].Created {
		t.Errorf("writes = %+v", ws)
	}
	// The branch moved to the write's commit; the default branch did not.
	b, _, err := c.Repositories.GetBranch(ctx(), "acme", "tools", "fix", 0)
	if err != nil || b.GetCommit().GetSHA() != ws[1].Commit {
		t.Errorf("branch fix at %s, want %s (err %v)", b.GetCommit().GetSHA(), ws[1].Commit, err)
	}
	file, _, _, err := c.Repositories.GetContents(ctx(), "acme", "tools", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := file.GetContent(); text != old {
		t.Errorf("default branch changed: %q", text)
	}
	file, _, _, err = c.Repositories.GetContents(ctx(), "acme", "tools", path, &github.RepositoryContentGetOptions{Ref: "fix"})
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := file.GetContent(); text != old+"# x\n" || file.GetSHA() != blobSHA(old+"# x\n") {
		t.Errorf("branch fix serves %q (sha %s)", text, file.GetSHA())
	}
}

func TestCreatePull(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	c := client(t, s)
	if _, _, err := c.Git.CreateRef(ctx(), "acme", "tools", &github.Reference{Ref: github.String("refs/heads/fix"),
		Object: &github.GitObject{SHA: github.String("1111111111111111111111111111111111111111")}}); err != nil {
		t.Fatal(err)
	}
	newPull := &github.NewPullRequest{Title: github.String("Fix CI"), Head: github.String("fix"), Base: github.String("master"), Body: github.String("body")}
	_, resp, err := c.PullRequests.Create(ctx(), "acme", "tools", newPull)
	if resp == nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no commits: status %v, err %v; want 422", resp, err)
	}
	if _, _, err := c.Repositories.UpdateFile(ctx(), "acme", "tools", "README.md", &github.RepositoryContentFileOptions{
		Message: github.String("docs"), Content: []byte("# tools!\n"), Branch: github.String("fix"), SHA: github.String(blobSHA("# tools\n"))}); err != nil {
		t.Fatal(err)
	}
	pr, resp, err := c.PullRequests.Create(ctx(), "acme", "tools", newPull)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v", err)
	}
	if pr.GetHead().GetRef() != "fix" || pr.GetBase().GetRef() != "master" || pr.GetState() != "open" || pr.GetBody() != "body" {
		t.Errorf("pull = %+v", pr)
	}
	again, _, err := c.PullRequests.Get(ctx(), "acme", "tools", pr.GetNumber())
	if err != nil || again.GetTitle() != "Fix CI" {
		t.Errorf("get #%d: %v %+v", pr.GetNumber(), err, again)
	}
	_, resp, err = c.PullRequests.Create(ctx(), "acme", "tools", newPull)
	var ge *github.ErrorResponse
	if resp == nil || resp.StatusCode != http.StatusUnprocessableEntity || !errors.As(err, &ge) ||
		len(ge.Errors) == 0 || ge.Errors[0].Message != "A pull request already exists for acme:fix." {
		t.Errorf("duplicate: status %v, err %v; want 422 already exists", resp, err)
	}
	var open int
	for _, r := range s.State().Repositories {
		for _, p := range r.Pulls {
			if p.Head.Ref == "fix" {
				open++
			}
		}
	}
	if open != 1 {
		t.Errorf("%d pulls from fix in the state, want 1", open)
	}
}

// TestWorkflowFilesNeedTheWorkflowsPermission: a contents write under
// .github/workflows is 404 for a GITHUB_TOKEN (which never has the
// workflows permission, whatever its permissions say) and for an App token
// without workflows: write, and changes nothing; other paths are written.
func TestWorkflowFilesNeedTheWorkflowsPermission(t *testing.T) {
	t.Parallel()
	f := testFixture()
	f.Tokens = map[string]Token{
		"gh_token":   {Kind: TokenGitHubToken, Repository: "acme/tools", Permissions: map[string]string{"contents": "write"}},
		"ghp_noflow": {Login: "octo", Permissions: map[string]string{"contents": "write"}},
		"ghp_flow":   {Login: "octo", Permissions: map[string]string{"contents": "write", "workflows": "write"}},
	}
	s := StartForTest(t, f, Options{Now: fixedNow})
	const path = ".github/workflows/ci.yml"
	old := testFixture().Repositories[0].Files[path]
	tests := []struct {
		token, path string
		want        int
	}{
		{"gh_token", path, http.StatusNotFound},
		{"ghp_noflow", path, http.StatusNotFound},
		{"gh_token", "docs/notes.md", http.StatusCreated},
		{"ghp_flow", path, http.StatusOK},
	}
	for _, tt := range tests {
		c := tokenClient(t, s, tt.token)
		opts := &github.RepositoryContentFileOptions{Message: github.String("Fix CI"), Content: []byte(old + "# x\n")}
		if tt.path == path {
			opts.SHA = github.String(blobSHA(old))
		}
		_, resp, err := c.Repositories.UpdateFile(ctx(), "acme", "tools", tt.path, opts)
		if resp == nil || resp.StatusCode != tt.want {
			t.Errorf("%s writing %s: %v (err %v), want %d", tt.token, tt.path, resp, err, tt.want)
		}
	}
	var wrote []string
	for _, w := range s.FileWrites() {
		wrote = append(wrote, w.Actor+" "+w.Path)
	}
	if want := []string{"github-actions[bot] docs/notes.md", "octo " + path}; strings.Join(wrote, ",") != strings.Join(want, ",") {
		t.Errorf("writes %q, want %q", wrote, want)
	}
}
