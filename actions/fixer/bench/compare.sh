#!/bin/sh
# Compare the fixer's classifier with ripgrep and grep on a large log
# (default 500 MiB, BENCH_LOG_MB overrides) and print accuracy per category.
set -eu
cd "$(dirname "$0")/../../.."
command -v rg >/dev/null || echo "ripgrep missing: apt-get install -y ripgrep" >&2
go build -o bin/fixer-bench ./actions/fixer/bench
exec bin/fixer-bench -mb "${BENCH_LOG_MB:-500}" "$@"
