package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// appWorld is the example ecosystem's emulator and the inputs of
// create-github-app-token for its App.
var exampleFixture = sync.OnceValues(func() (*emulator.Fixture, error) {
	return emulator.LoadFixture(emulator.ExampleFixturePath())
})

func appWorld(t *testing.T, opts emulator.Options) (*emulator.Server, map[string]string) {
	t.Helper()
	fx, err := exampleFixture() // the emulator copies it
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.Apps) == 0 {
		t.Fatal("the example fixture has no GitHub App")
	}
	key, err := emulator.ExampleAppKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.StartForTest(t, fx, opts)
	return srv, map[string]string{
		"INPUT_CLIENT-ID":      fx.Apps[0].ClientID,
		"INPUT_PRIVATE-KEY":    key,
		"INPUT_GITHUB-API-URL": srv.URL(),
		"GITHUB_REPOSITORY":    "sparesparrow/mcp-project-orchestrator",
	}
}

func apiStatus(t *testing.T, srv *emulator.Server, method, path, token string) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+token)
	req.Header.Set("User-Agent", "standin-test")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestAppTokenMintsFromTheAPI mints installation tokens from the emulator
// (which verifies the JWT against the App's public key and answers as
// GitHub's REST description says) the two ways the real action does, and
// revokes them in the post step.
func TestAppTokenMintsFromTheAPI(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		inputs map[string]string
		// wantPath is the installation lookup the action makes.
		wantPath string
	}{
		{"owner_only", map[string]string{"INPUT_OWNER": "sparesparrow", "INPUT_PERMISSION-ISSUES": "write", "INPUT_PERMISSION-CONTENTS": "read"}, "/users/sparesparrow/installation"},
		{"repositories", map[string]string{"INPUT_OWNER": "sparesparrow", "INPUT_REPOSITORIES": "openssl-tools,\nopenssl-conan-base"}, "/repos/sparesparrow/openssl-tools/installation"},
		{"neither_means_this_repository", nil, "/repos/sparesparrow/mcp-project-orchestrator/installation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, vars := appWorld(t, emulator.Options{})
			for k, v := range tt.inputs {
				vars[k] = v
			}
			te := newTestEnv(t, vars)
			te.now = time.Now
			if err := appToken(context.Background(), te.env, nil); err != nil {
				t.Fatalf("app-token: %v\n%s", err, te.out)
			}
			out := commandFile(t, te.vars["GITHUB_OUTPUT"])
			token := out["token"]
			if !strings.HasPrefix(token, "ghs_") || out["installation-id"] != "59123456" || out["app-slug"] != "ecosystem-actions-bot" {
				t.Fatalf("outputs %v: want a ghs_ token of installation 59123456 of ecosystem-actions-bot", out)
			}
			if !strings.Contains(te.out.String(), "::add-mask::"+token) {
				t.Errorf("the token was not masked")
			}
			var looked bool
			for _, r := range srv.Requests() {
				looked = looked || (r.Method == "GET" && r.Path == tt.wantPath && r.Status == 200)
			}
			if !looked {
				t.Errorf("no GET %s answered 200", tt.wantPath)
			}
			// An installation token: the installation's repositories, no user.
			if got := apiStatus(t, srv, "GET", "/installation/repositories", token); got != 200 {
				t.Errorf("GET /installation/repositories with the token: %d, want 200", got)
			}
			if got := apiStatus(t, srv, "GET", "/user", token); got != 403 {
				t.Errorf("GET /user with an installation token: %d, want 403", got)
			}

			state := commandFile(t, te.vars["GITHUB_STATE"])
			post := newTestEnv(t, map[string]string{"INPUT_GITHUB-API-URL": srv.URL(), "STATE_token": state["token"], "STATE_expiresAt": state["expiresAt"]})
			post.now = time.Now
			if err := appTokenPost(context.Background(), post.env, nil); err != nil || !strings.Contains(post.out.String(), "Token revoked") {
				t.Fatalf("post: %v\n%s", err, post.out)
			}
			if got := apiStatus(t, srv, "GET", "/installation/repositories", token); got != 401 {
				t.Errorf("the revoked token still works: %d, want 401", got)
			}
		})
	}
}

// TestAppTokenCorrectsClockSkew: when the API's clock is ahead of the
// runner's (here four hours), the first JWT is refused as expired and the
// action signs again with the API's time from its Date header.
func TestAppTokenCorrectsClockSkew(t *testing.T) {
	t.Parallel()
	srv, vars := appWorld(t, emulator.Options{Now: func() time.Time { return time.Now().Add(4 * time.Hour) }})
	vars["INPUT_OWNER"] = "sparesparrow"
	te := newTestEnv(t, vars)
	te.now = time.Now // the runner's own clock
	if err := appToken(context.Background(), te.env, nil); err != nil {
		t.Fatalf("app-token with the API 4 h ahead: %v\n%s", err, te.out)
	}
	if !strings.Contains(te.out.String(), "time and system time are different by") {
		t.Errorf("no skew correction was logged:\n%s", te.out)
	}
	refused := 0
	for _, r := range srv.Requests() {
		if r.Status == 401 {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d requests refused; want exactly the first, before the correction", refused)
	}
}

// TestAppTokenBadInputs: bad inputs fail before any request, naming the
// input.
func TestAppTokenBadInputs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		inputs map[string]string
		want   string
	}{
		{"no_client_id", map[string]string{"INPUT_CLIENT-ID": ""}, "'client-id'"},
		{"not_a_key", map[string]string{"INPUT_PRIVATE-KEY": "secret"}, "private-key"},
		{"owner_in_repositories", map[string]string{"INPUT_REPOSITORIES": "sparesparrow/openssl-tools"}, "repositories"},
		{"bad_permission_level", map[string]string{"INPUT_PERMISSION-ISSUES": "everything"}, "permission-issues"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, vars := appWorld(t, emulator.Options{})
			for k, v := range tt.inputs {
				vars[k] = v
			}
			te := newTestEnv(t, vars)
			err := appToken(context.Background(), te.env, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want one naming %s", err, tt.want)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests before the input was refused", n)
			}
		})
	}
}
