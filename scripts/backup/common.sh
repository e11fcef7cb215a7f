# shellcheck shell=bash
# Shared by scripts/backup.sh and scripts/restore.sh: where backups live and how the PostgreSQL tools run.
#
# Layout of $LIFELINE_BACKUP_DIR (default .run/backups):
#   base/<UTC stamp>/   base.tar.gz, pg_wal.tar.gz, backup_manifest (pg_basebackup -Ft), backup.info
#   wal/                every WAL segment since the oldest kept base backup (pg_receivewal; the segment being
#                       written ends in .partial)
#   receivewal.pid, receivewal.log   the WAL receiver, a daemon of its own (scripts/backup.sh wal start)
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

BACKUP_DIR=${LIFELINE_BACKUP_DIR:-$RUN_DIR/backups}
BASE_DIR="$BACKUP_DIR/base"
WAL_DIR="$BACKUP_DIR/wal"
# A physical slot: the server keeps every segment the receiver has not fetched yet, so a receiver that was
# down (or restarting) leaves no gap in the archive. The price: WAL piles up on the server while it is down.
BACKUP_SLOT=${LIFELINE_BACKUP_SLOT:-lifeline_backup}
PG_BIN=/usr/lib/postgresql/15/bin
PG_OS_USER=postgres

backup_require_binaries() {
  [[ -x $PG_BIN/pg_basebackup ]] || die "PostgreSQL 15 client tools not found in $PG_BIN (run scripts/install/system.sh)"
}

# The PostgreSQL tools run as the postgres OS user when we are root: the files they write (the archive, a
# restored data directory) must belong to the user the server runs as. setpriv execs in place, so a pid
# file written before it names the tool itself (runuser would stay in between as the parent).
as_pg() {
  if is_root; then setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- "$@"; else "$@"; fi
}

# Client connections go over TCP with the superuser's password (the stack's, from stack.env).
pg_env() { PGPASSWORD=$LIFELINE_PG_PASSWORD PGHOST=127.0.0.1 PGUSER=$LIFELINE_PG_SUPERUSER "$@"; }

backup_prepare_dir() {
  mkdir -p "$BASE_DIR" "$WAL_DIR"
  is_root || return 0
  chown "$PG_OS_USER:" "$BACKUP_DIR" "$BASE_DIR" "$WAL_DIR"
  as_pg test -w "$WAL_DIR" ||
    die "user '$PG_OS_USER' cannot write $WAL_DIR: every parent folder needs o+x"
}

# One value of a backup.info file (key=value lines).
info_value() { sed -n "s/^$2=//p" "$1/backup.info" | head -n1; }

# Complete base backups, oldest first (an interrupted one is still named *.partial).
list_base_backups() {
  local d
  for d in "$BASE_DIR"/*/; do
    d=${d%/}
    [[ -f $d/backup.info && $d != *.partial ]] && echo "$d"
  done
  return 0
}

human_size() { du -sh "$1" 2>/dev/null | cut -f1; }
