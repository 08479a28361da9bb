#include "proc/user_memory.h"

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

bool copy_from(void* kernel_dst, uint32_t user_src, uint32_t length)
{
    if (!range_ok(user_src, length, false))
        return false;
    memcpy(kernel_dst, reinterpret_cast<const void*>(uintptr_t(user_src)), length);
    return true;
}

bool copy_to(uint32_t user_dst, const void* kernel_src, uint32_t length)
{
    if (!range_ok(user_dst, length, true))
        return false;
    memcpy(reinterpret_cast<void*>(uintptr_t(user_dst)), kernel_src, length);
    return true;
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
