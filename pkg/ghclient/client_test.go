package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestResolveAPIURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty_is_github_com", "", "https://api.github.com/"},
		{"github_com_without_slash", "https://api.github.com", "https://api.github.com/"},
		{"github_com_with_slash", "https://api.github.com/", "https://api.github.com/"},
		{"ghes_from_runner", "https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/"},
		{"ghes_with_slash", "https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3/"},
		{"ghes_bare_host_gets_api_v3", "https://ghe.example.com", "https://ghe.example.com/api/v3/"},
		{"ghes_bare_host_slash_gets_api_v3", "https://ghe.example.com/", "https://ghe.example.com/api/v3/"},
		{"ghe_com_data_residency", "https://api.acme.ghe.com", "https://api.acme.ghe.com/"},
		{"emulator_loopback_served_at_root", "http://127.0.0.1:8080", "http://127.0.0.1:8080/"},
		{"emulator_localhost", "http://localhost:9000/", "http://localhost:9000/"},
		{"emulator_ipv6_loopback", "http://[::1]:9000", "http://[::1]:9000/"},
		{"emulator_explicit_api_v3", "http://127.0.0.1:8080/api/v3", "http://127.0.0.1:8080/api/v3/"},
		{"proxy_prefix_kept", "https://proxy.example.com/github", "https://proxy.example.com/github/"},
		{"server_url_by_mistake", "https://github.com", "https://api.github.com/"},
		{"whitespace_trimmed", "  https://api.github.com \n", "https://api.github.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ResolveAPIURL(tt.in)
			if err != nil {
				t.Fatalf("ResolveAPIURL(%q) error = %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ResolveAPIURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestResolveAPIURL_invalid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"ftp://example.com", "api.github.com", "://x", "https://user:pw@ghe.example.com/api/v3", "https://ghe.example.com/api/v3?x=1"} {
		_, err := ResolveAPIURL(in)
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("ResolveAPIURL(%q) error = %v, want *ConfigError", in, err)
			continue
		}
		if !strings.Contains(err.Error(), "GITHUB_API_URL") {
			t.Errorf("ResolveAPIURL(%q) error %q does not name GITHUB_API_URL", in, err)
		}
		if strings.Contains(err.Error(), "pw@") {
			t.Errorf("ResolveAPIURL(%q) error %q leaks credentials", in, err)
		}
	}
}

func TestNew_invalidConfig(t *testing.T) {
	t.Parallel()
	_, err := New(Config{RateLimitPolicy: "sometimes", Token: testToken})
	if err == nil {
		t.Fatal("New() error = nil, want error for bad policy")
	}
	for _, want := range []string{"rate_limit_policy", `"sometimes"`, "wait, stop"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error leaks the token: %q", err)
	}
}

func TestConfig_String_redactsToken(t *testing.T) {
	t.Parallel()
	cfg := Config{Token: testToken, APIURL: "https://api.github.com"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg)} {
		if strings.Contains(s, testToken) {
			t.Errorf("formatted Config leaks the token: %s", s)
		}
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	if got, want := UserAgent("1.2.3"), "ecosystem-actions/1.2.3 (+https://github.com/sparesparrow/ecosystem-actions) go-github/v62"; got != want {
		t.Errorf("UserAgent() = %q, want %q", got, want)
	}
	if got := UserAgent(""); !strings.HasPrefix(got, "ecosystem-actions/dev ") {
		t.Errorf("UserAgent(\"\") = %q, want dev version", got)
	}
}

func TestClient_headersThroughGoGitHub(t *testing.T) {
	t.Parallel()
	var hits counter
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r)
		writeJSON(w, 200, repoBody("r"))
	}), nil)
	repo, _, err := c.Repositories.Get(context.Background(), "o", "r")
	if err != nil {
		t.Fatalf("Repositories.Get() error = %v", err)
	}
	if repo.GetName() != "r" {
		t.Errorf("name = %q, want r", repo.GetName())
	}
	if n := hits.get("GET /repos/o/r"); n != 1 {
		t.Fatalf("server saw %d GET /repos/o/r, want 1", n)
	}
	h := hits.headers()[0]
	if got, want := h.Get("User-Agent"), UserAgent("1.2.3"); got != want {
		t.Errorf("User-Agent = %q, want %q", got, want)
	}
	if got, want := h.Get("Authorization"), "Bearer "+testToken; got != want {
		t.Errorf("Authorization = %q, want the bearer token", got)
	}
	if got := h.Get("X-GitHub-Api-Version"); got != "2022-11-28" {
		t.Errorf("X-GitHub-Api-Version = %q, want 2022-11-28", got)
	}
}

func TestClient_ghesPath(t *testing.T) {
	t.Parallel()
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r)
		writeJSON(w, 200, repoBody("r"))
	}))
	t.Cleanup(srv.Close)
	// The runner's GHES value: https://HOST/api/v3 without a trailing slash.
	c, err := New(Config{APIURL: srv.URL + "/api/v3", Transport: srv.Client().Transport})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	if _, _, err := c.Repositories.Get(context.Background(), "o", "r"); err != nil {
		t.Fatalf("Repositories.Get() error = %v", err)
	}
	if n := hits.get("GET /api/v3/repos/o/r"); n != 1 {
		t.Errorf("server saw %d GET /api/v3/repos/o/r, want 1 (paths: %v)", n, hits.n)
	}
	if got := hits.headers()[0].Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q without a token, want none", got)
	}
}

func TestClient_tokenOnlyForAPIHost(t *testing.T) {
	t.Parallel()
	var other counter
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.hit(r)
		_, _ = w.Write([]byte("log line\n"))
	}))
	t.Cleanup(elsewhere.Close)
	c, _, _ := newTestClient(t, http.NotFoundHandler(), nil)

	// e.g. a job-log download URL from a 302 Location (blob storage).
	resp, err := c.HTTPClient().Get(elsewhere.URL + "/logs/1?sig=abc")
	if err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	drain(resp)
	if got := other.headers()[0].Get("Authorization"); got != "" {
		t.Errorf("token sent to a non-API host: Authorization = %q", got)
	}
	if c.Stats().CacheEntries != 0 {
		t.Errorf("non-API response cached: %d entries", c.Stats().CacheEntries)
	}
}

func TestIsNotFound_IsForbidden(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/repos/o/missing":
			writeJSON(w, 404, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
		case "/repos/o/private":
			writeJSON(w, 403, map[string]string{"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest"})
		default:
			writeJSON(w, 200, repoBody("ok"))
		}
	}), nil)
	ctx := context.Background()
	_, _, errMissing := c.Repositories.Get(ctx, "o", "missing")
	_, _, errForbidden := c.Repositories.Get(ctx, "o", "private")
	_, _, errOK := c.Repositories.Get(ctx, "o", "ok")
	tests := []struct {
		name                string
		err                 error
		notFound, forbidden bool
		status              int
	}{
		{"not_found", errMissing, true, false, 404},
		{"forbidden", errForbidden, false, true, 403},
		{"ok", errOK, false, false, 0},
		{"wrapped_not_found", fmt.Errorf("failed to read repo: %w", errMissing), true, false, 404},
		{"rate_limit_is_not_forbidden", &github.RateLimitError{Response: &http.Response{StatusCode: 403}}, false, false, 403},
	}
	for _, tt := range tests {
		if got := IsNotFound(tt.err); got != tt.notFound {
			t.Errorf("%s: IsNotFound() = %v, want %v", tt.name, got, tt.notFound)
		}
		if got := IsForbidden(tt.err); got != tt.forbidden {
			t.Errorf("%s: IsForbidden() = %v, want %v", tt.name, got, tt.forbidden)
		}
		if got := StatusCode(tt.err); got != tt.status {
			t.Errorf("%s: StatusCode() = %d, want %d", tt.name, got, tt.status)
		}
	}
}

func TestClient_otherHostsNoRateLimitHandling(t *testing.T) {
	t.Parallel()
	var other counter
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.hit(r)
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(elsewhere.Close)
	c, rec, _ := newTestClient(t, http.NotFoundHandler(), nil)
	resp, err := c.HTTPClient().Get(elsewhere.URL + "/blob")
	if err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusTooManyRequests || other.get("GET /blob") != 1 || len(rec.durations()) != 0 {
		t.Errorf("status %d after %d requests and sleeps %v; want the 429 returned as is", resp.StatusCode, other.get("GET /blob"), rec.durations())
	}
}
