# shellcheck shell=bash
# RabbitMQ on 127.0.0.1:$LIFELINE_RABBITMQ_PORT, an own node with all state under $RUN_DIR/rabbitmq.
# Sourced by stack.sh.
#
# The /usr/sbin wrappers are bypassed on purpose: as root they `su rabbitmq`, cd to /var/lib/rabbitmq
# and log to /var/log/rabbitmq, i.e. they would run the distro node, not ours.

RMQ_SBIN=/usr/lib/rabbitmq/bin
RMQ_DIR="$RUN_DIR/rabbitmq"
RMQ_NODE=lifeline@localhost
# The launcher script leads the process group and turns SIGTERM into a clean node stop.
RMQ_PIDFILE="$PID_DIR/rabbitmq.pid"
EPMD_PIDFILE="$PID_DIR/epmd.pid"

# Runs a RabbitMQ command against our node. HOME holds the Erlang cookie the server and the CLI
# must share; the empty env file keeps /etc/rabbitmq/rabbitmq-env.conf out.
rmq() {
  (
    export HOME="$RMQ_DIR/home"
    export RABBITMQ_NODENAME=$RMQ_NODE
    export RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
    export RABBITMQ_LOG_BASE="$RMQ_DIR/log"
    export RABBITMQ_LOGS=- # stdout, i.e. $LOG_DIR/rabbitmq.log
    export RABBITMQ_PID_FILE="$RMQ_DIR/beam.pid"
    export RABBITMQ_DIST_PORT=$LIFELINE_RABBITMQ_DIST_PORT
    # Inter-node (dist) port on loopback too, not only AMQP.
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_CRASH_DUMP="$LOG_DIR/rabbitmq-erl_crash.dump"
    cd "$RMQ_DIR" || exit 1
    "$@"
  )
}
# rmqctl <timeout-s> <args...>: the CLI hangs for long when the node is half up, so bound it.
rmqctl() { local t=$1; shift; rmq timeout "$t" "$RMQ_SBIN/rabbitmqctl" "$@"; }

# The Erlang VM is the broker (it outlives a killed launcher); the launcher stands in until the VM
# has written its pid file. Our VM is recognised by the HOME on its command line.
rabbitmq_beam_pid() { pidfile_alive "$RMQ_DIR/beam.pid" "-home $RMQ_DIR/home"; }
rabbitmq_pid() { rabbitmq_beam_pid || pidfile_alive "$RMQ_PIDFILE" rabbitmq-server; }
rabbitmq_running() { rabbitmq_pid >/dev/null; }
rabbitmq_answers() {
  port_open "$LIFELINE_RABBITMQ_PORT" && rmqctl 20 -q await_startup --timeout 15 && port_open "$LIFELINE_RABBITMQ_MGMT_PORT"
}

rabbitmq_write_config() {
  mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  if [[ ! -s $RMQ_DIR/home/.erlang.cookie ]]; then
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$RMQ_DIR/home/.erlang.cookie")
    chmod 400 "$RMQ_DIR/home/.erlang.cookie"
  fi
  : >"$RMQ_DIR/rabbitmq-env.conf"
  # The management plugin serves the HTTP API scripts/provision-broker.ts declares queues through.
  echo '[rabbitmq_management].' >"$RMQ_DIR/enabled_plugins"
  cat >"$RMQ_DIR/rabbitmq.conf" <<EOF
# Written by scripts/stack/rabbitmq.sh on every start: edit there.
listeners.tcp.default = 127.0.0.1:$LIFELINE_RABBITMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $LIFELINE_RABBITMQ_MGMT_PORT
# guest/guest works, from loopback only (the RabbitMQ default, stated so nobody widens it by accident).
loopback_users.guest = true
log.console = true
log.console.level = info
log.file = false
EOF
}

# The Erlang port mapper is machine-wide (port 4369). Start one only when none runs, and remember it
# so `down` stops what we started and nothing else.
epmd_ensure() {
  if epmd -names >/dev/null 2>&1; then return 0; fi
  ERL_EPMD_ADDRESS=127.0.0.1 start_detached epmd "$EPMD_PIDFILE" epmd
  wait_for epmd 10 epmd -names
}

epmd_stop_if_ours() {
  local pid
  pid=$(pidfile_alive "$EPMD_PIDFILE" epmd) || { rm -f "$EPMD_PIDFILE"; return 0; }
  # Refuses (and we leave it running) while another Erlang node is still registered.
  if epmd -kill >/dev/null 2>&1; then
    wait_pid_exit "$pid" 5 || true
    rm -f "$EPMD_PIDFILE"
    log "stopped epmd (pid $pid)"
  fi
}

rabbitmq_up() {
  # The open AMQP port is the cheap "up" check; rabbitmqctl costs a second per call.
  if rabbitmq_running; then
    port_open "$LIFELINE_RABBITMQ_PORT" || wait_for rabbitmq 90 rabbitmq_answers
    skip "already running, pid $(rabbitmq_pid)"
  fi
  require_port_free rabbitmq "$LIFELINE_RABBITMQ_PORT"
  require_port_free rabbitmq "$LIFELINE_RABBITMQ_DIST_PORT"
  rabbitmq_write_config
  epmd_ensure
  rmq start_detached rabbitmq "$RMQ_PIDFILE" "$RMQ_SBIN/rabbitmq-server"
  wait_for rabbitmq 90 rabbitmq_answers
  log "amqp://guest:guest@127.0.0.1:$LIFELINE_RABBITMQ_PORT (node $RMQ_NODE, pid $(rabbitmq_pid))"
}

rabbitmq_down() {
  local pid
  if ! pid=$(rabbitmq_pid); then
    rm -f "$RMQ_PIDFILE"
    epmd_stop_if_ours
    skip "not running"
  fi
  # Clean stop through the node itself; it returns once the Erlang VM has exited.
  rmqctl 40 -q shutdown --timeout 30 >/dev/null 2>&1 || true
  stop_pid rabbitmq "$pid" 20 TERM
  local launcher
  if launcher=$(pidfile_alive "$RMQ_PIDFILE" rabbitmq-server); then stop_pid rabbitmq "$launcher" 5 TERM; fi
  rm -f "$RMQ_PIDFILE" "$RMQ_DIR/beam.pid"
  log "stopped (pid $pid)"
  epmd_stop_if_ours
}

rabbitmq_status() {
  service_status_line rabbitmq "$(rabbitmq_pid || true)" "$LIFELINE_RABBITMQ_PORT" rabbitmq_running
}
