package ghclient

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestReason(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://api.github.com/repos/o/r/git/refs/heads/x?token=secret")
	resp := &http.Response{StatusCode: http.StatusUnprocessableEntity, Request: &http.Request{Method: "DELETE", URL: u}}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{
			name: "error_response_with_messages_and_fields",
			err: fmt.Errorf("failed to delete: %w", &github.ErrorResponse{Response: resp, Message: "Validation Failed",
				Errors: []github.Error{{Message: "Reference does not exist"}, {Field: "sha", Code: "missing"}}}),
			want: "HTTP 422: Validation Failed; Reference does not exist; sha missing",
		},
		{name: "other_error", err: errors.New("connection reset"), want: "connection reset"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Reason(tc.err)
			if got != tc.want {
				t.Errorf("Reason() = %q, want %q", got, tc.want)
			}
			if strings.Contains(got, "secret") || strings.Contains(got, "api.github.com") {
				t.Errorf("Reason() = %q carries the URL", got)
			}
		})
	}
}
