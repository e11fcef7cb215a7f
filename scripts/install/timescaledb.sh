#!/usr/bin/env bash
# TimescaleDB 2.28.3 for the stack's PostgreSQL 15, from the build in ../shared/timescaledb (relative to the
# repo root) when that folder exists; the registries these machines reach do not serve it. Without the
# folder nothing is installed and the audit and location migrations take their native partitioning path.
#   bash scripts/install/timescaledb.sh           install when the build is there and not yet installed
#   bash scripts/install/timescaledb.sh --check   exit 0 when installed (or no build to install), 1 otherwise
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

BUILD_DIR=${LIFELINE_TIMESCALEDB_DIR:-$REPO_ROOT/../shared/timescaledb}
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config

installed() { [[ -f $("$PG_CONFIG" --pkglibdir)/timescaledb.so && -f $("$PG_CONFIG" --sharedir)/extension/timescaledb.control ]]; }

if [[ ! -x $BUILD_DIR/install.sh ]]; then
  [[ ${1:-} == --check ]] && exit 0
  log "no TimescaleDB build in $BUILD_DIR: Postgres runs without it (native partitions)"
  exit 0
fi
[[ -x $PG_CONFIG ]] || die "PostgreSQL 15 not found ($PG_CONFIG): run scripts/install/system.sh first"
if [[ ${1:-} == --check ]]; then installed; exit; fi
as_root bash "$BUILD_DIR/install.sh" "$PG_CONFIG" | while read -r line; do log "$line"; done
