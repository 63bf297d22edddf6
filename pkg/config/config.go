// Package config loads YAML configuration strictly: every key must be known,
// and every error names the file and line, so a typo in a workflow's config
// fails loudly instead of being ignored.
package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// UnknownKeyError is a mapping key that the target struct has no field for.
type UnknownKeyError struct {
	Source  string   // file name or other description of the data
	Line    int      // 1-based line of the key
	Path    string   // dotted path of the mapping holding the key, "" at the top
	Key     string   // the unknown key
	Allowed []string // the keys that are allowed there, sorted
}

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("%s:%d: unknown key %q (allowed: %s)", e.Source, e.Line, e.Key, strings.Join(e.Allowed, ", "))
}

// Error is any other decoding error (syntax, type mismatch), with its line
// when yaml.v3 reports one (0 otherwise).
type Error struct {
	Source string
	Line   int
	Msg    string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Msg)
}

// DecodeStrict decodes YAML data into v (a pointer to a struct, map or
// slice using `yaml` tags), rejecting unknown keys at any depth: each is an
// *UnknownKeyError "source:LINE: unknown key "x" (allowed: a, b, c)". Type
// and syntax errors are *Error values with the line. All problems found are
// returned together (errors.Join). Empty data leaves v unchanged.
func DecodeStrict(data []byte, source string, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("failed to decode %s: target must be a non-nil pointer, got %T", source, v)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil
		}
		return yamlError(source, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return &Error{Source: source, Line: extra.Line, Msg: "more than one YAML document"}
	}
	return DecodeNode(&doc, source, v)
}

// DecodeNode is DecodeStrict for a node already parsed, e.g. a Node kept
// by an outer DecodeStrict for decoding on its own.
func DecodeNode(node *yaml.Node, source string, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("failed to decode %s: target must be a non-nil pointer, got %T", source, v)
	}
	var errs []error
	checkKeys(node, rv.Type().Elem(), source, "", &errs, map[*yaml.Node]bool{})
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := node.Decode(v); err != nil {
		return yamlError(source, err)
	}
	return nil
}

// Node keeps a YAML value undecoded (with its line) for a second, strict
// DecodeNode once the caller knows what it holds (a scalar or a mapping,
// say) or wants each element's line for its own validation errors.
type Node struct{ yaml.Node }

// UnmarshalYAML keeps the node.
func (n *Node) UnmarshalYAML(value *yaml.Node) error {
	n.Node = *value
	return nil
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError turns yaml.v3's "yaml: line 3: …" and *yaml.TypeError lines into
// *Error values naming the source.
func yamlError(source string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var errs []error
		for _, msg := range te.Errors {
			errs = append(errs, lineErr(source, msg))
		}
		return errors.Join(errs...)
	}
	return lineErr(source, err.Error())
}

func lineErr(source, msg string) error {
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{Source: source, Line: n, Msg: m[2]}
	}
	return &Error{Source: source, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

var (
	unmarshalerType     = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkKeys walks node alongside t and records unknown keys.
func checkKeys(node *yaml.Node, t reflect.Type, source, path string, errs *[]error, seen map[*yaml.Node]bool) {
	if node == nil || seen[node] {
		return
	}
	for t.Kind() == reflect.Pointer {
		if t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) {
			return
		}
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return // custom decoding decides for itself
	}
	switch node.Kind {
	case yaml.DocumentNode:
		for _, c := range node.Content {
			checkKeys(c, t, source, path, errs, seen)
		}
		return
	case yaml.AliasNode:
		seen[node] = true
		checkKeys(node.Alias, t, source, path, errs, seen)
		delete(seen, node)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return // type mismatch: reported by Decode
		}
		fields := structFields(t)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, val := node.Content[i], node.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				for _, m := range mergeSources(val) {
					checkKeys(m, t, source, path, errs, seen)
				}
				continue
			}
			ft, ok := fields[k.Value]
			if !ok {
				ft, ok = fields["*"] // an inline map takes every other key
			}
			if !ok {
				*errs = append(*errs, &UnknownKeyError{Source: source, Line: k.Line, Path: path, Key: k.Value, Allowed: sortedKeys(fields)})
				continue
			}
			checkKeys(val, ft, source, join(path, k.Value), errs, seen)
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			checkKeys(node.Content[i+1], t.Elem(), source, join(path, node.Content[i].Value), errs, seen)
		}
	case reflect.Slice, reflect.Array:
		if node.Kind != yaml.SequenceNode {
			return
		}
		for i, c := range node.Content {
			checkKeys(c, t.Elem(), source, fmt.Sprintf("%s[%d]", path, i), errs, seen)
		}
	}
}

func mergeSources(n *yaml.Node) []*yaml.Node {
	if n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return []*yaml.Node{n}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// structFields maps the YAML keys of t (following yaml.v3's rules: the tag
// name, else the lower-cased field name; ",inline" flattens; "-" skips) to
// the field types. An inline map accepts any key: it is returned as "*".
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch ft.Kind() {
			case reflect.Struct:
				for k, v := range structFields(ft) {
					out[k] = v
				}
			case reflect.Map:
				out["*"] = ft.Elem()
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k == "*" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SettingError is a setting with a value that is not allowed: an action
// input (Source "input") or a key of a configuration file (Source the file
// name, Line its line). It is the one "bad setting" error of the libraries;
// the runner reports the input ones like its own input errors, through
// InvalidInput.
type SettingError struct {
	Source  string // "input", or the file the setting was read from
	Line    int    // 1-based line in Source; 0 when unknown or an input
	Name    string // the input or key, e.g. "days_until_stale", "bands"
	Value   string // the offending value ("" when Secret)
	Reason  string // what is wrong, e.g. "must be at least 1"
	Allowed string // what is allowed, e.g. "never, warning, critical"
	Secret  bool   // the value is hidden
}

func (e *SettingError) Error() string {
	var b strings.Builder
	switch {
	case e.Source != "" && e.Source != InputSource && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.Source, e.Line)
	case e.Source != "" && e.Source != InputSource:
		b.WriteString(e.Source + ": ")
	}
	b.WriteString("invalid " + e.Name)
	if !e.Secret {
		fmt.Fprintf(&b, " value %q", e.Value)
	}
	b.WriteString(": " + e.Reason)
	if e.Allowed != "" {
		b.WriteString(" (allowed: " + e.Allowed + ")")
	}
	return b.String()
}

// InputSource is SettingError.Source for an action input.
const InputSource = "input"

// InvalidInput returns the input, its value, what is wrong and what is
// allowed when the error is about an action input; input is "" for a
// setting read from a file.
func (e *SettingError) InvalidInput() (input, value, reason, allowed string) {
	if e.Source != InputSource && e.Source != "" {
		return "", "", "", ""
	}
	return e.Name, e.Value, e.Reason, e.Allowed
}
