// Command daprd is the upstream Dapr sidecar with only the components Lifeline ships registered.
//
// Upstream picks components with the build tags "stablecomponents"/"allcomponents", which compile
// every cloud SDK. We build without them and register our own set in components.go; the upstream
// "no tag" guard file is removed from the build with a -overlay (see scripts/install/dapr.sh).
package main

import "github.com/dapr/dapr/cmd/daprd/app"

func main() {
	app.Run()
}
