# Makefile for ecosystem-actions. `make help` lists the targets.
#
# Versions and knobs (override on the command line: make image VERSION=v1.2.3).
GO                 ?= go
GO_VERSION         ?= 1.26.8
ACTIONLINT_VERSION ?= v1.7.12
VERSION            ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMAGE              ?= ecosystem-actions:dev
BUILDER_IMAGE      ?= ecosystem-actions/go-builder:$(GO_VERSION)
DOCKER             ?= docker
# The legacy builder is what the Debian engine offers without buildx; it
# honours --network host for `go mod download`.
DOCKER_BUILDKIT    ?= 0
GOPROXY            ?= $(shell $(GO) env GOPROXY)
GOBIN_DIR          := $(shell $(GO) env GOPATH)/bin
ACTIONLINT         ?= $(GOBIN_DIR)/actionlint
EMULATOR_ADDR      ?= 127.0.0.1:8090
FIXTURE            ?= testdata/ecosystem/ecosystem.yaml
REPORTS            ?= reports

# The actions present in the tree (action-<name>/main.go). The Dockerfile's
# own default (ARG ACTIONS) is all four; `make image` passes this list.
# Each action's code is in action-<name>/entry, whose version variable the
# build sets (-X <module>/action-<name>/entry.version=...).
ACTIONS  ?= $(patsubst action-%/main.go,%,$(wildcard action-*/main.go))
MODULE   := github.com/sparesparrow/ecosystem-actions
LDFLAGS  := -s -w

# Extra benchmarks, run after the Go benchmarks from the repository root:
# every Go program <dir>/bench/main.go (go run ./<dir>/bench $(BENCH_ARGS)),
# e.g. the fixer's comparison with ripgrep and grep (Debian's ripgrep), and
# every executable <dir>/bench/*.sh (with BIN_DIR=bin and REPORTS set).
BENCH_PROGRAMS ?= $(sort $(patsubst %/main.go,%,$(wildcard */bench/main.go */*/bench/main.go)))
BENCH_SCRIPTS  ?= $(sort $(wildcard */bench/*.sh */*/bench/*.sh))
BENCH_ARGS     ?=
# Container test selection (a -run regexp); empty runs them all.
E2E_RUN ?=

GOTESTFLAGS ?=

# GitHub's OpenAPI description of the REST API, which the emulator's
# conformance test validates against (pkg/emulator/conformance_test.go):
# npm @octokit/openapi, pinned, its generated/api.github.com.json only,
# into the git-ignored .cache/openapi. npm checks the package's integrity;
# the file's SHA-256 is checked here too.
OPENAPI_VERSION ?= 23.0.2
OPENAPI_SHA256  ?= 829b4bebb19a53133289f7b0bc819f4f1118115821db2ca9f25e9ee995a7da2a
OPENAPI_DIR     ?= .cache/openapi
OPENAPI_FILE    := $(OPENAPI_DIR)/api.github.com-$(OPENAPI_VERSION).json
NPM             ?= npm

# Microsoft's adaptivecards library, which the alert tests parse the default
# Teams card with (actions/alert/payload_test.go): npm adaptivecards, pinned,
# its dist/adaptivecards.js only, into the git-ignored .cache/adaptivecards.
# npm checks the package's integrity; the file's SHA-256 is checked here too.
# `make test` passes the file as ADAPTIVECARDS_JS (with CI=true a missing
# one fails that test).
ADAPTIVECARDS_VERSION ?= 3.0.6
ADAPTIVECARDS_SHA256  ?= c3912747fe74e86a466bb583891f02fa5f8ce6131fa5a04c9e8b2921f14fb98f
ADAPTIVECARDS_DIR     ?= .cache/adaptivecards
ADAPTIVECARDS_FILE    := $(ADAPTIVECARDS_DIR)/adaptivecards-$(ADAPTIVECARDS_VERSION).js
ADAPTIVECARDS_JS      ?= $(abspath $(ADAPTIVECARDS_FILE))

.PHONY: fixture openapi adaptivecards fuzz tools help build test lint fmt vet actionlint bench bench-image image builder-image e2e demo emulator clean

help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / { printf "  %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

build: ## Build every action binary (and the emulator) into bin/.
	@test -n "$(ACTIONS)" || echo "build: no action-*/main.go yet"
	@set -e; for a in $(ACTIONS); do \
		echo "go build -o bin/action-$$a ./action-$$a"; \
		CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS) -X $(MODULE)/action-$$a/entry.version=$(VERSION)" -o bin/action-$$a ./action-$$a; \
	done
	@if [ -d pkg/emulator/cmd/emulator ]; then \
		echo "go build -o bin/emulator ./pkg/emulator/cmd/emulator"; \
		$(GO) build -o bin/emulator ./pkg/emulator/cmd/emulator; fi

test: ## Run the unit tests with the race detector, in shuffled order (and the demo, .ci/demo).
	ADAPTIVECARDS_JS="$(ADAPTIVECARDS_JS)" $(GO) test -race -shuffle=on $(GOTESTFLAGS) ./... ./.ci/multicall/... ./.ci/demo

lint: fmt vet actionlint ## gofmt, go vet and actionlint (workflows).

fmt:
	@files="$$(git ls-files -co --exclude-standard '*.go' ':!:*testdata/*' 2>/dev/null)"; \
	out="$$(if [ -n "$$files" ]; then gofmt -l $$files; fi)"; \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi; \
	echo "gofmt: ok"

vet:
	$(GO) vet ./...
	$(GO) vet -tags e2e ./pkg/containertest/...
	$(GO) vet ./.ci/demo ./.ci/multicall/... ./testdata/ecosystem/generate ./testdata/ecosystem/validate

actionlint:
	@set -e; files="$$(ls .github/workflows/*.yml .github/workflows/*.yaml 2>/dev/null || true)"; \
	if [ -z "$$files" ]; then echo "actionlint: no workflows in .github/workflows"; exit 0; fi; \
	$(MAKE) --no-print-directory tools; \
	echo "actionlint $$files"; $(ACTIONLINT) $$files

fixture: ## Regenerate the example ecosystem (testdata/ecosystem/ecosystem.yaml) and check its invariants.
	$(GO) run ./testdata/ecosystem/generate
	$(GO) run ./testdata/ecosystem/validate

openapi: ## GitHub's OpenAPI description (npm @octokit/openapi@$(OPENAPI_VERSION)) into .cache/openapi for the conformance test.
	@if [ -f "$(OPENAPI_FILE)" ] && echo "$(OPENAPI_SHA256)  $(OPENAPI_FILE)" | sha256sum -c --status; then \
		echo "openapi: $(OPENAPI_FILE) is @octokit/openapi@$(OPENAPI_VERSION)"; exit 0; fi; \
	set -e; tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	echo "$(NPM) pack @octokit/openapi@$(OPENAPI_VERSION)"; \
	$(NPM) pack --silent --pack-destination "$$tmp" @octokit/openapi@$(OPENAPI_VERSION) >/dev/null; \
	tar -xzf "$$tmp/octokit-openapi-$(OPENAPI_VERSION).tgz" -C "$$tmp" package/generated/api.github.com.json; \
	echo "$(OPENAPI_SHA256)  $$tmp/package/generated/api.github.com.json" | sha256sum -c --status || \
		{ echo "openapi: api.github.com.json of @octokit/openapi@$(OPENAPI_VERSION) does not have SHA-256 $(OPENAPI_SHA256)" >&2; exit 1; }; \
	mkdir -p $(OPENAPI_DIR); mv "$$tmp/package/generated/api.github.com.json" $(OPENAPI_FILE); \
	echo "openapi: wrote $(OPENAPI_FILE)"

adaptivecards: ## Microsoft's adaptivecards library (npm adaptivecards@$(ADAPTIVECARDS_VERSION)) into .cache/adaptivecards for the Teams card test.
	@if [ -f "$(ADAPTIVECARDS_FILE)" ] && echo "$(ADAPTIVECARDS_SHA256)  $(ADAPTIVECARDS_FILE)" | sha256sum -c --status; then \
		echo "adaptivecards: $(ADAPTIVECARDS_FILE) is adaptivecards@$(ADAPTIVECARDS_VERSION)"; exit 0; fi; \
	set -e; tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	echo "$(NPM) pack adaptivecards@$(ADAPTIVECARDS_VERSION)"; \
	$(NPM) pack --silent --pack-destination "$$tmp" adaptivecards@$(ADAPTIVECARDS_VERSION) >/dev/null; \
	tar -xzf "$$tmp/adaptivecards-$(ADAPTIVECARDS_VERSION).tgz" -C "$$tmp" package/dist/adaptivecards.js; \
	echo "$(ADAPTIVECARDS_SHA256)  $$tmp/package/dist/adaptivecards.js" | sha256sum -c --status || \
		{ echo "adaptivecards: dist/adaptivecards.js of adaptivecards@$(ADAPTIVECARDS_VERSION) does not have SHA-256 $(ADAPTIVECARDS_SHA256)" >&2; exit 1; }; \
	mkdir -p $(ADAPTIVECARDS_DIR); mv "$$tmp/package/dist/adaptivecards.js" $(ADAPTIVECARDS_FILE); \
	echo "adaptivecards: wrote $(ADAPTIVECARDS_FILE)"

tools: ## Install the pinned actionlint into $(GOPATH)/bin unless that version is there.
	@if [ "$$($(ACTIONLINT) -version 2>/dev/null | head -n 1)" != "$(ACTIONLINT_VERSION)" ]; then \
		echo "go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)"; \
		$(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION); \
	else echo "actionlint $(ACTIONLINT_VERSION) is installed"; fi

bench: build ## Go benchmarks, the concerns' bench scripts, then the image numbers if Docker runs.
	$(GO) test -run='^$$' -bench=. -benchmem ./...
	@set -e; for p in $(BENCH_PROGRAMS); do \
		echo "== go run ./$$p $(BENCH_ARGS)"; $(GO) run ./$$p $(BENCH_ARGS); done
	@set -e; for s in $(BENCH_SCRIPTS); do \
		if [ -x "$$s" ]; then echo "== $$s"; BIN_DIR=bin REPORTS=$(REPORTS) "./$$s"; \
		else echo "== $$s: not executable, skipped"; fi; done
	@if $(DOCKER) info >/dev/null 2>&1; then $(MAKE) --no-print-directory bench-image; \
	else echo "bench-image: skipped (no Docker engine; .ci/run starts one)"; fi

bench-image: image ## Image size and `docker run ... --version` time per action.
	IMAGE=$(IMAGE) ACTIONS="$(ACTIONS)" DOCKER=$(DOCKER) .ci/bench-image.sh

builder-image: ## The local Go builder image (docker import of this machine's Go).
	.ci/builder-image.sh $(BUILDER_IMAGE)

image: builder-image ## Build the action image from the root Dockerfile with the local builder.
	DOCKER_BUILDKIT=$(DOCKER_BUILDKIT) $(DOCKER) build --network host \
		--build-arg GO_IMAGE=$(BUILDER_IMAGE) \
		--build-arg GOPROXY="$(GOPROXY)" \
		--build-arg VERSION=$(VERSION) \
		--build-arg ACTIONS="$(ACTIONS)" \
		-t $(IMAGE) .
	@$(DOCKER) image inspect --format '$(IMAGE): {{.Size}} bytes' $(IMAGE)

e2e: image ## Container tests against the emulator, then the act workflow run (.ci/e2e-act.sh) when present.
	ECOSYSTEM_ACTIONS_IMAGE=$(IMAGE) $(GO) test -tags e2e -count=1 -v $(if $(E2E_RUN),-run '$(E2E_RUN)') ./pkg/containertest/...
	@if [ -x .ci/e2e-act.sh ]; then echo ".ci/e2e-act.sh"; ECOSYSTEM_ACTIONS_IMAGE=$(IMAGE) BUILDER_IMAGE=$(BUILDER_IMAGE) .ci/e2e-act.sh; \
	else echo "e2e: no executable .ci/e2e-act.sh, the act workflow run is skipped"; fi

fuzz: ## A brief run of each fuzz target (execution counts, not -fuzztime durations: golang/go#75804).
	$(GO) test -run '^$$' -fuzz '^FuzzClassify$$' -fuzztime 20000x -fuzzminimizetime 100x ./pkg/classify
	$(GO) test -run '^$$' -fuzz '^FuzzReadLog$$' -fuzztime 50000x -fuzzminimizetime 100x ./pkg/classify
	$(GO) test -run '^$$' -fuzz '^FuzzRedact$$' -fuzztime 50000x -fuzzminimizetime 100x ./pkg/redact
	$(GO) test -run '^$$' -fuzz '^FuzzNoSurvivor$$' -fuzztime 50000x -fuzzminimizetime 100x ./pkg/redact
	$(GO) test -run '^$$' -fuzz '^FuzzJSON$$' -fuzztime 20000x -fuzzminimizetime 100x ./pkg/redact
	$(GO) test -run '^$$' -fuzz '^FuzzPathSegment$$' -fuzztime 5000x -fuzzminimizetime 100x ./pkg/ghclient
	$(GO) test -run '^$$' -fuzz '^FuzzHostileInputs$$' -fuzztime 200x -fuzzminimizetime 20x ./pkg/securitytest

demo: build ## The whole chain on the example ecosystem through the emulator, into reports/.
	$(GO) run ./.ci/demo -bin bin -fixture $(FIXTURE) -out $(REPORTS)

emulator: ## Serve the GitHub API emulator on EMULATOR_ADDR with FIXTURE.
	$(GO) run ./pkg/emulator/cmd/emulator -addr $(EMULATOR_ADDR) -fixture $(FIXTURE)

clean: ## Remove bin/ and reports/.
	rm -rf bin $(REPORTS)
