#!/usr/bin/env bash
# Debian packages the local stack runs on. Idempotent: apt is only touched when something is missing.
#   bash scripts/install/system.sh           install what is missing
#   bash scripts/install/system.sh --check   exit 0 when everything is installed, 1 otherwise
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

PACKAGES=(
  postgresql                 # Debian 12: PostgreSQL 15
  redis-server               # Dapr state store and the default broker
  rabbitmq-server            # broker option (brings Erlang)
  nginx-light                # gateway
  openjdk-17-jre-headless    # Kafka broker (Kafka 4 needs Java 17+)
  maven                      # fetches the Kafka jars from Maven Central
  curl ca-certificates
  iproute2                   # `ss`, to name the process squatting a port
  procps                     # `ps`, process-group lookups on shutdown
)

# Services whose packages start a system-wide instance on install; ours run on their own ports/dirs.
DISTRO_SERVICES=(postgresql redis-server rabbitmq-server nginx)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || echo "$p"
  done
}

have_systemd() { [[ -d /run/systemd/system ]]; }

# systemd units may still have been enabled/started (e.g. socket activation): stop and disable the
# ones belonging to packages installed by this run, never a service someone already relied on.
stop_distro_daemons() {
  local newly=" $* " svc pkg
  for svc in "${DISTRO_SERVICES[@]}"; do
    case $svc in nginx) pkg=nginx-light ;; *) pkg=$svc ;; esac
    [[ $newly == *" $pkg "* ]] || continue
    if have_systemd; then
      log "disabling distro service $svc (the stack runs its own instance)"
      as_root systemctl disable --now "$svc" >/dev/null 2>&1 || true
    elif command -v service >/dev/null && service "$svc" status >/dev/null 2>&1; then
      log "stopping distro service $svc (the stack runs its own instance)"
      as_root service "$svc" stop >/dev/null 2>&1 || true
    fi
  done
}

install_packages() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    log "all present: ${PACKAGES[*]}"
    return 0
  fi
  log "installing: ${missing[*]}"
  as_root apt-get update -qq
  apt_install "${missing[@]}"
  stop_distro_daemons "${missing[@]}"
  print_versions
}

print_versions() {
  local p
  for p in postgresql-15 redis-server rabbitmq-server nginx-light openjdk-17-jre-headless maven; do
    log "$(dpkg-query -W -f='${Package} ${Version}' "$p" 2>/dev/null || echo "$p: not installed")"
  done
}

main() {
  case "${1:-}" in
    --check) [[ -z $(missing_packages) ]] ;;
    --versions) print_versions ;;
    "") install_packages ;;
    *) die "usage: $0 [--check|--versions]" ;;
  esac
}

main "$@"
