package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/dispatch"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// notable returns the alerts to deliver on the dispatch and webhook
// channels: those that opened, changed, reopened or resolved in this run
// (firing, without issue state).
func (rs *runState) notable() []*AlertResult {
	var out []*AlertResult
	for _, ar := range rs.res.Alerts {
		if ar.Notify != "" {
			out = append(out, ar)
		}
	}
	return out
}

// deliveredThisRun reports whether key was delivered for ar in this run.
func (rs *runState) deliveredThisRun(ar *AlertResult, key string) bool {
	return rs.cfg.RunID != 0 && ar.state.Delivered[key] == rs.cfg.RunID
}

func (rs *runState) markDelivered(ar *AlertResult, key string) {
	if rs.cfg.DryRun {
		return
	}
	if ar.state.Delivered == nil {
		ar.state.Delivered = map[string]int64{}
	}
	ar.state.Delivered[key] = rs.cfg.RunID
	ar.state.LastDispatchRunID = rs.cfg.RunID
}

// eventTypeFor is the repository_dispatch event type of an alert.
func (rs *runState) eventTypeFor(ar *AlertResult) string {
	if rs.cfg.EventType != "" && rs.cfg.EventType != "auto" {
		return rs.cfg.EventType
	}
	if ar.Problem == ProblemFailure {
		return "domain-failure"
	}
	return "ecosystem-alert"
}

// payloadFor is an alert's client_payload, within GitHub's 10 top-level keys.
func (rs *runState) payloadFor(ar *AlertResult) map[string]any {
	p := map[string]any{
		"fingerprint": ar.Fingerprint, "event": ar.Notify, "level": string(ar.Level), "type": string(ar.Type),
		"domain": ar.Scope, "problem": ar.Problem, "title": ar.Title, "issue_url": ar.IssueURL, "run_url": rs.cfg.RunURL,
		"source": "ecosystem-actions/action-alert", "occurrences": ar.Occurrences, "summary": ar.summary,
	}
	if !ar.FirstSeen.IsZero() {
		p["first_seen"] = ar.FirstSeen.UTC().Format(time.RFC3339)
	}
	return dispatch.Fit(p, "fingerprint", "event", "level", "type", "domain", "problem", "title", "issue_url", "run_url")
}

func (rs *runState) targets(key string, ars []*AlertResult) ([]dispatch.Target, []string) {
	var out []dispatch.Target
	var skipped []string
	for _, raw := range rs.cfg.DispatchTargets {
		t, err := dispatch.ParseTarget(raw)
		if err != nil {
			continue // validated before
		}
		all := len(ars) > 0
		for _, ar := range ars {
			all = all && rs.deliveredThisRun(ar, key+t.String())
		}
		if all {
			skipped = append(skipped, t.String())
			continue
		}
		out = append(out, t)
	}
	return out, skipped
}

func (rs *runState) sender() *dispatch.Sender {
	return &dispatch.Sender{Client: rs.deps.GitHub, DryRun: rs.cfg.DryRun, Now: func() time.Time { return rs.now }, FindRun: true}
}

// deliver sends the notable alerts on the dispatch and webhook channels and
// records, in each issue's state, what was delivered in this run.
func (rs *runState) deliver(ctx context.Context, lc *lifecycle) {
	notable := rs.notable()
	if len(notable) == 0 {
		return
	}
	cfg := rs.cfg
	before := map[*AlertResult]int{}
	for _, ar := range notable {
		before[ar] = len(ar.state.Delivered)
	}
	if cfg.has(ChannelRepositoryDispatch) {
		for _, ar := range notable {
			key := ChannelRepositoryDispatch + ":"
			targets, skipped := rs.targets(key, []*AlertResult{ar})
			for _, s := range skipped {
				ar.addDelivery(Delivery{Channel: ChannelRepositoryDispatch, Target: s, Status: "skipped", Error: "already delivered in this run"})
			}
			if len(targets) == 0 {
				continue
			}
			results, err := rs.sender().RepositoryDispatch(ctx, targets, rs.eventTypeFor(ar), rs.payloadFor(ar))
			if err != nil {
				rs.res.Errors = append(rs.res.Errors, fmt.Sprintf("repository_dispatch for %s: %v", ar.Fingerprint, err))
				continue
			}
			for _, r := range results {
				rs.res.Dispatches = append(rs.res.Dispatches, DispatchResult{Result: r, Fingerprint: ar.Fingerprint})
				rs.recordDispatch(r, ar, key)
			}
		}
	}
	if cfg.has(ChannelWorkflowDispatch) {
		key := ChannelWorkflowDispatch + ":"
		targets, skipped := rs.targets(key, notable)
		for _, s := range skipped {
			for _, ar := range notable {
				ar.addDelivery(Delivery{Channel: ChannelWorkflowDispatch, Target: s, Status: "skipped", Error: "already delivered in this run"})
			}
		}
		if len(targets) > 0 {
			var inputs map[string]any
			if s := strings.TrimSpace(cfg.WorkflowInputs); s != "" {
				_ = json.Unmarshal([]byte(s), &inputs) // validated before
			}
			results, err := rs.sender().WorkflowDispatch(ctx, targets, cfg.Workflow, cfg.WorkflowRef, inputs)
			if err != nil {
				rs.res.Errors = append(rs.res.Errors, fmt.Sprintf("workflow_dispatch: %v", err))
			}
			for _, r := range results {
				rs.res.Dispatches = append(rs.res.Dispatches, DispatchResult{Result: r})
				for _, ar := range notable {
					rs.recordDispatch(r, ar, key)
				}
			}
		}
	}
	if cfg.has(ChannelWebhook) {
		rs.webhooks(ctx, notable)
	}
	if lc == nil {
		return
	}
	for _, ar := range notable {
		if len(ar.state.Delivered) == before[ar] || ar.Issue == 0 {
			continue
		}
		if rec := lc.canon[ar.Fingerprint]; rec != nil && rec.number == ar.Issue {
			lc.persist(ctx, rec, ar.state, ar)
		}
	}
}

func (rs *runState) recordDispatch(r dispatch.Result, ar *AlertResult, key string) {
	d := Delivery{Channel: r.Kind, Target: r.Target, Status: string(r.Status), Error: r.Error, DeliveredAt: r.DeliveredAt}
	ar.addDelivery(d)
	c := Call{Channel: r.Kind, Action: "dispatch " + r.Event, Target: r.Target, Fingerprint: ar.Fingerprint, Error: r.Error}
	switch r.Status {
	case dispatch.StatusDelivered:
		c.Status = "done"
		rs.markDelivered(ar, key+r.Target)
	case dispatch.StatusPlanned:
		c.Status = "planned"
	default:
		c.Status = "failed"
	}
	if r.Kind == ChannelWorkflowDispatch {
		c.Fingerprint = ""
		for _, x := range rs.res.Calls {
			if x.Channel == c.Channel && x.Target == c.Target && x.Action == c.Action {
				return // one call per target, shared by the alerts
			}
		}
	}
	rs.addCall(c)
}

func (rs *runState) webhooks(ctx context.Context, notable []*AlertResult) {
	client := rs.deps.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	sleep := rs.deps.Sleep
	if sleep == nil {
		sleep = ghclient.SleepContext
	}
	s := &webhookSender{client: client, retries: rs.cfg.WebhookRetries, teamsFormat: rs.cfg.TeamsFormat, secret: rs.cfg.WebhookSecret,
		sleep: sleep, now: func() time.Time { return rs.now },
		mention: rs.cfg.Mention, email: rs.cfg.Email, tls: rs.deps.TLSConfig}
	for _, h := range rs.cfg.Webhooks() {
		key := ChannelWebhook + ":" + h.Name
		var items []*AlertResult
		for _, ar := range notable {
			if rs.deliveredThisRun(ar, key) {
				ar.addDelivery(Delivery{Channel: ChannelWebhook, Target: h.Name, Status: "skipped", Error: "already delivered in this run"})
				continue
			}
			items = append(items, ar)
		}
		if len(items) == 0 {
			rs.res.Webhooks = append(rs.res.Webhooks, WebhookResult{Name: h.Name, Kind: h.Kind, Status: "skipped", Error: "already delivered in this run"})
			continue
		}
		m := message{Repository: rs.cfg.Repository, RunID: rs.cfg.RunID, RunURL: rs.cfg.RunURL}
		for _, ar := range items {
			m.Items = append(m.Items, messageItem{Fingerprint: ar.Fingerprint, Event: ar.Notify, Level: ar.Level, Type: ar.Type,
				Domain: ar.Scope, Problem: ar.Problem, Title: ar.Title, Summary: ar.summary, IssueURL: ar.IssueURL,
				Occurrences: ar.Occurrences, FirstSeen: ar.FirstSeen})
		}
		var wr WebhookResult
		if rs.cfg.DryRun {
			wr = WebhookResult{Name: h.Name, Kind: h.Kind, Status: "planned", Alerts: len(items)}
		} else {
			wr = s.deliver(ctx, h, m)
		}
		rs.res.Webhooks = append(rs.res.Webhooks, wr)
		c := Call{Channel: ChannelWebhook, Action: "send " + h.Kind, Target: h.Name, Error: wr.Error}
		switch wr.Status {
		case "delivered":
			c.Status = "done"
		case "planned":
			c.Status = "planned"
		default:
			c.Status = "failed"
		}
		rs.addCall(c)
		for _, ar := range items {
			ar.addDelivery(Delivery{Channel: ChannelWebhook, Target: h.Name, Status: wr.Status, Error: wr.Error, DeliveredAt: wr.DeliveredAt})
			if wr.Status == "delivered" {
				rs.markDelivered(ar, key)
			}
		}
		rs.logf("webhook %s: %s (%d alert(s), %d attempt(s))", h.Name, wr.Status, len(items), wr.Attempts)
	}
}
