#!/usr/bin/env bash
# npm run restore: a base backup plus the archived WAL into a FRESH data directory, replayed to the end of the
# archive (--latest, the default) or to a moment (--target-time), then started and promoted.
#   bash scripts/restore.sh [--latest | --target-time T] [--backup NAME] [--data-dir D] [--port P]
# T: anything `date -d` reads, e.g. "2026-12-04 19:30:00+00". The cluster it starts runs beside the stack's
# (port LIFELINE_RESTORE_PORT, default 25433; data in .run/restore/<stamp>); it never touches the running one.
# To switch over: stop the stack's Postgres, move the restored directory into .run/postgres/data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/backup/common.sh"

target="" backup="" data_dir="" port=${LIFELINE_RESTORE_PORT:-25433}
usage() { echo "usage: restore.sh [--latest | --target-time T] [--backup NAME] [--data-dir D] [--port P]" >&2; exit 2; }
while (($#)); do
  case $1 in
    --latest) target=""; shift ;;
    --target-time) target=${2:?}; shift 2 ;;
    --backup) backup=${2:?}; shift 2 ;;
    --data-dir) data_dir=${2:?}; shift 2 ;;
    --port) port=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done
backup_require_binaries
[[ $port =~ ^[0-9]+$ ]] || die "--port: not a port number: $port"
target_epoch=""
if [[ -n $target ]]; then
  target_epoch=$(date -u -d "$target" +%s 2>/dev/null) || die "--target-time: cannot read '$target' as a time"
  # The server reads this form without doubt about the zone.
  target=$(date -u -d "$target" '+%Y-%m-%d %H:%M:%S.%N+00')
fi

# The newest backup that ended before the target: replay starts from there. One that ended later cannot
# restore an earlier moment (it is only consistent from its end on).
choose_backup() {
  local d chosen=""
  if [[ -n $backup ]]; then
    [[ -f $BASE_DIR/$backup/backup.info ]] || die "no base backup named $backup in $BASE_DIR"
    echo "$BASE_DIR/$backup"; return
  fi
  while read -r d; do
    [[ -n $d ]] || continue
    if [[ -z $target_epoch ]] || (($(info_value "$d" ended_epoch) <= target_epoch)); then chosen=$d; fi
  done < <(list_base_backups)
  [[ -n $chosen ]] || die "no base backup in $BASE_DIR ${target:+that ended before $target}"
  echo "$chosen"
}

chosen=$(choose_backup)
data_dir=${data_dir:-$RUN_DIR/restore/$(date -u +%Y%m%dT%H%M%SZ)}
[[ -e $data_dir && -n $(ls -A "$data_dir" 2>/dev/null) ]] && die "$data_dir is not empty: restore into a fresh directory"
require_port_free "restored postgres" "$port"
log "restoring $(basename "$chosen") (ended $(info_value "$chosen" ended_at)) to ${target:-the end of the archive} into $data_dir"

t0=$(now_us)
mkdir -p "$data_dir"
is_root && chown "$PG_OS_USER:" "$data_dir"
chmod 700 "$data_dir"
as_pg tar -xzf "$chosen/base.tar.gz" -C "$data_dir"
as_pg tar -xzf "$chosen/pg_wal.tar.gz" -C "$data_dir/pg_wal"

# The segment the receiver was writing is still called .partial: hand it over under its real name, or the
# last minutes before the loss would be missing from a --latest restore.
restore_command="f=$WAL_DIR/%f; if [ -f \$f ]; then cp \$f %p; elif [ -f \$f.partial ]; then cp \$f.partial %p; else exit 1; fi"
[[ $WAL_DIR != *[[:space:]\'\"\$]* ]] || die "LIFELINE_BACKUP_DIR must not hold spaces, quotes or \$: $BACKUP_DIR"
# postgresql.auto.conf is read last: these win over the copied lifeline.conf (the old cluster's port).
{
  echo "# Written by scripts/restore.sh from $(basename "$chosen")"
  echo "port = $port"
  echo "listen_addresses = '127.0.0.1'"
  echo "unix_socket_directories = ''"
  echo "restore_command = '$restore_command'"
  if [[ -n $target ]]; then
    echo "recovery_target_time = '$target'"
  fi
  echo "recovery_target_action = 'promote'"
} | as_pg tee -a "$data_dir/postgresql.auto.conf" >/dev/null
as_pg touch "$data_dir/recovery.signal"
# -w: until it accepts (read-only) connections, which may take the whole replay.
as_pg "$PG_BIN/pg_ctl" start -D "$data_dir" -l "$data_dir/restore.log" -s -w -t 300 ||
  { tail -n 30 "$data_dir/restore.log" >&2; die "the restored server did not start (log: $data_dir/restore.log)"; }

psql_restored() { pg_env "$PG_BIN/psql" -p "$port" -d postgres -tAc "$1"; }
# Ready = answering and out of recovery (promoted): before that it refuses writes.
restored_ready() { "$PG_BIN/pg_isready" -q -t 2 -h 127.0.0.1 -p "$port" && [[ $(psql_restored 'SELECT pg_is_in_recovery()') == f ]]; }
restored_running() { [[ -f $data_dir/postmaster.pid ]] && pid_alive "$(read_pid "$data_dir/postmaster.pid")" postgres; }
until restored_ready; do
  restored_running || { tail -n 30 "$data_dir/restore.log" >&2; die "the restored server exited (log: $data_dir/restore.log)"; }
  (($(now_us) - t0 < 300000000)) || die "the restored server is not ready after 300s (log: $data_dir/restore.log)"
  sleep 0.3
done
took=$(fmt_us $(($(now_us) - t0)))

log "restored in $took: postgres on 127.0.0.1:$port, data in $data_dir"
log "replayed up to: $(grep -E 'recovery stopping|last completed transaction' "$data_dir/restore.log" | tail -n 3 | sed 's/^.*LOG: *//' | paste -sd ';' -)"
log "timeline: $((16#$(psql_restored 'SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)')))"
psql_restored "SELECT datname || ' ' || pg_size_pretty(pg_database_size(datname)) FROM pg_database WHERE NOT datistemplate ORDER BY 1" |
  while read -r line; do log "database $line"; done
log "stop it with: $( is_root && printf 'runuser -u %s -- ' "$PG_OS_USER")$PG_BIN/pg_ctl stop -D $data_dir"
