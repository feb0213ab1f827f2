#!/usr/bin/env bash
# The driver benchmark's async-vs-raw comparison with every cell in a JVM of its own (issue 3;
# docs/benchmarks.md, "Driver: each cell in its own JVM"):
#   driver/bench/separate-jvms.sh [pairs] [cell-ms] [warm-up-rounds] [configs]
# default 2 1000 10 "1 3" (configuration indexes of DriverBenchmark: 1 raw H2 TCP, 2 sync, 3 async).
# DriverBenchmark run as one JVM mixes every path (raw, sync, async, single audit POSTs), so the JIT
# keeps recompiling during the recorded rounds and the raw baseline itself moves (72-176 us for
# the same prepared select). Here each (workload, configuration) cell runs alone
# (-Dbench.only=W:C) after its own warm-up, configurations alternating within each pair, and the
# ratio is taken within a pair. Compiles from this work tree (no install), like
# approval-server/bench/grant-lookup.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
pairs=${1:-2}
cell_ms=${2:-1000}
warmup=${3:-10}
configs=${4:-"1 3"}
CP_FILE="$ROOT/driver/target/separate-jvms.classpath"
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:--o} -pl driver -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
CP="driver/target/test-classes:driver/target/classes:$(cat "$CP_FILE")"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
echo "pairs $pairs, ${cell_ms} ms per cell, $warmup warm-up rounds, configurations: $configs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for pair in $(seq 1 "$pairs"); do
  for w in 0 1; do
    order=$configs
    # Alternate who goes first from one pair to the next.
    if (( pair % 2 == 0 )); then order=$(echo "$configs" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    for c in $order; do
      line=$(java -Dbench.only="$w:$c" -Dbench.warmupRounds="$warmup" -cp "$CP" \
        dev.lockbox.driver.bench.DriverBenchmark 5 "$cell_ms" 2>/dev/null | grep '^CELL ' || true)
      if [ -z "$line" ]; then echo "cell $w:$c printed no CELL line" >&2; exit 1; fi
      echo "pair $pair $line (load $(cut -d' ' -f1 /proc/loadavg))"
      echo "$pair $line" >> "$results"
    done
  done
done
# Per pair and workload: each configuration's us/op and its ratio to raw H2 TCP (configuration 1).
awk '
  { pair=$1; split($3, wc, ":"); w=wc[1]; c=wc[2]; sub("us=", "", $4); us[pair, w, c]=$4; name[w]=$8; cs[c]=1; ws[w]=1; ps[pair]=1 }
  END {
    for (w in ws) for (c in cs) if (c != 1) {
      n=0; line="";
      for (p in ps) if ((p, w, 1) in us && (p, w, c) in us) { r[++n]=us[p, w, c]/us[p, w, 1]; line=line sprintf(" %.2fx (%s/%s us)", r[n], us[p, w, c], us[p, w, 1]) }
      for (i = 2; i <= n; i++) { v = r[i]; for (j = i - 1; j >= 1 && r[j] > v; j--) r[j+1] = r[j]; r[j+1] = v }
      med = n % 2 ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2;
      printf("%s, configuration %d vs raw H2 TCP: median %.2fx; pairs:%s\n", substr(name[w], 10), c, med, line); delete r
    }
  }' "$results"
