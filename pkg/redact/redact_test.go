package redact

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const ts = "2026-11-20T02:14:15.9950213Z " // the runner's log line prefix

func TestString(t *testing.T) {
	t.Parallel()
	ghp, gho, ghu, ghs, ghr := ghToken("p", 1), ghToken("o", 2), ghToken("u", 3), ghToken("s", 4), ghToken("r", 5)
	pat := fineGrainedPAT(6)
	tests := []struct {
		name, in, want string
	}{
		// GitHub tokens.
		{"classic_pat_in_echo", ts + "token is " + ghp, ts + "token is [redacted: github token]"},
		{"oauth_token", "GH_TOKEN=" + gho + " gh pr list", "GH_TOKEN=[redacted: github token] gh pr list"},
		{"user_to_server_json", `{"token":"` + ghu + `"}`, `{"token":"[redacted: github token]"}`},
		{"installation_token_in_url", "https://x-access-token:" + ghs + "@github.com/o/r.git",
			"https://[redacted: url credentials]@github.com/o/r.git"},
		{"refresh_token_end_of_sentence", "refresh with " + ghr + ".", "refresh with [redacted: github token]."},
		{"fine_grained_pat", "export GITHUB_PAT=" + pat, "export GITHUB_PAT=[redacted: github token]"},
		{"stateless_installation_token", "Authorization: token " + statelessGHS(), "Authorization: token [redacted: github token]"},
		{"stateless_installation_token_bare", "using " + statelessGHS() + " now", "using [redacted: github token] now"},
		{"token_glued_to_text", "key=abc" + ghp, "key=abc[redacted: github token]"},
		{"token_in_yaml_value", "  token: " + ghp, "  token: [redacted: github token]"},
		{"two_tokens_one_line", ghp + " " + gho, "[redacted: github token] [redacted: github token]"},

		// AWS.
		{"aws_key_id_env", "AWS_ACCESS_KEY_ID=" + awsKeyID, "AWS_ACCESS_KEY_ID=[redacted: aws access key id]"},
		{"aws_key_id_prose", "found key " + awsKeyID + " in config", "found key [redacted: aws access key id] in config"},
		{"aws_temporary_key_id", "ASIAY34FZKBOKMUTVV7A expired", "[redacted: aws access key id] expired"},
		{"aws_secret_assignment", "aws_secret_access_key=" + awsSecretKey, "aws_secret_access_key=[redacted: secret]"},
		{"aws_secret_ini_spaces", "aws_secret_access_key = " + awsSecretKey, "aws_secret_access_key = [redacted: secret]"},
		{"aws_credentials_yaml", "  AWS_SECRET_ACCESS_KEY: " + awsSecretKey, "  AWS_SECRET_ACCESS_KEY: [redacted: secret]"},
		{"aws_session_token", "aws_session_token=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ",
			"aws_session_token=[redacted: secret]"},
		{"aws_presigned_url", "GET https://b.s3.amazonaws.com/k?X-Amz-Credential=" + awsKeyID + "%2F20130524&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
			"GET https://b.s3.amazonaws.com/k?X-Amz-Credential=[redacted: aws access key id]%2F20130524&X-Amz-Signature=[redacted: secret]"},

		// Assignments.
		{"password_env", "DB_PASSWORD=hunter2!", "DB_PASSWORD=[redacted: secret]"},
		{"password_flag", "mysql --password=s3cr3t -h db", "mysql --password=[redacted: secret] -h db"},
		{"password_json", `{"user": "bob", "password": "correct horse battery staple"}`, `{"user": "bob", "password": "[redacted: secret]"}`},
		{"password_json_escaped", `"body": "{\"password\":\"hunter22\"}"`, `"body": "{\"password\":\"[redacted: secret]\"}"`},
		{"password_python_kwarg", `connect(password='p@ss w0rd')`, `connect(password='[redacted: secret]')`},
		{"api_key_header_style", "X-Api-Key: 9f8e7d6c5b4a39281716", "X-Api-Key: [redacted: secret]"},
		{"private_token_header", "PRIVATE-TOKEN: glpat-xR7nK2mQ9vL4pW8sT3yZ", "PRIVATE-TOKEN: [redacted: secret]"},
		{"npm_auth_token", "//registry.npmjs.org/:_authToken=npm_" + body(7, 36), "//registry.npmjs.org/:_authToken=[redacted: secret]"},
		{"npm_auth", "_auth=dXNlcjpwYXNzd29yZA==", "_auth=[redacted: secret]"},
		{"client_secret_query", "POST /token?client_id=abc&client_secret=Zf3D0LXCM3EIMbgJ&grant_type=x",
			"POST /token?client_id=abc&client_secret=[redacted: secret]&grant_type=x"},
		{"signed_url_sig", "https://results.blob.core.windows.net/logs/1.txt?sv=2021&sig=kpKj0QfGvq3%2FoZ1&se=2026",
			"https://results.blob.core.windows.net/logs/1.txt?sv=2021&sig=[redacted: secret]&se=2026"},
		{"passphrase", "GPG_PASSPHRASE=tr0ub4dor&3", "GPG_PASSPHRASE=[redacted: secret]&3"},
		{"list_of_fields", "user=bob, password=Pa55word, host=db", "user=bob, password=[redacted: secret], host=db"},

		// Private keys.
		{"private_key_one_line_escaped", `"key": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA\n-----END PRIVATE KEY-----\n"`,
			`"key": "[redacted: private key]\n"`},
		{"private_key_lines_kept", "a\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\r\nq1w2e3\n-----END RSA PRIVATE KEY----- x\nb",
			"a\n[redacted: private key]\n[redacted: private key]\r\n[redacted: private key]\n[redacted: private key] x\nb"},
		{"private_key_with_log_prefix", ts + "-----BEGIN OPENSSH PRIVATE KEY-----\n" + ts + "b3BlbnNzaC1rZXktdjEA\n" + ts + "-----END OPENSSH PRIVATE KEY-----\n" + ts + "done",
			ts + "[redacted: private key]\n[redacted: private key]\n[redacted: private key]\n" + ts + "done"},
		{"private_key_cut_off", "x\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA\nmore\n", "x\n[redacted: private key]\n[redacted: private key]\n[redacted: private key]\n"},
		{"pgp_private_key_block", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----",
			"[redacted: private key]\n[redacted: private key]\n[redacted: private key]"},

		// HTTP credentials.
		{"authorization_bearer_curl", `curl -H "Authorization: Bearer ` + ghs + `" https://api.github.com`,
			`curl -H "Authorization: Bearer [redacted: github token]" https://api.github.com`},
		{"authorization_basic_rfc7617", "Authorization: Basic " + rfc7617Basic, "Authorization: Basic [redacted: credentials]"},
		{"authorization_raw_token", "authorization: 0123456789abcdef0123", "authorization: [redacted: credentials]"},
		{"authorization_json", `{"Authorization": "Bearer abc.def-123"}`, `{"Authorization": "Bearer [redacted: credentials]"}`},
		{"proxy_authorization", "Proxy-Authorization: Basic " + rfc7617Basic, "Proxy-Authorization: Basic [redacted: credentials]"},
		{"bearer_standalone", "sending Bearer " + rfc7519JWT, "sending Bearer [redacted: jwt]"},
		{"bearer_opaque", "sending Bearer mF_9.B5f-4.1JqM", "sending Bearer [redacted: credentials]"}, // RFC 6750 §2.1
		{"basic_standalone", "auth header Basic " + rfc7617Basic + " sent", "auth header Basic [redacted: credentials] sent"},

		// URLs.
		{"url_user_password", "git remote add origin https://bob:s3cret@example.com/r.git", "git remote add origin https://[redacted: url credentials]@example.com/r.git"},
		{"url_token_as_user", "https://" + body(8, 40) + "@github.com/o/r", "https://[redacted: url credentials]@github.com/o/r"},
		{"url_password_with_at", "ftp://user:p%40ss@ftp.example.com:21/", "ftp://[redacted: url credentials]@ftp.example.com:21/"},

		// JWT.
		{"jwt_rfc7519", "id_token " + rfc7519JWT + " received", "id_token [redacted: jwt] received"},
		{"jwt_oidc_json", `{"value":"` + rfc7519JWT + `"}`, `{"value":"[redacted: jwt]"}`},
		{"jwt_unsecured", "t=eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UifQ.", "t=[redacted: jwt]"},

		// Masks.
		{"add_mask_command", "::add-mask::hunter2-is-the-password", "::add-mask::[redacted: masked value]"},
		{"add_mask_with_prefix", ts + "::add-mask::abcd1234 ", ts + "::add-mask::[redacted: masked value] "},
	}
	var r Redactor
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := r.String(tt.in); got != tt.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if got := r.String(r.String(tt.in)); got != tt.want {
				t.Errorf("String twice = %q, want %q", got, tt.want)
			}
			if got := streamLines(&r, tt.in); got != tt.want {
				t.Errorf("stream = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestUnchanged holds text that looks a little like a secret and is not.
func TestUnchanged(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"commit_sha", "HEAD is now at 9fceb02d0ae598e95dc970b74767f19372d61af8 Fix build"},
		{"short_sha", "checkout 9fceb02 (detached)"},
		{"uuid", "request id 123e4567-e89b-12d3-a456-426614174000 failed"},
		{"sha256_digest", ts + "Digest: sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"image_by_digest", "docker pull ghcr.io/o/img@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"base64_in_log", "payload: eyJhdXRocyI6e319 (base64)"},
		{"base64_blob", "data: SGVsbG8sIFdvcmxkIQ== decoded"},
		{"token_in_prose", "Error: the token is invalid or expired; create a new token at https://github.com/settings/tokens"},
		{"token_colon_word", "token: expired"},
		{"id_token_permission", "  id-token: write"},
		{"permissions_block", "GITHUB_TOKEN Permissions\n  Contents: read\n  Metadata: read"},
		{"runner_masked_env", "env:\n  GITHUB_TOKEN: ***\n  NPM_TOKEN: ***\n  CONAN_PASSWORD: "},
		{"expression_reference", "token: ${{ secrets.GITHUB_TOKEN }}"},
		{"shell_reference", `TOKEN="$GITHUB_TOKEN" curl -u "user:$PASS"`},
		{"go_comparison", "if token == nil || password != want {"},
		{"go_short_var_decl", `token := os.Getenv("GITHUB_TOKEN")`},
		{"max_tokens", "max_tokens=4096 token_type=bearer tokens: 12"},
		{"password_prompt", "Password: "},
		{"password_required", "password: required"},
		{"secret_source", ts + "Secret source: Actions"},
		{"wrong_password_message", "ERROR: Wrong user or password. [Remote: cloudsmith]"},
		{"bearer_prose", "Bearer token authentication failed: bearer of bad news"},
		{"basic_prose", "Basic usage: basic auth is disabled"},
		{"basic_not_credentials", "Basic SGVsbG8sIFdvcmxkIQ=="}, // decodes to "Hello, World!", no ':'
		{"authorization_failed", "Authorization: failed"},
		{"authorization_scheme_only", "Authorization: Bearer"},
		{"authorization_masked", "Authorization: Bearer ***"},
		{"ssh_url", "git clone ssh://git@github.com/o/r.git && git@github.com:o/r.git"},
		{"url_no_credentials", "https://github.com/o/r/actions/runs/123?check_suite_focus=true"},
		{"url_masked_password", "https://oauth2:***@gitlab.example.com/r.git"},
		{"ipv6_and_scopes", "listening on [::1]:8080; std::vector<int>"},
		{"aws_prefix_in_word", "KAKIAIOSFODNN7EXAMPLE and AKIAIOSFODNN7EXAMPLEX"},
		{"gh_prefix_short", "ghp_short gho_ ghs_abc"},
		{"eyj_too_short", "eyJhbGc.eyJ.x"},
		{"pem_public_key", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----"},
		{"pem_certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
		{"markdown_rule", "-----\n---- BEGIN ----"},
		{"placeholder_values", "password=*** token=null secret=<your-secret> api_key=%API_KEY% auth={{ .Auth }}"},
		{"marker_text", "[redacted: github token] [redacted: secret]"},
		{"cmake_var", "-DOPENSSL_USE_STATIC_LIBS=TRUE"},
		{"code_in_stack_trace", "66 |                 const id_token = yield OidcClient.getCall(id_token_url);"}, // testdata/fixer/public/dev/wf-oidc-claude-action-retry.log
		{"octokit_redacted_header", ts + "      authorization: 'token [REDACTED]',"},                             // testdata/ecosystem/logs/orch-resource-not-accessible.log
	}
	var r Redactor
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := r.String(tt.in); got != tt.in {
				t.Errorf("String(%q) = %q, want it unchanged", tt.in, got)
			}
			if r.Contains(tt.in) {
				t.Errorf("Contains(%q) = true", tt.in)
			}
		})
	}
}

func TestPrivateKeysFromCrypto(t *testing.T) {
	t.Parallel()
	var r Redactor
	for label, key := range privateKeys(t) {
		t.Run(strings.ReplaceAll(label, " ", "_"), func(t *testing.T) {
			in := "deploy key:\n" + key + "done\n"
			lines := strings.Count(key, "\n")
			want := "deploy key:\n" + strings.Repeat("[redacted: private key]\n", lines) + "done\n"
			if got := r.String(in); got != want {
				t.Errorf("String =\n%s\nwant\n%s", got, want)
			}
			if got := streamLines(&r, in); got != want {
				t.Errorf("stream =\n%s\nwant\n%s", got, want)
			}
			// As a JSON string, on one line.
			q := fmt.Sprintf("%q", key)
			if got := r.String(`{"key": ` + q + `}`); got != `{"key": "[redacted: private key]\n"}` {
				t.Errorf("one-line key = %s", got)
			}
		})
	}
}

func TestFindKinds(t *testing.T) {
	t.Parallel()
	in := "a=" + ghToken("p", 9) + " " + awsKeyID + " https://u:p4ss@h/ " + rfc7519JWT + " password=x1y2z3"
	var r Redactor
	var got []Kind
	for _, m := range r.Find(in) {
		got = append(got, m.Kind)
	}
	want := []Kind{GitHubToken, AWSAccessKeyID, URLCredentials, JWT, Secret}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Find kinds (-want +got):\n%s", diff)
	}
}

func TestAdd(t *testing.T) {
	t.Parallel()
	r := New("hunter2-secret", "  padded-value  ", "abc", "line-one\nline-two")
	tests := []struct{ in, want string }{
		{"pw is hunter2-secret.", "pw is [redacted: masked value]."},
		{`{"v":"padded-value"}`, `{"v":"[redacted: masked value]"}`},
		{"abc is too short to mask", "abc is too short to mask"},
		{"q=hunter2-secret", "q=[redacted: masked value]"},
		{"b64 aHVudGVyMi1zZWNyZXQ= end", "b64 [redacted: masked value]= end"},
		{"x line-one\nline-two y", "x [redacted: masked value]\n[redacted: masked value] y"},
		{"only line-two here", "only [redacted: masked value] here"},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := streamLines(r, tt.in); got != tt.want {
			t.Errorf("stream(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	r.Add("with spaces & symbols")
	if got := r.String("a with%20spaces%20&%20symbols b"); got != "a [redacted: masked value] b" {
		t.Errorf("path-escaped form not masked: %q", got)
	}
	if got := r.String("a with+spaces+%26+symbols b"); got != "a [redacted: masked value] b" {
		t.Errorf("query-escaped form not masked: %q", got)
	}
}

// TestAddConcurrent runs String and Add at once (meaningful under -race).
func TestAddConcurrent(t *testing.T) {
	t.Parallel()
	r := New()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				v := fmt.Sprintf("value-%d-%d", g, i)
				r.Add(v)
				if got := r.String("x " + v + " y"); got != "x [redacted: masked value] y" {
					t.Errorf("value added by this goroutine not masked: %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := r.Values(); n < 800 {
		t.Errorf("Values() = %d, want at least 800", n)
	}
}

func TestStringNoAllocWhenClean(t *testing.T) {
	var r Redactor
	s := strings.Repeat(ts+"Run go test ./... -race: ok github.com/x/y 0.123s token: *** env=prod\n", 20)
	if n := testing.AllocsPerRun(20, func() { _ = r.String(s) }); n != 0 {
		t.Errorf("String of clean text allocates %.0f times, want 0", n)
	}
}

// streamLines feeds s line by line through a Stream.
func streamLines(r *Redactor, s string) string {
	st := r.Stream()
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = st.Line(l)
	}
	return strings.Join(lines, "\n")
}

func TestWriterChunks(t *testing.T) {
	t.Parallel()
	keys := privateKeys(t)
	in := ts + "token " + ghToken("s", 11) + "\n" + keys["PRIVATE KEY"] + "Authorization: Basic " + rfc7617Basic + "\nlast line " + awsKeyID
	var r Redactor
	want := r.String(in)
	for _, size := range []int{1, 2, 3, 7, 64, len(in)} {
		var out bytes.Buffer
		w := r.Writer(&out)
		for p := in; p != ""; {
			n := min(size, len(p))
			if k, err := w.Write([]byte(p[:n])); k != n || err != nil {
				t.Fatalf("Write = %d, %v", k, err)
			}
			p = p[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("chunks of %d:\n got %q\nwant %q", size, out.String(), want)
		}
	}
}

func TestWriterLongLine(t *testing.T) {
	t.Parallel()
	tok := ghToken("p", 12)
	in := strings.Repeat("word ", MaxLineBytes/5+10) + tok + " tail\n"
	var out bytes.Buffer
	var r Redactor
	w := r.Writer(&out)
	if _, err := w.Write([]byte(in)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), tok) || !strings.HasSuffix(out.String(), "[redacted: github token] tail\n") {
		t.Errorf("long line: token survived or tail wrong: …%q", out.String()[max(0, out.Len()-80):])
	}
	if out.Len() != len(in)-len(tok)+len(Marker(GitHubToken)) {
		t.Errorf("long line: %d bytes out, want %d", out.Len(), len(in)-len(tok)+len(Marker(GitHubToken)))
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestWriterError(t *testing.T) {
	t.Parallel()
	var r Redactor
	w := r.Writer(failWriter{})
	if _, err := w.Write([]byte("a\n")); err == nil {
		t.Fatal("Write to a failing writer: no error")
	}
	if _, err := w.Write([]byte("b\n")); err == nil {
		t.Fatal("error is not sticky")
	}
}

func TestMarkerKinds(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		m := Marker(k)
		if markerAt(m) != len(m) {
			t.Errorf("markerAt(%q) = %d", m, markerAt(m))
		}
		if markerAt(m[:len(m)-1]) != 0 {
			t.Errorf("markerAt accepts %q", m[:len(m)-1])
		}
	}
}

// TestRepetitiveInputs feeds text built so that every position starts a
// long scan. It passes quickly when scanning is linear and would take
// minutes if it were quadratic (it did, before the run caches in scanner).
func TestRepetitiveInputs(t *testing.T) {
	t.Parallel()
	var r Redactor
	for _, unit := range []string{
		"token=", "authorization:", "eyJ", "ghp_", "a://", "::add-mask::", "Bearer ", "password=$x",
		"-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "[redacted: secret]x=", "\"token\":\"",
	} {
		s := strings.Repeat(unit, 200_000/len(unit))
		once := r.String(s)
		if r.String(once) != once {
			t.Errorf("%q repeated: not idempotent", unit)
		}
	}
}
