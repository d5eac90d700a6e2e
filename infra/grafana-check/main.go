// grafana-check decodes Grafana dashboard JSON files strictly into the Grafana Foundation
// SDK's own types: the dashboard, each panel's options and custom field config into its
// panel kind's types, each target into the Prometheus data query. An unknown field, a
// duplicate key, a wrong type, a panel kind the SDK does not know or a target that is not a
// Prometheus query is an error naming the file, the panel and the field. No Grafana is needed.
//
// Usage: grafana-check FILE... Prints "ok FILE (N panels)" per clean file on stdout; exits 1
// after printing every problem on stderr, 2 on a usage error.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: grafana-check FILE...")
		os.Exit(2)
	}
	failed := false
	for _, file := range os.Args[1:] {
		raw, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "grafana-check:", err)
			failed = true
			continue
		}
		panels, problems := checkDashboard(raw)
		for _, problem := range problems {
			fmt.Fprintf(os.Stderr, "grafana-check: %s: %s\n", file, problem)
		}
		if len(problems) > 0 {
			failed = true
			continue
		}
		fmt.Printf("ok %s (%d panels)\n", file, panels)
	}
	if failed {
		os.Exit(1)
	}
}
