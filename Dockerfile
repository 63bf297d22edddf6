# One image for the four actions: each action.yml runs it with its own
# entrypoint (runs: {using: docker, image: ../Dockerfile, entrypoint: /action-<name>}).
#
# GO_IMAGE is the Go builder: the official image pinned by digest, so every
# build of a release compiles with the same toolchain and base (a tag can be
# moved). The release (.ci/release/build-image.sh, run by release.yml)
# refuses a builder that is not pinned by digest. The digest is the
# manifest list of golang:1.26.8-bookworm as docker-library/repo-info
# records it (repos/golang/remote/1.26.8-bookworm.md). To update: the new
# tag's manifest list digest from there (or `docker buildx imagetools
# inspect golang:<tag>`), here and in the Makefile's GO_VERSION.
# Where no registry can be reached (this repository's CI), `make image` passes
# a local builder made by .ci/builder-image.sh:
#   docker build --build-arg GO_IMAGE=ecosystem-actions/go-builder:1.26.8 .
# The build stage uses only `go` and /bin/sh builtins, so both builders work.
ARG GO_IMAGE=golang:1.26.8-bookworm@sha256:f4191582e1522dfc5980a6bdc0309a756f9697f3e7d0f199c7e26fc82ab324fd

FROM ${GO_IMAGE} AS build
# GOPROXY is passed by `make image` from `go env GOPROXY` when it is not the default.
ARG GOPROXY=https://proxy.golang.org,direct
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOPROXY=${GOPROXY}
WORKDIR /src
# Modules first: this layer stays cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
# Compile the heavy dependencies once (cached in this layer's GOCACHE), so a
# source change rebuilds only this module's packages. A warm-up only: if the
# list goes stale the real build below still builds everything.
RUN go build -trimpath github.com/google/go-github/v62/github github.com/sethvargo/go-githubactions gopkg.in/yaml.v3 \
    || echo "dependency warm-up skipped"
COPY . .
# Compile the actions' packages, the multi-call binary's and the links
# tool's once before VERSION is known, with the flags of the build below: a
# build of the same source with another VERSION (the release after CI's
# build) then only links. A warm-up only, like the one above.
RUN go build -trimpath ./action-... ./.ci/multicall && go build -o /dev/null ./.ci/multicall/links \
    || echo "module warm-up skipped"
ARG VERSION=dev
# ACTIONS lists the actions to build; all four by default. `make image`
# narrows it to the action-*/main.go present while the actions are written.
ARG ACTIONS="monitor fixer stale alert"
# One multi-call binary, /ecosystem-actions, with an /action-<name> symlink
# per action: four separate static binaries would each carry the runtime and
# go-github and put the image over 30 MB. .ci/multicall imports every
# action's entry package (action-<name>/entry, the code action-<name>/main.go
# runs; nothing is generated) and dispatches on argv[0]; the -X flags set
# each action's version; .ci/multicall/links makes the symlinks (the local
# builder has no ln).
RUN set -e; \
    if [ -z "$ACTIONS" ]; then echo "ACTIONS is empty" >&2; exit 1; fi; \
    M=github.com/sparesparrow/ecosystem-actions; X=""; \
    for a in $ACTIONS; do \
      if [ ! -f "action-$a/entry/entry.go" ]; then echo "action-$a/entry/entry.go not found (ACTIONS=$ACTIONS)" >&2; exit 1; fi; \
      X="$X -X $M/action-$a/entry.version=$VERSION"; \
    done; \
    go build -trimpath -ldflags "-s -w $X" -o /out/ecosystem-actions ./.ci/multicall; \
    go run ./.ci/multicall/links -dir /out -target ecosystem-actions $ACTIONS; \
    for a in $ACTIONS; do echo "built /action-$a -> /ecosystem-actions ($VERSION)"; done

# The static binary, its symlinks and the CA bundle, nothing else. No USER:
# container actions must run as the default user (root) to write the mounted
# workspace and file commands. No WORKDIR: the runner mounts
# /github/workspace and sets it.
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.source="https://github.com/sparesparrow/ecosystem-actions" \
      org.opencontainers.image.description="Composable GitHub Actions that keep a multi-repository ecosystem healthy" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/ /
ENTRYPOINT ["/action-monitor"]
