#!/usr/bin/env bash
# tools/setup.sh - make sure the Debian packages this kit needs are installed.
#
# The Makefile runs this before every build and run. When everything is
# installed it prints nothing and takes a few milliseconds (one dpkg-query).
#
# Usage:
#   tools/setup.sh           install what is missing (as root), or, as a normal
#                            user, print the exact `sudo apt-get` command and fail
#   tools/setup.sh --check   only report what is missing; never install
#
# Exit status: 0 = everything is installed, 1 = something is (still) missing.
#
# Environment:
#   TOOLS_SETUP_EXTRA_PACKAGES="pkg1 pkg2"   also require these packages
#       (handy to test this script: a made-up name is always "missing").
#
# Targets Debian 12 (bookworm); also works on Ubuntu 22.04/24.04, where the
# compiler runtime package has another name (see RT_PACKAGE below).
# Run `make doctor` (tools/doctor.sh) to check that the tools actually work.

set -euo pipefail

# Everything the kit uses, by Debian package name:
PACKAGES=(
    bochs bochsbios vgabios bochs-sdl     # the emulator, its BIOSes, the SDL2 display
    qemu-system-x86                       # the second emulator (qemu-system-i386)
    grub-pc-bin grub-common xorriso mtools  # grub-mkimage + xorriso build the boot ISO (tools/mkiso)
    clang lld libclang-rt-14-dev          # clang++, ld.lld, compiler-rt builtins
    llvm                                  # llvm-symbolizer: file:line in sanitizer reports
    binutils make pkg-config              # nm/objdump, make, pkg-config
    ccache                                # compiles repeated in another tree (release check, grader) are hits
    cpputest                              # host unit tests
    python3-pexpect                       # test scripts (run with /usr/bin/python3)
    git                                   # the student release is a git repository (tools/release.sh)
    bubblewrap                            # grading sandbox (tools/sandbox.py)
    python3-matplotlib                    # class report chart (tools/grade-all.py)
)
# Word splitting is intended: the variable holds a space-separated list.
# shellcheck disable=SC2206
PACKAGES+=(${TOOLS_SETUP_EXTRA_PACKAGES:-})

# The compiler runtime (libclang_rt.builtins-i386.a and the sanitizer
# runtimes) is packaged differently across releases: libclang-rt-14-dev on
# Debian 12; libclang-rt-dev is the name that always follows the default
# `clang` (Debian 12, Ubuntu 24.04); on Ubuntu 22.04 it comes with clang itself.
RT_PACKAGE=libclang-rt-14-dev
RT_ALTERNATIVE=libclang-rt-dev

mode=install
case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup: dpkg-query not found: this kit expects Debian 12 or Ubuntu." >&2
    echo "setup: install the equivalents of: ${PACKAGES[*]}" >&2
    exit 1
fi

# Print the packages of PACKAGES that are not installed, one per line.
missing_packages() {
    local installed status
    # One dpkg-query call for all names. A name dpkg has never heard of makes
    # dpkg-query complain and exit 1; that simply means "missing".
    status=$(dpkg-query -W -f='${Package} ${Status}\n' \
                 "${PACKAGES[@]}" "$RT_ALTERNATIVE" 2>/dev/null || true)
    # "install ok installed" (or "hold ok installed") = present; anything else
    # (half-installed, config-files only, ...) = missing.
    installed=" $(awk 'NF >= 4 && $(NF-1) == "ok" && $NF == "installed" { printf "%s ", $1 }' \
                    <<<"$status")"
    local p
    for p in "${PACKAGES[@]}"; do
        if [[ $installed == *" $p "* ]]; then
            continue
        fi
        if [[ $p == "$RT_PACKAGE" ]] && runtime_present "$installed"; then
            continue
        fi
        echo "$p"
    done
}

# Is the compiler runtime there, under one of its package names, or as the
# file itself (Ubuntu 22.04)? $1 = the installed packages, space-separated.
runtime_present() {
    local builtins
    [[ $1 == *" $RT_ALTERNATIVE "* ]] && return 0
    command -v clang++ >/dev/null 2>&1 || return 1
    builtins=$(clang++ --target=i386-linux-gnu --rtlib=compiler-rt \
                   -print-libgcc-file-name 2>/dev/null) || return 1
    [[ -f $builtins ]]
}

# The package names to give apt for the missing packages "$@". Only the
# runtime's name depends on the release; ask apt (slow: only done when
# something is missing) whether it knows libclang-rt-dev.
installable_names() {
    local p
    for p in "$@"; do
        if [[ $p == "$RT_PACKAGE" &&
              $(apt-cache policy "$RT_ALTERNATIVE" 2>/dev/null) =~ Candidate:\ [^\(] ]]; then
            echo "$RT_ALTERNATIVE"
        else
            echo "$p"
        fi
    done
}

mapfile -t missing < <(missing_packages)
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
mapfile -t needed < <(installable_names "${missing[@]}")

if [[ $mode == check || $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${needed[*]}" >&2
    echo "setup: install them with:" >&2
    echo "    sudo apt-get install -y ${needed[*]}" >&2
    echo "setup: (if apt cannot find them, run 'sudo apt-get update' first;" \
         "on Ubuntu, enable the 'universe' component)" >&2
    exit 1
fi

# We are root (e.g. in CI): install without asking anything. stdin may be
# closed or not a terminal, so apt gets /dev/null and never prompts.
echo "setup: installing missing Debian packages: ${needed[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_options=(-o DPkg::Lock::Timeout=300)   # wait if another apt is running
if ! apt-get "${apt_options[@]}" update -qq </dev/null; then
    echo "setup: warning: 'apt-get update' failed; trying to install anyway" >&2
fi
# Ask again: a fresh system (a container) may have had no package lists.
mapfile -t needed < <(installable_names "${missing[@]}")
if ! apt-get "${apt_options[@]}" install -y -q --no-install-recommends \
        "${needed[@]}" </dev/null; then
    echo "setup: error: 'apt-get install ${needed[*]}' failed (see above)." >&2
    echo "setup: on Ubuntu, enable the 'universe' component and retry." >&2
    exit 1
fi

# Trust, but verify.
mapfile -t missing < <(missing_packages)
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "setup: error: still missing after apt-get install: ${missing[*]}" >&2
    exit 1
fi
echo "setup: all required packages are installed"
