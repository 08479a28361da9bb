// fake_copy_on_write.h: lab 3's stand-in for lab 4's vm::copy_on_write().
//
// The lab 3 test binary does not link lab 4, yet step 4 of handle_fault()
// calls vm::copy_on_write(). fake_copy_on_write.cpp defines it: it changes
// nothing, records each call (the space, the page, and the raw entry at that
// moment) and returns the answer the test chose. So a test can prove that
// step 4 is reached exactly when it must be (a write fault, a present entry,
// a copy-on-write vpage), after steps 2 and 3, and that its answer is the
// handler's answer.
//
// Lab3Test is the fixture of the lab 3 tests: FaultTest plus a fresh fake
// (reset again at teardown, so that no memory of it outlives a test).
#pragma once

#include "vm/copy_on_write.h"

#include "lab3_test.h" // last: CppUTest comes with it

namespace fake_copy_on_write {

struct Call {
    AddressSpace* space;
    uint32_t page;
    uint32_t entry; // the raw entry of `page` when the fake was called (0: no table)
};

// The calls since the last reset(), oldest first.
const std::vector<Call>& calls();
// Forget the calls; from now on answer `answer`.
void reset(FaultResult answer = FaultResult::CopiedOnWrite);

} // namespace fake_copy_on_write

class Lab3Test : public FaultTest {
public:
    void setup() override
    {
        FaultTest::setup();
        fake_copy_on_write::reset();
    }
    void teardown() override
    {
        fake_copy_on_write::reset();
        FaultTest::teardown();
    }
    static size_t copy_on_write_calls() { return fake_copy_on_write::calls().size(); }
};
