package containertest

import (
	"path/filepath"
	"sort"
	"strings"
)

// Step is one step of a chain of this repository's actions, as a workflow
// would write it: `- id: <ID>  uses: ./action-<Action>  with: <With>`.
// With values may refer to earlier steps' outputs with
// `${{ steps.<id>.outputs.<name> }}`.
type Step struct {
	ID     string
	Action string // "monitor" for ./action-monitor
	With   map[string]string
}

// DemoDomains are the four domains of the example ecosystem
// (testdata/ecosystem), as bare names of owner sparesparrow.
const DemoDomains = "openssl-tools,openssl-conan-base,openssl-fips-policy,mcp-project-orchestrator"

// DemoChain is the chain `make demo` and the container tests run on the
// example ecosystem: the monitor reads the four domains and its report feeds
// the fixer; the stale action plans only (dry run); the alert action turns
// the reports into issues and repository_dispatch events for real, against
// the emulator; last, the monitor re-renders its pages from its report and
// the fixer's, with no API call, so that the dashboard
// (`${{ env.REPORTS }}/pages_content/index.html`) shows the fixer's root
// causes, as the pages job of monitor-ecosystem.yml does.
// `${{ env.REPORTS }}` is the reports directory.
//
// Inputs an action does not declare are still passed (the runner warns and
// does the same), so a renamed input shows up as a warning, not silence.
func DemoChain() []Step {
	return []Step{
		{ID: "monitor", Action: "monitor", With: map[string]string{
			"domains":      DemoDomains,
			"owner":        "sparesparrow",
			"output_dir":   "${{ env.REPORTS }}",
			"history_file": "${{ env.REPORTS }}/history.json",
		}},
		{ID: "fixer", Action: "fixer", With: map[string]string{
			"report":     "${{ steps.monitor.outputs.report_path }}",
			"output_dir": "${{ env.REPORTS }}",
		}},
		{ID: "stale", Action: "stale", With: map[string]string{
			"repositories": DemoDomains,
			"owner":        "sparesparrow",
			"dry_run":      "true",
			"output_dir":   "${{ env.REPORTS }}",
		}},
		{ID: "alert", Action: "alert", With: map[string]string{
			"reports":          "${{ steps.monitor.outputs.report_path }}\n${{ steps.fixer.outputs.report_path }}\n${{ env.REPORTS }}/stale_analysis.json",
			"channels":         "issue,repository_dispatch",
			"dispatch_targets": DemoDomains,
			"owner":            "sparesparrow",
			"dry_run":          "false",
			"output_dir":       "${{ env.REPORTS }}",
		}},
		{ID: "pages", Action: "monitor", With: map[string]string{
			"merge_reports": "${{ steps.monitor.outputs.report_path }}",
			"fixer_report":  "${{ steps.fixer.outputs.report_path }}",
			"history_file":  "${{ env.REPORTS }}/history.json",
			"output_dir":    "${{ env.REPORTS }}",
		}},
	}
}

// Paths are where a step sees the runner's directories: the host paths for
// a process, the mount points (ContainerPaths) in a container.
type Paths struct {
	Workspace    string
	FileCommands string
	Temp         string
	Home         string
	Workflow     string // holds event.json
}

// ContainerPaths are the runner's mount points (NOTES §8.1–8.3).
var ContainerPaths = Paths{
	Workspace:    "/github/workspace",
	FileCommands: ContainerDir,
	Temp:         "/github/runner_temp",
	Home:         "/github/home",
	Workflow:     "/github/workflow",
}

// StepEnv is the environment the runner gives a step besides its inputs:
// the allowlisted GITHUB_* variables from ctx.GitHub (GITHUB_TOKEN is never
// among them), GITHUB_API_URL=apiURL, the file commands, RUNNER_* and
// GITHUB_ACTIONS/CI. Sorted by name.
func StepEnv(ctx *Context, apiURL string, p Paths, fc *FileCommands) []string {
	env := map[string]string{
		"GITHUB_ACTIONS":        "true",
		"CI":                    "true",
		"HOME":                  p.Home,
		"GITHUB_API_URL":        strings.TrimSuffix(apiURL, "/"),
		"GITHUB_GRAPHQL_URL":    strings.TrimSuffix(apiURL, "/") + "/graphql",
		"GITHUB_WORKSPACE":      p.Workspace,
		"GITHUB_EVENT_PATH":     filepath.Join(p.Workflow, "event.json"),
		"RUNNER_TEMP":           p.Temp,
		"RUNNER_OS":             "Linux",
		"RUNNER_ARCH":           "X64",
		"RUNNER_NAME":           "containertest",
		"RUNNER_ENVIRONMENT":    "self-hosted",
		"RUNNER_TOOL_CACHE":     filepath.Join(p.Temp, "toolcache"),
		"GITHUB_RETENTION_DAYS": "90",
	}
	for _, k := range []string{"action", "actor", "event_name", "job", "ref", "ref_name", "repository",
		"repository_owner", "run_attempt", "run_id", "run_number", "server_url", "sha", "workflow"} {
		if v, ok := ctx.GitHub[k]; ok {
			env["GITHUB_"+strings.ToUpper(k)] = v
		}
	}
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	if fc != nil {
		out = append(out, fc.Vars(p.FileCommands)...)
	}
	sort.Strings(out)
	return out
}

// DockerRunArgs is the `docker run` command line the runner uses for a
// container action step (ContainerActionHandler.cs), with the variables
// passed by name (-e KEY) as the runner does: the caller must put env into
// the docker process's environment. mounts maps host paths to container
// paths; network is "host" to reach an emulator on 127.0.0.1.
func DockerRunArgs(image string, a *Action, env []string, mounts map[string]string, network string, args ...string) []string {
	out := []string{"run", "--rm", "--workdir", ContainerPaths.Workspace}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		out = append(out, "-e", k)
	}
	if a != nil && a.Runs.Entrypoint != "" {
		out = append(out, "--entrypoint", a.Runs.Entrypoint)
	}
	if network != "" {
		out = append(out, "--network", network)
	}
	hosts := make([]string, 0, len(mounts))
	for h := range mounts {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		out = append(out, "-v", h+":"+mounts[h])
	}
	out = append(out, image)
	return append(out, args...)
}
