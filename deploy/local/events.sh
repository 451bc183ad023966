#!/usr/bin/env bash
# Prints what the local system publishes on Kafka, one JSON line per record (topic, partition, offset,
# key, headers such as ce_type, value), as a service of yours would read it (docs/integrations.md):
#   deploy/local/events.sh [--topic chat.message-events|chat.tenant-events|chat.signals] [--from-beginning]
#                          [--tenant acme] [--max N]
# From now on unless --from-beginning; Ctrl-C stops it. For example, every message as it is written:
#   deploy/local/events.sh | jq -c 'select(.value.type == "MessageCreated") | .value | {session_id, seq, content}'
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
. deploy/local/java.sh
cp="$(local_infra_classpath)"
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.org.apache.kafka=error \
  -cp "$cp" com.parley.infra.EventsCli "$@"
