package emulator

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Events API window (NOTES §7).
const (
	eventsMaxAge   = 30 * 24 * time.Hour
	eventsMaxCount = 300
)

func (s *Server) getRateLimit(c *call) {
	now := s.opts.Now()
	core := c.resource
	c.resource = "core"
	coreLim := s.limiter(c, now)
	c.resource = "search"
	searchLim := s.limiter(c, now)
	c.resource = core
	entry := func(l *limiter) map[string]any {
		return map[string]any{"limit": l.limit, "used": min(l.used, l.limit), "remaining": l.remaining(), "reset": l.reset.Unix()}
	}
	fixed := func(limit int) map[string]any {
		return map[string]any{"limit": limit, "used": 0, "remaining": limit, "reset": now.Add(time.Hour).Unix()}
	}
	c.ok(map[string]any{
		"resources": map[string]any{
			"core": entry(coreLim), "search": entry(searchLim), "graphql": fixed(5000),
			"integration_manifest": fixed(5000), "source_import": fixed(100), "code_scanning_upload": fixed(1000),
			"actions_runner_registration": fixed(10000), "scim": fixed(15000), "dependency_snapshots": fixed(100),
			"code_search": fixed(10), "code_scanning_autofix": fixed(10),
		},
		"rate": entry(coreLim),
	})
}

func (s *Server) getUser(c *call) {
	switch {
	case c.login == "":
		c.requiresAuthentication()
	case c.cred.isInstallation():
		// An installation token is not a user: GitHub answers 403.
		c.forbiddenIntegration("")
	default:
		c.ok(c.publicUserJSON(c.login))
	}
}

// getUserByLogin answers GET /users/{username}: a login the fixture knows
// (listed, an owner, an organisation, or the author or actor of anything
// in it), else 404.
func (s *Server) getUserByLogin(c *call) {
	login := c.r.PathValue("username")
	if !s.st.knownLogin(login) {
		c.notFound()
		return
	}
	c.ok(c.publicUserJSON(s.st.user(login).Login))
}

// knownLogin reports whether the state refers to login anywhere.
func (st *state) knownLogin(login string) bool {
	l := strings.ToLower(login)
	if _, ok := st.users[l]; ok || st.orgs[l] {
		return true
	}
	is := func(s string) bool { return strings.EqualFold(s, login) }
	for _, cr := range st.tokens {
		if is(cr.login) {
			return true
		}
	}
	for _, a := range st.apps {
		if is(a.Slug+"[bot]") || is(a.Owner) {
			return true
		}
	}
	for _, rs := range st.repos {
		if is(rs.fx.Owner) {
			return true
		}
		for _, it := range rs.issues {
			if is(it.user) || containsFold(it.assignees, login) {
				return true
			}
			for _, cm := range it.comments {
				if is(cm.User) {
					return true
				}
			}
			for _, e := range it.events {
				if is(e.Actor) {
					return true
				}
			}
			if it.pull != nil {
				for _, rv := range it.pull.reviews {
					if is(rv.User) {
						return true
					}
				}
				for _, cm := range it.pull.commits {
					if is(cm.Author) {
						return true
					}
				}
			}
		}
		for _, e := range rs.events {
			if is(e.Actor) {
				return true
			}
		}
		for _, r := range rs.runs {
			if is(r.Actor) {
				return true
			}
		}
		for _, b := range rs.branches {
			if is(b.Commit.Author) {
				return true
			}
		}
		for _, d := range rs.deployments {
			if is(d.Creator) {
				return true
			}
		}
		for _, st := range rs.statuses {
			if is(st.Creator) {
				return true
			}
		}
	}
	return false
}

func (c *call) publicUserJSON(login string) map[string]any {
	m := c.userMap(login)
	m["name"] = nil
	m["company"] = nil
	m["blog"] = ""
	m["location"] = nil
	m["email"] = nil
	m["hireable"] = nil
	m["bio"] = nil
	m["twitter_username"] = nil
	public := 0
	for _, rs := range c.s.st.repos {
		if strings.EqualFold(rs.fx.Owner, login) && !rs.fx.Private {
			public++
		}
	}
	m["public_repos"] = public
	m["public_gists"] = 0
	m["followers"] = 0
	m["following"] = 0
	m["created_at"] = "2015-01-01T00:00:00Z"
	m["updated_at"] = "2024-01-01T00:00:00Z"
	return m
}

// visibleRepos lists the owner's repositories the caller can see.
func (c *call) visibleRepos(owner string) []*repoState {
	typ := c.r.URL.Query().Get("type")
	var out []*repoState
	for _, rs := range c.s.st.repos {
		if !strings.EqualFold(rs.fx.Owner, owner) {
			continue
		}
		if rs.fx.Status == http.StatusNotFound || rs.fx.Status == http.StatusMovedPermanently || (rs.fx.Private && !c.authed) {
			continue
		}
		switch typ {
		case "public":
			if rs.fx.Private {
				continue
			}
		case "private":
			if !rs.fx.Private {
				continue
			}
		case "forks":
			if !rs.fx.Fork {
				continue
			}
		case "sources":
			if rs.fx.Fork {
				continue
			}
		}
		out = append(out, rs)
	}
	q := c.r.URL.Query()
	sortBy := q.Get("sort")
	if sortBy == "" {
		sortBy = "created"
	}
	asc := sortBy == "full_name"
	switch q.Get("direction") {
	case "asc":
		asc = true
	case "desc":
		asc = false
	}
	key := func(rs *repoState) string {
		switch sortBy {
		case "full_name":
			return strings.ToLower(rs.fx.FullName())
		case "pushed", "updated":
			return rs.fx.PushedAt.UTC().Format(time.RFC3339Nano)
		}
		return rs.fx.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if asc {
			return key(out[i]) < key(out[j])
		}
		return key(out[i]) > key(out[j])
	})
	return out
}

func (s *Server) listOrgRepos(c *call) {
	org := c.r.PathValue("org")
	if !s.st.orgs[strings.ToLower(org)] {
		c.notFound()
		return
	}
	c.repoList(c.visibleRepos(org))
}

// listUserRepos answers GET /users/{username}/repos; 404 for a login the
// fixture does not know, as for GET /users/{username}.
func (s *Server) listUserRepos(c *call) {
	login := c.r.PathValue("username")
	if !s.st.knownLogin(login) {
		c.notFound()
		return
	}
	// "Lists public repositories for the specified user": never a private
	// one, whoever asks (GET /installation/repositories lists those).
	var public []*repoState
	for _, rs := range c.visibleRepos(login) {
		if !rs.fx.Private {
			public = append(public, rs)
		}
	}
	c.repoList(public)
}

func (c *call) repoList(repos []*repoState) {
	out := c.page(len(repos), func(i int) any { return c.minimalRepoJSON(repos[i]) })
	c.ok(out)
}

func (s *Server) getRepo(c *call) { c.ok(c.fullRepoJSON(c.repo)) }

func (c *call) eventJSON(rs *repoState, e Event) map[string]any {
	u := c.s.st.user(e.Actor)
	actor := map[string]any{
		"id": u.ID, "login": u.Login, "display_login": strings.TrimSuffix(u.Login, "[bot]"), "gravatar_id": "",
		"url": c.api + "/users/" + url.PathEscape(u.Login), "avatar_url": fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?", u.ID),
	}
	payload := c.servedPayload(rs, e)
	m := map[string]any{
		"id": e.ID, "type": e.Type, "actor": actor,
		"repo":    map[string]any{"id": rs.id, "name": rs.fx.FullName(), "url": c.repoAPI(rs)},
		"payload": payload, "public": !rs.fx.Private, "created_at": ts(e.CreatedAt),
	}
	if c.s.st.orgs[strings.ToLower(rs.fx.Owner)] {
		o := c.s.st.user(rs.fx.Owner)
		m["org"] = map[string]any{"id": o.ID, "login": o.Login, "gravatar_id": "", "url": c.api + "/orgs/" + o.Login,
			"avatar_url": fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?", o.ID)}
	}
	return m
}

func (s *Server) listRepoEvents(c *call) {
	cutoff := c.now.Add(-eventsMaxAge)
	var evs []Event
	for _, e := range c.repo.events {
		if !e.CreatedAt.Before(cutoff) {
			evs = append(evs, e)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].CreatedAt.After(evs[j].CreatedAt) })
	if len(evs) > eventsMaxCount {
		evs = evs[:eventsMaxCount]
	}
	out := c.page(len(evs), func(i int) any { return c.eventJSON(c.repo, evs[i]) })
	c.out.header.Set("X-Poll-Interval", "60")
	c.ok(out)
}

// addEvent records an Events API entry for a write made through the API.
// The payloads follow the per-type schemas of GitHub's description
// (create-event, push-event, issues-event, …): full issue, comment and
// pull-request objects, as they were when the event happened.
func (c *call) addEvent(rs *repoState, typ string, payload map[string]any) {
	rs.events = append(rs.events, Event{ID: strconv.FormatInt(c.s.st.newID()+40_000_000_000, 10), Type: typ, Actor: c.login,
		CreatedAt: c.now, Payload: payload})
}

// addRefEvent records a CreateEvent or DeleteEvent of a branch or tag.
func (c *call) addRefEvent(rs *repoState, typ, refType, name string) {
	full := "refs/heads/" + name
	if refType == "tag" {
		full = "refs/tags/" + name
	}
	p := map[string]any{"ref": name, "ref_type": refType, "full_ref": full, "pusher_type": "user"}
	if typ == "CreateEvent" {
		p["master_branch"] = rs.fx.DefaultBranch
		p["description"] = nullIfEmpty(rs.fx.Description)
	}
	c.addEvent(rs, typ, p)
}

// addPushEvent records a PushEvent in the Events API's trimmed shape.
func (c *call) addPushEvent(rs *repoState, branch, before, head, _ string) {
	c.addEvent(rs, "PushEvent", map[string]any{"repository_id": rs.id, "push_id": c.s.st.newID() + 20_000_000_000,
		"ref": "refs/heads/" + branch, "head": head, "before": before})
}

// addIssuesEvent records an IssuesEvent with the issue as it is now.
func (c *call) addIssuesEvent(rs *repoState, is *issueState, action string) {
	c.addEvent(rs, "IssuesEvent", map[string]any{"action": action, "issue": c.issueJSON(rs, is)})
}

// addPullRequestEvent records a PullRequestEvent with a pull-request-minimal.
func (c *call) addPullRequestEvent(rs *repoState, is *issueState, action string) {
	side := func(r Ref) map[string]any {
		return c.runPullSide(rs, r)
	}
	c.addEvent(rs, "PullRequestEvent", map[string]any{"action": action, "number": is.number, "pull_request": map[string]any{
		"id": is.id + 1, "number": is.number, "url": c.repoAPI(rs) + "/pulls/" + strconv.Itoa(is.number),
		"head": side(is.pull.head), "base": side(is.pull.base)}})
}

func blobSHA(text string) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(text))
	h.Write([]byte(text))
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) listBranches(c *call) {
	var bs []*Branch
	prot := c.r.URL.Query().Get("protected")
	for _, b := range c.repo.branches {
		if (prot == "true" && !b.Protected) || (prot == "false" && b.Protected) {
			continue
		}
		bs = append(bs, b)
	}
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].Name < bs[j].Name })
	out := c.page(len(bs), func(i int) any { return c.shortBranchJSON(c.repo, bs[i]) })
	c.ok(out)
}

func (s *Server) getBranch(c *call) {
	b := c.repo.branch(c.r.PathValue("branch"))
	if b == nil {
		c.errorBody(http.StatusNotFound, "Branch not found")
		return
	}
	c.ok(c.branchJSON(c.repo, b))
}

func (s *Server) getBranchProtection(c *call) {
	b := c.repo.branch(c.r.PathValue("branch"))
	if b == nil {
		c.errorBody(http.StatusNotFound, "Branch not found")
		return
	}
	if !b.Protected {
		c.errorBody(http.StatusNotFound, "Branch not protected")
		return
	}
	api := c.repoAPI(c.repo) + "/branches/" + url.PathEscape(b.Name) + "/protection"
	enabled := func(v bool) map[string]any { return map[string]any{"enabled": v} }
	c.ok(map[string]any{
		"url": api,
		"required_status_checks": map[string]any{"url": api + "/required_status_checks", "strict": true,
			"contexts": []any{}, "checks": []any{}, "contexts_url": api + "/required_status_checks/contexts"},
		"required_pull_request_reviews": map[string]any{"url": api + "/required_pull_request_reviews",
			"dismiss_stale_reviews": false, "require_code_owner_reviews": false, "required_approving_review_count": 1,
			"require_last_push_approval": false},
		"enforce_admins":                   map[string]any{"url": api + "/enforce_admins", "enabled": false},
		"required_linear_history":          enabled(false),
		"allow_force_pushes":               enabled(false),
		"allow_deletions":                  enabled(false),
		"block_creations":                  enabled(false),
		"required_conversation_resolution": enabled(false),
		"lock_branch":                      enabled(false),
		"allow_fork_syncing":               enabled(false),
		"required_signatures":              map[string]any{"url": api + "/required_signatures", "enabled": false},
	})
}

func (s *Server) getCommit(c *call) {
	ref := c.r.PathValue("ref")
	cm, ok := c.repo.findCommit(ref)
	if !ok {
		c.validation("No commit found for SHA: " + ref)
		return
	}
	c.ok(c.commitJSON(c.repo, cm))
}

func (s *Server) listTags(c *call) {
	lo, hi := c.paginate(len(c.repo.tags))
	out := []any{}
	for _, t := range c.repo.tags[lo:hi] {
		out = append(out, map[string]any{
			"name":        t.Name,
			"commit":      map[string]any{"sha": t.SHA, "url": c.repoAPI(c.repo) + "/commits/" + t.SHA},
			"zipball_url": c.repoAPI(c.repo) + "/zipball/refs/tags/" + t.Name,
			"tarball_url": c.repoAPI(c.repo) + "/tarball/refs/tags/" + t.Name,
			"node_id":     nodeID("Ref", stableID(c.repo.fx.FullName()+"#tag#"+t.Name, 1_000_000)),
		})
	}
	c.ok(out)
}

func (c *call) refJSON(rs *repoState, full, sha string) map[string]any {
	return map[string]any{
		"ref": full, "node_id": nodeID("Ref", stableID(rs.fx.FullName()+"#"+full, 1_000_000)),
		"url":    c.repoAPI(rs) + "/git/" + full,
		"object": map[string]any{"sha": sha, "type": "commit", "url": c.repoAPI(rs) + "/git/commits/" + sha},
	}
}

// lookupRef resolves "heads/x" or "tags/x" to its SHA.
func (rs *repoState) lookupRef(ref string) (string, bool) {
	ref = strings.TrimPrefix(ref, "refs/")
	if name, ok := strings.CutPrefix(ref, "heads/"); ok {
		if b := rs.branch(name); b != nil {
			return rs.completeCommit(b.Commit, b.Name).SHA, true
		}
	}
	if name, ok := strings.CutPrefix(ref, "tags/"); ok {
		for _, t := range rs.tags {
			if t.Name == name {
				return t.SHA, true
			}
		}
	}
	return "", false
}

func (s *Server) getGitRef(c *call) {
	ref := strings.TrimPrefix(c.r.PathValue("ref"), "refs/")
	sha, ok := c.repo.lookupRef(ref)
	if !ok {
		c.notFound()
		return
	}
	c.ok(c.refJSON(c.repo, "refs/"+ref, sha))
}

// listMatchingRefs answers GET …/git/matching-refs/{prefix}: branches
// and tags whose "heads/…" or "tags/…" name starts with the prefix.
func (s *Server) listMatchingRefs(c *call) {
	rs := c.repo
	prefix := strings.TrimPrefix(c.r.PathValue("ref"), "refs/")
	type ref struct{ name, sha string }
	var refs []ref
	for _, b := range rs.branches {
		refs = append(refs, ref{"heads/" + b.Name, rs.completeCommit(b.Commit, b.Name).SHA})
	}
	for _, t := range rs.tags {
		refs = append(refs, ref{"tags/" + t.Name, t.SHA})
	}
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].name < refs[j].name })
	out := []any{}
	for _, r := range refs {
		if strings.HasPrefix(r.name, prefix) {
			out = append(out, c.refJSON(rs, "refs/"+r.name, r.sha))
		}
	}
	lo, hi := c.paginate(len(out))
	c.ok(out[lo:hi])
}

func (s *Server) createGitRef(c *call) {
	rs := c.repo
	var body struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	}
	if !c.decode(&body) {
		return
	}
	if body.Ref == "" || body.SHA == "" {
		field := "ref"
		if body.Ref != "" {
			field = "sha"
		}
		c.validation("Invalid request.\n\n\""+field+"\" wasn't supplied.", ValidationError{Resource: "Reference", Field: field, Code: "missing_field"})
		return
	}
	if !strings.HasPrefix(body.Ref, "refs/") || strings.Count(body.Ref, "/") < 2 {
		c.validation("Reference name is invalid", ValidationError{Resource: "Reference", Field: "ref", Code: "invalid"})
		return
	}
	if _, exists := rs.lookupRef(body.Ref); exists {
		c.validation("Reference already exists", ValidationError{Resource: "Reference", Field: "ref", Code: "already_exists"})
		return
	}
	cm, ok := rs.commitBySHA(body.SHA)
	if !ok || len(body.SHA) != 40 {
		c.validation("Object does not exist", ValidationError{Resource: "Reference", Field: "sha", Code: "invalid"})
		return
	}
	now := c.now
	if name, ok := strings.CutPrefix(body.Ref, "refs/heads/"); ok {
		if old, was := rs.deleted[name]; was && rs.completeCommit(old.Commit, name).SHA == body.SHA {
			old.Commit = rs.completeCommit(old.Commit, name)
			rs.branches = append(rs.branches, &old)
			delete(rs.deleted, name)
		} else {
			rs.branches = append(rs.branches, &Branch{Name: name, Commit: cm})
		}
		c.addRefEvent(rs, "CreateEvent", "branch", name)
	} else if name, ok := strings.CutPrefix(body.Ref, "refs/tags/"); ok {
		rs.tags = append(rs.tags, Tag{Name: name, SHA: body.SHA})
		c.addRefEvent(rs, "CreateEvent", "tag", name)
	} else {
		c.validation("Reference name is invalid", ValidationError{Resource: "Reference", Field: "ref", Code: "invalid"})
		return
	}
	c.s.st.refChanges = append(c.s.st.refChanges, RefChange{Action: "created", Repo: rs.fx.FullName(), Ref: body.Ref, SHA: body.SHA, Actor: c.login, Time: now})
	c.out.header.Set("Location", c.repoAPI(rs)+"/git/"+body.Ref)
	c.created(c.refJSON(rs, body.Ref, body.SHA))
}

func (s *Server) deleteGitRef(c *call) {
	rs := c.repo
	ref := strings.TrimPrefix(c.r.PathValue("ref"), "refs/")
	sha, ok := rs.lookupRef(ref)
	if !ok {
		c.validation("Reference does not exist")
		return
	}
	now := c.now
	if name, isBranch := strings.CutPrefix(ref, "heads/"); isBranch {
		if name == rs.fx.DefaultBranch {
			c.validation("Cannot delete the default branch", ValidationError{Resource: "Reference", Field: "ref", Code: "custom", Message: "Cannot delete the default branch"})
			return
		}
		b := rs.branch(name)
		if b.Protected {
			c.validation("Cannot delete this protected branch", ValidationError{Resource: "Reference", Field: "ref", Code: "custom", Message: "Cannot delete this protected branch"})
			return
		}
		for i, x := range rs.branches {
			if x == b {
				rs.branches = append(rs.branches[:i], rs.branches[i+1:]...)
				break
			}
		}
		rs.deleted[name] = *b
		// GitHub closes open pull requests whose head branch is deleted.
		for _, is := range rs.issues {
			if is.pull != nil && is.state == "open" && is.pull.head.Ref == name && (is.pull.head.Repo == "" || strings.EqualFold(is.pull.head.Repo, rs.fx.FullName())) {
				c.setState(rs, is, "closed", "")
			}
		}
		c.addRefEvent(rs, "DeleteEvent", "branch", name)
	} else {
		tag := strings.TrimPrefix(ref, "tags/")
		for i, t := range rs.tags {
			if t.Name == tag {
				rs.tags = append(rs.tags[:i], rs.tags[i+1:]...)
				break
			}
		}
		c.addRefEvent(rs, "DeleteEvent", "tag", tag)
	}
	c.s.st.refChanges = append(c.s.st.refChanges, RefChange{Action: "deleted", Repo: rs.fx.FullName(), Ref: "refs/" + ref, SHA: sha, Actor: c.login, Time: now})
	c.noContent()
}

// graphQL answers POST /graphql (GHES: /api/graphql) for the one query
// tools send to learn a token's identity when GET /user is refused to it:
// query{viewer{login}}. Anything else answers 200 with an errors array,
// as GraphQL does. It costs a point of the graphql budget.
func (s *Server) graphQL(c *call) {
	var body struct {
		Query string `json:"query"`
	}
	if !c.decode(&body) {
		return
	}
	q := strings.Join(strings.Fields(body.Query), "")
	q = strings.TrimPrefix(q, "query")
	if i := strings.Index(q, "{"); i > 0 {
		q = q[i:] // an operation name
	}
	if q != "{viewer{login}}" {
		c.ok(map[string]any{"errors": []any{map[string]any{"message": "the emulator answers only query{viewer{login}}", "type": "NOT_SUPPORTED"}}})
		return
	}
	c.ok(map[string]any{"data": map[string]any{"viewer": map[string]any{"login": c.login}}})
}
