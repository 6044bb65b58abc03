#!/bin/bash
# Captures the /proc files used by the proc parser tests from the running
# machine. Run as root from this directory: ./capture.sh
set -euo pipefail
out=$(pwd)

copy4() {  # copy4 <pid> <prefix>
  for f in stat status io schedstat; do
    cat "/proc/$1/$f" > "$out/$2_$f" 2>/dev/null || echo "($f unreadable for $2)"
  done
}

sleep 1000 & normal=$!
# Only a thread group may rename itself, so the odd comm is set from inside.
python3 -c 'import ctypes,time; ctypes.CDLL(None).prctl(15, b"a) b (c", 0, 0, 0); time.sleep(1000)' &
weird=$!
# The child exits at once and `sleep` (exec'd into the parent) never reaps it.
bash -c 'sleep 0 & exec sleep 1000' & zparent=$!
sleep 0.5
zombie=$(cat "/proc/$zparent/task/$zparent/children" 2>/dev/null | awk '{print $1}')
if [ -z "$zombie" ]; then
  zombie=$(ps -o pid= --ppid "$zparent" | awk '{print $1}' | head -1)
fi

copy4 "$normal" normal
copy4 "$weird" weird_comm
copy4 2 kthread
copy4 "$zombie" zombie
cat /proc/stat > "$out/proc_stat"
kill "$normal" "$weird" "$zparent"
echo "captured normal=$normal weird=$weird zombie=$zombie on $(uname -r)"
