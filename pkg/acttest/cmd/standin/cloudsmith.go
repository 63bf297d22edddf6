package main

// cloudsmith-io/cloudsmith-cli-action (v3): the setup step exports the
// settings the CLI reads (CLOUDSMITH_ORG, CLOUDSMITH_SERVICE_SLUG,
// CLOUDSMITH_OIDC_AUDIENCE for OIDC; CLOUDSMITH_API_KEY for a key) and puts
// a cloudsmith command on PATH. The stand-in's command records pushes under
// $ACT_STANDIN_DIR/cloudsmith/NS/REPO/ and, like the CLI, authenticates
// only from those variables.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func cloudsmithSetup(_ context.Context, e *env, _ []string) error {
	for _, u := range []struct{ name, def string }{
		{"install-directory", ""}, {"api-host", ""}, {"api-proxy", ""}, {"api-ssl-verify", ""},
		{"api-user-agent", ""}, {"export-auth-token", "false"}, {"oidc-auth-only", "false"},
	} {
		if err := e.unsupported(u.name, u.def); err != nil {
			return err
		}
	}
	switch v := e.input("verify-auth"); v {
	case "", "true", "false":
	default:
		return fmt.Errorf("input verify-auth value %q is invalid; allowed: true, false", v)
	}
	key, ns, slug := e.input("api-key"), e.input("oidc-namespace"), e.input("oidc-service-slug")
	switch {
	case key != "":
		if err := e.exportVariable("CLOUDSMITH_API_KEY", key); err != nil {
			return err
		}
	case ns != "" && slug != "":
		audience := e.input("oidc-audience")
		if audience == "" {
			audience = "https://github.com/" + e.getenv("GITHUB_REPOSITORY_OWNER")
		}
		for k, v := range map[string]string{"CLOUDSMITH_ORG": ns, "CLOUDSMITH_SERVICE_SLUG": slug, "CLOUDSMITH_OIDC_AUDIENCE": audience} {
			if err := e.exportVariable(k, v); err != nil {
				return err
			}
		}
	default:
		return errors.New("an authentication method is required: provide api-key, or both oidc-namespace and oidc-service-slug")
	}
	bin, err := e.standinDir("cloudsmith-bin")
	if err != nil {
		return err
	}
	script := "#!/bin/sh\nexec \"" + e.self + "\" cloudsmith \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "cloudsmith"), []byte(script), 0o755); err != nil {
		return err
	}
	if err := e.addPath(bin); err != nil {
		return err
	}
	e.printf("cloudsmith stand-in installed (namespace %q, service %q)\n", ns, slug)
	for k, v := range map[string]string{"cli-version": "stand-in", "target": "linux-x86_64-gnu", "cli-path": filepath.Join(bin, "cloudsmith"), "bin-directory": bin} {
		if err := e.setOutput(k, v); err != nil {
			return err
		}
	}
	return nil
}

// cloudsmith records `push raw NS/REPO FILE [--name N] [--version V]
// [--tags T] [--republish]`.
func cloudsmith(_ context.Context, e *env, args []string) error {
	if len(args) < 4 || args[0] != "push" || args[1] != "raw" {
		return fmt.Errorf("the stand-in supports only: cloudsmith push raw NS/REPO FILE [...], got %q", args)
	}
	auth := map[string]string{}
	if key := e.getenv("CLOUDSMITH_API_KEY"); key != "" {
		auth["method"] = "api-key"
	} else if org, slug := e.getenv("CLOUDSMITH_ORG"), e.getenv("CLOUDSMITH_SERVICE_SLUG"); org != "" && slug != "" {
		auth = map[string]string{"method": "oidc", "org": org, "service_slug": slug, "audience": e.getenv("CLOUDSMITH_OIDC_AUDIENCE")}
	} else {
		return errors.New("not authenticated: set CLOUDSMITH_API_KEY, or CLOUDSMITH_ORG and CLOUDSMITH_SERVICE_SLUG (the setup action exports them)")
	}
	target, file := args[2], args[3]
	ns, repo, ok := strings.Cut(target, "/")
	if !ok || ns == "" || repo == "" || strings.Contains(repo, "/") {
		return fmt.Errorf("target %q is invalid; allowed: NAMESPACE/REPOSITORY", target)
	}
	if auth["method"] == "oidc" && auth["org"] != ns {
		return fmt.Errorf("the OIDC service account belongs to %s, not to %s", auth["org"], ns)
	}
	meta := map[string]any{"target": target, "file": filepath.Base(file), "auth": auth}
	for i := 4; i < len(args); i++ {
		switch args[i] {
		case "--name", "--version", "--tags":
			if i+1 >= len(args) {
				return fmt.Errorf("%s needs a value", args[i])
			}
			meta[strings.TrimPrefix(args[i], "--")] = args[i+1]
			i++
		case "--republish":
			meta["republish"] = true
		default:
			return fmt.Errorf("the stand-in does not know the option %q", args[i])
		}
	}
	dir, err := e.standinDir(filepath.Join("cloudsmith", ns, repo))
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	dst := filepath.Join(dir, filepath.Base(file))
	if _, err := os.Stat(dst); err == nil && meta["republish"] != true {
		return fmt.Errorf("%s already exists in %s (use --republish)", filepath.Base(file), target)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(meta, "", "  ")
	if err := os.WriteFile(dst+".json", js, 0o644); err != nil {
		return err
	}
	e.printf("pushed %s to %s\n", filepath.Base(file), target)
	return nil
}
