// fault.cpp: the framework's part of the fault handler: what a FaultResult
// means, and the store registry. handle_fault() itself is lab 3's
// (labs/lab3/fault.cpp). Compiled for host tests too.
#include "vm/fault.h"

#include "vm/store.h"

namespace {
vm::Store* g_stores[256];
}

namespace vm {

bool is_resolved(FaultResult result)
{
    switch (result) {
    case FaultResult::MappedResident:
    case FaultResult::ZeroFilled:
    case FaultResult::CopiedOnWrite:
    case FaultResult::MadeWritable:
    case FaultResult::Spurious:
        return true;
    default:
        return false;
    }
}

const char* describe(FaultResult result)
{
    switch (result) {
    case FaultResult::MappedResident: return "mapped a resident page";
    case FaultResult::ZeroFilled: return "zero-filled a new page";
    case FaultResult::CopiedOnWrite: return "copied a copy-on-write page";
    case FaultResult::MadeWritable: return "made the last copy-on-write mapping writable";
    case FaultResult::Spurious: return "spurious fault (stale TLB entry)";
    case FaultResult::Queued: return "waiting for the store";
    case FaultResult::BadNull: return "NULL pointer access";
    case FaultResult::BadKernelHalf: return "access to the kernel half";
    case FaultResult::BadUnmapped: return "access to an unmapped address";
    case FaultResult::BadReadOnly: return "write to a read-only page";
    case FaultResult::NoStore: return "no store";
    case FaultResult::OutOfMemory: return "out of memory";
    case FaultResult::PagerTimedOut: return "pager timed out";
    case FaultResult::PagerDied: return "pager died";
    case FaultResult::PagerOwnStore: return "pager faults on its own store";
    case FaultResult::PagerBusy: return "pager busy";
    case FaultResult::Unhandled: return "unhandled page fault";
    }
    return "?";
}

void set_store(uint8_t number, Store* s)
{
    if (number != kAnonymous)
        g_stores[number] = s;
}

Store* store(uint8_t number) { return g_stores[number]; }

Store* store_for_write(const VPage& vp) { return g_stores[vp.store == kAnonymous ? kSwap : vp.store]; }

void release_backing(const VPage& vp)
{
    if (vp.store != kAnonymous && g_stores[vp.store])
        g_stores[vp.store]->release(vp.store_offset);
}

} // namespace vm
