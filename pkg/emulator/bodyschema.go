package emulator

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// bodyField is what GitHub's description says one top-level property of
// an operation's JSON request body may hold: its JSON types ("string",
// "integer", "number", "boolean", "array", "object"; several when the
// schema is a oneOf or anyOf), whether null is allowed, for an array its
// items' types (nil: any), for a string its allowed values (nil: any),
// for an object the keys it must have. bodySchemas (bodyschema_gen.go) is
// generated from the description.
type bodyField struct {
	types    []string
	nullable bool
	items    []string
	enum     []string
	required []string
}

// checkBodyTypes answers 422 as GitHub does when a top-level property of
// the body, or an item of an array property, has a type its operation's
// schema does not allow ("Invalid request.\n\nFor 'properties/assignees',
// nil is not an array."; an item: "For 'items', nil is not a string or
// object."), a string outside its enum, or an object without its required
// keys. GitHub validates bodies against these schemas before it looks at
// them; handlers check the top-level required fields and the rest
// themselves. The wording of the type messages is GitHub's (as its 422s
// quote them); that of the enum and required-key messages is this
// emulator's.
// It reports whether the body passed.
func (c *call) checkBodyTypes(raw []byte) bool {
	if c.route == nil {
		return true
	}
	schema := bodySchemas[c.route.OperationID]
	if schema == nil {
		return true
	}
	var body map[string]json.RawMessage
	if json.Unmarshal(raw, &body) != nil {
		return true // not an object: the handler's own answer
	}
	for _, name := range sortedKeys(body) {
		f, ok := schema[name]
		if !ok {
			continue
		}
		var v any
		if json.Unmarshal(body[name], &v) != nil {
			continue
		}
		where := "properties/" + name
		if !jsonTypeIn(v, f.types, f.nullable) {
			c.validation(fmt.Sprintf("Invalid request.\n\nFor '%s', %s is not %s.", where, rubyValue(v), typeList(f.types)))
			return false
		}
		if str, isString := v.(string); isString && len(f.enum) > 0 && !slices.Contains(f.enum, str) {
			c.validation(fmt.Sprintf("Invalid request.\n\nFor '%s', %s is not a member of %s.", where, rubyValue(v), rubyValue(f.enum)))
			return false
		}
		if obj, isObject := v.(map[string]any); isObject {
			var missing []string
			for _, k := range f.required {
				if _, ok := obj[k]; !ok {
					missing = append(missing, fmt.Sprintf("%q", k))
				}
			}
			if len(missing) > 0 {
				verb := "wasn't"
				if len(missing) > 1 {
					verb = "weren't"
				}
				c.validation(fmt.Sprintf("Invalid request.\n\nFor '%s', %s %s supplied.", where, strings.Join(missing, ", "), verb))
				return false
			}
		}
		if items, isList := v.([]any); isList && len(f.items) > 0 {
			for _, it := range items {
				if !jsonTypeIn(it, f.items, false) {
					c.validation(fmt.Sprintf("Invalid request.\n\nFor 'items', %s is not %s.", rubyValue(it), typeList(f.items)))
					return false
				}
			}
		}
	}
	return true
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonTypeIn reports whether v (as encoding/json decodes into any) is of
// one of the types.
func jsonTypeIn(v any, types []string, nullable bool) bool {
	if v == nil {
		return nullable
	}
	for _, t := range types {
		switch x := v.(type) {
		case string:
			if t == "string" {
				return true
			}
		case bool:
			if t == "boolean" {
				return true
			}
		case float64:
			if t == "number" || (t == "integer" && x == math.Trunc(x)) {
				return true
			}
		case []any:
			if t == "array" {
				return true
			}
		case map[string]any:
			if t == "object" {
				return true
			}
		}
	}
	return false
}

// typeList is "a string", "an array", "a string or object".
func typeList(types []string) string {
	if len(types) == 0 {
		return "valid"
	}
	article := "a"
	if strings.IndexByte("aeiou", types[0][0]) >= 0 {
		article = "an"
	}
	return article + " " + strings.Join(types, " or ")
}

// rubyValue renders v the way GitHub's messages do: nil, "text", 5, true,
// [...] and {...} as JSON.
func rubyValue(v any) string {
	if v == nil {
		return "nil"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 100 {
		b = append(b[:100], "…"...)
	}
	return string(b)
}
