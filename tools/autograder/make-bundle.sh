#!/usr/bin/env bash
# make-bundle.sh LAB OUT.zip: the Gradescope autograder bundle of one lab
# (`make autograder LAB=n`). The zip holds, at its top:
#   setup.sh         Gradescope runs it once, as root, in /autograder/source:
#                    unpacks the student release and installs its Debian packages
#   run_autograder   grades /autograder/submission in the sandbox and writes
#                    /autograder/results/results.json
#   release.tar.gz   the student release (tools/release.sh: no solutions/)
#   lab              the lab number
set -euo pipefail
lab=${1:?usage: make-bundle.sh LAB OUT.zip}
out=$(realpath -m "${2:?usage: make-bundle.sh LAB OUT.zip}")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
/usr/bin/python3 "$top/tools/labs.py" numbers | tr ' ' '\n' | grep -qx "$lab" \
    || { echo "make-bundle: no lab $lab with student code" >&2; exit 2; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
"$top/tools/release.sh" "$stage/release.tar.gz" >/dev/null
cp "$here/setup.sh" "$here/run_autograder" "$stage/"
echo "$lab" > "$stage/lab"
# (grep reads the whole list: with pipefail, grep -q would stop early and tar's SIGPIPE fail the pipe)
tar -tzf "$stage/release.tar.gz" | grep -c '^vmkit/reference/' >/dev/null \
    || { echo "make-bundle: the release has no reference/" >&2; exit 1; }
chmod 755 "$stage/setup.sh" "$stage/run_autograder"
mkdir -p "$(dirname "$out")"
rm -f "$out"
(cd "$stage" && /usr/bin/python3 - "$out" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for top, dirs, files in os.walk("."):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(top, name)
            info = zipfile.ZipInfo.from_file(path, os.path.normpath(path))
            with open(path, "rb") as f:
                z.writestr(info, f.read(), zipfile.ZIP_DEFLATED)
PY
)
echo "autograder: $out (lab $lab; upload it as the assignment's autograder)"
