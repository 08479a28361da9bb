// lab2_test.h: the machine and the helpers shared by the lab 2 host tests
// (vpage_test.cpp, address_space_test.cpp, sharing_test.cpp,
// random_map_unmap_test.cpp).
//
// Every test runs on 8 MiB of simulated RAM with [1 MiB, 8 MiB) free for the
// frame array, and a vpage pool. The address space tests add a kernel page
// directory and start with every free frame full of junk (Machine's
// boot_with_kernel_directory()).
#pragma once

#include "arch/host/simulated_memory.h"
#include "arch/mmu.h"
#include "arch/x86/paging.h"
#include "kernel/memory_map.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/vpage.h"

#include <algorithm>
#include <stdint.h>
#include <string.h>
#include <vector>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

using paging::PageDirectoryEntry;
using paging::PageTableEntry;

inline constexpr uint32_t MiB = 1u << 20;
inline constexpr uint32_t kKernelFirst = 768; // first directory entry of the kernel half

inline PageDirectoryEntry* directory_at(uint32_t physical)
{
    return static_cast<PageDirectoryEntry*>(mmu::phys_to_virt(physical));
}

struct Machine {
    SimulatedMemory memory { 8 * MiB };
    std::vector<uint8_t> vpage_storage;
    uint32_t kernel_directory = 0; // boot_with_kernel_directory() only
    uint32_t frames_free = 0;      // after boot: the baseline

    // The frame array and a pool of `vpage_capacity` vpages (the vpage tests).
    void boot(uint32_t vpage_capacity)
    {
        init_frames();
        init_vpages(vpage_capacity);
        frames_free = frames().frames_free();
    }

    // The machine of the address space tests. Every free frame is full of
    // junk, as after a long uptime, so a page table or directory that is not
    // zeroed shows up. The kernel directory's user half is junk too (it must
    // not be copied); its kernel half is a 4 MiB page per entry and, under
    // entry 1023, a kernel page table (which no user teardown may free).
    void boot_with_kernel_directory()
    {
        init_frames();
        std::vector<uint32_t> all;
        for (uint32_t f; (f = frames().allocate()) != FrameArray::kNoFrame;)
            all.push_back(f);
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            memset(mmu::phys_to_virt(*it), 0xA7, paging::kPageSize);
            frames().free(*it);
        }
        init_vpages(256);

        kernel_directory = frames().allocate();
        uint32_t kernel_table = frames().allocate();
        memset(mmu::phys_to_virt(kernel_table), 0, paging::kPageSize);
        PageDirectoryEntry* d = directory_at(kernel_directory);
        for (uint32_t i = 0; i < kKernelFirst; ++i)
            d[i] = PageDirectoryEntry(0xbad00007u | (i << 12));
        for (uint32_t i = kKernelFirst; i < 1023; ++i)
            d[i] = PageDirectoryEntry::make_large_kernel((i - kKernelFirst) << 22);
        d[1023] = PageDirectoryEntry(kernel_table | paging::bits::kPresent | paging::bits::kWritable);
        AddressSpace::set_kernel_directory(kernel_directory);
        frames_free = frames().frames_free();
    }

    void init_frames()
    {
        MemoryMap map;
        map.add(1 * MiB, 7 * MiB, MemoryMap::kTypeUsable);
        map.compute_usable(8 * MiB);
        CHECK_TEXT(frames().init(map), "frames().init of [1 MiB, 8 MiB)");
    }
    void init_vpages(uint32_t capacity)
    {
        vpage_storage.assign(VPagePool::storage_bytes(capacity), 0);
        vpages().init(vpage_storage.data(), capacity);
    }
};

// ---- failure messages: CppUTest's StringFrom for the lab's enums ----

using ::StringFrom; // CppUTest's, for bool and the numbers
inline SimpleString StringFrom(MapResult r)
{
    switch (r) {
    case MapResult::Ok: return "Ok";
    case MapResult::BadAddress: return "BadAddress";
    case MapResult::AlreadyMapped: return "AlreadyMapped";
    case MapResult::OutOfMemory: return "OutOfMemory";
    }
    return StringFromFormat("MapResult(%d)", int(r));
}

inline SimpleString StringFrom(Lookup::Kind k)
{
    switch (k) {
    case Lookup::Kind::Nothing: return "Nothing";
    case Lookup::Kind::Present: return "Present";
    case Lookup::Kind::NotPresent: return "NotPresent";
    }
    return StringFromFormat("Kind(%d)", int(k));
}

// ---- vpages and spaces ----

inline const VPage& vpage(VPageRef v) { return *vpages().get(v); }

// A vpage made resident on a fresh frame (frames().allocate + vpage_attach).
inline VPageRef resident_vpage()
{
    uint32_t frame = frames().allocate();
    CHECK_TEXT(frame != FrameArray::kNoFrame, "a frame for the vpage");
    VPageRef v = vpage_create(0, 0);
    CHECK_TEXT(v != kNoVPage, "vpage_create");
    vpage_attach(v, frame);
    return v;
}

// A vpage that is not resident: its page is in store 1.
inline VPageRef stored_vpage()
{
    VPageRef v = vpage_create(1, 0x7000);
    CHECK_TEXT(v != kNoVPage, "vpage_create");
    return v;
}

// A vpage resident on a fresh frame, or one whose page is in store 1.
inline VPageRef new_vpage(bool resident)
{
    VPageRef v = vpage_create(resident ? 0 : 1, 0x3000);
    CHECK_TEXT(v != kNoVPage, "vpage_create");
    if (resident) {
        uint32_t frame = frames().allocate();
        CHECK_TEXT(frame != FrameArray::kNoFrame, "a frame for the vpage");
        vpage_attach(v, frame);
    }
    return v;
}

inline AddressSpace* new_space()
{
    AddressSpace* space = AddressSpace::create();
    CHECK_TEXT(space != nullptr, "AddressSpace::create()");
    return space;
}

// The entry of a mapped page, which must exist.
inline PageTableEntry& entry_of(AddressSpace* space, uint32_t linear)
{
    PageTableEntry* e = space->entry(linear, false);
    CHECK_TEXT(e != nullptr, "the page table of a mapped page exists");
    return *e;
}

// Page tables of a space: present entries in its directory's user half.
inline uint32_t page_tables(const AddressSpace* space)
{
    const PageDirectoryEntry* d = directory_at(space->directory());
    return uint32_t(std::count_if(d, d + kKernelFirst, [](PageDirectoryEntry e) { return e.is_present(); }));
}
