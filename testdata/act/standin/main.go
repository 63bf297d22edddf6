// Command standin does, on the runner's disk, the jobs of the third-party
// actions the workflows use, for runs of the workflows under nektos/act
// without network (pkg/acttest). Each stand-in action under testdata/act/ is a
// composite action that runs one subcommand of this program with its inputs
// in INPUT_* variables:
//
//	upload-artifact    zip the files and upload them to act's artifact server (v4 protocol)
//	download-artifact  list, fetch and unzip artifacts from act's artifact server
//	cache-restore      restore a tarball saved by cache-save (exact key, then restore-keys prefixes)
//	cache-save         save paths under a key (immutable: an existing key is kept)
//	configure-pages    report the Pages site's URL
//	deploy-pages       unpack the github-pages artifact into the local site directory
//	cloudsmith-setup   put a cloudsmith command on PATH that records pushes on disk
//	cloudsmith         that command (`cloudsmith push raw NS/REPO FILE --name --version --tags`)
//
// Standard library only: it is built outside the module by the test.
// Directories on disk come from ACT_STANDIN_DIR (cache/, pages/, cloudsmith/).
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: standin upload-artifact|download-artifact|cache-restore|cache-save|configure-pages|deploy-pages|cloudsmith-setup|cloudsmith ...")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"upload-artifact":   uploadArtifact,
		"download-artifact": downloadArtifact,
		"cache-restore":     cacheRestore,
		"cache-save":        cacheSave,
		"configure-pages":   configurePages,
		"deploy-pages":      deployPages,
		"cloudsmith-setup":  cloudsmithSetup,
		"cloudsmith":        cloudsmith,
	}
	fn, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "standin: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := fn(os.Args[2:]); err != nil {
		fmt.Printf("::error title=stand-in %s::%s\n", os.Args[1], strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(1)
	}
}

func input(name string) string {
	return strings.TrimSpace(os.Getenv("INPUT_" + strings.ToUpper(name)))
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func workspace() string {
	if w := os.Getenv("GITHUB_WORKSPACE"); w != "" {
		return w
	}
	w, _ := os.Getwd()
	return w
}

func abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(workspace(), p)
}

func setOutput(name, value string) error {
	f, err := os.OpenFile(os.Getenv("GITHUB_OUTPUT"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("failed to open GITHUB_OUTPUT: %w", err)
	}
	defer f.Close()
	var d [8]byte
	_, _ = rand.Read(d[:])
	delim := "EOF_" + hex.EncodeToString(d[:])
	_, err = fmt.Fprintf(f, "%s<<%s\n%s\n%s\n", name, delim, value, delim)
	return err
}

func standinDir(sub string) (string, error) {
	base := os.Getenv("ACT_STANDIN_DIR")
	if base == "" {
		return "", errors.New("ACT_STANDIN_DIR is not set (pass --env ACT_STANDIN_DIR=... to act)")
	}
	dir := filepath.Join(base, sub)
	return dir, os.MkdirAll(dir, 0o755)
}

// --- act's artifact server (v4 protocol, twirp JSON) ---

const artifactService = "twirp/github.actions.results.api.v1.ArtifactService/"

// backendIDs reads the run and job ids from ACTIONS_RUNTIME_TOKEN's
// "scp": "Actions.Results:<run>:<job>" claim, as @actions/artifact does.
func backendIDs() (run, job string, err error) {
	tok := os.Getenv("ACTIONS_RUNTIME_TOKEN")
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", "", errors.New("ACTIONS_RUNTIME_TOKEN is not a JWT (is act's artifact server on? --artifact-server-path)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", fmt.Errorf("failed to decode the runtime token: %w", err)
	}
	var claims struct {
		Scp string `json:"scp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", "", fmt.Errorf("failed to parse the runtime token: %w", err)
	}
	for _, scope := range strings.Fields(claims.Scp) {
		f := strings.Split(scope, ":")
		if len(f) == 3 && f[0] == "Actions.Results" {
			return f[1], f[2], nil
		}
	}
	return "", "", fmt.Errorf("no Actions.Results scope in the runtime token (scp %q)", claims.Scp)
}

func twirp(method string, req, resp any) error {
	base := os.Getenv("ACTIONS_RESULTS_URL")
	if base == "" {
		return errors.New("ACTIONS_RESULTS_URL is not set (is act's artifact server on?)")
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	r, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(base, "/")+"/"+artifactService+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+os.Getenv("ACTIONS_RUNTIME_TOKEN"))
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		return fmt.Errorf("failed to call %s: %w", method, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", method, res.StatusCode, data)
	}
	if resp == nil {
		return nil
	}
	return json.Unmarshal(data, resp)
}

// searchRoot is the part of a path or glob before its first wildcard
// element: the directory a file is found relative to.
func searchRoot(p string) string {
	elems := strings.Split(filepath.ToSlash(p), "/")
	for i, e := range elems {
		if strings.ContainsAny(e, "*?[{") {
			return filepath.FromSlash(strings.Join(elems[:i], "/"))
		}
	}
	return p
}

// expandBraces turns "a{b,c}d" into ["abd", "acd"] (one level, as used here).
func expandBraces(p string) []string {
	i := strings.Index(p, "{")
	j := strings.Index(p, "}")
	if i < 0 || j < i {
		return []string{p}
	}
	var out []string
	for _, alt := range strings.Split(p[i+1:j], ",") {
		out = append(out, expandBraces(p[:i]+alt+p[j+1:])...)
	}
	return out
}

func match(pattern, name string) bool {
	for _, p := range expandBraces(pattern) {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// collect returns the files named by the path input (lines; globs; ! to
// exclude) and the root the artifact's entries are relative to: the least
// common ancestor of the search paths, as upload-artifact does.
func collect(spec string) (files []string, root string, err error) {
	var roots []string
	seen := map[string]bool{}
	var excludes []string
	for _, l := range lines(spec) {
		if strings.HasPrefix(l, "!") {
			excludes = append(excludes, abs(strings.TrimPrefix(l, "!")))
			continue
		}
		p := abs(l)
		sr := searchRoot(p)
		matches := []string{p}
		if sr != p {
			matches, err = filepath.Glob(p)
			if err != nil {
				return nil, "", fmt.Errorf("bad path pattern %q: %w", l, err)
			}
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				continue
			}
			if st.IsDir() {
				if sr == p {
					roots = append(roots, m)
				} else {
					roots = append(roots, sr)
				}
				_ = filepath.WalkDir(m, func(f string, d fs.DirEntry, err error) error {
					if err == nil && !d.IsDir() && !seen[f] {
						seen[f] = true
						files = append(files, f)
					}
					return nil
				})
				continue
			}
			if sr == p {
				roots = append(roots, filepath.Dir(m))
			} else {
				roots = append(roots, sr)
			}
			if !seen[m] {
				seen[m] = true
				files = append(files, m)
			}
		}
	}
	var kept []string
	for _, f := range files {
		excluded := false
		for _, e := range excludes {
			if ok, _ := filepath.Match(e, f); ok || strings.HasPrefix(f, e+string(filepath.Separator)) {
				excluded = true
			}
		}
		if !excluded {
			kept = append(kept, f)
		}
	}
	sort.Strings(kept)
	if len(roots) == 0 {
		return kept, workspace(), nil
	}
	root = roots[0]
	for _, r := range roots[1:] {
		for !strings.HasPrefix(r+string(filepath.Separator), root+string(filepath.Separator)) {
			root = filepath.Dir(root)
		}
	}
	return kept, root, nil
}

func uploadArtifact(_ []string) error {
	name := input("name")
	if name == "" {
		name = "artifact"
	}
	files, root, err := collect(input("path"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		switch input("if-no-files-found") {
		case "error":
			return fmt.Errorf("no files were found with the provided path: %s", input("path"))
		case "ignore":
			return nil
		default:
			fmt.Printf("::warning::No files were found with the provided path: %s. No artifacts will be uploaded.\n", input("path"))
			return nil
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		rel, err := filepath.Rel(root, f)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		fmt.Printf("adding %s\n", filepath.ToSlash(rel))
	}
	if err := zw.Close(); err != nil {
		return err
	}

	run, job, err := backendIDs()
	if err != nil {
		return err
	}
	var created struct {
		Ok              bool   `json:"ok"`
		SignedUploadURL string `json:"signedUploadUrl"`
	}
	if err := twirp("CreateArtifact", map[string]any{
		"workflow_run_backend_id": run, "workflow_job_run_backend_id": job, "name": name, "version": 4,
	}, &created); err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPut, created.SignedUploadURL+"&comp=block", bytes.NewReader(buf.Bytes()))
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("failed to upload: %w", err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("upload: HTTP %d", res.StatusCode)
	}
	sum := sha256.Sum256(buf.Bytes())
	var fin struct {
		Ok         bool   `json:"ok"`
		ArtifactID string `json:"artifactId"`
	}
	if err := twirp("FinalizeArtifact", map[string]any{
		"workflow_run_backend_id": run, "workflow_job_run_backend_id": job, "name": name,
		"size": fmt.Sprint(buf.Len()), "hash": "sha256:" + hex.EncodeToString(sum[:]),
	}, &fin); err != nil {
		return err
	}
	fmt.Printf("uploaded artifact %s (%d files, %d bytes) to run %s\n", name, len(files), buf.Len(), run)
	if err := setOutput("artifact-id", fin.ArtifactID); err != nil {
		return err
	}
	return setOutput("artifact-digest", hex.EncodeToString(sum[:]))
}

func downloadArtifact(_ []string) error {
	run, job, err := backendIDs()
	if err != nil {
		return err
	}
	if id := input("run-id"); id != "" {
		// Cross-run (and, with `repository`, cross-repository) downloads:
		// act's artifact server keys artifacts by run id only.
		if input("github-token") == "" {
			return errors.New("run-id needs github-token (as actions/download-artifact does)")
		}
		fmt.Printf("downloading from run %s of %s\n", id, input("repository"))
		run = id
	}
	var list struct {
		Artifacts []struct {
			Name string `json:"name"`
		} `json:"artifacts"`
	}
	if err := twirp("ListArtifacts", map[string]any{
		"workflow_run_backend_id": run, "workflow_job_run_backend_id": job,
	}, &list); err != nil {
		// act's server answers 500 for a run without any artifact.
		fmt.Printf("listing artifacts: %v\n", err)
		list.Artifacts = nil
	}
	name, pattern := input("name"), input("pattern")
	var selected []string
	for _, a := range list.Artifacts {
		if (name != "" && a.Name == name) || (name == "" && (pattern == "" || match(pattern, a.Name))) {
			selected = append(selected, a.Name)
		}
	}
	sort.Strings(selected)
	if name != "" && len(selected) == 0 {
		return fmt.Errorf("unable to download artifact(s): artifact not found: %s", name)
	}
	dest := workspace()
	if p := input("path"); p != "" {
		dest = abs(p)
	}
	merge := input("merge-multiple") == "true"
	for _, a := range selected {
		var signed struct {
			SignedURL string `json:"signedUrl"`
		}
		if err := twirp("GetSignedArtifactURL", map[string]any{
			"workflow_run_backend_id": run, "workflow_job_run_backend_id": job, "name": a,
		}, &signed); err != nil {
			return err
		}
		res, err := http.Get(signed.SignedURL)
		if err != nil {
			return fmt.Errorf("failed to download %s: %w", a, err)
		}
		data, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			return fmt.Errorf("failed to download %s: HTTP %d %v", a, res.StatusCode, err)
		}
		into := dest
		if name == "" && !merge {
			into = filepath.Join(dest, a)
		}
		if err := unzip(data, into); err != nil {
			return fmt.Errorf("failed to unpack %s: %w", a, err)
		}
		fmt.Printf("downloaded artifact %s into %s\n", a, into)
	}
	return setOutput("download-path", dest)
}

func unzip(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	for _, f := range zr.File {
		target := filepath.Join(dir, filepath.FromSlash(f.Name))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("entry %q escapes %s", f.Name, dir)
		}
		if strings.HasSuffix(f.Name, "/") {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// --- actions/cache ---

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

func cacheRestore(_ []string) error {
	dir, err := standinDir("cache")
	if err != nil {
		return err
	}
	key := input("key")
	if key == "" {
		return errors.New("input key is required")
	}
	idx, err := loadIndex(dir)
	if err != nil {
		return err
	}
	matched := ""
	if _, ok := idx[key]; ok {
		matched = key
	} else {
		for _, prefix := range lines(input("restore-keys")) {
			var best string
			for k, at := range idx {
				if strings.HasPrefix(k, prefix) && (best == "" || at.After(idx[best])) {
					best = k
				}
			}
			if best != "" {
				matched = best
				break
			}
		}
	}
	if err := setOutput("cache-primary-key", key); err != nil {
		return err
	}
	if matched == "" {
		fmt.Printf("Cache not found for input keys: %s\n", strings.Join(append([]string{key}, lines(input("restore-keys"))...), ", "))
		return setOutput("cache-hit", "false")
	}
	f, err := os.Open(cacheFile(dir, matched))
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		target := abs(filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("Cache restored from key: %s\n", matched)
	if err := setOutput("cache-matched-key", matched); err != nil {
		return err
	}
	return setOutput("cache-hit", fmt.Sprint(matched == key))
}

func cacheSave(_ []string) error {
	dir, err := standinDir("cache")
	if err != nil {
		return err
	}
	key := input("key")
	if key == "" {
		return errors.New("input key is required")
	}
	idx, err := loadIndex(dir)
	if err != nil {
		return err
	}
	if _, ok := idx[key]; ok {
		fmt.Printf("::warning::Cache save failed: a cache with key %s already exists (caches are immutable)\n", key)
		return nil
	}
	files, _, err := collect(input("path"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fmt.Printf("::warning::Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.\n")
		return nil
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		rel, err := filepath.Rel(workspace(), f)
		if err != nil || strings.HasPrefix(rel, "..") {
			return fmt.Errorf("path %s is outside the workspace", f)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), ModTime: time.Now()}); err != nil {
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
	idx[key] = time.Now()
	data, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "index.json"), data, 0o644); err != nil {
		return err
	}
	fmt.Printf("Cache saved with key: %s (%d files)\n", key, len(files))
	return nil
}

// --- Pages ---

func pagesURL() string {
	if u := os.Getenv("ACT_STANDIN_PAGES_URL"); u != "" {
		return u
	}
	owner, repo, _ := strings.Cut(os.Getenv("GITHUB_REPOSITORY"), "/")
	return "https://" + owner + ".github.io/" + repo + "/"
}

func configurePages(_ []string) error {
	u := pagesURL()
	for k, v := range map[string]string{"base_url": strings.TrimSuffix(u, "/"), "origin": u, "base_path": "/"} {
		if err := setOutput(k, v); err != nil {
			return err
		}
	}
	return nil
}

func deployPages(_ []string) error {
	site, err := standinDir("pages")
	if err != nil {
		return err
	}
	name := input("artifact_name")
	if name == "" {
		name = "github-pages"
	}
	tmp, err := os.MkdirTemp("", "pages")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	os.Setenv("INPUT_NAME", name)
	os.Setenv("INPUT_PATH", tmp)
	os.Setenv("INPUT_PATTERN", "")
	if err := downloadArtifact(nil); err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(tmp, "artifact.tar"))
	if err != nil {
		return fmt.Errorf("the %s artifact has no artifact.tar: %w", name, err)
	}
	defer f.Close()
	if err := os.RemoveAll(site); err != nil {
		return err
	}
	tr := tar.NewReader(f)
	n := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		target := filepath.Join(site, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(target, site+string(filepath.Separator)) {
			return fmt.Errorf("entry %q escapes the site", h.Name)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		n++
	}
	fmt.Printf("deployed %d files to %s\n", n, site)
	return setOutput("page_url", pagesURL())
}

// --- Cloudsmith ---

func cloudsmithSetup(_ []string) error {
	ns, slug := input("oidc-namespace"), input("oidc-service-slug")
	if input("api-key") == "" && (ns == "" || slug == "") {
		return errors.New("set oidc-namespace and oidc-service-slug (OIDC) or api-key")
	}
	bin, err := standinDir("cloudsmith-bin")
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	script := "#!/bin/sh\nexec \"" + self + "\" cloudsmith \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "cloudsmith"), []byte(script), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(os.Getenv("GITHUB_PATH"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := fmt.Fprintln(f, bin); err != nil {
		return err
	}
	fmt.Printf("cloudsmith stand-in installed for %s (service %s)\n", ns, slug)
	return setOutput("oidc-token", "act-stand-in-token")
}

// cloudsmith records `push raw NS/REPO FILE [--name N] [--version V] [--tags T] [--republish]`.
func cloudsmith(args []string) error {
	if len(args) < 4 || args[0] != "push" || args[1] != "raw" {
		return fmt.Errorf("stand-in supports only: cloudsmith push raw NS/REPO FILE [...], got %q", args)
	}
	target, file := args[2], args[3]
	meta := map[string]string{"target": target, "file": filepath.Base(file)}
	for i := 4; i < len(args); i++ {
		switch args[i] {
		case "--name", "--version", "--tags":
			if i+1 >= len(args) {
				return fmt.Errorf("%s needs a value", args[i])
			}
			meta[strings.TrimPrefix(args[i], "--")] = args[i+1]
			i++
		case "--republish":
			meta["republish"] = "true"
		default:
			return fmt.Errorf("stand-in does not know the option %q", args[i])
		}
	}
	dir, err := standinDir(filepath.Join("cloudsmith", filepath.FromSlash(target)))
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(file)), data, 0o644); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(meta, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(file)+".json"), js, 0o644); err != nil {
		return err
	}
	fmt.Printf("pushed %s to %s\n", filepath.Base(file), target)
	return nil
}
