#include "arch/x86/pic.h"

#include "arch/x86/cpu.h"

namespace {
constexpr uint16_t kMasterCommand = 0x20, kMasterData = 0x21;
constexpr uint16_t kSlaveCommand = 0xA0, kSlaveData = 0xA1;
constexpr uint8_t kEndOfInterrupt = 0x20;
}

namespace pic {

void init()
{
    // ICW1: initialise, ICW4 follows. ICW2: vector base. ICW3: cascade on
    // IRQ 2. ICW4: 8086 mode.
    cpu::outb(kMasterCommand, 0x11);
    cpu::outb(kSlaveCommand, 0x11);
    cpu::outb(kMasterData, 32);
    cpu::outb(kSlaveData, 40);
    cpu::outb(kMasterData, 0x04);
    cpu::outb(kSlaveData, 0x02);
    cpu::outb(kMasterData, 0x01);
    cpu::outb(kSlaveData, 0x01);
    cpu::outb(kMasterData, 0xFB); // all masked but the cascade line
    cpu::outb(kSlaveData, 0xFF);
}

void unmask(unsigned irq)
{
    uint16_t port = irq < 8 ? kMasterData : kSlaveData;
    cpu::outb(port, cpu::inb(port) & ~(1u << (irq & 7)));
}

void end_of_interrupt(unsigned irq)
{
    if (irq >= 8)
        cpu::outb(kSlaveCommand, kEndOfInterrupt);
    cpu::outb(kMasterCommand, kEndOfInterrupt);
}

} // namespace pic
