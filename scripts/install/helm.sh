#!/usr/bin/env bash
# Builds the helm CLI from its Go module (no prebuilt binary can be fetched here) and caches it outside
# the repo keyed by version:
#   $LIFELINE_CACHE/helm/<version>/helm
#   $LIFELINE_CACHE/bin/helm              (symlink: put this folder on PATH)
# helm's go.mod has no replace directives, so `go install <pkg>@<version>` builds it in a throwaway
# module of its own; the Go checksum database verifies every module it downloads.
#   bash scripts/install/helm.sh [--check]      (--check: exit 0 when the pinned helm is cached)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

# v3.21.4: an approved release (v3.22.0 is served by the Go proxy but not approved, and may be refused on
# a fresh machine; v4 changes the CLI the chart tests drive).
HELM_VERSION=v3.21.4
HELM_DIR="$LIFELINE_CACHE/helm/$HELM_VERSION"
HELM_BIN="$HELM_DIR/helm"

helm_cached() {
  [[ -x "$HELM_BIN" ]] && "$HELM_BIN" version --template '{{ .Version }}' 2>/dev/null | grep -qx "$HELM_VERSION"
}

build_helm() {
  helm_cached && skip "helm $HELM_VERSION cached at $HELM_BIN"
  command -v go >/dev/null || die "helm is built from source and needs the Go toolchain (scripts/install/system.sh)"
  # helm's Makefile derives the default Kubernetes version of `helm template`/`lint` from the client-go
  # it builds against (client-go v0.N -> Kubernetes 1.N); without these flags it would claim v1.20.
  local gomod k8s_minor
  gomod=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
  k8s_minor=$(sed -n 's/^\s*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod" | head -n1)
  [[ $k8s_minor =~ ^[0-9]+$ ]] || die "could not read the k8s.io/client-go version of helm $HELM_VERSION from $gomod"
  local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$k8s_minor"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor"
  local work; work=$(mktemp -d "${TMPDIR:-/tmp}/lifeline-helm.XXXXXX")
  # go install writes only to GOBIN; the temp dir keeps a half-built binary out of the cache.
  GOFLAGS="-trimpath" GOBIN="$work" go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  mkdir -p "$HELM_DIR"
  mv "$work/helm" "$HELM_BIN"
  rm -rf "$work"
  echo "helm $("$HELM_BIN" version --short) (default Kubernetes 1.$k8s_minor) built at $HELM_BIN"
}

if [[ ${1:-} == --check ]]; then helm_cached; exit; fi
step "build helm $HELM_VERSION from Go modules" build_helm
mkdir -p "$LIFELINE_CACHE/bin"
ln -sf "$HELM_BIN" "$LIFELINE_CACHE/bin/helm"
