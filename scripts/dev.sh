#!/usr/bin/env bash
# The local platform: infrastructure, migrations, the gateway and every app beside its daprd through
# `dapr run -f`, on the chosen broker.
#   bash scripts/dev.sh [--broker redis|kafka|rabbitmq] [--background]   (npm run dev -- ...)
#   bash scripts/dev.sh stop                                              (npm run dev:stop)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/dapr-versions.sh"
cd "$REPO_ROOT"

DAPR="$DAPR_CLI_DIR/dapr"
GATEWAY_DIR="$RUN_DIR/gateway"
GATEWAY_PIDFILE="$PID_DIR/gateway.pid"
DEV_PIDFILE="$PID_DIR/dapr-run.pid"
TSX="$REPO_ROOT/node_modules/.bin/tsx"
RENDER="$REPO_ROOT/packages/platform/src/cli/render.ts"

gateway_up() {
  mkdir -p "$GATEWAY_DIR/tmp"
  "$TSX" "$RENDER" gateway "$GATEWAY_DIR" "$GATEWAY_DIR/nginx.conf"
  nginx -t -q -p "$GATEWAY_DIR" -c "$GATEWAY_DIR/nginx.conf" -e "$GATEWAY_DIR/error.log"
  local pid
  if pid=$(pidfile_alive "$GATEWAY_DIR/nginx.pid" nginx); then
    kill -HUP "$pid"  # picks up a changed dapr.yaml without dropping connections
    skip "already running (pid $pid), config reloaded"
  fi
  require_port_free gateway "$LIFELINE_GATEWAY_PORT"
  start_detached gateway "$GATEWAY_PIDFILE" nginx -p "$GATEWAY_DIR" -c "$GATEWAY_DIR/nginx.conf" -e "$GATEWAY_DIR/error.log" -g 'daemon off;'
  wait_for gateway 10 curl -fsS -o /dev/null "http://127.0.0.1:$LIFELINE_GATEWAY_PORT/healthz"
}

apps_stop() {
  local pid
  [[ -f $RUN_DIR/dapr.run.yaml ]] && "$DAPR" stop -f "$RUN_DIR/dapr.run.yaml" >/dev/null 2>&1 || true
  if pid=$(pidfile_alive "$DEV_PIDFILE"); then stop_pid "dapr run" "$pid" 20; fi
  rm -f "$DEV_PIDFILE"
}

cmd_stop() {
  apps_stop
  local pid
  if pid=$(pidfile_alive "$GATEWAY_DIR/nginx.pid" nginx); then stop_pid gateway "$pid" 10 QUIT; fi
  echo "apps and gateway stopped (infrastructure keeps running: npm run stack -- down)"
}

# Each start gets a fresh app token: the sidecars present it to the apps (subscriptions, cron ticks), read
# from the environment `dapr run` passes on. The sidecars themselves take no DAPR_API_TOKEN in development:
# they listen on loopback only (dapr.yaml), and the dapr CLI (`dapr list`, `dapr invoke`, `dapr publish`)
# cannot send one. Compose and the chart require it.
write_tokens() {
  umask 077
  cat >"$RUN_DIR/dev-tokens.env" <<TOKENS
APP_API_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
TOKENS
}

print_where() {
  cat <<WHERE

Lifeline is up (broker: $1)
  gateway        http://127.0.0.1:$LIFELINE_GATEWAY_PORT/api/v1/<service>/...
  apps, sidecars dapr.yaml (ports); logs in .run/logs and apps/<app>/.dapr/logs
  postgres       postgres://$LIFELINE_PG_SUPERUSER:$LIFELINE_PG_PASSWORD@127.0.0.1:$LIFELINE_PG_PORT/$LIFELINE_PG_DATABASE
  a dev token    npm run -s token -- alice user
  stop           npm run dev:stop   (infrastructure: npm run stack -- down)
WHERE
}

cmd_up() {
  local broker=redis background=0
  while (($#)); do
    case $1 in
      --broker) broker=${2:?--broker needs a value}; shift 2 ;;
      --broker=*) broker=${1#*=}; shift ;;
      --background) background=1; shift ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
  case $broker in redis|kafka|rabbitmq) ;; *) echo "unknown broker $broker (redis|kafka|rabbitmq)" >&2; exit 2 ;; esac

  local started; started=$(now_us)
  bash scripts/setup.sh $([[ $broker == kafka ]] && echo --with-kafka)
  step "infrastructure ($broker)" bash scripts/stack.sh up --broker "$broker"
  step "database migrations" "$TSX" packages/platform/src/cli/migrate.ts
  step "broker topology" "$TSX" packages/platform/src/cli/provision.ts "$broker"
  step "gateway (nginx)" gateway_up
  apps_stop
  "$TSX" "$RENDER" run-file "$broker" "$RUN_DIR/dapr.run.yaml"
  write_tokens
  set -a; source "$RUN_DIR/dev-tokens.env"; set +a

  if (( background )); then
    start_detached dapr-run "$DEV_PIDFILE" "$DAPR" run -f "$RUN_DIR/dapr.run.yaml"
    step "apps with their sidecars" "$TSX" packages/platform/src/cli/wait-ready.ts 120
    print_where "$broker"
    printf 'ready in %s\n' "$(fmt_us $(( $(now_us) - started )))"
    return
  fi
  print_where "$broker"
  exec "$DAPR" run -f "$RUN_DIR/dapr.run.yaml"
}

case ${1:-up} in
  stop) cmd_stop ;;
  up) shift || true; cmd_up "$@" ;;
  --*) cmd_up "$@" ;;
  *) echo "usage: dev.sh [up] [--broker B] [--background] | stop" >&2; exit 2 ;;
esac
