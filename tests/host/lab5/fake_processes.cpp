// fake_processes.cpp: the recency list of the host tests (lab5_test.h) in
// place of os/proc/process.cpp, and the framework's collector support
// compiled in (it is kernel framework, not in every host binary).
#include "proc/process.h"
#include "vm/collector.h"
#include "vm/store.h"

#include <algorithm>
#include <vector>

#include "vm/collector_support.cpp"

namespace recency {
std::vector<Process*>& list()
{
    static std::vector<Process*> top_first;
    return top_first;
}
}

namespace process {

void touch(Process* p)
{
    auto& l = recency::list();
    l.erase(std::remove(l.begin(), l.end(), p), l.end());
    l.insert(l.begin(), p);
}
Process* most_recent() { return recency::list().empty() ? nullptr : recency::list().front(); }
Process* least_recent() { return recency::list().empty() ? nullptr : recency::list().back(); }
uint32_t live_count() { return uint32_t(recency::list().size()); }

} // namespace process

namespace vm {
// The kernel's reclaim.cpp: the completion of a write goes to the collector.
void page_written(uint32_t frame, bool ok) { write_done(frame, ok); }
}
