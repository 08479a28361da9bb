// privileged: one forbidden operation, named by `op=`. The kernel must kill
// the process on the spot (faulty-parent checks wait's status); reaching the
// line after the operation is a failure.
//
//   op            what it does                          the CPU raises
//   cli           clear the interrupt flag (IOPL 0)     #GP
//   hlt           halt the CPU                          #GP
//   in            read I/O port 0x60                    #GP
//   cr3           read control register 3               #GP
//   kernel-jump   jump to the kernel's code             #PF (supervisor page)
//   kernel-read   read a word of the kernel's image     #PF (supervisor page)
//   div0          divide by zero                        #DE
//   gp            load a selector past the GDT's end    #GP
#include "program.h"

namespace {

constexpr uint32_t kKernelAddress = 0xC0100000;

void op_cli() { asm volatile("cli"); }
void op_hlt() { asm volatile("hlt"); }
void op_in()
{
    uint8_t v;
    asm volatile("inb $0x60, %0" : "=a"(v));
}
void op_cr3()
{
    uint32_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
}
void op_kernel_jump() { asm volatile("call *%0" : : "r"(kKernelAddress) : "memory"); }
void op_kernel_read()
{
    uint32_t v;
    asm volatile("movl (%1), %0" : "=r"(v) : "r"(kKernelAddress) : "memory");
}
void op_div0()
{
    uint32_t quotient, remainder;
    asm volatile("divl %4" : "=a"(quotient), "=d"(remainder) : "a"(1), "d"(0), "c"(0));
}
void op_gp()
{
    // Index 8191 of the GDT, requested privilege 3: no kernel has a GDT that long.
    asm volatile("movw %0, %%gs" : : "r"(uint16_t(0xFFFB)));
}

struct Op {
    const char* name;
    void (*run)();
};
const Op kOps[] = {
    { "cli", op_cli },
    { "hlt", op_hlt },
    { "in", op_in },
    { "cr3", op_cr3 },
    { "kernel-jump", op_kernel_jump },
    { "kernel-read", op_kernel_read },
    { "div0", op_div0 },
    { "gp", op_gp },
};

} // namespace

int main(const char* args)
{
    verdict_init(args);
    ArgValue op = arg(args, "op");
    for (const Op& o : kOps) {
        if (op.is(o.name)) {
            printf("privileged: pid %d tries %s\n", sys::getpid(), o.name);
            o.run();
            check("should-not-reach", false, "op=%s did not kill the process", o.name);
            return 2;
        }
    }
    char name[32] = "";
    op.copy_to(name, sizeof name);
    check("op-known", false, "unknown op '%s' (args '%s')", name, args);
    return 3;
}
