#include "arch/x86/serial.h"

#include "arch/x86/cpu.h"

namespace {
constexpr uint16_t kCom1 = 0x3F8;
constexpr uint16_t kDebugPort = 0xE9;
constexpr uint8_t kLineStatus = 5;
constexpr uint8_t kTransmitHoldingEmpty = 0x20;
constexpr uint8_t kTransmitterEmpty = 0x40;
char g_last = '\n'; // the last byte sent

void put(char c)
{
    while (!(cpu::inb(kCom1 + kLineStatus) & kTransmitHoldingEmpty)) { }
    cpu::outb(kCom1, uint8_t(c));
    cpu::outb(kDebugPort, uint8_t(c));
}
}

namespace serial {

void init()
{
    cpu::outb(kCom1 + 1, 0x00); // no interrupts
    cpu::outb(kCom1 + 3, 0x80); // DLAB on: set the divisor
    cpu::outb(kCom1 + 0, 0x01); // 115200 baud
    cpu::outb(kCom1 + 1, 0x00);
    cpu::outb(kCom1 + 3, 0x03); // 8 bits, no parity, one stop bit
    cpu::outb(kCom1 + 2, 0xC7); // FIFO on, cleared
    cpu::outb(kCom1 + 4, 0x03); // DTR, RTS
}

void write(const char* bytes, size_t n, bool own_line)
{
    bool was_on = cpu::interrupts_enabled();
    cpu::cli();
    if (own_line && n && g_last != '\n')
        put('\n');
    for (size_t i = 0; i < n; ++i)
        put(bytes[i]);
    if (n)
        g_last = bytes[n - 1];
    if (was_on)
        cpu::sti();
}

void drain()
{
    while (!(cpu::inb(kCom1 + kLineStatus) & kTransmitterEmpty)) { }
}

} // namespace serial
