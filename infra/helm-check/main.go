// helm-check decodes every object of a multi-document YAML stream (what `helm template`
// prints) strictly into the Kubernetes API's own Go types, chosen by apiVersion and kind:
// an unknown field, a duplicate key, a wrong type or a kind it does not know is an error
// naming the object. `helm lint --strict` catches none of these. No cluster is needed.
//
// Usage: helm-check [FILE] (standard input without a file). Prints "ok KIND NAME" per
// object on stdout; exits 1 after printing every problem on stderr, 2 on a usage error.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	input, err := open(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "helm-check:", err)
		os.Exit(2)
	}
	problems, err := check(input, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helm-check:", err)
		os.Exit(1)
	}
	for _, problem := range problems {
		fmt.Fprintln(os.Stderr, "helm-check:", problem)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
}

func open(args []string) (io.Reader, error) {
	switch len(args) {
	case 0:
		return os.Stdin, nil
	case 1:
		return os.Open(args[0])
	default:
		return nil, errors.New("usage: helm-check [FILE]")
	}
}

// check decodes each document and reports one line per object that fails.
func check(input io.Reader, out io.Writer) ([]string, error) {
	decoder := strictDecoder()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(input))
	var problems []string
	objects := 0
	for {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if isEmpty(document) {
			continue
		}
		objects++
		kind, name, err := decodeOne(decoder, document)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s %q (document %d): %v", kind, name, objects, err))
			continue
		}
		fmt.Fprintf(out, "ok %s %s\n", kind, name)
	}
	if objects == 0 {
		return nil, errors.New("no object in the input")
	}
	return problems, nil
}

// strictDecoder knows the kinds the chart renders, in their API's own types, and refuses
// unknown fields and duplicate keys.
func strictDecoder() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{appsv1.AddToScheme, corev1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err) // the API packages' own registrations cannot fail
		}
	}
	return json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
}

// decodeOne returns the object's kind and name, and why it does not decode.
func decodeOne(decoder runtime.Decoder, document []byte) (string, string, error) {
	var header struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(document, &header); err != nil {
		return "?", "?", err
	}
	kind, name := header.Kind, header.Metadata.Name
	if header.APIVersion == serviceMonitorVersion && kind == "ServiceMonitor" {
		return kind, name, checkServiceMonitor(document)
	}
	object, _, err := decoder.Decode(document, nil, nil)
	if err != nil {
		return kind, name, err
	}
	accessor, err := meta.Accessor(object)
	if err != nil {
		return kind, name, err
	}
	if accessor.GetName() == "" {
		return kind, name, errors.New("metadata.name is empty")
	}
	return kind, name, nil
}

func isEmpty(document []byte) bool {
	for _, line := range bytes.Split(document, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' && !bytes.Equal(line, []byte("---")) {
			return false
		}
	}
	return true
}
