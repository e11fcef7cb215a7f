// checkannotations checks the dapr.io/* annotations of every pod template in Kubernetes manifests
// against the ones Dapr's sidecar injector reads (the `annotation` tags of
// github.com/dapr/dapr/pkg/injector/patcher.SidecarConfig, the same module version as our daprd): the
// injector ignores a key it does not know, so a misspelt dapr.io/sidecar-cpu-limit would leave the
// sidecar without its limit, silently. Numeric annotations must parse as numbers too.
//
//	go run ./checkannotations FILE...
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/dapr/dapr/pkg/injector/patcher"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// known maps each annotation the injector reads to the kind of its field.
func known() map[string]reflect.Kind {
	keys := map[string]reflect.Kind{}
	t := reflect.TypeOf(patcher.SidecarConfig{})
	for i := range t.NumField() {
		if key := t.Field(i).Tag.Get("annotation"); key != "" {
			keys[key] = t.Field(i).Type.Kind()
		}
	}
	return keys
}

type manifest struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Template struct {
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		} `json:"template"`
	} `json:"spec"`
}

func checkValue(kind reflect.Kind, value string) error {
	switch kind {
	case reflect.Int, reflect.Int32, reflect.Int64:
		if _, err := strconv.ParseInt(value, 10, 64); err != nil {
			return fmt.Errorf("%q is not an integer", value)
		}
	}
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: checkannotations FILE...")
		os.Exit(2)
	}
	keys := known()
	failed, pods := 0, 0
	for _, file := range os.Args[1:] {
		content, err := os.ReadFile(file)
		if err != nil {
			fmt.Println(err)
			failed++
			continue
		}
		reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(content)))
		for i := 1; ; i++ {
			doc, err := reader.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fmt.Printf("%s: %v\n", file, err)
				failed++
				break
			}
			var m manifest
			if err := yaml.Unmarshal(doc, &m); err != nil {
				fmt.Printf("%s (document %d): %v\n", file, i, err)
				failed++
				continue
			}
			annotations := m.Spec.Template.Metadata.Annotations
			if len(annotations) > 0 {
				pods++
			}
			names := make([]string, 0, len(annotations))
			for name := range annotations {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				if !strings.HasPrefix(name, "dapr.io/") {
					continue
				}
				kind, ok := keys[name]
				if !ok {
					fmt.Printf("%s (document %d, %s %s): annotation %q is not one Dapr's sidecar injector reads\n", file, i, m.Kind, m.Metadata.Name, name)
					failed++
					continue
				}
				if err := checkValue(kind, annotations[name]); err != nil {
					fmt.Printf("%s (document %d, %s %s): annotation %q: %v\n", file, i, m.Kind, m.Metadata.Name, name, err)
					failed++
				}
			}
		}
	}
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Printf("%d annotated pod template(s): every dapr.io annotation is one the injector reads\n", pods)
}
