package monitor

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// validateSchema checks doc (decoded with UseNumber) against the subset of
// JSON Schema 2020-12 the report schema uses: type, required, properties,
// additionalProperties, enum, items, minimum, maximum, $ref to #/$defs/...,
// and const. It returns one message per violation.
func validateSchema(root, schema map[string]any, doc any, at string) []string {
	var errs []string
	if ref, ok := schema["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := root["$defs"].(map[string]any)
		target, ok := defs[name].(map[string]any)
		if !found || !ok {
			return []string{fmt.Sprintf("%s: unresolvable $ref %q", at, ref)}
		}
		return validateSchema(root, target, doc, at)
	}
	if t, ok := schema["type"]; ok {
		var types []string
		switch tv := t.(type) {
		case string:
			types = []string{tv}
		case []any:
			for _, x := range tv {
				types = append(types, x.(string))
			}
		}
		matched := false
		for _, ty := range types {
			if jsonType(doc, ty) {
				matched = true
			}
		}
		if !matched {
			return []string{fmt.Sprintf("%s: %s is not of type %s", at, short(doc), strings.Join(types, "|"))}
		}
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(doc) {
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %s is not one of %v", at, short(doc), enum))
		}
	}
	if n, ok := doc.(json.Number); ok {
		v, _ := n.Float64()
		if min, ok := schema["minimum"].(float64); ok && v < min {
			errs = append(errs, fmt.Sprintf("%s: %v < minimum %v", at, v, min))
		}
		if max, ok := schema["maximum"].(float64); ok && v > max {
			errs = append(errs, fmt.Sprintf("%s: %v > maximum %v", at, v, max))
		}
	}
	switch d := doc.(type) {
	case map[string]any:
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if _, present := d[r.(string)]; !present {
					errs = append(errs, fmt.Sprintf("%s: required property %q is missing", at, r))
				}
			}
		}
		props, _ := schema["properties"].(map[string]any)
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, validateSchema(root, ps, d[k], at+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, fmt.Sprintf("%s: additional property %q is not allowed", at, k))
				}
			case map[string]any:
				errs = append(errs, validateSchema(root, ap, d[k], at+"."+k)...)
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, v := range d {
				errs = append(errs, validateSchema(root, items, v, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func jsonType(v any, ty string) bool {
	switch ty {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	}
	return false
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}
