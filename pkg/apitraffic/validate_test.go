package apitraffic

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator/openapitest"
)

// TestValidateCatchesDepartures feeds validate requests GitHub's
// description refuses and answers it does not declare, so the traffic test
// is known to fail on them; and one exchange that conforms.
func TestValidateCatchesDepartures(t *testing.T) {
	t.Parallel()
	desc, err := description()
	d := openapitest.Require(t, desc, err)
	json := http.Header{"Content-Type": {"application/json"}}
	issue := `{"id":1,"node_id":"x","url":"https://api.github.com/repos/o/r/issues/1","repository_url":"https://api.github.com/repos/o/r","labels_url":"https://api.github.com/repos/o/r/issues/1/labels{/name}","comments_url":"https://api.github.com/repos/o/r/issues/1/comments","events_url":"https://api.github.com/repos/o/r/issues/1/events","html_url":"https://github.com/o/r/issues/1","number":1,"state":"open","title":"t","user":null,"labels":[],"assignee":null,"assignees":[],"milestone":null,"locked":false,"active_lock_reason":null,"comments":0,"closed_at":null,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","author_association":"OWNER"}`
	tests := []struct {
		name string
		ex   emulator.Exchange
		want string // in one of the departures; "" conforms
	}{
		{"conforms", emulator.Exchange{Method: "PATCH", Path: "/repos/o/r/issues/1", Header: json, Body: []byte(`{"assignees":[]}`), Status: 200, ResponseHeader: json, ResponseBody: []byte(issue)}, ""},
		{"null_for_an_array", emulator.Exchange{Method: "PATCH", Path: "/repos/o/r/issues/1", Header: json, Body: []byte(`{"assignees":null}`), Status: 200, ResponseHeader: json, ResponseBody: []byte(issue)}, "assignees"},
		{"missing_required_field", emulator.Exchange{Method: "POST", Path: "/repos/o/r/issues", Header: json, Body: []byte(`{"body":"no title"}`), Status: 201, ResponseHeader: json, ResponseBody: []byte(issue)}, "title"},
		{"label_of_the_wrong_type", emulator.Exchange{Method: "POST", Path: "/repos/o/r/issues/1/labels", Header: json, Body: []byte(`{"labels":[7]}`), Status: 200, ResponseHeader: json, ResponseBody: []byte(`[]`)}, "request"},
		{"undocumented_query_parameter", emulator.Exchange{Method: "GET", Path: "/repos/o/r/pulls", Query: "state=open&sort_by=age", Status: 200, ResponseHeader: json, ResponseBody: []byte(`[]`)}, `"sort_by"`},
		{"value_outside_the_enum", emulator.Exchange{Method: "GET", Path: "/repos/o/r/pulls", Query: "state=merged", Status: 200, ResponseHeader: json, ResponseBody: []byte(`[]`)}, "state"},
		{"body_where_none_is_taken", emulator.Exchange{Method: "DELETE", Path: "/repos/o/r/labels/x", Header: json, Body: []byte(`{"name":"x"}`), Status: 204}, "takes none"},
		{"no_such_operation", emulator.Exchange{Method: "POST", Path: "/repos/o/r/issues/1/stale", Status: 404}, "no operation"},
		{"wrong_method", emulator.Exchange{Method: "PUT", Path: "/repos/o/r/issues/1/comments", Status: 404}, "no operation"},
		{"answer_of_the_wrong_shape", emulator.Exchange{Method: "GET", Path: "/repos/o/r/pulls", Status: 200, ResponseHeader: json, ResponseBody: []byte(`{"pulls":[]}`)}, "answer departs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := validate(d, tt.ex)
			got := strings.Join(errs, "\n")
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("departures for a conforming exchange:\n%s", got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("departures %q, want one naming %q", got, tt.want)
			}
		})
	}
}
