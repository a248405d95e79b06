#!/bin/bash
# mycheckscript.sh — example check script for ipfailover (OPENSHIFT_HA_CHECK_SCRIPT).
#
# Contract (keepalived's, kept by ipfailover): called with no arguments every
# OPENSHIFT_HA_CHECK_INTERVAL seconds; exit 0 = this node may hold the VIPs,
# any other exit status = fail (every instance of the node goes to FAULT and the
# VIPs move to another node). A run that takes longer than the interval is
# killed and counts as a failure, so every step below is bounded.
#
# What it checks, in order:
#   1. Maintenance switch: if the file ${IPF_CHECK_STATE_FILE} exists, fail
#      (exit 1). Touch it to drain a node on purpose, remove it to take the node
#      back. In the pod:
#        oc exec <pod> -- touch /var/run/ipfailover/check-fail
#   2. TCP probe (optional): connect to ${IPF_CHECK_HOST}:${IPF_CHECK_PORT};
#      refused or timed out = fail (exit 2). Port 0 or unset disables the probe.
#      This is what the OpenShift image's default check does (bash's /dev/tcp
#      to the node's own address on OPENSHIFT_HA_MONITOR_PORT), so the port
#      falls back to OPENSHIFT_HA_MONITOR_PORT.
#
# Environment (all optional):
#   IPF_CHECK_STATE_FILE  maintenance file       default /var/run/ipfailover/check-fail
#   IPF_CHECK_HOST        address to probe       default 127.0.0.1 (the Deployment
#                                                sets the node's IP, status.hostIP)
#   IPF_CHECK_PORT        TCP port to probe      default $OPENSHIFT_HA_MONITOR_PORT, else 0
#   IPF_CHECK_TIMEOUT     probe timeout, seconds default 1
#
# The host's filesystem is mounted read-only at /host in the pod, as in the
# OpenShift image (and also at /hosts): a check that needs a host file reads
# /host/<path>.
set -u

state_file=${IPF_CHECK_STATE_FILE:-/var/run/ipfailover/check-fail}
host=${IPF_CHECK_HOST:-127.0.0.1}
port=${IPF_CHECK_PORT:-${OPENSHIFT_HA_MONITOR_PORT:-0}}
timeout_s=${IPF_CHECK_TIMEOUT:-1}

if [[ -e $state_file ]]; then
  echo "mycheckscript: maintenance file $state_file present: failing on purpose" >&2
  exit 1
fi

if [[ $port != 0 ]]; then
  # A bracketed IPv6 literal is not accepted by /dev/tcp; strip brackets.
  host=${host#\[}; host=${host%\]}
  if ! timeout "$timeout_s" bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null; then
    echo "mycheckscript: no TCP listener at $host port $port (within ${timeout_s}s)" >&2
    exit 2
  fi
fi

exit 0
