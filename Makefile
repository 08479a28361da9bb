# Makefile of the vmkit teaching kernel. `make help` lists the targets.
#
# Build flavours (FLAVOUR=...):
#   reference  every lab from solutions/ (the default)
#   student    every lab from labs/ (what a student builds)
#   labN       lab N from labs/, earlier labs from solutions/, later labs
#              from the pristine skeletons (what `make grade LAB=N` uses)

PYTHON   := /usr/bin/python3
FLAVOUR  ?= reference
BUILD    := build/$(FLAVOUR)
KERNEL   := $(BUILD)/kernel.elf
SYMBOLS  := $(BUILD)/kernel.sym
ISO      := $(BUILD)/os.iso

# ---- kernel toolchain: clang + ld.lld, freestanding i686 ----
CXX_K    := clang++
LD_K     := ld.lld
KFLAGS   := --target=i686-unknown-none-elf -march=i686 -std=c++20 -O2 -g \
            -ffreestanding -fno-exceptions -fno-rtti -fno-stack-protector \
            -fno-threadsafe-statics -fno-pic -fno-omit-frame-pointer \
            -mgeneral-regs-only -nostdlib -nostdinc++ \
            -Wall -Wextra -Werror=return-type -Ios
BUILTINS  = $(shell $(CXX_K) --target=i386-linux-gnu --rtlib=compiler-rt -print-libgcc-file-name 2>/dev/null)

# Framework sources: everything in os/ but the host arch layer.
OS_SRCS  := $(shell find os -name '*.cpp' -not -path 'os/arch/host/*' | sort) \
            $(shell find os -name '*.S' | sort)
KTEST_SRCS := $(sort $(wildcard tests/kernel/cases/*.cpp))
LAB_SRCS  = $(shell $(PYTHON) tools/labs.py sources $(FLAVOUR))
KSRCS     = $(OS_SRCS) $(KTEST_SRCS) $(LAB_SRCS)
KOBJS     = $(patsubst %,$(BUILD)/obj/%.o,$(KSRCS))

# ---- host unit tests: clang++ + CppUTest against the simulated MMU ----
CXX_H    := clang++
HFLAGS   := -std=c++20 -g -O1 -DVMKIT_HOST -DCPPUTEST_MEM_LEAK_DETECTION_DISABLED -Ios -Wall -Wextra \
            $(shell pkg-config --cflags cpputest 2>/dev/null)
HLIBS    := $(shell pkg-config --libs cpputest 2>/dev/null || echo -lCppUTest -lCppUTestExt)
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# Framework code that is pure logic and therefore also runs on the host.
HOST_OS_SRCS := os/lib/format.cpp os/kernel/memory_map.cpp os/kernel/heap.cpp os/arch/host/mmu_host.cpp \
                os/vm/globals.cpp os/vm/address_space.cpp os/vm/fault.cpp os/proc/elf.cpp
HOST_SUPPORT := $(sort $(wildcard tests/host/support/*.cpp))

.PHONY: all help setup doctor run run-qemu debug test test-host test-kernel \
        test-debugger test-skeletons test-grading grade bench release clean skeletons check-skeletons autograder

all: setup $(KERNEL) $(SYMBOLS) $(ISO)

help:
	@echo "make [FLAVOUR=reference|student|labN]  build kernel.elf, kernel.sym and os.iso"
	@echo "make run        boot it headless in Bochs, console on the terminal"
	@echo "make run-qemu   boot the same ISO in QEMU"
	@echo "make debug      Bochs with its debugger and the kernel symbols, stopped at reset"
	@echo "                (KCMD='test=...' MEGS=n UNTIL=ticks replay a failed test run)"
	@echo "make test       every test: host, kernel, debugger; ends with 'N passed, N failed'"
	@echo "make test-host | test-kernel | test-debugger   one level (LAB=n for one lab)"
	@echo "make test-grading  the grader under attack: sandbox, lab-code policy, Gradescope bundle"
	@echo "make grade LAB=n  grade lab n of this tree: summary, results.json, junit.xml"
	@echo "make release    the student tree without solutions/ (build/vmkit-student.tar.gz)"
	@echo "make autograder LAB=n  the Gradescope autograder zip of lab n (build/autograder-labN.zip)"
	@echo "make bench      print the benchmark figures (guest instruction counts)"
	@echo "make doctor     check the toolchain and emulators, one line per item"
	@echo "make skeletons  regenerate labs/ from the marked solutions"

setup:
	@tools/setup.sh

doctor:
	@tools/doctor.sh

# ---- kernel build ----
$(BUILD)/obj/%.cpp.o: %.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	@$(CXX_K) $(KFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS    $<"
	@$(CXX_K) --target=i686-unknown-none-elf -march=i686 -c $< -o $@

$(KERNEL): $(KOBJS) os/arch/x86/kernel.ld
	@echo "  LD    $@"
	@$(LD_K) -m elf_i386 -T os/arch/x86/kernel.ld -o $@ $(KOBJS) $(BUILTINS)

# Symbols for the Bochs debugger: "ADDRESS NAME", C++ names demangled and
# cut before their parameter list, so that `lb "FrameArray::allocate"` works.
$(SYMBOLS): $(KERNEL)
	@echo "  SYM   $@"
	@$(PYTHON) tests/harness/symbols.py $< $@

$(ISO): $(KERNEL)
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
USER_LIB_OBJS  := $(patsubst %,$(USER_BUILD)/lib/%.o,$(notdir $(USER_LIB_SRCS)))
USER_PROGRAMS  := $(sort $(basename $(notdir $(wildcard user/programs/*.cpp))))
USER_OBJS      := $(patsubst %,$(USER_BUILD)/obj/%.cpp.o,$(USER_PROGRAMS))
USER_ELFS      := $(patsubst %,$(USER_BUILD)/%.elf,$(USER_PROGRAMS))

.PHONY: user
user: $(USER_ELFS)
all: user
$(ISO): $(USER_ELFS)
.SECONDARY: $(USER_LIB_OBJS) $(USER_OBJS)

$(USER_BUILD)/lib/%.S.o: user/lib/%.S
	@mkdir -p $(dir $@)
	@echo "  AS    $<"
	@$(CXX_K) --target=i686-unknown-none-elf -march=i686 -c $< -o $@

$(USER_BUILD)/lib/%.cpp.o: user/lib/%.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	@$(CXX_K) $(UFLAGS) -MMD -MP -c $< -o $@

$(USER_BUILD)/lib/%.cpp.o: os/lib/%.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $< (user)"
	@$(CXX_K) $(UFLAGS) -MMD -MP -c $< -o $@

$(USER_BUILD)/obj/%.cpp.o: user/programs/%.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	@$(CXX_K) $(UFLAGS) -MMD -MP -c $< -o $@

$(USER_BUILD)/%.elf: $(USER_BUILD)/obj/%.cpp.o $(USER_LIB_OBJS) user/user.ld
	@echo "  LD    $@"
	@$(LD_K) -m elf_i386 -T user/user.ld -o $@ $(USER_LIB_OBJS) $< $(BUILTINS)

-include $(shell find $(USER_BUILD) -name '*.d' 2>/dev/null)

# Pristine skeletons for the labN flavours (labs after N).
build/skeletons/%: solutions/%
	@$(PYTHON) tools/mkskeleton.py --file $< $@

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- running ----
MEGS    ?= 32
KCMD    ?=
UNTIL   ?=
BUDGET  ?=
run: all
	$(PYTHON) tools/bochs-run run --kernel $(KERNEL) --megs $(MEGS) $(if $(KCMD),--cmdline "$(KCMD)") \
	    $(if $(BUDGET),--budget $(BUDGET))

run-qemu: all
	timeout 60 qemu-system-i386 -cdrom $(ISO) -display none -serial stdio -no-reboot -m $(MEGS) \
	    -device isa-debug-exit,iobase=0xf4,iosize=0x04 || test $$? -eq 33

debug: all
	$(PYTHON) tools/bochs-run debug --kernel $(KERNEL) --megs $(MEGS) $(if $(KCMD),--cmdline "$(KCMD)") \
	    $(if $(UNTIL),--until $(UNTIL))

# ---- tests ----
LAB ?=
RESULTS := build/results

test: setup
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	-@$(MAKE) --no-print-directory test-host
	-@$(MAKE) --no-print-directory test-kernel
	-@$(MAKE) --no-print-directory test-debugger
	-@$(MAKE) --no-print-directory test-skeletons
	-@$(MAKE) --no-print-directory test-grading
	@$(PYTHON) tools/summary.py $(RESULTS)

test-host: setup
	@mkdir -p $(RESULTS)
	@$(PYTHON) tools/host-tests.py --flavour $(FLAVOUR) $(if $(LAB),--lab $(LAB)) --results $(RESULTS)

test-kernel: all
	@mkdir -p $(RESULTS)
	@$(PYTHON) tests/kernel/run.py --flavour $(FLAVOUR) $(if $(LAB),--lab $(LAB),--all) \
	    --junit $(RESULTS)/kernel.xml

test-debugger: all
	@mkdir -p $(RESULTS)
	@$(PYTHON) tests/debugger/run.py --flavour $(FLAVOUR) $(if $(LAB),--lab $(LAB),--all) \
	    --junit $(RESULTS)/debugger.xml

# Host test binaries, built by tools/host-tests.py through these rules:
# build/host/<flavour>/<dir>/tests and .../tests-asan
build/host/$(FLAVOUR)/%/tests: FORCE
	@mkdir -p $(dir $@)
	$(CXX_H) $(HFLAGS) -o $@ $(sort $(wildcard tests/host/$*/*.cpp)) $(HOST_SUPPORT) $(HOST_OS_SRCS) \
	    $(shell $(PYTHON) tools/labs.py host-sources $(FLAVOUR) $*) $(HLIBS)
build/host/$(FLAVOUR)/%/tests-asan: FORCE
	@mkdir -p $(dir $@)
	$(CXX_H) $(HFLAGS) $(SANITIZE) -o $@ $(sort $(wildcard tests/host/$*/*.cpp)) $(HOST_SUPPORT) \
	    $(HOST_OS_SRCS) $(shell $(PYTHON) tools/labs.py host-sources $(FLAVOUR) $*) $(HLIBS)
FORCE:


# ---- skeletons ----
skeletons:
	$(PYTHON) tools/mkskeleton.py --all

check-skeletons:
	$(PYTHON) tools/mkskeleton.py --all --check

# The student tree, without solutions/: build/vmkit-student.tar.gz
release:
	@tools/release.sh build/vmkit-student.tar.gz

# The Gradescope autograder bundle of lab n: build/autograder-labN.zip
autograder:
	@test -n "$(LAB)" || { echo "usage: make autograder LAB=n"; exit 2; }
	@tools/autograder/make-bundle.sh $(LAB) build/autograder-lab$(LAB).zip

# Figures (instruction counts from Bochs), never thresholds.
bench: all
	@$(PYTHON) tests/bench/run.py

# Host objects of single sources, e.g. of the lab files for the lab-code policy
# check (tools/lab-policy.py reads their external symbols): build/host/obj/plain/labs/labN/*.cpp.o
build/host/obj/plain/%.cpp.o: %.cpp
	@mkdir -p $(dir $@)
	@$(CXX_H) $(HFLAGS) -MMD -MP -c $< -o $@
-include $(shell find build/host/obj/plain -name '*.d' 2>/dev/null)

# Grade one lab: build/grade/labN/{summary.txt,results.json,junit.xml}.
grade: setup
	@test -n "$(LAB)" || { echo "usage: make grade LAB=n"; exit 2; }
	@$(PYTHON) tools/grade.py --lab $(LAB)

# Every lab's own tests must fail on its skeleton (and labs/ must be fresh).
test-skeletons: setup
	@mkdir -p $(RESULTS)
	@test -d solutions || { echo "test-skeletons: no solutions/ in this tree (student release): skipped"; exit 0; }; \
	$(PYTHON) tools/skeleton-check.py $(if $(LAB),--lab $(LAB)) --junit $(RESULTS)/skeletons.xml

# The grader under attack: a class of the reference and one submission per
# known cheat, the sandbox's promises, the Gradescope bundle (tests/grading/).
test-grading: setup
	@mkdir -p $(RESULTS)
	@test -d solutions || { echo "test-grading: no solutions/ in this tree (student release): skipped"; exit 0; }; \
	$(PYTHON) tests/grading/run.py --junit $(RESULTS)/grading.xml

clean:
	rm -rf build
