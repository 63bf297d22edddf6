package emulator

import (
	"sort"
	"strings"
)

// GitHub Actions caches: listed with key (prefix) and ref filters, deleted
// by key or id. actions/stale keeps its state in a cache and uses both.
// https://docs.github.com/rest/actions/cache

func (c *call) cacheJSON(ca Cache) map[string]any {
	return map[string]any{
		"id": ca.ID, "ref": ca.Ref, "key": ca.Key, "version": ca.Version,
		"last_accessed_at": ts(ca.LastAccessedAt), "created_at": ts(ca.CreatedAt), "size_in_bytes": ca.SizeBytes,
	}
}

var cacheSorts = map[string]bool{"created_at": true, "last_accessed_at": true, "size_in_bytes": true}

// listCaches answers GET …/actions/caches.
func (s *Server) listCaches(c *call) {
	q := c.r.URL.Query()
	sortBy := q.Get("sort")
	if sortBy == "" {
		sortBy = "last_accessed_at"
	}
	if !cacheSorts[sortBy] {
		c.validation("Validation Failed", ValidationError{Resource: "ActionsCache", Field: "sort", Code: "invalid",
			Message: "sort must be one of: created_at, last_accessed_at, size_in_bytes"})
		return
	}
	asc := q.Get("direction") == "asc"
	var list []Cache
	for _, ca := range c.repo.caches {
		if k := q.Get("key"); k != "" && !strings.HasPrefix(ca.Key, k) {
			continue
		}
		if r := q.Get("ref"); r != "" && ca.Ref != r {
			continue
		}
		list = append(list, ca)
	}
	key := func(ca Cache) int64 {
		switch sortBy {
		case "created_at":
			return ca.CreatedAt.UnixNano()
		case "size_in_bytes":
			return ca.SizeBytes
		}
		return ca.LastAccessedAt.UnixNano()
	}
	sort.SliceStable(list, func(i, j int) bool {
		if asc {
			return key(list[i]) < key(list[j])
		}
		return key(list[i]) > key(list[j])
	})
	out := c.page(len(list), func(i int) any { return c.cacheJSON(list[i]) })
	c.ok(map[string]any{"total_count": len(list), "actions_caches": out})
}

// deleteCachesByKey answers DELETE …/actions/caches?key=…[&ref=…]: the
// caches with exactly that key (and ref) are deleted and listed; 404 when
// there are none.
func (s *Server) deleteCachesByKey(c *call) {
	q := c.r.URL.Query()
	k := q.Get("key")
	if k == "" {
		c.validation("Validation Failed", ValidationError{Resource: "ActionsCache", Field: "key", Code: "missing_field"})
		return
	}
	var keep, gone []Cache
	for _, ca := range c.repo.caches {
		if ca.Key == k && (q.Get("ref") == "" || ca.Ref == q.Get("ref")) {
			gone = append(gone, ca)
			continue
		}
		keep = append(keep, ca)
	}
	if len(gone) == 0 {
		c.notFound()
		return
	}
	c.repo.caches = keep
	items := []any{}
	for _, ca := range gone {
		items = append(items, c.cacheJSON(ca))
	}
	c.ok(map[string]any{"total_count": len(gone), "actions_caches": items})
}

// deleteCacheByID answers DELETE …/actions/caches/{cache_id}.
func (s *Server) deleteCacheByID(c *call) {
	id, ok := c.intParam("cache_id")
	if !ok {
		return
	}
	for i, ca := range c.repo.caches {
		if ca.ID == id {
			c.repo.caches = append(c.repo.caches[:i:i], c.repo.caches[i+1:]...)
			c.noContent()
			return
		}
	}
	c.notFound()
}
