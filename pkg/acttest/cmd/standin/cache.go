package main

// actions/cache/restore and actions/cache/save (v5): tarballs under
// $ACT_STANDIN_DIR/cache with an index of keys and when they were saved.
// Restore: the exact key, else for each restore-keys prefix in order the
// newest key starting with it. Save: caches are immutable, an existing key
// is kept (with the real action's warning).

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func cacheFile(dir, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:8])+".tar")
}

type cacheIndex map[string]time.Time // key -> saved at

func loadIndex(dir string) (cacheIndex, error) {
	idx := cacheIndex{}
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if errors.Is(err, os.ErrNotExist) {
		return idx, nil
	}
	if err != nil {
		return nil, err
	}
	return idx, json.Unmarshal(data, &idx)
}

// checkKey applies the cache service's key rules: at most 512 characters,
// no commas.
func checkKey(key string) error {
	if len(key) > 512 {
		return fmt.Errorf("key validation error: %s cannot be larger than 512 characters", key)
	}
	if strings.Contains(key, ",") {
		return fmt.Errorf("key validation error: %s cannot contain commas", key)
	}
	return nil
}

// lookup returns the key restore finds for key and restoreKeys, or "".
func lookup(idx cacheIndex, key string, restoreKeys []string) string {
	if _, ok := idx[key]; ok {
		return key
	}
	for _, prefix := range restoreKeys {
		var best string
		for k, at := range idx {
			if strings.HasPrefix(k, prefix) && (best == "" || at.After(idx[best]) || (at.Equal(idx[best]) && k > best)) {
				best = k
			}
		}
		if best != "" {
			return best
		}
	}
	return ""
}

// cacheRestore restores; with --save-state (actions/cache's main step) it
// keeps the primary and the matched key for cache-post.
func cacheRestore(_ context.Context, e *env, args []string) error {
	saveState := len(args) > 0 && args[0] == "--save-state"
	for _, u := range []struct{ name, def string }{{"enableCrossOsArchive", "false"}, {"save-always", "false"}} {
		if err := e.unsupported(u.name, u.def); err != nil {
			return err
		}
	}
	dir, err := e.standinDir("cache")
	if err != nil {
		return err
	}
	key := e.input("key")
	if key == "" {
		return errors.New("input key is required")
	}
	if e.input("path") == "" {
		return errors.New("input path is required")
	}
	restoreKeys := lines(e.input("restore-keys"))
	for _, k := range append([]string{key}, restoreKeys...) {
		if err := checkKey(k); err != nil {
			return err
		}
	}
	idx, err := loadIndex(dir)
	if err != nil {
		return err
	}
	matched := lookup(idx, key, restoreKeys)
	if saveState {
		if err := e.saveState("CACHE_KEY", key); err != nil {
			return err
		}
		if err := e.saveState("CACHE_RESULT", matched); err != nil {
			return err
		}
	}
	if err := e.setOutput("cache-primary-key", key); err != nil {
		return err
	}
	if matched == "" {
		msg := "Cache not found for input keys: " + strings.Join(append([]string{key}, restoreKeys...), ", ")
		if e.input("fail-on-cache-miss") == "true" {
			return errors.New("failed to restore cache entry. Exiting as fail-on-cache-miss is set. " + msg)
		}
		e.printf("%s\n", msg)
		return e.setOutput("cache-hit", "false")
	}
	if e.input("lookup-only") != "true" {
		data, err := os.ReadFile(cacheFile(dir, matched))
		if err != nil {
			return err
		}
		if err := untarInto(data, e.workspace()); err != nil {
			return err
		}
		e.printf("Cache restored from key: %s\n", matched)
	} else {
		e.printf("Cache found and can be restored from key: %s\n", matched)
	}
	if err := e.setOutput("cache-matched-key", matched); err != nil {
		return err
	}
	return e.setOutput("cache-hit", fmt.Sprint(matched == key))
}

// untarInto unpacks the regular files of a tarball into dir, refusing
// entries that would land outside it.
func untarInto(data []byte, dir string) error {
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		target, err := within(dir, h.Name)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, content, 0o644); err != nil {
			return err
		}
	}
}

func cacheSave(_ context.Context, e *env, _ []string) error {
	if err := e.unsupported("enableCrossOsArchive", "false"); err != nil {
		return err
	}
	dir, err := e.standinDir("cache")
	if err != nil {
		return err
	}
	key := e.input("key")
	if key == "" {
		return errors.New("input key is required")
	}
	if err := checkKey(key); err != nil {
		return err
	}
	idx, err := loadIndex(dir)
	if err != nil {
		return err
	}
	if _, ok := idx[key]; ok {
		e.printf("::warning::Failed to save: Unable to reserve cache with key %s, another job may be creating this cache.\n", escapeData(key))
		return nil
	}
	// The cache keeps hidden files (unlike upload-artifact).
	files, _, err := e.collect(e.input("path"), true)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		e.printf("::warning::Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.\n")
		return nil
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		rel, err := filepath.Rel(e.workspace(), f)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("path %s is outside the workspace (the stand-in caches workspace paths only)", f)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), ModTime: e.now()}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(cacheFile(dir, key), buf.Bytes(), 0o644); err != nil {
		return err
	}
	idx[key] = e.now()
	data, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "index.json"), data, 0o644); err != nil {
		return err
	}
	e.printf("Cache saved with key: %s (%d files)\n", key, len(files))
	return nil
}

// cachePost is actions/cache's post step: it saves under the primary key
// unless the main step restored exactly that key (or only looked it up).
func cachePost(ctx context.Context, e *env, _ []string) error {
	key, result := e.getenv("STATE_CACHE_KEY"), e.getenv("STATE_CACHE_RESULT")
	if key == "" {
		e.printf("::warning::Cache save skipped: the restore step left no primary key.\n")
		return nil
	}
	if result == key {
		e.printf("Cache hit occurred on the primary key %s, not saving cache.\n", key)
		return nil
	}
	if e.input("lookup-only") == "true" {
		e.printf("Lookup only - skipping save\n")
		return nil
	}
	save := *e
	save.getenv = func(k string) string {
		if k == "INPUT_KEY" {
			return key
		}
		return e.getenv(k)
	}
	return cacheSave(ctx, &save, nil)
}
