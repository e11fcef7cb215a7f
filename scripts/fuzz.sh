#!/usr/bin/env bash
# The API fuzzer: schemathesis against every app's OpenAPI document, THROUGH THE GATEWAY, with a valid
# bearer token and every check. Fails on any server error and any answer that breaks its own document.
# Needs the platform up (bash scripts/dev.sh --background); e2e/fuzz.test.ts brings it up and runs this.
#   bash scripts/fuzz.sh [--max-examples N] [--seed N] [api...]     (default: every public API)
#   bash scripts/fuzz.sh --list                                       (those APIs, one a line)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

REQUIREMENTS="$REPO_ROOT/scripts/fuzz/requirements.txt"
CONFIG="$REPO_ROOT/scripts/fuzz/schemathesis.toml"
VERSION=$(sed -n 's/^schemathesis==\(.*\)$/\1/p' "$REQUIREMENTS")
VENV="$LIFELINE_CACHE/schemathesis-$VERSION"
API="http://127.0.0.1:$LIFELINE_GATEWAY_PORT/api/v1"
REPORTS="$RUN_DIR/fuzz"

# The public APIs behind the gateway, by the name in their path: /api/v1/<api>/openapi.json.
ALL_APIS=(tasks recurring notification audit emergencies location)

max_examples=25 seed=${FUZZ_SEED:-} apps=()
while (($#)); do
  case $1 in
    --list) printf '%s\n' "${ALL_APIS[@]}"; exit 0 ;;
    --max-examples) max_examples=${2:?}; shift 2 ;;
    --seed) seed=${2:?}; shift 2 ;;
    -*) echo "usage: fuzz.sh [--max-examples N] [--seed N] [app...]" >&2; exit 2 ;;
    *) apps+=("$1"); shift ;;
  esac
done
((${#apps[@]})) || apps=("${ALL_APIS[@]}")

# A venv outside the repo, keyed by the pinned version, made once and reused.
install_schemathesis() {
  [[ -x $VENV/bin/schemathesis ]] && "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $VERSION\$" && { skip "schemathesis $VERSION"; return; }
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
}
step "schemathesis $VERSION (venv in $VENV)" install_schemathesis

curl -fsS -o /dev/null "http://127.0.0.1:$LIFELINE_GATEWAY_PORT/healthz" || die "no gateway on port $LIFELINE_GATEWAY_PORT: start the platform first (bash scripts/dev.sh --background)"

# An admin may act for anyone and read the audit trail, so every operation can get past auth to the code.
TOKEN=$(node_modules/.bin/tsx packages/platform/src/cli/token.ts fuzzer admin)
mkdir -p "$REPORTS"

failed=()
for app in "${apps[@]}"; do
  printf '\n==> fuzz: %s (%s/%s/openapi.json)\n' "$app" "$API" "$app"
  t0=$(now_us)
  rm -f "$REPORTS/$app".*
  # --checks all: not_a_server_error, status_code/content_type/response_headers/response_schema conformance,
  # positive/negative data, missing_required_header, unsupported_method, ignored_auth, use_after_free, ...
  # scripts/fuzz/schemathesis.toml says which refusals valid data may meet and why. One worker: with two
  # threads, hypothesis' lambda-source cache races ("AST constructor recursion depth mismatch").
  # From the report folder: schemathesis keeps its cache (.schemathesis/) in the working directory.
  if (cd "$REPORTS" && "$VENV/bin/schemathesis" --config-file "$CONFIG" run "$API/$app/openapi.json" \
      --url "$API" \
      --header "Authorization: Bearer $TOKEN" \
      --checks all \
      --max-examples "$max_examples" \
      ${seed:+--seed "$seed"} \
      --workers 1 \
      --request-timeout 10 \
      --wait-for-schema 30 \
      --generation-database none \
      --report junit --report-junit-path "$REPORTS/$app.xml" \
      --no-color 2>&1 | tee "$REPORTS/$app.log"); then
    printf '<== fuzz: %s passed in %s\n' "$app" "$(fmt_us $(( $(now_us) - t0 )))"
  else
    printf '<== fuzz: %s FAILED in %s (report: %s)\n' "$app" "$(fmt_us $(( $(now_us) - t0 )))" "$REPORTS/$app.log"
    failed+=("$app")
  fi
done

((${#failed[@]} == 0)) || die "the fuzzer found problems in: ${failed[*]}"
echo "fuzz: every app passed"
