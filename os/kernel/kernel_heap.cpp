// kernel_heap.cpp: the kernel's one Heap and its C-style front end. Kernel
// only: host tests get kmalloc/kfree from tests/host/support/host_heap.cpp.
#include "kernel/heap.h"

namespace {
Heap g_kernel_heap;
}

Heap& kernel_heap() { return g_kernel_heap; }
void* kmalloc(size_t size) { return g_kernel_heap.allocate(size); }
void kfree(void* p) { g_kernel_heap.free(p); }
