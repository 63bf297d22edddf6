package alert

import (
	"encoding/json"

	redaction "github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// redactMessage returns m with every string in it redacted (nil red:
// pkg/redact's rules alone). It is the one place webhook and e-mail
// content passes: every payload (Slack, Teams, generic, e-mail) is built
// from the message, and a generic webhook's signature is computed over
// the redacted payload, so it still verifies.
func redactMessage(m message, red *redaction.Redactor) message {
	if red == nil {
		red = redaction.New()
	}
	data, err := json.Marshal(m)
	if err != nil {
		return m
	}
	out := red.JSON(data)
	if len(out) == len(data) && string(out) == string(data) {
		return m
	}
	var r message
	if err := json.Unmarshal(out, &r); err != nil {
		return m
	}
	return r
}
