// manifest-check decodes deployment files strictly against the types of the programs that read
// them, so a misspelt or misplaced field is an error rather than silently ignored:
//
//	manifest-check k8s [FILE|-]...   every YAML document of a rendered Helm chart, against the
//	                                 Kubernetes API types (k8s.io/api) and the CRDs' Go types
//	                                 (Prometheus Operator's ServiceMonitor, KEDA's ScaledObject and
//	                                 TriggerAuthentication)
//	manifest-check compose FILE      a compose file, through compose-go (the compose-spec schema,
//	                                 then its typed model)
//
// k8s writes the decoded objects to standard output as one JSON array (what the typed view kept),
// problems to standard error. Exit 0 when every document decodes, 1 with one line per problem
// otherwise, 2 on bad usage.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		appsv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme, corev1.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme,
		monitoringv1.AddToScheme, kedav1alpha1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// checkDocument decodes one YAML document strictly into its Go type; nil for an empty document.
func checkDocument(s *runtime.Scheme, doc []byte) (string, runtime.Object, error) {
	var tm typeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return "", nil, fmt.Errorf("not YAML: %w", err)
	}
	if tm.APIVersion == "" && tm.Kind == "" {
		if len(bytes.TrimSpace(doc)) == 0 || isOnlyComments(doc) {
			return "", nil, nil
		}
		return "", nil, fmt.Errorf("a document without apiVersion and kind")
	}
	gv, err := schema.ParseGroupVersion(tm.APIVersion)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("%s %s", tm.Kind, tm.Metadata.Name)
	obj, err := s.New(gv.WithKind(tm.Kind))
	if err != nil {
		return name, nil, fmt.Errorf("unknown kind %s in %s", tm.Kind, tm.APIVersion)
	}
	if tm.Metadata.Name == "" {
		return name, nil, fmt.Errorf("metadata.name is missing")
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return name, nil, err
	}
	return name, obj, nil
}

func isOnlyComments(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

func checkK8s(paths []string) int {
	s := newScheme()
	problems := 0
	objects := []runtime.Object{}
	for _, path := range paths {
		var r io.Reader
		if path == "-" {
			r = os.Stdin
		} else {
			f, err := os.Open(path)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer f.Close()
			r = f
		}
		reader := utilyaml.NewYAMLReader(bufioReader(r))
		for i := 0; ; i++ {
			doc, err := reader.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: document %d: %v\n", path, i, err)
				problems++
				break
			}
			name, obj, err := checkDocument(s, doc)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: document %d (%s): %v\n", path, i, name, err)
				problems++
			} else if obj != nil {
				objects = append(objects, obj)
			}
		}
	}
	fmt.Fprintf(os.Stderr, "%d objects decoded, %d problems\n", len(objects), problems)
	if problems > 0 || len(objects) == 0 {
		return 1
	}
	out, err := json.Marshal(objects)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Stdout.Write(out)
	fmt.Println()
	return 0
}

func checkCompose(path string, profiles []string) int {
	abs, err := filepath.Abs(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	opts, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithOsEnv,
		cli.WithProfiles(profiles),
		cli.WithName("kiln"),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Stdout.Write(out)
	fmt.Println()
	return 0
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: manifest-check k8s FILE|-... | manifest-check compose FILE [PROFILE...]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "k8s":
		os.Exit(checkK8s(os.Args[2:]))
	case "compose":
		os.Exit(checkCompose(os.Args[2], os.Args[3:]))
	default:
		fmt.Fprintf(os.Stderr, "unknown mode %q\n", os.Args[1])
		os.Exit(2)
	}
}
