# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it, never run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Conventions the helpers below rely on:
#   - service <name> logs to   $LOG_DIR/<name>.log
#   - if a function <name>_running exists, wait_for uses it to stop waiting as soon as the process died
#   - step commands run in a subshell with `set -e`; they call `skip "<why>"` to report "nothing to do"

[[ -n "${LIFELINE_COMMON_LOADED:-}" ]] && return 0
LIFELINE_COMMON_LOADED=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="$REPO_ROOT/.run"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
# Downloaded/built binaries live outside the repo, keyed by version, so a fresh clone or `git clean`
# does not pay for them again.
LIFELINE_CACHE="${LIFELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lifeline}"
export REPO_ROOT RUN_DIR LOG_DIR PID_DIR LIFELINE_CACHE

# Exported so tools started from these scripts (psql, tests, sidecars) see the same ports.
set -a
# shellcheck source=../stack.env
source "$REPO_ROOT/scripts/stack.env"
set +a

# Exit code a step command uses to say "already done"; anything else non-zero is a failure.
STEP_SKIPPED=99

log()  { printf '    %s\n' "$*"; }
warn() { printf '    warning: %s\n' "$*" >&2; }
die()  { printf '!! %s\n' "$*" >&2; exit 1; }

# Microseconds since the epoch. EPOCHREALTIME's separator follows the locale ("." or ",").
now_us() { local t=$EPOCHREALTIME; echo "${t//[.,]/}"; }

# "12.3s" for a duration given in microseconds.
fmt_us() { printf '%d.%ds' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); }

# Inside a step command: report "nothing to do" and leave the step.
skip() {
  [[ -n "${STEP_NOTE_FILE:-}" ]] && printf '%s' "$*" >"$STEP_NOTE_FILE"
  exit "$STEP_SKIPPED"
}

# step <name> <command...>
# Runs the command in a subshell with errexit on (a plain `cmd || rc=$?` would silently disable
# `set -e` inside it), times it, and fails the whole script with the step name on error.
step() {
  local name=$1; shift
  local start rc note=""
  printf '==> %s\n' "$name"
  start=$(now_us)
  STEP_NOTE_FILE=$(mktemp)
  set +e
  ( set -e; "$@" )
  rc=$?
  set -e
  note=$(cat "$STEP_NOTE_FILE" 2>/dev/null || true)
  rm -f "$STEP_NOTE_FILE"; unset STEP_NOTE_FILE
  local took; took=$(fmt_us $(( $(now_us) - start )))
  case $rc in
    0) printf '<== %s: done in %s\n' "$name" "$took" ;;
    "$STEP_SKIPPED") printf '<== %s: skipped (%s)\n' "$name" "${note:-already done}" ;;
    *) printf '!! step "%s" FAILED (exit %d) after %s\n' "$name" "$rc" "$took" >&2; exit "$rc" ;;
  esac
}

# Last lines of a service's log(s), for error messages.
show_log_tail() {
  local what=$1 lines=${2:-40} f found=0 from
  for f in "$LOG_DIR/$what.log" "$LOG_DIR/$what".*.log; do
    [[ -s $f ]] || continue
    found=1
    printf -- '---- %s (last %d lines of the latest start) ----\n' "$f" "$lines" >&2
    # Only what the latest start wrote: start_detached marks each start with a banner line.
    from=$(grep -n '^===== .* starting ' "$f" | tail -n 1 | cut -d: -f1 || true)
    tail -n "+${from:-1}" "$f" | tail -n "$lines" >&2
  done
  (( found )) || printf -- '---- no log found at %s/%s.log ----\n' "$LOG_DIR" "$what" >&2
}

# wait_for <what> <timeout-s> <probe command...>
# Polls the probe (which must bound its own runtime) until it succeeds. Gives up early when
# <what>_running exists and reports the process gone on consecutive polls.
wait_for() {
  local what=$1 timeout=$2; shift 2
  local start deadline out="" dead=0
  start=$(now_us)
  deadline=$(( start + timeout * 1000000 ))
  while true; do
    if out=$("$@" 2>&1); then
      log "$what answered after $(fmt_us $(( $(now_us) - start )))"
      return 0
    fi
    if declare -F "${what}_running" >/dev/null && ! "${what}_running"; then
      # Two misses in a row: a process that is still exec'ing or writing its pid file gets a grace.
      if (( ++dead >= 2 )); then
        show_log_tail "$what"
        die "$what: process exited while waiting for it (probe: $*)"
      fi
    else
      dead=0
    fi
    if (( $(now_us) >= deadline )); then
      [[ -n $out ]] && printf -- '---- last probe output ----\n%s\n' "$out" >&2
      show_log_tail "$what"
      die "$what: not answering after ${timeout}s (probe: $*)"
    fi
    sleep 0.3
  done
}

# True when something accepts TCP connections on 127.0.0.1:<port>.
port_open() {
  # shellcheck disable=SC2016  # $0 is expanded by the inner shell
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null
}

# Who listens on a port, for "port already taken" messages.
port_owner() {
  command -v ss >/dev/null || { echo "unknown (install iproute2 for details)"; return; }
  ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/^/      /' || true
}

# Fails when a port we are about to bind is taken by something that is not ours.
require_port_free() {
  local what=$1 port=$2
  port_open "$port" || return 0
  printf '!! %s: port %s on 127.0.0.1 is already in use by another process:\n%s\n' \
    "$what" "$port" "$(port_owner "$port")" >&2
  exit 1
}

# First line of a pid file if it is a number (postmaster.pid has more lines after it).
read_pid() {
  local f=$1 pid=""
  [[ -r $f ]] || return 1
  IFS= read -r pid <"$f" || true
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  echo "$pid"
}

# pid_alive <pid> [<cmdline substring>]
# The substring guards against stale pid files whose number now belongs to an unrelated process.
# A zombie counts as dead: a container's pid 1 may be slow to reap the daemons we orphaned.
pid_alive() {
  local pid=$1 pattern=${2:-} cmdline stat
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ ${stat##*) } == Z* ]] && return 1
  [[ -z $pattern ]] && return 0
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$pattern"* ]]
}

# pidfile_alive <pidfile> [<cmdline substring>]: prints the pid when that process is alive.
pidfile_alive() {
  local pid
  pid=$(read_pid "$1") || return 1
  pid_alive "$pid" "${2:-}" || return 1
  echo "$pid"
}

# start_detached <name> <pidfile> <command...>
# Own session (setsid) so the service outlives the caller's process group and terminal (test
# runners kill theirs); stdio goes to the log so a caller reading our stdout through a pipe is not
# kept waiting for EOF by a daemon holding it open.
start_detached() {
  local name=$1 pidfile=$2; shift 2
  mkdir -p "$LOG_DIR" "$(dirname "$pidfile")"
  rm -f "$pidfile"
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$name" >>"$LOG_DIR/$name.log"
  # shellcheck disable=SC2016  # $$ and $0 belong to the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" \
    </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
  for _ in {1..50}; do [[ -s $pidfile ]] && return 0; sleep 0.05; done
  die "$name: launcher did not write $pidfile"
}

# wait_pid_exit <pid> <timeout-s>: true once the process is gone.
wait_pid_exit() {
  local pid=$1 deadline=$(( $(now_us) + $2 * 1000000 ))
  while pid_alive "$pid"; do
    (( $(now_us) >= deadline )) && return 1
    sleep 0.2
  done
}

# stop_pid <name> <pid> <timeout-s> [signal]
# Polite signal first (services flush and close cleanly on it), then SIGKILL for the process and,
# when it leads one, its whole process group (started with setsid: children die with it).
stop_pid() {
  local name=$1 pid=$2 timeout=$3 sig=${4:-TERM}
  pid_alive "$pid" || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  wait_pid_exit "$pid" "$timeout" && return 0
  warn "$name (pid $pid) still running after ${timeout}s: sending SIGKILL"
  if [[ $(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') == "$pid" ]]; then
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  kill -KILL "$pid" 2>/dev/null || true
  wait_pid_exit "$pid" 5 || die "$name (pid $pid) survived SIGKILL"
}

is_root() { [[ $EUID -eq 0 ]]; }

# run_as <user> <command...>: PostgreSQL refuses to run as root, so root drops to its OS user;
# anyone else runs it as themselves.
run_as() {
  local user=$1; shift
  if is_root; then runuser -u "$user" -- "$@"; else "$@"; fi
}

# Root-only actions (apt) for non-root developers: via sudo when available.
as_root() {
  if is_root; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root for: $* (run as root or install sudo)"
  fi
}

# Kafka layout, shared by scripts/install/kafka.sh and scripts/stack/kafka.sh. The version is pinned
# once, in tools/kafka/pom.xml.
KAFKA_POM="$REPO_ROOT/tools/kafka/pom.xml"
kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM" | head -n1; }
kafka_home() { echo "$LIFELINE_CACHE/kafka/$(kafka_version)"; }

# go_checker <module dir> <package> <cache path prefix> <what it is>: builds one of our Go checkers once
# per version of its source (the package's .go files and the module's go.sum) and prints its path.
go_checker() {
  local module=$1 pkg=$2 prefix=$3 what=$4 hash bin
  hash=$(cat "$module/$pkg"/*.go "$module/go.sum" | sha256sum | cut -c1-12)
  bin="$prefix-$hash"
  if [[ ! -x $bin ]]; then
    echo "building $what ..." >&2
    mkdir -p "$(dirname "$bin")" || return 1
    # Called as $(go_checker ...), where errexit does not reach: every failure returns on its own.
    (cd "$module" && GOFLAGS="-mod=readonly -trimpath" go build -ldflags "-s -w" -o "$bin.tmp" "./$pkg") >&2 || return 1
    mv "$bin.tmp" "$bin" || return 1
  fi
  echo "$bin"
}
