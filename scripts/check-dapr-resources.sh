#!/usr/bin/env bash
# Decodes Dapr resource files strictly against daprd's own Go types (tools/dapr/daprd/checkresources, built
# once from the same module version as our daprd and cached by its source): a field daprd does not know is
# an error, where daprd would drop it and silently run with its defaults.
#   bash scripts/check-dapr-resources.sh [FILE...]      (default: every file under components/dapr)
#   bash scripts/check-dapr-resources.sh --binary       (build if needed, print the checker's path)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/dapr-versions.sh"
bin=$(go_checker "$REPO_ROOT/tools/dapr/daprd" checkresources "$LIFELINE_CACHE/dapr/check-resources-$DAPRD_VERSION" "the Dapr resource checker (daprd $DAPRD_VERSION's types)")
if [[ ${1:-} == --binary ]]; then echo "$bin"; exit 0; fi
if (($#)); then exec "$bin" "$@"; fi
mapfile -t files < <(find "$REPO_ROOT/components/dapr" -name '*.yaml' | sort)
exec "$bin" "${files[@]}"
