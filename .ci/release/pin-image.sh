#!/usr/bin/env bash
# pin-image.sh points every action's action.yml at one prebuilt image pinned
# by digest, so a release's users pull a small image instead of building the
# root Dockerfile in each job:
#
#   runs:
#     using: docker
#     image: ../Dockerfile            ->   image: docker://ghcr.io/o/n@sha256:<64 hex>
#     entrypoint: /action-monitor          entrypoint: /action-monitor   (unchanged)
#
# Only the `image:` line inside `runs:` changes; every other byte stays. An
# action.yml already pinned (to any digest) is re-pinned, so the script is
# idempotent. With --check it changes nothing and fails unless every
# action.yml is pinned to exactly IMAGE.
#
# Usage: .ci/release/pin-image.sh [--check] IMAGE [ROOT]
#   IMAGE  registry/owner/name@sha256:<64 lowercase hex> (a tag is refused:
#          tags move, digests do not); a docker:// prefix is accepted.
#   ROOT   directory holding action-*/action.yml (default: the repository root).
# Exit codes: 0 done, 1 an action.yml could not be pinned or --check failed, 2 usage.
set -euo pipefail

usage() {
	echo "usage: $0 [--check] IMAGE [ROOT]   (IMAGE: registry/owner/name@sha256:<64 hex>)" >&2
	exit 2
}

check=""
if [[ "${1:-}" == "--check" ]]; then
	check=1
	shift
fi
[[ $# -ge 1 && $# -le 2 ]] || usage
image="${1#docker://}"
root="${2:-$(cd "$(dirname "$0")/../.." && pwd)}"

if ! [[ "$image" =~ ^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+@sha256:[0-9a-f]{64}$ ]]; then
	echo "pin-image: invalid IMAGE \"$image\": want registry/owner/name@sha256:<64 lowercase hex> (e.g. ghcr.io/sparesparrow/ecosystem-actions@sha256:...), a digest, not a tag" >&2
	exit 2
fi
ref="docker://$image"

shopt -s nullglob
files=("$root"/action-*/action.yml)
if ((${#files[@]} == 0)); then
	echo "pin-image: no action-*/action.yml under $root" >&2
	exit 1
fi

status=0
for f in "${files[@]}"; do
	# awk finds the image: line of the top-level runs: mapping (two-space or
	# deeper indentation until the next top-level key) and prints the file
	# with that line replaced; it exits 3 when there is no such line and 4
	# when `using:` is not docker.
	tmp="$(mktemp "$f.XXXXXX")"
	set +e
	awk -v ref="$ref" -v check="$check" '
		function value(line) { sub(/^[^:]*:[ \t]*/, "", line); sub(/[ \t]+#.*$/, "", line); gsub(/^["\x27]|["\x27]$/, "", line); return line }
		/^[^ \t#]/ { inruns = ($0 ~ /^runs:[ \t]*$/) }
		inruns && /^[ \t]+using:/ { using = value($0) }
		inruns && /^[ \t]+image:/ {
			found++
			current = value($0)
			match($0, /^[ \t]+/)
			indent = substr($0, 1, RLENGTH)
			if (check != "") { print $0; if (current != ref) mismatch = current; next }
			print indent "image: " ref
			next
		}
		{ print }
		END {
			if (found != 1) exit 3
			if (tolower(using) != "docker") exit 4
			if (mismatch != "") { print "pin-image: " FILENAME ": found image " mismatch > "/dev/stderr"; exit 5 }
		}
	' "$f" >"$tmp"
	rc=$?
	set -e
	case "$rc" in
	0)
		if [[ -n "$check" ]]; then
			rm -f "$tmp"
			echo "pinned: $f"
		elif cmp -s "$tmp" "$f"; then
			rm -f "$tmp"
			echo "unchanged: $f"
		else
			chmod --reference="$f" "$tmp" 2>/dev/null || true
			mv "$tmp" "$f"
			echo "pinned: $f -> $ref"
		fi
		;;
	3)
		rm -f "$tmp"
		echo "pin-image: $f: expected exactly one image: line under runs:" >&2
		status=1
		;;
	4)
		rm -f "$tmp"
		echo "pin-image: $f: runs.using is not docker" >&2
		status=1
		;;
	5)
		rm -f "$tmp"
		echo "pin-image: $f: image is not $ref" >&2
		status=1
		;;
	*)
		rm -f "$tmp"
		echo "pin-image: $f: awk failed (exit $rc)" >&2
		status=1
		;;
	esac
done
exit "$status"
