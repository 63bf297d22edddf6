#!/usr/bin/env bash
# e2e-act.sh runs every workflow of .github/workflows end to end with a real
# runner: nektos/act (pinned) in self-hosted mode against the GitHub API
# emulator on 127.0.0.1, the container actions from the image built from the
# root Dockerfile, the third-party actions replaced by the stand-ins under
# testdata/act (pkg/acttest), the reusable workflows called from the callers
# under testdata/act/callers, release.yml against a local registry. No
# network besides the Go module proxy (to install act).
#
# Installs act with `go install` when the pinned version is missing (and jq,
# which the workflows' run steps use, from Debian when missing and root),
# builds the image with `make image` unless ECOSYSTEM_ACTIONS_IMAGE names
# one, then runs `go test ./pkg/acttest -run '^TestAct'` with ACT_E2E=1 (with
# CI=true a missing act or Docker engine fails the tests instead of skipping
# them). ACT_E2E_KEEP=DIR keeps each scenario's act logs under DIR.
#
# Usage: .ci/e2e-act.sh [go test flags...]
set -euo pipefail
cd "$(dirname "$0")/.."

ACT_VERSION="${ACT_VERSION:-v0.2.89}"
gobin="$(go env GOBIN)"
gobin="${gobin:-$(go env GOPATH)/bin}"
act="$gobin/act"
if ! "$act" --version 2>/dev/null | grep -qF "${ACT_VERSION#v}"; then
	echo "e2e-act: go install github.com/nektos/act@$ACT_VERSION" >&2
	go install "github.com/nektos/act@$ACT_VERSION"
fi
echo "e2e-act: $("$act" --version)" >&2

# The run steps use jq, curl and git; the node stand-ins use node.
for tool in jq curl git node; do
	if command -v "$tool" >/dev/null; then continue; fi
	pkg="$tool"
	[[ "$tool" == node ]] && pkg=nodejs
	if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
		echo "e2e-act: installing $pkg (Debian)" >&2
		apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$pkg" >&2 ||
			{ apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$pkg" >&2; }
	else
		echo "e2e-act: $tool is missing (the workflows' steps need it)" >&2
		exit 1
	fi
done

image="${ECOSYSTEM_ACTIONS_IMAGE:-}"
if [[ -z "$image" ]]; then
	image="ecosystem-actions:act"
	make --no-print-directory image IMAGE="$image"
fi

ACT="$act" ACT_E2E=1 ECOSYSTEM_ACTIONS_IMAGE="$image" BUILDER_IMAGE="${BUILDER_IMAGE:-}" \
	go test -count=1 -v -timeout 30m -run "^TestAct" ./pkg/acttest/ "$@"
