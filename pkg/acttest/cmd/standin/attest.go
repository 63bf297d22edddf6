package main

// actions/attest (v4), provenance mode (no predicate, no sbom-path): checks
// that the subject exists where it is said to be (for an image: its
// manifest in the registry, by digest), then writes the in-toto statement
// with a SLSA v1 build provenance predicate the real action would sign,
// unsigned (no Sigstore offline), to the bundle path and to
// $ACT_STANDIN_DIR/attestations/<digest>.json, and appends the bundle path
// to $RUNNER_TEMP/created_attestation_paths.txt as the real action does.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var subjectDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// imageRef splits a fully qualified image name into its registry host and
// repository path ("ghcr.io/o/n" -> "ghcr.io", "o/n").
func imageRef(name string) (host, repo string, err error) {
	host, repo, ok := strings.Cut(name, "/")
	if !ok || !(strings.ContainsAny(host, ".:") || host == "localhost") || repo == "" {
		return "", "", fmt.Errorf("input subject-name value %q is not a fully qualified image name (registry/owner/name), which push-to-registry needs", name)
	}
	if strings.ContainsAny(repo, "@:") {
		return "", "", fmt.Errorf("input subject-name value %q must name the image without a tag or digest", name)
	}
	return host, repo, nil
}

// checkManifest asks the registry for the image's manifest by digest
// (HEAD /v2/<repo>/manifests/<digest>; plain HTTP for a loopback registry).
func (e *env) checkManifest(ctx context.Context, host, repo, digest string) error {
	scheme := "https"
	if strings.HasPrefix(host, "127.") || strings.HasPrefix(host, "localhost") {
		scheme = "http"
	}
	u := fmt.Sprintf("%s://%s/v2/%s/manifests/%s", scheme, host, repo, digest)
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", strings.Join([]string{
		"application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
		"application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json",
	}, ", "))
	res, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("failed to reach the registry: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("the registry has no manifest %s for %s/%s: HTTP %d", digest, host, repo, res.StatusCode)
	}
	if got := res.Header.Get("Docker-Content-Digest"); got != "" && got != digest {
		return fmt.Errorf("the registry answered digest %s for %s", got, digest)
	}
	return nil
}

// provenance is the SLSA v1 build provenance of this workflow run, as
// GitHub's builder writes it (buildType workflow/v1).
func (e *env) provenance(name, digest string) map[string]any {
	server := strings.TrimSuffix(e.getenv("GITHUB_SERVER_URL"), "/")
	repo := e.getenv("GITHUB_REPOSITORY")
	workflowRef := e.getenv("GITHUB_WORKFLOW_REF") // owner/repo/.github/workflows/x.yml@refs/tags/v1
	path := strings.TrimPrefix(strings.SplitN(workflowRef, "@", 2)[0], repo+"/")
	return map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"name": name, "digest": map[string]string{"sha256": strings.TrimPrefix(digest, "sha256:")}}},
		"predicateType": "https://slsa.dev/provenance/v1",
		"predicate": map[string]any{
			"buildDefinition": map[string]any{
				"buildType": "https://actions.github.io/buildtypes/workflow/v1",
				"externalParameters": map[string]any{"workflow": map[string]string{
					"ref": e.getenv("GITHUB_REF"), "repository": server + "/" + repo, "path": path,
				}},
				"internalParameters": map[string]any{"github": map[string]string{
					"event_name": e.getenv("GITHUB_EVENT_NAME"), "runner_environment": "self-hosted",
				}},
				"resolvedDependencies": []any{map[string]any{
					"uri":    "git+" + server + "/" + repo + "@" + e.getenv("GITHUB_REF"),
					"digest": map[string]string{"gitCommit": e.getenv("GITHUB_SHA")},
				}},
			},
			"runDetails": map[string]any{
				"builder":  map[string]string{"id": server + "/" + workflowRef},
				"metadata": map[string]string{"invocationId": fmt.Sprintf("%s/%s/actions/runs/%s/attempts/%s", server, repo, e.getenv("GITHUB_RUN_ID"), e.getenv("GITHUB_RUN_ATTEMPT"))},
			},
		},
	}
}

func attest(ctx context.Context, e *env, _ []string) error {
	for _, u := range []string{"subject-path", "subject-checksums", "subject-version", "sbom-path", "predicate-type", "predicate", "predicate-path"} {
		if err := e.unsupported(u, ""); err != nil {
			return fmt.Errorf("%w: the stand-in attests an image by subject-name and subject-digest only", err)
		}
	}
	name, digest := e.input("subject-name"), e.input("subject-digest")
	if name == "" || digest == "" {
		return errors.New("inputs subject-name and subject-digest are required (one of subject-path, subject-digest or subject-checksums must be set)")
	}
	if !subjectDigest.MatchString(digest) {
		return fmt.Errorf("input subject-digest value %q is invalid; allowed: sha256:<64 lowercase hex>", digest)
	}
	push := e.input("push-to-registry") == "true"
	if push {
		host, repo, err := imageRef(name)
		if err != nil {
			return err
		}
		if err := e.checkManifest(ctx, host, repo, digest); err != nil {
			return err
		}
	}
	statement, err := json.MarshalIndent(e.provenance(name, digest), "", "  ")
	if err != nil {
		return err
	}
	dir, err := e.standinDir("attestations")
	if err != nil {
		return err
	}
	record := filepath.Join(dir, strings.TrimPrefix(digest, "sha256:")+".json")
	if err := os.WriteFile(record, statement, 0o644); err != nil {
		return err
	}
	tmp := e.getenv("RUNNER_TEMP")
	if tmp == "" {
		return errors.New("RUNNER_TEMP is not set")
	}
	sum := sha256.Sum256(statement)
	id := hex.EncodeToString(sum[:6])
	bundle := filepath.Join(tmp, "attestation-"+id+".json")
	if err := os.WriteFile(bundle, statement, 0o644); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(tmp, "created_attestation_paths.txt"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, bundle)
	f.Close()
	if err != nil {
		return err
	}
	e.printf("attested %s@%s (unsigned stand-in statement, pushed to registry: %v)\n", name, digest, push)
	server := strings.TrimSuffix(e.getenv("GITHUB_SERVER_URL"), "/")
	for k, v := range map[string]string{
		"bundle-path":     bundle,
		"attestation-id":  id,
		"attestation-url": server + "/" + e.getenv("GITHUB_REPOSITORY") + "/attestations/" + id,
	} {
		if err := e.setOutput(k, v); err != nil {
			return err
		}
	}
	return nil
}
