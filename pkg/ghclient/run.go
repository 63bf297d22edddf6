package ghclient

import (
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// ActionInputs is what RunConfig reads from an action's run: which inputs
// the action declares, their values and GITHUB_API_URL. pkg/runner's *Run
// implements it; the client does not depend on the runner layer.
type ActionInputs interface {
	Declared(name string) bool
	String(name string) string
	Duration(name string) time.Duration
	APIURL() string
}

// redactorSource is implemented by pkg/runner's *Run: the redactor that
// knows what the run masked.
type redactorSource interface {
	Redactor() *redact.Redactor
}

// RunConfig is the Config an action's shared client inputs describe:
// github_token, cache_dir, rate_limit_policy, rate_limit_max_wait (see
// pkg/runner TokenInput, CacheDirInput, RateLimitPolicyInput, MaxWaitInput)
// and GITHUB_API_URL, and the run's redactor (when in offers Redactor(),
// as *runner.Run does) for request bodies. Inputs the action does not
// declare keep their zero value (New's defaults).
//
//	gh, err := ghclient.New(ghclient.RunConfig(r, version))
func RunConfig(in ActionInputs, version string) Config {
	cfg := Config{APIURL: in.APIURL(), Version: version}
	if rs, ok := in.(redactorSource); ok {
		cfg.Redactor = rs.Redactor()
	}
	if in.Declared("github_token") {
		cfg.Token = in.String("github_token")
	}
	if in.Declared("cache_dir") {
		cfg.CacheDir = in.String("cache_dir")
	}
	if in.Declared("rate_limit_policy") {
		cfg.RateLimitPolicy = in.String("rate_limit_policy")
	}
	if in.Declared("rate_limit_max_wait") {
		cfg.MaxWait = in.Duration("rate_limit_max_wait")
	}
	return cfg
}
