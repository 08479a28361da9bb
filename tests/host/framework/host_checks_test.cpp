// The checks the host tests rely on say what happened first: a failed
// CHECK_EQUAL or CHECK_COMPARE reports the value its argument had when it was
// checked (host_test.h), and a broken lab contract names the function and the
// contract, not a file (VERIFY_CONTRACT, lib/verify.h).
#include "lib/verify.h"

#include "../support/host_test.h"

#include <CppUTest/TestTestingFixture.h>

#include <string>

namespace {
int g_calls;

// A call with a side effect: each call returns one more.
int next_result() { return ++g_calls; }

void check_equal_on_a_call() { CHECK_EQUAL(0, next_result()); }
void check_compare_on_a_call() { CHECK_COMPARE(next_result(), >, 5); }
}

TEST_GROUP(HostChecks)
{
    TestTestingFixture fixture;
    void setup() override { g_calls = 0; }
};

TEST(HostChecks, FailedCheckEqualEvaluatesItsCallOnceAndPrintsThatResult)
{
    fixture.runTestWithMethod(check_equal_on_a_call);
    int failures = fixture.getFailureCount();
    LONGS_EQUAL(1, failures);
    LONGS_EQUAL_TEXT(1, g_calls, "the checked call ran again to print the failure");
    fixture.assertPrintContains("but was  <1>");
}

TEST(HostChecks, FailedCheckCompareEvaluatesItsCallOnceAndPrintsThatResult)
{
    fixture.runTestWithMethod(check_compare_on_a_call);
    int failures = fixture.getFailureCount();
    LONGS_EQUAL(1, failures);
    LONGS_EQUAL_TEXT(1, g_calls, "the compared call ran again to print the failure");
    fixture.assertPrintContains("1 > 5");
}

TEST(HostChecks, BrokenContractNamesTheFunctionAndTheContractButNoFile)
{
    std::string message;
    {
        VerifyFailureExpected expected;
        try {
            VERIFY_CONTRACT(g_calls == 1, "FrameArray::free", "the frame is in the array",
                "0x%08x is not a frame of the array", 0x1000u);
        } catch (const VerifyFailure&) {
            message = last_verify_message();
        }
    }
    STRCMP_EQUAL("FrameArray::free: contract broken: the frame is in the array: 0x00001000 is not a frame of the array",
        message.c_str());
}
