// Package acttest checks the repository's workflows and release tooling as
// a maintainer would run them:
//
//   - statically, always: every third-party action pinned by SHA with its
//     release in a comment and stood in, every job's permissions declared
//     and granting what its actions need, actionlint (the Makefile's
//     version) clean over the workflows, the callers and README.md's
//     example, and every shipped workflow run by an act test;
//   - the release pinning script (.ci/release/pin-image.sh) on copies of
//     the action.yml files (needs bash);
//   - end to end with a real runner, nektos/act in self-hosted mode, against
//     the GitHub API emulator on 127.0.0.1 (ACT_E2E=1; .ci/e2e-act.sh
//     installs act and runs them): every workflow of .github/workflows, the
//     reusable ones called from the callers in testdata/act/callers,
//     release.yml against a local registry and a local git remote,
//     then README.md's usage example on the release it made. The workflows
//     mint GitHub App installation tokens from the emulator's App, as the
//     documented setup does, and the tests check what each run left there.
//
// Third-party actions cannot be downloaded offline, so the end-to-end tests
// map each one the workflows use onto a local stand-in under testdata/act/
// with act's --local-repository flag (StandIns lists them); the stand-ins
// run the program in cmd/standin. The four actions of this repository are
// never stood in: they run from the image built from the root Dockerfile.
package acttest
