package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// bigMessage is a message of n alerts with long, hostile titles.
func bigMessage(n int) message {
	m := message{Repository: "eco/alerts", RunID: 9, RunURL: "https://github.com/eco/alerts/actions/runs/9"}
	for i := 0; i < n; i++ {
		m.Items = append(m.Items, messageItem{Fingerprint: fmt.Sprintf("%016x", i), Event: NotifyOpened, Level: LevelHigh,
			Title:    fmt.Sprintf("eco/d%d: %s <!channel> @here %s", i, strings.Repeat("long title ", 40), strings.Repeat("é", 50)),
			IssueURL: fmt.Sprintf("https://github.com/eco/alerts/issues/%d", i+1)})
	}
	return m
}

// demoMessage is what one run on the example reports sends: every alert
// of the example fixer, monitor and stale reports, opened.
func demoMessage(t *testing.T) message {
	t.Helper()
	b, err := Build(loadTestReports(t, "ecosystem_analysis.json", "failure_analysis.json", "stale_analysis.json"), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := message{Repository: "sparesparrow/mcp-project-orchestrator", RunID: 4242, RunURL: "https://github.com/sparesparrow/mcp-project-orchestrator/actions/runs/4242"}
	for i, a := range b.Alerts {
		m.Items = append(m.Items, messageItem{Fingerprint: a.Fingerprint, Event: NotifyOpened, Level: a.Level, Title: a.Title,
			IssueURL: fmt.Sprintf("https://github.com/sparesparrow/mcp-project-orchestrator/issues/%d", 65+i%4)})
	}
	return m
}

// TestSlackPayload_within_block_kit_limits checks every message against
// Slack's documented Block Kit limits: 50 blocks, 3,000 characters of
// section text, a plain_text header of at most 150, and (slackapi/bolt-js
// #2509) well under 13,000 characters of block text altogether. What does
// not fit is cut with a link to the issues, never dropped silently.
func TestSlackPayload_within_block_kit_limits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		m    message
	}{{"demo_reports", demoMessage(t)}, {"one", bigMessage(1)}, {"five_hundred_long_titles", bigMessage(500)}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := slackPayload(tt.m, nil)
			raw, _ := json.Marshal(p)
			var msg struct {
				Text   string `json:"text"`
				Blocks []struct {
					Type string `json:"type"`
					Text *struct {
						Type, Text string
					} `json:"text"`
					Elements []map[string]any `json:"elements"`
				} `json:"blocks"`
			}
			if err := json.Unmarshal(raw, &msg); err != nil {
				t.Fatal(err)
			}
			if n := len(msg.Blocks); n == 0 || n > slackMaxBlocks {
				t.Errorf("%d blocks (Slack allows 1 to %d)", n, slackMaxBlocks)
			}
			if msg.Text == "" || len([]rune(msg.Text)) > 40000 {
				t.Errorf("fallback text of %d characters", len([]rune(msg.Text)))
			}
			total, shown := 0, 0
			for i, b := range msg.Blocks {
				switch b.Type {
				case "header":
					if i != 0 || b.Text == nil || b.Text.Type != "plain_text" || len([]rune(b.Text.Text)) > slackMaxHeaderText {
						t.Errorf("header block %d: %+v", i, b.Text)
					}
				case "section":
					if b.Text == nil || b.Text.Type != "mrkdwn" || b.Text.Text == "" || len([]rune(b.Text.Text)) > slackMaxSectionText {
						t.Errorf("section %d has %d characters (Slack allows %d)", i, len([]rune(b.Text.Text)), slackMaxSectionText)
					}
					shown += strings.Count(b.Text.Text, "• ")
				case "context":
					if len(b.Elements) == 0 || len(b.Elements) > 10 {
						t.Errorf("context with %d elements", len(b.Elements))
					}
				default:
					t.Errorf("unexpected block type %q", b.Type)
				}
				if b.Text != nil {
					total += len([]rune(b.Text.Text))
				}
			}
			if total > slackMaxText {
				t.Errorf("blocks hold %d characters, more than %d", total, slackMaxText)
			}
			if shown < len(tt.m.Items) && !strings.Contains(string(raw), fmt.Sprintf("and %d more", len(tt.m.Items)-shown)) {
				t.Errorf("%d of %d alerts shown and no \"and N more\" line", shown, len(tt.m.Items))
			}
			if shown == 0 {
				t.Error("no alert shown")
			}
			if strings.Contains(string(raw), "<!channel>") || strings.Contains(string(raw), "@here") {
				t.Error("a mention stayed live")
			}
		})
	}
}

// TestTeamsAdaptiveCard_within_limits checks the default Teams payload: an
// Adaptive Card 1.5 message, as a Workflows webhook takes it, within the
// size Teams accepts, long content cut with a link to the issues. With
// Microsoft's adaptivecards library (dist/adaptivecards.js of the pinned
// npm package, `make adaptivecards`) the card is also parsed by it and must
// raise no validation event.
func TestTeamsAdaptiveCard_within_limits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		m    message
	}{{"demo_reports", demoMessage(t)}, {"one", bigMessage(1)}, {"five_hundred_long_titles", bigMessage(500)}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw, _ := json.Marshal(teamsAdaptivePayload(tt.m, nil))
			if len(raw) > teamsMaxBytes {
				t.Errorf("payload is %d bytes (Teams refuses about 28 KB; the bound is %d)", len(raw), teamsMaxBytes)
			}
			var msg struct {
				Type        string `json:"type"`
				Attachments []struct {
					ContentType string          `json:"contentType"`
					Content     json.RawMessage `json:"content"`
				} `json:"attachments"`
			}
			if err := json.Unmarshal(raw, &msg); err != nil {
				t.Fatal(err)
			}
			if msg.Type != "message" || len(msg.Attachments) != 1 || msg.Attachments[0].ContentType != adaptiveCardMIMEType {
				t.Fatalf("not an Adaptive Card message: %s", raw)
			}
			var card struct {
				Type, Version string
				Body          []map[string]any
			}
			if err := json.Unmarshal(msg.Attachments[0].Content, &card); err != nil {
				t.Fatal(err)
			}
			if card.Type != "AdaptiveCard" || card.Version != "1.5" || len(card.Body) < 2 {
				t.Errorf("card %s %s with %d body elements", card.Type, card.Version, len(card.Body))
			}
			facts := 0
			for _, b := range card.Body {
				switch b["type"] {
				case "TextBlock":
					if s, _ := b["text"].(string); s == "" {
						t.Error("empty TextBlock")
					}
				case "FactSet":
					fs, _ := b["facts"].([]any)
					facts = len(fs)
				default:
					t.Errorf("element %v", b["type"])
				}
			}
			if facts < len(tt.m.Items) && !strings.Contains(string(raw), fmt.Sprintf("and %d more", len(tt.m.Items)-facts)) {
				t.Errorf("%d of %d alerts shown and no \"and N more\" line", facts, len(tt.m.Items))
			}
			checkWithAdaptiveCardsJS(t, msg.Attachments[0].Content)
		})
	}
}

// adaptiveCardsVersion is the pinned release of Microsoft's adaptivecards
// library (Makefile ADAPTIVECARDS_VERSION).
const adaptiveCardsVersion = "3.0.6"

// adaptiveCardsLib finds Microsoft's adaptivecards library and node:
// ADAPTIVECARDS_JS, else where `make adaptivecards` puts dist/adaptivecards.js
// of the pinned npm package (.cache/adaptivecards at the module root, which
// `make test` also passes as ADAPTIVECARDS_JS). err says what is missing.
func adaptiveCardsLib(getenv func(string) string, lookPath func(string) (string, error)) (lib, node string, err error) {
	lib = getenv("ADAPTIVECARDS_JS")
	if lib == "" {
		lib = filepath.Join("..", "..", ".cache", "adaptivecards", "adaptivecards-"+adaptiveCardsVersion+".js")
	}
	if lib, err = filepath.Abs(lib); err != nil {
		return "", "", err
	}
	if _, err := os.Stat(lib); err != nil {
		return "", "", fmt.Errorf("Microsoft's adaptivecards library is not at %s: run `make adaptivecards` (dist/adaptivecards.js of npm adaptivecards@%s) or set ADAPTIVECARDS_JS", lib, adaptiveCardsVersion)
	}
	if node, err = lookPath("node"); err != nil {
		return "", "", fmt.Errorf("node is not installed, so Microsoft's adaptivecards library cannot parse the card: %v", err)
	}
	return lib, node, nil
}

func TestAdaptiveCardsLib(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	js := filepath.Join(dir, "adaptivecards.js")
	if err := os.WriteFile(js, []byte("module.exports = {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	node := func(string) (string, error) { return "/usr/bin/node", nil }
	noNode := func(string) (string, error) { return "", exec.ErrNotFound }
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "ADAPTIVECARDS_JS" {
				return v
			}
			return ""
		}
	}
	if lib, n, err := adaptiveCardsLib(env(js), node); err != nil || lib != js || n != "/usr/bin/node" {
		t.Errorf("ADAPTIVECARDS_JS=%s: %q %q %v", js, lib, n, err)
	}
	for name, tt := range map[string]struct {
		getenv   func(string) string
		lookPath func(string) (string, error)
		want     string
	}{
		"missing_file": {env(filepath.Join(dir, "nope.js")), node, "make adaptivecards"},
		"no_node":      {env(js), noNode, "node is not installed"},
	} {
		if _, _, err := adaptiveCardsLib(tt.getenv, tt.lookPath); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tt.want)
		}
	}
}

// checkWithAdaptiveCardsJS parses a card with Microsoft's adaptivecards
// library (adaptiveCardsLib). Without it the check is skipped with a log
// line, and fails the test with CI=true (.ci/run installs it).
func checkWithAdaptiveCardsJS(t *testing.T, card []byte) {
	t.Helper()
	lib, node, err := adaptiveCardsLib(os.Getenv, exec.LookPath)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v; CI=true makes a missing library a failure", err)
		}
		t.Logf("skipping Microsoft's adaptivecards parser: %v", err)
		return
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "check.js")
	cardFile := filepath.Join(dir, "card.json")
	src := `const AC = require(process.argv[2]);
const card = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
const ctx = new AC.SerializationContext();
const c = new AC.AdaptiveCard();
c.parse(card, ctx);
const out = [];
for (let i = 0; i < ctx.eventCount; i++) out.push(ctx.getEventAt(i).message);
const v = c.validateProperties();
for (const e of v.validationEvents) out.push(e.message);
console.log(JSON.stringify({version: c.version ? c.version.toString() : "", events: out}));`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cardFile, card, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, script, lib, cardFile).Output()
	if err != nil {
		t.Fatalf("adaptivecards: %v", err)
	}
	var res struct {
		Version string
		Events  []string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("adaptivecards answered %s", out)
	}
	if res.Version != adaptiveCardVersion || len(res.Events) > 0 {
		t.Errorf("Microsoft's parser: version %q, events %q", res.Version, res.Events)
	}
}

// msgIDRe is RFC 5322's msg-id in its common dot-atom form (3.6.4).
var msgIDRe = regexp.MustCompile(`^<[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~.-]+@[A-Za-z0-9.-]+>$`)

// TestMailMessage_rfc5322 parses the e-mail with Go's net/mail and checks
// the fields RFC 5322 asks for (Date, From; Message-ID as it SHOULD be
// there), the plain-text part, and the 998-octet line limit.
func TestMailMessage_rfc5322(t *testing.T) {
	t.Parallel()
	m := bigMessage(30)
	m.Items[0].Title = strings.Repeat("x", 5000) + "\r\nBcc: victim@example.com"
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := &webhookSender{rand: func(b []byte) { copy(b, "0123456789ab") }}
	raw, err := mailMessage("Alerts <alerts@example.com>", []string{"oncall@example.com"}, m, now, s.messageID("Alerts <alerts@example.com>", ""))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range bytes.Split(raw, []byte("\r\n")) {
		if len(l) > 998 {
			t.Errorf("line %d has %d octets (RFC 5322 allows 998)", i, len(l))
		}
		if bytes.Contains(l, []byte("\n")) {
			t.Errorf("line %d has a bare LF", i)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(now) {
		t.Errorf("Date %q: %v", msg.Header.Get("Date"), err)
	}
	if id := msg.Header.Get("Message-ID"); !msgIDRe.MatchString(id) || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID %q", id)
	}
	if _, err := mail.ParseAddress(msg.Header.Get("From")); err != nil {
		t.Errorf("From: %v", err)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Error("a title injected a header")
	}
	if subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil || !strings.Contains(subj, "30 opened") {
		t.Errorf("Subject %q: %v", subj, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "text/plain" || params["charset"] != "utf-8" || msg.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("Content-Type %q %v", msg.Header.Get("Content-Type"), err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), strings.Repeat("x", 5000)) || !strings.Contains(string(body), "https://github.com/eco/alerts/issues/30") {
		t.Error("the plain-text part lost content")
	}
}
