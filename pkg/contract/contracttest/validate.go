// Package contracttest checks documents against the report schemas of
// pkg/contract with a JSON Schema validator (santhosh-tekuri/jsonschema,
// draft 2020-12, formats asserted). Only tests import it, so the validator
// never reaches the action binaries.
package contracttest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

var (
	compileOnce sync.Once
	compiled    map[contract.Kind]*jsonschema.Schema
	compileErr  error
)

// compile builds the four schemas once, with the common definitions added
// as a resource so that their cross-file $refs resolve offline.
func compile() (map[contract.Kind]*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		common, err := jsonschema.UnmarshalJSON(bytes.NewReader(contract.CommonSchema()))
		if err != nil {
			compileErr = fmt.Errorf("common schema: %w", err)
			return
		}
		if err := c.AddResource(contract.SchemaBaseURL+"common.schema.json", common); err != nil {
			compileErr = err
			return
		}
		compiled = map[contract.Kind]*jsonschema.Schema{}
		for _, k := range contract.Kinds {
			data, err := contract.Schema(k)
			if err != nil {
				compileErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				compileErr = fmt.Errorf("%s schema: %w", k, err)
				return
			}
			url := contract.SchemaBaseURL + string(k) + ".schema.json"
			if err := c.AddResource(url, doc); err != nil {
				compileErr = err
				return
			}
			if compiled[k], err = c.Compile(url); err != nil {
				compileErr = fmt.Errorf("%s schema: %w", k, err)
				return
			}
		}
	})
	return compiled, compileErr
}

// Validate checks a JSON document against the schema of kind; the error
// lists every violation with its JSON pointer.
func Validate(kind contract.Kind, data []byte) error {
	schemas, err := compile()
	if err != nil {
		return err
	}
	sch, ok := schemas[kind]
	if !ok {
		return fmt.Errorf("no schema for kind %q", kind)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(inst)
}

// Check fails t when data does not follow the schema of kind.
func Check(t testing.TB, kind contract.Kind, data []byte) {
	t.Helper()
	if err := Validate(kind, data); err != nil {
		t.Errorf("%s does not follow its schema:\n%v", kind, err)
	}
}
