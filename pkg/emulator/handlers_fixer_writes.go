package emulator

import (
	"fmt"
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

// fileWrites is the log of writes through the contents API (the files
// themselves are in the commits they made, files.go).
type fileWrites struct {
	log []FileWrite
}

func (st *state) writes() *fileWrites {
	if st.fileWrites == nil {
		st.fileWrites = &fileWrites{}
	}
	return st.fileWrites
}

// FileWrites returns the file writes made through the contents API.
func (s *Server) FileWrites() []FileWrite {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FileWrite{}, s.st.writes().log...)
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
	c.addPullRequestEvent(rs, is, "opened")
	c.out.header.Set("Location", c.repoAPI(rs)+"/pulls/"+strconv.Itoa(is.number))
	c.created(c.pullJSON(rs, is, true))
}
