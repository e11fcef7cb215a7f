#!/usr/bin/env bash
# Installs everything Lifeline needs on a machine that has never seen it; every step is idempotent and
# says how long it took or why it was skipped.
#   bash scripts/setup.sh [--with-kafka] [--with-helm]   (the test suite needs both)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

with_kafka=0 with_helm=0
for arg in "$@"; do
  case $arg in
    --with-kafka) with_kafka=1 ;;
    --with-helm) with_helm=1 ;;
    *) echo "usage: setup.sh [--with-kafka] [--with-helm]" >&2; exit 2 ;;
  esac
done

started=$(now_us)
install_if_needed() { bash "$1" --check && skip "already installed"; bash "$1"; }
step "system packages (apt)" install_if_needed "$REPO_ROOT/scripts/install/system.sh"
bash "$REPO_ROOT/scripts/install/dapr.sh"
if (( with_kafka )); then step "Kafka jars (Maven Central)" install_if_needed "$REPO_ROOT/scripts/install/kafka.sh"; fi
if (( with_helm )); then bash "$REPO_ROOT/scripts/install/helm.sh"; fi
bash "$REPO_ROOT/scripts/install/node-deps.sh"
printf 'setup done in %s\n' "$(fmt_us $(( $(now_us) - started )))"
