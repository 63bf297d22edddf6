package contract

import "time"

// AlertResults is the part of alert_results.json (written by action-alert)
// that other tools read: what the run filed, where, and how complete it
// was. actions/alert embeds the envelope in its full result (deliveries,
// dispatches, webhooks, planned calls); the JSON Schema describes the whole
// document.
type AlertResults struct {
	Envelope
	Timestamp  time.Time      `json:"timestamp"`
	Repository string         `json:"repository"`
	RunID      int64          `json:"run_id"`
	RunURL     string         `json:"run_url,omitempty"`
	DryRun     bool           `json:"dry_run"`
	AlertType  string         `json:"alert_type"`
	MinLevel   string         `json:"min_level"`
	Channels   []string       `json:"channels"`
	AlertCount int            `json:"alert_count"`
	MaxLevel   string         `json:"max_level"`
	Complete   bool           `json:"complete"`
	Alerts     []AlertOutcome `json:"alerts"`
	Errors     []string       `json:"errors"`
}

// AlertOutcome is what happened to one alert: its fingerprint, level and
// title, the domain it is about, the report kind it came from, and the
// issue that carries it.
type AlertOutcome struct {
	Fingerprint string `json:"fingerprint"`
	Type        string `json:"type"`
	Level       string `json:"level"`
	Title       string `json:"title"`
	Domain      string `json:"domain"`
	// Source is the alert's report family: monitor, fixer or stale.
	Source   string `json:"source"`
	Problem  string `json:"problem"`
	Action   string `json:"action"`
	Issue    int    `json:"issue,omitempty"`
	IssueURL string `json:"issue_url,omitempty"`
}
