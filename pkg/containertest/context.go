package containertest

// DummyToken is the token the harness passes as `${{ github.token }}`. The
// emulator accepts any token; tests assert it never appears in output.
const DummyToken = "ghs_containertestDummyTokenNotASecret00"

// DemoRepository is the repository the runs act for by default.
const DemoRepository = "sparesparrow/mcp-project-orchestrator"

// GitHubContextForTest is a `github` context like a scheduled run's in
// DemoRepository, with DummyToken as github.token.
func GitHubContextForTest() *Context {
	return &Context{GitHub: map[string]string{
		"token":            DummyToken,
		"repository":       DemoRepository,
		"repository_owner": "sparesparrow",
		"event_name":       "schedule",
		"ref":              "refs/heads/main",
		"ref_name":         "main",
		"sha":              "0000000000000000000000000000000000000000",
		"run_id":           "1",
		"run_number":       "1",
		"run_attempt":      "1",
		"actor":            "github-actions[bot]",
		"workflow":         "containertest",
		"job":              "containertest",
		"server_url":       "https://github.com",
		"workspace":        "/github/workspace",
		"action":           "containertest",
	}}
}
