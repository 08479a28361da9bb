// host_heap.cpp: kmalloc/kfree for host tests, on the C library's heap, so
// that lab code which allocates small kernel objects runs unchanged (and
// AddressSanitizer sees every such allocation).
#include "kernel/heap.h"

#include <stdlib.h>

void* kmalloc(size_t size) { return malloc(size); }
void kfree(void* p) { free(p); }
