package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const fixture = `reference_time: 2026-01-01T00:00:00Z
repositories:
  - owner: acme
    name: tools
    default_branch: main
    pushed_at: 2025-12-31T00:00:00Z
`

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f.yaml")
	if err := os.WriteFile(path, []byte(fixture), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-fixture", path, "-now", "2026-01-01T00:00:00Z", "-quiet",
			"-fault", "kind=503,path=/user"}, pw, io.Discard)
		pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url = strings.TrimSpace(url)
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", url+path, nil)
		req.Header.Set("User-Agent", "t")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/api/v3/repos/acme/tools"); code != 200 || !strings.Contains(body, `"pushed_at":"2025-12-31T00:00:00Z"`) {
		t.Errorf("repo = %d %s", code, body)
	}
	if code, _ := get("/user"); code != 503 {
		t.Errorf("/user = %d, want the injected 503", code)
	}
	if code, body := get("/_emulator/requests"); code != 200 || !strings.Contains(body, `"/user"`) {
		t.Errorf("requests = %d %s", code, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit code %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{name: "bad_fault", args: []string{"-fault", "kind=nope"}, want: exitUsage},
		{name: "bad_now", args: []string{"-now", "yesterday"}, want: exitUsage},
		{name: "missing_fixture", args: []string{"-fixture", "/nonexistent.yaml"}, want: exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr strings.Builder
			if got := run(context.Background(), tt.args, io.Discard, &stderr); got != tt.want {
				t.Errorf("exit %d, want %d (stderr %s)", got, tt.want, stderr.String())
			}
		})
	}
}
