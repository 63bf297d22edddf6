package runner

import (
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// Inputs shared by the actions; compose them into a Spec:
//
//	Inputs: []runner.Input{runner.TokenInput(), runner.OwnerInput(), {Name: "domains", Kind: runner.List, Env: "DOMAINS"}}

// TokenInput is github_token: the token for the GitHub API. action.yml
// defaults it to ${{ github.token }}; the runner does not pass GITHUB_TOKEN
// into a container, so on the command line use --github-token or GITHUB_TOKEN.
func TokenInput() Input {
	return Input{Name: "github_token", Kind: String, Secret: true, Env: "GITHUB_TOKEN",
		Usage: "GitHub token (action.yml default: ${{ github.token }})", Validate: SingleLine}
}

// OwnerInput is owner: the account whose bare repository names are meant;
// empty means the owner of GITHUB_REPOSITORY.
func OwnerInput() Input {
	return Input{Name: "owner", Kind: String, Env: "GITHUB_REPOSITORY_OWNER",
		Usage:    "owner of bare repository names (default: the owner of the current repository)",
		Validate: ValidateOwner}
}

// ValidateOwner is an Input.Validate hook for GitHub owner names: 1-39
// characters of [A-Za-z0-9-], not starting with '-'.
func ValidateOwner(v any) error {
	s, _ := v.(string)
	if err := ghname.ValidateOwner(s); err != nil {
		return &RuleError{Reason: "is not a GitHub owner", Allowed: err.Error()}
	}
	return nil
}

// OutputDirInput is output_dir: where reports are written.
func OutputDirInput() Input {
	return Input{Name: "output_dir", Kind: String, Default: "reports", Env: "OUTPUT_DIR",
		Usage: "directory for the report files", Validate: ValidateOutputDir}
}

// LogLevelInput is log_level: INFO or DEBUG (LOG_LEVEL=DEBUG turns on Debugf).
func LogLevelInput() Input {
	return Input{Name: "log_level", Kind: Enum, Default: "INFO", Env: "LOG_LEVEL", Allowed: []string{"INFO", "DEBUG"},
		Usage: "log verbosity"}
}

// CacheDirInput is cache_dir: where the HTTP ETag cache lives (keep it with
// actions/cache to save rate limit between runs). An explicitly empty value
// disables the cache (AllowEmpty: action.yml must declare the same default).
func CacheDirInput() Input {
	return Input{Name: "cache_dir", Kind: String, Default: ".cache/ecosystem-actions", Env: "CACHE_DIR", AllowEmpty: true,
		Usage: "directory for the conditional-request (ETag) cache; empty disables it", Validate: ValidateOutputDir}
}

// RateLimitPolicyInput is rate_limit_policy: wait for the primary rate limit
// to reset (up to rate_limit_max_wait) or stop and report partial results.
func RateLimitPolicyInput() Input {
	return Input{Name: "rate_limit_policy", Kind: Enum, Default: "wait", Env: "RATE_LIMIT_POLICY", Allowed: []string{"wait", "stop"},
		Usage: "when the primary rate limit is spent: wait for the reset (up to rate_limit_max_wait) or stop with partial results"}
}

// MaxWaitInput is rate_limit_max_wait: the longest wait for a rate-limit reset.
func MaxWaitInput() Input {
	return Input{Name: "rate_limit_max_wait", Kind: Duration, Default: "10m", Env: "RATE_LIMIT_MAX_WAIT",
		Usage: "longest wait for a rate-limit reset with rate_limit_policy=wait"}
}

// DryRunInput is dry_run: plan and report, change nothing.
func DryRunInput() Input {
	return Input{Name: "dry_run", Kind: Bool, Default: "false", Env: "DRY_RUN",
		Usage: "only report what would be done; change nothing on GitHub"}
}
