package emulator

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// nullableFields are fields the 2022-11-28 description declares nullable
// (NOTES §1); the emulator may answer null where the example has a value.
var nullableFields = map[string]bool{
	"description": true, "homepage": true, "language": true, "license": true, "mirror_url": true,
	"milestone": true, "assignee": true, "closed_at": true, "merged_at": true, "merge_commit_sha": true,
	"body": true, "closed_by": true, "completed_at": true, "conclusion": true, "status": true,
	"head_branch": true, "runner_id": true, "runner_name": true, "runner_group_id": true,
	"runner_group_name": true, "workflow_name": true, "active_lock_reason": true, "state_reason": true,
	"type": true, "auto_merge": true, "template_repository": true, "pushed_at": true, "head_commit": true,
	"user": true, "started_at": true, "due_on": true, "created_at": true, "pin": true, "minimized": true,
	"pinned_comment": true, "signature": true, "payload": true, "verified_at": true,
	"performed_via_github_app": true, "html_url": true, "gravatar_id": true,
}

// optionalPaths may be absent: the description marks them optional and
// the emulator's comparable object legitimately lacks them.
var optionalPaths = map[string]string{
	".parent":       "present only on forks",
	".source":       "present only on forks",
	".pull_request": "present only when the issue is a pull request",
}

// emptyArraysAllowed may be empty in the emulator's answer although the
// example's array has an element (so their items are not compared).
var emptyArraysAllowed = map[string]bool{
	"requested_reviewers": true, "requested_teams": true, "contexts": true, "checks": true, "files": true,
	"pull_requests": true, "topics": true,
}

// compareShape reports every field of example missing from got or of a
// different JSON type, recursing into objects and first array elements.
func compareShape(path string, example, got any, problems *[]string) {
	if example == nil {
		return
	}
	name := path[strings.LastIndex(path, ".")+1:]
	name = strings.TrimSuffix(name, "[]")
	if got == nil {
		if !nullableFields[name] {
			*problems = append(*problems, fmt.Sprintf("%s: null, example has %s", path, jsonType(example)))
		}
		return
	}
	if jsonType(example) != jsonType(got) {
		*problems = append(*problems, fmt.Sprintf("%s: %s, example has %s", path, jsonType(got), jsonType(example)))
		return
	}
	switch ex := example.(type) {
	case map[string]any:
		g := got.(map[string]any)
		keys := make([]string, 0, len(ex))
		for k := range ex {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "." + k
			v, ok := g[k]
			if !ok {
				if _, opt := optionalPaths[p]; !opt {
					*problems = append(*problems, p+": missing")
				}
				continue
			}
			compareShape(p, ex[k], v, problems)
		}
	case []any:
		g := got.([]any)
		if len(ex) == 0 {
			return
		}
		if len(g) == 0 {
			if !emptyArraysAllowed[name] {
				*problems = append(*problems, path+": empty array, so its items cannot be compared")
			}
			return
		}
		compareShape(path+"[]", ex[0], g[0], problems)
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

func readExample(t *testing.T, name string) (any, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "github-api-examples", name))
	if err != nil {
		t.Fatalf("failed to read example: %v", err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("failed to parse example %s: %v", name, err)
	}
	return v, b
}

type shapeRequest struct {
	method, path, body string
}

// TestShapesMatchExamples fetches, for each example of an endpoint the
// emulator serves, a comparable object and checks every field of the
// example exists with the same JSON type.
func TestShapesMatchExamples(t *testing.T) {
	t.Parallel()
	body := func(name string) string {
		_, b := readExample(t, name)
		return string(b)
	}
	tests := []struct {
		example string
		setup   []shapeRequest
		req     shapeRequest
		status  int
	}{
		{example: "repo.json", req: shapeRequest{"GET", "/repos/acme/tools", ""}, status: 200},
		{example: "org-repos.json", req: shapeRequest{"GET", "/orgs/acme/repos?sort=full_name", ""}, status: 200},
		{example: "repo-events.json", req: shapeRequest{"GET", "/repos/acme/tools/events", ""}, status: 200},
		{example: "workflow-runs.json", req: shapeRequest{"GET", "/repos/acme/tools/actions/runs?branch=master&status=failure", ""}, status: 200},
		{example: "run-jobs.json", req: shapeRequest{"GET", "/repos/acme/tools/actions/runs/900/jobs", ""}, status: 200},
		{example: "pulls.json", req: shapeRequest{"GET", "/repos/acme/tools/pulls?head=acme:feature/x", ""}, status: 200},
		{example: "branches.json", req: shapeRequest{"GET", "/repos/acme/tools/branches?protected=true", ""}, status: 200},
		{example: "branch.json", req: shapeRequest{"GET", "/repos/acme/tools/branches/master", ""}, status: 200},
		{example: "commit.json", req: shapeRequest{"GET", "/repos/acme/tools/commits/master", ""}, status: 200},
		{example: "issues.json", req: shapeRequest{"GET", "/repos/acme/tools/issues?labels=enhancement", ""}, status: 200},
		{example: "issue.json", req: shapeRequest{"POST", "/repos/acme/tools/issues", body("issue-create-request.json")}, status: 201},
		{example: "issue.json", setup: []shapeRequest{{"PATCH", "/repos/acme/tools/issues/1", `{"state":"closed"}`}},
			req: shapeRequest{"PATCH", "/repos/acme/tools/issues/1", body("issue-update-request.json")}, status: 200},
		{example: "issue-comment.json", req: shapeRequest{"POST", "/repos/acme/tools/issues/1/comments", body("issue-comment-request.json")}, status: 201},
		{example: "labels-add.json", req: shapeRequest{"POST", "/repos/acme/tools/issues/1/labels", body("labels-add-request.json")}, status: 200},
		{example: "labels-remove.json", setup: []shapeRequest{{"POST", "/repos/acme/tools/issues/1/labels", `{"labels":["stale"]}`}},
			req: shapeRequest{"DELETE", "/repos/acme/tools/issues/1/labels/stale", ""}, status: 200},
		{example: "search-issues.json", req: shapeRequest{"GET", "/search/issues?q=" + "repo:acme/tools+is:pr+label:enhancement", ""}, status: 200},
		{example: "rate-limit.json", req: shapeRequest{"GET", "/rate_limit", ""}, status: 200},
		{example: "workflow-dispatch-response.json", req: shapeRequest{"POST", "/repos/acme/tools/actions/workflows/ci.yml/dispatches",
			`{"ref":"master","inputs":{"level":"1"},"return_run_details":true}`}, status: 200},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.example, ".json")+"_"+strings.ToLower(tt.req.method), func(t *testing.T) {
			t.Parallel()
			s := start(t, nil)
			for _, r := range tt.setup {
				if resp, b := rawDo(t, s, r.method, r.path, r.body, nil); resp.StatusCode >= 300 {
					t.Fatalf("setup %s %s = %d %s", r.method, r.path, resp.StatusCode, b)
				}
			}
			resp, b := rawDo(t, s, tt.req.method, tt.req.path, tt.req.body, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s = %d %s, want %d", tt.req.method, tt.req.path, resp.StatusCode, b, tt.status)
			}
			var got any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			example, _ := readExample(t, tt.example)
			var problems []string
			compareShape("", example, got, &problems)
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

// TestShapeComparison checks the checker itself.
func TestShapeComparison(t *testing.T) {
	t.Parallel()
	parse := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name    string
		example string
		got     string
		want    []string
	}{
		{name: "equal", example: `{"a":1,"b":{"c":"x"}}`, got: `{"a":2,"b":{"c":"y"},"extra":true}`},
		{name: "missing_nested", example: `{"b":{"c":"x"}}`, got: `{"b":{}}`, want: []string{".b.c: missing"}},
		{name: "wrong_type", example: `{"id":1}`, got: `{"id":"1"}`, want: []string{".id: string, example has number"}},
		{name: "nullable_allowed", example: `{"milestone":{"x":1}}`, got: `{"milestone":null}`},
		{name: "null_not_allowed", example: `{"number":1}`, got: `{"number":null}`, want: []string{".number: null, example has number"}},
		{name: "first_array_item", example: `[{"id":1,"labels":[{"n":"x"}]}]`, got: `[{"id":1,"labels":[{}]}]`, want: []string{"[].labels[].n: missing"}},
		{name: "empty_array", example: `{"steps":[{"a":1}]}`, got: `{"steps":[]}`, want: []string{".steps: empty array, so its items cannot be compared"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			compareShape("", parse(tt.example), parse(tt.got), &got)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems = %q, want %q", got, tt.want)
			}
		})
	}
}
