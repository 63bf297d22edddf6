package emulator

import (
	"net/url"
	"sort"
	"strconv"
	"time"
)

// Releases: created through the API (release workflows), listed and read
// by tag. https://docs.github.com/rest/releases/releases

// Release is a GitHub release.
type Release struct {
	ID              int64     `yaml:"id" json:"id"`
	TagName         string    `yaml:"tag_name" json:"tag_name"`
	TargetCommitish string    `yaml:"target_commitish,omitempty" json:"target_commitish,omitempty"`
	Name            string    `yaml:"name,omitempty" json:"name,omitempty"`
	Body            string    `yaml:"body,omitempty" json:"body,omitempty"`
	Draft           bool      `yaml:"draft,omitempty" json:"draft,omitempty"`
	Prerelease      bool      `yaml:"prerelease,omitempty" json:"prerelease,omitempty"`
	Author          string    `yaml:"author" json:"author"`
	CreatedAt       time.Time `yaml:"created_at" json:"created_at"`
	PublishedAt     time.Time `yaml:"published_at,omitempty" json:"published_at,omitempty"`
}

func (c *call) releaseJSON(rs *repoState, r *Release) map[string]any {
	api := c.repoAPI(rs) + "/releases/" + strconv.FormatInt(r.ID, 10)
	html := repoHTML(rs) + "/releases/tag/" + url.PathEscape(r.TagName)
	var published any
	if !r.Draft {
		published = ts(r.PublishedAt)
	}
	var name any = r.Name
	if r.Name == "" {
		name = nil
	}
	return map[string]any{
		"url": api, "html_url": html, "assets_url": api + "/assets",
		"upload_url":  "https://uploads.github.com/repos/" + rs.fx.FullName() + "/releases/" + strconv.FormatInt(r.ID, 10) + "/assets{?name,label}",
		"tarball_url": c.repoAPI(rs) + "/tarball/" + r.TagName, "zipball_url": c.repoAPI(rs) + "/zipball/" + r.TagName,
		"id": r.ID, "node_id": nodeID("Release", r.ID), "tag_name": r.TagName, "target_commitish": r.TargetCommitish,
		"name": name, "body": nullIfEmpty(r.Body), "draft": r.Draft, "prerelease": r.Prerelease, "immutable": false,
		"created_at": ts(r.CreatedAt), "published_at": published, "updated_at": ts(r.CreatedAt),
		"author": c.userJSON(r.Author), "assets": []any{},
	}
}

// createRelease answers POST …/releases: 201; the tag is created at
// target_commitish (default: the default branch) when it does not exist;
// 422 already_exists when the tag has a release.
func (s *Server) createRelease(c *call) {
	rs := c.repo
	var body struct {
		TagName         string `json:"tag_name"`
		TargetCommitish string `json:"target_commitish"`
		Name            string `json:"name"`
		Body            string `json:"body"`
		Draft           bool   `json:"draft"`
		Prerelease      bool   `json:"prerelease"`
	}
	if !c.decode(&body) {
		return
	}
	if body.TagName == "" {
		c.validation("Validation Failed", ValidationError{Resource: "Release", Field: "tag_name", Code: "missing_field"})
		return
	}
	for _, r := range rs.releases {
		if r.TagName == body.TagName {
			c.validation("Validation Failed", ValidationError{Resource: "Release", Field: "tag_name", Code: "already_exists"})
			return
		}
	}
	target := body.TargetCommitish
	if target == "" {
		target = rs.fx.DefaultBranch
	}
	if _, exists := rs.lookupRef("tags/" + body.TagName); !exists {
		sha, ok := rs.resolveRef(target)
		if !ok {
			c.validation("Validation Failed", ValidationError{Resource: "Release", Field: "target_commitish", Code: "invalid"})
			return
		}
		if !body.Draft {
			rs.tags = append(rs.tags, Tag{Name: body.TagName, SHA: sha})
			c.addRefEvent(rs, "CreateEvent", "tag", body.TagName)
		}
	}
	r := &Release{ID: c.s.st.newID(), TagName: body.TagName, TargetCommitish: target, Name: body.Name, Body: body.Body,
		Draft: body.Draft, Prerelease: body.Prerelease, Author: c.login, CreatedAt: c.now, PublishedAt: c.now}
	rs.releases = append(rs.releases, r)
	c.out.header.Set("Location", c.repoAPI(rs)+"/releases/"+strconv.FormatInt(r.ID, 10))
	c.created(c.releaseJSON(rs, r))
}

// listReleases answers GET …/releases, newest first.
func (s *Server) listReleases(c *call) {
	rel := append([]*Release(nil), c.repo.releases...)
	sort.SliceStable(rel, func(i, j int) bool { return rel[i].CreatedAt.After(rel[j].CreatedAt) })
	c.ok(c.page(len(rel), func(i int) any { return c.releaseJSON(c.repo, rel[i]) }))
}

// getReleaseByTag answers GET …/releases/tags/{tag} (drafts are not found by tag).
func (s *Server) getReleaseByTag(c *call) {
	for _, r := range c.repo.releases {
		if r.TagName == c.r.PathValue("tag") && !r.Draft {
			c.ok(c.releaseJSON(c.repo, r))
			return
		}
	}
	c.notFound()
}
