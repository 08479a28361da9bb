"""buildlog.py: the part of a compiler's output a person needs first."""
import re

ERROR = re.compile(r"(^|\s)(fatal )?error:|undefined reference|undefined symbol|No rule to make target")


def first_error(output, context=6):
    """The first error of a build's output with the lines that explain it
    (the compiler's notes and the caret), or the output's last lines when no
    line looks like an error."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if ERROR.search(line):
            return "\n".join(lines[i:i + context])
    return "\n".join(lines[-context:])
