#!/usr/bin/env bash
# tools/doctor.sh - check that everything a build, run or test needs works.
#
# Usage: make doctor      (or: tools/doctor.sh)
#
# Prints one line per item:
#     ok   <item>: <what was found>
#     FAIL <item>: <what is wrong> -> <how to fix it>
# and exits 1 if any item failed. It does not stop at the first failure, so
# you see everything that is wrong at once. It runs each tool for real
# (compiles, links, starts Bochs and QEMU for a moment) in a temporary
# directory that is removed afterwards. Takes a few seconds.
#
# tools/setup.sh installs the Debian packages; this script checks that the
# tools in them actually work here.

# Not `set -e`: many checks are expected to fail on a broken machine, and we
# want to report them all rather than stop at the first.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)

failures=0
ok()   { printf 'ok   %s: %s\n' "$1" "$2"; }
fail() { printf 'FAIL %s: %s -> %s\n' "$1" "$2" "$3"; failures=$((failures + 1)); }
have() { command -v "$1" >/dev/null 2>&1; }
# The fix for "package $1 is missing or broken".
install_hint() { echo "sudo apt-get install -y $*   (or run tools/setup.sh as root)"; }
# First line of a command's output, e.g. its version banner.
first_line() { "$@" 2>&1 | head -n 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/doctor.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$tmp" || exit 1

# ---------------------------------------------------------------- packages
if out=$("$here/setup.sh" --check 2>&1); then
    ok "Debian packages" "all installed"
else
    fail "Debian packages" "$(head -n 1 <<<"$out" | sed 's/^setup: //')" \
         "$(sed -n 's/^ *\(sudo apt-get .*\)/\1/p' <<<"$out")   (or run tools/setup.sh as root)"
fi

# ------------------------------------------------------------------- Bochs
bochs_ok=1
if have bochs; then
    version=$(bochs --help 2>&1 | sed -n 's/.*Bochs x86 Emulator \([0-9][0-9.]*\).*/\1/p' | head -n 1)
    if [[ $version == 2.7 ]]; then
        ok "bochs" "$(command -v bochs), version $version"
    elif [[ -n $version ]]; then
        ok "bochs" "$(command -v bochs), version $version (WARNING: the kit is tested with Bochs 2.7 only)"
    else
        fail "bochs" "$(command -v bochs) does not report its version" "$(install_hint bochs)"
        bochs_ok=0
    fi
else
    fail "bochs" "not found" "$(install_hint bochs)"
    bochs_ok=0
fi

bios=/usr/share/bochs/BIOS-bochs-latest
if [[ -s $bios ]]; then ok "bochs BIOS" "$bios"
else fail "bochs BIOS" "$bios missing" "$(install_hint bochsbios)"; bochs_ok=0; fi

vgabios=/usr/share/vgabios/vgabios.bin
if [[ -s $vgabios ]]; then ok "VGA BIOS" "$vgabios"
else fail "VGA BIOS" "$vgabios missing" "$(install_hint vgabios)"; bochs_ok=0; fi

# The plugin directory has the multiarch triplet in it (x86_64-linux-gnu).
sdl_plugin=$(compgen -G '/usr/lib/*/bochs/plugins/libbx_sdl2_gui.so*' | head -n 1)
if [[ -n $sdl_plugin ]]; then ok "bochs SDL2 display" "$sdl_plugin"
else fail "bochs SDL2 display" "plugin libbx_sdl2_gui.so not found" "$(install_hint bochs-sdl)"; bochs_ok=0; fi

# Start Bochs for real, headless, with the internal debugger reading its
# commands from a file: "quit" at the first prompt, before the BIOS runs.
# This proves the debugger is compiled in, the SDL2 display loads, and the
# BIOS images are accepted. No disk images, so no lock files are created.
if ((bochs_ok)); then
    cat > bochsrc <<EOF
megs: 4
romimage: file=$bios
vgaromimage: file=$vgabios
display_library: sdl2
sound: driver=dummy
speaker: enabled=0
log: bochs.log
panic: action=fatal
EOF
    echo quit > debugger.rc
    SDL_VIDEODRIVER=dummy timeout -k 2 8 bochs -f bochsrc -rc debugger.rc \
        </dev/null >bochs.out 2>&1
    status=$?
    if grep -q '^Next at t=0' bochs.out; then
        ok "bochs debugger" "headless start with display_library sdl2 and the internal debugger works"
    else
        if ((status == 124 || status == 137)); then
            why="did not stop at the debugger prompt within 8 s"
        else
            why="exit $status: $(grep -h -m 1 -iE 'panic|error|fatal|cannot|unknown' bochs.out bochs.log 2>/dev/null | head -n 1 | cut -c 1-100)"
        fi
        fail "bochs debugger" "headless start with the debugger failed ($why)" \
             "use Debian's Bochs, which has the internal debugger: $(install_hint bochs bochs-sdl bochsbios vgabios)"
    fi
else
    fail "bochs debugger" "not tried: the items above must pass first" "fix them first"
fi

# -------------------------------------------------------------------- GRUB
if have grub-mkimage; then ok "grub-mkimage" "$(first_line grub-mkimage --version)"
else fail "grub-mkimage" "not found" "$(install_hint grub-common)"; fi

if [[ -f /usr/lib/grub/i386-pc/multiboot.mod && -f /usr/lib/grub/i386-pc/cdboot.img ]]; then
    ok "GRUB i386-pc modules" "/usr/lib/grub/i386-pc (with multiboot.mod, cdboot.img)"
else
    fail "GRUB i386-pc modules" "/usr/lib/grub/i386-pc/multiboot.mod or cdboot.img missing" "$(install_hint grub-pc-bin)"
fi

if have xorriso; then ok "xorriso" "$(first_line xorriso -version)"
else fail "xorriso" "not found (tools/mkiso needs it)" "$(install_hint xorriso)"; fi

# Build a tiny boot ISO the way tools/mkiso does: a GRUB El Torito core image
# with an embedded config, and xorriso.
mkdir -p iso/boot/grub
echo 'set root=(cd)' > embed.cfg
if ! have grub-mkimage || ! have xorriso; then
    fail "boot ISO" "not tried: grub-mkimage or xorriso missing" "$(install_hint grub-common grub-pc-bin xorriso)"
elif grub-mkimage -O i386-pc-eltorito -o iso/boot/grub/core.img -p /boot/grub -c embed.cfg iso9660 biosdisk \
        >grub.out 2>&1 &&
     xorriso -as mkisofs -quiet -R -b boot/grub/core.img -no-emul-boot -boot-load-size 4 -boot-info-table \
        -o test.iso iso >>grub.out 2>&1 && [[ -s test.iso ]]; then
    ok "boot ISO" "grub-mkimage and xorriso built a bootable ISO"
else
    fail "boot ISO" "failed: $(grep -m 1 -iE 'error|fail' grub.out | cut -c 1-120)" \
         "$(install_hint grub-common grub-pc-bin xorriso)"
fi

# -------------------------------------------------- kernel compiler (i686)
if have clang++; then
    version=$(clang++ -dumpversion 2>/dev/null)
    if [[ $version == 14.* ]]; then
        ok "clang++" "$(command -v clang++), version $version"
    else
        ok "clang++" "$(command -v clang++), version $version (WARNING: the kit is tested with clang 14 only)"
    fi
else
    fail "clang++" "not found" "$(install_hint clang)"
fi

if have ld.lld; then ok "ld.lld" "$(first_line ld.lld --version)"
else fail "ld.lld" "not found" "$(install_hint lld)"; fi

# The kernel links libclang_rt.builtins-i386.a (64-bit division and friends).
builtins=$(clang++ --target=i386-linux-gnu --rtlib=compiler-rt -print-libgcc-file-name 2>/dev/null)
if [[ -n $builtins && -f $builtins ]]; then
    ok "compiler-rt builtins" "$builtins"
else
    fail "compiler-rt builtins" "libclang_rt.builtins-i386.a not found${builtins:+ at $builtins}" \
         "$(install_hint libclang-rt-14-dev)"
fi

if have ccache; then
    ok "ccache" "$(command -v ccache), $(first_line ccache --version) (the Makefile compiles through it)"
else
    fail "ccache" "not found (builds still work, without a compiler cache)" "$(install_hint ccache)"
fi

# A freestanding C++20 file, compiled with the kernel's flags. The 64-bit
# division becomes a call to __udivdi3, which must come from the builtins.
cat > kernel.cpp <<'EOF'
template <typename T> concept Unsigned = (T(-1) > T(0));
template <Unsigned T> constexpr T divide(T a, T b) { return a / b; }
extern "C" unsigned long long doctor_entry(unsigned long long a, unsigned long long b) {
    return divide(a, b);
}
EOF
if ! have clang++; then
    fail "kernel compile" "not tried: clang++ missing" "$(install_hint clang)"
elif clang++ --target=i686-unknown-none-elf -march=i686 -ffreestanding \
        -fno-exceptions -fno-rtti -nostdlib -mgeneral-regs-only -std=c++20 \
        -O2 -c kernel.cpp -o kernel.o >compile.out 2>&1; then
    ok "kernel compile" "clang++ --target=i686-unknown-none-elf -std=c++20 -ffreestanding works"
    if ! have ld.lld || [[ ! -f $builtins ]]; then
        fail "kernel link" "not tried: ld.lld or the builtins archive missing" "$(install_hint lld libclang-rt-14-dev)"
    elif ld.lld -m elf_i386 -e doctor_entry -o kernel.elf kernel.o "$builtins" >link.out 2>&1; then
        ok "kernel link" "ld.lld -m elf_i386 links against the i386 builtins"
    else
        fail "kernel link" "$(head -n 1 link.out | cut -c 1-120)" "$(install_hint lld libclang-rt-14-dev)"
    fi
else
    fail "kernel compile" "$(grep -m 1 'error' compile.out | cut -c 1-120)" "$(install_hint clang)"
    fail "kernel link" "not tried: compile failed" "fix the compile first"
fi

# ------------------------------------------------------- host unit tests
if have pkg-config && pkg-config --exists cpputest 2>/dev/null; then
    ok "cpputest" "version $(pkg-config --modversion cpputest) (pkg-config cpputest)"
    read -r -a cpputest_flags <<<"$(pkg-config --cflags --libs cpputest)"
    cpputest_ok=1
else
    fail "cpputest" "pkg-config does not know cpputest" "$(install_hint cpputest pkg-config)"
    cpputest_ok=0
fi

cat > unit.cpp <<'EOF'
#include <CppUTest/CommandLineTestRunner.h>
#include <CppUTest/TestHarness.h>
TEST_GROUP(Doctor) {};
TEST(Doctor, Arithmetic) { CHECK_EQUAL(4, 2 + 2); }
int main(int argc, char** argv) { return CommandLineTestRunner::RunAllTests(argc, argv); }
EOF
# CppUTest's own leak detector replaces operator new, which clashes with
# AddressSanitizer's; the sanitizer finds leaks anyway, so it is switched off.
if ! have clang++ || ((cpputest_ok == 0)); then
    fail "host unit test" "not tried: clang++ or cpputest missing" "$(install_hint clang cpputest pkg-config)"
elif ! clang++ -std=c++20 -g -fsanitize=address,undefined -DCPPUTEST_MEM_LEAK_DETECTION_DISABLED \
        unit.cpp "${cpputest_flags[@]}" -o unit >unit-build.out 2>&1; then
    fail "host unit test" "build failed: $(grep -m 1 -E 'error|cannot find' unit-build.out | cut -c 1-120)" \
         "$(install_hint clang libclang-rt-14-dev cpputest)"
elif timeout -k 2 10 ./unit >unit-run.out 2>&1; then
    ok "host unit test" "clang++ -fsanitize=address,undefined + CppUTest builds and passes"
else
    # Known trap: clang 14's AddressSanitizer crashes when the kernel uses
    # more address randomisation than it expects (vm.mmap_rnd_bits > 28).
    rnd=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo '?')
    if [[ $rnd =~ ^[0-9]+$ ]] && ((rnd > 28)); then
        fix="sudo sysctl vm.mmap_rnd_bits=28   (AddressSanitizer of clang 14 breaks with $rnd)"
    else
        fix="read $(head -n 1 unit-run.out | cut -c 1-80)... by running the test by hand"
    fi
    fail "host unit test" "the sanitized test program failed" "$fix"
fi

# Without llvm-symbolizer, AddressSanitizer reports show bare addresses
# instead of function names and file:line.
if have llvm-symbolizer; then
    ok "llvm-symbolizer" "$(command -v llvm-symbolizer) (sanitizer reports show file:line)"
else
    fail "llvm-symbolizer" "not found: sanitizer reports would show bare addresses" "$(install_hint llvm)"
fi

# ------------------------------------------------------------------ python
# Always /usr/bin/python3: a python3 earlier in PATH (pyenv, venv) does not
# see Debian's python3-pexpect.
if [[ ! -x /usr/bin/python3 ]]; then
    fail "python3-pexpect" "/usr/bin/python3 not found" "$(install_hint python3-pexpect)"
elif version=$(/usr/bin/python3 -c 'import pexpect; print(pexpect.__version__)' 2>/dev/null); then
    ok "python3-pexpect" "/usr/bin/python3 ($(/usr/bin/python3 -V 2>&1)) imports pexpect $version"
else
    fail "python3-pexpect" "/usr/bin/python3 cannot import pexpect" "$(install_hint python3-pexpect)"
fi
# make debug's shell edits lines and keeps history with Python's readline module.
if [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import readline' 2>/dev/null; then
    ok "python3 readline" "make debug's shell has line editing and history"
elif [[ -x /usr/bin/python3 ]]; then
    fail "python3 readline" "/usr/bin/python3 cannot import readline (make debug: no line editing)" \
        "$(install_hint libpython3-stdlib)"
fi

# ------------------------------------------------------------ grading
# The grading sandbox: bubblewrap must start an unprivileged sandbox here.
if have bwrap; then
    if why=$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import sandbox; print(sandbox.available())' "$here" 2>&1) \
            && [[ -z "$why" ]]; then
        ok "bubblewrap" "$(first_line bwrap --version): grading sandbox starts"
    else
        fail "bubblewrap" "the grading sandbox does not start: ${why:0:160}" \
             "user namespaces must be allowed (sysctl user.max_user_namespaces > 0)"
    fi
else
    fail "bubblewrap" "bwrap not found (grade-all, the autograder)" "$(install_hint bubblewrap)"
fi
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
    ok "python3-matplotlib" "the class report can draw its chart"
else
    fail "python3-matplotlib" "/usr/bin/python3 cannot import matplotlib (class report chart)" \
         "$(install_hint python3-matplotlib)"
fi

# -------------------------------------------------------------------- QEMU
if have qemu-system-i386; then
    # Start a machine paused (-S) and quit from the monitor: fails if QEMU
    # cannot find its BIOS or is otherwise broken.
    if echo quit | timeout -k 2 8 qemu-system-i386 -display none -nodefaults -m 16 -S \
            -monitor stdio >qemu.out 2>&1; then
        ok "qemu-system-i386" "$(first_line qemu-system-i386 --version)"
    else
        fail "qemu-system-i386" "does not start: $(grep -m 1 -v '^QEMU' qemu.out | cut -c 1-120)" \
             "$(install_hint qemu-system-x86)"
    fi
else
    fail "qemu-system-i386" "not found" "$(install_hint qemu-system-x86)"
fi

# ------------------------------------------------------------- make, nm, ...
if have make; then ok "make" "$(first_line make --version)"
else fail "make" "not found" "$(install_hint make)"; fi

for tool in nm objdump; do
    if have "$tool"; then ok "$tool" "$(first_line "$tool" --version)"
    else fail "$tool" "not found" "$(install_hint binutils)"; fi
done

if ((failures > 0)); then
    echo "doctor: $failures problem(s) found"
    exit 1
fi
echo "doctor: everything needed is here"
