// main.cpp: kernel_main, the first C++ code to run (called from boot.S).
//
// Boot order:
//   1. the serial console, so that everything after can talk;
//   2. GDT + TSS, IDT, PIC: exceptions are reported from here on;
//   3. the Multiboot information: command line, memory map, modules;
//   4. the kernel's memory: page directory, reservations, heap;
//   5. global constructors, the timer, interrupts on;
//   6. the VMM layers of the labs (vm::init), threads, processes, system calls;
//   7. what the command line asks for: one kernel test, or the demo boot.
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/pic.h"
#include "arch/x86/pit.h"
#include "arch/x86/power.h"
#include "arch/x86/serial.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/kernel_memory.h"
#include "kernel/ktest.h"
#include "kernel/multiboot.h"
#include "lib/verify.h"
#include "proc/process.h"
#include "proc/syscall.h"
#include "proc/thread.h"
#include "vm/vm.h"

void run_global_constructors();

namespace {
BootInfo g_boot;
}

const BootInfo& boot_info() { return g_boot; }

extern "C" void kernel_main(uint32_t magic, uint32_t info_physical)
{
    // Under Bochs the TSC counts guest instructions since reset.
    uint64_t tsc_at_entry = cpu::rdtsc();
    serial::init();
    kprintf("\nvmkit kernel booting (%llu instructions since reset)\n", (unsigned long long)tsc_at_entry);
    VERIFY_MSG(magic == multiboot::kBootloaderMagic, "not started by a Multiboot loader (magic 0x%08x)", magic);

    gdt::init();
    idt::init();
    pic::init();

    read_boot_info(info_physical, g_boot);
    kprintf("command line: '%s'\n", cmdline::text());
    print_boot_info(g_boot);
    kernel_memory::init(g_boot);

    run_global_constructors();
    pit::init();
    cpu::sti();

    vm::init(g_boot.memory);
    sched::init();
    process::init();
    syscall::init();

    const char* test = cmdline::get("test");
    if (test) {
        if (!ktest::run(test))
            ktest::check("test-exists", false, "no kernel test named '%s'", test);
    } else {
        kprintf("vmkit: boot complete; %llu KiB usable RAM, heap %u KiB free. Powering off.\n",
            (unsigned long long)(kernel_memory::firmware_usable_bytes() >> 10),
            unsigned(kernel_heap().bytes_free() >> 10));
    }
    power::off();
}
