package ghclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
)

// blobServer serves a job log the way GitHub's storage does: on another
// host, behind the pre-signed URL the logs endpoint redirects to. It records
// the Authorization headers it saw.
type blobServer struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newBlobServer(t *testing.T, status int, body string) *blobServer {
	b := &blobServer{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.auths = append(b.auths, r.Header.Get("Authorization"))
		b.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(b.Close)
	return b
}

// logsEndpoint answers GET .../actions/jobs/{id}/logs with a 302 to blob.
func logsEndpoint(blob *blobServer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/actions/jobs/7/logs") {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, blob.URL+"/logs/7.txt?sig=abc", http.StatusFound)
	}
}

func TestJobLog(t *testing.T) {
	t.Parallel()
	const logText = "2026-11-20T10:00:00Z ##[error]Process completed with exit code 1.\n"
	t.Run("ghclient_client_never_sends_the_token_to_the_blob_host", func(t *testing.T) {
		t.Parallel()
		blob := newBlobServer(t, 200, logText)
		c, _, _ := newTestClient(t, logsEndpoint(blob), nil)
		rc, err := JobLog(context.Background(), c.Client, nil, "o", "r", 7)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		got, _ := io.ReadAll(rc)
		if string(got) != logText {
			t.Errorf("log = %q", got)
		}
		if len(blob.auths) != 1 || blob.auths[0] != "" {
			t.Errorf("the blob host saw Authorization %q", blob.auths)
		}
		if s := c.Stats(); s.Requests < 2 {
			t.Errorf("the download was not counted: %+v", s)
		}
	})
	t.Run("other_go_github_client_uses_a_plain_http_client", func(t *testing.T) {
		t.Parallel()
		blob := newBlobServer(t, 200, logText)
		api := httptest.NewServer(logsEndpoint(blob))
		t.Cleanup(api.Close)
		gh, err := github.NewClient(nil).WithAuthToken("secret").WithEnterpriseURLs(api.URL+"/", api.URL+"/")
		if err != nil {
			t.Fatal(err)
		}
		rc, err := JobLog(context.Background(), gh, nil, "o", "r", 7)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if len(blob.auths) != 1 || blob.auths[0] != "" {
			t.Errorf("the blob host saw Authorization %q", blob.auths)
		}
	})
	t.Run("expired_url_is_an_error", func(t *testing.T) {
		t.Parallel()
		blob := newBlobServer(t, http.StatusForbidden, "<Error>AuthenticationFailed</Error>")
		c, _, _ := newTestClient(t, logsEndpoint(blob), nil)
		_, err := JobLog(context.Background(), c.Client, nil, "o", "r", 7)
		if err == nil || !strings.Contains(err.Error(), "job 7") || !strings.Contains(err.Error(), "403") {
			t.Errorf("JobLog() error = %v, want one naming job 7 and the 403", err)
		}
	})
}
