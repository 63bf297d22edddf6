#!/usr/bin/env bash
# build-image.sh builds the release image from the root Dockerfile with the
# Go builder pinned by digest, pushes it and prints its digest: the release
# workflow's image job (.github/workflows/release.yml) runs it.
#
#   GO_IMAGE     the builder; default: the Dockerfile's `ARG GO_IMAGE=` default.
#                It must be pinned by digest (…@sha256:<64 hex>): a tag can be
#                moved to another image between two builds of one release.
#   NETWORK      docker build --network (default: default).
#   DOCKER       the docker client (default: docker).
#
# Writes image=NAME and digest=sha256:… to $GITHUB_OUTPUT when it is set,
# else to stdout.
#
# Usage: .ci/release/build-image.sh NAME VERSION [REVISION]
#   NAME      registry/owner/name, lower case (e.g. ghcr.io/sparesparrow/ecosystem-actions)
#   VERSION   the release tag (vMAJOR.MINOR.PATCH), stamped into the binaries
#   REVISION  the source commit (label org.opencontainers.image.revision)
# Exit codes: 0 pushed, 1 a step failed, 2 usage or an unpinned builder.
set -euo pipefail

usage() {
	echo "usage: $0 NAME VERSION [REVISION]" >&2
	exit 2
}
[[ $# -ge 2 && $# -le 3 ]] || usage
name="$1" version="$2" revision="${3:-}"
docker="${DOCKER:-docker}"
root="$(cd "$(dirname "$0")/../.." && pwd)"

if ! [[ "$name" =~ ^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+$ ]]; then
	echo "build-image: invalid NAME \"$name\": want registry/owner/name in lower case, without tag or digest" >&2
	exit 2
fi
if ! [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "build-image: invalid VERSION \"$version\": want vMAJOR.MINOR.PATCH" >&2
	exit 2
fi

# pinned_builder prints the Dockerfile's default GO_IMAGE.
pinned_builder() {
	sed -n 's/^ARG GO_IMAGE=\(.*\)$/\1/p' "$root/Dockerfile" | head -n 1
}
go_image="${GO_IMAGE:-$(pinned_builder)}"
if ! [[ "$go_image" =~ @sha256:[0-9a-f]{64}$ ]]; then
	echo "build-image: the Go builder \"$go_image\" is not pinned by digest (want image@sha256:<64 hex>; set it in the Dockerfile's ARG GO_IMAGE or in GO_IMAGE)" >&2
	exit 2
fi
echo "build-image: builder $go_image" >&2

"$docker" build --pull --network "${NETWORK:-default}" \
	--build-arg GO_IMAGE="$go_image" \
	--build-arg VERSION="$version" \
	${revision:+--label "org.opencontainers.image.revision=$revision"} \
	--label "org.opencontainers.image.base.name=$go_image" \
	-t "$name:$version" "$root" >&2
"$docker" push "$name:$version" >&2
ref="$("$docker" image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$name:$version" | grep -m1 "^$name@sha256:" || true)"
if [[ -z "$ref" ]]; then
	echo "build-image: no digest of $name after the push" >&2
	exit 1
fi
digest="${ref#*@}"
size="$("$docker" image inspect --format '{{.Size}}' "$name:$version")"
echo "build-image: pushed $ref ($size bytes)" >&2
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
	printf '### Image\n`%s` (%s bytes), built with `%s`\n' "$ref" "$size" "$go_image" >>"$GITHUB_STEP_SUMMARY"
fi
out="${GITHUB_OUTPUT:-/dev/stdout}"
{
	echo "image=$name"
	echo "digest=$digest"
	echo "size=$size"
} >>"$out"
