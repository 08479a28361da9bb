// verify.h: invariants that are checked, not hoped for.
//
//   VERIFY(cond)          always on; a false condition panics with the file,
//                         the line and the expression text.
//   VERIFY_MSG(cond, ...) the same with a printf-style explanation.
//   DEBUG_VERIFY(cond)    for checks that cost a scan; on unless NDEBUG.
//   VERIFY_CONTRACT(cond, function, contract, ...)
//                         in the labs' code: a caller broke the contract of a
//                         lab interface (os/vm/*.h). The panic names the
//                         function and the contract as its header states it,
//                         then the details (printf-style), but no file or
//                         line: the check may sit in the prebuilt reference of
//                         an earlier lab, whose source a student does not
//                         have, and the bug is in the caller anyway:
//       VERIFY_CONTRACT(f->map_count == 0, "FrameArray::free",
//                       "the frame is in the array, not free already, and not mapped",
//                       "frame 0x%08x is still mapped %u times", physical, f->map_count);
//   prints "FrameArray::free: contract broken: the frame is in the array, not
//   free already, and not mapped: frame 0x00123000 is still mapped 1 times".
//
// In the kernel a panic prints the report and powers off (see panic.cpp). In
// host unit tests a panic fails the current test with its message, unless the
// test expects it: CHECK_VERIFY_FAILS(frames.free(f)) checks that a double
// free "is caught" (tests/host/support/host_test.h).
#pragma once

[[noreturn]] void panic_at(const char* file, int line, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// A panic with no place (line 0 or less): `file` then names what broke,
// e.g. a function, and no line is printed.
#define PANIC(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

[[noreturn]] void panic_contract(const char* function, const char* contract, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

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

#define VERIFY_CONTRACT(cond, function, contract, ...)              \
    do {                                                            \
        if (!(cond)) [[unlikely]]                                   \
            panic_contract((function), (contract), __VA_ARGS__);    \
    } while (0)

#ifdef NDEBUG
#define DEBUG_VERIFY(cond) ((void)0)
#else
#define DEBUG_VERIFY(cond) VERIFY(cond)
#endif
