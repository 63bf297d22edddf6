#!/usr/bin/env bash
# builder-image.sh makes the local Go builder image that the root Dockerfile
# builds with (docker build --build-arg GO_IMAGE=...), without pulling anything.
#
# No registry image can be pulled on this machine kind, so the image is made
# with `docker import` from a tar of:
#   - the host's Go toolchain (/usr/local/go, its test/ and api/ trees left out),
#   - the host's CA bundle (the go tool reaches the module proxy over TLS),
#   - /bin/sh (the host's dash plus the two libraries it links), so the
#     Dockerfile's shell-form RUN lines work exactly as in golang:*-bookworm,
#   - an empty /tmp (1777) and /root (HOME, GOCACHE, GOPATH),
#   - a warm build cache: the standard library compiled as the Dockerfile
#     compiles it (CGO_ENABLED=0, -trimpath), so an image build compiles only
#     the dependencies and this module (docker commit of a `go build std`).
#
# Idempotent: when the tag exists and its label names the same Go version, it
# does nothing. FORCE=1 rebuilds. Prints the image reference on stdout.
#
# Usage: .ci/builder-image.sh [image-ref]
#   default image-ref: ecosystem-actions/go-builder:<go version without "go">
set -euo pipefail

goroot="${GOROOT_HOST:-$(go env GOROOT)}"
gover="$("$goroot/bin/go" env GOVERSION)" # e.g. go1.26.8
ref="${1:-ecosystem-actions/go-builder:${gover#go}}"
label="org.sparesparrow.ecosystem-actions.go-builder"
# recipe changes whenever this script makes a different image.
recipe="$gover/warm-std-1"

# One maker at a time: concurrent callers wait, then find the image made.
exec 9>"${TMPDIR:-/tmp}/ecosystem-actions-builder-image.lock"
flock 9

if [[ "${FORCE:-0}" != "1" ]] &&
	have="$(docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$ref" 2>/dev/null)" &&
	[[ "$have" == "$recipe" ]]; then
	echo "builder image $ref is up to date ($recipe)" >&2
	echo "$ref"
	exit 0
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"; docker rm -f "${warm:-}" >/dev/null 2>&1 || true' EXIT

mkdir -p "$stage"/{bin,tmp,root,etc/ssl/certs,usr/local,lib/x86_64-linux-gnu,lib64}
chmod 1777 "$stage/tmp"
cp -L /etc/ssl/certs/ca-certificates.crt "$stage/etc/ssl/certs/"
cp -L /bin/dash "$stage/bin/dash"
ln -s dash "$stage/bin/sh"
# dash's runtime: the dynamic loader at its fixed path and libc.
for lib in $(ldd /bin/dash | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }'); do
	case "$lib" in
	/lib64/* | /usr/lib64/*) cp -L "$lib" "$stage/lib64/" ;;
	*) cp -L "$lib" "$stage/lib/x86_64-linux-gnu/" ;;
	esac
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\n' >"$stage/etc/group"

cold="$ref-cold-$$"
warm="ecosystem-actions-builder-warm-$$"
echo "importing $goroot ($gover) as $ref ..." >&2
tar -c -f - --owner=0 --group=0 \
	-C "$stage" . \
	--anchored --exclude='go/test' --exclude='go/api' --exclude='go/doc' \
	-C "$(dirname "$goroot")" --transform "s,^$(basename "$goroot"),usr/local/go," "$(basename "$goroot")" |
	docker import \
		--change 'ENV PATH=/usr/local/go/bin:/root/go/bin:/bin' \
		--change 'ENV HOME=/root' \
		--change 'ENV GOPATH=/root/go' \
		--change 'ENV GOTOOLCHAIN=local' \
		--change 'ENV CGO_ENABLED=0' \
		--change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
		--change "LABEL $label=$recipe" \
		--change 'CMD ["go", "version"]' \
		- "$cold" >/dev/null

echo "compiling the standard library into the image's build cache ..." >&2
docker rm -f "$warm" >/dev/null 2>&1 || true
docker run --name "$warm" --network none "$cold" go build -trimpath std >&2
docker commit --change 'CMD ["go", "version"]' "$warm" "$ref" >/dev/null
docker rm "$warm" >/dev/null
docker rmi "$cold" >/dev/null || echo "warning: could not remove $cold" >&2

docker run --rm --network none "$ref" go version >&2
echo "$ref"
