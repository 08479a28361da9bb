# Makefile of the vmkit teaching kernel. `make help` lists the targets.
#
# Build flavours (FLAVOUR=...):
#   reference  every lab's reference code (the default)
#   student    every lab from labs/ (what a student builds)
#   labN       lab N from labs/, earlier labs from the reference, later labs
#              from the pristine skeletons (what `make grade LAB=N` uses)
# The reference is solutions/ in the course tree and the prebuilt objects of
# reference/ in the student release (tools/labs.py, README.md).

PYTHON   := /usr/bin/python3
FLAVOUR  ?= reference
BUILD    := build/$(FLAVOUR)
# Objects depend on their source, never on the flavour: one copy of each in
# build/kobj (kernel) and build/uobj (user programs), shared by every flavour.
KOBJ     := build/kobj
UOBJ     := build/uobj

# Parallel builds by default, one job per core. MAKEFLAGS is not exported:
# the tools run make again from Python, where a parent's jobserver is out
# of reach, so each make sets its own -j (command-line variables still
# reach sub-makes through the environment).
ifeq ($(filter -j% j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif
unexport MAKEFLAGS
KERNEL   := $(BUILD)/kernel.elf
SYMBOLS  := $(BUILD)/kernel.sym
ISO      := $(BUILD)/os.iso

# ccache in front of the compilers when installed (CCACHE= turns it off; the
# grading sandbox does). Objects carry no path of their tree
# (-fdebug-compilation-dir=., CCACHE_NOHASHDIR), so the release check's and
# the grader's trees hit the objects the course tree compiled.
ifeq ($(origin CCACHE),undefined)
CCACHE   := $(shell command -v ccache 2>/dev/null)
endif
ifneq ($(CCACHE),)
export CCACHE_NOHASHDIR := 1
export CCACHE_BASEDIR := $(CURDIR)
endif
DEBUG_DIR := -fdebug-compilation-dir=.

# ---- kernel toolchain: clang + ld.lld, freestanding i686 ----
CXX_K    := $(CCACHE) clang++
LD_K     := ld.lld
KFLAGS   := --target=i686-unknown-none-elf -march=i686 -std=c++20 -O2 -g $(DEBUG_DIR) \
            -ffreestanding -fno-exceptions -fno-rtti -fno-stack-protector \
            -fno-threadsafe-statics -fno-pic -fno-omit-frame-pointer \
            -mgeneral-regs-only -nostdlib -nostdinc++ \
            -Wall -Wextra -Werror=return-type -Ios
# compiler-rt's builtins (__udivdi3, ...), asked of clang once, at the first
# link that needs them (a plain `=` would ask again for every program linked).
BUILTINS = $(eval BUILTINS := $(shell clang++ --target=i386-linux-gnu --rtlib=compiler-rt \
               -print-libgcc-file-name 2>/dev/null))$(BUILTINS)

# Framework sources: everything in os/ but the host arch layer.
OS_SRCS  := $(shell find os -name '*.cpp' -not -path 'os/arch/host/*' | sort) \
            $(shell find os -name '*.S' | sort)
KTEST_SRCS := $(sort $(wildcard tests/kernel/cases/*.cpp))
LAB_SRCS  = $(shell $(PYTHON) tools/labs.py sources $(FLAVOUR))
LAB_OBJS  = $(shell $(PYTHON) tools/labs.py objects $(FLAVOUR))
KSRCS     = $(OS_SRCS) $(KTEST_SRCS) $(LAB_SRCS)
KOBJS     = $(patsubst %,$(KOBJ)/%.o,$(KSRCS)) $(LAB_OBJS)

# ---- host unit tests: clang++ + CppUTest against the simulated MMU ----
CXX_H    := $(CCACHE) clang++
HFLAGS   := -std=c++20 -g $(DEBUG_DIR) -O1 -DVMKIT_HOST -DCPPUTEST_MEM_LEAK_DETECTION_DISABLED -Ios -Wall -Wextra \
            $(shell pkg-config --cflags cpputest 2>/dev/null)
HLIBS    := $(shell pkg-config --libs cpputest 2>/dev/null || echo -lCppUTest -lCppUTestExt)
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# Framework code that is pure logic and therefore also runs on the host.
HOST_OS_SRCS := os/lib/format.cpp os/lib/verify.cpp os/kernel/memory_map.cpp os/kernel/heap.cpp os/arch/host/mmu_host.cpp \
                os/vm/globals.cpp os/vm/address_space.cpp os/vm/fault.cpp os/proc/elf.cpp \
                os/vm/free_ranges.cpp os/vm/pager_table.cpp
HOST_SUPPORT := $(sort $(wildcard tests/host/support/*.cpp))

.PHONY: all help setup doctor run run-qemu debug test test-host test-kernel \
        test-debugger test-harness test-skeletons test-release test-grading grade bench release clean \
        skeletons check-skeletons memmap autograder

all: setup $(KERNEL) $(SYMBOLS) $(ISO)

help:
	@echo "make [FLAVOUR=reference|student|labN]  build kernel.elf, kernel.sym and os.iso"
	@echo "make run        boot it headless in Bochs, console on the terminal"
	@echo "make run-qemu   boot the same ISO in QEMU"
	@echo "make debug      Bochs with its debugger and the kernel symbols, stopped at reset,"
	@echo "                plus vm commands (vm help; RAW=1 for the bare debugger)"
	@echo "                (KCMD='test=...' MEGS=n UNTIL=ticks BOOT=shim|grub replay a failed test run)"
	@echo "make test       every test: host, kernel, debugger, harness, release, grader; ends with"
	@echo "                'N passed, N failed' (LAB=n: lab n's host, kernel and debugger tests)"
	@echo "make test-host | test-kernel | test-debugger   one level (LAB=n for one lab)"
	@echo "                ONLY=text: only the tests of that name (host: Group.Name contains text)"
	@echo "                ASAN=1: test-host also with AddressSanitizer + UBSan"
	@echo "make test-harness  self-tests of the harness and the boot path"
	@echo "make grade LAB=n  grade lab n of this tree: summary, results.json, junit.xml"
	@echo "make release    the student tree without solutions/ (build/vmkit-student.tar.gz)"
	@echo "make test-release  build the release, unpack it, grade every lab there (part of make test)"
	@echo "make test-grading  the grader under attack: sandbox, lab-code policy, Gradescope bundle"
	@echo "make autograder LAB=n  the Gradescope autograder zip of lab n (build/autograder-labN.zip)"
	@echo "make bench      print the benchmark figures (guest instruction counts)"
	@echo "make memmap     lab 5: picture of the frame array and recency list (AT=symbol HITS=n PASS=1)"
	@echo "make doctor     check the toolchain and emulators, one line per item"
	@echo "make skeletons  regenerate labs/ from the marked solutions"

setup:
	@tools/setup.sh

doctor:
	@tools/doctor.sh

# ---- kernel build ----
$(KOBJ)/%.cpp.o: %.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	@$(CXX_K) $(KFLAGS) -MMD -MP -c $< -o $@

$(KOBJ)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS    $<"
	@$(CXX_K) --target=i686-unknown-none-elf -march=i686 -c $< -o $@

$(KERNEL): $(KOBJS) os/arch/x86/kernel.ld
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(LD_K) -m elf_i386 --orphan-handling=error -T os/arch/x86/kernel.ld -o $@ $(KOBJS) $(BUILTINS)

# Symbols for the Bochs debugger: "ADDRESS NAME", C++ names demangled and
# cut before their parameter list, so that `lb "FrameArray::allocate"` works.
$(SYMBOLS): $(KERNEL)
	@echo "  SYM   $@"
	@$(PYTHON) tests/harness/symbols.py $< $@

$(ISO): $(KERNEL) tools/mkiso tests/harness/bootimage.py
	@echo "  ISO   $@"
	@tools/mkiso $< $@

# ---- user programs: user/programs/<name>.cpp -> build/<flavour>/user/<name>.elf ----
# Each program is linked with the user library (user/lib/ plus the kernel's
# freestanding format.cpp and string.cpp, compiled again with the user flags)
# at 0x00400000 (user/user.ld). tools/mkiso puts every build/<flavour>/user/*.elf
# into the ISO as a Multiboot module named after the program.
USER_BUILD  := $(BUILD)/user
UFLAGS      := --target=i686-unknown-none-elf -march=i686 -std=c++20 -O2 \
               -ffreestanding -fno-exceptions -fno-rtti -fno-stack-protector -fno-pic \
               -fno-threadsafe-statics -fno-asynchronous-unwind-tables \
               -mgeneral-regs-only -nostdlib -nostdinc++ -Wall -Wextra -Werror=return-type \
               -Ios -Iuser/lib
USER_LIB_SRCS  := user/lib/crt0.S $(sort $(wildcard user/lib/*.cpp)) os/lib/format.cpp os/lib/string.cpp
USER_LIB_OBJS  := $(patsubst %,$(UOBJ)/lib/%.o,$(notdir $(USER_LIB_SRCS)))
USER_PROGRAMS  := $(sort $(basename $(notdir $(wildcard user/programs/*.cpp))))
USER_OBJS      := $(patsubst %,$(UOBJ)/obj/%.cpp.o,$(USER_PROGRAMS))
USER_ELFS      := $(patsubst %,$(USER_BUILD)/%.elf,$(USER_PROGRAMS))

.PHONY: user
user: $(USER_ELFS)
all: user
$(ISO): $(USER_ELFS)
.SECONDARY: $(USER_LIB_OBJS) $(USER_OBJS)

$(UOBJ)/lib/%.S.o: user/lib/%.S
	@mkdir -p $(dir $@)
	@echo "  AS    $<"
	@$(CXX_K) --target=i686-unknown-none-elf -march=i686 -c $< -o $@

$(UOBJ)/lib/%.cpp.o: user/lib/%.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	@$(CXX_K) $(UFLAGS) -MMD -MP -c $< -o $@

$(UOBJ)/lib/%.cpp.o: os/lib/%.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $< (user)"
	@$(CXX_K) $(UFLAGS) -MMD -MP -c $< -o $@

$(UOBJ)/obj/%.cpp.o: user/programs/%.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	@$(CXX_K) $(UFLAGS) -MMD -MP -c $< -o $@

$(USER_BUILD)/%.elf: $(UOBJ)/obj/%.cpp.o $(USER_LIB_OBJS) user/user.ld
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(LD_K) -m elf_i386 -T user/user.ld -o $@ $(USER_LIB_OBJS) $< $(BUILTINS)

-include $(shell find $(UOBJ) -name '*.d' 2>/dev/null)

# Pristine skeletons for the labN flavours (labs after N), course tree only.
build/skeletons/%: solutions/%
	@$(PYTHON) tools/mkskeleton.py --file $< $@
.PRECIOUS: build/skeletons/%

-include $(shell find $(KOBJ) -name '*.d' 2>/dev/null)

# ---- running ----
MEGS    ?= 32
KCMD    ?=
UNTIL   ?=
BUDGET  ?=
SWAP    ?=
# BOOT=grub|shim: the boot path. run and debug default to grub (BIOS, GRUB);
# the test runners default to shim (BIOS, the option-ROM Multiboot shim).
BOOT    ?=
run: all
	$(PYTHON) tools/bochs-run run --kernel $(KERNEL) --megs $(MEGS) $(if $(KCMD),--cmdline "$(KCMD)") \
	    $(if $(BUDGET),--budget $(BUDGET)) $(if $(SWAP),--swap $(SWAP)) $(if $(BOOT),--boot $(BOOT))

run-qemu: all
	timeout 60 qemu-system-i386 -cdrom $(ISO) -display none -serial stdio -no-reboot -m $(MEGS) \
	    -device isa-debug-exit,iobase=0xf4,iosize=0x04 || test $$? -eq 33

debug: all
	$(PYTHON) tools/bochs-run debug --kernel $(KERNEL) --megs $(MEGS) $(if $(KCMD),--cmdline "$(KCMD)") \
	    $(if $(UNTIL),--until $(UNTIL)) $(if $(RAW),--raw) $(if $(SWAP),--swap $(SWAP)) $(if $(BOOT),--boot $(BOOT))

# ---- tests ----
LAB  ?=
ONLY ?=
ASAN ?=
RESULTS := build/results

# Every level (tools/test-all.py: the shared builds first, then two levels at
# a time); with LAB=n, that lab's host, kernel and debugger tests only (a
# student's loop): the harness, release and grader self-tests belong to the
# whole suite.
test: setup
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
ifeq ($(LAB),)
	-@$(PYTHON) tools/test-all.py --results $(RESULTS)
else
	-@$(MAKE) --no-print-directory test-host ASAN=1
	-@$(MAKE) --no-print-directory test-kernel
	-@$(MAKE) --no-print-directory test-debugger
endif
	@$(PYTHON) tools/summary.py $(RESULTS)

test-host: setup
	@mkdir -p $(RESULTS)
	@$(PYTHON) tools/host-tests.py --flavour $(FLAVOUR) $(if $(LAB),--lab $(LAB)) --results $(RESULTS) \
	    $(if $(ASAN),--asan) $(if $(ONLY),--only '$(ONLY)')

test-kernel: all
	@mkdir -p $(RESULTS)
	@$(PYTHON) tests/kernel/run.py --flavour $(FLAVOUR) $(if $(LAB),--lab $(LAB),--all) \
	    $(if $(ONLY),--only '$(ONLY)') --junit $(RESULTS)/kernel.xml

test-debugger: all
	@mkdir -p $(RESULTS)
	@status=0; $(PYTHON) tests/debugger/run.py --flavour $(FLAVOUR) $(if $(LAB),--lab $(LAB),--all) \
	    $(if $(ONLY),--only '$(ONLY)') --junit $(RESULTS)/debugger.xml || status=1; \
	$(if $(LAB)$(ONLY),,$(PYTHON) tests/debugger/shell_tests.py --junit $(RESULTS)/debugger-shell.xml || status=1;) \
	$(if $(LAB)$(ONLY),,if test -d solutions; then $(PYTHON) tools/handout-sessions.py \
	    --junit $(RESULTS)/debugger-handouts.xml || status=1; fi;) \
	exit $$status

# Self-tests of the harness and the boot path (command-line quoting through
# GRUB, dropped modules, missing verdicts, replays that stop where the run did).
test-harness: all
	@mkdir -p $(RESULTS)
	@$(PYTHON) tests/harness/selftest.py --flavour $(FLAVOUR) --junit $(RESULTS)/harness.xml

# Host test binaries, built by tools/host-tests.py through these rules:
# build/host/<flavour>/<dir>/tests (plain) and .../tests-asan (AddressSanitizer
# + UBSan). Objects are built once per source and variant, with dependency
# files, in build/host/obj/{plain,asan}/ (a source's object does not depend on
# the flavour: the flavour only chooses which lab sources go in); prebuilt
# reference objects (release tree) are linked as they are.
HOST_OBJ := build/host/obj
host_srcs = $(sort $(wildcard tests/host/$(1)/*.cpp)) $(HOST_SUPPORT) $(HOST_OS_SRCS) \
            $(shell $(PYTHON) tools/labs.py host-sources $(FLAVOUR) $(1))
host_objs = $(patsubst %,$(HOST_OBJ)/$(2)/%.o,$(call host_srcs,$(1))) \
            $(shell $(PYTHON) tools/labs.py host-objects $(FLAVOUR) $(1) $(2))

$(HOST_OBJ)/plain/%.cpp.o: %.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $< (host)"
	@$(CXX_H) $(HFLAGS) -MMD -MP -c $< -o $@
$(HOST_OBJ)/asan/%.cpp.o: %.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $< (host, asan)"
	@$(CXX_H) $(HFLAGS) $(SANITIZE) -MMD -MP -c $< -o $@
# Every host object that can exist, named here so that make treats none as
# an intermediate file (which it would delete, and not rebuild when missing).
HOST_KNOWN := $(sort $(wildcard tests/host/*/*.cpp) $(HOST_OS_SRCS) $(wildcard labs/lab*/*.cpp) \
                $(wildcard solutions/lab*/*.cpp reference/skeletons/lab*/*.cpp) \
                $(patsubst solutions/%,build/skeletons/%,$(wildcard solutions/lab*/*.cpp)))
.PHONY: host-known-objects
host-known-objects: $(foreach v,plain asan,$(patsubst %,$(HOST_OBJ)/$(v)/%.o,$(HOST_KNOWN)))
ifneq ($(filter build/host/%,$(MAKECMDGOALS)),)
-include $(shell find $(HOST_OBJ) -name '*.d' 2>/dev/null)
endif

.SECONDEXPANSION:
build/host/$(FLAVOUR)/%/tests: $$(call host_objs,$$*,plain)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CXX_H) $(HFLAGS) -o $@ $^ $(HLIBS)
build/host/$(FLAVOUR)/%/tests-asan: $$(call host_objs,$$*,asan)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CXX_H) $(HFLAGS) $(SANITIZE) -o $@ $^ $(HLIBS)


# ---- skeletons ----
skeletons:
	$(PYTHON) tools/mkskeleton.py --all

check-skeletons:
	$(PYTHON) tools/mkskeleton.py --all --check

# The student tree, without solutions/: build/vmkit-student.tar.gz
release:
	@tools/release.sh build/vmkit-student.tar.gz

# Lab 5: a picture of the frame array and the recency list at a breakpoint
# (build/memmap.svg; PASS=1: before and after one collection pass).
AT    ?= vm::scan_process
HITS  ?= 1
memmap: all
	$(PYTHON) tools/memmap.py --kernel $(KERNEL) --megs $(if $(filter 32,$(MEGS)),8,$(MEGS)) \
	    --swap $(if $(SWAP),$(SWAP),32) --at "$(AT)" --hits $(HITS) $(if $(PASS),--pass) \
	    $(if $(KCMD),--cmdline "$(KCMD)")

# The Gradescope autograder bundle of lab n: build/autograder-labN.zip
autograder:
	@test -n "$(LAB)" || { echo "usage: make autograder LAB=n"; exit 2; }
	@tools/autograder/make-bundle.sh $(LAB) build/autograder-lab$(LAB).zip

# Figures (instruction counts from Bochs), never thresholds.
bench: all
	@SUITE_RUNS=$(SUITE_RUNS) $(PYTHON) tests/bench/run.py

# Grade one lab: build/grade/labN/{summary.txt,results.json,junit.xml}.
grade: setup
	@test -n "$(LAB)" || { echo "usage: make grade LAB=n"; exit 2; }
	@$(PYTHON) tools/grade.py --lab $(LAB)

# Every lab's own tests must fail on its skeleton (and labs/ must be fresh).
# `make test` runs it with FRESH_ONLY=1: test-release grades every skeleton
# on the real release and applies the same rule there.
test-skeletons: setup
	@mkdir -p $(RESULTS)
	@test -d solutions || { echo "test-skeletons: no solutions/ in this tree (student release): skipped"; exit 0; }; \
	$(PYTHON) tools/skeleton-check.py $(if $(LAB),--lab $(LAB)) $(if $(FRESH_ONLY),--fresh-only) \
	    --junit $(RESULTS)/skeletons.xml

# The student release works on its own: tools/release-check.py (course tree only).
test-release: setup
	@mkdir -p $(RESULTS)
	@$(PYTHON) tools/release-check.py --junit $(RESULTS)/release.xml

# The grader under attack: a class of the reference and one submission per
# known cheat, the sandbox's promises, the Gradescope bundle (tests/grading/).
test-grading: setup
	@mkdir -p $(RESULTS)
	@test -d solutions || { echo "test-grading: no solutions/ in this tree (student release): skipped"; exit 0; }; \
	$(PYTHON) tests/grading/run.py --junit $(RESULTS)/grading.xml

clean:
	rm -rf build
