#!/usr/bin/env bash
# npm dependencies and generated Prisma clients. Skips `npm ci` when node_modules was installed from
# the same package-lock.json, and each generate when its schema has not changed since.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
cd "$REPO_ROOT"

npm_deps() {
  local marker=node_modules/.lifeline-lock-sha
  local want; want=$(sha256sum package-lock.json | cut -d' ' -f1)
  [[ -f $marker && $(cat "$marker") == "$want" ]] && skip "node_modules matches package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$marker"
}

# The Prisma CLI wants a native schema engine it cannot download here; `generate` does not use it, and
# any existing file satisfies the check.
prisma_clients() {
  export PRISMA_SCHEMA_ENGINE_BINARY=${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}
  local config app out sum marker done_any=0
  for config in prisma/*/prisma.config.ts; do
    app=$(basename "$(dirname "$config")")
    [[ $app == _* ]] && continue
    out="apps/$app/src/generated/prisma"
    marker="$out/.schema-sha"
    sum=$(cat "prisma/$app/schema.prisma" package-lock.json | sha256sum | cut -d' ' -f1)
    [[ -f $marker && $(cat "$marker") == "$sum" ]] && continue
    npx prisma generate --config "$config" >/dev/null
    echo "$sum" >"$marker"
    log "generated the Prisma client of $app"
    done_any=1
  done
  (( done_any )) || skip "Prisma clients match their schemas"
}

step "npm dependencies" npm_deps
step "Prisma clients" prisma_clients
