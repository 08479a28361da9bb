// args.h: reading a program's argument string.
//
// The argument string is a list of words separated by spaces; a word
// `key=value` gives `key` a value (`token=1f2e3d n=500 op=cli`). A value runs
// to the next space and is not NUL-terminated inside the string, so arg()
// returns a view of it.
#pragma once

#include <stddef.h>
#include <stdint.h>

struct ArgValue {
    const char* text { nullptr }; // into the argument string; nullptr: no such key
    size_t length { 0 };

    bool present() const { return text != nullptr; }
    // Is the value exactly `word`?
    bool is(const char* word) const;
    // The value as a number (decimal, or hex with 0x); `fallback` when the key
    // is missing or the value is not a number.
    uint32_t number(uint32_t fallback) const;
    // Copy the value into `out` (`size` bytes, NUL-terminated). Returns false
    // (and copies nothing) when the key is missing or the value does not fit.
    bool copy_to(char* out, size_t size) const;
};

// The value of the first word `key=...` of `args` (args may be nullptr).
ArgValue arg(const char* args, const char* key);
