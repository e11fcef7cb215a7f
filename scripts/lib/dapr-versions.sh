# Pinned Dapr release built by scripts/install/dapr.sh. The CLI lags the runtime because v1.16.5 is the
# newest CLI module the Go proxy serves here; the CLI drives any 1.x runtime through daprd's flags.
DAPRD_VERSION=1.18.2
DAPR_CLI_VERSION=1.16.5
DAPR_RUNTIME_DIR="$LIFELINE_CACHE/dapr/runtime-$DAPRD_VERSION"
DAPR_CLI_DIR="$LIFELINE_CACHE/dapr/cli-$DAPR_CLI_VERSION"
export DAPR_RUNTIME_PATH="$DAPR_RUNTIME_DIR"
