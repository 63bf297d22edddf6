package alert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract/contracttest"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// TestNameUUID checks the version 5 UUIDs against values computed
// elsewhere: RFC 9562's example (appendix A.4: "www.example.com" in the
// DNS namespace) and the delivery namespace, both as Python's uuid.uuid5
// gives them.
func TestNameUUID(t *testing.T) {
	t.Parallel()
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	urlNS := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	for _, tc := range []struct {
		ns         [16]byte
		name, want string
	}{
		{dns, "www.example.com", "2ed6657d-e927-568b-95e1-2665a8aea6a2"},
		{urlNS, "https://github.com/sparesparrow/ecosystem-actions/action-alert/webhook", "dc3c39e2-7e3f-5d36-a8f5-83b1c7a89b7a"},
	} {
		if got := nameUUID(tc.ns, tc.name); got != tc.want {
			t.Errorf("nameUUID(%q) = %s, want %s", tc.name, got, tc.want)
		}
	}
	if got, want := nameUUID(deliveryNamespace, ""), nameUUID(urlNS, ""); got == want {
		t.Error("the delivery namespace is the URL namespace itself")
	}
	if hex.EncodeToString(deliveryNamespace[:]) != "dc3c39e27e3f5d36a8f583b1c7a89b7a" {
		t.Errorf("deliveryNamespace = %x, want uuid5(NAMESPACE_URL, the action's URL)", deliveryNamespace)
	}
}

// TestDeliveryID: the id depends on the repository, the run, the webhook
// and the alerts carried (in any order), and on nothing else.
func TestDeliveryID(t *testing.T) {
	t.Parallel()
	base := message{Repository: "eco/alerts", RunID: 42, RunURL: "https://github.com/eco/alerts/actions/runs/42",
		Items: []messageItem{{Fingerprint: "aaaa", Event: NotifyOpened, Title: "one"}, {Fingerprint: "bbbb", Event: NotifyChanged, Title: "two"}}}
	id := deliveryID(base, "webhook #1", t0)
	if !deliveryIDRe.MatchString(id) {
		t.Fatalf("deliveryID = %q, not a version 5 UUID", id)
	}
	same := base
	same.Items = []messageItem{base.Items[1], base.Items[0]}
	same.Items[0].Title = "two, retitled" // titles are not what identifies the delivery
	if got := deliveryID(same, "webhook #1", t0.Add(time.Hour)); got != id {
		t.Errorf("the same alerts in another order, at another time: %s, want %s", got, id)
	}
	other := func(f func(m *message)) message {
		m := base
		m.Items = append([]messageItem(nil), base.Items...)
		f(&m)
		return m
	}
	for name, m := range map[string]message{
		"another_fingerprint": other(func(m *message) { m.Items[0].Fingerprint = "cccc" }),
		"another_event":       other(func(m *message) { m.Items[0].Event = NotifyResolved }),
		"one_alert_fewer":     other(func(m *message) { m.Items = m.Items[:1] }),
		"another_run":         other(func(m *message) { m.RunID = 43 }),
		"another_repository":  other(func(m *message) { m.Repository = "eco/other" }),
	} {
		if got := deliveryID(m, "webhook #1", t0); got == id {
			t.Errorf("%s: same id %s", name, got)
		}
	}
	if got := deliveryID(base, "webhook #2", t0); got == id {
		t.Errorf("another webhook: same id %s", got)
	}
	// Without a run id every invocation is its own run.
	local := other(func(m *message) { m.RunID = 0 })
	if deliveryID(local, "webhook #1", t0) == deliveryID(local, "webhook #1", t0.Add(time.Minute)) {
		t.Error("two command-line invocations share a delivery id")
	}
}

var deliveryIDRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

var cmpIgnoreDeliveredAt = cmpopts.IgnoreFields(WebhookResult{}, "DeliveredAt")

// post is one request a dedupingReceiver saw.
type post struct {
	ID, WebhookID, BodyID string
	SignatureOK           bool
}

// dedupingReceiver is a generic webhook receiver as the README tells one to
// be written: it verifies the signature over the raw body, and applies a
// delivery only when its X-Ecosystem-Delivery id is new. drop says, per
// request (1-based), whether to reset the connection after applying it, as
// a receiver whose answer is lost (a proxy timing out, a reset).
type dedupingReceiver struct {
	secret string
	drop   func(n int) bool
	status int // answered instead of 204 when not 0 (after applying)

	mu      sync.Mutex
	posts   []post
	applied map[string]string // delivery id → body
}

func (dr *dedupingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var doc struct {
		DeliveryID string `json:"delivery_id"`
	}
	_ = json.Unmarshal(body, &doc)
	mac := hmac.New(sha256.New, []byte(dr.secret))
	mac.Write(body)
	p := post{ID: r.Header.Get(DeliveryHeader), WebhookID: r.Header.Get("Webhook-Id"), BodyID: doc.DeliveryID,
		SignatureOK: hmac.Equal([]byte(r.Header.Get(SignatureHeader)), []byte("sha256="+hex.EncodeToString(mac.Sum(nil))))}
	dr.mu.Lock()
	dr.posts = append(dr.posts, p)
	n := len(dr.posts)
	if p.SignatureOK && p.ID != "" {
		if dr.applied == nil {
			dr.applied = map[string]string{}
		}
		if _, seen := dr.applied[p.ID]; !seen {
			dr.applied[p.ID] = string(body)
		}
	}
	dr.mu.Unlock()
	if dr.drop != nil && dr.drop(n) {
		resetConnection(w)
		return
	}
	if dr.status != 0 {
		w.WriteHeader(dr.status)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (dr *dedupingReceiver) seen() ([]post, int) {
	dr.mu.Lock()
	defer dr.mu.Unlock()
	return append([]post(nil), dr.posts...), len(dr.applied)
}

// resetConnection drops the connection without an answer, with a TCP RST.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

func mustServe(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

func webhookByName(t *testing.T, res *Result, name string) WebhookResult {
	t.Helper()
	for _, w := range res.Webhooks {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no webhook result %q in %+v", name, res.Webhooks)
	return WebhookResult{}
}

// TestWebhooks_delivery_id_across_retries: one delivery retried after two
// 503s sends the same id three times, in both headers and in the signed
// body; the result records it with the attempts.
func TestWebhooks_delivery_id_across_retries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	calls := 0
	var mu sync.Mutex
	rc := &dedupingReceiver{secret: "hmac-key"}
	flaky := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n <= 2 {
			body, _ := io.ReadAll(r.Body)
			var doc struct {
				DeliveryID string `json:"delivery_id"`
			}
			_ = json.Unmarshal(body, &doc)
			rc.mu.Lock()
			rc.posts = append(rc.posts, post{ID: r.Header.Get(DeliveryHeader), WebhookID: r.Header.Get("Webhook-Id"), BodyID: doc.DeliveryID})
			rc.mu.Unlock()
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		rc.ServeHTTP(w, r)
	})
	cfg := e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}, "eco/lib": {70, nil}}), 31)
	cfg.Channels = []string{ChannelIssue, ChannelWebhook}
	cfg.GenericWebhooks = []string{mustServe(t, flaky)}
	cfg.WebhookSecret, cfg.WebhookRetries = "hmac-key", 3
	res, err := e.run(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	posts, applied := rc.seen()
	if len(posts) != 3 || applied != 1 {
		t.Fatalf("%d posts, %d applied, want 3 and 1", len(posts), applied)
	}
	id := posts[0].ID
	if !deliveryIDRe.MatchString(id) {
		t.Fatalf("%s = %q, want a UUID", DeliveryHeader, id)
	}
	for i, p := range posts {
		if p.ID != id || p.WebhookID != id || p.BodyID != id {
			t.Errorf("attempt %d: %s %q, webhook-id %q, body delivery_id %q; want %s everywhere", i+1, DeliveryHeader, p.ID, p.WebhookID, p.BodyID, id)
		}
	}
	if !posts[2].SignatureOK {
		t.Error("the signature does not verify over the body that carries the id")
	}
	w := webhookByName(t, res, "webhook #1")
	if diff := cmp.Diff(WebhookResult{Name: "webhook #1", Kind: WebhookGeneric, Status: "delivered", Attempts: 3, Alerts: w.Alerts, DeliveryID: id},
		w, cmpIgnoreDeliveredAt); diff != "" {
		t.Errorf("webhook result (-want +got):\n%s", diff)
	}
	if w.DeliveredAt == nil {
		t.Error("no delivered_at")
	}
	data, err := os.ReadFile(filepath.Join(cfg.OutputDir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := contracttest.Validate(contract.KindAlert, data); err != nil {
		t.Errorf("alert_results.json does not follow its schema: %v", err)
	}
}

// TestWebhooks_applied_then_dropped: the receiver applies the first POST
// and resets the connection before answering; the retry carries the same
// id, so the receiver's dedupe by id keeps one delivery of two posts, and
// the result says the delivery may have arrived twice.
func TestWebhooks_applied_then_dropped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	rc := &dedupingReceiver{secret: "hmac-key", drop: func(n int) bool { return n == 1 }}
	cfg := e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}), 32)
	cfg.Channels = []string{ChannelIssue, ChannelWebhook}
	cfg.GenericWebhooks = []string{mustServe(t, rc)}
	cfg.WebhookSecret, cfg.WebhookRetries = "hmac-key", 3
	res, err := e.run(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	posts, applied := rc.seen()
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2 (the applied one and its retry)", len(posts))
	}
	if posts[0].ID == "" || posts[0].ID != posts[1].ID {
		t.Errorf("the retry carries another id: %q then %q", posts[0].ID, posts[1].ID)
	}
	if applied != 1 {
		t.Errorf("deduplicating by id applied %d deliveries, want 1", applied)
	}
	for i, p := range posts {
		if !p.SignatureOK {
			t.Errorf("post %d: signature does not verify", i+1)
		}
	}
	w := webhookByName(t, res, "webhook #1")
	if w.Status != "delivered" || w.Attempts != 2 || w.UncertainAttempts != 1 || !w.PossibleDuplicate || w.DeliveryID != posts[0].ID {
		t.Errorf("webhook result %+v, want delivered in 2 attempts, 1 uncertain, possible duplicate, id %s", w, posts[0].ID)
	}
}

// TestWebhooks_rerun_sends_the_same_id: a run whose every attempt is applied
// but unanswered fails; the re-run of the same run (same run id, same
// reports) sends the same message again with the same id, which the
// receiver drops. Another webhook in the same run, and the same webhook in
// another run, get other ids.
func TestWebhooks_rerun_sends_the_same_id(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	var mu sync.Mutex
	dropping := true
	rc := &dedupingReceiver{secret: "hmac-key", drop: func(int) bool { mu.Lock(); defer mu.Unlock(); return dropping }}
	second := &dedupingReceiver{secret: "hmac-key"}
	reports := monitorJSON(t0, map[string]domain{"eco/app": {50, nil}})
	cfg := e.config(t, reports, 33)
	cfg.Channels = []string{ChannelIssue, ChannelWebhook}
	cfg.GenericWebhooks = []string{mustServe(t, rc), mustServe(t, second)}
	cfg.WebhookSecret, cfg.WebhookRetries = "hmac-key", 0
	res, err := e.run(t, cfg)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("first run: err = %v, want incomplete (the answer was lost)", err)
	}
	if w := webhookByName(t, res, "webhook #1"); w.Status != "failed" || w.UncertainAttempts != 1 || w.PossibleDuplicate {
		t.Errorf("first run: %+v, want failed with 1 uncertain attempt, no duplicate yet", w)
	}
	mu.Lock()
	dropping = false
	mu.Unlock()
	cfg.OutputDir = t.TempDir()
	res, err = e.run(t, cfg) // the re-run: same run id
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	posts, applied := rc.seen()
	if len(posts) != 2 || posts[0].ID == "" || posts[0].ID != posts[1].ID {
		t.Fatalf("posts %+v, want the same id twice", posts)
	}
	if applied != 1 {
		t.Errorf("deduplicating by id applied %d deliveries, want 1", applied)
	}
	if w := webhookByName(t, res, "webhook #1"); w.Status != "delivered" || w.DeliveryID != posts[0].ID {
		t.Errorf("re-run: %+v", w)
	}
	other, _ := second.seen()
	if len(other) != 1 || other[0].ID == posts[0].ID {
		t.Errorf("webhook #2 got %+v, want one delivery with its own id", other)
	}
}

// TestWebhooks_chat_retries_after_ambiguous_failures: Slack and Teams cannot
// drop a repeat, so a message that may have arrived (the connection reset
// after the whole request was sent, or a gateway's 502) is sent at most
// twice; a clear refusal (the connection refused: nothing was sent) gets
// every retry; a generic webhook (deduplicated by id) gets every retry
// whatever the failure.
func TestWebhooks_chat_retries_after_ambiguous_failures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	always := func(int) bool { return true }
	slack := &dedupingReceiver{drop: always}
	teams := &dedupingReceiver{status: http.StatusBadGateway}
	generic := &dedupingReceiver{secret: "k", drop: always}
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close() // nothing listens: connection refused
	cfg := e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}), 35)
	cfg.Channels = []string{ChannelIssue, ChannelWebhook}
	cfg.SlackWebhooks = []string{mustServe(t, slack), refusedURL + "/services/T/B/x"}
	cfg.TeamsWebhooks = []string{mustServe(t, teams)}
	cfg.GenericWebhooks = []string{mustServe(t, generic)}
	cfg.WebhookSecret, cfg.WebhookRetries = "k", 3
	res, err := e.run(t, cfg)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("err = %v, want incomplete", err)
	}
	type outcome struct {
		Status              string
		Attempts, Uncertain int
		Duplicate           bool
		Posts               int
	}
	count := func(r *dedupingReceiver) int { p, _ := r.seen(); return len(p) }
	got := map[string]outcome{}
	posts := map[string]int{"slack webhook #1": count(slack), "slack webhook #2": 0, "teams webhook #1": count(teams), "webhook #1": count(generic)}
	for _, w := range res.Webhooks {
		got[w.Name] = outcome{w.Status, w.Attempts, w.UncertainAttempts, w.PossibleDuplicate, posts[w.Name]}
	}
	want := map[string]outcome{
		"slack webhook #1": {"failed", 2, 2, true, 2},
		"slack webhook #2": {"failed", 4, 0, false, 0},
		"teams webhook #1": {"failed", 2, 2, true, 2},
		"webhook #1":       {"failed", 4, 4, true, 4},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("webhook outcomes (-want +got):\n%s", diff)
	}
}
