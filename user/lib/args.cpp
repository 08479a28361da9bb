#include "args.h"

#include "lib/string.h"

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// The value of digit `c` in `base`, or -1.
int digit(char c, unsigned base)
{
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    return d >= 0 && unsigned(d) < base ? d : -1;
}
} // namespace

bool ArgValue::is(const char* word) const
{
    return present() && strlen(word) == length && strncmp(text, word, length) == 0;
}

uint32_t ArgValue::number(uint32_t fallback) const
{
    if (!present() || length == 0)
        return fallback;
    size_t i = 0;
    unsigned base = 10;
    if (length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        i = 2;
    }
    uint32_t value = 0;
    for (; i < length; ++i) {
        int d = digit(text[i], base);
        if (d < 0)
            return fallback;
        value = value * base + uint32_t(d);
    }
    return value;
}

bool ArgValue::copy_to(char* out, size_t size) const
{
    if (!present() || length + 1 > size)
        return false;
    memcpy(out, text, length);
    out[length] = '\0';
    return true;
}

ArgValue arg(const char* args, const char* key)
{
    if (!args)
        return {};
    size_t key_length = strlen(key);
    const char* p = args;
    while (*p) {
        while (is_space(*p))
            ++p;
        const char* word = p;
        while (*p && !is_space(*p))
            ++p;
        size_t word_length = size_t(p - word);
        if (word_length > key_length && strncmp(word, key, key_length) == 0 && word[key_length] == '=')
            return ArgValue { word + key_length + 1, word_length - key_length - 1 };
    }
    return {};
}
