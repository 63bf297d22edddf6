// Package apitraffic checks what the four actions send to the GitHub API
// against GitHub's own description of it. Its test runs the actions
// in-process, through their entry packages, in real scenarios against the
// emulator with its traffic record on (emulator.Options.RecordTraffic): the
// demo chain, stale's writes over two runs (warn, label, close, delete
// branches, the tracking issue, un-staling), the alert lifecycle (open,
// update, comment, claim labels, both dispatch kinds, resolve, reopen), the
// fixer's pull request, the monitor with failure analysis and signals.
// Every recorded request is validated with kin-openapi's
// openapi3filter.ValidateRequest against the operation of GitHub's OpenAPI
// description (npm @octokit/openapi, pkg/emulator/openapitest) it is for,
// and every answer with ValidateResponse; a request for no documented
// operation, an undocumented query parameter or a body where the operation
// takes none fail it too.
//
// The emulator's conformance test checks the emulator against the
// description; this checks the clients, so that an emulator tolerating a
// request GitHub would refuse cannot make the tests prove a client that
// fails on github.com.
//
// Set APITRAFFIC_DUMP to a directory to get each scenario's exchanges
// there as JSON (<scenario>.json), to read what the actions send.
//
// The package holds tests only (and this comment); it imports every
// action's entry package, which no library may.
package apitraffic
