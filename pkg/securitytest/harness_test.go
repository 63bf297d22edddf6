package securitytest

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	alertentry "github.com/sparesparrow/ecosystem-actions/action-alert/entry"
	fixerentry "github.com/sparesparrow/ecosystem-actions/action-fixer/entry"
	monitorentry "github.com/sparesparrow/ecosystem-actions/action-monitor/entry"
	staleentry "github.com/sparesparrow/ecosystem-actions/action-stale/entry"
	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner/runnertest"
)

// entryPoint is one action as its main.go runs it.
type entryPoint struct {
	name string
	spec runner.Spec
	run  func(context.Context, *runner.Run) error
}

// entries are the four actions.
func entries() map[string]entryPoint {
	return map[string]entryPoint{
		"monitor": {"monitor", monitorentry.Spec(), monitorentry.Run},
		"fixer":   {"fixer", fixerentry.Spec(), fixerentry.Run},
		"stale":   {"stale", staleentry.Spec(), staleentry.Run},
		"alert":   {"alert", alertentry.Spec(), alertentry.Run},
	}
}

// repoRoot is the repository root (the tests run in pkg/securitytest).
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// exampleFixture loads the example ecosystem (testdata/ecosystem).
func exampleFixture(t testing.TB) *emulator.Fixture {
	t.Helper()
	f, err := emulator.LoadFixture(filepath.Join(repoRoot(t), "testdata", "ecosystem", "ecosystem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// sent is a request as it reached a server: method, URL, body and the
// token it carried.
type sent struct {
	Method, URL string
	Body        []byte
	Token       string
}

// recorder keeps every request a handler receives, body included, and
// passes it on.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []sent
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, sent{Method: r.Method, URL: r.URL.RequestURI(), Body: body, Token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")})
	rc.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if rc.next == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	rc.next.ServeHTTP(w, r)
}

func (rc *recorder) requests() []sent {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]sent(nil), rc.reqs...)
}

// emulatorServer starts the emulator on f behind a recorder.
func emulatorServer(t testing.TB, f *emulator.Fixture, now time.Time) (*emulator.Server, *recorder, string) {
	t.Helper()
	srv, err := emulator.NewChecked(f, emulator.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{next: srv}
	hs := httptest.NewServer(rec)
	t.Cleanup(hs.Close)
	srv.SetURL(hs.URL)
	return srv, rec, hs.URL
}

// smtpSink is a minimal SMTP server (RFC 5321: greeting, EHLO/HELO, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT) that keeps every message it is given.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs [][]byte
}

func startSMTP(t testing.TB) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) addr() string { return s.ln.Addr().String() }

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = io.WriteString(c, line+"\r\n") }
	say("220 sink ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "DATA"):
			say("354 go ahead")
			var msg bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				msg.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, msg.Bytes())
			s.mu.Unlock()
			say("250 queued")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 bye")
			return
		default: // MAIL, RCPT, RSET, NOOP
			say("250 ok")
		}
	}
}

func (s *smtpSink) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.msgs...)
}

// stepRun is what one step of a chain left behind.
type stepRun struct {
	id string
	runnertest.Step
	outputs map[string]string
}

// chain is DemoChain run in-process, each step through its entry package
// the way the runner runs a container step (runnertest.Execute: INPUT_*,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), against one emulator.
type chain struct {
	workspace string
	steps     []stepRun
}

// runDemoChain runs steps in order; with (when not nil) adds inputs to a
// step; token is github.token.
func runDemoChain(t *testing.T, apiURL string, now time.Time, token string, steps []containertest.Step) *chain {
	t.Helper()
	ws := t.TempDir()
	c := &chain{workspace: ws}
	ctx := containertest.GitHubContextForTest()
	ctx.GitHub["token"] = token
	ctx.GitHub["workspace"] = ws
	ctx.Env = map[string]string{"REPORTS": filepath.Join(ws, "reports")}
	ctx.Steps = map[string]map[string]string{}
	eps := entries()
	for _, st := range steps {
		a, err := containertest.LoadAction(filepath.Join(repoRoot(t), "action-"+st.Action))
		if err != nil {
			t.Fatal(err)
		}
		inputs, _, err := a.InputEnv(st.With, ctx)
		if err != nil {
			t.Fatalf("step %s: %v", st.ID, err)
		}
		paths := containertest.Paths{Workspace: ws, Temp: filepath.Join(ws, "_temp"), Home: filepath.Join(ws, "_home"), Workflow: filepath.Join(ws, "_workflow")}
		env := map[string]string{}
		for _, kv := range append(containertest.StepEnv(ctx, apiURL, paths, nil), inputs...) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		ep := eps[st.Action]
		res := runnertest.Execute(t, ep.spec, ep.run, env, nil, now)
		outs, err := containertest.Outputs([]byte(res.Outputs))
		if err != nil {
			t.Fatalf("step %s: outputs: %v", st.ID, err)
		}
		ctx.Steps[st.ID] = outs
		c.steps = append(c.steps, stepRun{id: st.ID, Step: res, outputs: outs})
	}
	return c
}

// files returns the path and content of every file under dirs.
func files(t testing.TB, dirs ...string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[p] = b
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// contextWith returns r's context carrying hit, for routeMatcher.
func contextWith(r *http.Request, hit *routeHit) context.Context {
	return context.WithValue(r.Context(), hitKey{}, hit)
}
