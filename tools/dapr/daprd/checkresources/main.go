// checkresources decodes Dapr resource files strictly against the Go types daprd itself decodes them
// into (github.com/dapr/dapr/pkg/apis, the same module version as our daprd): a field daprd does not
// know is an error here, where daprd would silently drop it and run with its defaults.
//
//	go run ./checkresources FILE...
package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	componentsapi "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	configurationapi "github.com/dapr/dapr/pkg/apis/configuration/v1alpha1"
	resiliencyapi "github.com/dapr/dapr/pkg/apis/resiliency/v1alpha1"
	subscriptionsapi "github.com/dapr/dapr/pkg/apis/subscriptions/v2alpha1"
	"sigs.k8s.io/yaml"
)

func target(kind string) (any, bool) {
	switch kind {
	case "Component":
		return &componentsapi.Component{}, true
	case "Configuration":
		return &configurationapi.Configuration{}, true
	case "Resiliency":
		return &resiliencyapi.Resiliency{}, true
	case "Subscription":
		return &subscriptionsapi.Subscription{}, true
	}
	return nil, false
}

func checkDocument(doc []byte) error {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return err
	}
	into, known := target(head.Kind)
	if !known {
		return fmt.Errorf("kind %q is not a Dapr resource this checker knows", head.Kind)
	}
	return yaml.UnmarshalStrict(doc, into)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: checkresources FILE...")
		os.Exit(2)
	}
	failed := 0
	for _, file := range os.Args[1:] {
		content, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed++
			continue
		}
		for i, doc := range bytes.Split(content, []byte("\n---")) {
			if strings.TrimSpace(string(doc)) == "" {
				continue
			}
			if err := checkDocument(doc); err != nil {
				fmt.Printf("%s (document %d): %v\n", file, i+1, err)
				failed++
			}
		}
	}
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Printf("%d file(s): every field is one daprd knows\n", len(os.Args)-1)
}
