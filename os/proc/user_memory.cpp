#include "proc/user_memory.h"

#include "arch/mmu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "lib/string.h"
#include "proc/process.h"
#include "vm/address_space.h"
#include "vm/resolve.h"

namespace {

// The kernel may copy through this page without faulting.
bool usable(const Lookup& l, bool for_write)
{
    return l.kind == Lookup::Kind::Present && (l.writable || !for_write);
}

} // namespace

namespace user_memory {

bool range_ok(uint32_t address, uint32_t length, bool for_write)
{
    Process* p = process::current();
    if (!p || !p->space)
        return false;
    if (length == 0)
        return true;
    if (!layout::is_user_range(address, length))
        return false;
    if (present_now(address, length, for_write))
        return true; // nothing to bring in: no lookups
    uint32_t last = address + length - 1;
    for (uint32_t page = paging::page_round_down(address);;) {
        Lookup l = p->space->lookup(page);
        if (!usable(l, for_write)) {
            // Fault the page in as the program's own access would (demand
            // zero, resident map, copy-on-write, store); a bad one fails.
            uint32_t error = PageFault::kUser | (for_write ? PageFault::kWrite : 0)
                | (l.kind == Lookup::Kind::Present ? PageFault::kProtection : 0);
            vm::FaultResult r = vm::resolve(*p->space, PageFault(page, error, 0));
            if (r == vm::FaultResult::Queued)
                continue; // the page arrived while we slept: look again
            if (!vm::is_resolved(r))
                return false;
            // Trust, but check: a handler that answered "resolved" without
            // making the page usable must not make the copy fault.
            if (!usable(p->space->lookup(page), for_write))
                return false;
        }
        if (last - page < paging::kPageSize)
            return true;
        page += paging::kPageSize;
    }
}

bool present_now(uint32_t address, uint32_t length, bool for_write)
{
    Process* p = process::current();
    if (!p || !p->space || length == 0 || !layout::is_user_range(address, length))
        return false;
    const auto* dir = static_cast<const paging::PageDirectoryEntry*>(mmu::phys_to_virt(p->space->directory()));
    uint32_t last = paging::page_round_down(address + length - 1);
    for (uint32_t page = paging::page_round_down(address);; page += paging::kPageSize) {
        paging::PageDirectoryEntry d = dir[paging::directory_index(page)];
        if (!d.is_present() || d.is_large()) // user space has no 4 MiB pages
            return false;
        const auto* table = static_cast<const paging::PageTableEntry*>(mmu::phys_to_virt(d.table()));
        paging::PageTableEntry e = table[paging::table_index(page)];
        if (!e.is_present() || (for_write && !e.is_writable()))
            return false;
        if (page == last)
            return true;
    }
}

// Copy page by page, each page checked (and faulted in) right before its
// part is copied: faulting in a later page may make the clock collector
// (lab 5) take an earlier one back, so "the whole range was present" would
// not hold by the time of the copy. Nothing runs between a page's check and
// its copy (interrupts are off), so the copy never faults. The whole range
// is checked first, so that a bad range copies nothing. The usual case, a
// range present at once (present_now), is one copy with nothing between.
template <typename Copy>
bool copy_pages(uint32_t user, uint32_t length, bool for_write, Copy copy)
{
    if (present_now(user, length, for_write)) { // the usual case: all there, nothing to resolve
        copy(user, 0, length);
        return true;
    }
    if (!range_ok(user, length, for_write))
        return false;
    for (uint32_t done = 0; done < length;) {
        uint32_t at = user + done;
        uint32_t chunk = paging::kPageSize - (at & (paging::kPageSize - 1));
        if (chunk > length - done)
            chunk = length - done;
        if (!range_ok(at, chunk, for_write))
            return false;
        copy(at, done, chunk);
        done += chunk;
    }
    return true;
}

bool copy_from(void* kernel_dst, uint32_t user_src, uint32_t length)
{
    return copy_pages(user_src, length, false, [&](uint32_t at, uint32_t done, uint32_t n) {
        memcpy(static_cast<uint8_t*>(kernel_dst) + done, reinterpret_cast<const void*>(uintptr_t(at)), n);
    });
}

bool copy_to(uint32_t user_dst, const void* kernel_src, uint32_t length)
{
    return copy_pages(user_dst, length, true, [&](uint32_t at, uint32_t done, uint32_t n) {
        memcpy(reinterpret_cast<void*>(uintptr_t(at)), static_cast<const uint8_t*>(kernel_src) + done, n);
    });
}

bool copy_string(char* dst, uint32_t user_src, uint32_t max)
{
    for (uint32_t i = 0; i < max; ++i) {
        if (!copy_from(dst + i, user_src + i, 1))
            return false;
        if (dst[i] == '\0')
            return true;
    }
    return false;
}

} // namespace user_memory
