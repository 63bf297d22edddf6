package emulator

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// appKey is the example app's private key (a test key), read once.
var appKey = sync.OnceValues(ExampleAppKey)

func testAppKey(t *testing.T) string {
	t.Helper()
	k, err := appKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// appFixture is testFixture with an app "acme-bot" (id 777) installed on
// acme for tools only, with a private repository it does not reach.
func appFixture(t *testing.T) *Fixture {
	f := testFixture()
	f.Apps = []App{{Slug: "acme-bot", ID: 777, ClientID: "Iv1.acmebot", Owner: "acme", Key: testAppKey(t),
		Installations: []Installation{{ID: 4242, Account: "acme", Repositories: []string{"tools"},
			Permissions: map[string]string{"issues": "write", "contents": "read", "metadata": "read"}}}}}
	return f
}

// clockAt is a settable server clock.
type clockAt struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clockAt) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clockAt) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// tokenClient is a go-github client for s with the given token.
func tokenClient(t *testing.T, s *Server, token string) *github.Client {
	t.Helper()
	c := github.NewClient(HTTPClientForTest(t)).WithAuthToken(token)
	u, err := c.BaseURL.Parse(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

func statusOf(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		return er.Response.StatusCode
	}
	return 0
}

// mint signs a JWT for acme-bot and mints an installation token.
func mint(t *testing.T, s *Server, now time.Time, opts *github.InstallationTokenOptions) *github.InstallationToken {
	t.Helper()
	jwt, err := AppJWT(testAppKey(t), "777", now)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := tokenClient(t, s, jwt).Apps.CreateInstallationToken(ctx(), 4242, opts)
	if err != nil {
		t.Fatalf("create installation token: %v", err)
	}
	return tok
}

func TestAppInstallationTokens(t *testing.T) {
	t.Parallel()
	clock := &clockAt{t: testNow}
	s := StartForTest(t, appFixture(t), Options{Now: clock.Now})
	jwt, err := AppJWT(testAppKey(t), "777", testNow)
	if err != nil {
		t.Fatal(err)
	}
	app := tokenClient(t, s, jwt)

	t.Run("jwt_lists_and_finds_installations", func(t *testing.T) {
		list, _, err := app.Apps.ListInstallations(ctx(), nil)
		if err != nil || len(list) != 1 || list[0].GetID() != 4242 || list[0].GetAppSlug() != "acme-bot" || list[0].GetAccount().GetLogin() != "acme" {
			t.Fatalf("installations = %+v, %v", list, err)
		}
		in, _, err := app.Apps.FindRepositoryInstallation(ctx(), "acme", "tools")
		if err != nil || in.GetID() != 4242 || in.GetRepositorySelection() != "selected" {
			t.Errorf("repository installation = %+v, %v", in, err)
		}
		if _, _, err := app.Apps.FindRepositoryInstallation(ctx(), "acme", "secret"); statusOf(err) != 404 {
			t.Errorf("installation of a repository it does not reach: %v, want 404", err)
		}
		if in, _, err := app.Apps.FindOrganizationInstallation(ctx(), "acme"); err != nil || in.GetID() != 4242 {
			t.Errorf("org installation = %+v, %v", in, err)
		}
		// octo is a user: the org route is 404, the user route answers
		// (here: no installation on octo).
		if _, _, err := app.Apps.FindOrganizationInstallation(ctx(), "octo"); statusOf(err) != 404 {
			t.Errorf("org installation of a user: %v, want 404", err)
		}
		if in, _, err := app.Apps.FindUserInstallation(ctx(), "acme"); err != nil || in.GetID() != 4242 {
			t.Errorf("user installation = %+v, %v", in, err)
		}
	})

	t.Run("minted_token_identity_scope_and_user_403", func(t *testing.T) {
		tok := mint(t, s, testNow, nil)
		if !strings.HasPrefix(tok.GetToken(), "ghs_") || len(tok.GetToken()) != 40 {
			t.Errorf("token = %q, want ghs_ and 36 characters", tok.GetToken())
		}
		if !tok.GetExpiresAt().Time.Equal(testNow.Add(time.Hour)) {
			t.Errorf("expires_at = %v, want now + 1h", tok.GetExpiresAt())
		}
		c := tokenClient(t, s, tok.GetToken())
		_, _, err := c.Users.Get(ctx(), "")
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != 403 || er.Message != "Resource not accessible by integration" ||
			er.DocumentationURL != "https://docs.github.com/rest/users/users#get-the-authenticated-user" {
			t.Errorf("GET /user with an installation token: %v, want GitHub's 403", err)
		}
		repos, resp, err := c.Apps.ListRepos(ctx(), &github.ListOptions{PerPage: 1})
		if err != nil || repos.GetTotalCount() != 1 || repos.Repositories[0].GetFullName() != "acme/tools" || resp.NextPage != 0 {
			t.Errorf("installation repositories = %+v, %v", repos, err)
		}
		is, _, err := c.Issues.Create(ctx(), "acme", "tools", &github.IssueRequest{Title: github.String("from the app")})
		if err != nil || is.GetUser().GetLogin() != "acme-bot[bot]" || is.GetUser().GetType() != "Bot" {
			t.Fatalf("issue = %+v, %v; want it by acme-bot[bot]", is.GetUser(), err)
		}
		// A public repository outside the installation reads, but does not write.
		if _, _, err := c.Repositories.Get(ctx(), "octo", "notes"); err != nil {
			t.Errorf("read a public repository outside the installation: %v", err)
		}
		if _, _, err := c.Issues.Create(ctx(), "octo", "notes", &github.IssueRequest{Title: github.String("x")}); statusOf(err) != 403 {
			t.Errorf("write outside the installation: %v, want 403", err)
		}
		if _, _, err := c.Repositories.Get(ctx(), "acme", "secret"); statusOf(err) != 404 {
			t.Errorf("private repository outside the installation: %v, want 404", err)
		}
		// A permission the token lacks.
		if _, _, err := c.PullRequests.Edit(ctx(), "acme", "tools", 3, &github.PullRequest{Title: github.String("x")}); statusOf(err) != 403 {
			t.Errorf("pull_requests write without the permission: %v, want 403", err)
		}
		// Revoked, the token is refused.
		if _, err := c.Apps.RevokeInstallationToken(ctx()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Repositories.Get(ctx(), "acme", "tools"); statusOf(err) != 401 {
			t.Errorf("revoked token: %v, want 401", err)
		}
	})

	t.Run("narrowed_and_refused_requests", func(t *testing.T) {
		tok := mint(t, s, testNow, &github.InstallationTokenOptions{Repositories: []string{"tools"},
			Permissions: &github.InstallationPermissions{Issues: github.String("read")}})
		if len(tok.Repositories) != 1 || tok.GetPermissions().GetIssues() != "read" {
			t.Errorf("narrowed token = %+v", tok)
		}
		_, _, err := app.Apps.CreateInstallationToken(ctx(), 4242, &github.InstallationTokenOptions{Repositories: []string{"notes"}})
		if statusOf(err) != 422 || !strings.Contains(err.Error(), "not accessible to the parent installation") {
			t.Errorf("token for a repository outside the installation: %v, want 422", err)
		}
		_, _, err = app.Apps.CreateInstallationToken(ctx(), 4242, &github.InstallationTokenOptions{Permissions: &github.InstallationPermissions{Administration: github.String("write")}})
		if statusOf(err) != 422 {
			t.Errorf("token with a permission the installation lacks: %v, want 422", err)
		}
		if _, _, err := app.Apps.CreateInstallationToken(ctx(), 9999, nil); statusOf(err) != 404 {
			t.Errorf("unknown installation: %v, want 404", err)
		}
	})

	t.Run("jwt_failures", func(t *testing.T) {
		late, _ := AppJWT(testAppKey(t), "777", testNow.Add(-time.Hour))
		bogus, _ := AppJWT(testAppKey(t), "778", testNow)
		tests := []struct {
			name, token, want string
			status            int
		}{
			{"expired", late, jwtExpired, 401},
			{"unknown_app", bogus, jwtUndecodable, 401},
			{"tampered", jwt[:len(jwt)-4] + "AAAA", jwtUndecodable, 401},
			{"user_token_on_app_route", "test-token", jwtUndecodable, 401},
		}
		for _, tt := range tests {
			resp, body := rawDo(t, s, "GET", "/app/installations", "", map[string]string{"Authorization": "Bearer " + tt.token})
			var m map[string]any
			_ = json.Unmarshal(body, &m)
			if resp.StatusCode != tt.status || m["message"] != tt.want {
				t.Errorf("%s: %d %s, want %d %q", tt.name, resp.StatusCode, body, tt.status, tt.want)
			}
		}
		if resp, _ := rawDo(t, s, "GET", "/repos/acme/tools", "", map[string]string{"Authorization": "Bearer " + jwt}); resp.StatusCode != 403 {
			t.Errorf("JWT on a repository route = %d, want 403", resp.StatusCode)
		}
	})

	t.Run("minted_token_expires_after_an_hour", func(t *testing.T) {
		s := StartForTest(t, appFixture(t), Options{Now: clock.Now})
		tok := mint(t, s, clock.Now(), nil)
		c := tokenClient(t, s, tok.GetToken())
		if _, _, err := c.Repositories.Get(ctx(), "acme", "tools"); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
		if _, _, err := c.Repositories.Get(ctx(), "acme", "tools"); statusOf(err) != 401 {
			t.Errorf("expired token: %v, want 401", err)
		}
	})
}

func TestFixtureInstallationAndGitHubToken(t *testing.T) {
	t.Parallel()
	f := appFixture(t)
	f.Tokens = map[string]Token{
		"ghs_declared": {Kind: TokenInstallation, App: "acme-bot"},
		"gh_actions_a": {Kind: TokenGitHubToken, Repository: "acme/tools", Permissions: map[string]string{"issues": "write"}},
		"gh_actions_b": {Kind: TokenGitHubToken, Repository: "acme/tools"},
		"user":         {Login: "octo"},
	}
	s := StartForTest(t, f, Options{Now: fixedNow, GitHubTokenRateLimit: 3})
	declared := tokenClient(t, s, "ghs_declared")
	if _, _, err := declared.Users.Get(ctx(), ""); statusOf(err) != 403 {
		t.Errorf("GET /user, declared installation token: %v, want 403", err)
	}
	if repos, _, err := declared.Apps.ListRepos(ctx(), nil); err != nil || repos.GetTotalCount() != 1 {
		t.Errorf("declared token repositories = %+v, %v", repos, err)
	}
	if u, _, err := tokenClient(t, s, "user").Users.Get(ctx(), ""); err != nil || u.GetLogin() != "octo" {
		t.Errorf("user token: %+v, %v", u, err)
	}
	if _, _, err := tokenClient(t, s, "user").Apps.ListRepos(ctx(), nil); statusOf(err) != 403 {
		t.Errorf("GET /installation/repositories with a user token: %v, want 403", err)
	}

	a, b := tokenClient(t, s, "gh_actions_a"), tokenClient(t, s, "gh_actions_b")
	is, resp, err := a.Issues.Create(ctx(), "acme", "tools", &github.IssueRequest{Title: github.String("x")})
	if err != nil || is.GetUser().GetLogin() != "github-actions[bot]" || resp.Rate.Limit != 3 {
		t.Fatalf("GITHUB_TOKEN issue = %v, %v, limit %d", is.GetUser().GetLogin(), err, resp.Rate.Limit)
	}
	if _, _, err := a.Issues.Create(ctx(), "octo", "notes", &github.IssueRequest{Title: github.String("x")}); statusOf(err) != 403 {
		t.Errorf("GITHUB_TOKEN writing to another repository: %v, want 403", err)
	}
	// The budget is the repository's: the second token of the same
	// repository spends what the first left.
	if _, _, err := b.Repositories.Get(ctx(), "acme", "tools"); err != nil {
		t.Fatal(err)
	}
	_, _, err = b.Repositories.Get(ctx(), "acme", "tools")
	var rle *github.RateLimitError
	if !errors.As(err, &rle) || rle.Rate.Limit != 3 || !strings.HasPrefix(rle.Message, "API rate limit exceeded for installation ID ") {
		t.Fatalf("fourth request of the repository's GITHUB_TOKENs: %v, want a rate limit of the installation", err)
	}
	var budgets []string
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Budget, "core/repository:") {
			budgets = append(budgets, r.Budget)
		}
	}
	if want := strings.Repeat("core/repository:acme/tools ", 4); strings.Join(budgets, " ")+" " != want {
		t.Errorf("GITHUB_TOKEN budgets = %q", budgets)
	}
}

func TestLoadFixtureTokenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tok  Token
		want string
	}{
		{"github_token_without_repository", Token{Kind: TokenGitHubToken}, "kind github_token needs repository"},
		{"installation_without_app", Token{Kind: TokenInstallation}, "kind installation needs app"},
		{"unknown_kind", Token{Kind: "pat", Login: "x"}, `unknown kind "pat" (allowed: user, installation, github_token)`},
	}
	for _, tt := range tests {
		f := testFixture()
		f.Tokens = map[string]Token{"t": tt.tok}
		if _, err := NewChecked(f, Options{Now: fixedNow}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	f := testFixture()
	f.Apps = []App{{Slug: "x", ID: 1, Key: "not a key"}}
	if _, err := NewChecked(f, Options{Now: fixedNow}); err == nil || !strings.Contains(err.Error(), "no PEM block") {
		t.Errorf("app without a key: %v", err)
	}
}

func TestExampleAppMintsTokens(t *testing.T) {
	t.Parallel()
	f, err := loadExample()
	if err != nil {
		t.Fatal(err)
	}
	s := StartForTest(t, f, Options{Now: func() time.Time { return f.ReferenceTime }})
	jwt, err := AppJWT(testAppKey(t), "Iv23liEcosystemBot01", f.ReferenceTime)
	if err != nil {
		t.Fatal(err)
	}
	in, _, err := tokenClient(t, s, jwt).Apps.FindRepositoryInstallation(ctx(), "sparesparrow", "openssl-tools")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := tokenClient(t, s, jwt).Apps.CreateInstallationToken(ctx(), in.GetID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	repos, _, err := tokenClient(t, s, tok.GetToken()).Apps.ListRepos(ctx(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range repos.Repositories {
		names = append(names, r.GetName())
	}
	sort.Strings(names)
	want := []string{"mcp-project-orchestrator", "openssl-conan-base", "openssl-fips-policy", "openssl-tools"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("repositories of the example app's token (-want +got):\n%s", diff)
	}
}
