// pager_files.cpp: files served by a pager (vm/pager_store.h): map_store
// maps pages of a pager's store into a process, spawn_from_store demand-loads
// a program's image from one, module_read lets a file server read the boot
// modules it serves.
//
// Every mapping of page `offset` of a store shares one vpage (the pager's
// m_vpages cache, emptied when the vpage dies), so a file mapped twice, or in
// two processes, is read from the pager once.
#include "vm/pager_internal.h"

#include "arch/mmu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "kernel/boot_info.h"
#include "lib/string.h"
#include "proc/process.h"
#include "proc/user_memory.h"
#include "vm/address_space.h"
#include "vm/vpage.h"

const BootInfo& boot_info(); // kernel/main.cpp

namespace pager {

bool map_file_page(AddressSpace* space, uint32_t linear, uint8_t store, uint32_t offset, bool writable)
{
    PagerStore* s = live_pager(store);
    if (!s || offset >= kMaxStorePages)
        return false;
    VPageRef& cached = s->m_vpages[offset];
    bool fresh = cached == kNoVPage;
    VPageRef v = fresh ? vpage_create(store, offset) : cached;
    if (v == kNoVPage)
        return false;
    if (space->map(linear, v, writable ? Access::ReadWrite : Access::ReadOnly) != MapResult::Ok) {
        if (fresh)
            vpages().destroy(v);
        return false;
    }
    cached = v;
    return true;
}

// spawn_from_store(program, args, store): process::spawn_from_store.
int32_t sys_spawn_from_store(const TrapFrame& f)
{
    process::SpawnStrings s;
    if (!process::copy_spawn_strings(s, f.ebx, f.ecx))
        return kErrFault;
    if (!live_pager(f.edx))
        return kErrNotFound;
    const char* why = nullptr;
    Process* child = process::spawn_from_store(s.program, s.args, process::current(), uint8_t(f.edx), &why);
    if (!child)
        return process::spawn_error(why);
    return int32_t(child->pid);
}

// module_read(name, offset, buffer, length): bytes of a boot module, for a
// file server (a pager that serves the boot modules as files). The count.
int32_t sys_module_read(const TrapFrame& f)
{
    char name[64];
    if (!user_memory::copy_string(name, f.ebx, sizeof name))
        return kErrFault;
    const BootInfo& info = boot_info();
    for (unsigned i = 0; i < info.module_count; ++i) {
        const BootModule& m = info.modules[i];
        if (strcmp(m.name, name) != 0)
            continue;
        uint32_t size = m.end - m.start;
        if (f.ecx >= size)
            return 0;
        uint32_t n = f.esi < size - f.ecx ? f.esi : size - f.ecx;
        const auto* bytes = static_cast<const uint8_t*>(mmu::phys_to_virt(m.start)) + f.ecx;
        return user_memory::copy_to(f.edx, bytes, n) ? int32_t(n) : kErrFault;
    }
    return kErrNotFound;
}

// map_store(address, length, flags, store, first offset)
int32_t sys_map_store(const TrapFrame& f)
{
    Process* p = process::current();
    uint32_t at = f.ebx, length = uint32_t(paging::page_round_up(f.ecx)), first = f.edi;
    uint32_t pages = length / kPageBytes;
    PagerStore* s = live_pager(f.esi);
    if (!s)
        return kErrNotFound;
    if (length == 0 || !paging::is_page_aligned(at) || at < layout::kUserBottom || length > layout::kUserTop - at
        || (at < process::kStackTop && at + length > process::kStackGuard) || first >= kMaxStorePages
        || pages > kMaxStorePages - first)
        return kErrInvalid;
    for (uint32_t i = 0; i < pages; ++i)
        if (p->space->lookup(at + i * kPageBytes).kind != Lookup::Kind::Nothing)
            return kErrInvalid;
    for (uint32_t i = 0; i < pages; ++i) {
        if (!map_file_page(p->space, at + i * kPageBytes, s->m_number, first + i, f.edx & kMapWrite)) {
            for (uint32_t undo = 0; undo < i; ++undo)
                p->space->unmap(at + undo * kPageBytes);
            return kErrNoMemory;
        }
        if (f.edx & kMapShared)
            vpages().get(p->space->lookup(at + i * kPageBytes).vpage)->flags |= VPage::kShared;
    }
    return int32_t(at);
}

} // namespace pager
