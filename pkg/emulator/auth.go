package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// credential is what a request authenticates as: a user token, an
// installation token (minted or declared in the fixture), a GITHUB_TOKEN,
// an app's JWT, or nothing.
type credential struct {
	kind  string // "" anonymous, TokenUser, TokenInstallation, TokenGitHubToken, credApp
	login string // the identity writes record; the app's bot login for installations
	perms map[string]string
	// Installation tokens, GITHUB_TOKENs and app JWTs.
	app            *appState // nil for apps the fixture does not declare
	appSlug        string
	appID          int64
	installationID int64
	account        string
	// repos holds the lower-case full names the token may reach; nil is
	// every repository (a user token, a JWT).
	repos     map[string]bool
	expiresAt time.Time // zero: never
	minted    bool      // issued by POST /app/installations/{id}/access_tokens
	// limitKey names the primary budget the requests count against and
	// limit is its size per hour.
	limitKey string
	limit    int
}

// credApp is the kind of an app's JWT.
const credApp = "app"

// githubActionsAppID is the id of the GitHub Actions app, whose
// installation tokens are the GITHUB_TOKENs.
const githubActionsAppID = 15368

func (cr *credential) isInstallation() bool {
	return cr.kind == TokenInstallation || cr.kind == TokenGitHubToken
}

// subject is how rate-limit messages name the credential.
func (cr *credential) subject() string {
	switch {
	case cr.isInstallation():
		return fmt.Sprintf("installation ID %d", cr.installationID)
	case cr.kind == credApp:
		return fmt.Sprintf("app ID %d", cr.appID)
	}
	return ""
}

// buildTokens resolves the fixture's tokens. Callers own st.
func (st *state) buildTokens(f *Fixture, opts Options) error {
	st.tokens = map[string]*credential{}
	names := make([]string, 0, len(f.Tokens))
	for k := range f.Tokens {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, tok := range names {
		t := f.Tokens[tok]
		cr, err := st.tokenCredential(t, opts)
		if err != nil {
			who := t.Login
			if who == "" {
				who = t.App + t.Repository
			}
			return fmt.Errorf("failed to load token of %q: %w", who, err)
		}
		cr.limitKey = st.limitKeyFor(cr, "token:"+hashToken(tok))
		st.tokens[tok] = cr
	}
	return nil
}

// tokenCredential turns a fixture token into a credential.
func (st *state) tokenCredential(t Token, opts Options) (*credential, error) {
	switch t.Kind {
	case "", TokenUser:
		if t.Login == "" {
			return nil, fmt.Errorf("a user token needs a login")
		}
		return &credential{kind: TokenUser, login: t.Login, perms: t.Permissions, limit: opts.RateLimit}, nil
	case TokenGitHubToken:
		rs := st.byName[strings.ToLower(t.Repository)]
		if rs == nil {
			return nil, fmt.Errorf("kind github_token needs repository: the owner/name of a fixture repository, got %q", t.Repository)
		}
		full := rs.fx.FullName()
		return &credential{kind: TokenGitHubToken, login: DefaultLogin, perms: t.Permissions, appSlug: "github-actions",
			appID: githubActionsAppID, installationID: stableID("github_token#"+strings.ToLower(full), 10_000_000),
			account: rs.fx.Owner, repos: map[string]bool{strings.ToLower(full): true}, limit: opts.GitHubTokenRateLimit}, nil
	case TokenInstallation:
		if t.App == "" {
			return nil, fmt.Errorf("kind installation needs app: the app's slug")
		}
		cr := &credential{kind: TokenInstallation, login: t.App + "[bot]", perms: t.Permissions, appSlug: t.App,
			appID: t.AppID, installationID: t.InstallationID}
		if app := st.appBySlug(t.App); app != nil {
			cr.app = app
			if cr.appID == 0 {
				cr.appID = app.ID
			}
			inst := app.installation(t.InstallationID)
			if inst == nil && t.InstallationID == 0 && len(app.installations) == 1 {
				inst = app.installations[0]
			}
			if inst == nil {
				return nil, fmt.Errorf("app %s has no installation %d (installations: %s)", t.App, t.InstallationID, app.installationIDs())
			}
			cr.installationID, cr.account = inst.ID, inst.Account
			cr.repos = inst.repos
			if cr.perms == nil {
				cr.perms = inst.Permissions
			}
		}
		if cr.appID == 0 {
			cr.appID = stableID("app#"+t.App, 100_000)
		}
		if cr.installationID == 0 {
			cr.installationID = stableID("installation#"+t.App, 10_000_000)
		}
		if len(t.Repositories) > 0 {
			cr.repos = map[string]bool{}
			for _, r := range t.Repositories {
				if !strings.Contains(r, "/") && cr.account != "" {
					r = cr.account + "/" + r
				}
				cr.repos[strings.ToLower(r)] = true
			}
		}
		cr.limit = installationRateLimit(opts.RateLimit, st.reachable(cr))
		return cr, nil
	}
	return nil, fmt.Errorf("unknown kind %q (allowed: user, installation, github_token)", t.Kind)
}

// reachable counts the repositories a credential may reach.
func (st *state) reachable(cr *credential) int {
	if cr.repos == nil {
		return len(st.repos)
	}
	return len(cr.repos)
}

// installationRateLimit is an installation's primary budget per hour:
// 5,000, plus 50 per repository beyond 20, at most 12,500 (the REST API's
// rate-limit documentation; base scales the whole rule when the server
// runs with another RateLimit).
func installationRateLimit(base, repos int) int {
	limit := base + base/100*max(0, repos-20)
	return min(limit, max(base, base*5/2))
}

// limitKeyFor is the budget a credential's requests count against: the
// repository for a GITHUB_TOKEN (1,000 per hour per repository), the
// installation for installation tokens, the app for its JWTs, else the
// token itself.
func (st *state) limitKeyFor(cr *credential, tokenKey string) string {
	switch cr.kind {
	case TokenGitHubToken:
		for r := range cr.repos {
			return "repository:" + r
		}
	case TokenInstallation:
		return fmt.Sprintf("installation:%d", cr.installationID)
	case credApp:
		return fmt.Sprintf("app:%d", cr.appID)
	}
	return tokenKey
}

// authResult is the outcome of authenticate: a credential or a 401 message.
type authResult struct {
	cred    *credential
	failure string
}

// authenticate resolves the request's token. Callers hold s.mu.
func (s *Server) authenticate(r *http.Request, now time.Time) authResult {
	token, hasToken := bearerToken(r)
	if !hasToken {
		return authResult{cred: &credential{limitKey: "ip:" + remoteHost(r), limit: s.opts.UnauthenticatedRateLimit}}
	}
	if looksLikeJWT(token) {
		cr, msg := s.st.verifyAppJWT(token, now)
		if cr == nil {
			return authResult{failure: msg}
		}
		cr.limit = s.opts.RateLimit
		return authResult{cred: cr}
	}
	if cr := s.st.minted[token]; cr != nil {
		if !cr.expiresAt.IsZero() && !now.Before(cr.expiresAt) {
			return authResult{failure: "Bad credentials"}
		}
		return authResult{cred: cr}
	}
	if s.st.revoked[hashToken(token)] {
		return authResult{failure: "Bad credentials"}
	}
	if len(s.st.tokens) > 0 {
		cr := s.st.tokens[token]
		if cr == nil {
			return authResult{failure: "Bad credentials"}
		}
		return authResult{cred: cr}
	}
	return authResult{cred: &credential{kind: TokenUser, login: s.opts.DefaultLogin, limitKey: "token:" + hashToken(token), limit: s.opts.RateLimit}}
}

func looksLikeJWT(token string) bool {
	return strings.HasPrefix(token, "eyJ") && strings.Count(token, ".") == 2
}

// checkAuth applies the route's Auth and the rule that writes need a
// token. It writes the error and returns false when the call may not go on.
func (c *call) checkAuth(rt Route) bool {
	kind := c.cred.kind
	switch {
	case rt.Auth == AuthApp && kind != credApp:
		// GitHub reads the token as a JWT and cannot decode it.
		c.writeJSON(http.StatusUnauthorized, map[string]any{"message": "A JSON web token could not be decoded", "documentation_url": c.docs(), "status": "401"})
		return false
	case rt.Auth != AuthApp && kind == credApp:
		c.forbiddenIntegration("")
		return false
	case rt.Auth == AuthInstallation && !c.cred.isInstallation():
		if !c.authed {
			c.requiresAuthentication()
			return false
		}
		c.errorBody(http.StatusForbidden, "You must authenticate with an installation access token in order to list repositories for an installation.")
		return false
	case rt.Auth == AuthToken && !c.authed:
		c.writeJSON(http.StatusUnauthorized, map[string]any{"message": "This endpoint requires you to be authenticated.", "documentation_url": c.docs()})
		return false
	case isWrite(c.r.Method) && !c.authed:
		c.requiresAuthentication()
		return false
	}
	return true
}

func (c *call) requiresAuthentication() {
	c.writeJSON(http.StatusUnauthorized, map[string]any{"message": "Requires authentication", "documentation_url": c.docs(), "status": "401"})
}

// canSee reports whether the caller may see the repository at all: a
// private repository is invisible (404) without a token and to a token
// that does not reach it.
func (c *call) canSee(rs *repoState) bool {
	if !rs.fx.Private {
		return true
	}
	if !c.authed {
		return false
	}
	return c.cred.repos == nil || c.cred.repos[strings.ToLower(rs.fx.FullName())]
}

// inScope reports whether the token's repository list includes rs. An
// installation token (and GITHUB_TOKEN) reads any public repository, but
// writes only to its own.
func (c *call) inScope(rs *repoState) bool {
	return c.cred.repos == nil || c.cred.repos[strings.ToLower(rs.fx.FullName())]
}

// permitted reports whether the token holds one of the alternatives in
// perm ("issues=write;pull_requests=write"). Write implies read; metadata
// read is always granted; a token without a permission list has them all.
func (c *call) permitted(perm string) bool {
	if len(c.perms) == 0 {
		return true
	}
	for _, alt := range strings.Split(perm, ";") {
		name, level, _ := strings.Cut(alt, "=")
		if name == "metadata" && level == "read" {
			return true
		}
		for k, v := range c.perms {
			if strings.ReplaceAll(strings.ToLower(k), "-", "_") != name {
				continue
			}
			v = strings.ToLower(v)
			if v == "write" || v == "admin" || (v == "read" && level == "read") {
				return true
			}
		}
	}
	return false
}
