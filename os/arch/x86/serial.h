// serial.h: COM1 at 115200 8N1, polled: the kernel's console and the one
// channel the test harness reads (Bochs writes it to a file). Every byte is
// mirrored to the Bochs/QEMU debug port 0xE9, which `make debug` shows on the
// debugger's terminal; automated runs switch that port off, so guest text
// never mixes with the debugger's own output.
#pragma once

#include <stddef.h>

namespace serial {
void init();
// Write `n` bytes to COM1 with interrupts off, so that no other thread's
// output can land in the middle of them (a verdict line stays whole). With
// `own_line`, first end a line another writer left open, so the bytes start
// a line of their own.
void write(const char* bytes, size_t n, bool own_line = false);
// Wait until COM1 has sent every byte (its transmitter is empty), so that a
// power-off right after does not cut the last line.
void drain();
}
