package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Repository contents. The fixture's Files are the files of every commit
// the fixture names (branch heads, tags, run and pull-request commits);
// each write through PUT …/contents/{path} makes a commit whose files are
// its parent's plus the written one. GET …/contents/{path}?ref= serves the
// files of that ref: a branch, a tag or a commit SHA.

// fileCommit is a commit made through the contents API.
type fileCommit struct {
	Commit
	parent string
	// files holds every file written since the fixture, up to this commit.
	files map[string]string
}

// resolveRef returns the commit a ref names: "" is the default branch;
// then a branch ("main", "heads/main", "refs/heads/main"), a tag
// ("v1", "tags/v1", "refs/tags/v1") or a commit SHA (7+ hex digits).
func (rs *repoState) resolveRef(ref string) (string, bool) {
	if ref == "" {
		ref = rs.fx.DefaultBranch
	}
	if cm, ok := rs.findCommit(ref); ok {
		return cm.SHA, true
	}
	if c := rs.writtenCommit(ref); c != nil {
		return c.SHA, true
	}
	return "", false
}

// writtenCommit finds a commit made through the contents API by SHA or
// SHA prefix (7+).
func (rs *repoState) writtenCommit(sha string) *fileCommit {
	if len(sha) < 7 {
		return nil
	}
	if c := rs.commits[sha]; c != nil {
		return c
	}
	for k, c := range rs.commits {
		if strings.HasPrefix(k, sha) {
			return c
		}
	}
	return nil
}

// fileAt returns a file's text at a commit.
func (rs *repoState) fileAt(sha, path string) (string, bool) {
	if c := rs.commits[sha]; c != nil {
		if text, ok := c.files[path]; ok {
			return text, true
		}
	}
	text, ok := rs.fx.Files[path]
	return text, ok
}

// pathsAt lists every file path at a commit.
func (rs *repoState) pathsAt(sha string) []string {
	seen := map[string]bool{}
	var out []string
	for p := range rs.fx.Files {
		seen[p] = true
		out = append(out, p)
	}
	if c := rs.commits[sha]; c != nil {
		for p := range c.files {
			if !seen[p] {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// defaultHead is the commit the default branch points to.
func (rs *repoState) defaultHead() string {
	sha, _ := rs.resolveRef("")
	return sha
}

// contentEntry is a content-file (withContent) or a directory entry.
func (c *call) contentEntry(rs *repoState, ref, sha, path string, isDir, withContent bool) map[string]any {
	q := "?ref=" + url.QueryEscape(ref)
	api := c.repoAPI(rs) + "/contents/" + path
	html := repoHTML(rs) + "/blob/" + ref + "/" + path
	git := c.repoAPI(rs) + "/git/blobs/"
	typ, blob, size := "file", "", 0
	var download any
	text := ""
	if isDir {
		typ, blob = "dir", fakeSHA(rs.fx.FullName()+"#tree#"+sha+"#"+path)
		html = repoHTML(rs) + "/tree/" + ref + "/" + path
		git = c.repoAPI(rs) + "/git/trees/"
	} else {
		text, _ = rs.fileAt(sha, path)
		blob, size = blobSHA(text), len(text)
		download = c.downloadURL(controlPrefix + "download/raw/" + rs.fx.FullName() + "/" + sha + "/" + path)
	}
	m := map[string]any{
		"type": typ, "size": size, "name": baseName(path), "path": path, "sha": blob, "url": api + q,
		"git_url": git + blob, "html_url": html, "download_url": download,
		"_links": map[string]any{"self": api + q, "git": git + blob, "html": html},
	}
	if withContent && !isDir {
		enc := base64.StdEncoding.EncodeToString([]byte(text))
		var lines []string
		for len(enc) > 60 {
			lines = append(lines, enc[:60])
			enc = enc[60:]
		}
		lines = append(lines, enc)
		m["content"] = strings.Join(lines, "\n") + "\n"
		m["encoding"] = "base64"
	}
	return m
}

// getContents answers GET …/contents/{path}: the file or directory at the
// ref (default: the default branch), 404 when the ref or the path does not
// exist there.
// https://docs.github.com/rest/repos/contents#get-repository-content
func (s *Server) getContents(c *call) {
	rs := c.repo
	ref := c.r.URL.Query().Get("ref")
	sha, ok := rs.resolveRef(ref)
	if !ok {
		c.errorBody(http.StatusNotFound, "No commit found for the ref "+ref)
		return
	}
	if ref == "" {
		ref = rs.fx.DefaultBranch
	}
	path := strings.Trim(c.r.PathValue("path"), "/")
	if _, ok := rs.fileAt(sha, path); ok && path != "" {
		c.ok(c.contentEntry(rs, ref, sha, path, false, true))
		return
	}
	prefix := path + "/"
	if path == "" {
		prefix = ""
	}
	seen := map[string]bool{}
	var entries []map[string]any
	for _, p := range rs.pathsAt(sha) {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		name, _, isDir := strings.Cut(rest, "/")
		if seen[name] {
			continue
		}
		seen[name] = true
		entries = append(entries, c.contentEntry(rs, ref, sha, prefix+name, isDir, false))
	}
	if len(entries) == 0 {
		c.notFound()
		return
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i]["name"].(string) < entries[j]["name"].(string) })
	c.ok(entries)
}

// mayWriteWorkflows reports whether the token may create or change files
// under .github/workflows: a GitHub App token needs the workflows
// permission, a user token the workflow scope (the fixture's permissions
// "workflows" or "workflow" at write), and a GITHUB_TOKEN never has it.
// Without it GitHub answers a contents write there 404 Not Found (pushes
// get "refusing to allow a GitHub App to create or update workflow … without
// `workflows` permission"; https://github.com/octokit/rest.js/issues/368,
// https://github.com/github/docs/issues/11490).
func (c *call) mayWriteWorkflows() bool {
	if c.cred.kind == TokenGitHubToken {
		return false
	}
	if len(c.perms) == 0 {
		return true
	}
	for k, v := range c.perms {
		k, v = strings.ToLower(k), strings.ToLower(v)
		if (k == "workflows" || k == "workflow") && (v == "write" || v == "admin") {
			return true
		}
	}
	return false
}

// putContents creates or updates a file on a branch: a new commit on top
// of the branch's head.
// https://docs.github.com/rest/repos/contents#create-or-update-file-contents
func (s *Server) putContents(c *call) {
	rs := c.repo
	path := strings.Trim(c.r.PathValue("path"), "/")
	if strings.HasPrefix(path, ".github/workflows/") && !c.mayWriteWorkflows() {
		c.notFound()
		return
	}
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
	parent := rs.completeCommit(b.Commit, b.Name).SHA
	old, exists := rs.fileAt(parent, path)
	switch {
	case exists && body.SHA == "":
		c.validation("Invalid request.\n\n\"sha\" wasn't supplied.", ValidationError{Resource: "Contents", Field: "sha", Code: "missing_field"})
		return
	case exists && body.SHA != blobSHA(old):
		c.errorBody(http.StatusConflict, fmt.Sprintf("%s does not match %s", path, body.SHA))
		return
	}
	text := string(data)
	now := c.now
	sha := blobSHA(text)
	commit := fakeSHA(fmt.Sprintf("%s#commit#%s#%s#%s", rs.fx.FullName(), parent, path, sha))
	files := map[string]string{}
	if pc := rs.commits[parent]; pc != nil {
		for k, v := range pc.files {
			files[k] = v
		}
	}
	files[path] = text
	if rs.commits == nil {
		rs.commits = map[string]*fileCommit{}
	}
	b.Commit = Commit{SHA: commit, Author: c.login, Date: now, Message: *body.Message}
	rs.commits[commit] = &fileCommit{Commit: b.Commit, parent: parent, files: files}
	if branch == rs.fx.DefaultBranch {
		rs.fx.PushedAt = now
	}
	w := c.s.st.writes()
	w.log = append(w.log, FileWrite{Repo: rs.fx.FullName(), Branch: branch, Path: path,
		Message: *body.Message, Content: text, SHA: sha, Commit: commit, Created: !exists, Actor: c.login, Time: now})
	c.addPushEvent(rs, branch, parent, commit, *body.Message)
	entry := c.contentEntry(rs, branch, commit, path, false, false)
	who := map[string]any{"name": c.login, "email": c.login + "@users.noreply.github.com", "date": now.UTC().Format(time.RFC3339)}
	resp := map[string]any{"content": entry, "commit": map[string]any{
		"sha": commit, "node_id": nodeID("Commit", stableID(commit, 1_000_000)),
		"url": c.repoAPI(rs) + "/git/commits/" + commit, "html_url": repoHTML(rs) + "/commit/" + commit,
		"author": who, "committer": who, "message": *body.Message,
		"tree":         map[string]any{"sha": fakeSHA(commit + "^{tree}"), "url": c.repoAPI(rs) + "/git/trees/" + fakeSHA(commit+"^{tree}")},
		"parents":      []any{map[string]any{"sha": parent, "url": c.repoAPI(rs) + "/git/commits/" + parent, "html_url": repoHTML(rs) + "/commit/" + parent}},
		"verification": map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil},
	}}
	if exists {
		c.ok(resp)
		return
	}
	c.created(resp)
}
