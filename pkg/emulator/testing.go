package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// StartForTest starts the emulator on a local httptest server that is
// closed by t.Cleanup. Point go-github at s.URL()+"/". An invalid fixture
// or fault fails the test.
func StartForTest(t testing.TB, f *Fixture, opts Options) *Server {
	t.Helper()
	s, err := NewChecked(f, opts)
	if err != nil {
		t.Fatalf("failed to start emulator: %v", err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	s.SetURL(ts.URL)
	return s
}

// HTTPClientForTest is an HTTP client with its own transport, whose idle
// connections t.Cleanup closes. Tests must not talk to a server through
// http.DefaultClient or http.DefaultTransport (go-github's NewClient(nil)):
// httptest.Server.Close calls http.DefaultTransport.CloseIdleConnections, so
// a parallel test closing its server would close their keep-alive
// connections too, now and then while a response is handed over on one
// ("net/http: HTTP/1.x transport connection broken: http:
// CloseIdleConnections called").
func HTTPClientForTest(t testing.TB) *http.Client {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// ExampleFixturePath is the absolute path of the example ecosystem fixture
// (<module root>/testdata/ecosystem/ecosystem.yaml), found from this
// source file so it works from any package's tests.
func ExampleFixturePath() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("testdata", "ecosystem", "ecosystem.yaml")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "ecosystem", "ecosystem.yaml")
}

// ExampleAppKey is the PEM private key of the example ecosystem's GitHub
// App (ecosystem-actions-bot, id 1012345, installation 59123456): a test
// key of no value anywhere else. Sign app JWTs with it (AppJWT) to mint
// installation tokens against a server running the example fixture.
func ExampleAppKey() (string, error) {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(ExampleFixturePath()), "apps", "ecosystem-bot.private-key.pem"))
	if err != nil {
		return "", fmt.Errorf("failed to read the example app's key: %w", err)
	}
	return string(b), nil
}
