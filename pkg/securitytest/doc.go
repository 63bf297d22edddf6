// Package securitytest tries the four actions the way an attacker would,
// end to end and in-process, against one emulator: secrets planted in job
// logs run through the whole chain (monitor → fixer → stale → alert) and
// are looked for in every file, output, log line, request and webhook the
// chain produced; hostile values for every input that names something on
// GitHub must not reach a request outside the intended routes; and every
// invalid input of every action must be refused before any request, with
// exit code 2 and an error naming the input, the value and what is
// allowed.
//
// The package holds tests only (and this comment); it imports every
// action's entry package, which no library may.
package securitytest
