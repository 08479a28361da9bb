// vm.h: bringing up the VMM layers that the labs build.
#pragma once

class MemoryMap;

namespace vm {
// Called once by kernel_main after the kernel's own memory is set up.
// `free_memory` is the RAM nobody uses yet: the frame array's to manage.
void init(const MemoryMap& free_memory);
}
