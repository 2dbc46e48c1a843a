#!/bin/bash
# The host's /dev as a test run must leave it: each entry directly in /dev (type, mode, owner, device numbers,
# link target) and the file systems mounted below it.  tests/run-all.sh and tests/stack/run print it before
# and after their suites and fail when it changed: the suites build /dev trees of their own in private mount
# namespaces, and a mistake there (a node made in the host's devtmpfs, a link replaced) must not pass silently.
# Not listed: what lives below /dev/pts and /dev/shm, which other programs change all the time.
set -u
LC_ALL=C stat -c '%F %a %U:%G %t,%T %N' /dev/* /dev/.[!.]* 2>/dev/null | sort
findmnt -rn -o TARGET,FSTYPE 2>/dev/null | grep '^/dev' | sort
