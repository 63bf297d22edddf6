package alert

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// smtpReceiver is a tiny SMTP server on 127.0.0.1: EHLO, STARTTLS (with the
// httptest certificate), AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
type smtpReceiver struct {
	ln       net.Listener
	tlsConf  *tls.Config
	mu       sync.Mutex
	tlsUsed  bool
	auth     string
	from     string
	to       []string
	data     string
	sessions int
	// dropAfterData closes the connection instead of answering the end of
	// the first dropAfterData messages (a reply lost after the message was
	// taken); datas keeps every message received.
	dropAfterData int
	datas         []string
}

func startSMTP(t *testing.T, offerTLS bool) (*smtpReceiver, *x509.CertPool) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &smtpReceiver{ln: ln}
	var pool *x509.CertPool
	if offerTLS {
		ts := httptest.NewTLSServer(http.NotFoundHandler())
		t.Cleanup(ts.Close)
		r.tlsConf = &tls.Config{Certificates: ts.TLS.Certificates}
		pool = x509.NewCertPool()
		pool.AddCert(ts.Certificate())
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(c)
		}
	}()
	return r, pool
}

func (r *smtpReceiver) serve(c net.Conn) {
	defer c.Close()
	r.mu.Lock()
	r.sessions++
	r.mu.Unlock()
	rd := bufio.NewReader(c)
	w := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
	w("220 127.0.0.1 test ESMTP")
	secure := false
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		cmd := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			if r.tlsConf != nil && !secure {
				w("250-127.0.0.1")
				w("250-STARTTLS")
				w("250 AUTH PLAIN")
			} else {
				w("250-127.0.0.1")
				w("250 AUTH PLAIN")
			}
		case cmd == "STARTTLS":
			w("220 go ahead")
			tc := tls.Server(c, r.tlsConf)
			if tc.Handshake() != nil {
				return
			}
			c, rd, secure = tc, bufio.NewReader(tc), true
			r.mu.Lock()
			r.tlsUsed = true
			r.mu.Unlock()
		case strings.HasPrefix(cmd, "AUTH PLAIN"):
			dec, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(line[len("AUTH PLAIN"):]))
			r.mu.Lock()
			r.auth = string(dec)
			r.mu.Unlock()
			w("235 2.7.0 accepted")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			r.mu.Lock()
			r.from = line[len("MAIL FROM:"):]
			r.mu.Unlock()
			w("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			r.mu.Lock()
			r.to = append(r.to, line[len("RCPT TO:"):])
			r.mu.Unlock()
			w("250 ok")
		case cmd == "DATA":
			w("354 end with .")
			var b strings.Builder
			for {
				l, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			r.mu.Lock()
			r.data = b.String()
			r.datas = append(r.datas, r.data)
			drop := len(r.datas) <= r.dropAfterData
			r.mu.Unlock()
			if drop {
				return
			}
			w("250 queued")
		case cmd == "QUIT":
			w("221 bye")
			return
		default:
			w("502 unknown")
		}
	}
}

func TestWebhooks_email_over_smtp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		offerTLS bool
	}{{"starttls_when_offered", true}, {"plain_on_loopback", false}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, emulator.Options{})
			srv, pool := startSMTP(t, tt.offerTLS)
			cfg := e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}), 8)
			cfg.Channels = []string{ChannelIssue, ChannelWebhook}
			cfg.SMTPURLs = []string{"smtp://alerts:smtp-secret-pw@" + srv.ln.Addr().String()}
			cfg.Email = EmailConfig{From: "alerts@example.com", To: []string{"ops@example.com", "dev@example.com"}}
			deps := Deps{GitHub: e.gh.Client}
			if pool != nil {
				deps.TLSConfig = &tls.Config{RootCAs: pool}
			}
			res, err := Run(t.Context(), cfg, deps)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Webhooks) != 1 || res.Webhooks[0].Status != "delivered" || res.Webhooks[0].Name != "smtp server #1" {
				t.Fatalf("webhooks %+v", res.Webhooks)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if srv.tlsUsed != tt.offerTLS {
				t.Errorf("TLS used %v, want %v", srv.tlsUsed, tt.offerTLS)
			}
			if srv.auth != "\x00alerts\x00smtp-secret-pw" {
				t.Errorf("auth %q", srv.auth)
			}
			if srv.from != "<alerts@example.com>" || strings.Join(srv.to, ",") != "<ops@example.com>,<dev@example.com>" {
				t.Errorf("envelope from %q to %q", srv.from, srv.to)
			}
			for _, w := range []string{"Subject: Ecosystem alerts in eco/alerts: 1 opened", "[critical] opened: eco/app: health critical", "https://github.com/eco/alerts/issues/1"} {
				if !strings.Contains(srv.data, w) {
					t.Errorf("message lacks %q:\n%s", w, srv.data)
				}
			}
		})
	}
}

func TestParseSMTPURL_never_echoes_the_secret(t *testing.T) {
	t.Parallel()
	_, err := ParseSMTPURL("http://user:hunter2@mail.example.com")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v", err)
	}
	got, err := ParseSMTPURL("smtps://u:p@mail.example.com?from=a@example.com&to=b@example.com,c@example.com")
	if err != nil || got.port != "465" || !got.implicitTLS || got.from != "a@example.com" || len(got.to) != 2 {
		t.Errorf("got %+v, %v", got, err)
	}
}

// TestWebhooks_email_lost_reply_same_message_id: the server takes the
// message and the reply to its end is lost; the retry sends the same
// message with the same Message-ID (made from the delivery id), and the
// result says it may have arrived twice.
func TestWebhooks_email_lost_reply_same_message_id(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, emulator.Options{})
	srv, _ := startSMTP(t, false)
	srv.dropAfterData = 1
	cfg := e.config(t, monitorJSON(t0, map[string]domain{"eco/app": {50, nil}}), 9)
	cfg.Channels = []string{ChannelIssue, ChannelWebhook}
	cfg.SMTPURLs = []string{"smtp://" + srv.ln.Addr().String()}
	cfg.Email = EmailConfig{From: "alerts@example.com", To: []string{"ops@example.com"}}
	cfg.WebhookRetries = 3
	res, err := e.run(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	datas := append([]string(nil), srv.datas...)
	srv.mu.Unlock()
	if len(datas) != 2 {
		t.Fatalf("%d messages received, want 2", len(datas))
	}
	var ids []string
	for _, d := range datas {
		msg, err := mail.ReadMessage(strings.NewReader(d))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, msg.Header.Get("Message-ID"))
	}
	w := res.Webhooks[0]
	want := "<alert." + strings.ReplaceAll(w.DeliveryID, "-", "") + "@example.com>"
	if w.DeliveryID == "" || ids[0] != want || ids[1] != want {
		t.Errorf("Message-IDs %q, want %s twice", ids, want)
	}
	if w.Status != "delivered" || w.Attempts != 2 || w.UncertainAttempts != 1 || !w.PossibleDuplicate {
		t.Errorf("webhook result %+v, want delivered in 2 attempts, 1 uncertain, possible duplicate", w)
	}
}
