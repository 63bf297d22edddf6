package monitor

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// Component names; the keys of HealthConfig.Weights.
const (
	ComponentCISuccessRate      = "ci_success_rate"
	ComponentFailureStreak      = "failure_streak"
	ComponentActivityRecency    = "activity_recency"
	ComponentStalePRLoad        = "stale_pr_load"
	ComponentOpenCriticalAlerts = "open_critical_alerts"
)

// ComponentNames are the allowed weight names, in report order.
var ComponentNames = []string{
	ComponentCISuccessRate, ComponentFailureStreak, ComponentActivityRecency,
	ComponentStalePRLoad, ComponentOpenCriticalAlerts,
}

// Bands are the lower bounds of the healthy and warning bands; anything
// below Warning is critical.
type Bands = contract.HealthBands

// HealthConfig is the scoring configuration, read from the YAML file named
// by the `config` input. Every field is optional; DefaultHealthConfig holds
// the documented defaults (action-monitor/README.md).
type HealthConfig struct {
	// Weights by component name (ComponentNames). A weight of 0 disables a
	// component. Missing names keep their default weight.
	Weights map[string]float64 `yaml:"weights" json:"weights"`
	Bands   Bands              `yaml:"bands" json:"bands"`
	// StalePRDays: an open, non-draft pull request not updated for this many
	// days counts as stale.
	StalePRDays float64 `yaml:"stale_pr_days" json:"stale_pr_days"`
	// CriticalLabels: an open issue carrying one of these labels is an open
	// critical alert (case-insensitive).
	CriticalLabels []string `yaml:"critical_labels" json:"critical_labels"`
	// StreakPenalty is the score lost per consecutive failing run on the
	// default branch.
	StreakPenalty float64 `yaml:"streak_penalty" json:"streak_penalty"`
	// AlertPenalty is the score lost per open critical alert.
	AlertPenalty float64 `yaml:"alert_penalty" json:"alert_penalty"`
}

// DefaultHealthConfig returns the documented defaults.
func DefaultHealthConfig() HealthConfig {
	return HealthConfig{
		Weights: map[string]float64{
			ComponentCISuccessRate:      0.35,
			ComponentFailureStreak:      0.25,
			ComponentActivityRecency:    0.15,
			ComponentStalePRLoad:        0.10,
			ComponentOpenCriticalAlerts: 0.15,
		},
		Bands:          Bands{Healthy: 80, Warning: 60},
		StalePRDays:    14,
		CriticalLabels: []string{"critical", "severity:critical", "priority:critical"},
		StreakPenalty:  20,
		AlertPenalty:   50,
	}
}

// merge fills every unset field of c from the defaults.
func (c HealthConfig) merge() HealthConfig {
	d := DefaultHealthConfig()
	out := d
	for k, v := range c.Weights {
		out.Weights[k] = v
	}
	if c.Bands.Healthy != 0 || c.Bands.Warning != 0 {
		out.Bands = c.Bands
	}
	if c.StalePRDays != 0 {
		out.StalePRDays = c.StalePRDays
	}
	if c.CriticalLabels != nil {
		out.CriticalLabels = c.CriticalLabels
	}
	if c.StreakPenalty != 0 {
		out.StreakPenalty = c.StreakPenalty
	}
	if c.AlertPenalty != 0 {
		out.AlertPenalty = c.AlertPenalty
	}
	return out
}

// Validate checks weights, bands and limits; every problem is reported
// (errors.Join of *config.SettingError).
func (c HealthConfig) Validate(source string) error {
	var errs []error
	names := make([]string, 0, len(c.Weights))
	for k := range c.Weights {
		names = append(names, k)
	}
	sort.Strings(names)
	total := 0.0
	for _, k := range names {
		v := c.Weights[k]
		if !isComponent(k) {
			errs = append(errs, &config.SettingError{Source: source, Name: "weight name", Value: k,
				Reason: "allowed: " + strings.Join(ComponentNames, ", ")})
			continue
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			errs = append(errs, &config.SettingError{Source: source, Name: "weights." + k, Value: fmt.Sprint(v),
				Reason: "must be a finite number >= 0"})
			continue
		}
		total += v
	}
	if len(errs) == 0 && total <= 0 {
		errs = append(errs, &config.SettingError{Source: source, Name: "weights", Value: "0",
			Reason: "at least one weight must be > 0"})
	}
	b := c.Bands
	if b.Warning < 1 || b.Healthy > 100 || b.Warning >= b.Healthy {
		errs = append(errs, &config.SettingError{Source: source, Name: "bands",
			Value:  fmt.Sprintf("healthy=%d warning=%d", b.Healthy, b.Warning),
			Reason: "thresholds must be ordered 0 < warning < healthy <= 100"})
	}
	if c.StalePRDays < 0 {
		errs = append(errs, &config.SettingError{Source: source, Name: "stale_pr_days", Value: fmt.Sprint(c.StalePRDays), Reason: "must be >= 0"})
	}
	if c.StreakPenalty < 0 || c.StreakPenalty > 100 {
		errs = append(errs, &config.SettingError{Source: source, Name: "streak_penalty", Value: fmt.Sprint(c.StreakPenalty), Reason: "must be in 0..100"})
	}
	if c.AlertPenalty < 0 || c.AlertPenalty > 100 {
		errs = append(errs, &config.SettingError{Source: source, Name: "alert_penalty", Value: fmt.Sprint(c.AlertPenalty), Reason: "must be in 0..100"})
	}
	return errors.Join(errs...)
}

func isComponent(name string) bool {
	for _, n := range ComponentNames {
		if n == name {
			return true
		}
	}
	return false
}

// ParseHealthConfig decodes a YAML health configuration (strictly: unknown
// keys are errors with their line), merges it over the defaults and
// validates it. Empty data gives the defaults.
func ParseHealthConfig(data []byte, source string) (HealthConfig, error) {
	var c HealthConfig
	if len(strings.TrimSpace(string(data))) > 0 {
		if err := config.DecodeStrict(data, source, &c); err != nil {
			return HealthConfig{}, err
		}
	}
	m := c.merge()
	if err := m.Validate(source); err != nil {
		return HealthConfig{}, err
	}
	return m, nil
}

// Settings are the scoring parameters that come from inputs, not the file.
type Settings struct {
	// Window is how far back runs and events are read.
	Window time.Duration
	// Recent is the "recent activity" span (the `hours` input).
	Recent time.Duration
}
