package classify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDefaultCatalog(t *testing.T) {
	t.Parallel()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatalf("DefaultCatalog() = %v", err)
	}
	perCategory := map[Category]int{}
	for _, r := range c.Rules {
		perCategory[r.Category]++
		if r.Title == "" || len(r.Suggestions) == 0 {
			t.Errorf("rule %s: want a title and at least one suggestion", r.ID)
		}
		if !strings.HasPrefix(r.ID, string(r.Category)+".") && r.Category != CategoryUnknown {
			t.Errorf("rule %s: id should start with its category %q", r.ID, r.Category)
		}
	}
	// Unknown is the general layer's category, not a rule's.
	for _, cat := range Categories[:len(Categories)-1] {
		if perCategory[cat] == 0 {
			t.Errorf("no rule for category %s", cat)
		}
	}
	// Every embedded pattern must be reachable through the literal
	// prefilter: a pattern without literals runs on every line.
	a := NewAnalyzer(c)
	if un := a.UnfilteredPatterns(); len(un) > 0 {
		t.Errorf("patterns without prefilter literals: %q", un)
	}
	// The rules' scan steps 4 bytes at a time: every literal has 7 bytes
	// or more, or is searched for on its own (see shortLiteral).
	// The literals of log-scoped conditions count too: the same scan finds
	// them (line and context conditions are checked on matched lines only).
	if a.pfRules.stride != 4 {
		short := 0
		check := func(id, what, p string) {
			for _, l := range requiredLiterals(p) {
				if len(l) < fastLiteral && !shortSafe(l) {
					short++
					t.Errorf("rule %s: literal %q of %s %q is too short for the fast scan", id, l, what, p)
				}
			}
		}
		for _, r := range c.Rules {
			for _, p := range r.Patterns {
				check(r.ID, "pattern", p)
			}
			for _, cd := range append(slices.Clone(r.Requires), r.Exclusions...) {
				if cd.Scope == ScopeLog {
					check(r.ID, "log-scoped condition", cd.Pattern)
				}
			}
		}
		if short == 0 {
			t.Errorf("the rules' scan steps %d bytes at a time, want 4, and no rule literal says why", a.pfRules.stride)
		}
	}
}

func TestParseRulesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown_key", "rules:\n  - id: a.b\n    category: build\n    severity: high\n    patterns: [x]\n    sugestions: [y]\n",
			`custom.yaml:6: unknown key "sugestions" (allowed: category, confidence, defer_to_builtin, exclusions, fix, id, patterns,`},
		{"unknown_condition_key", "rules:\n  - id: a.b\n    category: build\n    severity: high\n    patterns: [x]\n    exclusions:\n      - {pattern: y, scop: line}\n",
			`custom.yaml:7: unknown key "scop" (allowed: lines, pattern, scope)`},
		{"not_a_list", "rules: {id: a.b}\n", `custom.yaml:1:`},
		{"empty_file", "", `custom.yaml: no rules`},
		{"unknown_category", "rules:\n  - id: a.b\n    category: security\n    severity: high\n    patterns: [x]\n",
			`custom.yaml:3: rule a.b: unknown category "security" (allowed: conan, fips, workflow, build, test, deployment, infrastructure, unknown)`},
		{"unknown_severity", "rules:\n  - id: a.b\n    category: build\n    severity: urgent\n    patterns: [x]\n",
			`custom.yaml:4: rule a.b: unknown severity "urgent" (allowed: critical, high, medium, low)`},
		{"bad_regexp", "rules:\n  - id: a.b\n    category: build\n    severity: high\n    patterns: ['(unclosed']\n",
			`custom.yaml:5: rule a.b: invalid pattern "(unclosed"`},
		{"unknown_fix", "rules:\n  - id: a.b\n    category: build\n    severity: high\n    patterns: [x]\n    fix: rm_rf\n",
			`custom.yaml:6: rule a.b: unknown fix "rm_rf" (allowed: add_permission`},
		{"unknown_scope", "rules:\n  - id: a.b\n    category: build\n    severity: high\n    patterns: [x]\n    exclusions:\n      - {pattern: y, scope: file}\n",
			`custom.yaml:7: rule a.b: unknown scope "file" (allowed: line, context, log)`},
		{"no_patterns", "rules:\n  - id: a.b\n    category: build\n    severity: high\n", `rule a.b: no patterns`},
		{"top_level_key", "rulez: []\n", `custom.yaml:1: unknown key "rulez" (allowed: rules)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRules([]byte(tt.yaml), "custom.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseRules() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCustomRuleOverridesBuiltin(t *testing.T) {
	t.Parallel()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	extra, err := ParseRules([]byte(`rules:
  - id: build.compiler_error
    title: Compiler error (ours)
    category: build
    severity: critical
    patterns: [': error: ']
    suggestions: [Ask the platform team.]
  - id: build.internal_tool
    title: Internal tool failed
    category: build
    severity: low
    patterns: ['ostools-lint: FAILED']
    suggestions: [Run ostools-lint locally.]
`), "custom.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := c.WithRules(extra...)
	if err != nil {
		t.Fatal(err)
	}
	if len(c2.Rules) != len(c.Rules)+1 || c2.Rule("build.compiler_error").Severity != SeverityCritical {
		t.Fatalf("override not applied: %d rules, %+v", len(c2.Rules), c2.Rule("build.compiler_error"))
	}
	res, err := NewAnalyzer(c2).Analyze(context.Background(), strings.NewReader("x\nostools-lint: FAILED (3 issues)\n"), "x.log")
	if err != nil {
		t.Fatal(err)
	}
	if rc := res.RootCause(); rc == nil || rc.RuleID != "build.internal_tool" || rc.Line != 2 {
		t.Errorf("root cause = %+v", rc)
	}
}

// TestCatalogBreadth gives one line per rule in the forms the tools print
// (taken from public CI logs and the tools' documentation) and checks the
// rule that names it: ecosystems beyond the ones the first catalog knew.
func TestCatalogBreadth(t *testing.T) {
	t.Parallel()
	tests := []struct{ line, rule string }{
		// C/C++ and .NET compilers
		{"fatal error C1083: Cannot open include file: 'atlbase.h': No such file or directory", "build.compiler_error"},
		{"gcc.exe: error: gen-unicode-version.c: No such file or directory", "build.compiler_error"},
		{"Program.cs(4,7): error CS0246: The type or namespace name 'Internal' could not be found", "build.dotnet"},
		{"/src/app.csproj : error NU1101: Unable to find package Foo.Bar. No packages exist with this id", "build.dotnet"},
		{"85.28 error[E0308]: mismatched types", "build.cargo"},
		{"e: file:///w/buildSrc/build.gradle.kts:10:5: Unresolved reference: implementation", "build.javac"},
		{"e: /w/buildSrc/src/main/kotlin/gen.gradle.kts: (107, 21): Unresolved reference: generator", "build.javac"},
		{"src/main/java/org/x/Builder.java:[189,49] cannot find symbol", "build.maven_compile"},
		{"'cmake' is not recognized as an internal or external command,", "build.command_not_found"},
		{"/root/src/.tox/py3/bin/python: No module named pytest", "build.command_not_found"},
		{"ERROR: No matching distribution found for torch==9.9.9", "build.python_dependency"},
		{"  Could not find a version that satisfies the requirement frobnicate==0.1 (from versions: )", "build.python_dependency"},
		{"  Could not find any downloads that satisfy the requirement frobnicate", "build.python_dependency"},
		{"error: linker `x86_64-w64-mingw32-gcc` not found", "build.cargo"},
		{`Bundler could not find compatible versions for gem "rake":`, "build.ruby_dependency"},
		{"nokogiri-1.16.0 requires ruby version >= 3.0, which is incompatible with the", "build.ruby_dependency"},
		{"Your requirements could not be resolved to an installable set of packages.", "build.php_dependency"},
		{"    - acme/frob 2.0.0 requires ext-gmp * -> no matching package found.", "build.php_dependency"},
		{"configure: error: C compiler cannot create executables", "build.configure"},
		{"make[2]: *** No rule to make target 'gen.h', needed by 'all'.  Stop.", "build.missing_make_target"},
		{"➤ YN0028: │ The lockfile would have been modified by this install, which is explicitly forbidden.", "build.yarn_lockfile"},
		// Tests
		{"panic: test timed out after 10m0s", "test.go_test"},
		{"=== FAIL: pkg/frob TestGasket (0.00s)", "test.go_test"},
		{"\t 32 - test_heapstore_trace (Not Run)", "test.ctest"},
		{"98% tests passed, 1 tests failed out of 50", "test.ctest_summary"},
		{"not ok 2 - iteration 2", "test.tap"},
		{"FAIL: test_gasket (tests.test_frob.FrobTest)", "test.unittest"},
		{"[  FAILED  ] FrobTest.Gasket (3 ms)", "test.gtest"},
		{"Failed tests:   testFges(edu.cmu.TestFges): expected:<1> but was:<2>", "test.junit_failed_test"},
		{"TEST RESULT: Failed. Execution failed: `main' threw exception: java.lang.RuntimeException", "test.junit_summary"},
		{"3 failing", "test.mocha"},
		{"  ● example tests › test that always fails", "test.jest"},
		{"Test Run Failed.", "test.dotnet_test"},
		{"12 tests completed, 2 failed, 1 skipped", "test.gradle_tests"},
		{"/w/tests/frob_test.cpp:41: error: Failure in TEST(Frob, Gasket)", "test.cpputest"},
		{"[error] (core/test:test) sbt.TestsFailedException: Tests unsuccessful", "test.sbt"},
		{"[info] *** 2 TESTS FAILED ***", "test.sbt"},
		{"[info] - parses an empty frob *** FAILED ***", "test.sbt"},
		// Deployment and publishing
		{"denied: Your authorization token has expired. Reauthenticate and try again.", "deployment.registry_push_denied"},
		{"npm ERR! 403 403 Forbidden - PUT https://registry.npmjs.org/x - You cannot publish over the previously published versions: 3.4.0.", "deployment.publish_rejected"},
		{"HTTPError: 400 Client Error: File already exists. See https://test.pypi.org/help/#file-name-reuse", "deployment.publish_rejected"},
		{"Error from server (Forbidden): error when retrieving current configuration of:", "deployment.kubectl"},
		{"Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress", "deployment.helm"},
		{"Error: timed out waiting for the condition", "deployment.rollout_timeout"},
		{"Error: Error locking state: Error acquiring the state lock: 2 error(s) occurred:", "deployment.terraform"},
		{"│ Error: creating IAM Role (x): AccessDenied", "deployment.terraform"},
		{"User: arn:aws:sts::1:assumed-role/tf is not authorized to perform: iam:PassRole on resource: x", "deployment.cloud_permission"},
		{"error: Response status code does not indicate success: 403 (The specified API key is invalid, has expired, or does not have permission to access the specified package.). Pushing Frob.1.0.0.nupkg", "deployment.nuget_push_rejected"},
		// Infrastructure
		{"#55 ERROR: write /usr/lib/x.so: no space left on device", "infrastructure.disk_full"},
		{"/home/runner/work/_temp/x.sh: line 1:  2930 Killed                  pytest --cov=.", "infrastructure.oom_killed"},
		{"ReasonPhrase:Bad Gateway.", "infrastructure.service_unavailable"},
		{"[ERROR] Failed to transfer file: http://repo/x.pom. Return code is: 500 , ReasonPhrase:Internal Server Error.", "infrastructure.service_unavailable"},
		{"W: Failed to fetch http://archive.ubuntu.com/ubuntu/dists/trusty/main/binary-amd64/Packages  Hash Sum mismatch", "infrastructure.mirror"},
		{"HTTP Error 403: Read-only mode: Uploads are temporarily disabled.", "infrastructure.service_read_only"},
		{"ERROR: HTTPSConnectionPool(host='center.conan.io', port=443): Max retries exceeded with url: /v1/ping (Caused by SSLError(SSLEOFError(8, 'EOF')))", "infrastructure.dns_network"},
		{"Transfer interrupted before complete: 1097971 < 44245525", "infrastructure.dns_network"},
		{"  Temporary failure resolving 'deb.debian.org'", "infrastructure.dns_network"},
		{"Download error on https://pypi.example/simple/frob/: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1123)", "infrastructure.dns_network"},
		{`The command "./ci/test.sh" exited with 137.`, "infrastructure.oom_killed"},
		// Conan
		{"ERROR: alias_copy_repro/1.0.0@danimtb/testing was not found in remote 'test'", "conan.recipe_not_found"},
		{"ERROR: The default build profile '/home/u/.conan2/profiles/default' doesn't exist.", "conan.profile_not_found"},
		{"Unable to connect to conan-center=https://conan.bintray.com", "conan.remote_obsolete"},
		// FIPS beyond OpenSSL's own provider
		{"Unhandled Exception: System.InvalidOperationException: This implementation is not part of the Windows Platform FIPS validated cryptographic algorithms.", "fips.algorithm_disabled"},
		{"panic: boringcrypto: not in FIPS mode", "fips.algorithm_disabled"},
		{"crypto/ecdsa: use of non-approved curves is not allowed in FIPS 140-only mode", "fips.algorithm_disabled"},
		{"md5_dgst.c(82): OpenSSL internal error, assertion failed: Digest MD5 forbidden in FIPS mode!", "fips.algorithm_disabled"},
		{"Installation of FIPS modules could not be completed.", "fips.install_failed"},
		{"node: OpenSSL error when trying to enable FIPS:", "fips.provider_unavailable"},
		{"main.go:4:2: build constraints exclude all Go files in /usr/local/go/src/crypto/boring", "fips.provider_unavailable"},
		// Workflow
		{"**Error**: HTTP Status 403 for request POST https://api.github.com/repos/o/r/dependency-graph/snapshots", "workflow.resource_not_accessible"},
		{"You have an error in your yaml syntax on line 17", "workflow.invalid_workflow"},
		{"Invalid workflow file: .github/workflows/ci.yml#L12", "workflow.invalid_workflow_file"},
		{"Error: Input required and not supplied: token", "workflow.missing_input"},
		{"Error: No files were found with the provided path: dist/. No artifacts will be uploaded.", "workflow.artifact"},
		{"##[warning]Failed to download action 'https://api.github.com/repos/o/frob/tarball/v9'. Error: Response status code does not indicate success: 404 (Not Found).", "workflow.action_not_found"},
		{"The job exceeded the maximum time limit for jobs, and has been terminated.", "workflow.job_timeout"},
		{" ! [remote rejected] frob -> frob (refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)", "workflow.workflows_permission"},
		{"fatal: could not read Username for 'https://github.com': terminal prompts disabled", "workflow.git_credentials"},
	}
	a := NewAnalyzer(mustCatalog(t))
	for _, tt := range tests {
		res, err := a.Analyze(context.Background(), strings.NewReader(tt.line+"\n##[error]Process completed with exit code 1.\n"), "x.log")
		if err != nil {
			t.Fatal(err)
		}
		if rc := res.RootCause(); rc == nil || rc.RuleID != tt.rule || rc.Line != 1 {
			t.Errorf("%q: root cause %+v, want %s at line 1", tt.line, rc, tt.rule)
		}
	}
	// Several lines: the cause ranks above the lines that follow from it.
	for _, tt := range []struct {
		log, rule string
		line      int
	}{
		// rustc names the missing linker before each "could not compile".
		{"   Compiling frob v0.1.0\nerror: linker `cc` not found\n  |\n  = note: No such file or directory (os error 2)\n" +
			"error: could not compile `frob` due to previous error\n", "build.cargo", 2},
		// Gradle's count comes before its "There were failing tests".
		{"7 tests completed, 1 failed\n\nFAILURE: Build failed with an exception.\n* What went wrong:\n" +
			"Execution failed for task ':test'.\n> There were failing tests. See the report at: file:///w/index.html\n", "test.gradle_tests", 1},
		// Node's FIPS self test needs its config: the OpenSSL reason is the cause.
		{"node: OpenSSL error when trying to enable FIPS:\n" +
			"80ABC:error:1C8000D5:Provider routines:SELF_TEST_post:missing config data:providers/fips/self_test.c:290:\n", "fips.self_test_failure", 2},
		// hashlib refusing MD5: only a FIPS-enabled OpenSSL does that.
		{"    digest = hashlib.md5(data).hexdigest()\n_hashlib.UnsupportedDigestmodError: [digital envelope routines] unsupported\n", "fips.md5_refused", 2},
	} {
		res, err := a.Analyze(context.Background(), strings.NewReader(tt.log), "x.log")
		if err != nil {
			t.Fatal(err)
		}
		if rc := res.RootCause(); rc == nil || rc.RuleID != tt.rule || rc.Line != tt.line {
			t.Errorf("%q: root cause %+v, want %s at line %d", tt.log, rc, tt.rule, tt.line)
		}
	}
	// Without MD5 beside it, hashlib's refusal (MD4 on OpenSSL 3 is in the
	// legacy provider) says nothing about FIPS.
	res, err := a.Analyze(context.Background(), strings.NewReader("    h = hashlib.new('md4')\n_hashlib.UnsupportedDigestmodError: [digital envelope routines] unsupported\n"), "x.log")
	if err != nil {
		t.Fatal(err)
	}
	if rc := res.RootCause(); rc != nil && rc.Category == CategoryFIPS {
		t.Errorf("md4 refused: root cause %+v, want no fips finding", rc)
	}
	// A FIPS-mode Java run: the provider's refusal is fips, not the test's.
	log := "JVM_OPTIONS: -Dsemeru.fips=true\nTEST: javax/net/ssl/Sanity.java\nCaused by: java.security.NoSuchAlgorithmException: JKS KeyStore not available\n"
	res, err = a.Analyze(context.Background(), strings.NewReader(log), "x.log")
	if err != nil {
		t.Fatal(err)
	}
	if rc := res.RootCause(); rc == nil || rc.RuleID != "fips.java_provider" {
		t.Errorf("FIPS-mode Java run: root cause %+v, want fips.java_provider", rc)
	}
}

func mustCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCustomRuleWinsTheLine: a custom rule that matches a line a built-in
// also matches replaces the built-in's finding there and ranks with its
// priority; with defer_to_builtin the built-in's stands instead.
func TestCustomRuleWinsTheLine(t *testing.T) {
	t.Parallel()
	log := "ERROR: Missing prebuilt package for 'zlib/1.3.1'\n" +
		"src/a.c:3:10: fatal error: zlib.h: No such file or directory\n" +
		"##[error]Process completed with exit code 1.\n"
	tests := []struct {
		name     string
		rule     string
		wantRoot string
		gone     string // a rule whose finding must not be there
	}{
		{"custom_wins_and_takes_the_builtins_rank", `rules:
  - id: acme.cache_miss
    title: Our binary cache was cold
    category: infrastructure
    severity: medium
    patterns: ['Missing prebuilt package']
    suggestions: [Warm the cache.]
`, "acme.cache_miss", "conan.missing_prebuilt_package"},
		{"defer_to_builtin", `rules:
  - id: acme.cache_miss
    title: Our binary cache was cold
    category: infrastructure
    severity: medium
    defer_to_builtin: true
    patterns: ['Missing prebuilt package']
    suggestions: [Warm the cache.]
`, "conan.missing_prebuilt_package", "acme.cache_miss"},
		{"other_line_ranks_by_priority", `rules:
  - id: acme.header
    title: Header missing
    category: build
    severity: medium
    priority: 10
    patterns: ['No such file or directory']
    suggestions: [Install the headers.]
`, "conan.missing_prebuilt_package", "build.compiler_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			extra, err := ParseRules([]byte(tt.rule), "custom.yaml")
			if err != nil {
				t.Fatal(err)
			}
			c, err := mustCatalog(t).WithRules(extra...)
			if err != nil {
				t.Fatal(err)
			}
			a := NewAnalyzer(c)
			res, err := a.Analyze(context.Background(), strings.NewReader(log), "x.log")
			if err != nil {
				t.Fatal(err)
			}
			if rc := res.RootCause(); rc == nil || rc.RuleID != tt.wantRoot {
				t.Fatalf("root cause = %+v, want %s", rc, tt.wantRoot)
			}
			for _, f := range res.Findings {
				if f.RuleID == tt.gone {
					t.Errorf("finding of %s is still there: %+v", tt.gone, f)
				}
			}
			compareWithReference(t, NewAnalyzer(c, WithChunkSize(64), WithWorkers(2)), []byte(strings.Repeat(log, 3)))
		})
	}
}

func TestRequiredStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		want    string
		fold    bool
	}{
		{`^ERROR \S+\.py::[Tt]est`, "ERROR ", false},
		{`^\[ERROR\]\s+\w`, "[ERROR]", false},
		{`(?i)^error: x`, "error: x", true},
		{`(?m)^FAILED`, "FAILED", false},
		{`^(?:ERROR: |Error: )?denied: \S`, "", false},
		{`ERROR: x`, "", false},
		{`^\d+ failing$`, "", false},
		{`(?i)^task failed`, "", false}, // Go folds s to U+017F
		{`(?i)^\x{e9}chec`, "", false},
		{`(`, "", false},
	}
	for _, tt := range tests {
		got, fold := requiredStart(tt.pattern)
		if string(got) != tt.want || got != nil && fold != tt.fold {
			t.Errorf("requiredStart(%q) = %q, %v; want %q, %v", tt.pattern, got, fold, tt.want, tt.fold)
		}
	}
	lines := []struct {
		pattern, text string
		want          bool
	}{
		{`^ERROR \S+`, "ERROR x", true},
		{`^ERROR \S+`, "error x", false},
		{`^ERROR \S+`, "ERRO", false},
		{`(?i)^error: x`, "ERROR: X and more", true},
		{`(?i)^error: x`, "Error: y", false},
		{`x`, "anything", true},
	}
	for _, tt := range lines {
		p := compiledPattern{src: tt.pattern}
		p.start, p.fold = requiredStart(tt.pattern)
		if got := p.startsRight([]byte(tt.text)); got != tt.want {
			t.Errorf("startsRight(%q) of %q = %v, want %v", tt.text, tt.pattern, got, tt.want)
		}
	}
}

// TestRequiredStartAgreesWithRegexp checks the shortcut against the
// regexp engine: a corpus line (as it is, in upper and in lower case) the
// shortcut turns away never matches the pattern.
func TestRequiredStartAgreesWithRegexp(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer(mustCatalog(t))
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.log"))
	var lines [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range bytes.Split(data, []byte("\n")) {
			l = normalizeLine(nil, l, false)
			lines = append(lines, l, bytes.ToUpper(l), bytes.ToLower(l))
		}
	}
	checked := 0
	for i := range a.pats {
		p := &a.pats[i]
		if p.start == nil || p.re == nil {
			continue
		}
		checked++
		for _, l := range lines {
			if !p.startsRight(l) && p.re.Match(l) {
				t.Errorf("pattern %q matches %q, which the start %q turns away", p.src, l, p.start)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no pattern with a required start: the shortcut is never used")
	}
}
