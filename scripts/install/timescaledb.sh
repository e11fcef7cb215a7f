#!/usr/bin/env bash
# TimescaleDB 2.28.3 for the stack's PostgreSQL 15, from the build in ../shared/timescaledb (relative to the
# repo root) when that folder exists; the registries these machines reach do not serve it. Without the
# folder nothing is installed or upgraded and the audit and location migrations take their native path.
#   bash scripts/install/timescaledb.sh           upgrade the server if it is too old for the build, install it
#   bash scripts/install/timescaledb.sh --check   exit 0 when nothing is left to do (or no build), 1 otherwise
#   bash scripts/install/timescaledb.sh --loads   exit 0 when the server can preload it (installed, new enough)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

BUILD_DIR=${LIFELINE_TIMESCALEDB_DIR:-$REPO_ROOT/../shared/timescaledb}
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
# The build links symbols older 15.x servers lack (heap_datum_check): on 15.18 loading it fails with
# "undefined symbol". Debian's bookworm-security serves 15.20.
MIN_SERVER=15.20

installed() { [[ -f $("$PG_CONFIG" --pkglibdir)/timescaledb.so && -f $("$PG_CONFIG" --sharedir)/extension/timescaledb.control ]]; }

# "15.18" from "PostgreSQL 15.18 (Debian 15.18-0+deb12u1)" or "15.18-0+deb12u1"
minor_of() { local v=${1#*15.}; v=${v%%[!0-9]*}; echo "${v:-0}"; }
server_new_enough() { (($(minor_of "$("$PG_CONFIG" --version)") >= $(minor_of "$MIN_SERVER"))); }

# Brings the Debian postgresql-15 package (and the client and libpq it depends on) up to the candidate apt
# offers. Only the files on disk change: a running cluster keeps its old binary until it restarts, which
# scripts/stack/postgres.sh does as soon as it sees the newer one.
upgrade_server() {
  local before candidate t0
  before=$("$PG_CONFIG" --version)
  candidate=$(apt_candidate postgresql-15)
  if [[ -z $candidate ]] || (($(minor_of "$candidate") < $(minor_of "$MIN_SERVER"))); then
    log "postgresql-15 candidate is '${candidate:-none}': refreshing the package lists"
    as_root apt-get update -qq
    candidate=$(apt_candidate postgresql-15)
  fi
  (($(minor_of "${candidate:-15.0}") >= $(minor_of "$MIN_SERVER"))) ||
    die "TimescaleDB needs PostgreSQL >= $MIN_SERVER, apt offers postgresql-15 '${candidate:-none}' (is bookworm-security in the sources?)"
  log "upgrading postgresql-15: $before -> $candidate (TimescaleDB needs >= $MIN_SERVER)"
  t0=$(now_us)
  apt_install "postgresql-15=$candidate"
  log "upgraded to $("$PG_CONFIG" --version) in $(fmt_us $(($(now_us) - t0)))"
}

if [[ ! -x $BUILD_DIR/install.sh ]]; then
  case ${1:-} in
    --check) exit 0 ;;
    --loads) exit 1 ;;
  esac
  log "no TimescaleDB build in $BUILD_DIR: Postgres runs without it (native partitions)"
  exit 0
fi
[[ -x $PG_CONFIG ]] || die "PostgreSQL 15 not found ($PG_CONFIG): run scripts/install/system.sh first"
case ${1:-} in
  --check | --loads) installed && server_new_enough; exit ;;
  "") ;;
  *) die "usage: $0 [--check|--loads]" ;;
esac
server_new_enough || upgrade_server
as_root bash "$BUILD_DIR/install.sh" "$PG_CONFIG" | while read -r line; do log "$line"; done
