package alert

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/dispatch"
)

// Aggregated repository_dispatch: one event per target, run and event type
// (never one per alert), so a run stays far below GitHub's secondary limit
// for content-creating requests and the receiving workflows run once.
const (
	// EventEcosystemAlert carries every notable alert of the run to every
	// target.
	EventEcosystemAlert = "ecosystem-alert"
	// EventDomainFailure carries a domain's own failure alerts to that
	// domain only (a target that is not failing gets none).
	EventDomainFailure = "domain-failure"
	// MaxPayloadAlerts bounds the alerts list of an aggregated payload;
	// the rest are counted in total and flagged by truncated.
	MaxPayloadAlerts = 20
	// maxPayloadTitle bounds one alert title in a payload (runes).
	maxPayloadTitle = 200
	payloadSource   = "ecosystem-actions/action-alert"
)

// payloadKeys are the top-level keys of an aggregated client_payload, in
// order (at most dispatch.MaxPayloadKeys; "domain" only on domain-failure).
var payloadKeys = []string{"run_id", "run_url", "repository", "source", "level", "counts", "total", "truncated", "alerts", "domain"}

// PayloadAlert is one alert in an aggregated client_payload.
type PayloadAlert struct {
	Fingerprint string `json:"fingerprint"`
	Domain      string `json:"domain"`
	Level       Level  `json:"level"`
	Title       string `json:"title"`
	// Status is opened, changed, reopened, resolved (or firing without
	// the issue channel).
	Status   string `json:"status"`
	IssueURL string `json:"issue_url,omitempty"`
}

// fanout is one aggregated event for some targets.
type fanout struct {
	event   string
	domain  string // domain-failure only
	alerts  []*AlertResult
	targets []dispatch.Target
}

// plan groups the notable alerts into at most one event per target and
// event type.
func (rs *runState) plan(notable []*AlertResult) []fanout {
	var all []dispatch.Target
	for _, raw := range rs.cfg.DispatchTargets {
		if t, err := dispatch.ParseTarget(raw); err == nil { // validated before
			all = append(all, t)
		}
	}
	if rs.cfg.EventType != "" && rs.cfg.EventType != "auto" {
		return []fanout{{event: rs.cfg.EventType, alerts: notable, targets: all}}
	}
	var out []fanout
	for _, t := range all {
		var own []*AlertResult
		for _, ar := range notable {
			if ar.Problem == ProblemFailure && isDomain(t, ar.Scope) {
				own = append(own, ar)
			}
		}
		if len(own) > 0 {
			out = append(out, fanout{event: EventDomainFailure, domain: t.String(), alerts: own, targets: []dispatch.Target{t}})
		}
	}
	return append([]fanout{{event: EventEcosystemAlert, alerts: notable, targets: all}}, out...)
}

// isDomain reports whether scope (a bare repository name of the ecosystem's
// owner, or owner/name) names target t.
func isDomain(t dispatch.Target, scope string) bool {
	s := strings.ToLower(strings.TrimSpace(scope))
	if strings.Contains(s, "/") {
		return s == strings.ToLower(t.String())
	}
	return s != "" && s == strings.ToLower(t.Name)
}

// repositoryDispatch sends the aggregated events. A target is skipped when
// every alert of its event already records a delivery of that event to it
// in this run (a re-run of the same run id sends nothing twice).
func (rs *runState) repositoryDispatch(ctx context.Context, notable []*AlertResult) {
	for _, f := range rs.plan(notable) {
		key := ChannelRepositoryDispatch + ":" + f.event + ":"
		var send []dispatch.Target
		for _, t := range f.targets {
			if rs.due(ctx, ChannelRepositoryDispatch, key+t.String(), t, f.alerts, "repository_dispatch", "") {
				send = append(send, t)
			}
		}
		if len(send) == 0 {
			continue
		}
		payload, err := rs.aggregatePayload(f.alerts, f.domain)
		if err != nil {
			rs.res.Errors = append(rs.res.Errors, fmt.Sprintf("repository_dispatch %s: %v", f.event, err))
			continue
		}
		results, err := rs.sender().RepositoryDispatch(ctx, send, f.event, payload)
		if err != nil {
			rs.res.Errors = append(rs.res.Errors, fmt.Sprintf("repository_dispatch %s: %v", f.event, err))
			continue
		}
		fps := fingerprints(f.alerts)
		for _, r := range results {
			rs.res.Dispatches = append(rs.res.Dispatches, DispatchResult{Result: r, Alerts: fps})
			rs.recordDispatch(r, f.alerts, key)
		}
		rs.logf("repository_dispatch %s: %d alert(s) to %d target(s)", f.event, len(f.alerts), len(send))
	}
}

// aggregatePayload is the client_payload of one aggregated event: the
// run, the highest level, counts per status and a bounded list of the
// alerts (highest level first).
func (rs *runState) aggregatePayload(ars []*AlertResult, domain string) (map[string]any, error) {
	sorted := append([]*AlertResult(nil), ars...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Level.Rank() > sorted[j].Level.Rank() })
	level := LevelNone
	counts := map[string]int{NotifyOpened: 0, NotifyChanged: 0, NotifyReopened: 0, NotifyResolved: 0}
	for _, ar := range sorted {
		level = MaxLevel(level, ar.Level)
		counts[ar.Notify]++
	}
	items := make([]PayloadAlert, 0, min(len(sorted), MaxPayloadAlerts))
	for _, ar := range sorted {
		if len(items) == MaxPayloadAlerts {
			break
		}
		items = append(items, PayloadAlert{Fingerprint: ar.Fingerprint, Domain: ar.Scope, Level: ar.Level,
			Title: clip(ar.Title, maxPayloadTitle), Status: ar.Notify, IssueURL: ar.IssueURL})
	}
	for {
		p := map[string]any{"run_id": rs.cfg.RunID, "run_url": rs.cfg.RunURL, "repository": rs.cfg.Repository, "source": payloadSource,
			"level": string(level), "counts": counts, "total": len(sorted), "truncated": len(items) < len(sorted), "alerts": items}
		if domain != "" {
			p["domain"] = domain
		}
		p = dispatch.Fit(p, payloadKeys...)
		err := dispatch.ValidatePayload(p)
		if err == nil || len(items) == 0 {
			return p, err
		}
		items = items[:len(items)/2] // too large: keep fewer alerts
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func fingerprints(ars []*AlertResult) []string {
	out := make([]string, 0, len(ars))
	for _, ar := range ars {
		out = append(out, ar.Fingerprint)
	}
	return out
}
