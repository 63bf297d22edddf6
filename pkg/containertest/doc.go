// Package containertest reproduces the GitHub Actions runner's contract for a
// Docker container action, so that the actions in this repository can be run
// exactly as a runner would run them: in the image (the container tests, build
// tag e2e) or as a local process (the demo driver in .ci/demo).
//
// It covers what the runner does around a step (see
// /work/shared/github-api/NOTES.md §8 and actions/runner's
// ContainerActionHandler.cs and FileCommandManager.cs):
//   - reading an action's action.yml ([LoadAction], [FindActions]);
//   - turning a step's `with:` and the declared defaults into INPUT_<NAME>
//     variables, with hyphens kept and `${{ github.* }}` /
//     `${{ steps.<id>.outputs.<name> }}` evaluated ([Action.InputEnv]);
//   - creating the per-step file-command files with their GUID names
//     ([NewFileCommands]);
//   - parsing GITHUB_OUTPUT with the runner's NAME=VALUE and heredoc rules
//     ([ParseFileCommand]).
package containertest
