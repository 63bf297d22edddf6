// Command multicall is the image's one binary, /ecosystem-actions: it runs
// the action named by the base name of argv[0] (/action-<name> is a symlink
// to it, the entrypoint each action.yml names), or by its first argument
// (`ecosystem-actions monitor --help`).
//
// Four separate static binaries would each carry the Go runtime and
// go-github (about 7–12 MB apiece) and put the image over its 30 MB budget;
// like busybox, one binary serves all four. It imports each action's entry
// package (action-<name>/entry) — the same code action-<name>/main.go runs —
// so nothing is generated or rewritten. Each action's version is set with
// -X github.com/sparesparrow/ecosystem-actions/action-<name>/entry.version=...
// (see the Dockerfile); .ci/multicall/links makes the symlinks.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	alert "github.com/sparesparrow/ecosystem-actions/action-alert/entry"
	fixer "github.com/sparesparrow/ecosystem-actions/action-fixer/entry"
	monitor "github.com/sparesparrow/ecosystem-actions/action-monitor/entry"
	stale "github.com/sparesparrow/ecosystem-actions/action-stale/entry"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

// binaryName is the multi-call binary's file name.
const binaryName = "ecosystem-actions"

// action is one action's entry code.
type action struct {
	spec func() runner.Spec
	run  func(context.Context, *runner.Run) error
}

// actions maps each entrypoint name to its action.
var actions = map[string]action{
	"action-alert":   {alert.Spec, alert.Run},
	"action-fixer":   {fixer.Spec, fixer.Run},
	"action-monitor": {monitor.Spec, monitor.Run},
	"action-stale":   {stale.Spec, stale.Run},
}

func main() {
	name, args, err := pick(os.Args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", binaryName, err)
		os.Exit(runner.ExitBadInput)
	}
	os.Args = append([]string{name}, args...)
	a := actions[name]
	os.Exit(runner.Main(a.spec(), a.run))
}

// pick chooses the action from argv[0]'s base name, or from the first
// argument ("monitor" or "action-monitor"), and returns its arguments.
func pick(argv []string) (string, []string, error) {
	if len(argv) == 0 {
		return "", nil, fmt.Errorf("no program name")
	}
	name := filepath.Base(argv[0])
	if _, ok := actions[name]; ok {
		return name, argv[1:], nil
	}
	if len(argv) > 1 {
		arg := argv[1]
		if !strings.HasPrefix(arg, "action-") {
			arg = "action-" + arg
		}
		if _, ok := actions[arg]; ok {
			return arg, argv[2:], nil
		}
	}
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	return "", nil, fmt.Errorf("run as one of %s (a symlink name or the first argument), not %q", strings.Join(names, ", "), name)
}
