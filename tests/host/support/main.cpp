// The CppUTest runner shared by every host test binary.
//
// A time limit per test: with VMKIT_TEST_CPU_MS=n in the environment (set by
// tools/host-tests.py), a test that uses more than n ms of CPU time (an
// endless loop in lab code; CPU time, so a busy machine does not matter) ends
// the binary with the line
//     @@ TIMEOUT <Group>.<Name> <n>
// on stdout and exit status 124; host-tests.py records that test as failed
// and runs the others again without it. Without the variable (a binary run
// by hand, or under a debugger) there is no limit.
#include <CppUTest/CommandLineTestRunner.h>
#include <CppUTest/TestPlugin.h>
#include <CppUTest/TestRegistry.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

namespace {
char g_line[320];    // the TIMEOUT line of the running test, made before it runs
size_t g_length;

void on_alarm(int)
{
    ssize_t written = write(STDOUT_FILENO, g_line, g_length);
    (void)written;
    _exit(124);
}

class TimeLimit : public TestPlugin {
public:
    explicit TimeLimit(unsigned ms) : TestPlugin("TimeLimit"), m_ms(ms) { }

    void preTestAction(UtestShell& test, TestResult&) override
    {
        int n = snprintf(g_line, sizeof g_line, "\n@@ TIMEOUT %s.%s %u\n", test.getGroup().asCharString(),
            test.getName().asCharString(), m_ms);
        g_length = n < 0 ? 0 : size_t(n) < sizeof g_line ? size_t(n) : sizeof g_line - 1;
        arm(m_ms);
    }
    void postTestAction(UtestShell&, TestResult&) override { arm(0); }

private:
    static void arm(unsigned ms)
    {
        itimerval limit {};
        limit.it_value.tv_sec = ms / 1000;
        limit.it_value.tv_usec = (ms % 1000) * 1000;
        setitimer(ITIMER_VIRTUAL, &limit, nullptr);
    }

    unsigned m_ms;
};
}

int main(int argc, char** argv)
{
    const char* limit = getenv("VMKIT_TEST_CPU_MS");
    unsigned ms = limit ? unsigned(strtoul(limit, nullptr, 10)) : 0;
    TimeLimit time_limit(ms);
    if (ms) {
        signal(SIGVTALRM, on_alarm);
        TestRegistry::getCurrentRegistry()->installPlugin(&time_limit);
    }
    return CommandLineTestRunner::RunAllTests(argc, argv);
}
