// fakes.cpp: the kernel calls lab 6's steps make, recorded (lab6_test.h);
// and what lab 5's collector needs from the process list, which lab 6's
// host tests never use.
#include "proc/process.h"
#include "vm/collector.h"
#include "vm/resolve.h"

#include "lab6_test.h"

FakeCalls& fake_calls()
{
    static FakeCalls calls;
    return calls;
}

namespace vm {
void page_arrived(VPageRef vpage, uint32_t frame)
{
    vpage_attach(vpage, frame);
    fake_calls().arrived.push_back({ vpage, frame });
}
void page_written(uint32_t frame, bool ok) { fake_calls().written.push_back({ frame, ok }); }
uint32_t scan_process(Process&, uint32_t) { return 0; }
} // namespace vm

namespace pager {
void fail_waiters(VPageRef vpage, int32_t error) { fake_calls().failed.push_back({ vpage, error }); }
}

namespace process {
Process* least_recent() { return nullptr; }
uint32_t live_count() { return 0; }
} // namespace process
