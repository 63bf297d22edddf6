package alert

import (
	"context"
	"strings"

	"github.com/google/go-github/v62/github"
)

// Identity is the login the token acts as: the author of every issue and
// comment this action writes. Only issues written by it (or by a
// trusted_authors login) whose body starts with a marker are this action's
// own.
type Identity struct {
	Login string `json:"login"`
	// Source says how Login was found ("GET /user", "GraphQL viewer", …,
	// or "assumed").
	Source string `json:"source"`
}

// IdentityFunc finds the token's identity (main wires
// ghclient.ResolveIdentity: GET /user, then the GraphQL viewer for
// installation tokens and GITHUB_TOKEN).
type IdentityFunc func(ctx context.Context) (Identity, error)

// AssumedLogin is the identity used when no lookup is wired: the
// workflow's GITHUB_TOKEN, whose issues are written by github-actions[bot].
const AssumedLogin = "github-actions[bot]"

// isBot reports whether a user is a bot account (GitHub Apps, GITHUB_TOKEN,
// Dependabot): type Bot, or a login ending in [bot].
func isBot(u *github.User) bool {
	return u != nil && (strings.EqualFold(u.GetType(), "Bot") || strings.HasSuffix(strings.ToLower(u.GetLogin()), "[bot]"))
}
