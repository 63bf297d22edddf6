package ghclient

import "github.com/sparesparrow/ecosystem-actions/pkg/runner"

// RunConfig is the Config an action's shared client inputs describe:
// github_token (runner.TokenInput), cache_dir (runner.CacheDirInput),
// rate_limit_policy (runner.RateLimitPolicyInput), rate_limit_max_wait
// (runner.MaxWaitInput) and GITHUB_API_URL. Inputs the spec does not declare
// keep their zero value (New's defaults).
//
//	gh, err := ghclient.New(ghclient.RunConfig(r, version))
func RunConfig(r *runner.Run, version string) Config {
	declared := map[string]bool{}
	for _, in := range r.Spec().Inputs {
		declared[in.Name] = true
	}
	cfg := Config{APIURL: r.APIURL(), Version: version}
	if declared["github_token"] {
		cfg.Token = r.String("github_token")
	}
	if declared["cache_dir"] {
		cfg.CacheDir = r.String("cache_dir")
	}
	if declared["rate_limit_policy"] {
		cfg.RateLimitPolicy = r.String("rate_limit_policy")
	}
	if declared["rate_limit_max_wait"] {
		cfg.MaxWait = r.Duration("rate_limit_max_wait")
	}
	return cfg
}
