package containertest

import (
	"errors"
	"strings"
	"testing"
)

func TestContextEvaluate(t *testing.T) {
	t.Parallel()
	ctx := &Context{
		GitHub: map[string]string{"token": "tok", "repository": "o/r"},
		Env:    map[string]string{"REPORTS": "reports"},
		Steps:  map[string]map[string]string{"monitor": {"report_path": "reports/a.json"}},
	}
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "literal", in: "plain", want: "plain"},
		{name: "empty", in: "", want: ""},
		{name: "github_token", in: "${{ github.token }}", want: "tok"},
		{name: "no_spaces", in: "${{github.repository}}", want: "o/r"},
		{name: "interpolated", in: "x-${{ env.REPORTS }}/${{ github.repository }}-y", want: "x-reports/o/r-y"},
		{name: "step_output", in: "${{ steps.monitor.outputs.report_path }}", want: "reports/a.json"},
		{name: "missing_github_key", in: "${{ github.sha }}", wantErr: "github.sha is not set"},
		{name: "missing_step", in: "${{ steps.fixer.outputs.x }}", wantErr: "no step with id fixer has run (ran: monitor)"},
		{name: "missing_output", in: "${{ steps.monitor.outputs.nope }}", wantErr: "step monitor set no output nope (it set: report_path)"},
		{name: "unsupported", in: "${{ hashFiles('x') }}", wantErr: "only github.<name>"},
		{name: "unclosed", in: "${{ github.token", wantErr: `no closing "}}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ctx.Evaluate(tt.in)
			if tt.wantErr != "" {
				var ee *ExpressionError
				if !errors.As(err, &ee) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Evaluate(%q) error = %v, want an *ExpressionError containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Evaluate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
