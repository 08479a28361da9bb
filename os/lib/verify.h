// verify.h: invariants that are checked, not hoped for.
//
//   VERIFY(cond)          always on; a false condition panics with the file,
//                         the line and the expression text.
//   VERIFY_MSG(cond, ...) the same with a printf-style explanation.
//   DEBUG_VERIFY(cond)    for checks that cost a scan; on unless NDEBUG.
//
// In the kernel a panic prints the report and powers off (see panic.cpp). In
// host unit tests a panic fails the current test with its message, unless the
// test expects it: CHECK_VERIFY_FAILS(frames.free(f)) checks that a double
// free "is caught" (tests/host/support/host_test.h).
#pragma once

[[noreturn]] void panic_at(const char* file, int line, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

#define PANIC(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

#define VERIFY(cond)                                                   \
    do {                                                               \
        if (!(cond)) [[unlikely]]                                      \
            panic_at(__FILE__, __LINE__, "VERIFY(%s) failed", #cond); \
    } while (0)

#define VERIFY_MSG(cond, ...)                   \
    do {                                        \
        if (!(cond)) [[unlikely]]               \
            panic_at(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)

#ifdef NDEBUG
#define DEBUG_VERIFY(cond) ((void)0)
#else
#define DEBUG_VERIFY(cond) VERIFY(cond)
#endif
