package openapitest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTemplateParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, tmpl, path string
		want             map[string]string // nil: no match
	}{
		{"exact", "/repos/{owner}/{repo}/issues/{issue_number}", "/repos/o/r/issues/7", map[string]string{"owner": "o", "repo": "r", "issue_number": "7"}},
		{"greedy_path", "/repos/{owner}/{repo}/contents/{path}", "/repos/o/r/contents/.github/workflows/ci.yml", map[string]string{"owner": "o", "repo": "r", "path": ".github/workflows/ci.yml"}},
		{"greedy_branch", "/repos/{owner}/{repo}/branches/{branch}", "/repos/o/r/branches/cursor/x", map[string]string{"owner": "o", "repo": "r", "branch": "cursor/x"}},
		{"escaped", "/repos/{owner}/{repo}/labels/{name}", "/repos/o/r/labels/good%20first", map[string]string{"owner": "o", "repo": "r", "name": "good first"}},
		{"literal_last_is_no_prefix", "/repos/{owner}/{repo}/branches", "/repos/o/r/branches/main", nil},
		{"param_not_greedy", "/repos/{owner}/{repo}/issues/{issue_number}", "/repos/o/r/issues/7/labels", nil},
		{"literal_differs", "/repos/{owner}/{repo}/pulls", "/repos/o/r/issues", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := TemplateParams(tt.tmpl, tt.path)
			if ok != (tt.want != nil) {
				t.Fatalf("TemplateParams(%q, %q) matched %v, want %v", tt.tmpl, tt.path, ok, tt.want != nil)
			}
			if diff := cmp.Diff(tt.want, got); ok && diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	d := &Description{Operations: map[string]string{
		"GET /repos/{owner}/{repo}/branches":                      "repos/list-branches",
		"GET /repos/{owner}/{repo}/branches/{branch}":             "repos/get-branch",
		"GET /repos/{owner}/{repo}/contents/{path}":               "repos/get-content",
		"GET /repos/{owner}/{repo}/issues/{issue_number}":         "issues/get",
		"GET /repos/{owner}/{repo}/issues/comments/{comment_id}":  "issues/get-comment",
		"POST /repos/{owner}/{repo}/issues/{issue_number}/labels": "issues/add-labels",
	}}
	tests := []struct{ method, path, want string }{
		{"GET", "/repos/o/r/branches", "repos/list-branches"},
		{"GET", "/repos/o/r/branches/feature/x", "repos/get-branch"},
		{"GET", "/repos/o/r/contents/a/b/c.md", "repos/get-content"},
		{"GET", "/repos/o/r/issues/comments/9", "issues/get-comment"},
		{"GET", "/repos/o/r/issues/9", "issues/get"},
		{"POST", "/repos/o/r/issues/9/labels", "issues/add-labels"},
		{"GET", "/repos/o/r/issues/9/labels", ""},
		{"DELETE", "/repos/o/r/branches", ""},
	}
	for _, tt := range tests {
		_, got, ok := d.Match(tt.method, tt.path)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("Match(%s %s) = %q, %v; want %q", tt.method, tt.path, got, ok, tt.want)
		}
	}
}
