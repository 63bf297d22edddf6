package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// exampleDomains are the example ecosystem's repositories a listing of
// sparesparrow shows (private-sandbox answers 404 to everyone).
var exampleDomains = []string{"sparesparrow/legacy-monitor", "sparesparrow/mcp-project-orchestrator",
	"sparesparrow/openssl-conan-base", "sparesparrow/openssl-fips-policy", "sparesparrow/openssl-tools"}

// TestOrgIsAUserAccount: org names a user account (sparesparrow owns the
// example ecosystem and has no organisation): GET /orgs/{org}/repos answers
// 404, the monitor lists GET /users/{user}/repos instead and reads the
// domains from it, not fetching any repository again.
func TestOrgIsAUserAccount(t *testing.T) {
	t.Parallel()
	f := sharedExample(t)
	e := newEnv(t, f, emulator.Options{}, "")
	cfg := Config{Org: OrgFilter{Org: "sparesparrow"}, Now: f.ReferenceTime, OutputDir: t.TempDir()}
	res, err := Run(context.Background(), cfg, e.deps())
	if err != nil {
		t.Fatalf("org: sparesparrow (a user): %v", err)
	}
	if diff := cmp.Diff(exampleDomains, sortedNames(res.Report.Domains)); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	var sawOrg404, sawUser bool
	for _, r := range e.srv.Requests() {
		switch {
		case r.Path == "/orgs/sparesparrow/repos" && r.Status == http.StatusNotFound:
			sawOrg404 = true
		case r.Path == "/users/sparesparrow/repos" && r.Status == http.StatusOK:
			sawUser = true
		case strings.Count(r.Path, "/") == 3 && strings.HasPrefix(r.Path, "/repos/"):
			t.Errorf("repository fetched again: %s", r.Path)
		}
	}
	if !sawOrg404 || !sawUser {
		t.Errorf("requests: org 404 %v, user listing %v; want both", sawOrg404, sawUser)
	}
}

// TestOrgNeitherOrgNorUser: an owner that does not exist is an error that
// says both listings answered 404.
func TestOrgNeitherOrgNorUser(t *testing.T) {
	t.Parallel()
	f := genFixture(genOptions{Domains: 1})
	e := newEnv(t, f, emulator.Options{}, "")
	_, err := Run(context.Background(), Config{Org: OrgFilter{Org: "nobody-here"}, Now: genNow, OutputDir: t.TempDir()}, e.deps())
	if err == nil || !strings.Contains(err.Error(), "neither an organization") || !strings.Contains(err.Error(), "/users/nobody-here/repos: 404") {
		t.Errorf("err = %v, want it to say nobody-here is neither an organization nor a user", err)
	}
}

// mintInstallationToken signs a JWT for the example app and exchanges it
// for an installation token, as actions/create-github-app-token does.
func mintInstallationToken(t *testing.T, url string, now time.Time, repositories ...string) string {
	t.Helper()
	key, err := emulator.ExampleAppKey()
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := emulator.AppJWT(key, "Iv23liEcosystemBot01", now)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{}`)
	if len(repositories) > 0 {
		body, _ = json.Marshal(map[string]any{"repositories": repositories})
	}
	req, _ := http.NewRequest(http.MethodPost, url+"/app/installations/59123456/access_tokens", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+jwt)
	req.Header.Set("User-Agent", "monitor-test")
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := emulator.HTTPClientForTest(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated || !strings.HasPrefix(out.Token, "ghs_") {
		t.Fatalf("minting an installation token: status %d, %v, token %q", resp.StatusCode, err, out.Token)
	}
	return out.Token
}

// TestOrgWithInstallationToken: with an App installation token the
// monitor also lists GET /installation/repositories, which shows the
// private repositories the installation reaches; the owner listing still
// brings the public ones outside it.
func TestOrgWithInstallationToken(t *testing.T) {
	t.Parallel()
	f, err := emulator.LoadFixture(exampleFixture)
	if err != nil {
		t.Fatal(err)
	}
	// A private repository of the owner that only the installation shows.
	f.Repositories = append(f.Repositories, emulator.Repository{Owner: "sparesparrow", Name: "release-secrets", Private: true,
		DefaultBranch: "main", PushedAt: f.ReferenceTime.Add(-time.Hour)})
	for i := range f.Apps {
		for j := range f.Apps[i].Installations {
			in := &f.Apps[i].Installations[j]
			if len(in.Repositories) > 0 {
				in.Repositories = append(in.Repositories, "release-secrets")
			}
		}
	}
	s, u := startEmulator(t, f, emulator.Options{})
	token := mintInstallationToken(t, u, f.ReferenceTime)
	c := newClient(t, u, "", func(cfg *ghclient.Config) { cfg.Token = token })
	cfg := Config{Org: OrgFilter{Org: "sparesparrow", Installation: true}, Now: f.ReferenceTime, OutputDir: t.TempDir()}
	res, err := Run(context.Background(), cfg, Deps{API: GitHubAPI{Client: c.Client}})
	if err != nil {
		t.Fatal(err)
	}
	got := sortedNames(res.Report.Domains)
	if !contains(got, "sparesparrow/release-secrets") {
		t.Errorf("domains %v lack the private repository the installation reaches", got)
	}
	for _, d := range exampleDomains {
		if !contains(got, d) {
			t.Errorf("domains %v lack %s", got, d)
		}
	}
	saw := false
	for _, r := range s.Requests() {
		if r.Path == "/installation/repositories" && r.Status == http.StatusOK {
			saw = true
		}
	}
	if !saw {
		t.Error("GET /installation/repositories was not read")
	}
	// Without the installation listing the private repository is not
	// found: GET /users/{user}/repos lists public repositories only.
	cfg.Org.Installation, cfg.OutputDir = false, t.TempDir()
	res, err = Run(context.Background(), cfg, Deps{API: GitHubAPI{Client: c.Client}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Report.Domains["sparesparrow/release-secrets"]; ok {
		t.Error("the private repository was found without the installation listing: GET /users/{user}/repos lists public repositories only")
	}
}
