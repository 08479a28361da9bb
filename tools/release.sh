#!/usr/bin/env bash
# release.sh OUT.tar.gz: the student tree: every tracked file but solutions/,
# with the student flavour as the default build. Students grade themselves
# with `make test` (their lab's tests fail until the lab is done).
set -euo pipefail
out=$(realpath -m "$1")
top=$(git rev-parse --show-toplevel)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cd "$top"
git ls-files -z | grep -zv '^solutions/' | xargs -0 cp --parents -t "$stage"
sed -i 's/^FLAVOUR  ?= reference$/FLAVOUR  ?= student/' "$stage/Makefile"
grep -q '^FLAVOUR  ?= student$' "$stage/Makefile" || { echo "release: could not set the default flavour" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
tar -C "$stage" -czf "$out" --transform 's,^\.,vmkit,' .
echo "release: $out ($(tar -tzf "$out" | grep -vc '/$') files, no solutions/)"
