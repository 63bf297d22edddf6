package classify

import (
	"context"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// TestAnalyzeRedactsSecrets: the secrets a failing job printed are gone
// from every finding (text, context) before anything else sees them, a
// private key block too, and a token that changes from run to run leaves
// the fingerprint as it was.
func TestAnalyzeRedactsSecrets(t *testing.T) {
	t.Parallel()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	logFor := func(token string) string {
		return strings.Join([]string{
			"2026-11-20T07:52:00.0000000Z Loading key -----BEGIN RSA PRIVATE KEY-----",
			"2026-11-20T07:52:00.0000000Z MIIEowIBAAKCAQEAq7BFUpkGp3LQmlQ5Xn0tPlantedKeyLineOne",
			// More key lines than the context window holds: the window
			// starts inside the block, its BEGIN line out of sight.
			strings.Repeat("2026-11-20T07:52:00.0000000Z PlantedKeyLineMoreAbCdEfGhIjKlMnOpQrStUvWxYz0123456789\n", 8) +
				"2026-11-20T07:52:00.0000000Z PlantedKeyLineLastAbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
			"2026-11-20T07:52:00.0000000Z -----END RSA PRIVATE KEY-----",
			"2026-11-20T07:52:01.0000000Z remote: Invalid username or token " + token + " for run-secret-0042-xyz",
			"2026-11-20T07:52:01.0000000Z fatal: Authentication failed for 'https://github.com/o/r.git/'",
			"2026-11-20T07:52:02.0000000Z ##[error]Process completed with exit code 128.",
		}, "\n") + "\n"
	}
	a := NewAnalyzer(c, WithRedactor(redact.New("run-secret-0042-xyz")), WithContextLines(5))
	var fps [2][]string
	for i, tok := range []string{"ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "ghp_zYxWvUtSrQpOnMlKjIhGfEdCbA9876543210"} {
		// One byte at a time: a secret split across reads is still found.
		res, err := a.Analyze(context.Background(), iotest.OneByteReader(strings.NewReader(logFor(tok))), "log")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) == 0 {
			t.Fatal("no finding: the test would prove nothing")
		}
		for _, f := range res.Findings {
			texts := []string{f.Text}
			for _, cl := range f.Context {
				texts = append(texts, cl.Text)
			}
			for _, s := range texts {
				for _, leak := range []string{tok[4:], "PlantedKeyLine", "run-secret-0042-xyz"} {
					if strings.Contains(s, leak) {
						t.Errorf("finding %s holds %q: %q", f.RuleID, leak, s)
					}
				}
			}
			fps[i] = append(fps[i], f.Fingerprint)
		}
	}
	if strings.Join(fps[0], ",") != strings.Join(fps[1], ",") {
		t.Errorf("fingerprints changed with the token: %v vs %v", fps[0], fps[1])
	}
}
