package ghname

import (
	"strings"
	"testing"
)

// The cases follow the rules' sources: GitHub's sign-up rule for logins,
// git check-ref-format(1) for refs, RFC 5322 (net/mail) for addresses,
// GitHub's topic rule, the OpenAPI description for event types.
func TestValidators(t *testing.T) {
	t.Parallel()
	type tc struct {
		in string
		ok bool
	}
	cases := map[string]struct {
		fn    func(string) error
		cases []tc
	}{
		"login": {ValidateLogin, []tc{
			{"octocat", true}, {"octo-cat", true}, {strings.Repeat("a", 39), true}, {"github-actions[bot]", true}, {"dependabot[bot]", true},
			{"", false}, {"-x", false}, {"a b", false}, {strings.Repeat("a", 40), false}, {"a_b", false}, {"../x", false},
			{"a/b", false}, {"a?b", false}, {"[bot]", false}, {"a..b", false}, {"ä", false},
		}},
		"label": {ValidateLabel, []tc{
			{"stale", true}, {"lifecycle/stale", true}, {"good first issue", true}, {"a.b", true}, {"...", true}, {"🐛 bug", true},
			{"", false}, {"..", false}, {".", false}, {"../../../git/refs/heads/x", false}, {"a/../b", false}, {"a/./b", false},
			{`a\..\b`, false}, {"%2e%2e", false}, {"..%2Fx", false}, {"a,b", false}, {strings.Repeat("l", 51), false}, {" lead", false},
			{"tab\tx", false},
		}},
		"ref": {ValidateRef, []tc{
			{"main", true}, {"release/v1.2", true}, {"feature/x-y_z", true}, {"v1.0.0", true}, {"ecosystem-actions/fix-abc123", true},
			{"", false}, {"../x", false}, {"a..b", false}, {"a b", false}, {"x.lock", false}, {"a/x.lock/b", false}, {"-x", false},
			{"a~b", false}, {"a^b", false}, {"a:b", false}, {"a?b", false}, {"a*b", false}, {"a[b", false}, {`a\b`, false},
			{"x@{1}", false}, {"@", false}, {"/x", false}, {"x/", false}, {"x.", false}, {"a//b", false}, {"a/.b", false},
			{strings.Repeat("r", 256), false}, {"a\x7fb", false},
		}},
		"workflow": {ValidateWorkflow, []tc{
			{"release.yml", true}, {"ci.yaml", true}, {"12345", true}, {"my workflow.yml", true},
			{"", false}, {"0", false}, {"-1", false}, {"../../dispatches?x=", false}, {"a/b.yml", false}, {".github/workflows/x.yml", false},
			{"x.txt", false}, {"x.yml?y=1", false}, {"x.yml#y", false}, {"../x.yml", false}, {".yml", false}, {"x%2F.yml", false},
		}},
		"email": {ValidateEmail, []tc{
			{"alerts@example.com", true}, {"Alerts <alerts@example.com>", true}, {"a.b+tag@sub.example.org", true},
			{"", false}, {"not-an-email", false}, {"a@", false}, {"@b.example", false}, {"a@b@c.example", false},
			{"a b@c.example", false}, {"a@b.example\r\nBcc: x@y.example", false}, {"a@b.example, c@d.example", false},
		}},
		"topic": {ValidateTopic, []tc{
			{"openssl", true}, {"ci-cd", true}, {"3d", true}, {strings.Repeat("t", 50), true},
			{"", false}, {"Upper", false}, {"a b", false}, {strings.Repeat("t", 51), false}, {"-x", false}, {"a_b", false},
		}},
		"event_type": {ValidateEventType, []tc{
			{"ecosystem-alert", true}, {strings.Repeat("e", 100), true}, {"domain failure", true},
			{"", false}, {strings.Repeat("e", 101), false}, {"a\nb", false},
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, k := range c.cases {
				if err := c.fn(k.in); (err == nil) != k.ok {
					t.Errorf("%s(%q) = %v, want ok=%v", name, k.in, err, k.ok)
				}
			}
		})
	}
}

func TestMaxLength(t *testing.T) {
	t.Parallel()
	if err := MaxLength(strings.Repeat("é", MaxBodyLength), MaxBodyLength, "a comment"); err != nil {
		t.Errorf("65536 characters (more bytes): %v", err)
	}
	err := MaxLength(strings.Repeat("x", MaxBodyLength+1), MaxBodyLength, "a comment")
	if err == nil || !strings.Contains(err.Error(), "at most 65536") {
		t.Errorf("65537 characters: %v", err)
	}
}
