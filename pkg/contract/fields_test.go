package contract_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

var update = flag.Bool("update", false, "write the field listing of a schema version that has none yet (testdata/fields)")

// schemaFields lists where a schema declares a property: the JSON pointer
// of each key of every "properties" object, prefixed with the file name.
func schemaFields(t *testing.T, file string, data []byte) []string {
	t.Helper()
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var out []string
	var walk func(n any, ptr string)
	walk = func(n any, ptr string) {
		switch n := n.(type) {
		case map[string]any:
			if props, ok := n["properties"].(map[string]any); ok {
				for k := range props {
					out = append(out, file+"#"+ptr+"/properties/"+k)
				}
			}
			for k, v := range n {
				walk(v, ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"))
			}
		case []any:
			for i, v := range n {
				walk(v, fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	walk(doc, "")
	sort.Strings(out)
	return out
}

// currentFields is the field listing of kind's schema as this build has
// it, with the common definitions every kind refers to.
func currentFields(t *testing.T, kind contract.Kind) []string {
	t.Helper()
	data, err := contract.Schema(kind)
	if err != nil {
		t.Fatal(err)
	}
	return append(schemaFields(t, string(kind)+".schema.json", data), schemaFields(t, "common.schema.json", contract.CommonSchema())...)
}

func fieldsFile(kind contract.Kind, version string) string {
	return filepath.Join("testdata", "fields", string(kind)+"-"+version+".txt")
}

func readFields(t *testing.T, path string) (map[string]bool, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l != "" {
			set[l] = true
		}
	}
	return set, nil
}

// TestSchemaFieldsBelongToTheirVersion: a field added to a report kind
// comes with a new minor version. testdata/fields holds, per kind and
// version, every property the schemas declared at that version (2.1 and
// 1.1 as pkg/contract introduced them); the schemas of this build must
// declare exactly the listing of the version this build writes, and each
// version's listing holds every field of the earlier ones (a minor version
// only adds). -update writes the listing of a version that has none yet,
// never over an existing one.
func TestSchemaFieldsBelongToTheirVersion(t *testing.T) {
	for _, kind := range contract.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			version := contract.SchemaVersions[kind]
			got := currentFields(t, kind)
			path := fieldsFile(kind, version)
			want, err := readFields(t, path)
			if os.IsNotExist(err) && *update {
				if err := os.WriteFile(path, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", path)
				return
			}
			if err != nil {
				t.Fatalf("no field listing for %s %s (%v): a new minor version writes its listing with go test ./pkg/contract -run TestSchemaFields -update", kind, version, err)
			}
			var added, removed []string
			have := map[string]bool{}
			for _, f := range got {
				have[f] = true
				if !want[f] {
					added = append(added, f)
				}
			}
			for f := range want {
				if !have[f] {
					removed = append(removed, f)
				}
			}
			sort.Strings(removed)
			v, _ := contract.ParseVersion(version)
			if len(added) > 0 {
				t.Errorf("the %s schema declares fields that %s (%s) does not have:\n  %s\nbump SchemaVersions[%s] to %d.%d, write its listing with -update, and list the fields in pkg/contract/README.md",
					kind, version, path, strings.Join(added, "\n  "), kind, v.Major, v.Minor+1)
			}
			if len(removed) > 0 {
				t.Errorf("the %s schema no longer declares fields of %s (a minor version only adds fields; removing one is a new major version):\n  %s",
					kind, version, strings.Join(removed, "\n  "))
			}
		})
	}
}

// TestSchemaFieldListingsOnlyAdd: each recorded minor version declares
// every field of the one before it.
func TestSchemaFieldListingsOnlyAdd(t *testing.T) {
	t.Parallel()
	for _, kind := range contract.Kinds {
		files, _ := filepath.Glob(filepath.Join("testdata", "fields", string(kind)+"-*.txt"))
		type listing struct {
			v      contract.Version
			fields map[string]bool
		}
		var ls []listing
		for _, f := range files {
			v, err := contract.ParseVersion(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), string(kind)+"-"), ".txt"))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			set, err := readFields(t, f)
			if err != nil {
				t.Fatal(err)
			}
			ls = append(ls, listing{v, set})
		}
		sort.Slice(ls, func(i, j int) bool {
			return ls[i].v.Major < ls[j].v.Major || ls[i].v.Major == ls[j].v.Major && ls[i].v.Minor < ls[j].v.Minor
		})
		if len(ls) == 0 {
			t.Errorf("%s: no field listing in testdata/fields", kind)
		}
		for i := 1; i < len(ls); i++ {
			if ls[i].v.Major != ls[i-1].v.Major {
				continue
			}
			for f := range ls[i-1].fields {
				if !ls[i].fields[f] {
					t.Errorf("%s %s drops %s of %s", kind, ls[i].v, f, ls[i-1].v)
				}
			}
		}
	}
}
