#!/usr/bin/env bash
# Runs trace-cmd (or any command) where trace-cmd 3.1.6 can work on this VM:
# it aborts when /proc/sys/kernel/ftrace_enabled or the set_ftrace_* files
# answer EPERM (no function tracer here), so the command runs in a private
# mount namespace with regular files bind-mounted over those paths, the
# instance's included. Nothing outside the namespace changes.
#   bench/trace_cmd_unshared.sh INSTANCE trace-cmd record -B INSTANCE ...
# INSTANCE is the name of a pre-created <tracefs>/instances/INSTANCE.
set -euo pipefail
if [ "${KTEL_IN_UNSHARE:-0}" != 1 ]; then
  exec env KTEL_IN_UNSHARE=1 unshare -m "$0" "$@"
fi
inst="$1"
shift
tracefs=/sys/kernel/tracing
fake="$(mktemp -d /tmp/trace-cmd-unshared.XXXXXX)"
trap 'rm -rf "$fake"' EXIT
echo 1 > "$fake/ftrace_enabled"
mount --bind "$fake/ftrace_enabled" /proc/sys/kernel/ftrace_enabled
n=0
for f in $tracefs/set_ftrace_{filter,notrace,notrace_pid,pid} \
         $tracefs/instances/$inst/set_ftrace_{filter,notrace,notrace_pid,pid}; do
  [ -e "$f" ] || continue
  n=$((n + 1))
  : > "$fake/dummy.$n"
  mount --bind "$fake/dummy.$n" "$f"
done
"$@"
