package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestBodyTypeMessages checks the words of GitHub's 422 for a body of the
// wrong type, as GitHub's answers quote them (for example
// https://github.com/ixxmu/mp_duty/issues/3639: PATCH …/issues/3639:
// "Invalid request.\n\nFor 'items', nil is not a string or object."), and
// that the refused write changed nothing.
func TestBodyTypeMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path, body, want string
	}{
		{"null_array", "PATCH", "/repos/acme/tools/issues/1", `{"assignees":null}`, "Invalid request.\n\nFor 'properties/assignees', nil is not an array."},
		{"null_item", "PATCH", "/repos/acme/tools/issues/1", `{"labels":[null]}`, "Invalid request.\n\nFor 'items', nil is not a string or object."},
		{"string_for_boolean", "POST", "/repos/acme/tools/pulls", `{"head":"feature/x","base":"master","title":"t","draft":"true"}`, "Invalid request.\n\nFor 'properties/draft', \"true\" is not a boolean."},
		{"number_for_string", "POST", "/repos/acme/tools/issues/1/comments", `{"body":5}`, "Invalid request.\n\nFor 'properties/body', 5 is not a string."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, nil)
			req, err := http.NewRequest(tt.method, s.URL()+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("User-Agent", "test")
			req.Header.Set("Authorization", "Bearer test-token")
			resp, err := HTTPClientForTest(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var got struct{ Message string }
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%d %s", resp.StatusCode, b)
			}
			if resp.StatusCode != http.StatusUnprocessableEntity || got.Message != tt.want {
				t.Errorf("%d %q, want 422 %q", resp.StatusCode, got.Message, tt.want)
			}
			if n := len(s.State().Repositories[0].Pulls); tt.method == "POST" && strings.HasSuffix(tt.path, "/pulls") && n != len(testFixture().Repositories[0].Pulls) {
				t.Errorf("the refused pull request was created (%d pulls)", n)
			}
		})
	}
}
