// cxxrt.cpp: the little C++ runtime a freestanding kernel needs: global
// constructors, new/delete on the kernel heap, and the pure-virtual trap.
#include "kernel/heap.h"
#include "lib/verify.h"

#include <stddef.h>

extern "C" void (*init_array_start[])();
extern "C" void (*init_array_end[])();

void run_global_constructors()
{
    for (auto* f = init_array_start; f < init_array_end; ++f)
        (*f)();
}

void* operator new(size_t size)
{
    void* p = kmalloc(size);
    VERIFY_MSG(p, "operator new: kernel heap exhausted (%u bytes)", unsigned(size));
    return p;
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { kfree(p); }
void operator delete[](void* p) noexcept { kfree(p); }
void operator delete(void* p, size_t) noexcept { kfree(p); }
void operator delete[](void* p, size_t) noexcept { kfree(p); }

extern "C" void __cxa_pure_virtual() { PANIC("pure virtual function called"); }
extern "C" int __cxa_atexit(void (*)(void*), void*, void*) { return 0; } // the kernel never exits
void* __dso_handle;
