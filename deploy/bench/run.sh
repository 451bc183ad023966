#!/usr/bin/env bash
# The realtime benchmark (docs/performance.md): starts PostgreSQL, Kafka, chat-api, two gateway
# instances and a bare Vert.x broadcast server, runs the scenarios and prints their numbers.
# Options as system properties, e.g.  deploy/bench/run.sh -Dbench.scenarios=fanout -Dbench.sizes=2000
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
. deploy/local/java.sh
build_unless_skipped
# every client and every server socket is a file descriptor: 10,000 connections to each of three
# servers need more than the usual 1,024 or 20,000
ulimit -n 100000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "open files limit: $(ulimit -n)"
cp="deploy/bench/target/bench-1.0.0-SNAPSHOT.jar:$(cat deploy/bench/target/bench.classpath)"
exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@" -cp "$cp" com.parley.bench.Bench "$repo"
