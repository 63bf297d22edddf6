package main

// actions/upload-artifact (v7) and actions/download-artifact (v8) against
// act's artifact server, which speaks the v4 protocol (twirp JSON) the
// real actions use: CreateArtifact, upload to the signed URL,
// FinalizeArtifact; ListArtifacts, GetSignedArtifactURL, download.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const artifactService = "twirp/github.actions.results.api.v1.ArtifactService/"

// backendIDs reads the run and job ids from ACTIONS_RUNTIME_TOKEN's
// "scp": "Actions.Results:<run>:<job>" claim, as @actions/artifact does.
func (e *env) backendIDs() (run, job string, err error) {
	parts := strings.Split(e.getenv("ACTIONS_RUNTIME_TOKEN"), ".")
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

func (e *env) twirp(ctx context.Context, method string, req, resp any) error {
	base := e.getenv("ACTIONS_RESULTS_URL")
	if base == "" {
		return errors.New("ACTIONS_RESULTS_URL is not set (is act's artifact server on?)")
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/"+artifactService+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+e.getenv("ACTIONS_RUNTIME_TOKEN"))
	res, err := e.client.Do(r)
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
	for i, el := range elems {
		if strings.ContainsAny(el, "*?[{") {
			return filepath.FromSlash(strings.Join(elems[:i], "/"))
		}
	}
	return p
}

// expandBraces turns "a{b,c}d" into ["abd", "acd"].
func expandBraces(p string) []string {
	i := strings.Index(p, "{")
	if i < 0 {
		return []string{p}
	}
	j := strings.Index(p[i:], "}")
	if j < 0 {
		return []string{p}
	}
	j += i
	var out []string
	for _, alt := range strings.Split(p[i+1:j], ",") {
		out = append(out, expandBraces(p[:i]+alt+p[j+1:])...)
	}
	return out
}

// match reports whether name matches the minimatch-style pattern (braces
// and path.Match wildcards), as download-artifact's pattern input.
func match(pattern, name string) bool {
	for _, p := range expandBraces(pattern) {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// hidden reports whether rel (relative to a search root) has a path
// element starting with a dot.
func hidden(rel string) bool {
	for _, el := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(el, ".") && el != "." && el != ".." {
			return true
		}
	}
	return false
}

// collect returns the files named by the path input (lines; globs; ! to
// exclude) and the root the artifact's entries are relative to: the least
// common ancestor of the search paths, as upload-artifact does. Hidden
// files (a path element starting with ".", below the search root) are left
// out unless includeHidden, as upload-artifact does since v4.4.
func (e *env) collect(spec string, includeHidden bool) (files []string, root string, err error) {
	var roots []string
	seen := map[string]bool{}
	var excludes []string
	add := func(f, base string) {
		if seen[f] {
			return
		}
		if rel, err := filepath.Rel(base, f); err == nil && !includeHidden && hidden(rel) {
			return
		}
		seen[f] = true
		files = append(files, f)
	}
	for _, l := range lines(spec) {
		if strings.HasPrefix(l, "!") {
			excludes = append(excludes, e.abs(strings.TrimPrefix(l, "!")))
			continue
		}
		p := e.abs(l)
		sr := searchRoot(p)
		var matches []string
		if sr == p {
			matches = []string{p}
		} else {
			for _, alt := range expandBraces(p) {
				m, err := filepath.Glob(alt)
				if err != nil {
					return nil, "", fmt.Errorf("bad path pattern %q: %w", l, err)
				}
				matches = append(matches, m...)
			}
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				continue
			}
			base := sr
			if sr == p {
				base = m
				if !st.IsDir() {
					base = filepath.Dir(m)
				}
			}
			roots = append(roots, base)
			if !st.IsDir() {
				add(m, base)
				continue
			}
			_ = filepath.WalkDir(m, func(f string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					add(f, base)
				}
				return nil
			})
		}
	}
	var kept []string
	for _, f := range files {
		excluded := false
		for _, x := range excludes {
			if ok, _ := filepath.Match(x, f); ok || strings.HasPrefix(f, x+string(filepath.Separator)) {
				excluded = true
			}
		}
		if !excluded {
			kept = append(kept, f)
		}
	}
	sort.Strings(kept)
	if len(roots) == 0 {
		return kept, e.workspace(), nil
	}
	root = roots[0]
	for _, r := range roots[1:] {
		for !strings.HasPrefix(r+string(filepath.Separator), root+string(filepath.Separator)) {
			root = filepath.Dir(root)
		}
	}
	return kept, root, nil
}

func zipFiles(files []string, root string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		rel, err := filepath.Rel(root, f)
		if err != nil {
			return nil, err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type listedArtifact struct {
	Name       string `json:"name"`
	DatabaseID string `json:"databaseId"`
}

func (e *env) listArtifacts(ctx context.Context, run, job string) ([]listedArtifact, error) {
	var list struct {
		Artifacts []listedArtifact `json:"artifacts"`
	}
	if err := e.twirp(ctx, "ListArtifacts", map[string]any{
		"workflow_run_backend_id": run, "workflow_job_run_backend_id": job,
	}, &list); err != nil {
		// act's server fails (HTTP 500, or a panic that drops the
		// connection) for a run that has no artifact yet: its directory
		// does not exist.
		if strings.Contains(err.Error(), "HTTP 500") || strings.HasSuffix(err.Error(), ": EOF") {
			return nil, nil
		}
		return nil, err
	}
	return list.Artifacts, nil
}

func uploadArtifact(ctx context.Context, e *env, _ []string) error {
	if err := e.unsupported("archive", "true"); err != nil {
		return err
	}
	for _, in := range []struct{ name, allowed string }{
		{"compression-level", "0123456789"},
	} {
		if v := e.input(in.name); v != "" && (len(v) != 1 || !strings.Contains(in.allowed, v)) {
			return fmt.Errorf("input %s value %q is invalid; allowed: 0 to 9", in.name, v)
		}
	}
	if v := e.input("retention-days"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 90 {
			return fmt.Errorf("input retention-days value %q is invalid; allowed: 0 (the default) to 90", v)
		}
	}
	name := e.input("name")
	if name == "" {
		name = "artifact"
	}
	if strings.ContainsAny(name, "\"<>|*?\r\n\\/:") {
		return fmt.Errorf("input name value %q has a character artifact names cannot have (\" : < > | * ? \\r \\n \\ /)", name)
	}
	spec := e.input("path")
	if spec == "" {
		return errors.New("input path is required")
	}
	files, root, err := e.collect(spec, e.input("include-hidden-files") == "true")
	if err != nil {
		return err
	}
	if len(files) == 0 {
		switch e.input("if-no-files-found") {
		case "error":
			return fmt.Errorf("no files were found with the provided path: %s. No artifacts will be uploaded", spec)
		case "ignore":
			return nil
		case "", "warn":
			e.printf("::warning::No files were found with the provided path: %s. No artifacts will be uploaded.\n", escapeData(spec))
			return nil
		default:
			return fmt.Errorf("input if-no-files-found value %q is invalid; allowed: warn, error, ignore", e.input("if-no-files-found"))
		}
	}
	data, err := zipFiles(files, root)
	if err != nil {
		return err
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		e.printf("adding %s\n", filepath.ToSlash(rel))
	}

	run, job, err := e.backendIDs()
	if err != nil {
		return err
	}
	// The artifact service refuses a second artifact of one name in a run
	// (409); overwrite deletes the old one first.
	existing, err := e.listArtifacts(ctx, run, job)
	if err != nil {
		return err
	}
	for _, a := range existing {
		if a.Name != name {
			continue
		}
		if e.input("overwrite") != "true" {
			return fmt.Errorf("failed to CreateArtifact: an artifact with the name %s already exists on the workflow run (set overwrite: true to replace it)", name)
		}
		if err := e.twirp(ctx, "DeleteArtifact", map[string]any{
			"workflow_run_backend_id": run, "workflow_job_run_backend_id": job, "name": name,
		}, nil); err != nil {
			return err
		}
	}
	var created struct {
		Ok              bool   `json:"ok"`
		SignedUploadURL string `json:"signedUploadUrl"`
	}
	if err := e.twirp(ctx, "CreateArtifact", map[string]any{
		"workflow_run_backend_id": run, "workflow_job_run_backend_id": job, "name": name, "version": 4,
	}, &created); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, created.SignedUploadURL+"&comp=block", bytes.NewReader(data))
	if err != nil {
		return err
	}
	res, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("failed to upload: %w", err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("upload: HTTP %d", res.StatusCode)
	}
	sum := sha256.Sum256(data)
	var fin struct {
		Ok         bool   `json:"ok"`
		ArtifactID string `json:"artifactId"`
	}
	if err := e.twirp(ctx, "FinalizeArtifact", map[string]any{
		"workflow_run_backend_id": run, "workflow_job_run_backend_id": job, "name": name,
		"size": strconv.Itoa(len(data)), "hash": "sha256:" + hex.EncodeToString(sum[:]),
	}, &fin); err != nil {
		return err
	}
	e.printf("uploaded artifact %s (%d files, %d bytes) to run %s\n", name, len(files), len(data), run)
	artifactURL := fmt.Sprintf("%s/%s/actions/runs/%s/artifacts/%s", strings.TrimSuffix(e.getenv("GITHUB_SERVER_URL"), "/"), e.getenv("GITHUB_REPOSITORY"), e.getenv("GITHUB_RUN_ID"), fin.ArtifactID)
	for k, v := range map[string]string{"artifact-id": fin.ArtifactID, "artifact-url": artifactURL, "artifact-digest": hex.EncodeToString(sum[:])} {
		if err := e.setOutput(k, v); err != nil {
			return err
		}
	}
	return nil
}

// checkSourceRepository asks the API, with the token download-artifact was
// given, for the artifacts of the source repository: the token must be able
// to read that repository's Actions data (actions: read), as the real
// action's REST calls need.
func (e *env) checkSourceRepository(ctx context.Context, repository, token string) error {
	api := strings.TrimSuffix(e.getenv("GITHUB_API_URL"), "/")
	if api == "" {
		return errors.New("GITHUB_API_URL is not set")
	}
	owner, repo, ok := strings.Cut(repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return fmt.Errorf("input repository value %q is invalid; allowed: owner/repo", repository)
	}
	u := api + "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo) + "/actions/artifacts?per_page=1"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("User-Agent", "act-standin/download-artifact")
	res, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("failed to reach the API: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("the github-token cannot read the artifacts of %s: HTTP %d: %s", repository, res.StatusCode, bytes.TrimSpace(body))
	}
	return nil
}

func downloadArtifact(ctx context.Context, e *env, _ []string) error {
	for _, u := range []struct{ name, def string }{{"artifact-ids", ""}, {"skip-decompress", "false"}} {
		if err := e.unsupported(u.name, u.def); err != nil {
			return err
		}
	}
	switch v := e.input("digest-mismatch"); v {
	case "", "ignore", "info", "warn", "error":
	default:
		return fmt.Errorf("input digest-mismatch value %q is invalid; allowed: ignore, info, warn, error", v)
	}
	run, job, err := e.backendIDs()
	if err != nil {
		return err
	}
	// With github-token the artifacts come from repository's run run-id
	// (defaults: this repository, this run), as in download-artifact v4+.
	// act's artifact server keys artifacts by run id only, so the source
	// repository is checked against the API (the token must read its
	// artifacts) and the run id selects the files.
	if token := e.input("github-token"); token != "" {
		repository := e.input("repository")
		if repository == "" {
			repository = e.getenv("GITHUB_REPOSITORY")
		}
		if id := e.input("run-id"); id != "" {
			if _, err := strconv.ParseInt(id, 10, 64); err != nil {
				return fmt.Errorf("input run-id value %q is not a number", id)
			}
			run = id
		}
		if err := e.checkSourceRepository(ctx, repository, token); err != nil {
			return err
		}
		e.printf("downloading from run %s of %s\n", run, repository)
	}
	list, err := e.listArtifacts(ctx, run, job)
	if err != nil {
		return err
	}
	name, pattern := e.input("name"), e.input("pattern")
	var selected []string
	for _, a := range list {
		if (name != "" && a.Name == name) || (name == "" && (pattern == "" || match(pattern, a.Name))) {
			selected = append(selected, a.Name)
		}
	}
	sort.Strings(selected)
	if name != "" && len(selected) == 0 {
		return fmt.Errorf("unable to download artifact(s): artifact not found: %s", name)
	}
	dest := e.workspace()
	if p := e.input("path"); p != "" {
		dest = e.abs(p)
	}
	merge := e.input("merge-multiple") == "true"
	for _, a := range selected {
		var signed struct {
			SignedURL string `json:"signedUrl"`
		}
		if err := e.twirp(ctx, "GetSignedArtifactURL", map[string]any{
			"workflow_run_backend_id": run, "workflow_job_run_backend_id": job, "name": a,
		}, &signed); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, signed.SignedURL, nil)
		if err != nil {
			return err
		}
		res, err := e.client.Do(req)
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
		e.printf("downloaded artifact %s into %s\n", a, into)
	}
	if len(selected) == 0 {
		e.printf("no artifacts matched (pattern %q)\n", pattern)
	}
	return e.setOutput("download-path", dest)
}

// unzip unpacks data into dir, refusing entries that would land outside it.
func unzip(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	for _, f := range zr.File {
		target, err := within(dir, f.Name)
		if err != nil {
			return err
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
