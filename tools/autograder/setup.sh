#!/usr/bin/env bash
# Gradescope's setup: runs once, as root, in /autograder/source (or in
# $AUTOGRADER_ROOT/source for a test). Unpacks the student release there and
# installs its Debian packages (bubblewrap, Bochs, GRUB, clang, CppUTest, ...).
set -euo pipefail
source_dir=$(cd "$(dirname "$0")" && pwd)
rm -rf "$source_dir/vmkit"
tar -xzf "$source_dir/release.tar.gz" -C "$source_dir"
"$source_dir/vmkit/tools/setup.sh"
