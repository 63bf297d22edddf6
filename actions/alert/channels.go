package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/dispatch"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// notable returns the alerts to deliver on the dispatch and webhook
// channels. With the issue channel: the problems of each group whose
// transition (opened, new or worse problem, reopened, resolved) this run
// announced — never a suppressed symptom, never a group another run
// announced. Without it (no state between runs): every current alert that
// is not suppressed, as firing.
func (rs *runState) notable(lc *lifecycle) []*AlertResult {
	var out []*AlertResult
	if lc == nil {
		for _, ar := range rs.res.Alerts {
			if ar.Notify != "" {
				out = append(out, ar)
			}
		}
		return out
	}
	rs.groupOf = map[string]*GroupResult{}
	for _, gr := range lc.groups {
		n := gr.state.Notified
		if !gr.notable || n == nil || gr.Mode == groupEcosystem {
			continue
		}
		for _, fp := range n.Problems {
			ar := rs.byFP[fp]
			p := gr.state.Problems[fp]
			if ar == nil && p != nil {
				ar = &AlertResult{Fingerprint: fp, Type: p.Type, Level: p.Level, Title: p.Title, Scope: p.Scope, Source: p.Source,
					Problem: p.Problem, Deliveries: []Delivery{}, dry: rs.cfg.DryRun, Group: gr.Group, Issue: gr.Issue, IssueURL: gr.IssueURL}
				ar.fromProblem(p, false, rs.now)
				rs.res.Alerts = append(rs.res.Alerts, ar)
				rs.byFP[fp] = ar
			}
			if ar == nil {
				continue
			}
			if ar.Notify == "" {
				ar.Notify = n.Event
			}
			rs.groupOf[fp] = gr
			out = append(out, ar)
		}
	}
	return out
}

// deliveredThisRun reports whether key was delivered for the transition ar
// belongs to (a re-run of the run that announced it sends it once).
func (rs *runState) deliveredThisRun(ar *AlertResult, key string) bool {
	gr := rs.groupOf[ar.Fingerprint]
	return gr != nil && gr.state.Notified.has(key)
}

func (rs *runState) markDelivered(ar *AlertResult, key string) {
	gr := rs.groupOf[ar.Fingerprint]
	if rs.cfg.DryRun || gr == nil || gr.state.Notified == nil || gr.state.Notified.has(key) {
		return
	}
	n := gr.state.Notified
	n.Delivered = append(n.Delivered, key)
	sort.Strings(n.Delivered)
	delete(n.Uncertain, key)
	if len(n.Uncertain) == 0 {
		n.Uncertain = nil
	}
}

func (rs *runState) markUncertain(ar *AlertResult, key string, at time.Time) {
	gr := rs.groupOf[ar.Fingerprint]
	if rs.cfg.DryRun || gr == nil || gr.state.Notified == nil || gr.state.Notified.has(key) {
		return
	}
	n := gr.state.Notified
	if n.Uncertain == nil {
		n.Uncertain = map[string]time.Time{}
	}
	if _, ok := n.Uncertain[key]; !ok {
		n.Uncertain[key] = at.UTC()
	}
}

// due decides whether a dispatch to t must be sent for the alerts it
// carries: not when every one records it delivered; and when an earlier
// attempt's answer was lost, not before looking for the run it would have
// started (found: it arrived, recorded as delivered without sending).
func (rs *runState) due(ctx context.Context, channel, key string, t dispatch.Target, ars []*AlertResult, event, workflow string) bool {
	all := len(ars) > 0
	var since time.Time
	for _, ar := range ars {
		all = all && rs.deliveredThisRun(ar, key)
		if gr := rs.groupOf[ar.Fingerprint]; gr != nil && gr.state.Notified != nil {
			if at, ok := gr.state.Notified.Uncertain[key]; ok && (since.IsZero() || at.Before(since)) {
				since = at
			}
		}
	}
	if all {
		for _, ar := range ars {
			ar.addDelivery(Delivery{Channel: channel, Target: t.String(), Status: "skipped", Error: "already delivered in this run"})
		}
		return false
	}
	if since.IsZero() || rs.cfg.DryRun || rs.deps.GitHub == nil {
		return true
	}
	run, err := rs.sender().Confirmed(ctx, t, event, workflow, since)
	if err != nil || run == nil {
		return true // no run: it did not arrive (or nothing listens, and a resend has no effect either)
	}
	at := run.GetCreatedAt().Time.UTC()
	for _, ar := range ars {
		ar.addDelivery(Delivery{Channel: channel, Target: t.String(), Status: "delivered", DeliveredAt: &at,
			Error: fmt.Sprintf("confirmed by run %d after a lost answer; not sent again", run.GetID())})
		rs.markDelivered(ar, key)
	}
	rs.addCall(Call{Channel: channel, Action: "confirm " + nonEmpty(workflow, event), Target: t.String(), Status: "done"})
	return false
}

func (rs *runState) sender() *dispatch.Sender {
	actor := ""
	if rs.res.Identity != nil {
		actor = rs.res.Identity.Login
	}
	return &dispatch.Sender{Client: rs.deps.GitHub, DryRun: rs.cfg.DryRun, Now: func() time.Time { return rs.now }, FindRun: true, Actor: actor,
		Sleep: rs.sleep}
}

// deliver sends the notable alerts on the dispatch and webhook channels and
// records, in each group issue's state, what was delivered.
func (rs *runState) deliver(ctx context.Context, lc *lifecycle) {
	notable := rs.notable(lc)
	if len(notable) == 0 {
		return
	}
	cfg := rs.cfg
	if cfg.has(ChannelRepositoryDispatch) {
		rs.repositoryDispatch(ctx, notable)
	}
	if cfg.has(ChannelWorkflowDispatch) {
		rs.workflowDispatch(ctx, notable)
	}
	if cfg.has(ChannelWebhook) {
		rs.webhooks(ctx, notable)
	}
	if lc == nil {
		return
	}
	for _, gr := range lc.groups {
		if gr.notable && gr.state.Notified != nil {
			lc.persistDeliveries(ctx, gr)
		}
	}
}

func (rs *runState) workflowDispatch(ctx context.Context, notable []*AlertResult) {
	cfg := rs.cfg
	key := ChannelWorkflowDispatch + ":"
	var targets []dispatch.Target
	for _, raw := range cfg.DispatchTargets {
		t, err := dispatch.ParseTarget(raw)
		if err == nil && rs.due(ctx, ChannelWorkflowDispatch, key+t.String(), t, notable, "workflow_dispatch", cfg.Workflow) {
			targets = append(targets, t)
		}
	}
	if len(targets) == 0 {
		return
	}
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

// recordDispatch records one per-target result on every alert it carried
// and adds one call per target and event (never one per alert).
func (rs *runState) recordDispatch(r dispatch.Result, ars []*AlertResult, key string) {
	d := Delivery{Channel: r.Kind, Target: r.Target, Status: string(r.Status), Error: r.Error, DeliveredAt: r.DeliveredAt}
	if r.Note != "" && d.Error == "" {
		d.Error = r.Note
	}
	for _, ar := range ars {
		ar.addDelivery(d)
		switch {
		case r.Status == dispatch.StatusDelivered:
			rs.markDelivered(ar, key+r.Target)
		case r.Uncertain:
			rs.markUncertain(ar, key+r.Target, rs.now)
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
		m.DeliveryID = deliveryID(m, h.Name, rs.now)
		var wr WebhookResult
		if rs.cfg.DryRun {
			wr = WebhookResult{Name: h.Name, Kind: h.Kind, Status: "planned", Alerts: len(items)}
			if h.Kind == WebhookGeneric || h.Kind == WebhookEmail {
				wr.DeliveryID = m.DeliveryID
			}
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
		rs.logf("webhook %s: %s (%d alert(s), %d attempt(s)%s)", h.Name, wr.Status, len(items), wr.Attempts, webhookNote(wr))
	}
}

// webhookNote is what the log adds about a delivery's id and the attempts
// that may have arrived.
func webhookNote(wr WebhookResult) string {
	var s string
	if wr.DeliveryID != "" {
		s += ", delivery " + wr.DeliveryID
	}
	if wr.PossibleDuplicate {
		s += ", possibly received more than once"
		if deduplicated(wr.Kind) {
			s += " (the receiver drops repeats by delivery id)"
		}
	}
	return s
}
