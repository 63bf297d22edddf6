package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// GitHub Apps: the fixture's apps, their JWTs and the installation tokens
// they mint.
// https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app

// appState is a fixture app with its verification key.
type appState struct {
	App
	pub           *rsa.PublicKey
	installations []*installationState
}

// installationState is an installation with the repositories it reaches.
type installationState struct {
	Installation
	selection string          // "all" or "selected"
	repos     map[string]bool // lower-case full names
}

func (a *appState) installation(id int64) *installationState {
	for _, in := range a.installations {
		if in.ID == id {
			return in
		}
	}
	return nil
}

func (a *appState) installationIDs() string {
	var ids []string
	for _, in := range a.installations {
		ids = append(ids, strconv.FormatInt(in.ID, 10))
	}
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

func (st *state) appBySlug(slug string) *appState {
	for _, a := range st.apps {
		if strings.EqualFold(a.Slug, slug) {
			return a
		}
	}
	return nil
}

// buildApps parses the apps' keys and resolves their installations.
func (st *state) buildApps(apps []App) error {
	for _, a := range apps {
		if a.Slug == "" || a.ID == 0 {
			return fmt.Errorf("failed to load app %q: slug and id are required", a.Slug)
		}
		pub, err := parsePublicKey(a.Key)
		if err != nil {
			return fmt.Errorf("failed to load app %s: key (or key_file): %w", a.Slug, err)
		}
		as := &appState{App: a, pub: pub}
		for _, in := range a.Installations {
			if in.ID == 0 || in.Account == "" {
				return fmt.Errorf("failed to load app %s: an installation needs id and account", a.Slug)
			}
			is := &installationState{Installation: in, selection: "selected", repos: map[string]bool{}}
			if len(in.Repositories) == 0 {
				is.selection = "all"
				for _, rs := range st.repos {
					if strings.EqualFold(rs.fx.Owner, in.Account) {
						is.repos[strings.ToLower(rs.fx.FullName())] = true
					}
				}
			}
			for _, r := range in.Repositories {
				if !strings.Contains(r, "/") {
					r = in.Account + "/" + r
				}
				if st.byName[strings.ToLower(r)] == nil {
					return fmt.Errorf("failed to load app %s: installation %d lists repository %q, which the fixture does not have", a.Slug, in.ID, r)
				}
				is.repos[strings.ToLower(r)] = true
			}
			as.installations = append(as.installations, is)
		}
		st.apps = append(st.apps, as)
	}
	return nil
}

// parsePublicKey reads the RSA public key of a PEM public or private key.
func parsePublicKey(text string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("no PEM block (want an RSA PUBLIC KEY, PUBLIC KEY, RSA PRIVATE KEY or PRIVATE KEY)")
	}
	switch block.Type {
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		if rk, ok := k.(*rsa.PublicKey); ok {
			return rk, nil
		}
	case "RSA PRIVATE KEY", "PRIVATE KEY":
		k, err := parsePrivateKey(block)
		if err != nil {
			return nil, err
		}
		return &k.PublicKey, nil
	}
	return nil, fmt.Errorf("PEM block %q is not an RSA key", block.Type)
}

func parsePrivateKey(block *pem.Block) (*rsa.PrivateKey, error) {
	if block.Type == "RSA PRIVATE KEY" {
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the private key is not an RSA key")
	}
	return rk, nil
}

// AppJWT returns the JWT a GitHub App authenticates with, as
// actions/create-github-app-token and octokit make it: RS256 over
// {"iat": now-60s, "exp": now+9m, "iss": iss}, signed with keyPEM (a PEM
// RSA private key, PKCS#1 or PKCS#8). iss is the app id or client id.
// Tests mint installation tokens with it:
//
//	jwt, _ := emulator.AppJWT(key, "123456", now)
//	POST /app/installations/{id}/access_tokens with "Authorization: Bearer "+jwt
func AppJWT(keyPEM, iss string, now time.Time) (string, error) {
	block, _ := pem.Decode([]byte(keyPEM))
	if block == nil {
		return "", errors.New("emulator: AppJWT: key is not PEM")
	}
	key, err := parsePrivateKey(block)
	if err != nil {
		return "", fmt.Errorf("emulator: AppJWT: %w", err)
	}
	var issVal any = iss
	if n, err := strconv.ParseInt(iss, 10, 64); err == nil {
		issVal = n
	}
	claims, err := json.Marshal(map[string]any{"iat": now.Add(-60 * time.Second).Unix(), "exp": now.Add(9 * time.Minute).Unix(), "iss": issVal})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("emulator: AppJWT: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// JWT failures, in GitHub's words.
const (
	jwtUndecodable = "A JSON web token could not be decoded"
	jwtExpired     = "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	jwtTooLong     = "'Expiration time' claim ('exp') is too far in the future"
	jwtIssuedLater = "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
)

// verifyAppJWT checks an app JWT: RS256, signed by the app named in iss
// (id or client id), exp in the future and at most 10 minutes after now,
// iat not in the future. It returns the app's credential or GitHub's 401
// message.
func (st *state) verifyAppJWT(token string, now time.Time) (*credential, string) {
	parts := strings.Split(token, ".")
	enc := base64.RawURLEncoding
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Iat json.Number `json:"iat"`
		Exp json.Number `json:"exp"`
		Iss any         `json:"iss"`
	}
	hb, err1 := enc.DecodeString(parts[0])
	cb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &header) != nil || header.Alg != "RS256" {
		return nil, jwtUndecodable
	}
	dec := json.NewDecoder(strings.NewReader(string(cb)))
	dec.UseNumber()
	if dec.Decode(&claims) != nil {
		return nil, jwtUndecodable
	}
	iss := fmt.Sprint(claims.Iss)
	var app *appState
	for _, a := range st.apps {
		if iss == strconv.FormatInt(a.ID, 10) || (a.ClientID != "" && iss == a.ClientID) {
			app = a
		}
	}
	if app == nil {
		return nil, jwtUndecodable
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(app.pub, crypto.SHA256, sum[:], sig) != nil {
		return nil, jwtUndecodable
	}
	exp, errE := claims.Exp.Int64()
	iat, errI := claims.Iat.Int64()
	switch {
	case errE != nil || exp <= now.Unix():
		return nil, jwtExpired
	case exp > now.Add(10*time.Minute).Unix():
		return nil, jwtTooLong
	case errI != nil || iat > now.Unix():
		return nil, jwtIssuedLater
	}
	return &credential{kind: credApp, login: app.Slug + "[bot]", app: app, appSlug: app.Slug, appID: app.ID,
		limitKey: fmt.Sprintf("app:%d", app.ID)}, ""
}

// installationJSON is an installation.
func (c *call) installationJSON(app *appState, in *installationState) map[string]any {
	acct := c.s.st.user(in.Account)
	targetType := acct.Type
	html := fmt.Sprintf("%s/settings/installations/%d", htmlBase, in.ID)
	if targetType == "Organization" {
		html = fmt.Sprintf("%s/organizations/%s/settings/installations/%d", htmlBase, acct.Login, in.ID)
	}
	created := in.CreatedAt
	if created.IsZero() {
		created = c.s.st.fixture.ReferenceTime
	}
	if created.IsZero() {
		created = c.now.Add(-365 * 24 * time.Hour).Truncate(24 * time.Hour)
	}
	events := append([]string{}, in.Events...)
	perms := map[string]any{}
	for k, v := range in.Permissions {
		perms[k] = v
	}
	return map[string]any{
		"id": in.ID, "account": c.userJSON(in.Account), "repository_selection": in.selection,
		"access_tokens_url": fmt.Sprintf("%s/app/installations/%d/access_tokens", c.api, in.ID),
		"repositories_url":  c.api + "/installation/repositories", "html_url": html,
		"app_id": app.ID, "app_slug": app.Slug, "client_id": nullIfEmpty(app.ClientID), "target_id": acct.ID, "target_type": targetType,
		"permissions": perms, "events": events, "created_at": ts(created), "updated_at": ts(created),
		"single_file_name": nil, "has_multiple_single_files": false, "single_file_paths": []any{},
		"suspended_by": nil, "suspended_at": nil,
	}
}

func (s *Server) getApp(c *call) {
	app := c.cred.app
	owner := app.Owner
	if owner == "" && len(app.installations) > 0 {
		owner = app.installations[0].Account
	}
	name := app.Name
	if name == "" {
		name = app.Slug
	}
	created := s.st.fixture.ReferenceTime
	if created.IsZero() {
		created = c.now
	}
	c.ok(map[string]any{
		"id": app.ID, "slug": app.Slug, "node_id": nodeID("Integration", app.ID), "client_id": nullIfEmpty(app.ClientID),
		"owner": c.userJSON(owner), "name": name, "description": nil, "external_url": htmlBase + "/apps/" + app.Slug,
		"html_url": htmlBase + "/apps/" + app.Slug, "created_at": ts(created), "updated_at": ts(created),
		"permissions": map[string]any{}, "events": []any{}, "installations_count": len(app.installations),
	})
}

func (s *Server) listInstallations(c *call) {
	app := c.cred.app
	out := c.page(len(app.installations), func(i int) any { return c.installationJSON(app, app.installations[i]) })
	c.ok(out)
}

// installationParam resolves {installation_id} among the app's installations.
func (c *call) installationParam() *installationState {
	id, ok := c.intParam("installation_id")
	if !ok {
		return nil
	}
	in := c.cred.app.installation(id)
	if in == nil {
		c.notFound()
	}
	return in
}

func (s *Server) getInstallation(c *call) {
	if in := c.installationParam(); in != nil {
		c.ok(c.installationJSON(c.cred.app, in))
	}
}

// getOwnerInstallation answers GET /orgs/{org}/installation and GET
// /users/{username}/installation: the app's installation on that account.
func (s *Server) getOwnerInstallation(c *call) {
	account := c.r.PathValue("username")
	if org := c.r.PathValue("org"); org != "" {
		if !s.st.orgs[strings.ToLower(org)] {
			c.notFound()
			return
		}
		account = org
	}
	for _, in := range c.cred.app.installations {
		if strings.EqualFold(in.Account, account) {
			c.ok(c.installationJSON(c.cred.app, in))
			return
		}
	}
	c.notFound()
}

func (s *Server) getRepoInstallation(c *call) {
	full := strings.ToLower(c.repo.fx.FullName())
	for _, in := range c.cred.app.installations {
		if in.repos[full] {
			c.ok(c.installationJSON(c.cred.app, in))
			return
		}
	}
	c.notFound()
}

var permissionLevels = map[string]int{"read": 1, "write": 2, "admin": 3}

// createInstallationToken mints an installation access token ("ghs_…",
// valid for an hour) for the installation, optionally narrowed to some of
// its repositories and permissions.
// https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app
func (s *Server) createInstallationToken(c *call) {
	in := c.installationParam()
	if in == nil {
		return
	}
	var body struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if !c.decode(&body) {
		return
	}
	repos := map[string]bool{}
	selection := in.selection
	notAccessible := func() {
		c.validation("There is at least one repository that does not exist or is not accessible to the parent installation.")
	}
	for _, name := range body.Repositories {
		full := strings.ToLower(name)
		if !strings.Contains(full, "/") {
			full = strings.ToLower(in.Account + "/" + name)
		}
		if !in.repos[full] {
			notAccessible()
			return
		}
		repos[full] = true
		selection = "selected"
	}
	for _, id := range body.RepositoryIDs {
		found := false
		for _, rs := range s.st.repos {
			if rs.id == id && in.repos[strings.ToLower(rs.fx.FullName())] {
				repos[strings.ToLower(rs.fx.FullName())], found = true, true
			}
		}
		if !found {
			notAccessible()
			return
		}
		selection = "selected"
	}
	if len(repos) == 0 {
		for r := range in.repos {
			repos[r] = true
		}
	}
	perms := in.Permissions
	if len(body.Permissions) > 0 {
		for k, v := range body.Permissions {
			have, declared := in.Permissions[k]
			if len(in.Permissions) > 0 && (!declared || permissionLevels[strings.ToLower(v)] > permissionLevels[strings.ToLower(have)]) {
				c.validation("The permissions requested are not granted to this installation.")
				return
			}
		}
		perms = body.Permissions
	}
	s.st.mintSeq++
	token := mintToken(s.opts.Seed, s.st.mintSeq)
	expires := c.now.Add(time.Hour).Truncate(time.Second)
	cr := &credential{kind: TokenInstallation, login: c.cred.app.Slug + "[bot]", perms: perms, app: c.cred.app,
		appSlug: c.cred.app.Slug, appID: c.cred.app.ID, installationID: in.ID, account: in.Account, repos: repos,
		expiresAt: expires, minted: true}
	cr.limitKey = s.st.limitKeyFor(cr, "")
	cr.limit = installationRateLimit(s.opts.RateLimit, len(repos))
	s.st.minted[token] = cr
	permsJSON := map[string]any{}
	for k, v := range perms {
		permsJSON[k] = v
	}
	resp := map[string]any{"token": token, "expires_at": ts(expires), "permissions": permsJSON, "repository_selection": selection}
	if selection == "selected" {
		names := make([]string, 0, len(repos))
		for r := range repos {
			names = append(names, r)
		}
		sort.Strings(names)
		list := []any{}
		for _, n := range names {
			list = append(list, c.fullRepoJSON(s.st.byName[n]))
		}
		resp["repositories"] = list
	}
	c.created(resp)
}

// mintToken derives the n-th installation token of a server run: "ghs_"
// and 36 letters and digits, deterministic for a seed.
func mintToken(seed int64, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], uint64(seed))
	binary.BigEndian.PutUint64(buf[8:], uint64(n))
	sum := sha256.Sum256(append([]byte("emulator-installation-token"), buf[:]...))
	out := []byte("ghs_")
	for i := 0; i < 36; i++ {
		out = append(out, alphabet[int(sum[i%len(sum)]^byte(i*7))%len(alphabet)])
	}
	return string(out)
}

// listInstallationRepos answers GET /installation/repositories for an
// installation token or GITHUB_TOKEN: the repositories it reaches.
func (s *Server) listInstallationRepos(c *call) {
	var repos []*repoState
	for _, rs := range s.st.repos {
		if c.cred.repos == nil || c.cred.repos[strings.ToLower(rs.fx.FullName())] {
			repos = append(repos, rs)
		}
	}
	selection := "selected"
	if c.cred.app != nil {
		if in := c.cred.app.installation(c.cred.installationID); in != nil && in.selection == "all" && len(c.cred.repos) == len(in.repos) {
			selection = "all"
		}
	}
	out := c.page(len(repos), func(i int) any { return c.fullRepoJSON(repos[i]) })
	c.ok(map[string]any{"total_count": len(repos), "repositories": out, "repository_selection": selection})
}

// revokeInstallationToken answers DELETE /installation/token: the token
// stops working (401 Bad credentials).
func (s *Server) revokeInstallationToken(c *call) {
	if c.token != "" {
		delete(s.st.minted, c.token)
		s.st.revoked[hashToken(c.token)] = true
	}
	c.noContent()
}

// forbiddenForInstallation is GET /user's answer to an installation token.
func (c *call) forbiddenForInstallation() {
	c.errorBody(http.StatusForbidden, "Resource not accessible by integration")
}
