// global_constructors.cpp: a global object with a constructor in kernel
// code, as students write them (issue 11, item 9). Its constructor lands in
// .init_array; kernel.ld must place that table (and every other section) so
// that the kernel still boots, and run_global_constructors() must run it
// once, before any kernel test.
//
// Before the fix, this file alone made the kernel unbootable: the orphan
// `ktests` section was linked at a load address GRUB could not use, and every
// test failed with "never printed 'kernel booting'".
#include "kernel/ktest.h"

#include <stdint.h>

namespace {

// Counts its constructions: run_global_constructors must run each entry once.
// The count is volatile so that the compiler cannot fold the constructor
// into static data: it must stay a real constructor in .init_array.
volatile uint32_t g_constructions;

struct Constructed {
    uint32_t magic;
    uint32_t times;
    Constructed() : magic(0xC0FFEE11 + 0 * g_constructions), times(0) { g_constructions = g_constructions + 1; }
};

Constructed g_object;
Constructed g_second;

} // namespace

KTEST(global_constructors)
{
    ktest::check("global-constructor-ran", g_object.magic == 0xC0FFEE11 && g_second.magic == 0xC0FFEE11,
        "magic 0x%08x, 0x%08x", g_object.magic, g_second.magic);
    ktest::check("each-constructor-ran-once", g_constructions == 2, "%u constructions",
        unsigned(g_constructions));
    // The object is writable data, as C++ says it is.
    g_object.times = 7;
    ktest::check("global-object-writable", g_object.times == 7);
}
