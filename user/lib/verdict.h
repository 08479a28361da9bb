// verdict.h: the test protocol of user programs, the same lines the kernel's
// own tests print (os/kernel/ktest.h):
//
//   @@ <token> VERDICT <check> PASS
//   @@ <token> VERDICT <check> FAIL <reason>
//   @@ <token> VALUE <key> <value>
//
// The token is the run's secret: the kernel passes it in the argument string
// (`token=<hex>`) and the harness trusts only lines that carry it. A program
// that starts others passes verdict_token() on, so their verdicts count too.
//
//   int main(const char* args)
//   {
//       verdict_init(args);
//       check("getpid-positive", sys::getpid() > 0);
//       return verdict_status();
//   }
#pragma once

#include <stdint.h>

// Keep the token of `args` (`-` when there is none: lines then count for nothing).
void verdict_init(const char* args);
const char* verdict_token();

// Print one verdict line. Returns `pass`.
bool check(const char* name, bool pass);
bool check(const char* name, bool pass, const char* fail_fmt, ...) __attribute__((format(printf, 3, 4)));

// Print one VALUE line (a measurement; never judged by itself).
void value(const char* key, uint64_t n);

// The exit status for main: 0 if every check so far passed, else 1.
int verdict_status();
