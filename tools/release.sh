#!/usr/bin/env bash
# release.sh OUT.tar.gz: the student tree, a directory vmkit/ that is a git
# repository with one initial commit. It holds every tracked file but
#   - solutions/ (the reference sources) and release/ (what this script adds),
#   - README.md, replaced by the student README (release/README.md),
# and adds reference/ (see README.md, "The student release"):
#   reference/kernel/labN/*.o      each lab's reference, compiled for the kernel
#   reference/host/labN/*.o        ... for the host tests
#   reference/host-asan/labN/*.o   ... for the host tests with ASan + UBSan
#   reference/skeletons/labN/*.cpp the pristine skeletons
# The student flavour is the default build.
set -euo pipefail
out=$(realpath -m "$1")
top=$(git rev-parse --show-toplevel)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cd "$top"

# 1. The reference objects, built by the ordinary rules of the Makefile.
mapfile -t sources < <(/usr/bin/python3 tools/labs.py sources reference)
targets=()
for s in "${sources[@]}"; do
    targets+=("build/kobj/$s.o" "build/host/obj/plain/$s.o" "build/host/obj/asan/$s.o")
done
make --no-print-directory -s FLAVOUR=reference "${targets[@]}" >/dev/null

# 2. The tracked files, without the solutions and the maintainer material.
git ls-files -z | grep -zv -e '^solutions/' -e '^release/' -e '^README.md$' | xargs -0 cp --parents -t "$stage"
cp release/README.md "$stage/README.md"
for s in "${sources[@]}"; do                      # solutions/labN/x.cpp
    rel=${s#solutions/}; obj=${rel%.cpp}.o
    install -D -m 644 "build/kobj/$s.o" "$stage/reference/kernel/$obj"
    install -D -m 644 "build/host/obj/plain/$s.o" "$stage/reference/host/$obj"
    install -D -m 644 "build/host/obj/asan/$s.o" "$stage/reference/host-asan/$obj"
done
/usr/bin/python3 tools/mkskeleton.py --all --out "$stage/reference/skeletons"
sed -i 's/^FLAVOUR  ?= reference$/FLAVOUR  ?= student/' "$stage/Makefile"
grep -q '^FLAVOUR  ?= student$' "$stage/Makefile" || { echo "release: could not set the default flavour" >&2; exit 1; }
if find "$stage" -path '*/solutions*' | grep -q .; then echo "release: solution files leaked" >&2; exit 1; fi

# 3. A directory with normal permissions, and a git repository with one commit.
chmod -R u+rwX,go+rX,go-w "$stage"
git -C "$stage" init -q -b main
git -C "$stage" add -A
GIT_AUTHOR_DATE="$(git log -1 --format=%aI)" GIT_COMMITTER_DATE="$(git log -1 --format=%aI)" \
    git -C "$stage" -c user.name="vmkit release" -c user.email="vmkit@localhost" \
    commit -q -m "vmkit student tree ($(git describe --always --dirty))"

mkdir -p "$(dirname "$out")"
tar -C "$stage" -czf "$out" --owner=0 --group=0 --transform 's,^\.,vmkit,' .
echo "release: $out ($(tar -tzf "$out" | grep -v '/\.git/' | grep -vc '/$') files, no solutions/, reference/ prebuilt)"
