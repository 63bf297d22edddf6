package runner_test

import (
	"context"
	"fmt"
	"os"

	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// A main.go composes its Spec from the shared inputs and its own, and hands
// the work to Main (here Execute, to show the output).
func ExampleExecute() {
	spec := runner.Spec{
		Name: "action-example", Version: "1.0.0",
		Inputs: []runner.Input{
			runner.TokenInput(), runner.OwnerInput(), runner.DryRunInput(),
			{Name: "repositories", Kind: runner.Repos, Env: "DOMAINS", Usage: "repositories to check"},
			{Name: "days_until_stale", Kind: runner.Days, Default: "30", Env: "DAYS_UNTIL_STALE"},
		},
	}
	env := map[string]string{"GITHUB_REPOSITORY": "sparesparrow/ecosystem", "DOMAINS": "mcp-servers,octo-org/tools"}
	code := runner.Execute(context.Background(), spec, func(ctx context.Context, r *runner.Run) error {
		defer r.Group("Plan")()
		for _, repo := range r.Repos("repositories") {
			r.Infof("would check %s (stale after %v, dry run %v)", repo, r.Days("days_until_stale"), r.Bool("dry_run"))
		}
		r.Warningf(runner.Annotation{Title: "Untrusted"}, "PR title: %s", "\n::add-mask::x")
		return r.SetOutput("count", "2")
	},
		runner.WithArgs([]string{"--days-until-stale", "0.5", "--dry-run"}),
		runner.WithGetenv(func(k string) string { return env[k] }),
		runner.WithStdout(os.Stdout))
	fmt.Println("exit", code)

	code = runner.Execute(context.Background(), spec, nil,
		runner.WithArgs([]string{"--days-until-stale", "soon"}), runner.WithStdout(os.Stdout))
	fmt.Println("exit", code)
	// Output:
	// ::group::Plan
	// would check sparesparrow/mcp-servers (stale after 12h0m0s, dry run true)
	// would check octo-org/tools (stale after 12h0m0s, dry run true)
	// ::warning title=Untrusted::PR title: %0A::add-mask::[redacted: masked value]
	// output count=2
	// ::endgroup::
	// exit 0
	// ::error title=Invalid input::input days_until_stale value "soon" from --days-until-stale is not a number of days; allowed: a non-negative number of days, e.g. 7 or 0.5
	// exit 2
}
