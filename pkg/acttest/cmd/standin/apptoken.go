package main

// actions/create-github-app-token (v3) against the API at github-api-url:
// the same requests as the real action (lib/main.js, lib/post.js), written
// from GitHub's REST documentation:
//
//  1. a JWT signed RS256 with the App's private key, iss = the client id,
//     iat 30 s in the past, exp 10 min after iat
//     (https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app);
//  2. the installation: GET /repos/{owner}/{repo}/installation when
//     repositories are named (the first one), else
//     GET /users/{owner}/installation (users and organisations alike);
//  3. POST /app/installations/{id}/access_tokens with the repositories and
//     the permission-* inputs;
//  4. outputs token (masked), installation-id, app-slug; the post step
//     revokes the token with DELETE /installation/token unless
//     skip-token-revoke or it has expired.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// appJWT returns the JWT that authenticates as the App: RS256 over
// {"iat": now-30s, "exp": iat+10min, "iss": clientID}.
func appJWT(key *rsa.PrivateKey, clientID string, now time.Time) (string, error) {
	enc := base64.RawURLEncoding
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT"})
	if err != nil {
		return "", err
	}
	iat := now.Add(-30 * time.Second).Unix()
	claims, err := json.Marshal(map[string]any{"iat": iat, "exp": iat + 600, "iss": clientID})
	if err != nil {
		return "", err
	}
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("failed to sign the JWT: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// parsePrivateKey reads a PEM RSA key (PKCS #1 or PKCS #8), with "\n"
// written as an escaped two-character sequence accepted too, as the real
// action accepts keys pasted on one line.
func parsePrivateKey(s string) (*rsa.PrivateKey, error) {
	s = strings.ReplaceAll(s, `\n`, "\n")
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("input private-key is not a PEM private key (-----BEGIN RSA PRIVATE KEY----- ...)")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("input private-key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("input private-key is a %T, not an RSA key", k)
	}
	return rk, nil
}

// appPermissions turns the permission-<name> inputs into the access_tokens
// body's permissions object ({"issues": "write"}), nil when none is set.
func appPermissions(environ []string) (map[string]string, error) {
	perms := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		name, ok := strings.CutPrefix(k, "INPUT_PERMISSION-")
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		level := strings.TrimSpace(v)
		switch level {
		case "read", "write", "admin":
		default:
			return nil, fmt.Errorf("input permission-%s value %q is invalid; allowed: read, write (admin for some)", strings.ToLower(name), level)
		}
		perms[strings.ReplaceAll(strings.ToLower(name), "-", "_")] = level
	}
	if len(perms) == 0 {
		return nil, nil
	}
	return perms, nil
}

// apiError is a non-2xx answer of the API.
type apiError struct {
	Method, URL string
	Status      int
	Body        string
	// Date is the answer's Date header: the API's clock.
	Date string
}

func (a *apiError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", a.Method, a.URL, a.Status, a.Body)
}

// apiCall sends one REST request with the given authorization header
// value and decodes a JSON answer into out (when non-nil).
func (e *env) apiCall(ctx context.Context, method, u, authorization string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "act-standin/create-github-app-token")
	req.Header.Set("Authorization", authorization)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode/100 != 2 {
		return &apiError{Method: method, URL: u, Status: res.StatusCode, Body: string(bytes.TrimSpace(data)), Date: res.Header.Get("Date")}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not JSON: %w", method, u, err)
	}
	return nil
}

// retry runs fn up to 1+retries times while shouldRetry accepts its error,
// waiting 1 s, 2 s, 4 s between attempts (p-retry's defaults).
func retry(ctx context.Context, e *env, what string, retries int, shouldRetry func(error) bool, fn func() error) error {
	wait := time.Second
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt > retries || !shouldRetry(err) {
			return err
		}
		e.printf("Failed to create token for %q (attempt %d): %v\n", what, attempt, err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// timeSkew matches the API's answers to a JWT whose times are off by the
// runner's clock (the messages @octokit/auth-app, which the real action
// uses, retries on).
var timeSkew = regexp.MustCompile(`'Expiration time' claim \('exp'\) is too far in the future|'Expiration time' claim \('exp'\) must be a numeric value representing the future time at which the assertion expires|'Issued at' claim \('iat'\) must be an Integer representing the time that the assertion was issued`)

// skewFrom returns how far the API's clock (its Date header) is ahead of
// now when err is a time-skew refusal, and whether it is one.
func skewFrom(err error, now time.Time) (time.Duration, bool) {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || !timeSkew.MatchString(ae.Body) || ae.Date == "" {
		return 0, false
	}
	at, perr := http.ParseTime(ae.Date)
	if perr != nil {
		return 0, false
	}
	return at.Sub(now).Truncate(time.Second), true
}

func appToken(ctx context.Context, e *env, _ []string) error {
	repoEnv, ownerEnv := e.getenv("GITHUB_REPOSITORY"), e.getenv("GITHUB_REPOSITORY_OWNER")
	if repoEnv == "" {
		return errors.New("GITHUB_REPOSITORY missing, must be set to '<owner>/<repo>'")
	}
	if ownerEnv == "" {
		return errors.New("GITHUB_REPOSITORY_OWNER missing, must be set to '<owner>'")
	}
	clientID := e.input("client-id")
	if clientID == "" {
		clientID = e.input("app-id")
		if clientID != "" {
			e.printf("::warning::Input 'app-id' has been deprecated with message: Use 'client-id' instead.\n")
		}
	}
	if clientID == "" {
		return errors.New("the 'client-id' (or deprecated 'app-id') input must be set to a non-empty string")
	}
	key, err := parsePrivateKey(e.getenv("INPUT_PRIVATE-KEY"))
	if err != nil {
		return err
	}
	owner := e.input("owner")
	var repos []string
	for _, r := range strings.FieldsFunc(e.input("repositories"), func(c rune) bool { return c == ',' || c == '\n' }) {
		if r = strings.TrimSpace(r); r != "" {
			if !namePattern.MatchString(r) {
				return fmt.Errorf("input repositories value %q is invalid; allowed: repository names without the owner, comma or newline separated", r)
			}
			repos = append(repos, r)
		}
	}
	switch {
	case owner == "" && len(repos) == 0:
		o, r, _ := strings.Cut(repoEnv, "/")
		owner, repos = o, []string{r}
		e.printf("Inputs 'owner' and 'repositories' are not set. Creating token for this repository (%s/%s).\n", o, r)
	case owner != "" && len(repos) == 0:
		e.printf("Input 'repositories' is not set. Creating token for all repositories owned by %s.\n", owner)
	case owner == "":
		owner = ownerEnv
		e.printf("No 'owner' input provided. Using default owner '%s' to create token for: %s\n", owner, strings.Join(repos, ", "))
	default:
		e.printf("Inputs 'owner' and 'repositories' are set. Creating token for: %s\n", strings.Join(repos, ", "))
	}
	perms, err := appPermissions(e.environ())
	if err != nil {
		return err
	}
	api := strings.TrimSuffix(e.input("github-api-url"), "/")
	if api == "" {
		api = strings.TrimSuffix(e.getenv("GITHUB_API_URL"), "/")
	}
	if api == "" {
		return errors.New("input github-api-url is empty and GITHUB_API_URL is not set")
	}

	var inst struct {
		ID      int64  `json:"id"`
		AppSlug string `json:"app_slug"`
	}
	var tok struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
	}
	// asApp sends one request authenticated as the App. When the API
	// refuses the JWT's times, it signs again with the API's clock (its
	// Date header) and retries once, as @octokit/auth-app does.
	var skew time.Duration
	asApp := func(method, u string, body, out any) error {
		jwt, err := appJWT(key, clientID, e.now().Add(skew))
		if err != nil {
			return err
		}
		err = e.apiCall(ctx, method, u, "bearer "+jwt, body, out)
		d, ok := skewFrom(err, e.now())
		if !ok {
			return err
		}
		e.printf("::warning::GitHub API time and system time are different by %d seconds. Retrying request with the difference accounted for.\n", int(d.Seconds()))
		skew = d
		if jwt, err = appJWT(key, clientID, e.now().Add(skew)); err != nil {
			return err
		}
		return e.apiCall(ctx, method, u, "bearer "+jwt, body, out)
	}
	mint := func() error {
		u := api + "/users/" + url.PathEscape(owner) + "/installation"
		if len(repos) > 0 {
			u = api + "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repos[0]) + "/installation"
		}
		if err := asApp(http.MethodGet, u, nil, &inst); err != nil {
			return err
		}
		body := map[string]any{}
		if len(repos) > 0 {
			body["repositories"] = repos
		}
		if perms != nil {
			body["permissions"] = perms
		}
		return asApp(http.MethodPost, api+"/app/installations/"+strconv.FormatInt(inst.ID, 10)+"/access_tokens", body, &tok)
	}
	what := owner
	shouldRetry := func(error) bool { return true }
	if len(repos) > 0 {
		what = strings.Join(repos, ",")
		shouldRetry = func(err error) bool {
			var ae *apiError
			return errors.As(err, &ae) && ae.Status >= 500
		}
	}
	if err := retry(ctx, e, what, 3, shouldRetry, mint); err != nil {
		return err
	}
	if tok.Token == "" {
		return errors.New("the access_tokens answer has no token")
	}
	e.printf("::add-mask::%s\n", tok.Token)
	names := make([]string, 0, len(perms))
	for k, v := range perms {
		names = append(names, k+":"+v)
	}
	sort.Strings(names)
	e.printf("installation %d of %s: token expires at %s (permissions %s)\n", inst.ID, inst.AppSlug, tok.ExpiresAt, strings.Join(names, ","))
	for k, v := range map[string]string{"token": tok.Token, "installation-id": strconv.FormatInt(inst.ID, 10), "app-slug": inst.AppSlug} {
		if err := e.setOutput(k, v); err != nil {
			return err
		}
	}
	if e.input("skip-token-revoke") == "true" {
		return nil
	}
	if err := e.saveState("token", tok.Token); err != nil {
		return err
	}
	return e.saveState("expiresAt", tok.ExpiresAt)
}

func appTokenPost(ctx context.Context, e *env, _ []string) error {
	if e.input("skip-token-revoke") == "true" {
		e.printf("Token revocation was skipped\n")
		return nil
	}
	token := e.getenv("STATE_token")
	if token == "" {
		e.printf("Token is not set\n")
		return nil
	}
	if at, err := time.Parse(time.RFC3339, e.getenv("STATE_expiresAt")); err == nil && at.Before(e.now()) {
		e.printf("Token expired, skipping token revocation\n")
		return nil
	}
	api := strings.TrimSuffix(e.input("github-api-url"), "/")
	if api == "" {
		api = strings.TrimSuffix(e.getenv("GITHUB_API_URL"), "/")
	}
	if err := e.apiCall(ctx, http.MethodDelete, api+"/installation/token", "token "+token, nil, nil); err != nil {
		e.printf("::warning::Token revocation failed: %s\n", escapeData(err.Error()))
		return nil
	}
	e.printf("Token revoked\n")
	return nil
}
