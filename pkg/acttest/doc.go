// Package acttest checks the repository's workflows and release tooling as
// a maintainer would run them:
//
//   - the release pinning script (.ci/release/pin-image.sh) on a copy of the
//     action.yml files (always runs; needs bash);
//   - the workflows end to end with a real runner, nektos/act in self-hosted
//     mode, against the GitHub API emulator on 127.0.0.1 (runs with
//     ACT_E2E=1; .ci/e2e-act.sh installs act and runs it).
//
// Third-party actions cannot be downloaded offline, so the end-to-end test
// maps each one the workflows use onto a small local stand-in under
// testdata/act/ with act's --local-repository flag (StandIns lists them).
// The four actions of this repository are never stood in: they run from
// the checkout, built from the root Dockerfile.
package acttest
