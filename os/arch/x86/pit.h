// pit.h: the 8253/8254 programmable interval timer on IRQ 0.
#pragma once

#include <stdint.h>

namespace pit {
constexpr uint32_t kHz = 100; // ticks per second

// Program channel 0 to fire kHz times a second and install the IRQ handler.
void init();
// Timer interrupts since boot.
uint64_t ticks();
// Called on every tick after the count is updated (the scheduler hooks in here).
using TickHook = void (*)();
void set_tick_hook(TickHook hook);
}
