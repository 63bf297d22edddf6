package redact

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Example secrets, each shaped after an outside source. GitHub tokens are
// assembled at run time so this file holds no literal that a secret
// scanner (or GitHub push protection) would take for a live token; their
// bodies are not valid checksums, so none is one.

// body returns n characters from GitHub's token alphabet, [A-Za-z0-9],
// deterministically from seed.
func body(seed byte, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = alphabet[x%uint32(len(alphabet))]
	}
	return string(b)
}

// ghToken is a classic-shaped token: prefix + 36 characters, 40 in all
// (GitHub changelog 2021-03-31; "Behind GitHub's new authentication token
// formats", 2021-04-05).
func ghToken(prefix string, seed byte) string { return "gh" + prefix + "_" + body(seed, 36) }

// fineGrainedPAT has the observed fine-grained shape: github_pat_ + 22 +
// "_" + 59, 93 characters.
func fineGrainedPAT(seed byte) string {
	return "github" + "_pat_" + body(seed, 22) + "_" + body(seed+1, 59)
}

// statelessGHS has the 2026 installation token shape ghs_APPID_JWT
// (GitHub changelog 2026-05-15: ghs_-prefixed, ~520 characters, two dots).
func statelessGHS() string {
	return "gh" + "s_" + "1234567_" + rfc7519JWT
}

// AWS's documented example key pair (IAM user guide; STS GetAccessKeyInfo).
const (
	awsKeyID     = "AKIAIOSFODNN7EXAMPLE"
	awsSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// rfc7519JWT is the example JWT of RFC 7519 §3.1, line breaks removed;
// TestRFC7519ExampleIsGenuine checks it against the RFC 7515 A.1 key.
const rfc7519JWT = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
	".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
	".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

// rfc7617Basic is the example credential of RFC 7617 §2 ("Aladdin:open
// sesame").
const rfc7617Basic = "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="

func TestRFC7519ExampleIsGenuine(t *testing.T) {
	t.Parallel()
	// RFC 7515 Appendix A.1's HMAC key; the RFC 7519 §3.1 example is
	// signed with it, so a typo in rfc7519JWT fails here.
	key, err := base64.RawURLEncoding.DecodeString("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(rfc7519JWT, ".")
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if got := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); got != parts[2] {
		t.Fatalf("signature %s, want %s: rfc7519JWT is not the RFC's example", got, parts[2])
	}
	if dec, _ := base64.StdEncoding.DecodeString(rfc7617Basic); string(dec) != "Aladdin:open sesame" {
		t.Fatalf("rfc7617Basic decodes to %q", dec)
	}
}

// privateKeys returns PEM private keys made by Go's crypto packages (PKCS
// #8 "PRIVATE KEY", SEC 1 "EC PRIVATE KEY") and, when ssh-keygen is
// installed, an OpenSSH key, keyed by label.
func privateKeys(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ed)
	if err != nil {
		t.Fatal(err)
	}
	out["PRIVATE KEY"] = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err = x509.MarshalECPrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	out["EC PRIVATE KEY"] = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	if path, err := exec.LookPath("ssh-keygen"); err == nil {
		f := filepath.Join(t.TempDir(), "id")
		if err := exec.Command(path, "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", f).Run(); err == nil {
			if b, err := os.ReadFile(f); err == nil {
				out["OPENSSH PRIVATE KEY"] = string(b)
			}
		}
	}
	return out
}
