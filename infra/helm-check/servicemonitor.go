package main

import (
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The Prometheus Operator's ServiceMonitor has no type in k8s.io/api, and its own module
// would bring the operator's dependencies for one struct. These types hold the fields of
// its monitoring.coreos.com/v1 CRD that the chart may render, with the CRD's names and
// types: decoded strictly, a field outside them is refused, so a field the chart starts
// rendering must be added here from the CRD's schema first.
const serviceMonitorVersion = "monitoring.coreos.com/v1"

type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              serviceMonitorSpec `json:"spec"`
}

type serviceMonitorSpec struct {
	JobLabel          string                `json:"jobLabel,omitempty"`
	Selector          *metav1.LabelSelector `json:"selector"`
	NamespaceSelector *namespaceSelector    `json:"namespaceSelector,omitempty"`
	Endpoints         []endpoint            `json:"endpoints"`
}

type namespaceSelector struct {
	Any        bool     `json:"any,omitempty"`
	MatchNames []string `json:"matchNames,omitempty"`
}

type endpoint struct {
	Port          string `json:"port,omitempty"`
	Path          string `json:"path,omitempty"`
	Scheme        string `json:"scheme,omitempty"`
	Interval      string `json:"interval,omitempty"`
	ScrapeTimeout string `json:"scrapeTimeout,omitempty"`
	HonorLabels   bool   `json:"honorLabels,omitempty"`
}

// checkServiceMonitor decodes strictly (unknown fields, duplicate keys) and checks what
// the CRD requires, and what a scrape needs: a selector, and endpoints that name a port.
func checkServiceMonitor(document []byte) error {
	var monitor serviceMonitor
	if err := yaml.UnmarshalStrict(document, &monitor); err != nil {
		return err
	}
	if monitor.Name == "" {
		return errors.New("metadata.name is empty")
	}
	if monitor.Spec.Selector == nil {
		return errors.New("spec.selector is required")
	}
	if len(monitor.Spec.Endpoints) == 0 {
		return errors.New("spec.endpoints is empty: nothing would be scraped")
	}
	for i, e := range monitor.Spec.Endpoints {
		if e.Port == "" {
			return fmt.Errorf("spec.endpoints[%d].port is required: the Service port's name", i)
		}
		if e.Scheme != "" && e.Scheme != "http" && e.Scheme != "https" {
			return fmt.Errorf("spec.endpoints[%d].scheme must be http or https, got %q", i, e.Scheme)
		}
	}
	return nil
}
