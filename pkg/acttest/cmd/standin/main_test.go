package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testEnv is an env whose variables are vars (plus the runner's file
// commands as temp files) and whose output is collected.
type testEnv struct {
	*env
	vars map[string]string
	out  *bytes.Buffer
}

func newTestEnv(t *testing.T, vars map[string]string) *testEnv {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"GITHUB_WORKSPACE":        filepath.Join(dir, "workspace"),
		"GITHUB_OUTPUT":           filepath.Join(dir, "output"),
		"GITHUB_ENV":              filepath.Join(dir, "env"),
		"GITHUB_PATH":             filepath.Join(dir, "path"),
		"GITHUB_STATE":            filepath.Join(dir, "state"),
		"RUNNER_TEMP":             filepath.Join(dir, "temp"),
		"ACT_STANDIN_DIR":         filepath.Join(dir, "standin"),
		"GITHUB_REPOSITORY":       "octo/hub",
		"GITHUB_REPOSITORY_OWNER": "octo",
		"GITHUB_SERVER_URL":       "https://github.com",
	}
	for k, v := range vars {
		all[k] = v
	}
	for _, d := range []string{all["GITHUB_WORKSPACE"], all["RUNNER_TEMP"]} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out := &bytes.Buffer{}
	now := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	e := &env{
		getenv: func(k string) string { return all[k] },
		environ: func() []string {
			var kv []string
			for k, v := range all {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
		stdout: out,
		client: http.DefaultClient,
		now:    func() time.Time { now = now.Add(time.Second); return now },
		self:   "/bin/standin",
	}
	return &testEnv{env: e, vars: all, out: out}
}

// commandFile parses a runner file command (name<<delim ... delim entries).
func commandFile(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return map[string]string{}
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ls := strings.Split(string(data), "\n")
	for i := 0; i < len(ls); i++ {
		name, delim, ok := strings.Cut(ls[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(ls) && ls[i] != delim; i++ {
			val = append(val, ls[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCollect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		spec          string
		includeHidden bool
		wantRoot      string
		wantFiles     []string
	}{
		{
			name:      "one_directory_is_its_own_root",
			spec:      "reports/monitor",
			wantRoot:  "reports/monitor",
			wantFiles: []string{"reports/monitor/a.json", "reports/monitor/pages/index.html"},
		},
		{
			name:      "two_files_share_their_parent",
			spec:      "reports/monitor/a.json\nreports/fixer/b.json",
			wantRoot:  "reports",
			wantFiles: []string{"reports/fixer/b.json", "reports/monitor/a.json"},
		},
		{
			name:      "glob_root_is_before_the_wildcard",
			spec:      "reports/*/*.json",
			wantRoot:  "reports",
			wantFiles: []string{"reports/fixer/b.json", "reports/monitor/a.json"},
		},
		{
			name:      "hidden_files_left_out_by_default",
			spec:      "reports/",
			wantRoot:  "reports",
			wantFiles: []string{"reports/fixer/b.json", "reports/monitor/a.json", "reports/monitor/pages/index.html"},
		},
		{
			name:          "hidden_files_on_request",
			spec:          "reports/",
			includeHidden: true,
			wantRoot:      "reports",
			wantFiles:     []string{"reports/.cache/etag", "reports/fixer/b.json", "reports/monitor/a.json", "reports/monitor/pages/index.html"},
		},
		{
			name:      "exclusion",
			spec:      "reports/\n!reports/monitor/pages",
			wantRoot:  "reports",
			wantFiles: []string{"reports/fixer/b.json", "reports/monitor/a.json"},
		},
		{
			name:      "braces",
			spec:      "reports/{fixer,monitor}/*.json",
			wantRoot:  "reports",
			wantFiles: []string{"reports/fixer/b.json", "reports/monitor/a.json"},
		},
		{
			name:     "nothing_found",
			spec:     "missing/*.json",
			wantRoot: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEnv(t, nil)
			ws := te.workspace()
			for _, f := range []string{"reports/monitor/a.json", "reports/monitor/pages/index.html", "reports/fixer/b.json", "reports/.cache/etag"} {
				write(t, filepath.Join(ws, f), f)
			}
			files, root, err := te.collect(tt.spec, tt.includeHidden)
			if err != nil {
				t.Fatal(err)
			}
			var rel []string
			for _, f := range files {
				r, _ := filepath.Rel(ws, f)
				rel = append(rel, filepath.ToSlash(r))
			}
			if diff := cmp.Diff(tt.wantFiles, rel); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			wantRoot := filepath.Join(ws, tt.wantRoot)
			if len(tt.wantFiles) > 0 && root != wantRoot {
				t.Errorf("root %s, want %s", root, wantRoot)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pattern, name string
		want          bool
	}{
		{"{ecosystem-report,failure-analysis}", "failure-analysis", true},
		{"{ecosystem-report,failure-analysis}", "alert-results", false},
		{"ecosystem-shard-*", "ecosystem-shard-1-of-3", true},
		{"ecosystem-shard-*", "ecosystem-report", false},
		{"a{b,c}d{e,f}", "acdf", true},
	} {
		if got := match(tt.pattern, tt.name); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func tarOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestArchivesStayInTheirDirectory: an archive entry naming a path outside
// the destination is refused (cache restore used to write it wherever it
// pointed).
func TestArchivesStayInTheirDirectory(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"../escaped", "a/../../escaped", "/../escaped"} {
		dir := t.TempDir()
		dest := filepath.Join(dir, "dest")
		if err := untarInto(tarOf(t, map[string]string{name: "x"}), dest); err == nil || !strings.Contains(err.Error(), "escapes") {
			t.Errorf("untar %q: err %v, want an escape error", name, err)
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte("x"))
		_ = zw.Close()
		if err := unzip(buf.Bytes(), dest); err == nil || !strings.Contains(err.Error(), "escapes") {
			t.Errorf("unzip %q: err %v, want an escape error", name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "escaped")); err == nil {
			t.Errorf("%q was written outside the destination", name)
		}
	}
}

// TestCacheSaveRestore follows the history cache of the workflows: each run
// saves under a new key and restores the newest one by prefix; a key is
// never overwritten.
func TestCacheSaveRestore(t *testing.T) {
	t.Parallel()
	shared := t.TempDir()
	run := func(t *testing.T, cmd command, inputs map[string]string, files map[string]string) (*testEnv, error) {
		vars := map[string]string{"ACT_STANDIN_DIR": shared}
		for k, v := range inputs {
			vars["INPUT_"+strings.ToUpper(k)] = v
		}
		te := newTestEnv(t, vars)
		for f, data := range files {
			write(t, filepath.Join(te.workspace(), f), data)
		}
		return te, cmd(context.Background(), te.env, nil)
	}
	read := func(t *testing.T, te *testEnv, f string) string {
		data, err := os.ReadFile(filepath.Join(te.workspace(), f))
		if err != nil {
			return ""
		}
		return string(data)
	}

	te, err := run(t, cacheRestore, map[string]string{"path": ".history", "key": "history-1", "restore-keys": "history-"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := commandFile(t, te.vars["GITHUB_OUTPUT"])["cache-hit"]; got != "false" {
		t.Errorf("first restore: cache-hit %q, want false", got)
	}
	if _, err := run(t, cacheRestore, map[string]string{"path": ".history", "key": "history-1", "fail-on-cache-miss": "true"}, nil); err == nil {
		t.Errorf("fail-on-cache-miss: a miss did not fail")
	}
	for i, content := range []string{"one", "two"} {
		key := []string{"history-1", "history-2"}[i]
		if _, err := run(t, cacheSave, map[string]string{"path": ".history", "key": key}, map[string]string{".history/h.json": content}); err != nil {
			t.Fatal(err)
		}
	}
	te, err = run(t, cacheSave, map[string]string{"path": ".history", "key": "history-2"}, map[string]string{".history/h.json": "three"})
	if err != nil || !strings.Contains(te.out.String(), "Unable to reserve cache") {
		t.Errorf("saving an existing key: err %v, output %q; want a warning and no change", err, te.out.String())
	}

	te, err = run(t, cacheRestore, map[string]string{"path": ".history", "key": "history-3", "restore-keys": "nomatch-\nhistory-"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := commandFile(t, te.vars["GITHUB_OUTPUT"])
	if diff := cmp.Diff(map[string]string{"cache-primary-key": "history-3", "cache-matched-key": "history-2", "cache-hit": "false"}, out); diff != "" {
		t.Errorf("prefix restore outputs (-want +got):\n%s", diff)
	}
	if got := read(t, te, ".history/h.json"); got != "two" {
		t.Errorf("restored %q, want the newest entry's \"two\"", got)
	}

	te, err = run(t, cacheRestore, map[string]string{"path": ".history", "key": "history-1", "lookup-only": "true"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := commandFile(t, te.vars["GITHUB_OUTPUT"])["cache-hit"]; got != "true" || read(t, te, ".history/h.json") != "" {
		t.Errorf("lookup-only: cache-hit %q, files restored %q; want true and nothing restored", got, read(t, te, ".history/h.json"))
	}

	if _, err := run(t, cacheSave, map[string]string{"path": ".history", "key": "a,b"}, map[string]string{".history/h.json": "x"}); err == nil || !strings.Contains(err.Error(), "commas") {
		t.Errorf("a key with a comma: err %v, want the key validation error", err)
	}
}

// TestUnsupportedInputsFail: a setting the stand-in does not implement
// fails the step instead of being ignored.
func TestUnsupportedInputsFail(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		cmd   command
		input string
		value string
	}{
		{"upload_without_archive", uploadArtifact, "ARCHIVE", "false"},
		{"download_by_id", downloadArtifact, "ARTIFACT-IDS", "12"},
		{"download_without_decompressing", downloadArtifact, "SKIP-DECOMPRESS", "true"},
		{"cache_cross_os", cacheRestore, "ENABLECROSSOSARCHIVE", "true"},
		{"pages_enablement", configurePages, "ENABLEMENT", "true"},
		{"attest_a_file", attest, "SUBJECT-PATH", "bin/x"},
		{"cloudsmith_export_token", cloudsmithSetup, "EXPORT-AUTH-TOKEN", "true"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEnv(t, map[string]string{"INPUT_" + tt.input: tt.value, "INPUT_KEY": "k", "INPUT_PATH": "x"})
			err := tt.cmd(context.Background(), te.env, nil)
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), "input "+strings.ToLower(tt.input)) {
				t.Errorf("err %v, want one naming input %s", err, strings.ToLower(tt.input))
			}
		})
	}
}

// TestCloudsmith: the setup step exports the settings the CLI reads (as
// cloudsmith-cli-action v3 documents), and the cloudsmith command pushes
// only with them.
func TestCloudsmith(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t, map[string]string{"INPUT_OIDC-NAMESPACE": "sparesparrow", "INPUT_OIDC-SERVICE-SLUG": "ci"})
	if err := cloudsmithSetup(context.Background(), te.env, nil); err != nil {
		t.Fatal(err)
	}
	exported := commandFile(t, te.vars["GITHUB_ENV"])
	want := map[string]string{"CLOUDSMITH_ORG": "sparesparrow", "CLOUDSMITH_SERVICE_SLUG": "ci", "CLOUDSMITH_OIDC_AUDIENCE": "https://github.com/octo"}
	if diff := cmp.Diff(want, exported); diff != "" {
		t.Errorf("exported (-want +got):\n%s", diff)
	}
	bin, _ := os.ReadFile(te.vars["GITHUB_PATH"])
	if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(bin)), "cloudsmith")); err != nil {
		t.Errorf("no cloudsmith command on the added PATH entry %q: %v", bin, err)
	}

	pkg := filepath.Join(te.workspace(), "bundle-1.tar.gz")
	write(t, pkg, "bundle")
	args := []string{"push", "raw", "sparesparrow/ecosystem", pkg, "--name", "bundle", "--version", "1", "--tags", "fips:true"}
	noAuth := newTestEnv(t, map[string]string{"ACT_STANDIN_DIR": te.vars["ACT_STANDIN_DIR"]})
	if err := cloudsmith(context.Background(), noAuth.env, args); err == nil || !strings.Contains(err.Error(), "not authenticated") {
		t.Errorf("push without the exported settings: err %v, want not authenticated", err)
	}
	authed := newTestEnv(t, map[string]string{"ACT_STANDIN_DIR": te.vars["ACT_STANDIN_DIR"], "CLOUDSMITH_ORG": "sparesparrow", "CLOUDSMITH_SERVICE_SLUG": "ci"})
	if err := cloudsmith(context.Background(), authed.env, args); err != nil {
		t.Fatal(err)
	}
	meta, err := os.ReadFile(filepath.Join(te.vars["ACT_STANDIN_DIR"], "cloudsmith", "sparesparrow", "ecosystem", "bundle-1.tar.gz.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(meta, &m); err != nil {
		t.Fatal(err)
	}
	if m["tags"] != "fips:true" || m["version"] != "1" {
		t.Errorf("recorded %v", m)
	}
	if err := cloudsmith(context.Background(), authed.env, args); err == nil {
		t.Errorf("a second push of the same file without --republish succeeded")
	}
	other := newTestEnv(t, map[string]string{"ACT_STANDIN_DIR": te.vars["ACT_STANDIN_DIR"], "CLOUDSMITH_ORG": "someone-else", "CLOUDSMITH_SERVICE_SLUG": "ci"})
	if err := cloudsmith(context.Background(), other.env, append(args, "--republish")); err == nil {
		t.Errorf("a push into another organisation's repository succeeded")
	}
}

func TestEscapeData(t *testing.T) {
	t.Parallel()
	if got, want := escapeData("50% done\n::error::x\r"), "50%25 done%0A::error::x%0D"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
}

// TestCachePost: actions/cache's post step saves what the main step did not
// restore on the primary key, and skips an exact hit.
func TestCachePost(t *testing.T) {
	t.Parallel()
	shared := t.TempDir()
	job := func(t *testing.T, key, content string) (hit string, saved bool) {
		te := newTestEnv(t, map[string]string{"ACT_STANDIN_DIR": shared, "INPUT_PATH": ".cache", "INPUT_KEY": key, "INPUT_RESTORE-KEYS": "eco-"})
		if err := cacheRestore(context.Background(), te.env, []string{"--save-state"}); err != nil {
			t.Fatal(err)
		}
		state := commandFile(t, te.vars["GITHUB_STATE"])
		write(t, filepath.Join(te.workspace(), ".cache", "f"), content)
		post := newTestEnv(t, map[string]string{"ACT_STANDIN_DIR": shared, "INPUT_PATH": ".cache", "INPUT_KEY": key,
			"STATE_CACHE_KEY": state["CACHE_KEY"], "STATE_CACHE_RESULT": state["CACHE_RESULT"], "GITHUB_WORKSPACE": te.workspace()})
		if err := cachePost(context.Background(), post.env, nil); err != nil {
			t.Fatal(err)
		}
		return commandFile(t, te.vars["GITHUB_OUTPUT"])["cache-hit"], strings.Contains(post.out.String(), "Cache saved with key: "+key)
	}
	if hit, saved := job(t, "eco-1", "one"); hit != "false" || !saved {
		t.Errorf("first job: cache-hit %q, saved %v; want a miss, then a save", hit, saved)
	}
	if hit, saved := job(t, "eco-1", "one"); hit != "true" || saved {
		t.Errorf("re-run on the same key: cache-hit %q, saved %v; want a hit and no save", hit, saved)
	}
	if hit, saved := job(t, "eco-2", "two"); hit != "false" || !saved {
		t.Errorf("next run: cache-hit %q, saved %v; want a prefix restore (no exact hit), then a save", hit, saved)
	}
}
