package classify

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGeneralLayer classifies logs with no rules at all (an empty catalog):
// a failed log gets a root-cause line and a category inferred from the
// lines around it, labelled as inferred; a green one gets nothing.
func TestGeneralLayer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		log      string
		category Category // "" for no finding at all
		line     int
	}{
		{"web_form_deploy_context", "Run ./deploy.sh\nLogin to registry ghcr.io/acme succeeded\n" +
			"Pushing image ghcr.io/acme/app:1.2\nerror: the registry rejected the upload\n" +
			"Error: Process completed with exit code 1.\n", CategoryDeployment, 4},
		{"jenkins_conan_context", "[Pipeline] sh\n+ conan create . --build=missing\nconanfile.py: Calling build()\n" +
			"FATAL: the recipe exploded in a way nobody catalogued\nFinished: FAILURE\n", CategoryConan, 4},
		{"nothing_points_anywhere", "step three\nfatal: the frobnicator gave up\nError: Process completed with exit code 2.\n",
			CategoryUnknown, 2},
		{"symptom_on_the_line_beats_the_tool", "cmake --build build -j8\n[ 42%] Building CXX object a.cpp.o\n" +
			"ld: final link failed: out of memory allocating 4096 bytes\n##[error]Process completed with exit code 1.\n",
			CategoryInfrastructure, 3},
		{"nearest_the_marker_among_equals", "ERROR: first odd thing happened\nfiller\n" + strings.Repeat("noise\n", 40) +
			"ERROR: second odd thing happened\n##[error]Process completed with exit code 1.\n", CategoryUnknown, 43},
		{"repeated_line_counts_at_its_first", "x\nERROR: the same odd thing happened\nERROR: the same odd thing happened\n" +
			"ERROR: the same odd thing happened\n##[error]Process completed with exit code 1.\n", CategoryUnknown, 2},
		{"script_echo_is_not_output", "##[group]Run echo \"fatal: boom\"\necho \"fatal: boom\"\n##[endgroup]\n" +
			"fatal: boom happened for real\n##[error]Process completed with exit code 1.\n", CategoryUnknown, 4},
		{"only_the_marker_left", "##[group]Run ./x\n./x\n##[endgroup]\nall quiet\n##[error]Process completed with exit code 3.\n",
			CategoryUnknown, 5},
		// The command the excerpt starts with names the tool.
		{"pasted_excerpt_without_markers", "$ ./configure && make\nchecking for frob... yes\n" +
			"error: the frob subsystem is missing a gasket\n", CategoryBuild, 3},
		{"compiler_location_form", "render.go:41:15: undefined: html.EscapeStrin\n##[error]Process completed with exit code 1.\n",
			CategoryBuild, 1},
		{"summary_below_the_failed_test", "3/12 Test  #3: test_evp ....***Failed    0.05 sec\n" +
			"92% tests passed, 1 tests failed out of 12\n##[error]Process completed with exit code 8.\n", CategoryTest, 1},
		{"github_words_decide", "Run gh pr edit --add-label ready\nGraphQL: Resource not accessible by integration (addLabelsToLabelable)\n" +
			"##[error]Process completed with exit code 1.\n", CategoryWorkflow, 2},
		{"jest_bullet_heading", "  ● example tests › test that always fails\n\n    expect(received).toBe(expected)\n" +
			"Error: Process completed with exit code 1.\n", CategoryTest, 1},
		// A traceback quotes the source line that raised; the exception
		// below it is what went wrong.
		{"traceback_source_line_is_not_output", "Traceback (most recent call last):\n" +
			"  File \"/src/case.py\", line 514, in _baseAssertEqual\n    raise self.failureException(msg)\n" +
			"AssertionError: 59 != None\n", CategoryTest, 4},
		// One-line pastes: a CI platform's or the machine's own words are
		// enough to call the log failed.
		{"one_line_ci_time_limit", "The job exceeded the maximum time limit for jobs, and has been terminated.\n",
			CategoryWorkflow, 1},
		{"one_line_disk_full", "write /var/lib/docker/tmp/GetImageBlob1234: no space left on device\n",
			CategoryInfrastructure, 1},
		{"errno_alone_is_a_network_symptom", "npm ERR! network read ECONNRESET\nnpm ERR! errno ECONNRESET\n",
			CategoryInfrastructure, 1},
		// OpenSSL's error queue ("<thread>:error:<code>:<lib>:<func>:<reason>")
		// follows from the line that says what could not be done.
		{"openssl_provider_named_fips", "$ openssl genpkey -provider fips -algorithm RSA\nunable to load provider fips\n" +
			"40F7B2C1D27F0000:error::common libcrypto routines:provider_activate:init fail:crypto/provider_core.c:503:\n",
			CategoryFIPS, 2},
		{"one_line_deprecated_action", "This request has been automatically failed because it uses a deprecated version of " +
			"`actions/cache: v1`.\n", CategoryWorkflow, 1},
		{"ci_marker_with_the_symptom", "[INFO] Running frob.GasketTest\nThe command \"./ci.sh\" exited with 137.\n",
			CategoryInfrastructure, 2},
		{"registry_refusal_after_push_header", "The push refers to repository [docker.io/acme/app]\n" +
			"5f70bf18a086: Preparing\ndenied: requested access to the resource is denied\nFinished: FAILURE\n",
			CategoryDeployment, 3},
		// A failure marker says that something failed, not what: a line
		// that is a candidate names the cause even far above it.
		{"candidate_far_above_the_marker", "frob could not seat the gasket: access denied\n" + strings.Repeat("noise\n", 20) +
			"Error: Process completed with exit code 1.\n", CategoryUnknown, 1},
		// Error codes ("ERR_PNPM_X", "ERR_OSSL_X") are what tools print a
		// failure under.
		{"error_code_token", "ERR_FROB_OUTDATED_GASKET  Cannot seat the gasket\nError: Process completed with exit code 1.\n",
			CategoryUnknown, 1},
		// A pasted diagnostic in a compiler's form is enough to call an
		// excerpt failed.
		{"pasted_kotlin_diagnostic", "e: /src/frob.gradle.kts: (3, 7): Unresolved reference: gasket\n", CategoryBuild, 1},
		{"registry_error_code", "$ docker push registry.example/frob:1\nunauthorized: authentication required\n",
			CategoryDeployment, 2},
		{"resolver_gave_up", "$ pip install frob==9.9\n  Could not find a version that satisfies the requirement frob==9.9 (from versions: )\n",
			CategoryBuild, 2},
		// FIPS mode's refusals, whatever library prints them.
		{"fips_refusal_by_any_library", "frob-keygen -t dsa\nDSA keys are not allowed in FIPS mode\n", CategoryFIPS, 2},
		// The network's own words, without any failure word.
		{"network_words_alone", "go: example.com/frob@v1.0.0: Get \"https://proxy.example/frob\": dial tcp: lookup proxy.example " +
			"on 127.0.0.53:53: server misbehaving\n##[error]Process completed with exit code 1.\n", CategoryInfrastructure, 1},
		// "didn't exit successfully" is a failure, and SIGKILL the machine's.
		{"negated_success_killed", "  process didn't exit successfully: `frobc x.rs` (signal: 9, SIGKILL: kill)\n" +
			"##[error]Process completed with exit code 137.\n", CategoryInfrastructure, 1},
		// Exit code 137 on the marker below decides what killed the step.
		{"killed_marker_below_the_error", "   Compiling frob v0.3.0\nerror: the frob step gave up\n\n" +
			"##[error]Process completed with exit code 137.\n", CategoryInfrastructure, 2},
		// A test runner's count of failures names no test: the lines
		// listing the failed tests below it do.
		{"failed_test_below_the_count", "50% tests passed, 1 tests failed out of 2\n\nThe following tests FAILED:\n" +
			"\t  2 - frob_gasket (Failed)\nErrors while running CTest\n", CategoryTest, 4},
		// A server's 500 is the service's failure, whatever tool asked.
		{"server_error_on_the_line", "$ mvn -B package\n[ERROR] Failed to resolve dependencies for the build: could not transfer " +
			"artifact frob:gasket:jar:1.0 from/to central: Return code is: 500, ReasonPhrase: Internal Server Error.\n", CategoryInfrastructure, 2},
		// The tools' own words name the category of a one-line paste.
		{"helm_words", "Error: UPGRADE FAILED: another operation on frob is in progress\n", CategoryDeployment, 1},
		{"docker_layer_progress", "5f70bf18a086: Preparing\n0a1b2c3d4e5f: Waiting\n9d4036e3cf49: Waiting\n" +
			"unauthorized: authentication required\n", CategoryDeployment, 4},
		{"git_without_credentials", "  fatal: could not read Username for 'https://example.com': No such device or address\n",
			CategoryWorkflow, 1},
		{"ruby_resolver", "$ bundle install\nBundler could not find compatible versions for gem \"frob\":\n", CategoryBuild, 2},
		{"go_build_constraints", "imports example.com/frob: build constraints exclude all Go files in /src/frob\n",
			CategoryBuild, 1},
		// Errors that call themselves warnings or name success negated.
		{"node_unhandled_rejection", "(node:1) UnhandledPromiseRejectionWarning: FrobError: the gasket gave way\n",
			CategoryUnknown, 1},
		{"negated_success_status", "frob : Response status code does not indicate success: 406 (Not Acceptable).\n" +
			"    + CategoryInfo          : NotSpecified: (Response status...ot Acceptable).:String) [], RemoteException\n" +
			"    + FullyQualifiedErrorId : NativeCommandError\n", CategoryUnknown, 1},
		// FIPS refusals of digests and self tests.
		{"hashlib_refusal", "    h = hashlib.md5(b\"x\")\n_hashlib.UnsupportedDigestmodError: [digital envelope routines] unsupported\n",
			CategoryFIPS, 2},
		{"hashlib_legacy_digest_is_not_fips", "    h = hashlib.new('md4')\n_hashlib.UnsupportedDigestmodError: [digital envelope routines] unsupported\n",
			CategoryUnknown, 2},
		{"fips_self_test_kat", "OPENSSL_FIPS=1 ./run-checks\n" + strings.Repeat("checking\n", 12) +
			"RSA : (KAT_Signature) : Fail\n", CategoryFIPS, 14},
		{"rustc_error_code", "error[E0425]: cannot find value `gasket` in this scope\n --> src/main.rs:2:5\n", CategoryBuild, 1},
		{"conan1_reference_in_remotes", "ERROR: Unable to find 'frob/1.0@acme/stable' in remotes\n", CategoryConan, 1},
		{"terraform_box", "│ Error: creating Frob (gasket): FrobAlreadyExists: the name is taken\n│ \n│   with frob_thing.x,\n" +
			"│   on main.tf line 12, in resource \"frob_thing\" \"x\":\n", CategoryDeployment, 1},
		// An exception named after an acronym is an exception too.
		{"acronym_exception", "Uploading frob-1.2.3-py3-none-any.whl\nHTTPError: 400 Bad Request from https://upload.pypi.org/legacy/\n" +
			"File already exists. See https://pypi.org/help/#file-name-reuse for more information.\n", CategoryDeployment, 2},
		// The machine's symptoms in other words.
		{"apt_free_space", "Step 5/9 : RUN apt-get install -y frob\nE: You don't have enough free space in /var/cache/apt/archives/.\n",
			CategoryInfrastructure, 2},
		{"java_heap", "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n", CategoryInfrastructure, 1},
		{"runner_lost", "The hosted runner: Frob 12 lost communication with the server. Anything in your workflow that " +
			"terminates the runner process can cause this.\n", CategoryInfrastructure, 1},
		{"tls_below_git", "fatal: unable to access 'https://example.com/a/b/': gnutls_handshake() failed: The TLS connection " +
			"was non-properly terminated.\n", CategoryInfrastructure, 1},
		// unittest's "FAILED (failures=1)" is its summary: the test above it
		// is what failed.
		{"unittest_summary_is_a_marker", "FAIL: test_frob (tests.test_frob.FrobTest)\n" + strings.Repeat("-", 70) + "\n" +
			"Traceback (most recent call last):\n  File \"tests/test_frob.py\", line 5, in test_frob\n" +
			"Ran 4 tests in 0.001s\n\nFAILED (failures=1)\n", CategoryTest, 1},
		{"linker_undefined_reference", "/usr/bin/ld: frob.o: in function `main':\nfrob.c:(.text+0x1a): undefined reference to `gasket'\n" +
			"collect2: error: ld returned 1 exit status\n", CategoryBuild, 2},
		{"make_no_rule", "make[1]: *** No rule to make target 'gasket.o', needed by 'frob'.  Stop.\n", CategoryBuild, 1},
		{"pnpm_code_names_the_tool", "ERR_PNPM_NO_MATCHING_VERSION  No matching version found for frob@^9.0.0\n", CategoryBuild, 1},
		{"poetry_solver", "Because frob depends on gasket (^2.0) which doesn't match any versions, version solving failed.\n",
			CategoryBuild, 1},
		// Conan 1 tags a remote's refusal with the remote; the network
		// failing on the way to it stays infrastructure.
		{"conan_remote_tag", "ERROR: Permission denied for user: 'ci'. [Remote: frobremote]\n", CategoryConan, 1},
		{"conan_remote_unreachable", "ERROR: HTTPSConnectionPool(host='frob.example', port=443): Max retries exceeded with url: " +
			"/v1/ping (Caused by ResponseError('too many 502 error responses')). [Remote: frobremote]\n", CategoryInfrastructure, 1},
		{"registry_package_write", "denied: installation not allowed to Write organization package\n", CategoryDeployment, 1},
		{"kubectl_unknown_kind", "error: unable to recognize \"frob.yaml\": no matches for kind \"Frob\" in version \"frob/v1\"\n",
			CategoryDeployment, 1},
		{"terraform_state_lock", "│ Error: Error acquiring the state lock\n│ \n│ Lock Info:\n", CategoryDeployment, 1},
		{"npm_err_alone", "npm ERR! code E402\nnpm ERR! 402 Payment Required - PUT https://registry.npmjs.org/frob - " +
			"You must sign up for private packages\n", CategoryDeployment, 1},
		// npm's lifecycle report follows the test run that failed.
		{"npm_lifecycle_is_a_consequence", "FAIL src/frob.test.js\n  ● frob › works\nnpm ERR! code ELIFECYCLE\n" +
			"##[error]Process completed with exit code 1.\n", CategoryTest, 1},
		{"java_uncaught_exception", "JAVA_OPTS=-Dcom.redhat.fips=true\nException in thread \"main\" " +
			"java.security.NoSuchAlgorithmException: MD5 MessageDigest not available\n", CategoryFIPS, 2},
		{"client_timeout", "Error response from daemon: Get \"https://registry.example/v2/\": net/http: request canceled while " +
			"waiting for connection (Client.Timeout exceeded while awaiting headers)\n", CategoryInfrastructure, 1},
		{"service_unavailable", "Could not HEAD 'https://repo.example/frob-1.0.pom'. Received status code 503 from server: " +
			"Service Unavailable\n", CategoryInfrastructure, 1},
		{"yarn_socket_timeout", "error An unexpected error occurred: \"https://registry.example/frob.tgz: ESOCKETTIMEDOUT\".\n",
			CategoryInfrastructure, 1},
		{"gtest_failed", "frob_test.exe\n[  FAILED  ] FrobTest.Gasket (0 ms)\n[  FAILED  ] 1 test, listed below:\n" +
			"Command exited with code 1\n", CategoryTest, 2},
		{"dotted_test_failed", "$ make check\nFrobTest.gasket ... FAILED\nThe command \"make check\" exited with 2.\n",
			CategoryTest, 2},
		{"compiler_diagnostic_of_any_language", "lib/frob.dart:12:5: Error: The method 'gasket' isn't defined for the class 'Frob'.\n",
			CategoryBuild, 1},
		{"cocoapods_is_not_kubernetes", "[!] CocoaPods could not find compatible versions for pod \"Frob\":\n", CategoryBuild, 1},
		{"conan_package_id", "ERROR: Missing binary: frob/1.3.1:3f2a9c1e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a39\n", CategoryConan, 1},
		{"conan_profile", "ERROR: Profile not found: frob\n", CategoryConan, 1},
		{"feed_has_the_version", "error: Response status code does not indicate success: 409 (Conflict - The feed already " +
			"contains 'Frob 1.0.0'.).\n", CategoryDeployment, 1},
		{"ci_agent_lost", "##[error]We stopped hearing from agent Frob 3. Verify the agent machine is running.\n",
			CategoryInfrastructure, 1},
		{"ci_system_failure", "ERROR: Job failed (system failure): the frob executor went away\n", CategoryInfrastructure, 1},
		{"runner_file_command", "Error: Unable to process file command 'output' successfully.\n", CategoryWorkflow, 1},
		// A summary that something failed earlier ("commands failed") loses
		// to the line that says what: here Python not finding a module.
		{"consequence_below_the_cause", "/src/venv/bin/python: No module named frob\n" +
			"ERROR: InvocationError for command '/src/venv/bin/python -m frob' (exited with code 1)\n" +
			"ERROR:   py3: commands failed\n", CategoryBuild, 1},
		{"green_zero_failures_none", "Self-test failures: none\nERROR: nothing\nBUILD SUCCESSFUL in 3s\n", "", 0},
		{"green_pip_notice", "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed.\n" +
			"foo 1.0 requires bar, which is not installed.\n", "", 0},
		{"green_after_success_line", "ERROR: transient hiccup, ignoring\nBUILD SUCCESSFUL in 3s\n", "", 0},
		{"green_zero_counts", "Tests run: 12, Failures: 0, Errors: 0, Skipped: 0\n0 errors, 2 warnings\n", "", 0},
		{"green_raw_log_without_error_marker", "2026-11-19T02:13:44.1234567Z ##[group]Run make\n" +
			"2026-11-19T02:13:44.1234567Z make\n2026-11-19T02:13:44.1234567Z ##[endgroup]\n" +
			"2026-11-19T02:13:45.0000000Z fatal: a tolerated failure (continue-on-error)\n", "", 0},
		{"green_tap_negative_test", "1..1\nfrobinstall: INSTALL FAILED\nok 1 - frobinstall fails on bad input\n", "", 0},
	}
	empty, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	a := NewAnalyzer(empty)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := a.Analyze(context.Background(), strings.NewReader(tt.log), "x.log")
			if err != nil {
				t.Fatal(err)
			}
			rc := res.RootCause()
			if tt.category == "" {
				if rc != nil {
					t.Fatalf("false positive: %s at line %d: %q", rc.RuleID, rc.Line, rc.Text)
				}
				return
			}
			if rc == nil {
				t.Fatalf("no finding, want %s at line %d", tt.category, tt.line)
			}
			if rc.Category != tt.category || rc.Line != tt.line {
				t.Errorf("root cause %s (%s) at line %d %q, want %s at line %d", rc.RuleID, rc.Category, rc.Line, rc.Text, tt.category, tt.line)
			}
			if !IsInferred(rc) || rc.RuleID != InferredPrefix+string(rc.Category) || rc.Confidence > 0.5 ||
				!strings.Contains(rc.Title, "no rule matched") || len(rc.Suggestions) == 0 || rc.Fingerprint == "" {
				t.Errorf("inferred finding is not labelled as such: %+v", rc)
			}
		})
	}
}

// TestRulesOutrankTheGeneralLayer keeps rules the precise path: a log a
// rule explains gets the rule's finding, not an inferred one.
func TestRulesOutrankTheGeneralLayer(t *testing.T) {
	t.Parallel()
	log := "fatal: something odd first\nERROR: Missing prebuilt package for 'zlib/1.3.1'\n##[error]Process completed with exit code 1.\n"
	res, err := testAnalyzer(t).Analyze(context.Background(), strings.NewReader(log), "x.log")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if IsInferred(&f) {
			t.Errorf("inferred finding beside a rule's: %+v", f)
		}
	}
	if rc := res.RootCause(); rc == nil || rc.RuleID != "conan.missing_prebuilt_package" {
		t.Errorf("root cause = %+v", rc)
	}
}

// TestRuleOutranksASymptomOnTheLine pins how rules and the general layer
// combine: a rule's finding leads even when the general layer's best line
// carries a symptom that decides its category on the line (here a 502).
// On the existing corpus and the public dev half, every log where a rule
// and the general layer name different classes (13 of them) has the rule
// right, among them a Conan remote that no longer exists answering with
// TLS and 5xx errors: the symptom is the dead remote's answer.
func TestRuleOutranksASymptomOnTheLine(t *testing.T) {
	t.Parallel()
	log := "conan remote add frob https://api.bintray.com/conan/frob/stable\n" +
		"ERROR: 502 Bad Gateway: the gasket server answered with an error\n" +
		"##[error]Process completed with exit code 1.\n"
	res, err := testAnalyzer(t).Analyze(context.Background(), strings.NewReader(log), "x.log")
	if err != nil {
		t.Fatal(err)
	}
	if rc := res.RootCause(); rc == nil || rc.RuleID != "conan.remote_obsolete" {
		t.Errorf("root cause = %+v, want conan.remote_obsolete", rc)
	}
	empty, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	res, err = NewAnalyzer(empty).Analyze(context.Background(), strings.NewReader(log), "x.log")
	if err != nil {
		t.Fatal(err)
	}
	if rc := res.RootCause(); rc == nil || rc.Category != CategoryInfrastructure || rc.Line != 2 {
		t.Errorf("general layer alone: root cause = %+v, want infrastructure at line 2", rc)
	}
}

func TestScoreLine(t *testing.T) {
	t.Parallel()
	a := testAnalyzer(t)
	score := func(s string) lineScore {
		mask := make([]uint64, a.words)
		for k, tk := range scoreTokens {
			if strings.Contains(strings.ToLower(s), tk.lit) {
				id := a.tokenBase + k
				mask[id>>6] |= 1 << (id & 63)
			}
		}
		ls, _ := a.scoreLine([]byte(s), mask, nil)
		return ls
	}
	// Each pair: the first line must score above the second.
	pairs := [][2]string{
		{"error: cannot open frob.conf", "the error handler was registered"},
		{"fatal: unable to access the frob", "warning: unable to access the frob"},
		{"java.security.NoSuchAlgorithmException: MD5 not available", "at java.security.Provider.getService(Provider.java:12)"},
		{"FAILED tests/test_frob.py::test_gasket - AssertionError", "collected 12 items, 0 failed"},
		{"src/frob.c:12:3: error: gasket undeclared", "-- Performing Test HAVE_GASKET - Failed"},
		{"denied: requested access to the resource is denied", "npm WARN deprecated frob@1.0: no longer maintained"},
	}
	for _, p := range pairs {
		if hi, lo := score(p[0]), score(p[1]); hi.score <= lo.score {
			t.Errorf("score(%q) = %d, not above score(%q) = %d", p[0], hi.score, p[1], lo.score)
		}
	}
	for s, want := range map[string]lineScore{
		"Error: Process completed with exit code 1.": {failEnd: true},
		"Finished: FAILURE":                          {failEnd: true},
		"The command \"make\" exited with 2.":        {failEnd: true},
		"Process finished with exit code 0":          {success: true},
		"100% tests passed, 0 tests failed out of 9": {success: true},
		"BUILD SUCCESSFUL in 12s":                    {success: true},
		"ok 3 - frob works":                          {success: true},
	} {
		got := score(s)
		if got.failEnd != want.failEnd || got.success != want.success {
			t.Errorf("score(%q): failEnd %v success %v, want %v %v", s, got.failEnd, got.success, want.failEnd, want.success)
		}
	}
}

// TestScoreLineQuietTokens checks that finding the general layer's
// non-trigger tokens with their prefilter scores every line of the corpus
// logs as looking for each of them on the line does.
func TestScoreLineQuietTokens(t *testing.T) {
	t.Parallel()
	a := testAnalyzer(t)
	naive := *a
	naive.pfQuiet = newPrefilter(nil)
	naive.quietShort = nil
	for k := range scoreTokens {
		if !scoreTokens[k].trigger {
			naive.quietShort = append(naive.quietShort, a.tokenBase+k)
		}
	}
	var files []string
	for _, dir := range []string{corpusDir + "/*", "../../testdata/fixer/public/dev"} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		files = append(files, fs...)
	}
	if len(files) < 50 {
		t.Fatalf("found %d corpus logs, want more", len(files))
	}
	lines := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			mask := make([]uint64, a.words)
			for k, tk := range scoreTokens {
				if tk.trigger && strings.Contains(strings.ToLower(l), tk.lit) {
					id := a.tokenBase + k
					mask[id>>6] |= 1 << (id & 63)
				}
			}
			got, _ := a.scoreLine([]byte(l), slices.Clone(mask), nil)
			want, _ := naive.scoreLine([]byte(l), mask, nil)
			if got != want {
				t.Errorf("%s: scoreLine(%q) = %+v, want %+v", f, l, got, want)
			}
			lines++
		}
	}
	t.Logf("%d lines of %d logs", lines, len(files))
}

func TestDiagnosticLocation(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"render.go:41:15: undefined: x":                            true,
		"Program.cs(4,7): error CS1002":                            true,
		"e: /src/frob.gradle.kts: (3, 7): Unresolved reference: x": true,
		"src/main/java/Frob.java:[12,5] cannot find symbol":        true,
		"[ERROR] /src/Frob.java:[12,5] cannot find symbol":         true,
		"w: /src/frob.kt: (1, 2): unused":                          true,
		"e: something went wrong":                                  false,
		"Frob.java: cannot read":                                   false,
		"see https://example.com/a.html:8080 for more":             false,
	} {
		if got := diagnosticLocation([]byte(s)); got != want {
			t.Errorf("diagnosticLocation(%q) = %v, want %v", s, got, want)
		}
	}
}
