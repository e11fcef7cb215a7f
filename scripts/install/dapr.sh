#!/usr/bin/env bash
# Builds daprd and the dapr CLI from their Go modules (no prebuilt binary can be fetched here) through
# the wrapper modules in tools/dapr/, and caches them outside the repo keyed by version:
#   $LIFELINE_CACHE/dapr/runtime-<v>/.dapr/bin/daprd   (DAPR_RUNTIME_PATH layout the CLI looks for)
#   $LIFELINE_CACHE/dapr/cli-<v>/dapr
#   $LIFELINE_CACHE/bin/{dapr,daprd}                    (put this folder on PATH)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
source "$REPO_ROOT/scripts/lib/dapr-versions.sh"

# go.sum in each wrapper pins every module; when the checksum database is out of reach, go.sum alone
# is the verification, which is what we want anyway.
export GOFLAGS="-mod=readonly -trimpath"


build_daprd() {
  local out="$DAPR_RUNTIME_DIR/.dapr/bin/daprd"
  if [[ -x "$out" ]] && [[ "$("$out" --version 2>/dev/null)" == "$DAPRD_VERSION" ]]; then
    skip "daprd $DAPRD_VERSION cached at $out"
  fi
  local wrapper="$REPO_ROOT/tools/dapr/daprd" work="$LIFELINE_CACHE/dapr/build-daprd-$DAPRD_VERSION"
  rm -rf "$work" && mkdir -p "$work"
  # Upstream's cmd/daprd/components package panics in init unless a components build tag is set, and
  # those tags compile every cloud SDK. We build upstream from a verified copy of its module in which
  # that guard file is swapped for an empty one, and register our own component set in components.go.
  local src
  src=$(cd "$wrapper" && go mod download -json "github.com/dapr/dapr@v$DAPRD_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [[ -d "$src" ]] || { echo "could not download github.com/dapr/dapr@v$DAPRD_VERSION" >&2; return 1; }
  cp -r "$src" "$work/dapr" && chmod -R u+w "$work/dapr"
  rm "$work/dapr/cmd/daprd/components/zz_notag.go"
  echo 'package components' > "$work/dapr/cmd/daprd/components/zz_lifeline.go"
  cp "$wrapper/go.mod" "$work/build.mod" && cp "$wrapper/go.sum" "$work/build.sum"
  echo "replace github.com/dapr/dapr => $work/dapr" >> "$work/build.mod"
  mkdir -p "$(dirname "$out")"
  (cd "$wrapper" && go build -modfile "$work/build.mod" \
    -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPRD_VERSION" -o "$out.tmp" .)
  mv "$out.tmp" "$out"
  rm -rf "$work"
  echo "daprd $("$out" --version) built at $out"
}

build_cli() {
  local out="$DAPR_CLI_DIR/dapr"
  if [[ -x "$out" ]] && "$out" --version 2>/dev/null | grep -q "CLI version: $DAPR_CLI_VERSION"; then
    skip "dapr CLI $DAPR_CLI_VERSION cached at $out"
  fi
  mkdir -p "$DAPR_CLI_DIR"
  (cd "$REPO_ROOT/tools/dapr/cli" && go build -ldflags "-s -w -X main.version=$DAPR_CLI_VERSION" -o "$out.tmp" .)
  mv "$out.tmp" "$out"
  echo "dapr CLI built at $out"
}

# bin/dapr is a wrapper rather than a link: the CLI finds daprd through DAPR_RUNTIME_PATH, so a plain
# `dapr --version` or `dapr run` from any shell sees the runtime we built.
link_bin() {
  mkdir -p "$LIFELINE_CACHE/bin"
  ln -sf "$DAPR_RUNTIME_DIR/.dapr/bin/daprd" "$LIFELINE_CACHE/bin/daprd"
  rm -f "$LIFELINE_CACHE/bin/dapr"
  cat >"$LIFELINE_CACHE/bin/dapr" <<WRAPPER
#!/bin/sh
export DAPR_RUNTIME_PATH="\${DAPR_RUNTIME_PATH:-$DAPR_RUNTIME_DIR}"
exec "$DAPR_CLI_DIR/dapr" "\$@"
WRAPPER
  chmod +x "$LIFELINE_CACHE/bin/dapr"
  env -u DAPR_RUNTIME_PATH "$LIFELINE_CACHE/bin/dapr" --version
}

step "build daprd $DAPRD_VERSION from Go modules" build_daprd
step "build dapr CLI $DAPR_CLI_VERSION from Go modules" build_cli
link_bin
