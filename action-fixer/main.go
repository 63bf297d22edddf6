// Command action-fixer runs action-fixer (see README.md); its code is in
// the importable package entry, which the image's multi-call binary
// (.ci/multicall) runs too.
package main

import (
	"os"

	"github.com/sparesparrow/ecosystem-actions/action-fixer/entry"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

func main() { os.Exit(runner.Main(entry.Spec(), entry.Run)) }
