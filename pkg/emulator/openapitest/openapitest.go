// Package openapitest loads GitHub's OpenAPI description of the REST API
// (npm @octokit/openapi, pinned; `make openapi` puts it in .cache/openapi)
// for tests, and validates requests and answers against it with
// kin-openapi's openapi3filter. The emulator's conformance test checks the
// emulator's answers with it; pkg/apitraffic checks what the actions send.
//
// It does not import the emulator (the emulator's own tests use it).
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Version is the pinned @octokit/openapi release (Makefile OPENAPI_VERSION).
const Version = "23.0.2"

// File is where `make openapi` puts the description; the ECOSYSTEM_OPENAPI
// environment variable overrides it.
func File() string {
	if p := os.Getenv("ECOSYSTEM_OPENAPI"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	return filepath.Join(root, ".cache", "openapi", "api.github.com-"+Version+".json")
}

// Description is GitHub's description trimmed to some paths.
type Description struct {
	*openapi3.T
	// OneOfs, AllOfs and Formats count the schemas read differently (see
	// Load).
	OneOfs, AllOfs, Formats int
	// Operations maps "METHOD /path/template" to the operationId for every
	// operation of the whole description, the trimmed-away ones included,
	// so a request outside the kept paths can be named.
	Operations map[string]string
}

// Load reads the description, keeps the paths given (with every component
// they reference, and the schemas named in schemas) and loads that: the
// whole document takes over a minute to load under -race, a trimmed one
// seconds. A missing file is an error satisfying os.IsNotExist.
//
// Two kinds of schema are read the way their authors evidently meant
// them, since as written no answer can match:
//
//   - a oneOf without a discriminator is read as anyOf: its alternatives
//     overlap (basic-error and repository-rule-violation-error have no
//     required properties, so every error body matches both; the Events
//     API's payload oneOf includes public-event, which matches anything),
//     and oneOf demands exactly one match.
//   - apps/list-installations declares the account allOf simple-user and
//     enterprise; the installation schema every other operation uses
//     says anyOf, and no account is both.
//   - a query parameter whose description says it takes the search syntax
//     (the workflow runs lists' created: ">=2026-11-13", "a..b") loses its
//     format date-time, which only a bare date-time would match.
func Load(paths, schemas []string) (*Description, error) {
	raw, err := os.ReadFile(File())
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", File(), err)
	}
	if v, _ := doc["info"].(map[string]any)["version"].(string); v != Version {
		return nil, fmt.Errorf("%s is @octokit/openapi %q, want %s (run make openapi)", File(), v, Version)
	}
	d := &Description{Operations: map[string]string{}}
	all, _ := doc["paths"].(map[string]any)
	for p, item := range all {
		ops, _ := item.(map[string]any)
		for m, op := range ops {
			if o, ok := op.(map[string]any); ok {
				if id, ok := o["operationId"].(string); ok {
					d.Operations[strings.ToUpper(m)+" "+p] = id
				}
			}
		}
	}
	keep := map[string]any{}
	for _, p := range paths {
		if item, ok := all[p]; ok {
			keep[p] = item
		}
	}
	comps, _ := doc["components"].(map[string]any)
	need := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && strings.HasPrefix(ref, "#/components/") && !need[ref] {
				need[ref] = true
				kind, name, _ := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
				walk(comps[kind].(map[string]any)[name])
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(keep)
	for _, extra := range append([]string{"basic-error", "validation-error", "validation-error-simple"}, schemas...) {
		walk(map[string]any{"$ref": "#/components/schemas/" + extra})
	}
	trimmed := map[string]any{}
	for ref := range need {
		kind, name, _ := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
		m, _ := trimmed[kind].(map[string]any)
		if m == nil {
			m = map[string]any{}
			trimmed[kind] = m
		}
		m[name] = comps[kind].(map[string]any)[name]
	}
	doc["paths"], doc["components"] = keep, trimmed
	d.applyErrata(doc)
	delete(doc, "webhooks")
	delete(doc, "x-webhooks")
	small, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	d.T, err = openapi3.NewLoader().LoadFromData(small)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Description) applyErrata(v any) {
	switch v := v.(type) {
	case map[string]any:
		if alts, ok := v["oneOf"]; ok && v["discriminator"] == nil {
			delete(v, "oneOf")
			v["anyOf"] = alts
			d.OneOfs++
		}
		if alts, ok := v["allOf"].([]any); ok && len(alts) == 2 {
			a, _ := alts[0].(map[string]any)
			b, _ := alts[1].(map[string]any)
			if a != nil && b != nil && a["title"] == "Simple User" && b["title"] == "Enterprise" {
				delete(v, "allOf")
				v["anyOf"] = alts
				d.AllOfs++
			}
		}
		if v["in"] == "query" {
			desc, _ := v["description"].(string)
			schema, _ := v["schema"].(map[string]any)
			if schema != nil && schema["format"] == "date-time" && strings.Contains(desc, "search syntax") {
				delete(schema, "format")
				d.Formats++
			}
		}
		for _, x := range v {
			d.applyErrata(x)
		}
	case []any:
		for _, x := range v {
			d.applyErrata(x)
		}
	}
}

// Require returns d, or fails (CI=true) or skips t when Load found no
// description, or fails t on any other error.
func Require(t testing.TB, d *Description, err error) *Description {
	t.Helper()
	if err == nil {
		return d
	}
	if os.IsNotExist(err) {
		msg := fmt.Sprintf("GitHub's OpenAPI description is not at %s: run `make openapi` (npm @octokit/openapi@%s)", File(), Version)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI=true makes a missing description a failure")
		}
		t.Skip(msg)
	}
	t.Fatal(err)
	return nil
}

func init() {
	// format uri: an absolute URI, or "" (the description's default for
	// optional URLs such as a deployment status's log_url).
	openapi3.DefineStringFormatValidator("uri", openapi3.NewCallbackValidator(func(s string) error {
		if s == "" {
			return nil
		}
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" {
			return fmt.Errorf("not an absolute URI")
		}
		return nil
	}))
}

// ValidateAnswer checks an answer against the operation: a declared status
// against its schema, an undeclared error status against basic-error
// (validation-error for 422), an undeclared 304 for an empty body.
// undeclared says the status was not among the operation's responses.
func ValidateAnswer(d *Description, in *openapi3filter.RequestValidationInput, op *openapi3.Operation, status int, header http.Header, body []byte) (errs []string, undeclared bool) {
	if op.Responses.Status(status) != nil {
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: in.Options}
		out.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			return []string{"answer departs from the description: " + OneLine(err)}, false
		}
		return nil, false
	}
	switch {
	case status == http.StatusNotModified:
		if len(body) != 0 {
			return []string{"304 with a body"}, true
		}
		return nil, true
	case status < 400:
		return []string{fmt.Sprintf("status %d is not among the operation's responses", status)}, true
	case status == http.StatusServiceUnavailable:
		return nil, true // service_unavailable's body (code, message, documentation_url) is checked where it is declared
	}
	name := "basic-error"
	if status == http.StatusUnprocessableEntity {
		name = "validation-error"
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{fmt.Sprintf("status %d body is not JSON: %s", status, Clip(body))}, true
	}
	if err := d.Components.Schemas[name].Value.VisitJSON(v); err != nil {
		return []string{fmt.Sprintf("status %d (not declared) body is not a %s: %s", status, name, OneLine(err))}, true
	}
	return nil, true
}

// TemplateParams matches an escaped request path against a path template
// of the description; a last parameter among GreedyParams takes the rest
// of the path.
func TemplateParams(tmpl, path string) (map[string]string, bool) {
	ts, ps := strings.Split(strings.Trim(tmpl, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{}
	for i, seg := range ts {
		if i >= len(ps) {
			if i == len(ts)-1 && strings.HasPrefix(seg, "{") {
				params[strings.Trim(seg, "{}")] = ""
				return params, true
			}
			return nil, false
		}
		if !strings.HasPrefix(seg, "{") {
			if seg != ps[i] {
				return nil, false
			}
			continue
		}
		v := ps[i]
		if i == len(ts)-1 {
			v = strings.Join(ps[i:], "/")
		}
		if i == len(ts)-1 && len(ps) > len(ts) && !GreedyParams[strings.Trim(seg, "{}")] {
			return nil, false
		}
		uv, err := url.PathUnescape(v)
		if err != nil {
			return nil, false
		}
		params[strings.Trim(seg, "{}")] = uv
	}
	return params, len(ps) == len(ts) || strings.HasPrefix(ts[len(ts)-1], "{")
}

// GreedyParams are the path parameters GitHub reads to the end of the path:
// a file path, a ref, a branch name ("feature/x" unescaped).
var GreedyParams = map[string]bool{"path": true, "ref": true, "branch": true}

// Match finds the operation of the whole description a request is for:
// among the templates with that method whose literal segments match the
// escaped path, the one with as many segments as the path (a last
// parameter such as {path} takes the rest only when none has), then with
// the most literal segments. ok is false when no operation matches.
func (d *Description) Match(method, escapedPath string) (template, operationID string, ok bool) {
	n := len(strings.Split(strings.Trim(escapedPath, "/"), "/"))
	type cand struct {
		tmpl, id        string
		exact, literals int
	}
	var cands []cand
	for key, id := range d.Operations {
		m, tmpl, _ := strings.Cut(key, " ")
		if m != method {
			continue
		}
		if _, ok := TemplateParams(tmpl, escapedPath); !ok {
			continue
		}
		segs := strings.Split(strings.Trim(tmpl, "/"), "/")
		c := cand{tmpl: tmpl, id: id}
		if len(segs) == n {
			c.exact = 1
		}
		for _, s := range segs {
			if !strings.HasPrefix(s, "{") {
				c.literals++
			}
		}
		cands = append(cands, c)
	}
	if len(cands) == 0 {
		return "", "", false
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.exact != b.exact {
			return a.exact > b.exact
		}
		if a.literals != b.literals {
			return a.literals > b.literals
		}
		return a.tmpl < b.tmpl
	})
	return cands[0].tmpl, cands[0].id, true
}

// OneLine is err's text on one line, at most 1,500 characters.
func OneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}

// Clip is b trimmed, at most 300 bytes.
func Clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
