#!/usr/bin/env bash
# The grant lookup benchmark (issue 2; docs/benchmarks.md, "Approval server: grant lookup"):
#   approval-server/bench/grant-lookup.sh [clients seconds-per-phase open-loop-rates...]
# default 50 10 2000 5000. Compiles the server and the modules it needs from this work tree (no
# install: nothing goes to ~/.m2), then runs the load generator in a JVM of its own; that one starts the
# server as a further JVM with approval-server/server-jvm.options, the production JVM options, as
# ./lockbox server does ($LOCKBOX_JAVA_OPTS is added to the server's options as there).
# Extra options for the load generator: BENCH_JAVA_OPTS (e.g. -Dlockbox.bench.endpoint=status, or
# -Dlockbox.bench.wrk=/usr/bin/wrk for a last closed-loop phase driven by wrk: apt-get install wrk).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CP_FILE="$ROOT/approval-server/target/grant-lookup-bench.classpath"
# In one reactor build the sibling modules resolve to their target/classes (every module writes the
# file in turn; approval-server, built last, leaves its own). ${MVN_ARGS} e.g. to drop -o.
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:--o} -pl approval-server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
CP="approval-server/target/test-classes:approval-server/target/classes:$(cat "$CP_FILE")"
# The load generator allocates nothing while measuring; a small fixed heap and the serial collector
# keep it out of the way of the server on the 2 cores.
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(50 10 2000 5000)
# shellcheck disable=SC2086
exec java -Xms256m -Xmx256m -XX:+UseSerialGC ${BENCH_JAVA_OPTS:-} -cp "$CP" dev.lockbox.server.bench.GrantLookupBenchmark "${args[@]}"
