package monitor

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// decodeStrict decodes YAML rejecting unknown keys.
// TODO: switch to pkg/config.DecodeStrict once it lands.
func decodeStrict(data []byte, source string, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("failed to parse %s: %w", source, err)
	}
	return nil
}
