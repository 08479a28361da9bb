"""junit.py: the JUnit XML that the tools read and write, in one place.

A case is (classname, name, passed, message). CppUTest's `-ojunit`, the
kernel and debugger runners, and these tools all produce this format;
tools/summary.py and the graders read it back.
"""
import xml.etree.ElementTree as ET


def read(path):
    """The cases of one JUnit file; an unreadable file is one failed case."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        return [("junit", path, False, f"unreadable: {e}")]
    cases = []
    for case in root.iter("testcase"):
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        message = "" if bad is None else (bad.get("message") or bad.text or "")
        # CppUTest writes a message's line breaks as "{newline}".
        message = message.replace("{newline}", "\n")
        cases.append((case.get("classname", ""), case.get("name", ""), bad is None, message))
    return cases


def write(path, suite, cases):
    """Write `cases` as one <testsuite> named `suite`."""
    root = ET.Element("testsuite", name=suite, tests=str(len(cases)),
                      failures=str(sum(1 for c in cases if not c[2])))
    for classname, name, passed, message in cases:
        node = ET.SubElement(root, "testcase", classname=classname, name=name)
        if not passed:
            ET.SubElement(node, "failure", message=message[:2000])
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
