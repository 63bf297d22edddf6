package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Document is one decoded report. Exactly one of Ecosystem, Failure, Stale
// and Alert is set, as Kind says.
type Document struct {
	Kind Kind
	// File is the name the report was decoded under (its path, or a name
	// such as "inline JSON").
	File string
	// Version is the report's schema version.
	Version Version
	// Legacy is true for a report written before the envelope existed,
	// recognised by its top-level keys.
	Legacy bool

	Ecosystem *EcosystemAnalysis
	Failure   *FailureAnalysis
	Stale     *StaleAnalysis
	Alert     *AlertResults
}

// Time is when the report was made: generated_at, or the report's own
// timestamp for a legacy report; zero when it has neither.
func (d *Document) Time() time.Time {
	var env Envelope
	var ts time.Time
	switch {
	case d.Ecosystem != nil:
		env, ts = d.Ecosystem.Envelope, d.Ecosystem.Timestamp
	case d.Failure != nil:
		env = d.Failure.Envelope
	case d.Stale != nil:
		env, ts = d.Stale.Envelope, d.Stale.Timestamp
	case d.Alert != nil:
		env, ts = d.Alert.Envelope, d.Alert.Timestamp
	}
	if !env.GeneratedAt.IsZero() {
		return env.GeneratedAt
	}
	return ts
}

// knownKinds says what Decode accepts, for error messages.
var knownKinds = "want a report with \"kind\": " + kindList() +
	" (or one written before the envelope: ecosystem_analysis.json with domains and summary, failure_analysis.json with failures or analyses, stale_analysis.json with stale_prs)"

// Decode reads one report: by its "kind" and "schema_version", refusing a
// major version this build does not read (*VersionError), or, for a report
// without a kind, by its top-level keys (the reports written before the
// envelope). Findings of a failure analysis without a domain get the
// repository of the log analysis they came from (reports older than
// failure_analysis 1.1 did not write it). file names the report in errors.
func Decode(data []byte, file string) (*Document, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: empty report: %s", file, knownKinds)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %v", file, err)
	}
	doc := &Document{File: file}
	var version string
	if raw, ok := keys["schema_version"]; ok {
		if err := json.Unmarshal(raw, &version); err != nil {
			return nil, fmt.Errorf("%s: schema_version is not a string: %s", file, raw)
		}
	}
	if raw, ok := keys["kind"]; ok {
		if err := json.Unmarshal(raw, &doc.Kind); err != nil {
			return nil, fmt.Errorf("%s: kind is not a string: %s", file, raw)
		}
		if _, known := SchemaVersions[doc.Kind]; !known {
			return nil, fmt.Errorf("%s: unknown report kind %q (allowed: %s)", file, doc.Kind, kindList())
		}
	} else {
		doc.Legacy = true
		doc.Kind = legacyKind(keys)
		if doc.Kind == "" {
			return nil, fmt.Errorf("%s: unknown report kind (no \"kind\"; top-level keys: %s): %s", file, keyList(keys), knownKinds)
		}
		if version == "" {
			// stale_analysis.json had no version before the envelope.
			version = legacyVersions[doc.Kind]
		}
	}
	if err := CheckVersion(file, doc.Kind, version); err != nil {
		return nil, err
	}
	doc.Version, _ = ParseVersion(version)

	var target any
	switch doc.Kind {
	case KindEcosystem:
		doc.Ecosystem = &EcosystemAnalysis{}
		target = doc.Ecosystem
	case KindFailure:
		doc.Failure = &FailureAnalysis{}
		target = doc.Failure
	case KindStale:
		doc.Stale = &StaleAnalysis{}
		target = doc.Stale
	case KindAlert:
		doc.Alert = &AlertResults{}
		target = doc.Alert
	}
	if err := json.Unmarshal(data, target); err != nil {
		return nil, fmt.Errorf("%s: malformed %s: %v", file, doc.Kind.File(), err)
	}
	if doc.Failure != nil {
		attributeFailures(doc.Failure)
	}
	return doc, nil
}

// legacyVersions are the versions reports had before the envelope.
var legacyVersions = map[Kind]string{KindEcosystem: "2.0", KindFailure: "1.0", KindStale: "1.0", KindAlert: "1.0"}

// legacyKind recognises a report written before the envelope by its keys.
func legacyKind(keys map[string]json.RawMessage) Kind {
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch {
	case has("domains") && has("summary"):
		return KindEcosystem
	case has("stale_prs") || has("stale_branches") || has("stale_issues"):
		return KindStale
	case has("alert_count") && has("alerts"):
		return KindAlert
	case (has("failures") || has("analyses")) && !has("domains"):
		return KindFailure
	}
	return ""
}

func keyList(keys map[string]json.RawMessage) string {
	ks := make([]string, 0, len(keys))
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	if len(ks) > 8 {
		ks = append(ks[:8], "…")
	}
	if len(ks) == 0 {
		return "none"
	}
	return strings.Join(ks, ", ")
}

// attributeFailures gives every finding without a domain the repository of
// the log analysis it belongs to (same source and job).
func attributeFailures(f *FailureAnalysis) {
	type key struct{ source, job string }
	repo := map[key]string{}
	for i := range f.Analyses {
		an := &f.Analyses[i]
		if an.Repository == "" {
			continue
		}
		repo[key{an.Source, an.Job}] = an.Repository
		for j := range an.Findings {
			if an.Findings[j].Domain == "" {
				an.Findings[j].Domain = an.Repository
			}
		}
	}
	for i := range f.Failures {
		x := &f.Failures[i]
		if x.Domain == "" {
			x.Domain = repo[key{x.Source, x.Job}]
		}
	}
}
