// host_kernel.h: what the host test binaries put in place of the kernel's
// panic and lab hooks.
//
// - A VERIFY/PANIC in lab or framework code throws VerifyFailure, so a test
//   can say CHECK_THROWS(VerifyFailure, frames.free(f)) for "double free is
//   caught", and an unexpected one fails the test with its message.
// - LAB_TODO in a skeleton fails the current test with
//   "lab N not implemented: <function>".
#pragma once

#include <stdexcept>
#include <string>

struct VerifyFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The message of the last VerifyFailure thrown (for tests that check it).
const std::string& last_verify_message();
