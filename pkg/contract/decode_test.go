package contract_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract/contracttest"
)

// minimal returns the smallest document of kind at version.
func minimal(kind contract.Kind, version string) string {
	return fmt.Sprintf(`{"kind":%q,"schema_version":%q,"producer":{"action":"action-x","version":"v1"},"generated_at":"2026-11-20T12:00:00Z"}`, kind, version)
}

func TestDecodeRefusesUnknownMajorVersion(t *testing.T) {
	t.Parallel()
	for _, kind := range contract.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			cur, _ := contract.ParseVersion(contract.SchemaVersions[kind])
			next := fmt.Sprintf("%d.0", cur.Major+1)
			_, err := contract.Decode([]byte(minimal(kind, next)), "reports/"+kind.File())
			var ve *contract.VersionError
			if !errors.As(err, &ve) {
				t.Fatalf("Decode of schema_version %s = %v, want a *VersionError", next, err)
			}
			// The message names the file and both versions.
			for _, want := range []string{"reports/" + kind.File(), `"` + next + `"`, contract.SchemaVersions[kind], string(kind)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
		})
	}
}

func TestDecodeAcceptsEveryMinorOfItsMajor(t *testing.T) {
	t.Parallel()
	for _, kind := range contract.Kinds {
		cur, _ := contract.ParseVersion(contract.SchemaVersions[kind])
		for _, v := range []string{fmt.Sprintf("%d.0", cur.Major), contract.SchemaVersions[kind], fmt.Sprintf("%d.%d", cur.Major, cur.Minor+5)} {
			doc, err := contract.Decode([]byte(minimal(kind, v)), "r.json")
			if err != nil {
				t.Errorf("Decode(%s %s) = %v", kind, v, err)
				continue
			}
			if doc.Kind != kind || doc.Version.String() != v || doc.Legacy {
				t.Errorf("Decode(%s %s) = kind %s version %s legacy %v", kind, v, doc.Kind, doc.Version, doc.Legacy)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		want       []string
	}{
		{"empty", "  ", []string{"x.json", "empty report"}},
		{"not_an_object", "[1]", []string{"x.json", "not a JSON object"}},
		{"unknown_kind", `{"kind":"weather_report","schema_version":"1.0"}`, []string{"x.json", `unknown report kind "weather_report"`, "ecosystem_analysis"}},
		{"no_kind_unknown_keys", `{"hello":"world"}`, []string{"x.json", "hello", "ecosystem_analysis"}},
		{"bad_version", minimal(contract.KindFailure, "one"), []string{"x.json", `"one"`, "1.x"}},
		{"wrong_field_type", `{"kind":"failure_analysis","schema_version":"1.1","failures":"many"}`, []string{"x.json", "malformed failure_analysis.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := contract.Decode([]byte(tt.data), "x.json")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestDecodeLegacyReports reads the reports written before the envelope:
// by their keys, as the oldest minor of their kind, and fixer findings get
// the domain of the log analysis they came from.
func TestDecodeLegacyReports(t *testing.T) {
	t.Parallel()
	doc, err := contract.Decode([]byte(`{"schema_version":"1","summary":{},"failures":[{"rule_id":"fips.x","category":"fips","severity":"critical","text":"boom","source":"o/fips/actions/jobs/7","job":"build"}],
	  "analyses":[{"source":"o/fips/actions/jobs/7","job":"build","repository":"o/fips","findings":[{"rule_id":"fips.x","category":"fips","severity":"critical","text":"boom"}]}]}`), "old.json")
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Legacy || doc.Kind != contract.KindFailure || doc.Version.String() != "1.0" {
		t.Errorf("legacy fixer report: kind %s version %s legacy %v", doc.Kind, doc.Version, doc.Legacy)
	}
	if got := []string{doc.Failure.Failures[0].Domain, doc.Failure.Analyses[0].Findings[0].Domain}; !cmp.Equal(got, []string{"o/fips", "o/fips"}) {
		t.Errorf("domains of legacy findings = %v, want the analysis repository", got)
	}
	for data, kind := range map[string]contract.Kind{
		`{"schema_version":"2.0","domains":{},"summary":{}}`:  contract.KindEcosystem,
		`{"timestamp":"2026-11-20T12:00:00Z","stale_prs":[]}`: contract.KindStale,
	} {
		doc, err := contract.Decode([]byte(data), "old.json")
		if err != nil || doc.Kind != kind || !doc.Legacy {
			t.Errorf("Decode(%s) = %+v, %v; want legacy %s", data, doc, err, kind)
		}
	}
	// A legacy report of an unknown major is refused like any other.
	var ve *contract.VersionError
	if _, err := contract.Decode([]byte(`{"schema_version":"3.0","domains":{},"summary":{}}`), "old.json"); !errors.As(err, &ve) {
		t.Errorf("legacy ecosystem_analysis 3.0: %v, want a *VersionError", err)
	}
}

func TestSeverityRank(t *testing.T) {
	t.Parallel()
	order := []contract.Severity{"", contract.SeverityInfo, contract.SeverityLow, contract.SeverityMedium, contract.SeverityWarning,
		contract.SeverityHigh, contract.SeverityCritical}
	for i := 1; i < len(order); i++ {
		if order[i].Rank() <= order[i-1].Rank() {
			t.Errorf("%q ranks %d, not above %q (%d)", order[i], order[i].Rank(), order[i-1], order[i-1].Rank())
		}
	}
	if contract.Severity("severe").Rank() != 0 {
		t.Error("an unknown severity has a rank")
	}
}

// TestSchemasRejectWhatTheyForbid: the validator and the schemas together
// catch a finding without its domain, an unknown field and a wrong kind.
func TestSchemasRejectWhatTheyForbid(t *testing.T) {
	t.Parallel()
	ok := `{"kind":"failure_analysis","schema_version":"1.1","producer":{"action":"action-fixer","version":"v1"},"generated_at":"2026-11-20T12:00:00Z",
	  "summary":{"logs":1,"failed":1,"unexplained":0,"by_category":{"fips":1},"top_category":"fips","max_severity":"critical"},
	  "failures":[{"domain":"o/r","rule_id":"fips.x","title":"FIPS","category":"fips","severity":"critical","line":3,"text":"boom",
	    "fingerprint":"0123456789abcdef","root_cause":true,"source":"a.log"}],"analyses":[]}`
	if err := contracttest.Validate(contract.KindFailure, []byte(ok)); err != nil {
		t.Fatalf("a valid report is rejected: %v", err)
	}
	for name, bad := range map[string]string{
		"finding_without_domain": strings.Replace(ok, `"domain":"o/r",`, "", 1),
		"unknown_field":          strings.Replace(ok, `"analyses":[]`, `"analyses":[],"extra":1`, 1),
		"wrong_kind":             strings.Replace(ok, `"kind":"failure_analysis"`, `"kind":"stale_analysis"`, 1),
		"bad_severity":           strings.Replace(ok, `"severity":"critical","line"`, `"severity":"apocalyptic","line"`, 1),
		"major_2":                strings.Replace(ok, `"schema_version":"1.1"`, `"schema_version":"2.0"`, 1),
	} {
		if contracttest.Validate(contract.KindFailure, []byte(bad)) == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// TestDecodeReadsWhatEarlierBuildsWrote: every version an earlier build
// wrote is still read, as its own version, besides the ones this build
// writes (ecosystem_analysis 2.2, failure_analysis 1.2, stale_analysis
// 1.2, alert_results 1.3).
func TestDecodeReadsWhatEarlierBuildsWrote(t *testing.T) {
	t.Parallel()
	earlier := map[contract.Kind][]string{
		contract.KindEcosystem: {"2.1"},
		contract.KindFailure:   {"1.1"},
		contract.KindStale:     {"1.1"},
		contract.KindAlert:     {"1.0", "1.1", "1.2"},
	}
	for kind, versions := range earlier {
		cur, _ := contract.ParseVersion(contract.SchemaVersions[kind])
		for _, v := range versions {
			old, _ := contract.ParseVersion(v)
			if old.Major != cur.Major || old.Minor >= cur.Minor {
				t.Errorf("%s %s is not an older minor of %s", kind, v, contract.SchemaVersions[kind])
			}
			doc, err := contract.Decode([]byte(minimal(kind, v)), "old.json")
			if err != nil || doc.Kind != kind || doc.Version.String() != v {
				t.Errorf("Decode(%s %s) = %+v, %v", kind, v, doc, err)
			}
		}
	}
}

// TestEcosystemSchemaRequiresWhat22Added: a 2.2 report's domains carry
// signals, job_coverage and workflows; a 2.1 report without them (as
// builds before 2.2 wrote it) still follows the schema. The document is
// the monitor's report on the example ecosystem (its golden file).
func TestEcosystemSchemaRequiresWhat22Added(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "actions", "monitor", "testdata", "example.ecosystem_analysis.json.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if err := contracttest.Validate(contract.KindEcosystem, data); err != nil {
		t.Fatalf("the monitor's report does not follow its schema: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["schema_version"] != contract.SchemaVersions[contract.KindEcosystem] {
		t.Fatalf("the golden report is %v, this build writes %s", doc["schema_version"], contract.SchemaVersions[contract.KindEcosystem])
	}
	for _, d := range doc["domains"].(map[string]any) {
		for _, f := range []string{"signals", "job_coverage", "workflows"} {
			delete(d.(map[string]any), f)
		}
	}
	for version, valid := range map[string]bool{"2.2": false, "2.3": false, "2.1": true, "2.0": true} {
		doc["schema_version"] = version
		b, _ := json.Marshal(doc)
		if err := contracttest.Validate(contract.KindEcosystem, b); (err == nil) != valid {
			t.Errorf("schema_version %s with domains lacking signals, job_coverage and workflows: validation error %v, want valid=%v", version, err, valid)
		}
	}
}
