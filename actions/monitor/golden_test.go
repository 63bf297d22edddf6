package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const exampleFixture = "../../testdata/ecosystem/ecosystem.yaml"

// runExample runs the monitor on the example ecosystem at the fixture's
// reference time, with failure analysis on.
func runExample(t *testing.T, outDir string) *Result {
	t.Helper()
	f, err := emulator.LoadFixture(exampleFixture)
	if err != nil {
		t.Fatalf("failed to load the example ecosystem: %v", err)
	}
	e := newEnv(t, f, emulator.Options{}, "")
	var domains []string
	for _, r := range f.Repositories {
		domains = append(domains, r.FullName())
	}
	deps := e.deps()
	deps.Classify = FixerClassifier()
	deps.Stats = nil // request counts are covered by the budget test
	cfg := Config{Domains: domains, Now: f.ReferenceTime, OutputDir: outDir, AnalyzeFailures: true, Window: 14 * 24 * time.Hour}
	res, err := Run(context.Background(), cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestGoldenExampleEcosystem(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	res := runExample(t, out)
	for _, name := range []string{ReportFile, SummaryFile} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "example."+name+".golden")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -run Golden -update to create it)", err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s differs from %s (-want +got):\n%s", name, golden, diff)
		}
	}
	if len(res.Report.Domains) == 0 {
		t.Fatal("empty report")
	}
}

func TestReportMatchesSchema(t *testing.T) {
	t.Parallel()
	schemaData, err := os.ReadFile(filepath.Join("schema", "ecosystem_analysis.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(schemaData, &schema); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	// A generated ecosystem with a history (delta), an unreadable domain,
	// flaky runs and classified failures covers every part of the schema.
	f := genFixture(genOptions{Domains: 6})
	f.Repositories = append(f.Repositories, emulator.Repository{Owner: "eco", Name: "gone", Status: 404},
		emulator.Repository{Owner: "eco", Name: "old", Archived: true, DefaultBranch: "main"})
	e := newEnv(t, f, emulator.Options{}, "")
	cfg := genConfig(t, f)
	cfg.AnalyzeFailures = true
	cfg.HistoryFile = filepath.Join(t.TempDir(), "history.json")
	deps := e.deps()
	deps.Classify = FixerClassifier()
	for i := 0; i < 2; i++ { // the second run has a delta
		cfg.Now = genNow.Add(time.Duration(i) * time.Hour)
		if _, err := Run(context.Background(), cfg, deps); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(cfg.OutputDir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"analysis"`)) || !bytes.Contains(data, []byte(`"previous_timestamp"`)) {
		t.Errorf("the report lacks a classified failure or a delta; the schema test would not cover them")
	}
	if errs := validateSchema(schema, schema, doc, "$"); len(errs) > 0 {
		for _, e := range errs {
			t.Error(e)
		}
	}
	// The validator itself rejects what the schema forbids.
	bad := map[string]any{}
	_ = json.Unmarshal(data, &bad)
	bad["summary"].(map[string]any)["alert_level"] = "purple"
	delete(bad, "timestamp")
	bad["surprise"] = true
	var badDoc any
	b, _ := json.Marshal(bad)
	dec = json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&badDoc)
	errs := validateSchema(schema, schema, badDoc, "$")
	if len(errs) != 3 {
		t.Errorf("validator found %d errors in a document with 3, got %v", len(errs), errs)
	}
}
