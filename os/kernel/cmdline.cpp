#include "kernel/cmdline.h"

#include "kernel/console.h"
#include "lib/string.h"

namespace {
char g_text[cmdline::kMaxLength + 1];
// Values are returned as NUL-terminated copies; a handful of keys are ever asked for.
constexpr int kSlots = 8;
char g_values[kSlots][64];
const char* g_keys[kSlots];
}

namespace cmdline {

void init(const char* text, bool grub_escaped)
{
    size_t n = 0;
    for (; text && *text && n < kMaxLength; ++text) {
        if (grub_escaped && text[0] == '"')
            continue; // GRUB's quotes around a word with spaces
        if (grub_escaped && text[0] == '\\' && text[1])
            ++text;
        g_text[n++] = *text;
    }
    g_text[n] = '\0';
    if (text && *text)
        kprintf("command line: cut to its first %u bytes\n", unsigned(kMaxLength));
}

const char* text() { return g_text; }

const char* get(const char* key)
{
    size_t key_len = strlen(key);
    for (const char* p = g_text; *p;) {
        while (*p == ' ')
            ++p;
        const char* word = p;
        while (*p && *p != ' ')
            ++p;
        if (size_t(p - word) > key_len && strncmp(word, key, key_len) == 0 && word[key_len] == '=') {
            int slot = 0;
            while (slot < kSlots && g_keys[slot] && strcmp(g_keys[slot], key) != 0)
                ++slot;
            if (slot == kSlots)
                slot = 0;
            g_keys[slot] = key;
            size_t len = size_t(p - word) - key_len - 1;
            if (len >= sizeof g_values[slot])
                len = sizeof g_values[slot] - 1;
            memcpy(g_values[slot], word + key_len + 1, len);
            g_values[slot][len] = '\0';
            return g_values[slot];
        }
    }
    return nullptr;
}

} // namespace cmdline
