#!/usr/bin/env bash
# Starts the whole system on this machine: PostgreSQL and Kafka (data kept in .local/), chat-api,
# two realtime-gateway instances, escalation-legacy and a demo shop that embeds the widget. Ctrl-C
# stops everything.
# Its ports (8080-8084, 55432, 59092-59093) move with -D options, e.g.
#   deploy/local/start.sh -Dparley.local.chat-api-port=9080
# and the services take their own settings the same way (chat-api/README.md, realtime-gateway/README.md):
#   deploy/local/start.sh -Dparley.chat-api.claims.release-when-offline=30S -Dparley.gateway.limits.connections-per-user=2
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
. deploy/local/java.sh
build_unless_skipped
cp="$(local_infra_classpath)"
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@" -cp "$cp" com.parley.infra.LocalSystem "$repo"
