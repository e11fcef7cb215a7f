#!/usr/bin/env bash
# Apache Kafka (broker + CLI tool classes) from Maven Central into $LIFELINE_CACHE/kafka/<version>/libs.
# The version is pinned in tools/kafka/pom.xml. Idempotent: a marker written last means "complete".
#   bash scripts/install/kafka.sh           fetch when missing
#   bash scripts/install/kafka.sh --check   exit 0 when the jars are in place, 1 otherwise
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

VERSION=$(kafka_version)
HOME_DIR=$(kafka_home)
LIBS="$HOME_DIR/libs"
MARKER="$HOME_DIR/.complete"

installed() {
  [[ -f $MARKER && -f $LIBS/kafka_2.13-$VERSION.jar && -f $LIBS/kafka-tools-$VERSION.jar ]]
}

copy_jars() {
  local out=$1 offline=$2
  # -o first: with a warm ~/.m2 this needs no network at all.
  mvn -B -q -Dstyle.color=never ${offline:+"$offline"} -f "$KAFKA_POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$out" -Dmdep.overWriteIfNewer=true
}

install_kafka() {
  [[ -n $VERSION ]] || die "no <kafka.version> in $KAFKA_POM"
  command -v mvn >/dev/null || die "maven missing: run scripts/install/system.sh first"
  command -v java >/dev/null || die "java missing: run scripts/install/system.sh first"
  if installed; then
    log "Kafka $VERSION already in $LIBS"
    return 0
  fi
  log "installing Apache Kafka $VERSION (org.apache.kafka:kafka_2.13 + kafka-tools, Maven Central) into $LIBS"
  mkdir -p "$HOME_DIR"
  # Fill a scratch folder and rename it: an interrupted run never leaves a half-filled libs/.
  TMP_LIBS="$HOME_DIR/libs.tmp.$$"
  local tmp=$TMP_LIBS
  rm -rf "$tmp"
  trap 'rm -rf "$TMP_LIBS"' EXIT
  if ! copy_jars "$tmp" -o >/dev/null 2>&1; then
    log "not all jars in ~/.m2 yet: downloading from Maven Central"
    rm -rf "$tmp"
    copy_jars "$tmp" ""
  fi
  [[ -f $tmp/kafka_2.13-$VERSION.jar ]] || die "maven did not produce kafka_2.13-$VERSION.jar"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  local jars
  jars=$(find "$LIBS" -name '*.jar' | wc -l)
  printf 'kafka %s\njars %s\ninstalled %s\n' "$VERSION" "$jars" "$(date -Is)" >"$MARKER"
  log "Kafka $VERSION: $jars jars, $(du -sh "$LIBS" | cut -f1) in $LIBS"
}

main() {
  case "${1:-}" in
    --check) installed ;;
    "") install_kafka ;;
    *) die "usage: $0 [--check]" ;;
  esac
}

main "$@"
