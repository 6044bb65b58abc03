#!/usr/bin/env bash
# `make demo`: record the built-in demo workload with every source that can
# run, then show the episode and answer one question about it with SQL.
set -euo pipefail
ktel="${1:?usage: demo.sh PATH/TO/ktel}"
out="episodes/demo-$(date +%Y%m%d-%H%M%S)"

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: not root — recording what an ordinary user may; sources that need root say so below."
fi
echo "\$ ktel record --workload demo -o $out"
"$ktel" record --workload demo --label purpose=demo -o "$out"
echo
echo "\$ ktel show $out"
"$ktel" show "$out"
echo
query="SELECT comm, COUNT(DISTINCT pid) AS processes, MAX(utime_ns + stime_ns) / 1e6 AS cpu_ms, MAX(rss_bytes) / 1048576.0 AS max_rss_mib FROM proc_samples GROUP BY comm ORDER BY cpu_ms DESC"
echo "\$ ktel query $out \"$query\""
"$ktel" query "$out" "$query"
echo
echo "\$ ktel report $out --top 8"
"$ktel" report "$out" --top 8
