# Sourced by the local scripts: picks a JDK 21 or newer (JAVA_HOME, java on PATH, or /usr/lib/jvm).
java_ok() { "$1" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; }
if [ -n "${JAVA_HOME:-}" ] && java_ok "$JAVA_HOME/bin/java"; then
  :
elif command -v java >/dev/null && java_ok "$(command -v java)"; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
else
  for candidate in /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/java" ] && java_ok "$candidate/bin/java"; then JAVA_HOME="$candidate"; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || ! java_ok "$JAVA_HOME/bin/java"; then
  echo "JDK 21 or newer is required; set JAVA_HOME." >&2
  exit 1
fi
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
if "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[3-9]|[3-9][0-9])'; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi

# Builds every module (tests skipped) unless SKIP_BUILD=1: the launch scripts run what it builds.
build_unless_skipped() {
  if [ "${SKIP_BUILD:-}" != "1" ]; then
    echo "Building (./mvnw package -DskipTests) ..."
    ./mvnw -B -q package -DskipTests
  fi
}

# The classpath of the local tools (local-infra and what it needs), built first if it never was.
local_infra_classpath() {
  if [ ! -f deploy/local-infra/target/launcher.classpath ]; then
    ./mvnw -B -q package -DskipTests -pl deploy/local-infra -am >&2
  fi
  echo "deploy/local-infra/target/local-infra-1.0.0-SNAPSHOT.jar:$(cat deploy/local-infra/target/launcher.classpath)"
}
