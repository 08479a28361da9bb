#include "arch/x86/pit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/pic.h"
#include "arch/x86/trap.h"

namespace {
constexpr uint32_t kInputHz = 1193182;
volatile uint64_t g_ticks;
pit::TickHook g_hook;

void on_tick(TrapFrame&)
{
    g_ticks = g_ticks + 1;
    if (g_hook)
        g_hook();
}
}

namespace pit {

void init()
{
    uint32_t divisor = kInputHz / kHz;
    cpu::outb(0x43, 0x36); // channel 0, lobyte/hibyte, mode 3 (square wave)
    cpu::outb(0x40, divisor & 0xff);
    cpu::outb(0x40, divisor >> 8);
    trap::set_irq_handler(0, on_tick);
    pic::unmask(0);
}

uint64_t ticks() { return g_ticks; }
void set_tick_hook(TickHook hook) { g_hook = hook; }

} // namespace pit
