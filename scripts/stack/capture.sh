# shellcheck shell=bash
# The mail and push capture server (tools/capture): SMTP on 127.0.0.1:$LIFELINE_SMTP_PORT, its HTTP API
# and the FCM-compatible push endpoint on 127.0.0.1:$LIFELINE_CAPTURE_PORT. Always up: it is where the
# notification app's mail and pushes go in development and tests. Keeps everything in memory, so a
# restart starts empty. Sourced by stack.sh.

CAPTURE_PIDFILE="$PID_DIR/capture.pid"
CAPTURE_MAIN=tools/capture/src/main.ts

capture_pid() { pidfile_alive "$CAPTURE_PIDFILE" "$CAPTURE_MAIN"; }
capture_running() { capture_pid >/dev/null; }
capture_answers() {
  curl -fsS --max-time 2 "http://127.0.0.1:$LIFELINE_CAPTURE_PORT/health" >/dev/null
}

capture_up() {
  if capture_running; then
    wait_for capture 30 capture_answers
    skip "already running, pid $(capture_pid)"
  fi
  command -v node >/dev/null || die "capture: node is not on PATH"
  [[ -d $REPO_ROOT/node_modules/tsx ]] || die "capture: node_modules is missing (run npm ci at the repo root first)"
  require_port_free capture-smtp "$LIFELINE_SMTP_PORT"
  require_port_free capture "$LIFELINE_CAPTURE_PORT"
  # From the repo root: `--import tsx` resolves from the working directory. step runs us in a subshell,
  # so the cd does not leak.
  cd "$REPO_ROOT" || die "capture: cannot enter $REPO_ROOT"
  start_detached capture "$CAPTURE_PIDFILE" node --import tsx "$CAPTURE_MAIN"
  wait_for capture 30 capture_answers
  log "smtp://127.0.0.1:$LIFELINE_SMTP_PORT, http://127.0.0.1:$LIFELINE_CAPTURE_PORT (pid $(capture_pid))"
}

capture_down() {
  local pid
  pid=$(capture_pid) || { rm -f "$CAPTURE_PIDFILE"; skip "not running"; }
  # SIGTERM: it closes both listeners and exits 0.
  stop_pid capture "$pid" 10 TERM
  rm -f "$CAPTURE_PIDFILE"
  log "stopped (pid $pid)"
}

capture_status() {
  local pid
  pid=$(capture_pid || true)
  service_status_line capture "$pid" "$LIFELINE_CAPTURE_PORT" capture_running
  service_status_line smtp "$pid" "$LIFELINE_SMTP_PORT" capture_running
}
