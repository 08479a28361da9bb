// ata.h: an interrupt-driven ATA PIO driver for one disk: the slave of the
// primary channel (Bochs `ata0-slave`, the swap disk; the master is the CD).
//
// A transfer, for the swap store (os/vm/swap_store.cpp):
//   1. the caller fills an ata::Request (read or write, first sector, sector
//      count, a kernel buffer, a completion function) and submit()s it,
//      interrupts off; the request is queued behind the one in flight;
//   2. the driver programs the drive (LBA28, READ/WRITE SECTORS) and returns
//      at once: the caller goes on (a thread that needs the data sleeps, and
//      other processes run meanwhile);
//   3. the drive raises IRQ 14 once per 512-byte sector; the interrupt
//      handler moves that sector with REP INSW / REP OUTSW;
//   4. after the last sector the handler calls the request's done() (still
//      in the interrupt, interrupts off) and starts the next request.
//
// Ports (ATA/ATAPI-6, PC/AT legacy addresses): 0x1F0 data, 0x1F1 error,
// 0x1F2 sector count, 0x1F3..0x1F5 LBA 0..23, 0x1F6 drive/LBA 24..27,
// 0x1F7 status/command, 0x3F6 device control (bit 1: nIEN, interrupts off).
#pragma once

#include <stdint.h>

namespace ata {

constexpr uint32_t kSectorSize = 512;

struct Request {
    enum class Op : uint8_t { Read, Write };
    Op op { Op::Read };
    uint32_t lba { 0 };        // first sector
    uint32_t sectors { 0 };    // 1..256
    uint8_t* buffer { nullptr }; // sectors * 512 bytes, kernel memory
    void (*done)(Request* request, bool ok) { nullptr };
    void* context { nullptr }; // the submitter's
    // the driver's
    uint32_t moved { 0 };      // sectors transferred so far
    Request* next { nullptr };
};

// Probe the disk (IDENTIFY) and take IRQ 14. False if there is none (no
// second disk in this machine). Call once, interrupts off.
bool init();
bool present();
// Size of the disk in sectors (0 if none).
uint32_t sectors();

// Queue `request`; done() is called from the interrupt handler when it has
// finished (ok false on a drive error). Interrupts off. Never blocks.
void submit(Request* request);

// Requests queued or in flight; interrupts taken since boot.
uint32_t pending();
uint32_t interrupts();

} // namespace ata
