package contract

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind names what a report is.
type Kind string

// The four kinds of report the chain exchanges.
const (
	KindEcosystem Kind = "ecosystem_analysis" // action-monitor: ecosystem_analysis.json
	KindFailure   Kind = "failure_analysis"   // action-fixer: failure_analysis.json
	KindStale     Kind = "stale_analysis"     // action-stale: stale_analysis.json
	KindAlert     Kind = "alert_results"      // action-alert: alert_results.json
)

// Kinds lists the kinds in chain order.
var Kinds = []Kind{KindEcosystem, KindFailure, KindStale, KindAlert}

// File is the file name a kind is written to.
func (k Kind) File() string { return string(k) + ".json" }

// SchemaVersions are the versions this build writes; it reads every minor
// version of the same major.
var SchemaVersions = map[Kind]string{
	KindEcosystem: "2.2",
	KindFailure:   "1.2",
	KindStale:     "1.2",
	KindAlert:     "1.3",
}

// Producer names the action (and its version) that wrote a report and,
// under the Actions runner, the workflow run it ran in.
type Producer struct {
	Action  string `json:"action"`
	Version string `json:"version"`
	RunURL  string `json:"run_url,omitempty"`
}

// Envelope opens every report: what it is, which schema version it follows,
// who wrote it and when. Report types embed it, so its fields come first at
// the top level of the JSON document.
type Envelope struct {
	Kind          Kind      `json:"kind"`
	SchemaVersion string    `json:"schema_version"`
	Producer      Producer  `json:"producer"`
	GeneratedAt   time.Time `json:"generated_at"`
}

// NewEnvelope is the envelope of a report of kind written now by producer,
// at the schema version this build writes.
func NewEnvelope(kind Kind, producer Producer, now time.Time) Envelope {
	if producer.Version == "" {
		producer.Version = "dev"
	}
	return Envelope{Kind: kind, SchemaVersion: SchemaVersions[kind], Producer: producer, GeneratedAt: now.UTC()}
}

// Version is a parsed schema_version.
type Version struct{ Major, Minor int }

// String returns "major.minor".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// ParseVersion parses "MAJOR.MINOR" or a bare "MAJOR" (minor 0).
func ParseVersion(s string) (Version, error) {
	s = strings.TrimSpace(s)
	maj, min, hasMinor := strings.Cut(s, ".")
	var v Version
	var err error
	if v.Major, err = strconv.Atoi(maj); err != nil || v.Major < 0 {
		return Version{}, fmt.Errorf("schema_version %q is not MAJOR.MINOR", s)
	}
	if hasMinor {
		if v.Minor, err = strconv.Atoi(min); err != nil || v.Minor < 0 {
			return Version{}, fmt.Errorf("schema_version %q is not MAJOR.MINOR", s)
		}
	}
	return v, nil
}

// VersionError is a report whose schema version this build cannot read: a
// different major version (or no parseable version at all).
type VersionError struct {
	File      string // the report's path or name
	Kind      Kind
	Got       string // the report's schema_version
	Supported string // the version this build writes
}

func (e *VersionError) Error() string { return e.File + ": " + e.Detail() }

// Detail is the message without the file name, for callers that name the
// file themselves.
func (e *VersionError) Detail() string {
	sup, _ := ParseVersion(e.Supported)
	return fmt.Sprintf("%s schema_version %q is not supported: this build reads %d.x (it writes %s); use the action version that wrote the report, or regenerate it",
		e.Kind, e.Got, sup.Major, e.Supported)
}

// CheckVersion accepts got when it has the major version this build writes
// for kind (any minor, older or newer), and returns a *VersionError
// otherwise.
func CheckVersion(file string, kind Kind, got string) error {
	want, ok := SchemaVersions[kind]
	if !ok {
		return fmt.Errorf("%s: unknown report kind %q (allowed: %s)", file, kind, kindList())
	}
	w, _ := ParseVersion(want)
	g, err := ParseVersion(got)
	if err != nil || g.Major != w.Major {
		return &VersionError{File: file, Kind: kind, Got: got, Supported: want}
	}
	return nil
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
