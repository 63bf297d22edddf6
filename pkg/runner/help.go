package runner

import (
	"fmt"
	"strings"
)

// Help renders the --help text: every input with its flag, INPUT_ variable,
// environment variable, default, allowed values and usage.
func Help(spec Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", spec.Name, versionOr(spec.Version))
	if spec.Description != "" {
		fmt.Fprintf(&b, "\n%s\n", spec.Description)
	}
	fmt.Fprintf(&b, "\nUsage: %s [flags]\n\nEach input is read from its flag, else its INPUT_ variable (as set by the Actions runner),\nelse its environment variable, else its default.\n\nInputs:\n", spec.Name)
	for _, in := range spec.Inputs {
		fmt.Fprintf(&b, "\n  %s (%s)", in.Flag(), in.Kind)
		if in.Required {
			b.WriteString(", required")
		}
		if in.Secret {
			b.WriteString(", secret")
		}
		b.WriteString("\n")
		if in.Usage != "" {
			fmt.Fprintf(&b, "      %s\n", in.Usage)
		}
		fmt.Fprintf(&b, "      input: %s\n", in.InputEnv())
		if in.Env != "" {
			fmt.Fprintf(&b, "      env: %s\n", in.Env)
		}
		if in.Default != "" && !in.Secret {
			fmt.Fprintf(&b, "      default: %s\n", in.Default)
		}
		if a := in.allowedText(); a != "" {
			fmt.Fprintf(&b, "      allowed: %s\n", a)
		}
	}
	b.WriteString("\n  --help\n      print this help\n  --version\n      print the name and version\n")
	return b.String()
}
