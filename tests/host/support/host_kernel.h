// host_kernel.h: what the host test binaries put in place of the kernel's
// panic and lab hooks.
//
// - A VERIFY/PANIC in lab or framework code fails the current test with its
//   message, file and line, and CppUTest goes on with the next test (its
//   teardown runs first). This holds in every test of every directory.
// - A test that expects a VERIFY to fail says so: CHECK_VERIFY_FAILS(expr)
//   (host_test.h) passes if `expr` fails a VERIFY and fails the test if it
//   does not. For a check of its own, a test creates a VerifyFailureExpected:
//   while it lives, a VERIFY/PANIC throws VerifyFailure instead, to be
//   caught by the test.
// - LAB_TODO in a skeleton fails the current test with
//   "lab N not implemented: <function>".
#pragma once

#include <stdexcept>

struct VerifyFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// While an object of this class lives, panic_at() throws VerifyFailure.
class VerifyFailureExpected {
public:
    VerifyFailureExpected();
    ~VerifyFailureExpected();
    VerifyFailureExpected(const VerifyFailureExpected&) = delete;
    VerifyFailureExpected& operator=(const VerifyFailureExpected&) = delete;

private:
    bool m_outer; // an enclosing one's state, restored at the end
};

// The message of the last VERIFY/PANIC, "file:line: text" ("" before the
// first). A fixed buffer, so nothing outlives a test on the heap.
const char* last_verify_message();
