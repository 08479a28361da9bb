#!/usr/bin/python3
"""classroom-results.py: a `make grade` result for GitHub Classroom.

  classroom-results.py build/grade/labN/results.json   -> one line of base64

Converts grade.py's results.json (Gradescope's format) into the runner
result that GitHub Classroom's grading reporter
(classroom-resources/autograding-grading-reporter) reads from the
environment variable <RUNNER>_RESULTS, base64-encoded: version, status,
max_score, and per test its name, status, score and message.
"""
import base64
import json
import sys


def convert(result):
    tests = [{"name": t["name"], "status": "pass" if t.get("status") == "passed" else "fail",
              "score": t["score"], "message": t.get("output", ""), "test_code": "", "filename": "",
              "line_no": 0, "duration": 0} for t in result["tests"]]
    return {"version": 1, "status": "pass" if all(t["status"] == "pass" for t in tests) else "fail",
            "max_score": result["max_score"], "tests": tests}


def main(argv):
    if len(argv) != 1:
        sys.exit(__doc__)
    try:
        result = json.load(open(argv[0]))
    except (OSError, ValueError) as e:
        result = {"max_score": 0, "tests": [{"name": "grade", "score": 0, "status": "failed",
                                             "output": f"no results: {e}"}]}
    print(base64.b64encode(json.dumps(convert(result)).encode()).decode())


if __name__ == "__main__":
    main(sys.argv[1:])
