// new.h: placement new, which the freestanding target does not provide.
#pragma once

#include <stddef.h>

#ifdef VMKIT_HOST
#include <new>
#else
inline void* operator new(size_t, void* where) noexcept { return where; }
inline void* operator new[](size_t, void* where) noexcept { return where; }
#endif
