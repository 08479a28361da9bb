// ktest.h: kernel tests and their verdict lines.
//
// A kernel test is a function registered with KTEST(name). The harness boots
// the kernel with `test=<name> token=<random hex>`; the kernel runs that one
// test and prints machine-readable lines that carry the token:
//
//   @@ <token> VERDICT <check> PASS
//   @@ <token> VERDICT <check> FAIL <reason>
//   @@ <token> VALUE <key> <value>
//   @@ <token> END <test>
//
// The harness trusts only lines with this run's token, which nothing in the
// kernel image knows in advance: printing "PASS" does not forge a verdict.
#pragma once

#include <stdint.h>

namespace ktest {

// This run's token, or "-" when the command line has none.
const char* token();

// Print `@@ <token> ` and then the formatted rest of a line (no newline).
void tagged(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// One verdict line. Returns `pass`, so tests can chain on it.
bool check(const char* name, bool pass);
bool check(const char* name, bool pass, const char* fail_fmt, ...) __attribute__((format(printf, 3, 4)));
void value(const char* key, uint64_t value);

// Find and run the test named on the command line, then print END.
// Returns false if there is no such test.
bool run(const char* name);

struct Test {
    const char* name;
    void (*body)();
};

} // namespace ktest

// Register a kernel test: KTEST(boot) { ktest::check("heap-works", ...); }
// The tests are collected through the `ktests` linker section.
#define KTEST(name)                                                                     \
    static void ktest_body_##name();                                                   \
    __attribute__((used, section("ktests"))) static const ktest::Test ktest_entry_##name \
        = { #name, ktest_body_##name };                                                \
    static void ktest_body_##name()
