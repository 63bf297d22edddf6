package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Webhook kinds.
const (
	WebhookSlack   = "slack"
	WebhookTeams   = "teams"
	WebhookGeneric = "generic"
	WebhookEmail   = "email"
)

// Webhook is one chat or e-mail destination. URL is a secret: it is never
// logged or written to a report; Name ("slack webhook #1") stands for it.
type Webhook struct {
	Kind string
	Name string
	URL  string `json:"-"`
}

// webhookName is how a secret destination appears in reports.
func webhookName(kind string, i int) string {
	switch kind {
	case WebhookSlack:
		return fmt.Sprintf("slack webhook #%d", i)
	case WebhookTeams:
		return fmt.Sprintf("teams webhook #%d", i)
	case WebhookEmail:
		return fmt.Sprintf("smtp server #%d", i)
	}
	return fmt.Sprintf("webhook #%d", i)
}

// WebhookResult is what happened to one webhook delivery.
type WebhookResult struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status string `json:"status"` // delivered, failed, planned, skipped
	Error  string `json:"error,omitempty"`
	// Attempts counts the requests made (1 + retries).
	Attempts int `json:"attempts"`
	Alerts   int `json:"alerts"`
	// DeliveryID is the delivery id of a generic webhook (DeliveryHeader)
	// or an e-mail (its Message-ID is made from it): the same on every
	// attempt and on a re-run that sends the same message.
	DeliveryID  string     `json:"delivery_id,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	// UncertainAttempts counts the attempts the receiver may have applied
	// although their answer was lost (the request was sent, then the
	// connection dropped or timed out, or a gateway answered 502/504).
	UncertainAttempts int `json:"uncertain_attempts,omitempty"`
	// PossibleDuplicate is set when more than one attempt may have reached
	// the receiver: a generic receiver drops the repeats by DeliveryID, a
	// Slack or Teams channel may show the message twice.
	PossibleDuplicate bool `json:"possible_duplicate,omitempty"`
}

// messageItem is one alert in a chat or e-mail message.
type messageItem struct {
	Fingerprint string    `json:"fingerprint"`
	Event       string    `json:"event"` // opened, changed, reopened, resolved, firing
	Level       Level     `json:"level"`
	Type        Type      `json:"type"`
	Domain      string    `json:"domain"`
	Problem     string    `json:"problem"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary,omitempty"`
	IssueURL    string    `json:"issue_url,omitempty"`
	Occurrences int       `json:"occurrences,omitempty"`
	FirstSeen   time.Time `json:"first_seen,omitzero"`
}

// message is one delivery to one webhook: the alerts that opened, changed,
// reopened or resolved in this run.
type message struct {
	// DeliveryID identifies the delivery (see deliveryID).
	DeliveryID string        `json:"delivery_id,omitempty"`
	Repository string        `json:"repository"`
	RunID      int64         `json:"run_id,omitempty"`
	RunURL     string        `json:"run_url,omitempty"`
	Items      []messageItem `json:"alerts"`
}

func (m message) headline() string {
	counts := map[string]int{}
	maxLevel := LevelNone
	for _, it := range m.Items {
		counts[it.Event]++
		if it.Event != NotifyResolved {
			maxLevel = MaxLevel(maxLevel, it.Level)
		}
	}
	var parts []string
	for _, e := range []string{NotifyOpened, NotifyChanged, NotifyReopened, NotifyFiring, NotifyResolved} {
		if counts[e] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[e], e))
		}
	}
	s := fmt.Sprintf("Ecosystem alerts in %s: %s", m.Repository, strings.Join(parts, ", "))
	if maxLevel != LevelNone {
		s += fmt.Sprintf(" (highest level %s)", maxLevel)
	}
	return s
}

// maxItems bounds the alerts listed in one MessageCard.
const maxItems = 20

// Slack Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks):
// at most 50 blocks in a message, 3,000 characters of text in a section, 150
// in a header (plain_text), 10 elements in a context block. A message whose
// blocks hold about 13,000 characters is refused with msg_blocks_too_long
// although each block is within its limit (slackapi/bolt-js#2509), so the
// blocks here stay within slackMaxText altogether. What does not fit is cut,
// with a link to the issues: a message is never rejected for its length.
const (
	slackMaxBlocks      = 50
	slackMaxSectionText = 3000
	slackMaxHeaderText  = 150
	slackMaxText        = 12000
	slackMaxLine        = 600
	slackMaxFallback    = 300
)

// slackEscape escapes Slack mrkdwn control characters and neutralises
// @mentions (<!channel>, <@U…> need '<', which is escaped).
func slackEscape(s string, mention []string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", " ", "\n", " ").Replace(s)
	return report.NeutralizeMentions(s, mention)
}

func slackLink(text, raw string, mention []string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || strings.ContainsAny(raw, "|<> ") {
		return slackEscape(text, mention)
	}
	return "<" + raw + "|" + slackEscape(text, mention) + ">"
}

// moreURL is where the alerts a message had to leave out are listed: the
// issue of the first one left out, else the run.
func (m message) moreURL(from int) string {
	for _, it := range m.Items[from:] {
		if it.IssueURL != "" {
			return it.IssueURL
		}
	}
	return m.RunURL
}

func slackPayload(m message, mention []string) map[string]any {
	head := clip(m.headline(), slackMaxHeaderText)
	blocks := []any{map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": head, "emoji": true}}}
	used := len([]rune(head))
	var cur []string
	curLen := 0
	flush := func() {
		if len(cur) > 0 {
			t := strings.Join(cur, "\n")
			blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": t}})
			used += len([]rune(t))
			cur, curLen = nil, 0
		}
	}
	// Two blocks stay free: the "and N more" line and the run link.
	room := func(n int) bool {
		return len(blocks)+1 <= slackMaxBlocks-2 && used+curLen+n <= slackMaxText-400
	}
	shown := 0
	for _, it := range m.Items {
		title := slackEscape(clip(it.Title, 200), mention)
		if it.IssueURL != "" {
			title = slackLink(clip(it.Title, 200), it.IssueURL, mention)
		}
		line := fmt.Sprintf("• *%s* [%s] %s", slackEscape(it.Event, nil), slackEscape(string(it.Level), nil), title)
		if r := []rune(line); len(r) > slackMaxLine {
			line = fmt.Sprintf("• *%s* [%s] %s", slackEscape(it.Event, nil), slackEscape(string(it.Level), nil), slackLink("(title too long, see the issue)", it.IssueURL, nil))
		}
		n := len([]rune(line)) + 1
		if curLen+n > slackMaxSectionText {
			if !room(0) {
				break
			}
			flush()
		}
		if !room(n) {
			break
		}
		cur = append(cur, line)
		curLen += n
		shown++
	}
	flush()
	if shown < len(m.Items) {
		more := fmt.Sprintf("… and %d more", len(m.Items)-shown)
		if u := m.moreURL(shown); u != "" {
			more += ": " + slackLink("see the alert issues", u, nil)
		}
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": more}})
	}
	if m.RunURL != "" {
		blocks = append(blocks, map[string]any{"type": "context", "elements": []any{
			map[string]any{"type": "mrkdwn", "text": slackLink("alert run", m.RunURL, nil)}}})
	}
	return map[string]any{"text": slackEscape(clip(m.headline(), slackMaxFallback), mention), "blocks": blocks}
}

// Teams payload formats (Config.TeamsFormat, input teams_format).
const (
	TeamsMessageCard  = "message_card"
	TeamsAdaptiveCard = "adaptive_card"
)

// TeamsFormats are the allowed teams_format values.
var TeamsFormats = []string{TeamsMessageCard, TeamsAdaptiveCard}

// SignatureHeader carries the HMAC-SHA256 of a generic webhook's body when
// webhook_secret is set: "sha256=" and the lower-case hex digest, keyed with
// the secret (the scheme of GitHub's X-Hub-Signature-256). Receivers
// recompute it over the raw body and compare in constant time.
const SignatureHeader = "X-Ecosystem-Signature-256"

// DeliveryHeader carries a generic webhook's delivery id, the scheme of
// GitHub's X-GitHub-Delivery (which stays the same when a delivery is
// redelivered): the same value on every attempt of one delivery and on a
// re-run of the workflow run that sends the same message again, so a
// receiver that keeps the ids it applied drops repeats. WebhookIDHeader
// carries the same value under the name the Standard Webhooks
// specification gives it ("webhook-id": unique per message, the same when
// a message is resent). The body's delivery_id holds it too, inside what
// SignatureHeader signs.
const (
	DeliveryHeader  = "X-Ecosystem-Delivery"
	WebhookIDHeader = "webhook-id"
)

// deliveryNamespace is the UUID namespace of delivery ids: the name-based
// UUID (version 5) of the URL
// https://github.com/sparesparrow/ecosystem-actions/action-alert/webhook in
// RFC 9562's URL namespace, dc3c39e2-7e3f-5d36-a8f5-83b1c7a89b7a.
var deliveryNamespace = [16]byte{0xdc, 0x3c, 0x39, 0xe2, 0x7e, 0x3f, 0x5d, 0x36, 0xa8, 0xf5, 0x83, 0xb1, 0xc7, 0xa8, 0x9b, 0x7a}

// nameUUID is the name-based UUID, version 5 (SHA-1), of name in namespace
// ns (RFC 9562, section 5.5): the same name always gives the same UUID, and
// any UUID library recomputes it (Python's uuid.uuid5).
func nameUUID(ns [16]byte, name string) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // variant 10
	x := hex.EncodeToString(u[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// deliveryID identifies one delivery of m to the webhook named name: a
// UUID derived from the repository, the run (its id: a re-run keeps it and
// gets a new attempt number, so the attempt is left out on purpose), the
// webhook's report name (never its URL, a secret) and the alerts carried
// (fingerprint and event, in any order). It never depends on a random value
// or the clock, so every retry and every re-run that sends the same
// message sends the same id, and another message or webhook gets another.
// Without a run id (the command line: every invocation is a new run),
// runStart, the time the invocation started, stands for the run.
func deliveryID(m message, name string, runStart time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "repository %s\n", m.Repository)
	if m.RunID != 0 {
		fmt.Fprintf(&b, "run %d\n", m.RunID)
	} else {
		fmt.Fprintf(&b, "invocation %s\n", runStart.UTC().Format(time.RFC3339Nano))
	}
	fmt.Fprintf(&b, "webhook %s\n", name)
	items := make([]string, 0, len(m.Items))
	for _, it := range m.Items {
		items = append(items, it.Fingerprint+" "+it.Event)
	}
	sort.Strings(items)
	for _, it := range items {
		b.WriteString("alert " + it + "\n")
	}
	return nameUUID(deliveryNamespace, b.String())
}

// Signature is the SignatureHeader value for body signed with secret.
func Signature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

var teamsColor = map[Level]string{LevelCritical: "D73A49", LevelHigh: "E36209", LevelWarning: "DBAB09", LevelMedium: "DBAB09", LevelLow: "0366D6", LevelNone: "28A745"}

// teamsPayload is an Office 365 connector MessageCard, for connectors not
// yet retired (teams_format: message_card; Workflows webhooks refuse it).
func teamsPayload(m message, mention []string) map[string]any {
	return fitItems(min(len(m.Items), maxItems), teamsMaxMessageCard, func(n int) map[string]any { return messageCard(m, mention, n) })
}

func messageCard(m message, mention []string, limit int) map[string]any {
	text := Text{Mention: mention}
	maxLevel := LevelNone
	var facts []any
	for i, it := range m.Items {
		if it.Event != NotifyResolved {
			maxLevel = MaxLevel(maxLevel, it.Level)
		}
		if i == limit {
			facts = append(facts, map[string]any{"name": "…", "value": text.link(fmt.Sprintf("and %d more: see the alert issues", len(m.Items)-limit), m.moreURL(limit))})
			break
		}
		v := text.MD(clip(it.Title, 200))
		if it.IssueURL != "" {
			v = text.link(it.Title, it.IssueURL)
		}
		facts = append(facts, map[string]any{"name": text.MD(fmt.Sprintf("%s · %s", it.Event, it.Level)), "value": v})
	}
	card := map[string]any{
		"@type": "MessageCard", "@context": "https://schema.org/extensions",
		"summary": text.MD(m.headline()), "title": text.MD(m.headline()), "themeColor": teamsColor[maxLevel],
		"sections": []any{map[string]any{"facts": facts, "markdown": true}},
	}
	if m.RunURL != "" {
		card["potentialAction"] = []any{map[string]any{"@type": "OpenUri", "name": "Open the alert run",
			"targets": []any{map[string]any{"os": "default", "uri": m.RunURL}}}}
	}
	return card
}

// Teams limits: a Workflows webhook ("When a Teams webhook request is
// received") posts Adaptive Cards only, and a message of more than about
// 28 KB fails with "Request Entity too large" (Microsoft Teams connector,
// known limitations); receivers measured less (about 21 KB), so cards are
// kept within teamsMaxBytes, the rest cut with a link to the issues.
const (
	teamsMaxBytes        = 20000
	teamsMaxMessageCard  = 14000 // MessageCards: 14 KB (prometheus-msteams#12)
	adaptiveCardVersion  = "1.5"
	adaptiveCardSchema   = "http://adaptivecards.io/schemas/adaptive-card.json"
	adaptiveCardMIMEType = "application/vnd.microsoft.card.adaptive"
)

// teamsAdaptivePayload is an Adaptive Card 1.5 in a message, the format a
// Teams Workflows webhook accepts: a headline, a FactSet of the alerts
// (linked to their issues) and a button to the run. Text is escaped as
// Markdown; an Adaptive Card has no @mentions unless they are declared as
// entities, and none are.
func teamsAdaptivePayload(m message, mention []string) map[string]any {
	text := Text{Mention: mention}
	build := func(n int) map[string]any {
		var facts []any
		for _, it := range m.Items[:n] {
			v := text.MD(clip(it.Title, 200))
			if it.IssueURL != "" {
				v = text.link(clip(it.Title, 200), it.IssueURL)
			}
			facts = append(facts, map[string]any{"title": text.MD(fmt.Sprintf("%s · %s", it.Event, it.Level)), "value": v})
		}
		body := []any{map[string]any{"type": "TextBlock", "text": text.MD(m.headline()), "weight": "Bolder", "size": "Medium", "wrap": true}}
		if len(facts) > 0 {
			body = append(body, map[string]any{"type": "FactSet", "facts": facts})
		}
		if n < len(m.Items) {
			more := fmt.Sprintf("… and %d more", len(m.Items)-n)
			if u := m.moreURL(n); u != "" {
				more = text.link(more+": see the alert issues", u)
			}
			body = append(body, map[string]any{"type": "TextBlock", "text": more, "wrap": true, "isSubtle": true})
		}
		card := map[string]any{"$schema": adaptiveCardSchema, "type": "AdaptiveCard", "version": adaptiveCardVersion, "body": body,
			"msteams": map[string]any{"width": "Full"}}
		if m.RunURL != "" {
			card["actions"] = []any{map[string]any{"type": "Action.OpenUrl", "title": "Open the alert run", "url": m.RunURL}}
		}
		return map[string]any{"type": "message", "attachments": []any{map[string]any{
			"contentType": adaptiveCardMIMEType, "contentUrl": nil, "content": card}}}
	}
	return fitItems(len(m.Items), teamsMaxBytes, build)
}

// fitItems builds a payload with as many of n items as fit in max bytes of
// JSON (never fewer than none: the headline and the link always go).
func fitItems(n, max int, build func(int) map[string]any) map[string]any {
	lo, hi := 0, n
	if b, _ := json.Marshal(build(n)); len(b) <= max {
		return build(n)
	}
	for lo < hi { // the largest count that fits
		mid := (lo + hi + 1) / 2
		if b, _ := json.Marshal(build(mid)); len(b) <= max {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return build(lo)
}

// genericPayload is plain JSON for any receiver; delivery_id is the
// DeliveryHeader value, inside the signed body.
func genericPayload(m message) map[string]any {
	return map[string]any{"source": "ecosystem-actions/action-alert", "event": "ecosystem-alert", "delivery_id": m.DeliveryID,
		"summary": m.headline(), "repository": m.Repository, "run_id": m.RunID, "run_url": m.RunURL, "alerts": m.Items}
}

// webhookSender delivers messages with retries.
type webhookSender struct {
	client  *http.Client
	retries int
	// teamsFormat is TeamsMessageCard or TeamsAdaptiveCard; secret signs
	// generic webhooks ("" = unsigned).
	teamsFormat string
	secret      string
	sleep       func(context.Context, time.Duration) error
	now         func() time.Time
	mention     []string
	email       EmailConfig
	tls         *tls.Config
	// rand fills Message-IDs (default crypto/rand).
	rand func([]byte)
}

// EmailConfig addresses the alert e-mails.
type EmailConfig struct {
	From string
	To   []string
	// Password, when set, overrides the password in the SMTP URL.
	Password string `json:"-"`
}

// retryable is an error worth another attempt; after is the server's
// Retry-After (0 = use the backoff). maybeApplied is set when the receiver
// may have applied the request although its answer was lost: it was sent
// whole and then the connection dropped or timed out, or a gateway
// answered 502 or 504 (the service behind it may have taken it). A refusal
// the receiver answered itself (408, 429, 500, 503, …) or a request that
// never left (connection refused, DNS, TLS) is not.
type retryable struct {
	err          error
	after        time.Duration
	maybeApplied bool
}

func (r *retryable) Error() string { return r.err.Error() }

// backoff is 1s, 2s, 4s … capped at 30s; a Retry-After up to 60s wins.
func backoff(attempt int, after time.Duration) time.Duration {
	if after > 0 {
		return min(after, time.Minute)
	}
	return min(time.Second<<attempt, 30*time.Second)
}

// chatUncertainRetries bounds the retries of a Slack or Teams message
// after an attempt the service may have applied: those services cannot
// drop a repeat, so such a message is sent at most twice (at least once
// matters more for an alert than one duplicate chat line, as Alertmanager
// prefers duplicates to missed alerts), while clear refusals get every
// retry. Generic webhooks (the receiver drops repeats by delivery id) and
// e-mail get every retry.
const chatUncertainRetries = 1

// deduplicated reports whether a receiver of kind can drop repeats.
func deduplicated(kind string) bool { return kind == WebhookGeneric }

func (s *webhookSender) deliver(ctx context.Context, h Webhook, m message) WebhookResult {
	res := WebhookResult{Name: h.Name, Kind: h.Kind, Alerts: len(m.Items)}
	if h.Kind == WebhookGeneric || h.Kind == WebhookEmail {
		res.DeliveryID = m.DeliveryID
	}
	body, err := s.body(h, m)
	if err != nil {
		res.Status, res.Error = "failed", err.Error()
		return res
	}
	reached := func() {
		res.PossibleDuplicate = res.UncertainAttempts+b2i(res.Status == "delivered") > 1
	}
	for attempt := 0; attempt <= s.retries; attempt++ {
		if attempt > 0 {
			var after time.Duration
			var re *retryable
			if errors.As(err, &re) {
				after = re.after
			}
			if serr := s.sleep(ctx, backoff(attempt-1, after)); serr != nil {
				err = serr
				break
			}
		}
		res.Attempts++
		err = s.send(ctx, h, m, body)
		if err == nil {
			at := s.now().UTC()
			res.Status, res.DeliveredAt = "delivered", &at
			reached()
			return res
		}
		var re *retryable
		if !errors.As(err, &re) {
			break
		}
		if re.maybeApplied {
			res.UncertainAttempts++
			if (h.Kind == WebhookSlack || h.Kind == WebhookTeams) && res.UncertainAttempts > chatUncertainRetries {
				break
			}
		}
	}
	res.Status, res.Error = "failed", redact(redact(err.Error(), h.URL), s.secret)
	if res.UncertainAttempts > 0 {
		res.Error += fmt.Sprintf(" (%d attempt(s) may have arrived although the answer was lost)", res.UncertainAttempts)
	}
	reached()
	return res
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// body encodes the payload once per delivery, so every attempt sends the
// same bytes (and the same signature). E-mail has none (nil).
func (s *webhookSender) body(h Webhook, m message) ([]byte, error) {
	var payload any
	switch h.Kind {
	case WebhookSlack:
		payload = slackPayload(m, s.mention)
	case WebhookTeams:
		payload = teamsPayload(m, s.mention)
		if s.teamsFormat == TeamsAdaptiveCard {
			payload = teamsAdaptivePayload(m, s.mention)
		}
	case WebhookEmail:
		return nil, nil
	default:
		payload = genericPayload(m)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("failed to encode the %s payload: %w", h.Kind, err)
	}
	return body, nil
}

func (s *webhookSender) send(ctx context.Context, h Webhook, m message, body []byte) error {
	if h.Kind == WebhookEmail {
		return s.sendMail(ctx, h, m)
	}
	// wrote is set once the whole request went out: a failure after that
	// may have been applied.
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("invalid webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ecosystem-actions-alert")
	if h.Kind == WebhookGeneric {
		req.Header.Set(DeliveryHeader, m.DeliveryID)
		req.Header.Set(WebhookIDHeader, m.DeliveryID)
		if s.secret != "" {
			req.Header.Set(SignatureHeader, Signature(s.secret, body))
		}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error carries the URL, a secret
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if wrote.Load() {
			return &retryable{err: fmt.Errorf("failed to read the answer after sending: %v", err), maybeApplied: true}
		}
		return &retryable{err: fmt.Errorf("failed to send: %v", err)}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.Join(strings.Fields(string(snippet)), " "))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500 {
		after := time.Duration(0)
		if n, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && n > 0 {
			after = time.Duration(n) * time.Second
		}
		gateway := resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout
		return &retryable{err: e, after: after, maybeApplied: gateway}
	}
	return e
}

// redact removes a secret (and its user-info password) from a message.
func redact(msg, secret string) string {
	if secret == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, secret, "***")
	if u, err := url.Parse(secret); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "***")
		}
	}
	return msg
}

// smtpTarget is a parsed smtp:// or smtps:// URL.
type smtpTarget struct {
	host, port     string
	implicitTLS    bool
	user, password string
	from           string
	to             []string
}

// ParseSMTPURL parses smtp://[user[:password]@]host[:port][?from=a@b&to=c@d,e@f]
// (STARTTLS when the server offers it; port 587 by default) or smtps://
// (TLS from the start; port 465). The error never contains the URL.
func ParseSMTPURL(raw string) (smtpTarget, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return smtpTarget{}, errors.New("must be smtp://[user:password@]host[:port] or smtps://…")
	}
	t := smtpTarget{host: u.Hostname(), port: u.Port(), implicitTLS: u.Scheme == "smtps"}
	if t.port == "" {
		t.port = "587"
		if t.implicitTLS {
			t.port = "465"
		}
	}
	if u.User != nil {
		t.user = u.User.Username()
		t.password, _ = u.User.Password()
	}
	q := u.Query()
	t.from = q.Get("from")
	for _, to := range strings.Split(q.Get("to"), ",") {
		if to = strings.TrimSpace(to); to != "" {
			t.to = append(t.to, to)
		}
	}
	return t, nil
}

func headerSafe(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}

// mailBody renders the plain-text e-mail.
func mailBody(m message) string {
	var b strings.Builder
	b.WriteString(headerSafe(m.headline()) + "\n\n")
	for _, it := range m.Items {
		fmt.Fprintf(&b, "- [%s] %s: %s\n", it.Level, it.Event, headerSafe(it.Title))
		if it.Summary != "" {
			b.WriteString("  " + headerSafe(it.Summary) + "\n")
		}
		if it.IssueURL != "" {
			b.WriteString("  " + headerSafe(it.IssueURL) + "\n")
		}
	}
	if m.RunURL != "" {
		b.WriteString("\nRun: " + headerSafe(m.RunURL) + "\n")
	}
	b.WriteString("\n-- \necosystem-actions alert\n")
	return b.String()
}

// messageID is an RFC 5322 msg-id (section 3.6.4) at the sender's domain:
// derived from the delivery id when there is one, so a message sent again
// after a lost reply carries the same Message-ID (the same message, which
// mail systems that collapse repeated Message-IDs show once), else random.
func (s *webhookSender) messageID(from, delivery string) string {
	local := strings.ReplaceAll(delivery, "-", "")
	if local == "" {
		b := make([]byte, 12)
		if s.rand != nil {
			s.rand(b)
		} else {
			_, _ = rand.Read(b)
		}
		local = hex.EncodeToString(b)
	}
	domain := "ecosystem-actions.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return fmt.Sprintf("<alert.%s@%s>", local, domain)
}

// mailMessage renders the e-mail (RFC 5322): From, To, Subject (RFC 2047
// encoded), Date, Message-ID, and one plain-text part, quoted-printable so
// no line exceeds the 998-octet limit (section 2.1.1) whatever a title
// holds. Lines end in CRLF.
func mailMessage(from string, to []string, m message, now time.Time, id string) ([]byte, error) {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", headerSafe(from))
	h("To", headerSafe(strings.Join(to, ", ")))
	h("Subject", mime.QEncoding.Encode("utf-8", clip(headerSafe(m.headline()), 200)))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", id)
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := io.WriteString(qp, strings.ReplaceAll(mailBody(m), "\n", "\r\n")); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sendMail delivers m through SMTP with net/smtp: STARTTLS when the server
// offers it (smtps:// is TLS from the start), AUTH PLAIN when credentials are
// given (net/smtp refuses to send them unencrypted except to localhost).
func (s *webhookSender) sendMail(ctx context.Context, h Webhook, m message) error {
	t, err := ParseSMTPURL(h.URL)
	if err != nil {
		return err
	}
	if s.email.Password != "" {
		t.password = s.email.Password
	}
	from := nonEmpty(s.email.From, t.from)
	to := s.email.To
	if len(to) == 0 {
		to = t.to
	}
	if from == "" || len(to) == 0 {
		return errors.New("e-mail needs a sender (email_from) and recipients (email_to)")
	}
	tlsConf := &tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12}
	if s.tls != nil {
		tlsConf = s.tls.Clone()
		tlsConf.ServerName = t.host
	}
	addr := net.JoinHostPort(t.host, t.port)
	d := &net.Dialer{Timeout: 30 * time.Second}
	var conn net.Conn
	if t.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConf}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return &retryable{err: fmt.Errorf("failed to connect to the SMTP server: %v", err)}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	}
	c, err := smtp.NewClient(conn, t.host)
	if err != nil {
		conn.Close()
		return &retryable{err: fmt.Errorf("failed to greet the SMTP server: %v", err)}
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return &retryable{err: fmt.Errorf("SMTP HELO: %v", err)}
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !t.implicitTLS {
		if err := c.StartTLS(tlsConf); err != nil {
			return fmt.Errorf("SMTP STARTTLS: %v", err)
		}
	}
	if t.user != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the SMTP server offers no AUTH but credentials were given")
		}
		if err := c.Auth(smtp.PlainAuth("", t.user, t.password, t.host)); err != nil {
			return fmt.Errorf("SMTP AUTH: %v", err)
		}
	}
	if err := c.Mail(headerSafe(from)); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %v", err)
	}
	for _, r := range to {
		if err := c.Rcpt(headerSafe(r)); err != nil {
			return fmt.Errorf("SMTP RCPT TO %s: %v", headerSafe(r), err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return &retryable{err: fmt.Errorf("SMTP DATA: %v", err)}
	}
	msg, err := mailMessage(from, to, m, s.now(), s.messageID(from, m.DeliveryID))
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return &retryable{err: fmt.Errorf("SMTP DATA: %v", err)}
	}
	if err := w.Close(); err != nil {
		// The message was sent: a reply code is the server refusing it, a
		// lost reply leaves open whether it was queued.
		var te *textproto.Error
		return &retryable{err: fmt.Errorf("SMTP DATA: %v", err), maybeApplied: !errors.As(err, &te)}
	}
	_ = c.Quit()
	return nil
}
