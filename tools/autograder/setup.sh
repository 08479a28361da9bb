#!/usr/bin/env bash
# Gradescope's setup: runs once, as root, in /autograder/source (or in
# $AUTOGRADER_ROOT/source for a test). Unpacks the student release there,
# installs its Debian packages (bubblewrap, Bochs, GRUB, clang, CppUTest, ...)
# and builds the grading tree of the lab once (grade-all.py --prepare: the lab
# still a skeleton), so that each submission only compiles its own files.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")" && pwd)
rm -rf "$source_dir/vmkit" "$source_dir/prepared"
tar -xzf "$source_dir/release.tar.gz" -C "$source_dir"
"$source_dir/vmkit/tools/setup.sh"
/usr/bin/python3 "$source_dir/vmkit/tools/grade-all.py" --lab "$(cat "$source_dir/lab")" \
    --release "$source_dir/release.tar.gz" --prepare "$source_dir/prepared"
