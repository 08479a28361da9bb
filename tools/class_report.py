"""class_report.py: the class report of tools/grade-all.py.

  write_report(out, lab, rows, wall, jobs) writes out/scores.csv and
  out/report.md with out/failures.png: per part of the lab and per test how
  many submissions failed it (table, and a bar chart with python3-matplotlib),
  the slowest submissions, policy violations, refused files and time-outs.

A row is one submission: submission, score, max_score, status (graded,
policy, refused, timeout), seconds, reasons, and the tests of its
results.json.
"""
import csv
import os


def failures_per_test(rows):
    """[(test name, submissions that failed it)], most failed first. A submission with no result
    for a test (refused, policy, build failure) failed it."""
    names = []
    for row in rows:
        for t in row["tests"]:
            if t["max_score"] and t["name"] not in names and t["name"] not in ("submission", "lab-code policy",
                                                                                "build", "grader"):
                names.append(t["name"])
    counts = []
    for name in names:
        passed = sum(1 for row in rows for t in row["tests"] if t["name"] == name and t["status"] == "passed")
        counts.append((name, len(rows) - passed))
    return sorted(counts, key=lambda c: (-c[1], c[0]))


def short_name(test):
    """'host: host-lab3.ZeroFill.X' -> 'host: ZeroFill.X' (the lab is the report's)."""
    level, _, rest = test.partition(": ")
    return f"{level}: {rest.split('.', 1)[1]}" if rest.startswith("host-") and "." in rest else test


def part_of(test):
    """The part of the lab a test checks: its host-test group, or the kernel test or debugger check."""
    name = short_name(test)
    return name.rsplit(".", 1)[0] if name.startswith("host: ") else name


def failures_per_part(counts, total):
    """[(part, tests, share of (test, submission) pairs failed)], worst first."""
    parts = {}
    for test, failed in counts:
        n, f = parts.get(part_of(test), (0, 0))
        parts[part_of(test)] = (n + 1, f + failed)
    rows = [(part, n, f / (n * total) if total else 0) for part, (n, f) in parts.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def chart(counts, total, path):
    """Horizontal bar chart of failures per test (PNG); returns '' or why there is none."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "no chart: python3-matplotlib is not installed (tools/setup.sh installs it)"
    names = [short_name(c[0]) for c in counts][::-1]
    values = [c[1] for c in counts][::-1]
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(names) + 1.5))
    ax.barh(names, values, color=["#c0392b" if v * 2 > total else "#e67e22" if v else "#27ae60" for v in values])
    ax.set_xlim(0, max(total, 1))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Failures per test (red: more than half the class)")
    ax.set_xlabel(f"submissions that failed the test (of {total})")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return ""


def write_report(out, lab, rows, wall, jobs):
    """scores.csv and report.md (+ failures.png)."""
    with open(os.path.join(out, "scores.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["submission", "score", "max_score", "status", "seconds", "reasons"])
        for r in rows:
            w.writerow([r["submission"], r["score"], r["max_score"], r["status"], r["seconds"],
                        " | ".join(x.replace("\n", "; ") for x in r["reasons"])])
    counts = failures_per_test(rows)
    no_chart = chart(counts, len(rows), os.path.join(out, "failures.png")) if counts else "no tests ran"
    lines = [f"# Lab {lab['lab']} ({lab['title']}): class report", "",
             f"{len(rows)} submissions, graded {jobs} at a time in {wall:.0f} s "
             f"({wall / max(len(rows), 1):.1f} s per submission).", ""]
    scores = sorted(r["score"] for r in rows)
    if scores:
        lines += [f"Scores: median {scores[len(scores) // 2]}, lowest {scores[0]}, highest {scores[-1]} "
                  f"(of {rows[0]['max_score']}).", ""]
    lines += ["## Failures per part of the lab", "", "| part | tests | failed (test x submission) |",
              "|---|---:|---:|"]
    lines += [f"| {part} | {n} | {share:.0%} |" for part, n, share in failures_per_part(counts, len(rows))]
    lines += ["", "## Failures per test", "", no_chart or "![failures per test](failures.png)", "",
              "| test | failed | of |", "|---|---:|---:|"]
    lines += [f"| {short_name(name)} | {n} | {len(rows)} |" for name, n in counts]
    lines += ["", "## Slowest submissions", "", "| submission | seconds | status |", "|---|---:|---|"]
    lines += [f"| {r['submission']} | {r['seconds']} | {r['status']} |"
              for r in sorted(rows, key=lambda r: -r["seconds"])[:5]]
    flagged = [r for r in rows if r["status"] in ("policy", "refused", "timeout")]
    lines += ["", "## Policy violations, refused files, time-outs", ""]
    lines += [f"- **{r['submission']}** ({r['status']}): " + "; ".join(x.replace("\n", "; ") for x in r["reasons"])
              for r in flagged] or ["none"]
    open(os.path.join(out, "report.md"), "w").write("\n".join(lines) + "\n")
