package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator/openapitest"
)

// TestConformanceRefusals sends, for every write operation with a JSON
// body, its conformance success case with one top-level property replaced
// by a value of another type (null, true, 12345, "x", [], {}, [null]) and
// keeps the variants GitHub's description refuses (openapi3filter); GitHub
// answers those 422 ("Invalid request.\n\nFor 'properties/assignees', nil
// is not an array."), so the emulator must too, with a validation-error
// body, and change nothing.
func TestConformanceRefusals(t *testing.T) {
	t.Parallel()
	doc := loadDescription(t)
	s := StartForTest(t, conformanceFixture(t), Options{Now: fixedNow, SecondaryLimit: -1})
	hc := HTTPClientForTest(t)
	routes := map[string]Route{}
	for _, r := range Routes() {
		routes[r.OperationID] = r
	}
	seen := map[string]bool{}
	var sent, refused, ops int
	for _, cc := range conformanceCases() {
		if cc.status >= 300 || !isWrite(cc.method) || cc.token != "" || cc.fault != "" || seen[cc.op] {
			continue
		}
		var base map[string]any
		if json.Unmarshal([]byte(cc.body), &base) != nil {
			continue
		}
		rt := routes[cc.op]
		item := doc.Paths.Find(rt.Path)
		op := item.GetOperation(cc.method)
		if op == nil || op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
			continue
		}
		schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
		if schema == nil || len(schema.Properties) == 0 {
			continue
		}
		seen[cc.op] = true
		ops++
		var names []string
		for n := range schema.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		route := &routers.Route{Spec: doc.T, Path: rt.Path, PathItem: item, Method: cc.method, Operation: op}
		for _, name := range names {
			for _, bad := range []any{nil, true, 12345, "x", []any{}, map[string]any{}, []any{nil}} {
				body := map[string]any{}
				for k, v := range base {
					body[k] = v
				}
				body[name] = bad
				raw, _ := json.Marshal(body)
				req, err := http.NewRequest(cc.method, s.URL()+cc.path, strings.NewReader(string(raw)))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("User-Agent", "conformance")
				req.Header.Set("Accept", "application/vnd.github+json")
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer conformance")
				params, _ := openapitest.TemplateParams(rt.Path, req.URL.EscapedPath())
				vreq := req.Clone(context.Background())
				vreq.Body = io.NopCloser(strings.NewReader(string(raw)))
				in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
					Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
				if openapi3filter.ValidateRequest(context.Background(), in) == nil {
					continue // the description accepts this value
				}
				if err := s.Reset(); err != nil {
					t.Fatal(err)
				}
				sent++
				resp, err := hc.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				answer, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("%s %s with %s: %s → %d, want 422 (the description refuses it): %s", cc.method, cc.path, name, jsonText(bad), resp.StatusCode, openapitest.Clip(answer))
					continue
				}
				errs, _ := openapitest.ValidateAnswer(doc, in, op, resp.StatusCode, resp.Header, answer)
				if len(errs) > 0 {
					t.Errorf("%s %s with %s: %s → 422 departs: %s", cc.method, cc.path, name, jsonText(bad), strings.Join(errs, "; "))
					continue
				}
				refused++
			}
		}
	}
	if ops == 0 {
		t.Fatal("no write operation with a JSON body among the conformance cases: the test proves nothing")
	}
	t.Logf("refusals: %d operations, %d requests the description refuses, %d answered 422", ops, sent, refused)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("%s", b)
}
