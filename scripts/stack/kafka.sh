# shellcheck shell=bash
# Apache Kafka in KRaft mode (one process = broker + controller) on 127.0.0.1:$LIFELINE_KAFKA_PORT,
# controller on $LIFELINE_KAFKA_CONTROLLER_PORT, data in $RUN_DIR/kafka. Jars come from
# scripts/install/kafka.sh. Sourced by stack.sh.

KAFKA_DIR="$RUN_DIR/kafka"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_PIDFILE="$PID_DIR/kafka.pid"
KAFKA_BOOTSTRAP="127.0.0.1:$LIFELINE_KAFKA_PORT"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"

kafka_libs() { echo "$(kafka_home)/libs"; }

# kafka_tool <main class> <args...>: Kafka's own CLI classes (what bin/kafka-*.sh run), tuned for a
# quick JVM start. Logs go to stderr at WARN so stdout stays the tool's answer. Bounded in time: an
# admin client facing a half-started broker retries for minutes.
kafka_tool() {
  local cls=$1; shift
  timeout "${KAFKA_TOOL_TIMEOUT:-60}" java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
    -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2-tools.properties" \
    -cp "$(kafka_libs)/*" "$cls" "$@"
}

kafka_pid() { pidfile_alive "$KAFKA_PIDFILE" kafka.Kafka; }
kafka_running() { kafka_pid >/dev/null; }
kafka_answers() {
  port_open "$LIFELINE_KAFKA_PORT" &&
    KAFKA_TOOL_TIMEOUT=20 kafka_tool org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "$KAFKA_BOOTSTRAP"
}

kafka_write_config() {
  mkdir -p "$KAFKA_DATA"
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Written by scripts/stack/kafka.sh on every start: edit there.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$LIFELINE_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$LIFELINE_KAFKA_PORT,CONTROLLER://127.0.0.1:$LIFELINE_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$LIFELINE_KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA
# Dapr creates topics by publishing/subscribing to them.
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
# Internal topics default to replication 3, which a single node can never satisfy.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumer groups in tests would otherwise sit 3s before their first assignment.
group.initial.rebalance.delay.ms=0
EOF
  cat >"$KAFKA_DIR/log4j2.properties" <<'EOF'
# Broker log: one stream on stdout (stack.sh sends it to .run/logs/kafka.log).
status = warn
# Kafka's own shutdown hook logs the clean stop; log4j's hook would close the log first.
shutdownHook = disable
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
EOF
  cat >"$KAFKA_DIR/log4j2-tools.properties" <<'EOF'
status = warn
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = STDERR
EOF
}

# What `StorageTool random-uuid` prints (16 random bytes, base64url, no padding) without a JVM start.
# A leading "-" would read as a CLI flag, which Kafka's own generator avoids too.
kafka_random_uuid() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* ]] && { echo "$id"; return; }
  done
}

# KRaft storage is formatted once; meta.properties records the cluster id it belongs to.
kafka_format() {
  [[ -f $KAFKA_DATA/meta.properties ]] && return 0
  local cluster_id
  cluster_id=$(kafka_random_uuid)
  log "formatting KRaft storage (cluster id $cluster_id)"
  kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" \
    >>"$LOG_DIR/kafka.log" 2>&1 || { show_log_tail kafka; die "kafka storage format failed"; }
}

kafka_up() {
  # The open port is the cheap "up" check; the api-versions probe starts a JVM.
  if kafka_running; then
    port_open "$LIFELINE_KAFKA_PORT" || wait_for kafka 90 kafka_answers
    skip "already running, pid $(kafka_pid)"
  fi
  [[ -d $(kafka_libs) ]] || die "Kafka jars missing in $(kafka_libs): run scripts/install/kafka.sh"
  require_port_free kafka "$LIFELINE_KAFKA_PORT"
  require_port_free kafka "$LIFELINE_KAFKA_CONTROLLER_PORT"
  kafka_write_config
  kafka_format
  local heap
  read -ra heap <<<"$KAFKA_HEAP_OPTS"
  start_detached kafka "$KAFKA_PIDFILE" java "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
    -cp "$(kafka_libs)/*" kafka.Kafka "$KAFKA_DIR/server.properties"
  wait_for kafka 90 kafka_answers
  log "kafka $(kafka_version) at $KAFKA_BOOTSTRAP (KRaft, pid $(kafka_pid))"
}

kafka_down() {
  local pid
  pid=$(kafka_pid) || { rm -f "$KAFKA_PIDFILE"; skip "not running"; }
  # SIGTERM runs Kafka's shutdown hook: logs flushed, clean-shutdown marker written (no recovery
  # scan on the next start).
  stop_pid kafka "$pid" 60 TERM
  rm -f "$KAFKA_PIDFILE"
  log "stopped (pid $pid)"
}

kafka_status() { service_status_line kafka "$(kafka_pid || true)" "$LIFELINE_KAFKA_PORT" kafka_running; }
