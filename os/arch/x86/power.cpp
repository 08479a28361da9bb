#include "arch/x86/power.h"

#include "arch/x86/cpu.h"
#include "arch/x86/serial.h"

namespace power {

void off()
{
    serial::drain();
    cpu::cli();
    // Bochs: the string "Shutdown" on its power-management port.
    for (const char* p = "Shutdown"; *p; ++p)
        cpu::outb(0x8900, uint8_t(*p));
    // QEMU with -device isa-debug-exit,iobase=0xf4: exits with status (v<<1)|1.
    cpu::outb(0xf4, 0x10);
    // ACPI soft-off (SLP_TYPa=5 | SLP_EN) on the PM1a control ports that
    // Bochs's BIOS and QEMU's piix4 use.
    cpu::outw(0xB004, 0x2000);
    cpu::outw(0x604, 0x2000);
    cpu::halt_forever();
}

} // namespace power
