#!/bin/bash
# mynotifyscript.sh — example notify script for ipfailover (OPENSHIFT_HA_NOTIFY_SCRIPT).
#
# ipfailover calls it on every state change of every VIP group with keepalived's
# four arguments (the OpenShift documentation shows three lower-case ones; the
# image really passes four, upper case, and so does ipfailover):
#   $1  type      INSTANCE (a vrrp_instance) or GROUP (a vrrp_sync_group)
#   $2  name      e.g. ipfailover_VIP_1
#   $3  state     MASTER, BACKUP, FAULT or STOP
#   $4  priority  the instance's priority (0 for a GROUP)
# ipfailover runs the calls of one instance in order, one at a time, and waits
# at most a bounded time for each; a notify script never delays a takeover.
#
# It appends one line per call to ${IPF_NOTIFY_LOG} and prints the same line on
# stdout (ipfailover logs each line a notify script writes, at info, so it shows
# in `oc logs`; keepalived discards script output). Format, space separated:
#   <UTC timestamp, RFC 3339 with milliseconds> <type> <name> <state> <priority>
#   2026-01-02T03:04:05.678Z INSTANCE ipfailover_VIP_1 MASTER 254
#
# Environment (optional):
#   IPF_NOTIFY_LOG  log file  default /var/log/ipfailover-notify.log
#
# Replace the body with what your site needs (page someone, update DNS, …):
# keep it short-running, and read host files under /host.
set -u

log=${IPF_NOTIFY_LOG:-/var/log/ipfailover-notify.log}
line="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $*"

if [[ $# -ne 4 ]]; then
  echo "mynotifyscript: expected 4 arguments (type name state priority), got $#" >&2
fi

echo "$line"
# One short write with O_APPEND: concurrent writers never interleave a line.
if ! printf '%s\n' "$line" >>"$log" 2>/dev/null; then
  echo "mynotifyscript: cannot append to $log" >&2
fi
exit 0
