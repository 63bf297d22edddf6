package ghclient

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
)

func TestRunConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		inputs []runner.Input
		env    map[string]string
		want   Config
	}{
		{
			name:   "shared_inputs",
			inputs: []runner.Input{runner.TokenInput(), runner.CacheDirInput(), runner.RateLimitPolicyInput(), runner.MaxWaitInput()},
			env: map[string]string{"GITHUB_API_URL": "https://ghe.example.com/api/v3", "INPUT_GITHUB_TOKEN": "ghs_x",
				"INPUT_CACHE_DIR": "/tmp/c", "INPUT_RATE_LIMIT_POLICY": "stop", "INPUT_RATE_LIMIT_MAX_WAIT": "2m"},
			want: Config{Token: "ghs_x", APIURL: "https://ghe.example.com/api/v3", Version: "1.2.3", CacheDir: "/tmp/c",
				RateLimitPolicy: "stop", MaxWait: 2 * time.Minute},
		},
		{
			name:   "undeclared_inputs_keep_new_defaults",
			inputs: []runner.Input{runner.TokenInput()},
			env:    map[string]string{"GITHUB_TOKEN": "ghs_y"},
			want:   Config{Token: "ghs_y", APIURL: "https://api.github.com", Version: "1.2.3"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := runner.Load(runner.Spec{Name: "x", Inputs: tc.inputs}, runner.WithGetenv(func(k string) string { return tc.env[k] }))
			if err != nil {
				t.Fatal(err)
			}
			got := RunConfig(r, "1.2.3")
			// The run's redactor, which knows the token it masked.
			if got.Redactor != r.Redactor() || got.Redactor.String(got.Token) == got.Token {
				t.Errorf("RunConfig().Redactor = %p, want the run's %p, which redacts the token", got.Redactor, r.Redactor())
			}
			got.Redactor = nil
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("RunConfig() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
