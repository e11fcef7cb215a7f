#!/usr/bin/env bash
# The dapr CLI that scripts/setup.sh built (pinned in scripts/lib/dapr-versions.sh), for looking inside the
# running dev stack: `npm run -s dapr -- list`, `... invoke`, `... publish`. The dev sidecars take no API
# token (scripts/dev.sh), so the CLI works against them as it is.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/dapr-versions.sh"
[[ -x $DAPR_CLI_DIR/dapr ]] || die "no dapr CLI at $DAPR_CLI_DIR: run npm run setup (or npm run dev) first"
exec "$DAPR_CLI_DIR/dapr" "$@"
