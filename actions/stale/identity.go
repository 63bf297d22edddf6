package stale

import (
	"context"

	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// Identity is the login the token acts as (ghclient.Identity): only what it
// wrote, with the marker at the start of the body, is this action's own.
type Identity = ghclient.Identity

// DefaultAssumedLogin is the identity used when the token's login cannot be
// read and bot_login is not set: the workflow's GITHUB_TOKEN. The first
// comment the run writes verifies it (see Executor).
const DefaultAssumedLogin = ghclient.DefaultAssumedLogin

// ResolveIdentity finds the login the token acts as (ghclient.ResolveIdentity);
// override is the bot_login input.
func ResolveIdentity(ctx context.Context, gh *github.Client, override string) (Identity, error) {
	return ghclient.ResolveIdentity(ctx, gh, override)
}
