#!/usr/bin/env bash
# npm run backup: a base backup of the stack's PostgreSQL plus its WAL, for point-in-time recovery.
#   bash scripts/backup.sh [--port P] [--keep N]   start the WAL receiver if it is not running, take a base
#                                                  backup (tar, gzip, manifest), verify it, keep the newest N
#   bash scripts/backup.sh wal start|stop|status [--port P]   the WAL receiver alone
#   bash scripts/backup.sh wal stop --drop-slot [--port P]     ...and the server stops keeping WAL for it
#   bash scripts/backup.sh list | verify [NAME...]             what is kept; check it again (default: all)
# Where: LIFELINE_BACKUP_DIR (default .run/backups); N: LIFELINE_BACKUP_KEEP (default 7). Run it daily (cron,
# a CronJob); the WAL receiver runs in between, so any moment since the oldest kept backup can be restored
# with scripts/restore.sh. Layout: scripts/backup/common.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/backup/common.sh"

port=${LIFELINE_BACKUP_PG_PORT:-$LIFELINE_PG_PORT}
keep=${LIFELINE_BACKUP_KEEP:-7}
command=base wal_action="" drop_slot=0 names=()
usage() { echo "usage: backup.sh [--port P] [--keep N] | wal start|stop|status [--drop-slot] [--port P] | list | verify [NAME...]" >&2; exit 2; }
while (($#)); do
  case $1 in
    --port) port=${2:?}; shift 2 ;;
    --keep) keep=${2:?}; shift 2 ;;
    wal) command=wal wal_action=${2:-}; shift $(($# >= 2 ? 2 : 1)) ;;
    --drop-slot) drop_slot=1; shift ;;
    list) command=list; shift ;;
    verify) command=verify; shift; while (($#)) && [[ $1 != -* ]]; do names+=("$1"); shift; done ;;
    *) usage ;;
  esac
done
[[ $port =~ ^[0-9]+$ ]] || die "--port: not a port number: $port"
[[ $keep =~ ^[1-9][0-9]*$ ]] || die "--keep: must be a whole number >= 1, got '$keep'"

RECEIVER_PID="$BACKUP_DIR/receivewal.pid"
RECEIVER_LOG="$BACKUP_DIR/receivewal.log"

receiver_pid() { pidfile_alive "$RECEIVER_PID" pg_receivewal; }

# The server sees the receiver as a walsender whose application_name is pg_receivewal on our slot.
receiver_streaming() {
  [[ $(pg_env "$PG_BIN/psql" -p "$port" -d postgres -tAc \
    "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$BACKUP_SLOT' AND active") == 1 ]]
}

wal_start() {
  backup_prepare_dir
  local pid
  if pid=$(receiver_pid); then log "WAL receiver already running (pid $pid) into $WAL_DIR"; return 0; fi
  "$PG_BIN/pg_isready" -q -t 5 -h 127.0.0.1 -p "$port" || die "no PostgreSQL answering on 127.0.0.1:$port"
  # Made once, from the current position on: from now on the server keeps what the receiver has not fetched.
  pg_env as_pg "$PG_BIN/pg_receivewal" -p "$port" -D "$WAL_DIR" --slot="$BACKUP_SLOT" --create-slot --if-not-exists >>"$RECEIVER_LOG" 2>&1 ||
    { tail -n 20 "$RECEIVER_LOG" >&2; die "could not create replication slot $BACKUP_SLOT on port $port"; }
  # --synchronous: each write is flushed and reported at once, so "received" means "on the archive's disk".
  # Without --no-loop it reconnects by itself when the server restarts.
  local as_user=()
  is_root && as_user=(setpriv "--reuid=$PG_OS_USER" "--regid=$PG_OS_USER" --init-groups --)
  PGPASSWORD=$LIFELINE_PG_PASSWORD PGHOST=127.0.0.1 PGUSER=$LIFELINE_PG_SUPERUSER \
    LOG_DIR=$BACKUP_DIR start_detached receivewal "$RECEIVER_PID" \
    "${as_user[@]}" "$PG_BIN/pg_receivewal" -p "$port" -D "$WAL_DIR" --slot="$BACKUP_SLOT" --synchronous
  local start; start=$(now_us)
  until receiver_streaming; do
    receiver_pid >/dev/null || { tail -n 20 "$RECEIVER_LOG" >&2; die "pg_receivewal exited (log: $RECEIVER_LOG)"; }
    (($(now_us) - start < 15000000)) || die "pg_receivewal is not streaming after 15s (log: $RECEIVER_LOG)"
    sleep 0.2
  done
  log "WAL receiver streaming from port $port into $WAL_DIR (pid $(receiver_pid), slot $BACKUP_SLOT)"
}

wal_stop() {
  local pid
  pid=$(receiver_pid) || { log "WAL receiver not running"; return 0; }
  # SIGINT: pg_receivewal flushes what it has and exits cleanly (the segment stays .partial).
  stop_pid pg_receivewal "$pid" 10 INT
  rm -f "$RECEIVER_PID"
  log "WAL receiver stopped (pid $pid)"
}

# Without the receiver the slot makes the server keep every WAL segment from now on: drop it when the
# archive is given up, keep it for a pause (nothing is lost until the receiver starts again).
wal_stop_command() {
  wal_stop
  if ((drop_slot)); then
    pg_env "$PG_BIN/psql" -p "$port" -d postgres -tAqc \
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$BACKUP_SLOT'" >/dev/null
    log "replication slot $BACKUP_SLOT dropped on port $port"
  else
    log "the slot $BACKUP_SLOT stays: the server keeps WAL for the receiver until it starts again (or --drop-slot)"
  fi
}

verify_stored() {
  local d failed=0 n=0
  if ((${#names[@]} == 0)); then mapfile -t names < <(list_base_backups | xargs -r -n1 basename); fi
  ((${#names[@]})) || die "no base backups in $BASE_DIR"
  for d in "${names[@]}"; do
    [[ -f $BASE_DIR/$d/backup.info ]] || die "no base backup named $d in $BASE_DIR"
    n=$((n + 1))
    if verify_backup "$BASE_DIR/$d"; then
      log "$d: verified"
    else
      log "$d: FAILED verification"; failed=$((failed + 1))
    fi
  done
  ((failed == 0)) || die "$failed of $n base backups failed verification"
}

wal_status() {
  local pid
  if pid=$(receiver_pid); then
    log "WAL receiver running (pid $pid), $(find "$WAL_DIR" -maxdepth 1 -name '0*' | wc -l) segments in $WAL_DIR"
  else
    log "WAL receiver not running"; return 3
  fi
}

list_backups() {
  local d n=0
  printf '%-18s %8s %8s  %s\n' backup size took start-wal
  while read -r d; do
    [[ -n $d ]] || continue
    n=$((n + 1))
    printf '%-18s %8s %8s  %s\n' "$(basename "$d")" "$(human_size "$d")" "$(info_value "$d" took)" "$(info_value "$d" start_wal_file)"
  done < <(list_base_backups)
  log "$n base backups, WAL: $(human_size "$WAL_DIR") in $WAL_DIR"
}

# pg_verifybackup (PostgreSQL 15) reads plain backups only: unpack a copy, check every file against the
# manifest's SHA-256 and the WAL it needs with pg_waldump, then throw the copy away.
verify_backup() {
  local dir=$1 scratch rc=0
  scratch="$BACKUP_DIR/.verify-$(basename "$dir")"
  rm -rf "$scratch"
  # One chain: callers test the result, which switches errexit off in here.
  as_pg mkdir -m 700 -p "$scratch/pg_wal" &&
    as_pg tar -xzf "$dir/base.tar.gz" -C "$scratch" &&
    as_pg tar -xzf "$dir/pg_wal.tar.gz" -C "$scratch/pg_wal" &&
    as_pg "$PG_BIN/pg_verifybackup" -q -m "$dir/backup_manifest" "$scratch" || rc=$?
  rm -rf "$scratch"
  return "$rc"
}

# Keeps the newest N base backups and the WAL from the oldest kept one's start on; older WAL restores nothing.
prune() {
  local all=() oldest drop
  mapfile -t all < <(list_base_backups)
  ((${#all[@]} > keep)) || return 0
  for drop in "${all[@]:0:${#all[@]}-keep}"; do
    rm -rf "$drop"
    log "retention: removed base backup $(basename "$drop") (keeping $keep)"
  done
  oldest=${all[${#all[@]}-keep]}
  as_pg "$PG_BIN/pg_archivecleanup" "$WAL_DIR" "$(info_value "$oldest" start_wal_file)"
  log "retention: WAL before $(info_value "$oldest" start_wal_file) removed"
}

base_backup() {
  backup_require_binaries
  wal_start
  local stamp dest tmp t0 took label
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  dest="$BASE_DIR/$stamp"
  tmp="$dest.partial"
  [[ -e $dest ]] && die "$dest exists already (two backups in the same second?)"
  rm -rf "$tmp"
  t0=$(now_us)
  # -X stream: the WAL written during the backup comes along (pg_wal.tar.gz), so the backup restores on its
  # own even without the archive. --checkpoint=fast: start now instead of at the next scheduled checkpoint.
  pg_env as_pg "$PG_BIN/pg_basebackup" -p "$port" -D "$tmp" -Ft -z -X stream --checkpoint=fast \
    --label="lifeline-$stamp" --manifest-checksums=SHA256 ||
    { rm -rf "$tmp"; die "pg_basebackup failed"; }
  label=$(as_pg tar -xzOf "$tmp/base.tar.gz" backup_label)
  verify_backup "$tmp" || { rm -rf "$tmp"; die "pg_verifybackup refused the backup: not kept"; }
  took=$(fmt_us $(($(now_us) - t0)))
  # ended_at: a restore to a moment before it cannot use this backup (it is consistent only from its end on).
  {
    echo "port=$port"
    echo "start_wal_file=$(sed -n 's/^START WAL LOCATION: .*(file \(.*\))$/\1/p' <<<"$label")"
    echo "start_time=$(sed -n 's/^START TIME: //p' <<<"$label")"
    echo "ended_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "ended_epoch=$(date -u +%s)"
    echo "took=$took"
    echo "verified=pg_verifybackup"
  } | as_pg tee "$tmp/backup.info" >/dev/null
  mv "$tmp" "$dest"
  log "base backup $stamp: $(human_size "$dest") in $took, verified (pg_verifybackup), in $dest"
  prune
}

case $command in
  base) base_backup ;;
  list) list_backups ;;
  verify) verify_stored ;;
  wal)
    case $wal_action in
      start) wal_start ;;
      stop) wal_stop_command ;;
      status) wal_status ;;
      *) usage ;;
    esac ;;
esac
