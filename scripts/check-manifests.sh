#!/usr/bin/env bash
# What a cluster and docker compose are handed, decoded strictly by the Go types that read it
# (tools/k8s/checkmanifests, built once from its module and cached by its source):
#   - the chart rendered by `helm template` for every broker, each manifest against k8s.io/api, each
#     Dapr resource against daprd's own types (scripts/check-dapr-resources.sh's checker), and every
#     pod template's dapr.io/* annotations against those Dapr's sidecar injector reads
#     (tools/dapr/daprd/checkannotations, from the same module as our daprd);
#   - docker-compose.yml by compose-spec's loader, for every broker (LIFELINE_BROKER).
# A field either would drop without a word (a misspelt topologySpreadConstraints, say) fails here, named.
#   bash scripts/check-manifests.sh                  the chart for each broker, and compose
#   bash scripts/check-manifests.sh FILE...          only these manifest files
#   bash scripts/check-manifests.sh --binary         build if needed, print the checker's path
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bin=$(go_checker "$REPO_ROOT/tools/k8s" checkmanifests "$LIFELINE_CACHE/k8s/checkmanifests" "the manifest checker (tools/k8s: k8s.io/api, compose-go)")
if [[ ${1:-} == --binary ]]; then echo "$bin"; exit 0; fi
dapr_checker=$(bash "$REPO_ROOT/scripts/check-dapr-resources.sh" --binary)
source "$REPO_ROOT/scripts/lib/dapr-versions.sh"
annotations_checker=$(go_checker "$REPO_ROOT/tools/dapr/daprd" checkannotations "$LIFELINE_CACHE/dapr/check-annotations-$DAPRD_VERSION" "the Dapr annotation checker (daprd $DAPRD_VERSION's injector)")
check() {
  local rc=0
  "$bin" -dapr-checker "$dapr_checker" "$@" || rc=1
  "$annotations_checker" "$@" || rc=1
  return "$rc"
}
if (($#)); then check "$@"; exit; fi

helm_version=$(sed -n 's/^HELM_VERSION=//p' "$REPO_ROOT/scripts/install/helm.sh")
helm="$LIFELINE_CACHE/helm/$helm_version/helm"
[[ -x $helm ]] || bash "$REPO_ROOT/scripts/install/helm.sh" >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The values a real install must give (values.yaml leaves them empty on purpose).
required=(--set jwt.secret=0123456789abcdef0123456789abcdef --set jwt.jwksUrl=https://idp.example.com/.well-known/jwks.json --set database.admin.password=check
  --set mail.smtpUrl=smtp://relay.example.com:587 --set ingress.enabled=true --set ingress.host=lifeline.example.com)
failed=0
for broker in redis kafka rabbitmq; do
  "$helm" template lifeline "$REPO_ROOT/charts/lifeline" --namespace lifeline "${required[@]}" \
    --set "broker.type=$broker" >"$out/chart-$broker.yaml" 2> >(grep -v 'found symbolic link' >&2)
  echo "chart, broker.type=$broker:"
  check "$out/chart-$broker.yaml" || failed=1
done
# The switches that drop whole templates: an operator's own Secret, service account and network rules.
"$helm" template lifeline "$REPO_ROOT/charts/lifeline" --namespace lifeline "${required[@]}" \
  --set secrets.existingSecret=ops-managed --set serviceAccount.create=false --set networkPolicy.enabled=false \
  --set priorityClasses.create=false --set appDefaults.autoscaling.enabled=false >"$out/chart-variant.yaml" \
  2> >(grep -v 'found symbolic link' >&2)
echo "chart, existingSecret, no ServiceAccounts, NetworkPolicies, PriorityClasses or HPAs:"
check "$out/chart-variant.yaml" || failed=1
for broker in redis kafka rabbitmq; do
  echo "compose, LIFELINE_BROKER=$broker:"
  LIFELINE_BROKER=$broker "$bin" -compose "$REPO_ROOT/docker-compose.yml" || failed=1
done
exit "$failed"
