// bench-fault: guest instructions per page fault, for each way a fault is
// resolved, without the 4 KiB clear or copy of the frame.
//
// Each figure is measured around one memory access that faults, from user
// mode to user mode (exception entry, the kernel's handler, iret, the access
// run again), averaged over kPages pages:
//
//   zero fill      a child touches untouched pages of a shared mapping
//   resident map   the parent then touches the same pages: the vpages are
//                  resident (the child's frames) and the parent's entries,
//                  made at fork, are not present
//   copy-on-write  a second child writes pages the parent wrote before fork
//   last mapping   after that child exits, the parent writes them: no copy
//
// The instructions spent zeroing and copying frames (vmstat's
// bulk_instructions) are subtracted, and so is the cost of the same access
// to a page that does not fault.
#include "program.h"
#include "vmtest.h"
#include "timing.h"

namespace {

constexpr uint32_t kPages = 64;

// Average instructions of one access to each page of `area`, minus the
// frame clears/copies done meanwhile.
uint64_t touch_each(volatile uint32_t* area, bool write)
{
    uint32_t bulk_before = vm_now().bulk_instructions;
    uint64_t total = 0;
    for (uint32_t i = 0; i < kPages; ++i) {
        volatile uint32_t* word = area + i * 1024;
        uint64_t start = rdtsc();
        if (write)
            *word = i;
        else
            (void)*word;
        total += rdtsc() - start;
    }
    uint32_t bulk = vm_now().bulk_instructions - bulk_before;
    return (total - bulk) / kPages;
}

bool child_ok(int pid)
{
    int status = -100;
    return sys::wait(pid, &status) == pid && status == 0;
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    auto* shared = static_cast<volatile uint32_t*>(sys::mmap(nullptr, kPages * 4096, kMapWrite | kMapShared));
    auto* mine = static_cast<volatile uint32_t*>(sys::mmap(nullptr, kPages * 4096, kMapWrite));
    if (!check("mmap", !is_error((void*)shared) && !is_error((void*)mine)))
        return verdict_status();
    touch_each(mine, true);
    uint64_t no_fault = touch_each(mine, true); // present and writable: the bare access

    int pid = sys::fork();
    if (pid == 0) {
        value("fault_zero_fill_instructions", touch_each(shared, true) - no_fault);
        sys::exit(0);
    }
    check("zero-fill-child", child_ok(pid));
    value("fault_resident_map_instructions", touch_each(shared, false) - no_fault);

    pid = sys::fork();
    if (pid == 0) {
        value("fault_copy_on_write_instructions", touch_each(mine, true) - no_fault);
        sys::exit(0);
    }
    check("copy-on-write-child", child_ok(pid));
    value("fault_last_mapping_instructions", touch_each(mine, true) - no_fault);
    return verdict_status();
}
