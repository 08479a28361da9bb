// power.h: turning the machine off so that the emulator exits by itself.
#pragma once

namespace power {
// Drain the serial line, then ask Bochs and QEMU to stop. Never returns.
[[noreturn]] void off();
}
