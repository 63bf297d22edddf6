package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v62/github"
)

// Identity is the login the token acts as: the author of every comment,
// label event and issue an action writes with it. Only what this login
// wrote, with the marker at the start of the body, is an action's own
// (action-stale's warnings and tracking issues, action-alert's issues).
type Identity struct {
	// Login is the token's login ("github-actions[bot]" for GITHUB_TOKEN,
	// "<app-slug>[bot]" for a GitHub App installation token, the user for a
	// personal access token).
	Login string `json:"login"`
	// Source says how Login was found: "GET /user", "GraphQL viewer",
	// "bot_login input" or "assumed".
	Source string `json:"source"`
	// Verified is true when Login was read from the API (not typed or
	// assumed).
	Verified bool `json:"verified"`
	// Mismatch explains a bot_login input that differs from the token's
	// login (reported as a warning; the token's login is used).
	Mismatch string `json:"mismatch,omitempty"`
}

// Is reports whether login is this identity (GitHub logins compare
// case-insensitively).
func (id Identity) Is(login string) bool {
	return id.Login != "" && strings.EqualFold(id.Login, login)
}

// DefaultAssumedLogin is the identity used when the token's login cannot be
// read and no override is given: the workflow's GITHUB_TOKEN (action-stale
// checks it against the author of the first comment it writes).
const DefaultAssumedLogin = "github-actions[bot]"

// ResolveIdentity finds the login the token acts as:
//
//   - GET /user answers for personal access tokens and user-to-server
//     tokens;
//   - GitHub App installation tokens, GITHUB_TOKEN included, get 403 there
//     ("Resource not accessible by integration"); the GraphQL query
//     {viewer{login}} answers for them with "<slug>[bot]" (the way public
//     tools do it: fullsend-ai/fullsend#1953,
//     joshjohanning/bulk-github-repo-settings-sync-action#194);
//   - override (the bot_login input) is used only when neither answers;
//     when both are known and differ, the token's login wins and the
//     mismatch is reported.
//
// When nothing answers and there is no override, the identity is assumed to
// be github-actions[bot] (Verified false) and the executor checks it
// against the author of the first comment it writes. Bad credentials (401)
// are an error.
func ResolveIdentity(ctx context.Context, gh *github.Client, override string) (Identity, error) {
	override = strings.TrimSpace(override)
	login, source, err := tokenLogin(ctx, gh)
	if err != nil {
		return Identity{}, err
	}
	switch {
	case login != "" && override != "" && !strings.EqualFold(login, override):
		return Identity{Login: login, Source: source, Verified: true,
			Mismatch: fmt.Sprintf("bot_login %q differs from the login the token acts as (%s, from %s); using %s: the action's comments, labels and tracking issues are written by it", override, login, source, login)}, nil
	case login != "":
		return Identity{Login: login, Source: source, Verified: true}, nil
	case override != "":
		return Identity{Login: override, Source: "bot_login input"}, nil
	}
	return Identity{Login: DefaultAssumedLogin, Source: "assumed"}, nil
}

// tokenLogin asks GET /user, then the GraphQL viewer. It returns "" when
// neither can tell (forbidden, not served), an error for bad credentials or
// a cancelled context.
func tokenLogin(ctx context.Context, gh *github.Client) (string, string, error) {
	u, _, err := gh.Users.Get(ctx, "")
	if err == nil && u.GetLogin() != "" {
		return u.GetLogin(), "GET /user", nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		if StatusCode(err) == http.StatusUnauthorized {
			return "", "", fmt.Errorf("failed to read the token's identity: %s (check github_token)", Reason(err))
		}
	}
	login, err := viewerLogin(ctx, gh)
	if err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return "", "", nil
	}
	return login, "GraphQL viewer", nil
}

// GraphQLURL is the GraphQL endpoint next to the REST base URL:
// https://api.github.com/graphql, https://HOST/api/graphql on GitHub
// Enterprise Server (REST at /api/v3/), BASE/graphql for anything else.
func GraphQLURL(base *url.URL) string {
	u := *base
	p := strings.TrimSuffix(u.Path, "/")
	if strings.HasSuffix(p, "/api/v3") {
		p = strings.TrimSuffix(p, "/v3")
	}
	u.Path = p + "/graphql"
	u.RawPath = ""
	return u.String()
}

// viewerLogin runs {viewer{login}}.
func viewerLogin(ctx context.Context, gh *github.Client) (string, error) {
	req, err := gh.NewRequest(http.MethodPost, GraphQLURL(gh.BaseURL), map[string]string{"query": "query{viewer{login}}"})
	if err != nil {
		return "", err
	}
	var out struct {
		Data struct {
			Viewer struct {
				Login string `json:"login"`
			} `json:"viewer"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if _, err := gh.Do(ctx, req, &out); err != nil {
		return "", err
	}
	if out.Data.Viewer.Login == "" {
		msg := "no login in the answer"
		if len(out.Errors) > 0 {
			msg = out.Errors[0].Message
		}
		return "", errors.New(msg)
	}
	return out.Data.Viewer.Login, nil
}
