// pager_file.h: what the lab-6 pager test programs agree on (pager-ram
// serves it, pager-client maps and checks it).
//
// The pager's file: page p, word w is pattern_word(kFileTag, p, w) until a
// page-out gives the pager newer contents for page p.
#pragma once

#include "vmtest.h"

#include <stdint.h>

constexpr uint32_t kFileTag = 0xF11E;
// Where pager-client maps the pager's store (fixed: map_store needs a free range).
constexpr uint32_t kFileMapping = 0x60000000;
constexpr uint32_t kSecondMapping = 0x68000000;
