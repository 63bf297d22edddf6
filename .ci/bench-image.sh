#!/usr/bin/env bash
# bench-image.sh reports the action image's size and, for each action, the
# wall time from `docker run` to exit for `--version` (the cost a workflow
# step pays before the action does anything). Best of RUNS runs.
#
# Env: IMAGE (required), ACTIONS (space separated names), DOCKER, RUNS (default 5).
set -euo pipefail

: "${IMAGE:?IMAGE must name the action image}"
docker="${DOCKER:-docker}"
runs="${RUNS:-5}"
actions="${ACTIONS:-monitor fixer stale alert}"

size="$("$docker" image inspect --format '{{.Size}}' "$IMAGE")"
printf 'BenchmarkImageSize\t1\t%d bytes\t%.1f MB\n' "$size" "$(awk -v s="$size" 'BEGIN { print s / 1000000 }')"

for a in $actions; do
	best=""
	for _ in $(seq "$runs"); do
		start="$(date +%s%N)"
		"$docker" run --rm --network none --entrypoint "/action-$a" "$IMAGE" --version >/dev/null
		end="$(date +%s%N)"
		ns=$((end - start))
		if [[ -z "$best" || "$ns" -lt "$best" ]]; then best="$ns"; fi
	done
	printf 'BenchmarkDockerRunVersion/%s\t%d\t%d ns/op\t(%.0f ms, best of %d)\n' "$a" "$runs" "$best" "$(awk -v n="$best" 'BEGIN { print n / 1000000 }')" "$runs"
done
