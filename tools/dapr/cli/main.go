// Command dapr is the upstream Dapr CLI, built from its Go module because no prebuilt binary can be
// fetched here. The version is passed in so `dapr --version` reports what we pinned.
package main

import "github.com/dapr/cli/cmd"

// Set with -ldflags "-X main.version=..." by scripts/install/dapr.sh.
var version = "dev"

func main() {
	cmd.Execute(version, "1.0")
}
