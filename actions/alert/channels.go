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
		rs.repositoryDispatch(ctx, notable)
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
				rs.res.Dispatches = append(rs.res.Dispatches, DispatchResult{Result: r, Alerts: fingerprints(notable)})
				rs.recordDispatch(r, notable, key)
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

// recordDispatch records one per-target result on every alert it carried
// and adds one call per target and event (never one per alert).
func (rs *runState) recordDispatch(r dispatch.Result, ars []*AlertResult, key string) {
	d := Delivery{Channel: r.Kind, Target: r.Target, Status: string(r.Status), Error: r.Error, DeliveredAt: r.DeliveredAt}
	for _, ar := range ars {
		ar.addDelivery(d)
		if r.Status == dispatch.StatusDelivered {
			rs.markDelivered(ar, key+r.Target)
		}
	}
	c := Call{Channel: r.Kind, Action: "dispatch " + r.Event, Target: r.Target, Error: r.Error}
	switch r.Status {
	case dispatch.StatusDelivered:
		c.Status = "done"
	case dispatch.StatusPlanned:
		c.Status = "planned"
	default:
		c.Status = "failed"
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
		m = redactMessage(m, rs.deps.Redactor)
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
