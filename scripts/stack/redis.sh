# shellcheck shell=bash
# Redis on 127.0.0.1:$LIFELINE_REDIS_PORT with the append-only file on. Always up: it is the Dapr
# state store, and the default broker (Redis Streams). Sourced by stack.sh.

REDIS_DIR="$RUN_DIR/redis"
REDIS_PIDFILE="$PID_DIR/redis.pid"

redis_pid() { pidfile_alive "$REDIS_PIDFILE" redis-server; }
redis_running() { redis_pid >/dev/null; }
redis_answers() {
  [[ $(timeout 3 redis-cli -h 127.0.0.1 -p "$LIFELINE_REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

redis_write_config() {
  mkdir -p "$REDIS_DIR/data"
  cat >"$REDIS_DIR/redis.conf" <<EOF
# Written by scripts/stack/redis.sh on every start: edit there.
bind 127.0.0.1
port $LIFELINE_REDIS_PORT
protected-mode yes
# stack.sh detaches and logs it; a self-daemonizing Redis would hide its pid and output from us.
daemonize no
logfile ""
dir $REDIS_DIR/data
# AOF is the durability mechanism (pub/sub state and streams must survive a restart); RDB
# snapshots would only add fork pauses on top of it.
appendonly yes
appendfsync everysec
save ""
EOF
}

redis_up() {
  if redis_running; then
    redis_answers || wait_for redis 60 redis_answers # still loading its AOF
    skip "already running, pid $(redis_pid)"
  fi
  require_port_free redis "$LIFELINE_REDIS_PORT"
  redis_write_config
  start_detached redis "$REDIS_PIDFILE" redis-server "$REDIS_DIR/redis.conf"
  wait_for redis 30 redis_answers
  log "redis://127.0.0.1:$LIFELINE_REDIS_PORT (pid $(redis_pid))"
}

redis_down() {
  local pid
  pid=$(redis_pid) || { rm -f "$REDIS_PIDFILE"; skip "not running"; }
  # SIGTERM = SHUTDOWN: Redis flushes the AOF and exits.
  stop_pid redis "$pid" 30 TERM
  rm -f "$REDIS_PIDFILE"
  log "stopped (pid $pid)"
}

redis_status() { service_status_line redis "$(redis_pid || true)" "$LIFELINE_REDIS_PORT" redis_running; }
