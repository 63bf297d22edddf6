package main

// actions/configure-pages (v5) and actions/deploy-pages (v5): the site URL,
// and the github-pages artifact (a tar made by upload-pages-artifact)
// unpacked into $ACT_STANDIN_DIR/pages.

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

func (e *env) pagesURL() string {
	if u := e.getenv("ACT_STANDIN_PAGES_URL"); u != "" {
		return u
	}
	owner, repo, _ := strings.Cut(e.getenv("GITHUB_REPOSITORY"), "/")
	return "https://" + owner + ".github.io/" + repo + "/"
}

func configurePages(_ context.Context, e *env, _ []string) error {
	for _, u := range []struct{ name, def string }{{"static_site_generator", ""}, {"generator_config_file", ""}, {"enablement", "false"}} {
		if err := e.unsupported(u.name, u.def); err != nil {
			return err
		}
	}
	u, err := url.Parse(e.pagesURL())
	if err != nil {
		return fmt.Errorf("ACT_STANDIN_PAGES_URL: %w", err)
	}
	base := strings.TrimSuffix(u.String(), "/")
	outputs := map[string]string{
		"base_url":  base,
		"origin":    u.Scheme + "://" + u.Host,
		"host":      u.Host,
		"base_path": strings.TrimSuffix(u.Path, "/"),
	}
	for k, v := range outputs {
		if err := e.setOutput(k, v); err != nil {
			return err
		}
	}
	return nil
}

func deployPages(ctx context.Context, e *env, _ []string) error {
	if err := e.unsupported("preview", "false"); err != nil {
		return err
	}
	site, err := e.standinDir("pages")
	if err != nil {
		return err
	}
	name := e.input("artifact_name")
	if name == "" {
		name = "github-pages"
	}
	tmp, err := os.MkdirTemp("", "pages")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// Download the artifact with the download-artifact command's code.
	dl := *e
	dl.getenv = func(k string) string {
		switch k {
		case "INPUT_NAME":
			return name
		case "INPUT_PATH":
			return tmp
		case "INPUT_PATTERN", "INPUT_GITHUB-TOKEN", "INPUT_RUN-ID", "INPUT_REPOSITORY", "INPUT_MERGE-MULTIPLE",
			"INPUT_ARTIFACT-IDS", "INPUT_SKIP-DECOMPRESS", "INPUT_DIGEST-MISMATCH":
			return ""
		case "GITHUB_OUTPUT":
			return filepath.Join(tmp, "download-output")
		}
		return e.getenv(k)
	}
	if err := downloadArtifact(ctx, &dl, nil); err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(tmp, "artifact.tar"))
	if err != nil {
		return fmt.Errorf("the %s artifact has no artifact.tar: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(site); err != nil {
		return err
	}
	if err := os.MkdirAll(site, 0o755); err != nil {
		return err
	}
	if err := untarInto(data, site); err != nil {
		return err
	}
	n := 0
	tr := tar.NewReader(strings.NewReader(string(data)))
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.Typeflag == tar.TypeReg {
			n++
		}
	}
	e.printf("deployed %d files to %s\n", n, site)
	return e.setOutput("page_url", e.pagesURL())
}
