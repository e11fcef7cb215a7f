// checkmanifests decodes what we hand to a cluster or to docker compose the way they decode it, but
// strictly, so a field they would drop without a word is an error here:
//
//   - Kubernetes manifests (e.g. `helm template` output) against the API's own Go types (k8s.io/api,
//     decoded by apimachinery's serializer in strict mode: unknown and duplicate fields are refused, and
//     so is an apiVersion/kind the API does not serve);
//
//   - Dapr resources among them (apiVersion dapr.io/...) by the Dapr checker built from daprd's own types
//     (tools/dapr/daprd/checkresources, -dapr-checker), each written to a file named for its source;
//
//   - a compose file (-compose) by compose-spec's Go loader, the one docker compose uses: schema,
//     interpolation, .env, profiles from COMPOSE_PROFILES. -compose-summary prints the services it would
//     run and the host paths each mounts, as JSON.
//
//     checkmanifests [-dapr-checker BIN] FILE...
//     checkmanifests -compose docker-compose.yml [-compose-summary]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8sjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// The API groups a Lifeline release uses. A kind outside them is refused rather than skipped, so a
// manifest that would need another group (or an apiVersion the API no longer serves) is noticed.
func newDecoder() (runtime.Decoder, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme, schedulingv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	return k8sjson.NewSerializerWithOptions(k8sjson.DefaultMetaFactory, scheme, scheme, k8sjson.SerializerOptions{Yaml: true, Strict: true}), nil
}

type document struct {
	source string
	index  int
	body   []byte
	gvk    schema.GroupVersionKind
	name   string
}

func (d document) String() string {
	return fmt.Sprintf("%s (document %d, %s %s)", d.source, d.index, d.gvk.Kind, d.name)
}

func readDocuments(file string) ([]document, error) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(content)))
	var docs []document
	for i := 1; ; i++ {
		body, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(body, &head); err != nil {
			return nil, fmt.Errorf("%s (document %d): %w", file, i, err)
		}
		if head.APIVersion == "" && head.Kind == "" {
			continue // only comments, or empty
		}
		gv, err := schema.ParseGroupVersion(head.APIVersion)
		if err != nil {
			return nil, fmt.Errorf("%s (document %d): %w", file, i, err)
		}
		docs = append(docs, document{source: file, index: i, body: body, gvk: gv.WithKind(head.Kind), name: head.Metadata.Name})
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// checkDapr hands the Dapr resources to the checker built from daprd's types, one file each, named so
// that its messages say where the resource came from.
func checkDapr(checker string, docs []document) (int, error) {
	if len(docs) == 0 {
		return 0, nil
	}
	if checker == "" {
		return 0, fmt.Errorf("%s is a Dapr resource: pass -dapr-checker", docs[0])
	}
	dir, err := os.MkdirTemp("", "checkmanifests-dapr-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	var files []string
	for _, d := range docs {
		base := fmt.Sprintf("%s-document-%d-%s-%s.yaml", filepath.Base(d.source), d.index, d.gvk.Kind, d.name)
		file := filepath.Join(dir, unsafeName.ReplaceAllString(base, "_"))
		if err := os.WriteFile(file, d.body, 0o600); err != nil {
			return 0, err
		}
		files = append(files, file)
	}
	cmd := exec.Command(checker, files...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return 1, nil
		}
		return 0, err
	}
	return 0, nil
}

func checkManifests(daprChecker string, files []string) int {
	decoder, err := newDecoder()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	failed, checked := 0, 0
	var dapr []document
	for _, file := range files {
		docs, err := readDocuments(file)
		if err != nil {
			fmt.Println(err)
			failed++
			continue
		}
		for _, d := range docs {
			if d.gvk.Group == "dapr.io" {
				dapr = append(dapr, d)
				continue
			}
			checked++
			if _, _, err := decoder.Decode(d.body, nil, nil); err != nil {
				fmt.Printf("%s: %v\n", d, err)
				failed++
			}
		}
	}
	if checked+len(dapr) == 0 && failed == 0 {
		fmt.Println("no manifest in", strings.Join(files, ", "))
		return 1
	}
	daprFailed, err := checkDapr(daprChecker, dapr)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	if failed+daprFailed > 0 {
		return 1
	}
	fmt.Printf("%d Kubernetes manifest(s) and %d Dapr resource(s): every field is one the API knows\n", checked, len(dapr))
	return 0
}

// checkCompose loads the file as `docker compose` would (its .env and COMPOSE_PROFILES included).
func checkCompose(file string, summary bool) int {
	options, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithDefaultProfiles(),
	)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fmt.Printf("%s: %v\n", file, err)
		return 1
	}
	profiles := []string{}
	for _, p := range project.Profiles {
		if p != "" {
			profiles = append(profiles, p)
		}
	}
	if !summary {
		fmt.Printf("%s: %d service(s) under profiles %q, every field one the compose spec knows\n", file, len(project.Services), profiles)
		return 0
	}
	root, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		fmt.Println(err)
		return 1
	}
	services := map[string][]string{}
	for name, service := range project.Services {
		mounts := []string{}
		for _, v := range service.Volumes {
			if v.Type != "bind" {
				continue
			}
			rel, err := filepath.Rel(root, v.Source)
			if err != nil || strings.HasPrefix(rel, "..") {
				rel = v.Source
			}
			mounts = append(mounts, filepath.ToSlash(rel))
		}
		sort.Strings(mounts)
		services[name] = mounts
	}
	out, err := json.MarshalIndent(map[string]any{"profiles": profiles, "services": services}, "", "  ")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println(string(out))
	return 0
}

func main() {
	daprChecker := flag.String("dapr-checker", "", "the Dapr resource checker (tools/dapr/daprd/checkresources) for dapr.io resources")
	compose := flag.String("compose", "", "a compose file to load with compose-spec's loader instead of manifests")
	summary := flag.Bool("compose-summary", false, "with -compose: print the services and their bind mounts as JSON")
	flag.Parse()
	if *compose != "" {
		os.Exit(checkCompose(*compose, *summary))
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: checkmanifests [-dapr-checker BIN] FILE... | checkmanifests -compose FILE [-compose-summary]")
		os.Exit(2)
	}
	os.Exit(checkManifests(*daprChecker, flag.Args()))
}
