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

func TestNeededPermission(t *testing.T) {
	t.Parallel()
	forbidden := func(header string) error {
		h := http.Header{}
		if header != "" {
			h.Set("X-Accepted-GitHub-Permissions", header)
		}
		return fmt.Errorf("list runs: %w", &github.ErrorResponse{Response: &http.Response{StatusCode: http.StatusForbidden, Header: h},
			Message: "Resource not accessible by integration"})
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"one_permission", forbidden("actions=read"), "actions: read"},
		// The example of GitHub's changelog: alternatives separated by ";".
		{"alternatives_take_the_first", forbidden("repository_projects=write; organization_projects=admin"), "repository-projects: write"},
		{"several_in_one_set", forbidden("contents=read,pull_requests=write"), "contents: read, pull-requests: write"},
		{"no_header", forbidden(""), ""},
		{"not_a_403", &github.ErrorResponse{Response: &http.Response{StatusCode: 500, Header: http.Header{"X-Accepted-Github-Permissions": {"actions=read"}}}}, ""},
		{"not_an_api_error", errors.New("connection reset"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := NeededPermission(tc.err); got != tc.want {
				t.Errorf("NeededPermission() = %q, want %q", got, tc.want)
			}
		})
	}
}
