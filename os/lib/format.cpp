#include "lib/format.h"

#include <stdint.h>

namespace {

struct Out {
    FormatSink sink;
    int count;
    void put(char c)
    {
        sink.put(sink.context, c);
        ++count;
    }
};

// Write `value` in `base`, padded to `width` with `pad`.
void put_number(Out& out, uint64_t value, unsigned base, bool upper, bool negative, int width, char pad)
{
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int n = 0;
    do {
        buf[n++] = digits[value % base];
        value /= base;
    } while (value != 0);
    int len = n + (negative ? 1 : 0);
    if (negative && pad == '0')
        out.put('-');
    for (; len < width; ++len)
        out.put(pad);
    if (negative && pad != '0')
        out.put('-');
    while (n > 0)
        out.put(buf[--n]);
}

} // namespace

int vformat(FormatSink sink, const char* fmt, va_list args)
{
    Out out { sink, 0 };
    for (const char* p = fmt; *p; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        ++p;
        char pad = ' ';
        if (*p == '0') {
            pad = '0';
            ++p;
        }
        int width = 0;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        int longs = 0;
        while (*p == 'l') {
            ++longs;
            ++p;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = longs >= 2 ? va_arg(args, long long) : longs == 1 ? va_arg(args, long) : va_arg(args, int);
            bool neg = v < 0;
            put_number(out, neg ? uint64_t(-(v + 1)) + 1 : uint64_t(v), 10, false, neg, width, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longs >= 2 ? va_arg(args, unsigned long long)
                : longs == 1        ? va_arg(args, unsigned long)
                                    : va_arg(args, unsigned int);
            put_number(out, v, *p == 'u' ? 10 : 16, *p == 'X', false, width, pad);
            break;
        }
        case 'p':
            out.put('0');
            out.put('x');
            put_number(out, uintptr_t(va_arg(args, void*)), 16, false, false, 2 * int(sizeof(void*)), '0');
            break;
        case 's': {
            const char* s = va_arg(args, const char*);
            if (!s)
                s = "(null)";
            int len = 0;
            while (s[len])
                ++len;
            for (; len < width; ++len)
                out.put(' ');
            while (*s)
                out.put(*s++);
            break;
        }
        case 'c':
            out.put(char(va_arg(args, int)));
            break;
        case '%':
            out.put('%');
            break;
        case '\0':
            return out.count;
        default: // unknown conversion: show it as written
            out.put('%');
            out.put(*p);
            break;
        }
    }
    return out.count;
}

namespace {
struct Buffer {
    char* data;
    size_t size;
    size_t used;
};
void put_to_buffer(void* context, char c)
{
    auto* b = static_cast<Buffer*>(context);
    if (b->used + 1 < b->size)
        b->data[b->used] = c;
    ++b->used;
}
} // namespace

int vformat_to(char* buffer, size_t size, const char* fmt, va_list args)
{
    Buffer b { buffer, size, 0 };
    int n = vformat(FormatSink { put_to_buffer, &b }, fmt, args);
    if (size > 0)
        buffer[b.used < size ? b.used : size - 1] = '\0';
    return n;
}

int format_to(char* buffer, size_t size, const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vformat_to(buffer, size, fmt, args);
    va_end(args);
    return n;
}
