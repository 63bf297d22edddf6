package ghclient

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// cacheFormatVersion is written into every cache file; files with another
// version are ignored (and overwritten on the next 200), so a format change
// never breaks a run that restored an old actions/cache entry.
const cacheFormatVersion = 1

// cacheTempPrefix starts the temporary files the cache writes before
// renaming them into place; os.CreateTemp appends decimal digits.
const cacheTempPrefix = ".tmp-"

// maxCachedBody bounds the size of a response body kept for revalidation.
// Larger responses (rare on the REST API) are passed through uncached.
const maxCachedBody = 8 << 20

// cacheEntry is one cached 200 response. On disk it is a JSON file named
// <key>.json in Config.CacheDir.
type cacheEntry struct {
	Version int    `json:"version"`
	Key     string `json:"key"`
	URL     string `json:"url"`
	Accept  string `json:"accept"`
	ETag    string `json:"etag"`
	// Header is the original response's header without rate-limit headers,
	// which are replaced by the current ones when the entry is served.
	Header   http.Header `json:"header"`
	Body     []byte      `json:"body"`
	StoredAt time.Time   `json:"stored_at"`
}

// tokenFingerprint identifies a token in cache keys without revealing it:
// responses differ per identity (private repositories, permissions), so the
// key must depend on the token, but neither the key nor any file may contain
// it. A SHA-256 of a domain-separated string is one-way.
func tokenFingerprint(token string) string {
	if token == "" {
		return "anonymous"
	}
	sum := sha256.Sum256([]byte("ecosystem-actions/ghclient token v1\x00" + token))
	return hex.EncodeToString(sum[:16])
}

// cacheKey derives the key for a GET of url with the given Accept header by
// the identity behind tokenFP. The key is a hex SHA-256, so it is also a
// safe file name.
func cacheKey(url, accept, tokenFP string) string {
	sum := sha256.Sum256([]byte("GET\x00" + url + "\x00" + accept + "\x00" + tokenFP))
	return hex.EncodeToString(sum[:])
}

// etagCache keeps cached responses in memory and, when dir is set, in one
// file per key so actions/cache can carry them between runs. It is safe for
// concurrent use.
type etagCache struct {
	dir string

	mu  sync.Mutex
	mem map[string]*cacheEntry
	// writeErrors counts failed disk writes (the cache keeps working in
	// memory; the next run just revalidates less).
	writeErrors int
	// pruned is the number of unused files New removed from dir.
	pruned int
}

func newETagCache(dir string) *etagCache {
	return &etagCache{dir: dir, mem: make(map[string]*cacheEntry)}
}

func (c *etagCache) path(key string) string {
	return filepath.Join(c.dir, key+".json")
}

// get returns the entry for key from memory or disk, or nil. Entries that
// cannot be read, have another format version or do not match the key are
// ignored.
func (c *etagCache) get(key, url, accept string) *cacheEntry {
	c.mu.Lock()
	e, ok := c.mem[key]
	c.mu.Unlock()
	if ok {
		return e
	}
	if c.dir == "" {
		return nil
	}
	data, err := os.ReadFile(c.path(key))
	if err != nil {
		return nil
	}
	var disk cacheEntry
	if err := json.Unmarshal(data, &disk); err != nil {
		return nil
	}
	if disk.Version != cacheFormatVersion || disk.Key != key || disk.URL != url ||
		disk.Accept != accept || disk.ETag == "" {
		return nil
	}
	c.mu.Lock()
	if cur, ok := c.mem[key]; ok { // a concurrent put won
		c.mu.Unlock()
		return cur
	}
	c.mem[key] = &disk
	c.mu.Unlock()
	return &disk
}

// put stores e in memory and on disk (atomically: temp file + rename).
func (c *etagCache) put(e *cacheEntry) {
	e.Version = cacheFormatVersion
	c.mu.Lock()
	c.mem[e.Key] = e
	c.mu.Unlock()
	if c.dir == "" {
		return
	}
	if err := c.writeFile(e); err != nil {
		c.mu.Lock()
		c.writeErrors++
		c.mu.Unlock()
	}
}

func (c *etagCache) writeFile(e *cacheEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("failed to encode cache entry: %w", err)
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("failed to create cache dir: %w", err)
	}
	tmp, err := os.CreateTemp(c.dir, cacheTempPrefix+"*")
	if err != nil {
		return fmt.Errorf("failed to create cache file: %w", err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("failed to write cache file: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path(e.Key)); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("failed to rename cache file: %w", err)
	}
	return nil
}

// touch marks key's file as used now, so PruneCache keeps entries that are
// still revalidated even though their content never changes.
func (c *etagCache) touch(key string) {
	if c.dir == "" {
		return
	}
	now := time.Now()
	_ = os.Chtimes(c.path(key), now, now)
}

// cacheFileOwned reports whether name is a file the cache writes: an entry
// "<64 lower-case hex digits>.json" (cacheKey) or a temporary file
// ".tmp-<digits>" (os.CreateTemp). Nothing else in the directory is the
// cache's: cache_dir may be a folder the user keeps other files in.
func cacheFileOwned(name string) bool {
	if rest, ok := strings.CutPrefix(name, cacheTempPrefix); ok {
		return rest != "" && strings.Trim(rest, "0123456789") == ""
	}
	key, ok := strings.CutSuffix(name, ".json")
	if !ok || len(key) != 64 {
		return false
	}
	return strings.Trim(key, "0123456789abcdef") == ""
}

// PruneCache removes cache files in dir not used (stored or revalidated)
// for maxAge, and stray temporary files, so a cache carried by actions/cache
// does not grow with URLs nobody requests any more. It removes only the
// files the cache writes (see cacheFileOwned): a package.json older than
// maxAge in the same folder stays. A missing dir is not an error. It
// returns the number of files removed.
func PruneCache(dir string, maxAge time.Duration) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("failed to read cache dir: %w", err)
	}
	cutoff := time.Now().Add(-maxAge)
	removed := 0
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !cacheFileOwned(name) {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("failed to prune cache: %w", err)
	}
	return removed, nil
}

// remove forgets key (the resource is gone or changed into an error).
func (c *etagCache) remove(key string) {
	c.mu.Lock()
	_, inMem := c.mem[key]
	delete(c.mem, key)
	c.mu.Unlock()
	if c.dir == "" {
		return
	}
	if err := os.Remove(c.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) && inMem {
		c.mu.Lock()
		c.writeErrors++
		c.mu.Unlock()
	}
}

func (c *etagCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.mem)
}

// isRateHeader reports whether a header describes the current rate-limit
// window; such headers are never cached because they are stale by the time a
// cached body is served.
func isRateHeader(name string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(n, "x-ratelimit-") || n == "retry-after"
}

// cacheableHeader copies h without rate-limit headers and cookies.
func cacheableHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		if isRateHeader(k) || strings.EqualFold(k, "Set-Cookie") || strings.EqualFold(k, "Date") {
			continue
		}
		out[k] = append([]string(nil), v...)
	}
	return out
}
