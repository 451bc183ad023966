#!/usr/bin/env bash
# Runs the example assistant (deploy/examples/assistant, docs/integrations.md) against the local
# system: it reads chat.message-events with a consumer group of its own and answers the tenant's
# customers through chat-api as "Acme Assistant", while no one of the staff holds the chat.
#   deploy/local/assistant.sh [--tenant acme] [--from-beginning] [--group parley-example-assistant]
#                             [--kafka 127.0.0.1:59092] [--api http://127.0.0.1:8080]   (if start.sh moved them)
# Start deploy/local/start.sh first. Ctrl-C stops it; started again, it goes on where it stopped.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
. deploy/local/java.sh
tenant=acme
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = "--tenant" ] && [ $((i + 1)) -lt ${#args[@]} ]; then tenant="${args[$((i + 1))]}"; fi
done
if [ ! -f deploy/examples/assistant/target/launcher.classpath ]; then
  ./mvnw -B -q package -DskipTests -pl deploy/examples/assistant -am >&2
fi
# a service token of the tenant for a day, signed with the local system's development key
token="$(deploy/local/token.sh --tenant "$tenant" --user assistant --role service --name 'Acme Assistant' \
  --ttl-minutes 1440)"
cp="deploy/examples/assistant/target/example-assistant-1.0.0-SNAPSHOT.jar:$(cat deploy/examples/assistant/target/launcher.classpath)"
exec java -cp "$cp" com.parley.examples.assistant.AssistantCli --tenant "$tenant" --token "$token" \
  --kafka 127.0.0.1:59092 --api http://127.0.0.1:8080 "$@"
