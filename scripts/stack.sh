#!/usr/bin/env bash
# The local stack on loopback: PostgreSQL, Redis and the mail/push capture always, plus at most one extra broker.
#   bash scripts/stack.sh up [--broker redis|kafka|rabbitmq]   (default redis; idempotent)
#   bash scripts/stack.sh down [--purge]                       (--purge also deletes the data)
#   bash scripts/stack.sh status
# State lives in .run/<service>/, logs in .run/logs/, pid files in .run/pids/. Ports: scripts/stack.env.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SERVICES=(postgres redis capture rabbitmq kafka)
# Brokers that are processes of their own (the redis broker is the always-on Redis).
EXTRA_BROKERS=(rabbitmq kafka)

for svc in "${SERVICES[@]}"; do
  # shellcheck source=/dev/null
  source "$REPO_ROOT/scripts/stack/$svc.sh"
done

usage() {
  sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Parallel test suites may all call `up`: serialize them. flock runs us as its child with -o so the
# lock fd is not inherited by the daemons we start (they would otherwise hold the lock forever).
with_lock() {
  if [[ -z ${LIFELINE_STACK_LOCKED:-} ]]; then
    mkdir -p "$RUN_DIR"
    LIFELINE_STACK_LOCKED=1 exec flock -o -w 600 "$RUN_DIR/.stack.lock" bash "${BASH_SOURCE[0]}" "$@"
  fi
  unset LIFELINE_STACK_LOCKED
}

# install_step <script>: runs an installer unless its --check says everything is in place.
install_step() {
  bash "$1" --check && skip "already installed"
  bash "$1"
}

# service_status_line <name> <pid> <port> <running-check>
service_status_line() {
  local name=$1 pid=$2 port=$3 running=$4 state
  "$running" || pid=""
  if [[ -z $pid ]]; then state=down
  elif port_open "$port"; then state=up
  else state="starting (port closed)"
  fi
  printf '%-9s %-24s %-8s 127.0.0.1:%s\n' "$name" "$state" "${pid:--}" "$port"
}

active_broker() { cat "$RUN_DIR/broker" 2>/dev/null || echo redis; }

cmd_up() {
  local broker=redis
  while (($#)); do
    case $1 in
      --broker) broker=${2:-}; shift 2 || usage ;;
      --broker=*) broker=${1#*=}; shift ;;
      *) usage ;;
    esac
  done
  case $broker in redis | kafka | rabbitmq) ;; *) die "unknown broker '$broker' (redis|kafka|rabbitmq)" ;; esac

  local start; start=$(now_us)
  mkdir -p "$LOG_DIR" "$PID_DIR"
  step "install: system packages" install_step "$REPO_ROOT/scripts/install/system.sh"
  # From ../shared/timescaledb when that folder exists; Postgres then preloads it (scripts/stack/postgres.sh).
  step "install: timescaledb" install_step "$REPO_ROOT/scripts/install/timescaledb.sh"
  # Kafka's jars only matter to Kafka runs; a Redis-only machine never downloads them.
  if [[ $broker == kafka ]]; then
    step "install: kafka $(kafka_version)" install_step "$REPO_ROOT/scripts/install/kafka.sh"
  fi

  local other
  for other in "${EXTRA_BROKERS[@]}"; do
    if [[ $other != "$broker" ]] && "${other}_running"; then
      step "$other: stop (only one broker at a time)" "${other}_down"
    fi
  done

  step postgres postgres_up
  step redis redis_up
  step capture capture_up
  if [[ $broker != redis ]]; then step "$broker" "${broker}_up"; fi
  echo "$broker" >"$RUN_DIR/broker"
  printf 'stack up (broker: %s) in %s\n' "$broker" "$(fmt_us $(($(now_us) - start)))"
}

cmd_down() {
  local purge=0
  case "${1:-}" in --purge) purge=1 ;; "") ;; *) usage ;; esac
  local start; start=$(now_us)
  step kafka kafka_down
  step rabbitmq rabbitmq_down
  step capture capture_down
  step redis redis_down
  step postgres postgres_down
  rm -f "$RUN_DIR/broker"
  if ((purge)); then
    # Only what the stack owns: other tools keep their own folders under .run/.
    step "purge data" rm -rf "$PG_DIR" "$REDIS_DIR" "$RMQ_DIR" "$KAFKA_DIR" "$PID_DIR"
  fi
  printf 'stack down in %s\n' "$(fmt_us $(($(now_us) - start)))"
}

cmd_status() {
  printf '%-9s %-24s %-8s %s\n' SERVICE STATE PID ADDRESS
  local svc
  for svc in "${SERVICES[@]}"; do "${svc}_status"; done
  printf 'broker: %s   data: %s   logs: %s\n' "$(active_broker)" "$RUN_DIR" "$LOG_DIR"
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
    up) with_lock up "$@"; cmd_up "$@" ;;
    down) with_lock down "$@"; cmd_down "$@" ;;
    status) cmd_status ;;
    *) usage ;;
  esac
}

main "$@"
