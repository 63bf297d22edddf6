package emulator

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Response bodies are built as maps whose keys follow the 2022-11-28
// examples in testdata/github-api-examples (shape_test.go checks them).

const htmlBase = "https://github.com"

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nodeID(kind string, id int64) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("0%d:%s%d", len(kind), kind, id)))
}

// user returns the fixture user for login, inventing a stable one.
func (st *state) user(login string) User {
	if u, ok := st.users[strings.ToLower(login)]; ok {
		if u.ID == 0 {
			u.ID = stableID("user#"+strings.ToLower(login), 1_000_000)
		}
		if u.Type == "" {
			u.Type = userType(st, login)
		}
		return u
	}
	return User{Login: login, ID: stableID("user#"+strings.ToLower(login), 1_000_000), Type: userType(st, login)}
}

func userType(st *state, login string) string {
	switch {
	case strings.HasSuffix(login, "[bot]"):
		return "Bot"
	case st.orgs[strings.ToLower(login)]:
		return "Organization"
	}
	return "User"
}

// userJSON is a simple-user, encoded once per login and API base (see
// encodedCache); nil for "".
func (c *call) userJSON(login string) any {
	if login == "" {
		return nil
	}
	return c.encoded(encodedKey{kind: "user", api: c.api, name: login}, func() any { return c.userMap(login) })
}

// userMap is a simple-user as a map, for callers that add fields.
func (c *call) userMap(login string) map[string]any {
	u := c.s.st.user(login)
	api := c.api + "/users/" + url.PathEscape(u.Login)
	html := htmlBase + "/" + u.Login
	if u.Type == "Bot" {
		html = htmlBase + "/apps/" + strings.TrimSuffix(u.Login, "[bot]")
	}
	return map[string]any{
		"login":               u.Login,
		"id":                  u.ID,
		"node_id":             nodeID(u.Type, u.ID),
		"avatar_url":          fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", u.ID),
		"gravatar_id":         "",
		"url":                 api,
		"html_url":            html,
		"followers_url":       api + "/followers",
		"following_url":       api + "/following{/other_user}",
		"gists_url":           api + "/gists{/gist_id}",
		"starred_url":         api + "/starred{/owner}{/repo}",
		"subscriptions_url":   api + "/subscriptions",
		"organizations_url":   api + "/orgs",
		"repos_url":           api + "/repos",
		"events_url":          api + "/events{/privacy}",
		"received_events_url": api + "/received_events",
		"type":                u.Type,
		"site_admin":          false,
		"user_view_type":      "public",
	}
}

func (c *call) repoAPI(rs *repoState) string { return c.api + "/repos/" + rs.fx.FullName() }
func repoHTML(rs *repoState) string          { return htmlBase + "/" + rs.fx.FullName() }

// minimalRepoJSON is a minimal-repository (org repo lists, runs), encoded
// once per state version, API base and permissions (see encodedCache).
func (c *call) minimalRepoJSON(rs *repoState) any {
	push := c.canPush()
	return c.encoded(encodedKey{kind: "repo", api: c.api, name: rs.fx.FullName(), push: push}, func() any { return c.minimalRepoMap(rs, push) })
}

// fullRepoJSON is a full-repository (GET /repos/{o}/{r}) and the repository
// object of pull request heads and bases, encoded like minimalRepoJSON.
func (c *call) fullRepoJSON(rs *repoState) any {
	push := c.canPush()
	return c.encoded(encodedKey{kind: "full-repo", api: c.api, name: rs.fx.FullName(), push: push}, func() any { return c.fullRepoMap(rs, push) })
}

func (c *call) minimalRepoMap(rs *repoState, push bool) map[string]any {
	r := rs.fx
	api := c.repoAPI(rs)
	visibility := "public"
	if r.Private {
		visibility = "private"
	}
	topics := append([]string{}, r.Topics...)
	updated := r.PushedAt
	if updated.IsZero() {
		updated = r.CreatedAt
	}
	m := map[string]any{
		"id": rs.id, "node_id": nodeID("Repository", rs.id), "name": r.Name, "full_name": r.FullName(),
		"owner": c.userJSON(r.Owner), "private": r.Private, "html_url": repoHTML(rs),
		"description": nullIfEmpty(r.Description), "fork": r.Fork, "url": api,
		"archive_url":       api + "/{archive_format}{/ref}",
		"assignees_url":     api + "/assignees{/user}",
		"blobs_url":         api + "/git/blobs{/sha}",
		"branches_url":      api + "/branches{/branch}",
		"collaborators_url": api + "/collaborators{/collaborator}",
		"comments_url":      api + "/comments{/number}",
		"commits_url":       api + "/commits{/sha}",
		"compare_url":       api + "/compare/{base}...{head}",
		"contents_url":      api + "/contents/{+path}",
		"contributors_url":  api + "/contributors",
		"deployments_url":   api + "/deployments",
		"downloads_url":     api + "/downloads",
		"events_url":        api + "/events",
		"forks_url":         api + "/forks",
		"git_commits_url":   api + "/git/commits{/sha}",
		"git_refs_url":      api + "/git/refs{/sha}",
		"git_tags_url":      api + "/git/tags{/sha}",
		"git_url":           "git://github.com/" + r.FullName() + ".git",
		"issue_comment_url": api + "/issues/comments{/number}",
		"issue_events_url":  api + "/issues/events{/number}",
		"issues_url":        api + "/issues{/number}",
		"keys_url":          api + "/keys{/key_id}",
		"labels_url":        api + "/labels{/name}",
		"languages_url":     api + "/languages",
		"merges_url":        api + "/merges",
		"milestones_url":    api + "/milestones{/number}",
		"notifications_url": api + "/notifications{?since,all,participating}",
		"pulls_url":         api + "/pulls{/number}",
		"releases_url":      api + "/releases{/id}",
		"ssh_url":           "git@github.com:" + r.FullName() + ".git",
		"stargazers_url":    api + "/stargazers",
		"statuses_url":      api + "/statuses/{sha}",
		"subscribers_url":   api + "/subscribers",
		"subscription_url":  api + "/subscription",
		"tags_url":          api + "/tags",
		"teams_url":         api + "/teams",
		"trees_url":         api + "/git/trees{/sha}",
		"clone_url":         htmlBase + "/" + r.FullName() + ".git",
		"mirror_url":        nil,
		"hooks_url":         api + "/hooks",
		"svn_url":           htmlBase + "/" + r.FullName(),
		"homepage":          nil,
		"language":          nullIfEmpty(r.Language),
		"forks_count":       0,
		"stargazers_count":  0,
		"watchers_count":    0,
		"size":              0,
		"default_branch":    r.DefaultBranch,
		"open_issues_count": rs.openIssues(),
		"is_template":       false,
		"topics":            topics,
		"has_issues":        true,
		"has_projects":      true,
		"has_wiki":          true,
		"has_pages":         false,
		"has_downloads":     true,
		"has_discussions":   false,
		"archived":          r.Archived,
		"disabled":          r.Disabled,
		"visibility":        visibility,
		"pushed_at":         ts(r.PushedAt),
		"created_at":        ts(r.CreatedAt),
		"updated_at":        ts(updated),
		"permissions":       repoPermissions(push),
		"license":           nil,
		"forks":             0,
		"open_issues":       rs.openIssues(),
		"watchers":          0,
		"security_and_analysis": map[string]any{
			"advanced_security":                         map[string]any{"status": "disabled"},
			"secret_scanning":                           map[string]any{"status": "enabled"},
			"secret_scanning_push_protection":           map[string]any{"status": "enabled"},
			"secret_scanning_non_provider_patterns":     map[string]any{"status": "disabled"},
			"secret_scanning_delegated_alert_dismissal": map[string]any{"status": "disabled"},
		},
	}
	return m
}

// canPush is whether the caller may push: the permissions object of a
// repository says so.
func (c *call) canPush() bool { return c.authed && c.permitted("contents=write") }

func repoPermissions(push bool) map[string]any {
	return map[string]any{"admin": false, "maintain": false, "push": push, "triage": push, "pull": true}
}

func (c *call) fullRepoMap(rs *repoState, push bool) map[string]any {
	m := c.minimalRepoMap(rs, push)
	m["network_count"] = 0
	m["subscribers_count"] = 0
	m["allow_rebase_merge"] = true
	m["allow_squash_merge"] = true
	m["allow_auto_merge"] = false
	m["allow_merge_commit"] = true
	m["allow_forking"] = true
	m["allow_update_branch"] = false
	m["delete_branch_on_merge"] = false
	m["use_squash_pr_title_as_default"] = false
	m["squash_merge_commit_title"] = "COMMIT_OR_PR_TITLE"
	m["squash_merge_commit_message"] = "COMMIT_MESSAGES"
	m["merge_commit_title"] = "MERGE_MESSAGE"
	m["merge_commit_message"] = "PR_TITLE"
	m["web_commit_signoff_required"] = false
	m["temp_clone_token"] = ""
	m["template_repository"] = nil
	if c.s.st.orgs[strings.ToLower(rs.fx.Owner)] {
		m["organization"] = c.userJSON(rs.fx.Owner)
	}
	return m
}

func (rs *repoState) openIssues() int {
	n := 0
	for _, is := range rs.issues {
		if is.state == "open" {
			n++
		}
	}
	return n
}

// foreignRepo stands in for a repository named in the fixture (a fork
// head) that the fixture does not describe.
func (c *call) foreignRepo(full string) *repoState {
	if rs := c.s.st.byName[strings.ToLower(full)]; rs != nil {
		return rs
	}
	owner, name, _ := strings.Cut(full, "/")
	return &repoState{fx: Repository{Owner: owner, Name: name, Fork: true, DefaultBranch: "main"}, id: stableID(full, 100_000_000)}
}

// labelJSON is a label.
func (c *call) labelJSON(rs *repoState, l *labelState) map[string]any {
	color := l.Color
	if color == "" {
		color = "ededed"
	}
	return map[string]any{
		"id": l.id, "node_id": nodeID("Label", l.id), "url": c.repoAPI(rs) + "/labels/" + url.PathEscape(l.Name),
		"name": l.Name, "description": nullIfEmpty(l.Description), "color": color, "default": isDefaultLabel(l.Name),
	}
}

func isDefaultLabel(name string) bool {
	switch name {
	case "bug", "documentation", "duplicate", "enhancement", "good first issue", "help wanted", "invalid", "question", "wontfix":
		return true
	}
	return false
}

// pullLabelsJSON are a pull request's labels: pull-request-simple and
// pull-request declare a label's description a string, not nullable.
func (c *call) pullLabelsJSON(rs *repoState, names []string) []any {
	out := c.labelsJSON(rs, names)
	for _, l := range out {
		if m := l.(map[string]any); m["description"] == nil {
			m["description"] = ""
		}
	}
	return out
}

func (c *call) labelsJSON(rs *repoState, names []string) []any {
	out := []any{}
	for _, n := range names {
		out = append(out, c.labelJSON(rs, rs.ensureLabel(n)))
	}
	return out
}

func (c *call) milestoneJSON(rs *repoState, title string) any {
	if title == "" {
		return nil
	}
	num := 0
	for i, m := range rs.milestones {
		if m == title {
			num = i + 1
		}
	}
	if num == 0 {
		rs.milestones = append(rs.milestones, title)
		num = len(rs.milestones)
	}
	open, closed := 0, 0
	for _, is := range rs.issues {
		if is.milestone == title {
			if is.state == "open" {
				open++
			} else {
				closed++
			}
		}
	}
	id := stableID(rs.fx.FullName()+"#milestone#"+title, 1_000_000)
	api := c.repoAPI(rs) + "/milestones/" + strconv.Itoa(num)
	return map[string]any{
		"url": api, "html_url": repoHTML(rs) + "/milestone/" + strconv.Itoa(num), "labels_url": api + "/labels",
		"id": id, "node_id": nodeID("Milestone", id), "number": num, "state": "open", "title": title,
		"description": nil, "creator": c.userJSON(rs.fx.Owner), "open_issues": open, "closed_issues": closed,
		"created_at": ts(rs.fx.CreatedAt), "updated_at": ts(rs.fx.CreatedAt), "closed_at": nil, "due_on": nil,
	}
}

func (c *call) usersJSON(logins []string) []any {
	out := []any{}
	for _, l := range logins {
		out = append(out, c.userJSON(l))
	}
	return out
}

func (c *call) authorAssociation(rs *repoState, login string) string {
	switch {
	case strings.EqualFold(login, rs.fx.Owner):
		return "OWNER"
	case strings.HasSuffix(login, "[bot]"):
		return "NONE"
	}
	for _, is := range rs.issues {
		if is.pull != nil && is.pull.merged && strings.EqualFold(is.user, login) {
			return "CONTRIBUTOR"
		}
	}
	return "NONE"
}

// issueJSON is an issue (pull requests carry the pull_request key).
func (c *call) issueJSON(rs *repoState, is *issueState) map[string]any {
	api := c.repoAPI(rs) + "/issues/" + strconv.Itoa(is.number)
	html := repoHTML(rs) + "/issues/" + strconv.Itoa(is.number)
	var assignee any
	if len(is.assignees) > 0 {
		assignee = c.userJSON(is.assignees[0])
	}
	var closedBy any
	if is.state == "closed" && is.closedBy != "" {
		closedBy = c.userJSON(is.closedBy)
	}
	m := map[string]any{
		"id": is.id, "node_id": nodeID("Issue", is.id), "url": api, "repository_url": c.repoAPI(rs),
		"labels_url": api + "/labels{/name}", "comments_url": api + "/comments", "events_url": api + "/events",
		"html_url": html, "timeline_url": api + "/timeline", "number": is.number, "state": is.state, "title": is.title,
		"body": nullIfEmpty(is.body), "user": c.userJSON(is.user), "labels": c.labelsJSON(rs, is.labels),
		"assignee": assignee, "assignees": c.usersJSON(is.assignees), "milestone": c.milestoneJSON(rs, is.milestone),
		"locked": false, "active_lock_reason": nil, "comments": len(is.comments), "closed_at": tsPtr(is.closedAt),
		"created_at": ts(is.createdAt), "updated_at": ts(is.updatedAt), "closed_by": closedBy,
		"author_association": c.authorAssociation(rs, is.user), "state_reason": nullIfEmpty(is.stateReason),
		"pinned_comment": nil, "performed_via_github_app": nil,
		"reactions": map[string]any{"url": api + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
			"hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
	}
	if is.pull != nil {
		phtml := repoHTML(rs) + "/pull/" + strconv.Itoa(is.number)
		m["html_url"] = phtml
		m["draft"] = is.pull.draft
		m["pull_request"] = map[string]any{
			"url": c.repoAPI(rs) + "/pulls/" + strconv.Itoa(is.number), "html_url": phtml,
			"diff_url": phtml + ".diff", "patch_url": phtml + ".patch", "merged_at": tsPtr(is.pull.mergedAt),
		}
	}
	return m
}

func (c *call) commentJSON(rs *repoState, is *issueState, cm *Comment) map[string]any {
	api := c.repoAPI(rs) + "/issues/comments/" + strconv.FormatInt(cm.ID, 10)
	kind := "issues"
	if is.pull != nil {
		kind = "pull"
	}
	return map[string]any{
		"id": cm.ID, "node_id": nodeID("IssueComment", cm.ID), "url": api,
		"html_url":   fmt.Sprintf("%s/%s/%d#issuecomment-%d", repoHTML(rs), kind, is.number, cm.ID),
		"body":       cm.Body,
		"user":       c.userJSON(cm.User),
		"created_at": ts(cm.CreatedAt), "updated_at": ts(cm.UpdatedAt),
		"issue_url":                c.repoAPI(rs) + "/issues/" + strconv.Itoa(is.number),
		"author_association":       c.authorAssociation(rs, cm.User),
		"performed_via_github_app": nil, "pin": nil, "minimized": nil,
		"reactions": map[string]any{"url": api + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
			"hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
	}
}

func (c *call) issueEventJSON(rs *repoState, is *issueState, e *IssueEvent) map[string]any {
	m := map[string]any{
		"id": e.ID, "node_id": nodeID("IssueEvent", e.ID),
		"url":   c.repoAPI(rs) + "/issues/events/" + strconv.FormatInt(e.ID, 10),
		"actor": c.userJSON(e.Actor), "event": e.Event, "commit_id": nil, "commit_url": nil,
		"created_at": ts(e.CreatedAt), "performed_via_github_app": nil,
	}
	if e.Label != "" {
		color := "ededed"
		if l := rs.label(e.Label); l != nil && l.Color != "" {
			color = l.Color
		}
		m["label"] = map[string]any{"name": e.Label, "color": color}
	}
	if e.Event == "closed" || e.Event == "reopened" {
		reason := is.stateReason
		if e.Event == "reopened" {
			reason = "reopened"
		}
		m["state_reason"] = nullIfEmpty(reason)
	}
	return m
}

// commitIdentity fills the defaults of a fixture commit: the author falls
// back to the repository owner, the date to the last push, the message to
// "Update <short sha>".
func commitIdentity(rs *repoState, cm Commit) (author string, date time.Time, msg string) {
	author, date, msg = cm.Author, cm.Date, cm.Message
	if author == "" {
		author = rs.fx.Owner
	}
	if date.IsZero() {
		date = rs.fx.PushedAt
	}
	if msg == "" {
		msg = "Update " + cm.SHA[:min(7, len(cm.SHA))]
	}
	return author, date, msg
}

// gitUserJSON is a git-user (name, email, date) for a login.
func gitUserJSON(login string, date time.Time) map[string]any {
	return map[string]any{"name": login, "email": login + "@users.noreply.github.com", "date": ts(date)}
}

func unsignedJSON() map[string]any {
	return map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil}
}

// commitJSON is a commit (GET /repos/{o}/{r}/commits/{ref}).
func (c *call) commitJSON(rs *repoState, cm Commit) map[string]any {
	api := c.repoAPI(rs)
	author, date, msg := commitIdentity(rs, cm)
	who := gitUserJSON(author, date)
	parent := fakeSHA(cm.SHA + "^")
	tree := fakeSHA(cm.SHA + "^{tree}")
	return map[string]any{
		"url": api + "/commits/" + cm.SHA, "sha": cm.SHA, "node_id": nodeID("Commit", stableID(cm.SHA, 1_000_000)),
		"html_url": repoHTML(rs) + "/commit/" + cm.SHA, "comments_url": api + "/commits/" + cm.SHA + "/comments",
		"commit": map[string]any{
			"url": api + "/git/commits/" + cm.SHA, "author": who, "committer": who, "message": msg,
			"tree":          map[string]any{"url": api + "/git/trees/" + tree, "sha": tree},
			"comment_count": 0,
			"verification":  unsignedJSON(),
		},
		"author": c.userJSON(author), "committer": c.userJSON(author),
		"parents": []any{map[string]any{"url": api + "/commits/" + parent, "sha": parent, "html_url": repoHTML(rs) + "/commit/" + parent}},
		"stats":   map[string]any{"additions": 0, "deletions": 0, "total": 0},
		"files":   []any{},
	}
}

// timelineCommitJSON is a timeline-committed-event: the git commit of a
// pull request as GET /repos/{o}/{r}/issues/{n}/timeline lists it. Unlike
// the other timeline entries it has no actor, id or created_at; the dates
// are in author and committer.
// https://docs.github.com/rest/issues/timeline#list-timeline-events-for-an-issue
func (c *call) timelineCommitJSON(rs *repoState, cm Commit) map[string]any {
	api := c.repoAPI(rs)
	author, date, msg := commitIdentity(rs, cm)
	who := gitUserJSON(author, date)
	parent := fakeSHA(cm.SHA + "^")
	tree := fakeSHA(cm.SHA + "^{tree}")
	return map[string]any{
		"event": "committed", "sha": cm.SHA, "node_id": nodeID("Commit", stableID(cm.SHA, 1_000_000)),
		"url": api + "/git/commits/" + cm.SHA, "html_url": repoHTML(rs) + "/commit/" + cm.SHA,
		"author": who, "committer": who, "message": msg,
		"tree":         map[string]any{"sha": tree, "url": api + "/git/trees/" + tree},
		"parents":      []any{map[string]any{"sha": parent, "url": api + "/git/commits/" + parent, "html_url": repoHTML(rs) + "/commit/" + parent}},
		"verification": unsignedJSON(),
	}
}

func protectionJSON(b *Branch) map[string]any {
	level := "off"
	if b.Protected {
		level = "non_admins"
	}
	return map[string]any{"enabled": b.Protected, "required_status_checks": map[string]any{"enforcement_level": level, "contexts": []any{}, "checks": []any{}}}
}

func (c *call) shortBranchJSON(rs *repoState, b *Branch) map[string]any {
	cm := rs.completeCommit(b.Commit, b.Name)
	return map[string]any{
		"name":           b.Name,
		"commit":         map[string]any{"sha": cm.SHA, "url": c.repoAPI(rs) + "/commits/" + cm.SHA},
		"protected":      b.Protected,
		"protection":     protectionJSON(b),
		"protection_url": c.repoAPI(rs) + "/branches/" + url.PathEscape(b.Name) + "/protection",
	}
}

func (c *call) branchJSON(rs *repoState, b *Branch) map[string]any {
	cm := rs.completeCommit(b.Commit, b.Name)
	return map[string]any{
		"name":           b.Name,
		"commit":         c.commitJSON(rs, cm),
		"_links":         map[string]any{"self": c.repoAPI(rs) + "/branches/" + url.PathEscape(b.Name), "html": repoHTML(rs) + "/tree/" + b.Name},
		"protected":      b.Protected,
		"protection":     protectionJSON(b),
		"protection_url": c.repoAPI(rs) + "/branches/" + url.PathEscape(b.Name) + "/protection",
	}
}

// sideSHA is the commit the head or base of a pull request points to: the
// fixture's sha, else the branch's commit, else a derived one.
func (c *call) sideSHA(rs *repoState, side Ref) string {
	if side.SHA != "" {
		return side.SHA
	}
	repoName := side.Repo
	if repoName == "" {
		repoName = rs.fx.FullName()
	}
	target := c.foreignRepo(repoName)
	if b := target.branch(side.Ref); b != nil {
		return target.completeCommit(b.Commit, b.Name).SHA
	}
	return fakeSHA(repoName + "#ref#" + side.Ref)
}

// pullCommits are the commits of a pull request: the fixture's, or else
// one commit at the head made when the pull request was opened.
func (c *call) pullCommits(rs *repoState, is *issueState) []Commit {
	if len(is.pull.commits) > 0 {
		return is.pull.commits
	}
	return []Commit{{SHA: c.sideSHA(rs, is.pull.head), Author: is.user, Date: is.createdAt, Message: is.title}}
}

// pullSideJSON is the head or base of a pull request.
func (c *call) pullSideJSON(rs *repoState, side Ref, isHead bool) map[string]any {
	repoName := side.Repo
	if repoName == "" {
		repoName = rs.fx.FullName()
	}
	target := c.foreignRepo(repoName)
	sha := c.sideSHA(rs, side)
	_ = isHead
	return map[string]any{
		"label": target.fx.Owner + ":" + side.Ref, "ref": side.Ref, "sha": sha,
		"user": c.userJSON(target.fx.Owner), "repo": c.fullRepoJSON(target),
	}
}

// pullJSON is a pull-request-simple; full adds the pull-request fields.
func (c *call) pullJSON(rs *repoState, is *issueState, full bool) map[string]any {
	n := strconv.Itoa(is.number)
	api := c.repoAPI(rs) + "/pulls/" + n
	html := repoHTML(rs) + "/pull/" + n
	issueAPI := c.repoAPI(rs) + "/issues/" + n
	head := c.pullSideJSON(rs, is.pull.head, true)
	var assignee any
	if len(is.assignees) > 0 {
		assignee = c.userJSON(is.assignees[0])
	}
	var mergeSHA any
	if is.pull.merged {
		mergeSHA = fakeSHA(rs.fx.FullName() + "#merge#" + n)
	}
	statuses := c.repoAPI(rs) + "/statuses/" + head["sha"].(string)
	m := map[string]any{
		"url": api, "id": is.id + 1, "node_id": nodeID("PullRequest", is.id+1), "html_url": html,
		"diff_url": html + ".diff", "patch_url": html + ".patch", "issue_url": issueAPI,
		"commits_url": api + "/commits", "review_comments_url": api + "/comments",
		"review_comment_url": c.repoAPI(rs) + "/pulls/comments{/number}", "comments_url": issueAPI + "/comments",
		"statuses_url": statuses, "number": is.number, "state": is.state, "locked": false, "title": is.title,
		"user": c.userJSON(is.user), "body": nullIfEmpty(is.body), "labels": c.pullLabelsJSON(rs, is.labels),
		"milestone": c.milestoneJSON(rs, is.milestone), "active_lock_reason": nil,
		"created_at": ts(is.createdAt), "updated_at": ts(is.updatedAt), "closed_at": tsPtr(is.closedAt),
		"merged_at": tsPtr(is.pull.mergedAt), "merge_commit_sha": mergeSHA, "assignee": assignee,
		"assignees": c.usersJSON(is.assignees), "requested_reviewers": []any{}, "requested_teams": []any{},
		"head": head, "base": c.pullSideJSON(rs, is.pull.base, false),
		"_links": map[string]any{
			"self": map[string]any{"href": api}, "html": map[string]any{"href": html},
			"issue": map[string]any{"href": issueAPI}, "comments": map[string]any{"href": issueAPI + "/comments"},
			"review_comments": map[string]any{"href": api + "/comments"},
			"review_comment":  map[string]any{"href": c.repoAPI(rs) + "/pulls/comments{/number}"},
			"commits":         map[string]any{"href": api + "/commits"}, "statuses": map[string]any{"href": statuses},
		},
		"author_association": c.authorAssociation(rs, is.user), "auto_merge": nil, "draft": is.pull.draft,
	}
	if full {
		commits := len(is.pull.commits)
		if commits == 0 {
			commits = 1
		}
		var mergedBy any
		if is.pull.merged {
			mergedBy = c.userJSON(rs.fx.Owner)
		}
		m["merged"] = is.pull.merged
		m["mergeable"] = nil
		m["rebaseable"] = nil
		m["mergeable_state"] = "unknown"
		m["merged_by"] = mergedBy
		m["comments"] = len(is.comments)
		m["review_comments"] = 0
		m["maintainer_can_modify"] = false
		m["commits"] = commits
		m["additions"] = 0
		m["deletions"] = 0
		m["changed_files"] = 0
	}
	return m
}

func (c *call) reviewJSON(rs *repoState, is *issueState, rv Review) map[string]any {
	n := strconv.Itoa(is.number)
	html := fmt.Sprintf("%s/pull/%s#pullrequestreview-%d", repoHTML(rs), n, rv.ID)
	return map[string]any{
		"id": rv.ID, "node_id": nodeID("PullRequestReview", rv.ID), "user": c.userJSON(rv.User), "body": rv.Body,
		"state": rv.State, "html_url": html, "pull_request_url": c.repoAPI(rs) + "/pulls/" + n,
		"_links":             map[string]any{"html": map[string]any{"href": html}, "pull_request": map[string]any{"href": c.repoAPI(rs) + "/pulls/" + n}},
		"submitted_at":       ts(rv.SubmittedAt),
		"commit_id":          c.sideSHA(rs, is.pull.head),
		"author_association": c.authorAssociation(rs, rv.User),
	}
}
