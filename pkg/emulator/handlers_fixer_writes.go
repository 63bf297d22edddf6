package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FileWrite is a recorded PUT /repos/{o}/{r}/contents/{path}.
type FileWrite struct {
	Repo    string `json:"repo"`
	Branch  string `json:"branch"`
	Path    string `json:"path"`
	Message string `json:"message"`
	// Content is the new file text; SHA its blob SHA; Commit the commit
	// the write created on Branch.
	Content string    `json:"content"`
	SHA     string    `json:"sha"`
	Commit  string    `json:"commit"`
	Created bool      `json:"created"` // the file did not exist on Branch
	Actor   string    `json:"actor"`
	Time    time.Time `json:"time"`
}

// fileWrites holds the files written on branches other than the fixture's
// contents (which are the default branch's).
type fileWrites struct {
	log   []FileWrite
	files map[string]map[string]string // lower-case repo → "branch\x00path" → text
}

func (st *state) writes() *fileWrites {
	if st.fileWrites == nil {
		st.fileWrites = &fileWrites{files: map[string]map[string]string{}}
	}
	return st.fileWrites
}

// FileWrites returns the file writes made through the contents API.
func (s *Server) FileWrites() []FileWrite {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FileWrite{}, s.st.writes().log...)
}

// fileOnBranch returns a file's text on a branch: a written version, or
// the fixture's contents (every branch starts from the default branch's).
func (c *call) fileOnBranch(rs *repoState, branch, path string) (string, bool) {
	if m := c.s.st.writes().files[strings.ToLower(rs.fx.FullName())]; m != nil {
		if text, ok := m[branch+"\x00"+path]; ok {
			return text, true
		}
	}
	text, ok := rs.fx.Files[path]
	return text, ok
}

// putContents creates or updates a file on a branch.
// https://docs.github.com/rest/repos/contents#create-or-update-file-contents
func (s *Server) putContents(c *call) {
	rs := c.repo
	path := strings.Trim(c.r.PathValue("path"), "/")
	var body struct {
		Message *string `json:"message"`
		Content *string `json:"content"`
		SHA     string  `json:"sha"`
		Branch  string  `json:"branch"`
	}
	if !c.decode(&body) {
		return
	}
	if body.Message == nil || body.Content == nil {
		field := "message"
		if body.Message != nil {
			field = "content"
		}
		c.validation("Invalid request.\n\n\""+field+"\" wasn't supplied.", ValidationError{Resource: "Contents", Field: field, Code: "missing_field"})
		return
	}
	data, err := base64.StdEncoding.DecodeString(*body.Content)
	if err != nil {
		c.validation("content is not valid Base64", ValidationError{Resource: "Contents", Field: "content", Code: "invalid"})
		return
	}
	branch := body.Branch
	if branch == "" {
		branch = rs.fx.DefaultBranch
	}
	b := rs.branch(branch)
	if b == nil {
		c.errorBody(http.StatusNotFound, "Branch "+branch+" not found")
		return
	}
	old, exists := c.fileOnBranch(rs, branch, path)
	switch {
	case exists && body.SHA == "":
		c.validation("Invalid request.\n\n\"sha\" wasn't supplied.", ValidationError{Resource: "Contents", Field: "sha", Code: "missing_field"})
		return
	case exists && body.SHA != blobSHA(old):
		c.errorBody(http.StatusConflict, fmt.Sprintf("%s does not match %s", path, body.SHA))
		return
	}
	text := string(data)
	if branch == rs.fx.DefaultBranch {
		if rs.fx.Files == nil {
			rs.fx.Files = map[string]string{}
		}
		rs.fx.Files[path] = text
	} else {
		w := c.s.st.writes()
		key := strings.ToLower(rs.fx.FullName())
		if w.files[key] == nil {
			w.files[key] = map[string]string{}
		}
		w.files[key][branch+"\x00"+path] = text
	}
	now := c.now
	parent := rs.completeCommit(b.Commit, b.Name).SHA
	commit := fakeSHA(fmt.Sprintf("%s#commit#%s#%s#%s", rs.fx.FullName(), parent, path, blobSHA(text)))
	b.Commit = Commit{SHA: commit, Author: c.login, Date: now, Message: *body.Message}
	sha := blobSHA(text)
	c.s.st.writes().log = append(c.s.st.writes().log, FileWrite{Repo: rs.fx.FullName(), Branch: branch, Path: path,
		Message: *body.Message, Content: text, SHA: sha, Commit: commit, Created: !exists, Actor: c.login, Time: now})
	c.addEvent(rs, "PushEvent", map[string]any{"ref": "refs/heads/" + branch, "head": commit, "before": parent, "size": 1})
	entry := c.contentEntry(rs, path, false, false)
	entry["sha"], entry["size"] = sha, len(text)
	entry["git_url"] = c.repoAPI(rs) + "/git/blobs/" + sha
	entry["html_url"] = repoHTML(rs) + "/blob/" + branch + "/" + path
	resp := map[string]any{"content": entry, "commit": map[string]any{
		"sha": commit, "node_id": nodeID("Commit", stableID(commit, 1_000_000)),
		"url": c.repoAPI(rs) + "/git/commits/" + commit, "html_url": repoHTML(rs) + "/commit/" + commit,
		"author":    map[string]any{"name": c.login, "email": c.login + "@users.noreply.github.com", "date": now.Format(time.RFC3339)},
		"committer": map[string]any{"name": c.login, "email": c.login + "@users.noreply.github.com", "date": now.Format(time.RFC3339)},
		"message":   *body.Message, "parents": []any{map[string]any{"sha": parent, "url": c.repoAPI(rs) + "/git/commits/" + parent}},
	}}
	if exists {
		c.ok(resp)
		return
	}
	c.created(resp)
}

// createPull opens a pull request from a branch of the same repository.
// https://docs.github.com/rest/pulls/pulls#create-a-pull-request
func (s *Server) createPull(c *call) {
	rs := c.repo
	var body struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		Head  string  `json:"head"`
		Base  string  `json:"base"`
		Draft bool    `json:"draft"`
	}
	if !c.decode(&body) {
		return
	}
	for field, v := range map[string]string{"head": body.Head, "base": body.Base} {
		if v == "" {
			c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Field: field, Code: "missing_field"})
			return
		}
	}
	if body.Title == nil || strings.TrimSpace(*body.Title) == "" {
		c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Field: "title", Code: "missing_field"})
		return
	}
	head := body.Head
	if owner, ref, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, rs.fx.Owner) {
			c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Field: "head", Code: "invalid"})
			return
		}
		head = ref
	}
	hb, bb := rs.branch(head), rs.branch(body.Base)
	if bb == nil {
		c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Field: "base", Code: "invalid"})
		return
	}
	if hb == nil {
		c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Field: "head", Code: "invalid"})
		return
	}
	for _, is := range rs.issues {
		if is.pull != nil && is.state == "open" && is.pull.head.Ref == head && (is.pull.head.Repo == "" || strings.EqualFold(is.pull.head.Repo, rs.fx.FullName())) {
			c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Code: "custom",
				Message: "A pull request already exists for " + rs.fx.Owner + ":" + head + "."})
			return
		}
	}
	headCommit, baseCommit := rs.completeCommit(hb.Commit, hb.Name), rs.completeCommit(bb.Commit, bb.Name)
	if headCommit.SHA == baseCommit.SHA {
		c.validation("Validation Failed", ValidationError{Resource: "PullRequest", Code: "custom",
			Message: "No commits between " + body.Base + " and " + head})
		return
	}
	now := c.now
	is := &issueState{number: rs.nextNumber(), title: *body.Title, user: c.login, state: "open", createdAt: now, updatedAt: now,
		pull: &pullState{draft: body.Draft, head: Ref{Ref: head, SHA: headCommit.SHA, Repo: rs.fx.FullName()},
			base: Ref{Ref: body.Base, SHA: baseCommit.SHA, Repo: rs.fx.FullName()}, commits: []Commit{headCommit}}}
	is.id = stableID(fmt.Sprintf("%s#issue#%d", rs.fx.FullName(), is.number), 1_000_000_000)
	if body.Body != nil {
		is.body = *body.Body
	}
	rs.issues = append(rs.issues, is)
	c.addEvent(rs, "PullRequestEvent", map[string]any{"action": "opened", "number": is.number})
	c.out.header.Set("Location", c.repoAPI(rs)+"/pulls/"+strconv.Itoa(is.number))
	c.created(c.pullJSON(rs, is, true))
}

// getContentsAtRef serves GET …/contents/{path}?ref=<branch> for a file
// written on that branch through PUT contents; everything else is the
// fixture's contents (getContents).
func (s *Server) getContentsAtRef(c *call) {
	rs := c.repo
	ref := strings.TrimPrefix(strings.TrimPrefix(c.r.URL.Query().Get("ref"), "refs/"), "heads/")
	path := strings.Trim(c.r.PathValue("path"), "/")
	if m := c.s.st.writes().files[strings.ToLower(rs.fx.FullName())]; m != nil && ref != "" {
		if text, ok := m[ref+"\x00"+path]; ok {
			entry := c.contentEntry(rs, path, false, false)
			sha := blobSHA(text)
			entry["sha"], entry["size"], entry["encoding"] = sha, len(text), "base64"
			entry["git_url"] = c.repoAPI(rs) + "/git/blobs/" + sha
			entry["content"] = base64.StdEncoding.EncodeToString([]byte(text)) + "\n"
			c.ok(entry)
			return
		}
	}
	s.getContents(c)
}
