# shellcheck shell=bash
# PostgreSQL 15 on 127.0.0.1:$LIFELINE_PG_PORT, data in $RUN_DIR/postgres/data. Sourced by stack.sh.

PG_DIR="$RUN_DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_LOG="$LOG_DIR/postgres.log"
# initdb/postgres refuse to run as root; root runs them as this OS user (created by the Debian package).
PG_OS_USER=postgres

pg_bin() {
  local d=/usr/lib/postgresql/15/bin
  [[ -x $d/postgres ]] || die "PostgreSQL 15 binaries not found in $d (run scripts/install/system.sh)"
  echo "$d"
}

# Client calls go over TCP with the password: no dependency on unix sockets or peer auth.
pg_client() {
  PGPASSWORD=$LIFELINE_PG_PASSWORD "$@" -h 127.0.0.1 -p "$LIFELINE_PG_PORT" -U "$LIFELINE_PG_SUPERUSER"
}

postgres_pid() { read_pid "$PG_DATA/postmaster.pid"; }
postgres_running() { local pid; pid=$(postgres_pid) && pid_alive "$pid" postgres; }
postgres_answers() { "$(pg_bin)/pg_isready" -q -t 2 -h 127.0.0.1 -p "$LIFELINE_PG_PORT"; }

# The postgres OS user must own its data dir and be able to reach it (a repo under /root is not).
pg_prepare_dirs() {
  mkdir -p "$PG_DIR" "$LOG_DIR"
  touch "$PG_LOG"
  is_root || return 0
  chown "$PG_OS_USER:" "$PG_DIR" "$PG_LOG"
  chmod 700 "$PG_DIR"
  runuser -u "$PG_OS_USER" -- test -w "$PG_DIR" ||
    die "user '$PG_OS_USER' cannot reach $PG_DIR: every parent folder needs o+x (e.g. chmod o+x on it)"
}

pg_initdb() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  rm -rf "$PG_DATA" # a half-finished initdb leaves a folder initdb refuses to reuse
  log "initdb: superuser '$LIFELINE_PG_SUPERUSER' with password (scram-sha-256), data in $PG_DATA"
  local pwfile="$PG_DIR/.pwfile"
  (umask 077; printf '%s\n' "$LIFELINE_PG_PASSWORD" >"$pwfile")
  if is_root; then chown "$PG_OS_USER:" "$pwfile"; fi
  run_as "$PG_OS_USER" "$(pg_bin)/initdb" -D "$PG_DATA" -U "$LIFELINE_PG_SUPERUSER" --pwfile="$pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >>"$PG_LOG" 2>&1 ||
    { rm -f "$pwfile"; show_log_tail postgres; die "initdb failed"; }
  rm -f "$pwfile"
  # Our settings live in their own file, rewritten on every start, so they can change without initdb.
  printf "\ninclude_if_exists = 'lifeline.conf'\n" | run_as "$PG_OS_USER" tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

# TimescaleDB only loads when preloaded. Where scripts/install/timescaledb.sh installed it on a server new
# enough to load it, every start preloads it (the audit and location migrations then build hypertables, unless
# a database says lifeline.storage = 'native'); otherwise the server starts without it, natively.
pg_timescaledb_settings() {
  bash "$REPO_ROOT/scripts/install/timescaledb.sh" --loads || return 0
  printf "shared_preload_libraries = 'timescaledb'\n# No network here: no telemetry, no version checks.\ntimescaledb.telemetry_level = off\n"
}

pg_write_config() {
  { cat; pg_timescaledb_settings; } <<EOF | run_as "$PG_OS_USER" tee "$PG_DATA/lifeline.conf" >/dev/null
# Written by scripts/stack/postgres.sh on every start: edit there.
listen_addresses = '127.0.0.1'
port = $LIFELINE_PG_PORT
# TCP only: the distro socket dir may be missing or belong to a system cluster.
unix_socket_directories = ''
# Test suites run many pools in parallel.
max_connections = 200
shared_buffers = 128MB
# Durable on disk (fsync stays on); only the last few ms of commits may be lost on a crash.
fsync = on
synchronous_commit = off
timezone = 'UTC'
log_timezone = 'UTC'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

pg_create_database() {
  local exists
  exists=$(pg_client "$(pg_bin)/psql" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$LIFELINE_PG_DATABASE'")
  [[ $exists == 1 ]] && return 0
  log "creating database $LIFELINE_PG_DATABASE"
  pg_client "$(pg_bin)/createdb" "$LIFELINE_PG_DATABASE"
}

# Old backends (their cwd is the data dir) still attached to shared memory after a crash?
pg_leftover_processes() {
  local p
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/cwd" 2>/dev/null) == "$PG_DATA" ]] && pid_alive "${p#/proc/}" && return 0
  done
  return 1
}

# After a crash postmaster.pid stays behind. Postgres handles that itself unless the old pid is a
# zombie (a container's pid 1 may reap late): it then refuses to start. Once the old postmaster and
# its backends are really gone the file carries no information, so drop it.
pg_clear_stale_pidfile() {
  local pid
  pid=$(postgres_pid) || return 0
  pid_alive "$pid" && return 0
  for _ in {1..50}; do pg_leftover_processes || break; sleep 0.2; done
  pg_leftover_processes && die "postgres: processes of a dead postmaster (pid $pid) still use $PG_DATA"
  log "removing stale postmaster.pid (pid $pid is gone)"
  rm -f "$PG_DATA/postmaster.pid"
}

# Why the running server must restart to match this machine, or nothing: a package upgrade replaced its
# binary (the running one keeps the old version), or TimescaleDB became loadable and is not preloaded yet.
pg_restart_reason() {
  local running installed preload
  running=$(pg_client "$(pg_bin)/psql" -d postgres -tAc 'SHOW server_version' | awk '{print $1}')
  installed=$("$(pg_bin)/postgres" --version | awk '{print $3}')
  [[ $running == "$installed" ]] || { echo "server $running is running, $installed is installed"; return; }
  preload=$(pg_client "$(pg_bin)/psql" -d postgres -tAc 'SHOW shared_preload_libraries')
  if [[ $preload != *timescaledb* ]] && [[ -n $(pg_timescaledb_settings) ]]; then
    echo "TimescaleDB can be preloaded now"
  fi
}

pg_start() {
  pg_write_config
  pg_clear_stale_pidfile
  printf '\n===== %s starting postgres =====\n' "$(date -Is)" >>"$PG_LOG"
  run_as "$PG_OS_USER" "$(pg_bin)/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -W -s
  wait_for postgres 60 postgres_answers
}

postgres_up() {
  # Running but not answering yet (crash recovery, an interrupted `up`): wait instead of starting twice.
  if postgres_running; then
    postgres_answers || wait_for postgres 120 postgres_answers
    local reason t0
    reason=$(pg_restart_reason)
    if [[ -z $reason ]]; then
      pg_create_database
      skip "already running, pid $(postgres_pid)"
    fi
    # Once per upgrade: clients see their connections closed for the few seconds it takes.
    log "restarting postgres: $reason"
    t0=$(now_us)
    postgres_down
    pg_start
    pg_create_database
    log "restarted in $(fmt_us $(($(now_us) - t0))): $(pg_client "$(pg_bin)/psql" -d postgres -tAc 'SELECT version()')"
    return 0
  fi
  require_port_free postgres "$LIFELINE_PG_PORT"
  pg_prepare_dirs
  pg_initdb
  pg_start
  pg_create_database
  log "postgresql://$LIFELINE_PG_SUPERUSER:***@127.0.0.1:$LIFELINE_PG_PORT/$LIFELINE_PG_DATABASE (pid $(postgres_pid))"
}

postgres_down() {
  local pid
  postgres_running || skip "not running"
  pid=$(postgres_pid)
  # fast = roll back open transactions and disconnect clients, then a clean checkpoint.
  run_as "$PG_OS_USER" "$(pg_bin)/pg_ctl" stop -D "$PG_DATA" -m fast -t 30 -s ||
    stop_pid postgres "$pid" 10 QUIT
  log "stopped (pid $pid)"
}

postgres_status() { service_status_line postgres "$(postgres_pid || true)" "$LIFELINE_PG_PORT" postgres_running; }
