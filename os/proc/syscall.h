// syscall.h: the system-call dispatcher behind int 0x80 (table in abi.h).
#pragma once

namespace syscall {
void init(); // install the int 0x80 handler
}
