// Command demo runs the whole chain of actions on the example ecosystem,
// through the GitHub API emulator started in this process: no token, no
// network. It is what `make demo` runs after `make build`.
//
// Each step of containertest.DemoChain runs bin/action-<name> as a process
// the way the runner runs a step: INPUT_* for every declared input (defaults
// evaluated, `${{ steps.<id>.outputs.<name> }}` from earlier steps),
// GITHUB_API_URL pointing at the emulator, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY as files under the reports directory, parsed with the
// runner's rules after the step. A step that fails stops the chain; a step
// whose action or binary is missing is skipped with a message saying what to
// do, and the demo exits non-zero at the end. The demo also fails when the
// alert step, run again on the same reports, writes anything, or when the
// dashboard (pages_content/index.html) does not show the fixer's root
// causes.
//
// Usage: go run ./.ci/demo [-bin bin] [-fixture testdata/ecosystem/ecosystem.yaml] [-out reports]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

type options struct {
	bin, fixture, out, repo string
}

func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.bin, "bin", "bin", "directory holding the action-<name> binaries (make build)")
	fs.StringVar(&o.fixture, "fixture", "testdata/ecosystem/ecosystem.yaml", "emulator fixture: the ecosystem to run on")
	fs.StringVar(&o.out, "out", "reports", "directory for the reports, outputs and job summaries")
	fs.StringVar(&o.repo, "repo", containertest.DemoRepository, "GITHUB_REPOSITORY the steps run in")
	if err := fs.Parse(args); err != nil {
		return err
	}

	f, err := emulator.LoadFixture(o.fixture)
	if err != nil {
		return fmt.Errorf("failed to load the fixture: %w", err)
	}
	srv, err := emulator.NewChecked(f, emulator.Options{})
	if err != nil {
		return fmt.Errorf("failed to start the emulator: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("failed to listen on 127.0.0.1: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	srv.SetURL("http://" + ln.Addr().String())
	fmt.Fprintf(stdout, "emulator: %s serving %s (state: %s/_emulator/state)\n", srv.URL(), o.fixture, srv.URL())

	requestsSince = func(n int) []emulator.LoggedRequest { return srv.Requests()[n:] }
	before := srv.State()
	results, runErr := runChain(ctx, o, srv.URL(), stdout, stderr, func() int { return len(srv.Requests()) })
	after := srv.State()
	if err := writeArtifacts(o.out, srv, results); err != nil {
		return errors.Join(runErr, err)
	}
	printSummary(stdout, o.out, results, before, after, srv.Requests())
	if runErr != nil {
		return runErr
	}
	return checkDashboard(stdout, o.out, results)
}

// checkDashboard checks what the README tells users to open,
// <out>/pages_content/index.html: every failure group the fixer found a
// root cause for shows it (the chain's last step re-renders the pages with
// the fixer's report).
func checkDashboard(w io.Writer, out string, results []stepResult) error {
	var fixerReport string
	for _, r := range results {
		if r.Action == "action-fixer" {
			fixerReport = r.Outputs["report_path"]
		}
	}
	if fixerReport == "" {
		return errors.New("dashboard: the fixer step left no report_path, nothing to check the page against")
	}
	raw, err := os.ReadFile(fixerReport)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	doc, err := contract.Decode(raw, fixerReport)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	if doc.Failure == nil {
		return fmt.Errorf("dashboard: %s is a %s report, not the fixer's", fixerReport, doc.Kind)
	}
	index := filepath.Join(out, "pages_content", "index.html")
	page, err := os.ReadFile(index)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	shown, err := containertest.FixerCausesShown(page, doc.Failure)
	if err != nil {
		return fmt.Errorf("dashboard %s: %w", index, err)
	}
	fmt.Fprintf(w, "\n== dashboard: %s shows the fixer's root cause for %d failure groups (of %d)\n", index, len(shown), len(containertest.PageGroups(page)))
	return nil
}

// stepResult is what one step left behind.
type stepResult struct {
	ID       string            `json:"id"`
	Action   string            `json:"action"`
	Outputs  map[string]string `json:"outputs"`
	Summary  string            `json:"summary_file"`
	Output   string            `json:"output_file"`
	Duration string            `json:"duration"`
}

// runChain runs the demo chain. After it, the alert step runs once more as
// the next scheduled run would (another GITHUB_RUN_ID, the same reports):
// it must write nothing, and the demo fails when it does. requests counts
// the emulator's requests so far.
func runChain(ctx context.Context, o options, apiURL string, stdout, stderr io.Writer, requests func() int) ([]stepResult, error) {
	root, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	gh := containertest.GitHubContextForTest()
	gh.GitHub["repository"] = o.repo
	gh.GitHub["repository_owner"], _, _ = strings.Cut(o.repo, "/")
	gh.GitHub["workspace"] = root
	gh.GitHub["workflow"] = "demo"
	gh.GitHub["job"] = "demo"
	gh.Steps = map[string]map[string]string{}
	gh.Env = map[string]string{"REPORTS": o.out}

	// The per-step file-command files of an earlier demo are stale: start
	// afresh (reports themselves, like history.json, are kept, as a workflow
	// carries them between runs).
	runner := filepath.Join(o.out, "runner")
	if err := os.RemoveAll(runner); err != nil {
		return nil, fmt.Errorf("failed to clear %s: %w", runner, err)
	}
	paths := containertest.Paths{
		Workspace:    root,
		FileCommands: filepath.Join(runner, "_runner_file_commands"),
		Temp:         runner,
		Home:         filepath.Join(runner, "_github_home"),
		Workflow:     filepath.Join(runner, "_github_workflow"),
	}
	for _, d := range []string{paths.Home, paths.Workflow} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("failed to create %s: %w", d, err)
		}
	}
	if err := os.WriteFile(filepath.Join(paths.Workflow, "event.json"), []byte(`{"schedule":"0 */4 * * *"}`+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("failed to write the event payload: %w", err)
	}

	var results []stepResult
	var missing []error
	for _, step := range containertest.DemoChain() {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		res, err := runStep(ctx, o, step, gh, apiURL, paths, stdout, stderr)
		var me *missingError
		if errors.As(err, &me) {
			// Later steps may not need it: go on, and fail at the end.
			fmt.Fprintf(stderr, "\n!!! step %s SKIPPED: %v\n", step.ID, err)
			missing = append(missing, fmt.Errorf("step %s: %w", step.ID, err))
			continue
		}
		if err != nil {
			return results, errors.Join(append(missing, fmt.Errorf("step %s: %w", step.ID, err))...)
		}
		gh.Steps[step.ID] = res.Outputs
		results = append(results, res)
	}
	if err := alertAgain(ctx, o, gh, apiURL, paths, stdout, stderr, requests); err != nil {
		missing = append(missing, err)
	}
	return results, errors.Join(missing...)
}

// alertAgain runs the chain's alert step again with the next run id and
// reports how many writes it made (0 when nothing changed).
func alertAgain(ctx context.Context, o options, gh *containertest.Context, apiURL string, paths containertest.Paths, stdout, stderr io.Writer, requests func() int) error {
	var step containertest.Step
	for _, s := range containertest.DemoChain() {
		if s.Action == "alert" {
			step = s
		}
	}
	if step.ID == "" || gh.Steps[step.ID] == nil {
		return nil
	}
	step.ID = step.ID + "-again"
	with := map[string]string{}
	for k, v := range step.With {
		with[k] = v
	}
	with["output_dir"] = "${{ env.REPORTS }}/alert-again" // keep the first run's alert_results.json
	step.With = with
	gh.GitHub["run_id"] = "2"
	defer func() { gh.GitHub["run_id"] = "1" }()
	before := requests()
	fmt.Fprintf(stdout, "\n==> the alert step again, as the next scheduled run (run id 2, the same reports)\n")
	if _, err := runStep(ctx, o, step, gh, apiURL, paths, stdout, stderr); err != nil {
		return fmt.Errorf("step %s: %w", step.ID, err)
	}
	againWrites = 0
	for _, r := range requestsSince(before) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			againWrites++
		}
	}
	fmt.Fprintf(stdout, "<== step %s: %d writes\n", step.ID, againWrites)
	if againWrites != 0 {
		return fmt.Errorf("step %s: the same reports again made %d writes, want 0", step.ID, againWrites)
	}
	return nil
}

// againWrites is what the second alert run wrote (printed in the summary).
var againWrites = -1

// requestsSince is set by realMain: the emulator's requests after the n-th.
var requestsSince = func(int) []emulator.LoggedRequest { return nil }

// missingError is a step whose action or binary does not exist yet.
type missingError struct{ msg string }

func (e *missingError) Error() string { return e.msg }

func runStep(ctx context.Context, o options, step containertest.Step, gh *containertest.Context, apiURL string, paths containertest.Paths, stdout, stderr io.Writer) (stepResult, error) {
	res := stepResult{ID: step.ID, Action: "action-" + step.Action}
	dir := "action-" + step.Action
	a, err := containertest.LoadAction(dir)
	if errors.Is(err, os.ErrNotExist) {
		return res, &missingError{fmt.Sprintf("%s/action.yml not found: action-%s is not written yet", dir, step.Action)}
	}
	if err != nil {
		return res, err
	}
	bin := filepath.Join(o.bin, "action-"+step.Action)
	if _, err := os.Stat(bin); err != nil {
		return res, &missingError{fmt.Sprintf("%s not found: run `make build` first (it builds every action-*/main.go)", bin)}
	}

	inputs, unknown, err := a.InputEnv(step.With, gh)
	if err != nil {
		return res, err
	}
	fc, err := containertest.NewFileCommands(filepath.Join(paths.FileCommands, step.ID))
	if err != nil {
		return res, err
	}
	p := paths
	p.FileCommands = fc.Dir
	gh.GitHub["action"] = step.ID
	env := append(baseEnv(), containertest.StepEnv(gh, apiURL, p, fc)...)
	env = append(env, inputs...)

	fmt.Fprintf(stdout, "\n==> step %s: %s\n", step.ID, bin)
	if len(unknown) > 0 {
		fmt.Fprintf(stdout, "warning: step %s sets inputs %s does not declare: %s\n", step.ID, dir, strings.Join(unknown, ", "))
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	runErr := cmd.Run()
	res.Duration = time.Since(start).Round(time.Millisecond).String()
	res.Output = filepath.Join(fc.Dir, fc.Output)
	res.Summary = filepath.Join(fc.Dir, fc.StepSummary)
	if runErr != nil {
		return res, fmt.Errorf("%s failed after %s: %w (its job summary: %s)", bin, res.Duration, runErr, res.Summary)
	}
	outs, err := fc.ReadOutputs()
	if err != nil {
		return res, fmt.Errorf("the runner would fail this step: %w", err)
	}
	res.Outputs = outs
	fmt.Fprintf(stdout, "<== step %s: ok in %s, outputs: %s\n", step.ID, res.Duration, strings.Join(sortedKeys(outs), ", "))
	return res, nil
}

// baseEnv is this process's environment without anything that belongs to a
// real workflow run or could carry a real token: the demo never reaches
// GitHub, whatever the caller's shell holds.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "GITHUB_"), strings.HasPrefix(k, "INPUT_"), strings.HasPrefix(k, "RUNNER_"),
			strings.HasPrefix(k, "ACTIONS_"), k == "GH_TOKEN", k == "GH_ENTERPRISE_TOKEN", k == "CI":
			continue
		}
		env = append(env, kv)
	}
	return env
}

func writeArtifacts(out string, srv *emulator.Server, results []stepResult) error {
	var summary strings.Builder
	for _, r := range results {
		data, err := os.ReadFile(r.Summary)
		if err != nil {
			continue
		}
		fmt.Fprintf(&summary, "<!-- step %s (%s) -->\n%s\n", r.ID, r.Action, data)
	}
	return errors.Join(
		report.WriteJSON(filepath.Join(out, "demo_steps.json"), results),
		report.WriteFile(filepath.Join(out, "demo_summary.md"), []byte(summary.String())),
		report.WriteJSON(filepath.Join(out, "emulator_state.json"), srv.State()),
		report.WriteJSON(filepath.Join(out, "emulator_requests.json"), srv.Requests()),
	)
}

func printSummary(w io.Writer, out string, results []stepResult, before, after emulator.State, reqs []emulator.LoggedRequest) {
	fmt.Fprintf(w, "\n== demo: %d step(s) ran\n", len(results))
	for _, r := range results {
		fmt.Fprintf(w, "  %-8s %-15s %8s  outputs: %s\n", r.ID, r.Action, r.Duration, strings.Join(sortedKeys(r.Outputs), ", "))
	}

	byMethod := map[string]int{}
	for _, r := range reqs {
		byMethod[r.Method]++
	}
	var methods []string
	for _, m := range sortedKeys(byMethod) {
		methods = append(methods, fmt.Sprintf("%s %d", m, byMethod[m]))
	}
	fmt.Fprintf(w, "\n== emulator: %d API requests (%s)\n", len(reqs), strings.Join(methods, ", "))

	old := map[string]map[int]emulator.Issue{}
	for _, r := range before.Repositories {
		old[r.FullName] = map[int]emulator.Issue{}
		for _, is := range r.Issues {
			old[r.FullName][is.Number] = is
		}
	}
	created, changed := 0, 0
	for _, r := range after.Repositories {
		for _, is := range r.Issues {
			prev, existed := old[r.FullName][is.Number]
			switch {
			case !existed:
				created++
				fmt.Fprintf(w, "  issue created: %s#%d %q (%s)\n", r.FullName, is.Number, is.Title, is.State)
			case prev.State != is.State || len(prev.Comments) != len(is.Comments) || prev.Body != is.Body:
				changed++
				fmt.Fprintf(w, "  issue updated: %s#%d %q (%s, %d comments)\n", r.FullName, is.Number, is.Title, is.State, len(is.Comments))
			}
		}
	}
	fmt.Fprintf(w, "  issues created: %d, issues updated: %d\n", created, changed)
	if againWrites >= 0 {
		fmt.Fprintf(w, "  the alert step again on the same reports (run id 2): %d writes\n", againWrites)
	}
	// Dispatches grouped by kind and event (or workflow): one line each.
	groups := map[string]map[string]int{}
	for _, d := range after.Dispatches[min(len(before.Dispatches), len(after.Dispatches)):] {
		what := d.Kind + " " + d.EventType
		if d.Kind == "workflow_dispatch" {
			what = d.Kind + " " + d.Workflow
		}
		if groups[what] == nil {
			groups[what] = map[string]int{}
		}
		groups[what][d.Repo]++
	}
	for _, what := range sortedKeys(groups) {
		var targets []string
		total := 0
		for _, repo := range sortedKeys(groups[what]) {
			targets = append(targets, fmt.Sprintf("%s ×%d", repo, groups[what][repo]))
			total += groups[what][repo]
		}
		fmt.Fprintf(w, "  dispatch: %s: %d to %s\n", what, total, strings.Join(targets, ", "))
	}
	fmt.Fprintf(w, "  dispatches: %d, ref changes: %d\n", len(after.Dispatches)-len(before.Dispatches), len(after.RefChanges)-len(before.RefChanges))

	fmt.Fprintf(w, "\n== reports in %s/:\n", out)
	var files []string
	_ = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == "runner" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	for _, f := range files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	fmt.Fprintf(w, "  (step outputs and job summaries: %s/demo_steps.json, %s/demo_summary.md)\n", out, out)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
