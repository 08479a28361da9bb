// lab4_test.h: helpers of the lab 4 host tests (fork_test.cpp,
// copy_on_write_test.cpp, fork_fault_test.cpp, random_fork_test.cpp), on
// top of lab 3's fixture and faults (../lab3/lab3_test.h). This binary links
// the reference labs 1-3 and lab 4's copy_on_write.cpp.
//
// user_read()/user_write() act as a user program's load or store at a
// linear address: when the entry does not allow the access they take the
// page fault the CPU would (through vm::handle_fault, which must resolve it
// in one go), then touch the word in the frame the entry maps, setting A
// (and D for a store) as the CPU does.
#pragma once

#include "vm/copy_on_write.h"

#include "../lab3/lab3_test.h" // last: CppUTest comes with it

// What user_write()/user_read() return when the access took no fault
// (the handler never answers Unhandled).
inline constexpr FaultResult kNoFault = FaultResult::Unhandled;

inline bool allows(const PageTableEntry* e, bool write) { return e && e->is_present() && (!write || e->is_writable()); }

// The fault a user access at `linear` takes, if any, resolved; fails the
// test if it is not resolved or if the entry still does not allow the access.
inline FaultResult user_access(AddressSpace* space, uint32_t linear, bool write)
{
    FaultResult r = kNoFault;
    if (!allows(space->entry(linear, false), write)) {
        r = fault(space, linear, write);
        CHECK_TEXT(vm::is_resolved(r), say("%s at 0x%08x: %s", write ? "write" : "read", linear,
                                           StringFrom(r).asCharString()));
        CHECK_TEXT(allows(space->entry(linear, false), write),
            say("%s at 0x%08x: after %s, the entry allows it", write ? "write" : "read", linear,
                StringFrom(r).asCharString()));
    }
    PageTableEntry* e = space->entry(linear, false);
    e->set_accessed(true);
    if (write)
        e->set_dirty(true);
    return r;
}
inline uint32_t& word_at(AddressSpace* space, uint32_t linear)
{
    PageTableEntry* e = space->entry(linear, false);
    CHECK_TEXT(e && e->is_present(), say("0x%08x is present", linear));
    return words_of(e->frame())[paging::page_offset(linear) / 4];
}
inline FaultResult user_write(AddressSpace* space, uint32_t linear, uint32_t value)
{
    FaultResult r = user_access(space, linear, true);
    word_at(space, linear) = value;
    return r;
}
inline uint32_t user_read(AddressSpace* space, uint32_t linear)
{
    user_access(space, linear, false);
    return word_at(space, linear);
}

// The frame of a present entry (0 if not present).
inline uint32_t frame_at(AddressSpace* space, uint32_t linear)
{
    PageTableEntry* e = space->entry(linear, false);
    return e && e->is_present() ? e->frame() : 0;
}

inline bool is_copy_on_write(VPageRef v) { return vpage(v).flags & VPage::kCopyOnWrite; }

// A vpage with VPage::kShared (an mmap kMapShared page).
inline VPageRef shared_vpage(bool resident, uint32_t pattern = 0)
{
    VPageRef v = resident ? vpage_holding(pattern) : anonymous_vpage();
    vpage_mut(v).flags |= VPage::kShared;
    return v;
}

class Lab4Test : public FaultTest {
public:
    // The child of `parent` after a fork_space() that must succeed.
    AddressSpace* fork_child(AddressSpace* parent)
    {
        AddressSpace* child = make_space();
        CHECK_TEXT(vm::fork_space(*parent, *child), "fork_space");
        return child;
    }
};
