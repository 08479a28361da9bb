#include "drivers/ata.h"

#include "arch/x86/cpu.h"
#include "arch/x86/pic.h"
#include "arch/x86/trap.h"
#include "lib/verify.h"

namespace {

constexpr uint16_t kData = 0x1F0, kError = 0x1F1, kCount = 0x1F2, kLba0 = 0x1F3, kLba1 = 0x1F4, kLba2 = 0x1F5,
                   kDrive = 0x1F6, kStatus = 0x1F7, kCommand = 0x1F7, kControl = 0x3F6;
constexpr uint8_t kBusy = 0x80, kFault = 0x20, kDataRequest = 0x08, kErr = 0x01;
constexpr uint8_t kReadSectors = 0x20, kWriteSectors = 0x30, kIdentify = 0xEC;
constexpr uint8_t kSlaveLba = 0xF0; // LBA mode, drive 1
constexpr uint8_t kInterruptsOff = 0x02;
constexpr unsigned kIrq = 14;
constexpr uint32_t kWordsPerSector = ata::kSectorSize / 2;
constexpr uint32_t kPollLimit = 1000000;

bool g_present;
uint32_t g_sectors;
ata::Request* g_head; // in flight (first) and queued behind it
ata::Request* g_tail;
uint32_t g_pending;
uint32_t g_interrupts;

// Wait until the drive is not busy; its status, or 0xFF if it never is.
uint8_t wait_not_busy()
{
    for (uint32_t i = 0; i < kPollLimit; ++i) {
        uint8_t s = cpu::inb(kStatus);
        if (!(s & kBusy))
            return s;
    }
    return 0xFF;
}

void program(const ata::Request* r)
{
    wait_not_busy();
    cpu::outb(kDrive, uint8_t(kSlaveLba | ((r->lba >> 24) & 0x0F)));
    cpu::outb(kCount, uint8_t(r->sectors)); // 0 means 256
    cpu::outb(kLba0, uint8_t(r->lba));
    cpu::outb(kLba1, uint8_t(r->lba >> 8));
    cpu::outb(kLba2, uint8_t(r->lba >> 16));
    cpu::outb(kCommand, r->op == ata::Request::Op::Read ? kReadSectors : kWriteSectors);
    if (r->op == ata::Request::Op::Write) {
        // The first sector goes out now; the drive interrupts after each one.
        uint8_t s = wait_not_busy();
        while (!(s & (kDataRequest | kErr | kFault)))
            s = cpu::inb(kStatus);
        if (s & kDataRequest)
            cpu::outsw(kData, r->buffer, kWordsPerSector);
    }
}

void finish(bool ok)
{
    ata::Request* r = g_head;
    g_head = r->next;
    if (!g_head)
        g_tail = nullptr;
    r->next = nullptr;
    --g_pending;
    if (g_head)
        program(g_head);
    r->done(r, ok); // last: it may submit more
}

void on_interrupt(TrapFrame&)
{
    ++g_interrupts;
    uint8_t status = cpu::inb(kStatus); // reading it acknowledges the interrupt
    ata::Request* r = g_head;
    if (!r)
        return; // nothing asked for (the CD on the same channel, or a stray)
    if (status & (kErr | kFault)) {
        (void)cpu::inb(kError);
        finish(false);
        return;
    }
    if (r->op == ata::Request::Op::Read) {
        cpu::insw(kData, r->buffer + r->moved * ata::kSectorSize, kWordsPerSector);
        if (++r->moved == r->sectors)
            finish(true);
    } else {
        if (++r->moved == r->sectors)
            finish(true);
        else
            cpu::outsw(kData, r->buffer + r->moved * ata::kSectorSize, kWordsPerSector);
    }
}

} // namespace

namespace ata {

bool init()
{
    cpu::outb(kControl, kInterruptsOff); // poll during the probe
    cpu::outb(kDrive, 0xB0);             // drive 1 (CHS bit pattern of IDENTIFY)
    cpu::outb(kCount, 0);
    cpu::outb(kLba0, 0);
    cpu::outb(kLba1, 0);
    cpu::outb(kLba2, 0);
    cpu::outb(kCommand, kIdentify);
    uint8_t s = cpu::inb(kStatus);
    if (s == 0 || s == 0xFF)
        return false; // no drive answers
    s = wait_not_busy();
    if (s == 0xFF || cpu::inb(kLba1) != 0 || cpu::inb(kLba2) != 0)
        return false; // hung, or an ATAPI device (a CD), not a disk
    while (!(s & (kDataRequest | kErr)))
        s = cpu::inb(kStatus);
    if (s & kErr)
        return false;
    uint16_t id[256];
    cpu::insw(kData, id, 256);
    g_sectors = uint32_t(id[60]) | (uint32_t(id[61]) << 16); // LBA28 capacity
    if (g_sectors == 0)
        return false;
    g_present = true;
    trap::set_irq_handler(kIrq, on_interrupt);
    pic::unmask(kIrq);
    cpu::outb(kControl, 0); // interrupts on
    return true;
}

bool present() { return g_present; }
uint32_t sectors() { return g_sectors; }

void submit(Request* r)
{
    VERIFY(g_present && r->done && r->sectors > 0 && r->sectors <= 256 && r->lba + r->sectors <= g_sectors);
    r->moved = 0;
    r->next = nullptr;
    ++g_pending;
    if (g_tail) {
        g_tail->next = r;
        g_tail = r;
        return;
    }
    g_head = g_tail = r;
    program(r);
}

uint32_t pending() { return g_pending; }
uint32_t interrupts() { return g_interrupts; }

} // namespace ata
