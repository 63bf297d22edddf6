// Package contract defines every report the actions hand each other: the
// envelope that names a report's kind and schema version, the one Finding
// type every action emits and every consumer reads, the report types of the
// four kinds (ecosystem_analysis, failure_analysis, stale_analysis,
// alert_results), their JSON Schemas, and the decoder that reads a report by
// its kind and refuses a major version it does not know.
//
// It is a leaf: it imports only the standard library, so producers
// (actions/monitor, actions/fixer, actions/stale, actions/alert), the
// classification engine (pkg/classify) and consumers can all depend on it.
//
// # Versions
//
// schema_version is "MAJOR.MINOR". A minor version only adds fields; a
// consumer reads every minor version of the major it knows (older ones
// lack the added fields, newer ones carry fields it ignores). A different
// major version is refused with a *VersionError naming the file and both
// versions. Reports written before the envelope existed (ecosystem_analysis
// 2.0, failure_analysis "1", stale_analysis without a version) carry no
// kind; Decode recognises them by their top-level keys and reads them as the
// oldest minor of their kind.
package contract
