// elf.h: reading ELF32 i386 executables (System V ABI, "ELF" chapter).
// Pure parsing, no memory management: the loader (process.cpp) maps what
// this finds. Every field is checked against the file size, so a truncated
// or hostile file is refused, never followed.
#pragma once

#include <stdint.h>

struct ElfSegment {
    uint32_t vaddr;      // where it goes in user space
    uint32_t memsz;      // bytes in memory (>= filesz; the rest is zero)
    uint32_t offset;     // where its bytes start in the file
    uint32_t filesz;
    bool writable;
};

struct ElfImage {
    static constexpr unsigned kMaxSegments = 8;
    uint32_t entry { 0 };
    ElfSegment segments[kMaxSegments];
    unsigned segment_count { 0 };
};

// Parse `size` bytes at `data`. Returns nullptr on success, else why not.
const char* elf_parse(const uint8_t* data, uint32_t size, ElfImage& out);
