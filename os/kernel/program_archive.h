// program_archive.h: the user programs, packed into one Multiboot module.
//
// GRUB spends about a million instructions on every module it loads, so
// tools/mkiso packs every user program into one module named `programs`
// (format: tests/harness/bootimage.py). At boot, read_boot_info() lists each
// program of the archive as a BootModule of its own, so spawn() finds a
// program by name whether it came alone or in the archive.
//
//   0   "VMKITPRG"   magic
//   8   u32 count
//   12  u32 reserved
//   16  count x ArchiveEntry
//   ... the programs' bytes
#pragma once

#include <stdint.h>

namespace program_archive {

constexpr char kModuleName[] = "programs";
constexpr unsigned kNameBytes = 48; // a name is at most 47 bytes and a NUL

struct __attribute__((packed)) Header {
    char magic[8];
    uint32_t count;
    uint32_t reserved;
};
struct __attribute__((packed)) Entry {
    char name[kNameBytes];
    uint32_t offset; // from the start of the archive
    uint32_t size;
};
static_assert(sizeof(Header) == 16 && sizeof(Entry) == 56, "the layout tools/mkiso writes");

// True if the `size` bytes at `data` start with an archive header.
bool is_archive(const uint8_t* data, uint32_t size);

// The number of entries the header announces, and entry `i` of them
// (check entry_problem() first).
uint32_t count(const uint8_t* data);
const Entry& entry(const uint8_t* data, uint32_t i);

// Why entry `i` is refused, or nullptr if it is well formed.
const char* entry_problem(const uint8_t* data, uint32_t size, uint32_t i);

} // namespace program_archive
