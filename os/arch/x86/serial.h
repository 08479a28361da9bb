// serial.h: COM1 at 115200 8N1, polled, plus the Bochs/QEMU debug port 0xE9.
#pragma once

namespace serial {
void init();
// Write one byte to COM1 and mirror it to port 0xE9.
void put(char c);
// Wait until COM1 has sent every byte (its transmitter is empty), so that a
// power-off right after does not cut the last line.
void drain();
}
