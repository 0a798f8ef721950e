#!/usr/bin/env bash
# Builds the embedded Neo4j launcher into the git-ignored .neo4j/ folder:
#   .neo4j/launcher.jar   the launcher; its manifest puts every jar in lib/ on the classpath
#   .neo4j/lib/*.jar      Neo4j Community + Bolt and their runtime dependencies, from Maven Central
#   .neo4j/stamp          written last; names the Neo4j version and a hash of the launcher sources
# Safe to run repeatedly: when the stamp matches it exits at once, without needing Java or Maven.
# Usage: scripts/neo4j-setup.sh [--force]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.neo4j"
POM="$ROOT/neo4j/launcher/pom.xml"
SRC="$ROOT/neo4j/launcher/src/main/java/org/scenegraph/neo4j/Launcher.java"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { echo "[neo4j-setup] $*"; }
die() { echo "[neo4j-setup] ERROR: $*" >&2; exit 1; }

[[ -f "$POM" && -f "$SRC" ]] || die "launcher sources not found under $ROOT/neo4j/launcher"

NEO4J_VERSION="$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$POM" | head -n1)"
[[ -n "$NEO4J_VERSION" ]] || die "no <neo4j.version> in $POM"
# Rebuild when the pom or the launcher changes, not only when the version does.
if command -v sha256sum >/dev/null 2>&1; then SHA256=(sha256sum); else SHA256=(shasum -a 256); fi # macOS
SOURCES_HASH="$(cat "$POM" "$SRC" | "${SHA256[@]}" | cut -c1-16)"
EXPECTED_STAMP="neo4j=$NEO4J_VERSION sources=$SOURCES_HASH"

is_current() {
  [[ -f "$OUT/stamp" && -f "$OUT/launcher.jar" && -f "$OUT/lib/neo4j-$NEO4J_VERSION.jar" &&
    -f "$OUT/lib/neo4j-bolt-$NEO4J_VERSION.jar" && "$(cat "$OUT/stamp")" == "$EXPECTED_STAMP" ]]
}

if [[ $FORCE -eq 0 ]] && is_current; then
  log "up to date: Neo4j $NEO4J_VERSION in $OUT"
  exit 0
fi

# --- tools ---------------------------------------------------------------------------------------
INSTALL_HINT="install OpenJDK 17 or 21 and Maven (e.g. apt-get install openjdk-17-jdk-headless maven), or run Neo4j with 'docker compose up' instead"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1; then
  JAVA="$(command -v java)"
else
  die "Java not found (JAVA_HOME unset and no java on PATH): $INSTALL_HINT"
fi
JAVA_VERSION_LINE="$("$JAVA" -version 2>&1 | head -n1)"
# 'version "17.0.15"' or the old 'version "1.8.0_392"' scheme.
JAVA_MAJOR="$(sed -n 's/.*version "\([0-9][0-9]*\)\(\.\([0-9]*\)\)\{0,1\}.*/\1 \3/p' <<<"$JAVA_VERSION_LINE")"
read -r JAVA_MAJOR JAVA_MINOR <<<"$JAVA_MAJOR"
[[ "$JAVA_MAJOR" == "1" ]] && JAVA_MAJOR="${JAVA_MINOR:-0}"
[[ "$JAVA_MAJOR" =~ ^[0-9]+$ ]] || die "cannot tell the Java version from: $JAVA_VERSION_LINE"
if ((JAVA_MAJOR < 17)); then
  die "Neo4j ${NEO4J_VERSION} needs Java 17 or newer, found '$JAVA_VERSION_LINE' ($JAVA): $INSTALL_HINT"
fi
command -v mvn >/dev/null 2>&1 || die "Maven (mvn) not found: $INSTALL_HINT"
log "using $JAVA_VERSION_LINE ($JAVA) and $(mvn -v -Dstyle.color=never 2>&1 | head -n1 | sed 's/\x1b\[[0-9;]*m//g')"

# --- build ---------------------------------------------------------------------------------------
mkdir -p "$OUT"
# Two starts racing (e.g. parallel test runs) must not build into the same folder at once.
exec 9>"$OUT/.setup.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  if [[ $FORCE -eq 0 ]] && is_current; then
    log "up to date (built by a concurrent run): Neo4j $NEO4J_VERSION in $OUT"
    exit 0
  fi
fi

# The stamp is removed first and written last, so an interrupted build never looks complete.
rm -rf "$OUT/stamp" "$OUT/launcher.jar" "$OUT/lib" "$OUT/build"
log "building launcher for Neo4j Community $NEO4J_VERSION (first run downloads ~125 MB from Maven Central)"
start=$SECONDS
# Maven 3.8's console library emits colour resets even in batch mode; strip them from the output.
if ! mvn -B -q -Dstyle.color=never -f "$POM" \
  -Dlauncher.buildDir="$OUT/build" \
  -DoutputDirectory="$OUT/lib" \
  package dependency:copy-dependencies 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; then
  die "Maven build failed (is Maven Central reachable? see the output above)"
fi
cp "$OUT/build/launcher.jar" "$OUT/launcher.jar"
rm -rf "$OUT/build"
[[ -f "$OUT/lib/neo4j-$NEO4J_VERSION.jar" && -f "$OUT/lib/neo4j-bolt-$NEO4J_VERSION.jar" ]] ||
  die "Neo4j $NEO4J_VERSION jars missing from $OUT/lib after the build"
echo "$EXPECTED_STAMP" >"$OUT/stamp"
log "done in $((SECONDS - start)) s: $(ls "$OUT/lib" | wc -l) jars, $(du -sh "$OUT" | cut -f1) in $OUT"
