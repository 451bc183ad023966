#!/usr/bin/env bash
# Prints a development JWT signed with the local key pair (made by start.sh in .local/keys):
#   deploy/local/token.sh --tenant acme --user alice --role user|supporter|admin|service [--ttl-minutes 480]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
. deploy/local/java.sh
cp="$(local_infra_classpath)"
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" com.parley.infra.TokenCli --keys "$repo/.local/keys" "$@"
