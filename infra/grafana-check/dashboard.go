package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

func init() {
	plugins.RegisterDefaultPlugins()
}

// checkDashboard decodes one dashboard strictly and returns its panel count and its problems,
// each naming the panel (by title) and the field.
func checkDashboard(raw []byte) (int, []string) {
	duplicates, err := duplicateKeys(raw)
	if err != nil {
		return 0, []string{"not JSON: " + err.Error()}
	}
	titles := panelTitles(raw)
	var problems []string
	for _, path := range duplicates {
		problems = append(problems, fmt.Sprintf("%s: duplicate key", namePanel(path, titles)))
	}
	var decoded dashboard.Dashboard
	problems = append(problems, buildProblems(decoded.UnmarshalJSONStrict(raw), titles)...)
	// Each panel decoded again on its own: v0.0.22's PanelOrRowPanel returns a typed nil
	// error from a clean Panel and so leaves every decoded.Panels entry empty.
	panels := 0
	for i, fields := range rawPanelList(raw) {
		var kind string
		if json.Unmarshal(fields["type"], &kind) != nil || kind == "row" {
			continue
		}
		panels++
		var panel dashboard.Panel
		_ = panel.UnmarshalJSONStrict(rawPanel(raw, i)) // its problems are reported above
		where := namePanel("panels["+strconv.Itoa(i)+"]", titles)
		problems = append(problems, checkPanel(panel, fields["fieldConfig"], where)...)
	}
	return panels, problems
}

// checkPanel refuses what the SDK's strict decoding lets through: a panel kind it has no
// types for, a target that is not a Prometheus query (a target without a data source type
// decodes into the SDK's catch-all), a panel data source other than Prometheus, and unknown
// fields in fieldConfig (dashboard.Panel decodes it leniently, apart from its custom part).
func checkPanel(panel dashboard.Panel, fieldConfig json.RawMessage, where string) []string {
	var problems []string
	if _, known := cog.ConfigForPanelcfgVariant(panel.Type); !known {
		problems = append(problems, fmt.Sprintf("%s.type: no SDK types for panel kind %q", where, panel.Type))
	}
	if source := panel.Datasource; source != nil && source.Type != nil && *source.Type != "prometheus" {
		problems = append(problems, fmt.Sprintf("%s.datasource.type: %q, not prometheus", where, *source.Type))
	}
	for t, target := range panel.Targets {
		if _, ok := target.(*prometheus.Dataquery); !ok {
			problems = append(problems, fmt.Sprintf("%s.targets[%d]: not a Prometheus query (%T)", where, t, target))
		}
	}
	if fieldConfig == nil {
		return problems
	}
	var withoutCustom struct {
		Defaults  map[string]json.RawMessage `json:"defaults"`
		Overrides json.RawMessage            `json:"overrides"`
	}
	if err := json.Unmarshal(fieldConfig, &withoutCustom); err != nil {
		return append(problems, fmt.Sprintf("%s.fieldConfig: %v", where, err))
	}
	delete(withoutCustom.Defaults, "custom") // checked by the panel kind's own type already
	again, _ := json.Marshal(withoutCustom)
	var source dashboard.FieldConfigSource
	for _, problem := range buildProblems(source.UnmarshalJSONStrict(again), nil) {
		problems = append(problems, where+".fieldConfig."+problem)
	}
	return problems
}

// buildProblems flattens the SDK's errors, one line each, the panel named by its title.
func buildProblems(err error, titles []string) []string {
	if err == nil {
		return nil
	}
	var many cog.BuildErrors
	if !errors.As(err, &many) {
		return []string{err.Error()}
	}
	problems := make([]string, 0, len(many))
	for _, one := range many {
		problems = append(problems, fmt.Sprintf("%s: %s", namePanel(one.Path, titles), one.Message))
	}
	return problems
}

var panelIndex = regexp.MustCompile(`^panels\[(\d+)\]`)

// namePanel puts a panel's title before a path that starts in it.
func namePanel(path string, titles []string) string {
	match := panelIndex.FindStringSubmatch(path)
	if match == nil {
		return path
	}
	index, _ := strconv.Atoi(match[1])
	if index >= len(titles) {
		return path
	}
	return fmt.Sprintf("panel %q: %s", titles[index], path)
}

type rawPanels struct {
	Panels []json.RawMessage `json:"panels"`
}

// rawPanel is the panels[index] of a dashboard as written; nil when there is none.
func rawPanel(raw []byte, index int) json.RawMessage {
	var dashboard rawPanels
	if json.Unmarshal(raw, &dashboard) != nil || index >= len(dashboard.Panels) {
		return nil
	}
	return dashboard.Panels[index]
}

// rawPanelList is each top-level panel's fields as written; a broken dashboard gives none
// (the strict decoding reports it).
func rawPanelList(raw []byte) []map[string]json.RawMessage {
	var dashboard rawPanels
	_ = json.Unmarshal(raw, &dashboard)
	list := make([]map[string]json.RawMessage, len(dashboard.Panels))
	for i, panel := range dashboard.Panels {
		_ = json.Unmarshal(panel, &list[i])
	}
	return list
}

func panelTitles(raw []byte) []string {
	list := rawPanelList(raw)
	titles := make([]string, len(list))
	for i, fields := range list {
		_ = json.Unmarshal(fields["title"], &titles[i])
	}
	return titles
}
