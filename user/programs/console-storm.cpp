// console-storm: user verdict lines stay whole while another process writes.
//
// A console-noise child writes single bytes without a newline all the time;
// meanwhile this program prints kLines verdicts, one printf (one write) each,
// with enough work between them that the timer switches processes often.
// The harness must see every `storm-line-NN` verdict (labs/manifest.json
// lists them all), which it can only if no noise landed inside a line and a
// line that starts after noise is still read.
#include "program.h"

namespace {
constexpr int kLines = 12;
constexpr uint32_t kWorkBetweenLines = 30000; // ~6 instructions each: ~2 quanta

void work()
{
    for (volatile uint32_t i = 0; i < kWorkBetweenLines; i = i + 1) { }
}
} // namespace

int main(const char* args)
{
    verdict_init(args);
    int noise = sys::spawn("console-noise", "n=3000");
    check("noise-spawned", noise > 0, "spawn(console-noise) = %d", noise);
    for (int i = 1; i <= kLines; ++i) {
        work();
        char name[32];
        format_to(name, sizeof name, "storm-line-%02d", i);
        check(name, true);
    }
    int status = -100;
    check("noise-exit-0", noise > 0 && sys::wait(noise, &status) == noise && status == 0, "status %d", status);
    return 0;
}
