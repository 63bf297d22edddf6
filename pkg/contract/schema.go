package contract

import (
	"embed"
	"fmt"
)

//go:embed schema/*.schema.json
var schemas embed.FS

// SchemaFiles maps each kind to its JSON Schema (draft 2020-12) under
// schema/; every schema also refers to schema/common.schema.json.
var SchemaFiles = map[Kind]string{
	KindEcosystem: "schema/ecosystem_analysis.schema.json",
	KindFailure:   "schema/failure_analysis.schema.json",
	KindStale:     "schema/stale_analysis.schema.json",
	KindAlert:     "schema/alert_results.schema.json",
}

// CommonSchemaFile holds the definitions the kinds share (finding,
// producer, log analysis).
const CommonSchemaFile = "schema/common.schema.json"

// SchemaBaseURL is the $id prefix of the schemas: a schema file's $id is
// SchemaBaseURL + its file name.
const SchemaBaseURL = "https://github.com/sparesparrow/ecosystem-actions/pkg/contract/schema/"

// Schema returns the JSON Schema of kind.
func Schema(kind Kind) ([]byte, error) {
	name, ok := SchemaFiles[kind]
	if !ok {
		return nil, fmt.Errorf("no schema for report kind %q (allowed: %s)", kind, kindList())
	}
	return schemas.ReadFile(name)
}

// CommonSchema returns schema/common.schema.json.
func CommonSchema() []byte {
	b, err := schemas.ReadFile(CommonSchemaFile)
	if err != nil {
		panic("contract: embedded common schema missing: " + err.Error())
	}
	return b
}
