#!/usr/bin/env bash
# Free disk and memory, said before the long builds and again when a build fails:
# a runner out of disk shows up as a compiler's "compilation terminated." deep
# in a C dependency's build, which does not say why.
#
#   scripts/room.sh          # warn when the disk under target/ looks too small
#   scripts/room.sh report   # print what is free (after a failed build)
set -uo pipefail
cd "$(dirname "$0")/.."

# A clean `make test` leaves about 6 GiB in target/ and fuzz/target/, and C
# compilers write their temporary files to /tmp besides.
need_gib=10

free_gib() { df -Pk "$1" 2>/dev/null | awk 'NR == 2 { printf "%d", $4 / 1048576 }'; }

if [ "${1:-}" = report ]; then
    echo "room: free disk and memory now:" >&2
    df -h . "${TMPDIR:-/tmp}" >&2 || true
    free -m >&2 || true
    exit 0
fi

here="$(free_gib .)"
if [ -n "$here" ] && [ "$here" -lt "$need_gib" ]; then
    echo "room: only ${here} GiB free on the disk under $(pwd); make test writes about ${need_gib} GiB" >&2
    echo "room: a build that runs out of space fails with 'No space left on device' or 'compilation terminated.'" >&2
else
    echo "room: ${here:-?} GiB free under $(pwd)"
fi
