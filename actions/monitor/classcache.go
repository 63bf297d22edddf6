package monitor

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// ClassifiedCacheFile is where, under cache_dir, the monitor keeps the
// classifications of failed job logs: a job's log never changes once the
// job has completed, so a warm run reuses them instead of downloading and
// classifying the logs again. It sits in its own directory so that the
// ETag cache's pruning, which owns cache_dir's top level, never touches it.
const ClassifiedCacheFile = "monitor/classified-jobs.json"

const classCacheVersion = 1

// classCache holds classifications by repository, job id and attempt.
type classCache struct {
	path       string
	classifier string

	mu   sync.Mutex
	old  map[string]*cachedClass
	used map[string]*cachedClass
	hits int
}

type cachedClass struct {
	// Analysis is nil for a log no rule explained.
	Analysis *Analysis `json:"analysis"`
}

type classCacheFile struct {
	Version int `json:"version"`
	// Classifier identifies the rule catalog the classifications came
	// from: another catalog classifies afresh.
	Classifier string                  `json:"classifier"`
	Jobs       map[string]*cachedClass `json:"jobs"`
}

// loadClassCache reads the cache under dir for classifier; a missing,
// unreadable or foreign file starts an empty cache (it is only a cache),
// and the reason is returned for a warning.
func loadClassCache(dir, classifier string) (*classCache, error) {
	c := &classCache{path: filepath.Join(dir, filepath.FromSlash(ClassifiedCacheFile)), classifier: classifier,
		old: map[string]*cachedClass{}, used: map[string]*cachedClass{}}
	data, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("failed to read the classification cache %s: %w", c.path, err)
	}
	var f classCacheFile
	if err := json.Unmarshal(data, &f); err != nil {
		return c, fmt.Errorf("the classification cache %s is not one (%v): classifying afresh", c.path, err)
	}
	if f.Version == classCacheVersion && f.Classifier == classifier && f.Jobs != nil {
		c.old = f.Jobs
	}
	return c, nil
}

func classKey(repo string, jobID int64, attempt int) string {
	return repo + "#" + strconv.FormatInt(jobID, 10) + "#" + strconv.Itoa(attempt)
}

// get returns the cached classification of a job, if any.
func (c *classCache) get(key string) (*cachedClass, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.used[key]; ok {
		return e, true
	}
	e, ok := c.old[key]
	if ok {
		c.used[key] = e
		c.hits++
	}
	return e, ok
}

func (c *classCache) put(key string, a *Analysis) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.used[key] = &cachedClass{Analysis: a}
	c.mu.Unlock()
}

// save writes the classifications this run used (older ones are dropped:
// their jobs left the window).
func (c *classCache) save() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	f := classCacheFile{Version: classCacheVersion, Classifier: c.classifier, Jobs: c.used}
	c.mu.Unlock()
	if err := report.WriteJSON(c.path, f); err != nil {
		return fmt.Errorf("failed to write the classification cache: %w", err)
	}
	return nil
}

// FixerClassifierID identifies the fixer's embedded rule catalog: a hash of
// its rules, so that a new catalog (a new release, or a rule changed in a
// development build) classifies afresh instead of reusing the cache.
func FixerClassifierID() string {
	cat, err := classify.DefaultCatalog()
	if err != nil {
		return ""
	}
	data, err := json.Marshal(cat.Rules)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return "fixer-catalog/" + hex.EncodeToString(sum[:8])
}
