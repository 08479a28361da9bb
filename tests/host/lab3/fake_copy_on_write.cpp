// fake_copy_on_write.cpp: the test double of lab 4's vm::copy_on_write() in
// the lab 3 test binary (see fake_copy_on_write.h).
#include "fake_copy_on_write.h"

namespace {
std::vector<fake_copy_on_write::Call> g_calls;
FaultResult g_answer = FaultResult::CopiedOnWrite;
}

namespace fake_copy_on_write {

const std::vector<Call>& calls() { return g_calls; }

void reset(FaultResult answer)
{
    std::vector<Call>().swap(g_calls); // no memory kept: CppUTest counts it as a leak of the test
    g_answer = answer;
}

} // namespace fake_copy_on_write

namespace vm {

FaultResult copy_on_write(AddressSpace& space, uint32_t page)
{
    PageTableEntry* e = layout::is_user_address(page) ? space.entry(page, false) : nullptr;
    g_calls.push_back({ &space, page, e ? e->raw() : 0 });
    return g_answer;
}

} // namespace vm
