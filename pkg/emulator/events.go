package emulator

import (
	"fmt"
	"strconv"
	"strings"
)

// Events API payloads. A fixture writes payloads compactly: an issue as
// {number, title}, a comment as {id, body, user: {login}}, a pull request
// as {number}. GET …/events serves each in the shape of the description's
// per-type payload schema (create-event, issues-event, …), filling in the
// objects from the state (the issue, pull request or comment of that
// number or id) or from the stub itself. Payloads the emulator writes are
// complete already and pass through unchanged.

// servedPayload is the payload GET …/events serves for an event.
func (c *call) servedPayload(rs *repoState, e Event) map[string]any {
	if !rs.fixtureEvents[e.ID] {
		if e.Payload == nil {
			return map[string]any{}
		}
		return e.Payload // written by the emulator: complete as it is
	}
	p := map[string]any{}
	for k, v := range e.Payload {
		p[k] = v
	}
	stub := func(key string) map[string]any {
		m, _ := p[key].(map[string]any)
		if m == nil || m["node_id"] != nil {
			return nil // absent, or complete already
		}
		return m
	}
	switch e.Type {
	case "CreateEvent", "DeleteEvent":
		ref, _ := p["ref"].(string)
		if _, ok := p["full_ref"]; !ok {
			switch p["ref_type"] {
			case "tag":
				p["full_ref"] = "refs/tags/" + ref
			case "branch":
				p["full_ref"] = "refs/heads/" + ref
			default:
				p["full_ref"] = ref
			}
		}
		if _, ok := p["pusher_type"]; !ok {
			p["pusher_type"] = "user"
		}
		if e.Type == "CreateEvent" {
			if _, ok := p["master_branch"]; !ok {
				p["master_branch"] = rs.fx.DefaultBranch
			}
		}
	case "PushEvent":
		if _, ok := p["repository_id"]; !ok {
			p["repository_id"] = rs.id
		}
		if _, ok := p["push_id"]; !ok {
			p["push_id"] = stableID(rs.fx.FullName()+"#push#"+e.ID, 10_000_000_000)
		}
	case "IssuesEvent":
		if m := stub("issue"); m != nil {
			p["issue"] = c.stubIssue(rs, m)
		}
		c.fillLabelAndAssignee(rs, p)
	case "IssueCommentEvent":
		var is *issueState
		if m, _ := p["issue"].(map[string]any); m != nil {
			is = rs.issue(intOf(m["number"]))
		}
		if m := stub("issue"); m != nil {
			p["issue"] = c.stubIssue(rs, m)
		}
		if m := stub("comment"); m != nil && is != nil {
			cm := &Comment{ID: int64(intOf(m["id"])), User: loginOf(m["user"], e.Actor), Body: fmt.Sprint(valueOr(m["body"], "")), CreatedAt: e.CreatedAt, UpdatedAt: e.CreatedAt}
			if _, known, _ := rs.comment(cm.ID); known != nil {
				cm = known
			}
			p["comment"] = c.commentJSON(rs, is, cm)
		}
	case "PullRequestEvent":
		if m := stub("pull_request"); m != nil {
			p["pull_request"] = c.stubPullMinimal(rs, m, p["number"])
		}
		if _, ok := p["number"]; !ok {
			if m, _ := p["pull_request"].(map[string]any); m != nil {
				p["number"] = m["number"]
			}
		}
		c.fillLabelAndAssignee(rs, p)
	case "PullRequestReviewEvent":
		if m := stub("pull_request"); m != nil {
			p["pull_request"] = c.stubPullMinimal(rs, m, nil)
		}
		if m, _ := p["review"].(map[string]any); m != nil {
			p["review"] = c.withUser(m, "user", e.Actor)
		}
	case "PullRequestReviewCommentEvent":
		pr, _ := p["pull_request"].(map[string]any)
		if m := stub("comment"); m != nil {
			p["comment"] = c.stubReviewComment(rs, m, intOf(valueOr(pr["number"], 0)), e)
		}
		if m := stub("pull_request"); m != nil {
			p["pull_request"] = c.stubPullMinimal(rs, m, nil)
		}
	case "CommitCommentEvent":
		if m := stub("comment"); m != nil {
			p["comment"] = c.stubCommitComment(rs, m, e)
		}
	case "ReleaseEvent":
		if m := stub("release"); m != nil {
			r := &Release{ID: int64(intOf(m["id"])), TagName: fmt.Sprint(valueOr(m["tag_name"], "")), Name: fmt.Sprint(valueOr(m["name"], "")),
				Draft: m["draft"] == true, Prerelease: m["prerelease"] == true, Author: e.Actor, CreatedAt: e.CreatedAt, PublishedAt: e.CreatedAt}
			p["release"] = c.releaseJSON(rs, r)
		}
	case "ForkEvent":
		if _, ok := p["action"]; !ok {
			p["action"] = "forked"
		}
		if m := stub("forkee"); m != nil {
			full, _ := m["full_name"].(string)
			if full == "" {
				full = loginOf(m["owner"], e.Actor) + "/" + rs.fx.Name
			}
			fork := c.foreignRepo(full)
			forkee := c.fullRepoMap(fork, false)
			if id := intOf(m["id"]); id != 0 {
				forkee["id"], forkee["node_id"] = int64(id), nodeID("Repository", int64(id))
			}
			forkee["fork"] = true
			p["forkee"] = forkee
		}
	case "MemberEvent":
		if m := stub("member"); m != nil {
			p["member"] = c.userJSON(loginOf(m, e.Actor))
		}
	}
	return p
}

// stubIssue is the issue a stub names, as GET …/issues/{n} serves it, or
// the stub made whole when the repository has no such issue.
func (c *call) stubIssue(rs *repoState, m map[string]any) any {
	n := intOf(m["number"])
	if is := rs.issue(n); is != nil {
		return c.issueJSON(rs, is)
	}
	is := &issueState{number: n, title: fmt.Sprint(valueOr(m["title"], "")), user: rs.fx.Owner, state: fmt.Sprint(valueOr(m["state"], "open")),
		createdAt: rs.fx.CreatedAt, updatedAt: rs.fx.CreatedAt}
	is.id = stableID(fmt.Sprintf("%s#issue#%d", rs.fx.FullName(), n), 1_000_000_000)
	return c.issueJSON(rs, is)
}

// stubPullMinimal is a pull-request-minimal for a stub's number.
func (c *call) stubPullMinimal(rs *repoState, m map[string]any, number any) any {
	n := intOf(valueOr(m["number"], number))
	if is := rs.issue(n); is != nil && is.pull != nil {
		return c.pullMinimal(rs, is)
	}
	is := &issueState{number: n, pull: &pullState{head: Ref{Ref: "unknown"}, base: Ref{Ref: rs.fx.DefaultBranch}}}
	is.id = stableID(fmt.Sprintf("%s#issue#%d", rs.fx.FullName(), n), 1_000_000_000)
	if h, _ := m["head"].(map[string]any); h != nil {
		is.pull.head.Ref, is.pull.head.SHA = fmt.Sprint(valueOr(h["ref"], "unknown")), fmt.Sprint(valueOr(h["sha"], ""))
	}
	return c.pullMinimal(rs, is)
}

// pullMinimal is a pull-request-minimal (PullRequestEvent's pull_request).
func (c *call) pullMinimal(rs *repoState, is *issueState) map[string]any {
	return map[string]any{"id": is.id + 1, "number": is.number, "url": c.repoAPI(rs) + "/pulls/" + strconv.Itoa(is.number),
		"head": c.runPullSide(rs, is.pull.head), "base": c.runPullSide(rs, is.pull.base)}
}

// stubReviewComment is a pull-request-review-comment made from a stub.
func (c *call) stubReviewComment(rs *repoState, m map[string]any, pr int, e Event) map[string]any {
	id := int64(intOf(m["id"]))
	user := loginOf(m["user"], e.Actor)
	api := c.repoAPI(rs) + "/pulls/comments/" + strconv.FormatInt(id, 10)
	prAPI := c.repoAPI(rs) + "/pulls/" + strconv.Itoa(pr)
	html := fmt.Sprintf("%s/pull/%d#discussion_r%d", repoHTML(rs), pr, id)
	sha := fakeSHA(rs.fx.FullName() + "#pr#" + strconv.Itoa(pr))
	if is := rs.issue(pr); is != nil && is.pull != nil {
		sha = c.sideSHA(rs, is.pull.head)
	}
	line := valueOr(m["line"], nil)
	return map[string]any{
		"url": api, "id": id, "node_id": nodeID("PullRequestReviewComment", id),
		"pull_request_review_id": stableID(fmt.Sprintf("%s#review-comment#%d", rs.fx.FullName(), id), 1_000_000_000),
		"diff_hunk":              "@@ -1,3 +1,3 @@", "path": fmt.Sprint(valueOr(m["path"], "")), "commit_id": sha, "original_commit_id": sha,
		"user": c.userJSON(user), "body": fmt.Sprint(valueOr(m["body"], "")), "created_at": ts(e.CreatedAt), "updated_at": ts(e.CreatedAt),
		"html_url": html, "pull_request_url": prAPI, "author_association": c.authorAssociation(rs, user),
		"_links": map[string]any{"self": map[string]any{"href": api}, "html": map[string]any{"href": html}, "pull_request": map[string]any{"href": prAPI}},
		"line":   line, "original_line": line, "position": line, "original_position": line, "side": "RIGHT",
		"reactions": map[string]any{"url": api + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
			"hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
	}
}

// stubCommitComment is a commit-comment made from a stub.
func (c *call) stubCommitComment(rs *repoState, m map[string]any, e Event) map[string]any {
	id := int64(intOf(m["id"]))
	user := loginOf(m["user"], e.Actor)
	sha := fmt.Sprint(valueOr(m["commit_id"], ""))
	return map[string]any{
		"url": c.repoAPI(rs) + "/comments/" + strconv.FormatInt(id, 10), "html_url": fmt.Sprintf("%s/commit/%s#commitcomment-%d", repoHTML(rs), sha, id),
		"id": id, "node_id": nodeID("CommitComment", id), "user": c.userJSON(user), "position": valueOr(m["position"], nil),
		"line": valueOr(m["line"], nil), "path": valueOr(m["path"], nil), "commit_id": sha, "body": fmt.Sprint(valueOr(m["body"], "")),
		"author_association": c.authorAssociation(rs, user), "created_at": ts(e.CreatedAt), "updated_at": ts(e.CreatedAt),
	}
}

// fillLabelAndAssignee expands a payload's label {name} and assignee {login}.
func (c *call) fillLabelAndAssignee(rs *repoState, p map[string]any) {
	if m, _ := p["label"].(map[string]any); m != nil && m["node_id"] == nil {
		name := fmt.Sprint(valueOr(m["name"], ""))
		l := rs.label(name)
		if l == nil {
			l = &labelState{id: stableID(rs.fx.FullName()+"#label#"+strings.ToLower(name), 1_000_000_000), Label: Label{Name: name}}
		}
		p["label"] = c.labelJSON(rs, l)
	}
	if m, _ := p["assignee"].(map[string]any); m != nil && m["node_id"] == nil {
		p["assignee"] = c.userJSON(loginOf(m, ""))
	}
}

// withUser replaces m[key] {login} by a simple-user (login or fallback).
func (c *call) withUser(m map[string]any, key, fallback string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	if u, _ := m[key].(map[string]any); u == nil || u["node_id"] == nil {
		out[key] = c.userJSON(loginOf(m[key], fallback))
	}
	return out
}

func loginOf(v any, fallback string) string {
	if m, _ := v.(map[string]any); m != nil {
		if l, _ := m["login"].(string); l != "" {
			return l
		}
	}
	return fallback
}

func valueOr(v, def any) any {
	if v == nil {
		return def
	}
	return v
}

// intOf reads a JSON or YAML number.
func intOf(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}
