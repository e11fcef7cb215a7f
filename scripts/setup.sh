#!/usr/bin/env bash
# Installs everything Lifeline needs on a machine that has never seen it; every step is idempotent and
# says how long it took or why it was skipped.
#   bash scripts/setup.sh [--with-kafka]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

with_kafka=0
[[ ${1:-} == --with-kafka ]] && with_kafka=1

started=$(now_us)
install_if_needed() { bash "$1" --check && skip "already installed"; bash "$1"; }
step "system packages (apt)" install_if_needed "$REPO_ROOT/scripts/install/system.sh"
bash "$REPO_ROOT/scripts/install/dapr.sh"
if (( with_kafka )); then step "Kafka jars (Maven Central)" install_if_needed "$REPO_ROOT/scripts/install/kafka.sh"; fi
bash "$REPO_ROOT/scripts/install/node-deps.sh"
printf 'setup done in %s\n' "$(fmt_us $(( $(now_us) - started )))"
