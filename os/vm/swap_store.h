// swap_store.h: the kernel's swap store (lab 5's backing store): store
// number vm::kSwap, on the second ATA disk (drivers/ata.h).
//
// The disk is an array of 4 KiB slots (slot s is sectors 8s .. 8s+7). A
// bitmap says which slots hold a page somebody still needs. The store
// answers the three messages of the seed:
//   "read me this"   request(vpage): a frame, a read of the vpage's slot; when
//                    it is in, vm::page_arrived() makes the vpage resident and
//                    wakes the threads waiting for it;
//   "write this"     write(vpage): a slot for an anonymous vpage (its vpage
//                    then names the swap store and the slot), a pin on the
//                    frame, a write; when it is out, vm::page_written();
//   "I don't need you anymore"  release(slot): the slot is free again.
// Transfers are interrupt-driven: nobody spins while the disk works.
// Everything runs with interrupts off.
#pragma once

#include <stdint.h>

namespace swap {

// Probe the disk and register the store as vm::kSwap. False (and no store)
// without a second disk. `max_slots` (0: the whole disk) caps the slots used.
// `pager_slots` slots at the top of the disk (at most half of it) are kept
// out of the swap store's use, for user pagers (lab 6, pager_disk).
bool init(uint32_t max_slots, uint32_t pager_slots = 0);
bool present();

uint32_t slots_total();
uint32_t slots_used();
// Reads and writes queued or in flight.
uint32_t reads_in_flight();
uint32_t writes_in_flight();
// Is `frame` being read into or written from right now (pinned for I/O)?
bool under_io(uint32_t frame);
// The slot the swap store would read a page from: sector of slot `slot`.
constexpr uint32_t kSectorsPerSlot = 8;
// The pagers' part of the disk: slots [pager_first(), pager_first() + pager_slots()).
uint32_t pager_first();
uint32_t pager_slots();

} // namespace swap
