#!/usr/bin/env python3
"""Generate testdata/fixer/corpus: realistic GitHub Actions job logs.

Each scenario is a job: the runner preamble, ordinary steps, and (for failing
jobs) a failing step whose decisive line is marked with "!!" in this file.
The mark becomes the label (root-cause line number) in labels.yaml, so the
labels come from the scenario author, not from the classifier.

Run: python3 testdata/fixer/gen_corpus.py   (deterministic output)
"""
import datetime
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

# ---------------------------------------------------------------- building blocks

def preamble(repo, job, perms=("Contents: read", "Metadata: read"), actions=("actions/checkout@v4",)):
    lines = [
        "Current runner version: '2.321.0'",
        "Runner name: 'GitHub Actions 1000000451'",
        "Machine name: 'fv-az1146-207'",
        "##[group]Runner Image Provisioner", "Hosted Compute Agent", "Version: 20241022.8",
        "Commit: 6fa3b4a06f1e2c1a9d3b0f1e3c4d5e6f7a8b9c0d", "Build Date: 2024-10-22T17:14:07Z", "##[endgroup]",
        "##[group]Operating System", "Ubuntu", "24.04.1", "LTS", "##[endgroup]",
        "##[group]Runner Image", "Image: ubuntu-24.04", "Version: 20261110.1.0",
        "Included Software: https://github.com/actions/runner-images/blob/ubuntu24/20261110.1/images/ubuntu/Ubuntu2404-Readme.md",
        "##[endgroup]",
        "##[group]GITHUB_TOKEN Permissions", *perms, "##[endgroup]",
        "Secret source: Actions",
        "Prepare workflow directory",
        "Prepare all required actions",
        "Getting action download info",
    ]
    shas = ["11bd71901bbe5b1630ceea73d27597364c9af683", "0c45773b623bea8c8e75f6c82b208c3cf94ea4f9",
            "6d193bf28034eafb982f37bd894289fe649468fc", "a8a3f3ad30e3422c9c7b888a15615d19a852ae32"]
    for i, a in enumerate(actions):
        if a.startswith("actions/") and not a.endswith("@v3"):
            # Immutable actions are downloaded as packages (2025+ runners).
            lines += [f"Download immutable action package '{a}'", f"  Version: {a.split('@v')[1]}.2.{i}",
                      f"  Digest: sha256:{shas[(i + 1) % len(shas)]}{shas[i % len(shas)][:24]}",
                      f"  Source commit SHA: {shas[i % len(shas)]}"]
        else:
            lines.append(f"Download action repository '{a}' (SHA:{shas[i % len(shas)]})")
    lines.append(f"Complete job name: {job}")
    return [("", [], lines)]


def checkout(repo):
    name = repo.split("/")[1]
    return ("Run actions/checkout@v4", ["with:", f"  repository: {repo}", "  token: ***", "  fetch-depth: 1"], [
        f"Syncing repository: {repo}",
        "##[group]Getting Git version info",
        "Working directory is '/home/runner/work/%s/%s'" % (name, name),
        "[command]/usr/bin/git version",
        "git version 2.47.1",
        "##[endgroup]",
        "Temporarily overriding HOME='/home/runner/work/_temp/3b1f' before making global git config changes",
        f"[command]/usr/bin/git init /home/runner/work/{name}/{name}",
        "Initialized empty Git repository in /home/runner/work/%s/%s/.git/" % (name, name),
        "##[group]Fetching the repository",
        f"[command]/usr/bin/git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules --depth=1 origin +3f2a9c1e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a39:refs/remotes/origin/main",
        "From https://github.com/" + repo,
        " * [new ref]         3f2a9c1e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a39 -> origin/main",
        "##[endgroup]",
        "HEAD is now at 3f2a9c1 Merge pull request #142 from sparesparrow/cursor/fix-profile-4d1e",
    ])


def setup_python(ver="3.12"):
    return ("Run actions/setup-python@v5", ["with:", f"  python-version: {ver}"], [
        "Installed versions",
        f"  Successfully set up CPython ({ver}.7)",
    ])


def pip_install(pkgs):
    out = []
    for p in pkgs:
        out.append(f"Collecting {p}")
        out.append(f"  Downloading {p.split('=')[0]}-1.2.3-py3-none-any.whl (45 kB)")
    out.append("Successfully installed " + " ".join(p.split("=")[0] + "-1.2.3" for p in pkgs))
    return ("Run pip install " + " ".join(pkgs), ["pip install " + " ".join(pkgs), "shell: /usr/bin/bash -e {0}"], out)


def conan_setup(version="2.9.2"):
    return ("Run pip install conan==" + version, ["pip install conan==" + version, "conan profile detect --force",
                                                  "shell: /usr/bin/bash -e {0}"], [
        "Collecting conan==" + version,
        "  Downloading conan-%s.tar.gz (471 kB)" % version,
        "Successfully installed conan-%s" % version,
        "detect_api: Found gcc 13",
        "detect_api: gcc>=5, using the major as version",
        "Detected profile:",
        "[settings]",
        "arch=x86_64",
        "build_type=Release",
        "compiler=gcc",
        "compiler.cppstd=gnu17",
        "compiler.libcxx=libstdc++11",
        "compiler.version=13",
        "os=Linux",
    ])


def conan_install_ok(pkgs, build_missing=True):
    out = ["", "======== Input profiles ========", "Profile host:", "[settings]", "arch=x86_64", "build_type=Release",
           "compiler=gcc", "compiler.version=13", "os=Linux", "", "======== Computing dependency graph ========",
           "Graph root", "    conanfile.py (openssl-tools/1.4.0): /home/runner/work/openssl-tools/openssl-tools/conanfile.py",
           "Requirements"]
    for p in pkgs:
        out.append(f"    {p}#8b3e6a1f0c2d4e5f6a7b8c9d0e1f2a3b - Downloaded (conancenter)")
    out += ["", "======== Computing necessary packages ========", "Requirements"]
    for p in pkgs:
        out.append(f"    {p}#8b3e6a1f0c2d4e5f6a7b8c9d0e1f2a3b:9a4eb3c8701508aa9458b1a73d0633783ecc2270#0ba8627bd47edc3a501e8f0eb9a8b1a6 - Download (conancenter)")
    out += ["", "======== Installing packages ========"]
    for p in pkgs:
        out.append(f"{p}: Retrieving package 9a4eb3c8701508aa9458b1a73d0633783ecc2270 from remote 'conancenter' ")
        out.append(f"{p}: Package installed 9a4eb3c8701508aa9458b1a73d0633783ecc2270")
    out += ["WARN: deprecated: Usage of deprecated Conan 1.X features that will be removed in Conan 2.X:",
            "WARN: deprecated:     'cpp_info.names' used in: zlib/1.3.1",
            "", "======== Finalizing install (deploy, generators) ========",
            "conanfile.py (openssl-tools/1.4.0): Writing generators to /home/runner/work/openssl-tools/openssl-tools/build/Release/generators",
            "conanfile.py (openssl-tools/1.4.0): Generator 'CMakeToolchain' calling 'generate()'",
            "conanfile.py (openssl-tools/1.4.0): Generating aggregated env files",
            "Install finished successfully"]
    cmd = "conan install . --output-folder=build" + (" --build=missing" if build_missing else "")
    return ("Run " + cmd, [cmd, "shell: /usr/bin/bash -e {0}", "env:", "  CONAN_HOME: /home/runner/.conan2"], out)


def cmake_configure(with_probes=True):
    out = ["-- The C compiler identification is GNU 13.2.0",
           "-- The CXX compiler identification is GNU 13.2.0",
           "-- Detecting C compiler ABI info",
           "-- Detecting C compiler ABI info - done",
           "-- Check for working C compiler: /usr/bin/cc - skipped",
           "-- Detecting CXX compiler ABI info - done"]
    if with_probes:
        out += ["-- Performing Test CMAKE_HAVE_LIBC_PTHREAD",
                "-- Performing Test CMAKE_HAVE_LIBC_PTHREAD - Success",
                "-- Performing Test HAVE_STDATOMIC_H",
                "-- Performing Test HAVE_STDATOMIC_H - Failed",
                "-- Looking for getauxval - found",
                "-- Looking for arc4random_buf - not found",
                "-- Performing Test COMPILER_SUPPORTS_WERROR_VLA - Failed"]
    out += ["-- Conan toolchain: Setting CMAKE_POSITION_INDEPENDENT_CODE=ON (options.fPIC)",
            "-- Found OpenSSL: /home/runner/.conan2/p/b/opens1d2c3/p/lib/libcrypto.a (found version \"3.2.1\")",
            "-- Configuring done (1.8s)",
            "-- Generating done (0.1s)",
            "-- Build files have been written to: /home/runner/work/openssl-tools/openssl-tools/build"]
    cmd = "cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=build/conan_toolchain.cmake -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=\"-Wall -Wextra -Werror\""
    return ("Run " + cmd.split(" -D")[0], [cmd, "shell: /usr/bin/bash -e {0}"], out)


def build_progress(files, start=0):
    out = []
    n = len(files)
    for i, f in enumerate(files):
        pct = int((i + 1 + start) * 100 / (n + start + 2))
        out.append(f"[{pct:3d}%] Building CXX object src/CMakeFiles/ostools.dir/{f}.cpp.o")
    return out


def go_test_ok(pkgs):
    out = []
    for p in pkgs:
        out.append(f"ok  \tgithub.com/sparesparrow/mcp-project-orchestrator/{p}\t{random.uniform(0.01, 2.5):.3f}s")
    return out


def post(actions=("actions/checkout@v4",)):
    out = []
    for a in reversed(actions):
        out.append(("Post job cleanup.", [], ["[command]/usr/bin/git version", "git version 2.47.1",
                                              "Cleaning up orphan processes"]))
    return out[:1]

# ---------------------------------------------------------------- scenarios

S = []  # (path, repo, job, steps, fail_step or None, exit_code)

def scenario(path, repo, job, steps, fail=None, exit_code=1, tail=None, perms=None, actions=None, ending=None):
    S.append(dict(path=path, repo=repo, job=job, steps=steps, fail=fail, exit_code=exit_code, tail=tail or [],
                  perms=perms, actions=actions, ending=ending))

OT = "sparesparrow/openssl-tools"
CB = "sparesparrow/openssl-conan-base"
FP = "sparesparrow/openssl-fips-policy"
MO = "sparesparrow/mcp-project-orchestrator"

# --- conan
scenario("conan/conan2-missing-prebuilt-openssl.log", OT, "conan-build (ubuntu-24.04, gcc-13)",
         [checkout(OT), setup_python(), conan_setup()],
         ("Run conan install . --output-folder=build -pr:h profiles/linux-gcc13-fips", [
             "conan install . --output-folder=build -pr:h profiles/linux-gcc13-fips", "shell: /usr/bin/bash -e {0}"], [
             "", "======== Computing dependency graph ========", "Graph root",
             "    conanfile.py (openssl-tools/1.4.0): /home/runner/work/openssl-tools/openssl-tools/conanfile.py",
             "Requirements", "    openssl/3.2.1#ad2b3b3f8cd1be4c3e0c4e5b6a7d8e9f - Downloaded (conancenter)",
             "    zlib/1.3.1#f52e03ae3d251dec704634230cd806a2 - Cache", "",
             "======== Computing necessary packages ========",
             "Requirements",
             "    openssl/3.2.1#ad2b3b3f8cd1be4c3e0c4e5b6a7d8e9f:e0f6a3c1b9d8c7e6f5a4b3c2d1e0f9a8b7c6d5e4 - Missing",
             "    zlib/1.3.1#f52e03ae3d251dec704634230cd806a2:b647c43bfefae3f830561ca202b6cfd935b56205#7f8d3a1e - Cache",
             "!!ERROR: Missing prebuilt package for 'openssl/3.2.1'. You can try:",
             "    - List all available packages using 'conan list openssl/3.2.1:* -r=remote'",
             "    - Explain missing binaries: replace 'conan install' with 'conan graph explain' in the command line",
             "    - Try to build locally from sources using the '--build=openssl/3.2.1' argument", "",
             "More Info at 'https://docs.conan.io/2/knowledge/faq.html#error-missing-prebuilt-package'"]), 6)

scenario("conan/conan2-missing-prebuilt-zlib-base.log", CB, "profiles (windows-2022)",
         [checkout(CB), setup_python("3.11"), conan_setup("2.8.0")],
         ("Run conan create . -pr:a profiles/windows-msvc193", ["conan create . -pr:a profiles/windows-msvc193",
                                                              "shell: C:\\Program Files\\Git\\bin\\bash.EXE --noprofile --norc -e -o pipefail {0}"], [
             "", "======== Exporting recipe to the cache ========",
             "openssl-base/2.1.0: Exporting package recipe: C:\\a\\openssl-conan-base\\openssl-conan-base\\conanfile.py",
             "openssl-base/2.1.0: Exported: openssl-base/2.1.0#0c3b2a1f9e8d7c6b5a4f3e2d1c0b9a8f (2026-11-18 02:14:07 UTC)",
             "", "======== Computing necessary packages ========",
             "zlib/1.3.1: Compatible package ID 2a7b1e3c9d4f5e6a7b8c9d0e1f2a3b4c5d6e7f80 equal to the default package ID: Skipping it.",
             "Requirements",
             "    zlib/1.3.1#f52e03ae3d251dec704634230cd806a2:2a7b1e3c9d4f5e6a7b8c9d0e1f2a3b4c5d6e7f80 - Missing",
             "!!ERROR: Missing prebuilt package for 'zlib/1.3.1'. You can try:",
             "    - List all available packages using 'conan list zlib/1.3.1:* -r=remote'",
             "    - Explain missing binaries: replace 'conan install' with 'conan graph explain' in the command line",
             "    - Try to build locally from sources using the '--build=zlib/1.3.1' argument",
             "More Info at 'https://docs.conan.io/2/knowledge/faq.html#error-missing-prebuilt-package'"]))

scenario("conan/conan1-missing-binary.log", CB, "legacy-conan1 (ubuntu-22.04)",
         [checkout(CB), setup_python("3.10"), pip_install(["conan==1.66.0"])],
         ("Run conan install . -if build -pr default", ["conan install . -if build -pr default", "shell: /usr/bin/bash -e {0}"], [
             "Configuration:", "[settings]", "arch=x86_64", "build_type=Release", "compiler=gcc", "compiler.libcxx=libstdc++",
             "compiler.version=11", "os=Linux", "[options]", "[build_requires]", "[env]", "",
             "conanfile.py (openssl-base/1.0.3): Installing package", "Requirements",
             "    zlib/1.2.13 from 'conancenter' - Downloaded", "Packages",
             "    zlib/1.2.13:dfbe50feef7f3c6223a476cd5aeadb687084a646 - Missing", "",
             "Installing (downloading, building) binaries...",
             "zlib/1.2.13: WARN: Can't find a 'zlib/1.2.13' package for the specified settings, options and dependencies:",
             "- Settings: arch=x86_64, build_type=Release, compiler=gcc, compiler.version=11, os=Linux",
             "- Options: fPIC=True, shared=False",
             "- Package ID: dfbe50feef7f3c6223a476cd5aeadb687084a646", "",
             "!!ERROR: Missing prebuilt package for 'zlib/1.2.13'",
             "Use 'conan search zlib/1.2.13 --table=table.html -r=remote' and open the table.html file to see available packages",
             "Or try to build locally from sources with '--build=zlib'", "",
             "More Info at 'https://docs.conan.io/1/faq/troubleshooting.html#error-missing-prebuilt-package'"]))

scenario("conan/conan2-version-conflict.log", OT, "conan-build (ubuntu-24.04, gcc-13)",
         [checkout(OT), setup_python(), conan_setup()],
         ("Run conan install . --build=missing", ["conan install . --build=missing", "shell: /usr/bin/bash -e {0}"], [
             "", "======== Computing dependency graph ========", "Graph root",
             "    conanfile.py (openssl-tools/1.4.0): /home/runner/work/openssl-tools/openssl-tools/conanfile.py",
             "Requirements", "    openssl/3.2.1#ad2b3b3f8cd1be4c3e0c4e5b6a7d8e9f - Cache",
             "    openssl-fips-policy/2.0.1#2f1c0e9d8b7a6f5e4d3c2b1a0f9e8d7c - Downloaded (sparesparrow)",
             "Graph error",
             "!!ERROR: Version conflict: Conflict between openssl/3.1.7 and openssl/3.2.1 in the graph.",
             "Conflict originates from openssl-fips-policy/2.0.1", ""]))

scenario("conan/conan1-conflict.log", CB, "legacy-conan1 (ubuntu-22.04)",
         [checkout(CB), setup_python("3.10"), pip_install(["conan==1.66.0"])],
         ("Run conan install . -if build --build=missing", ["conan install . -if build --build=missing", "shell: /usr/bin/bash -e {0}"], [
             "Configuration:", "[settings]", "arch=x86_64", "build_type=Release", "compiler=gcc", "compiler.version=11", "os=Linux",
             "openssl/1.1.1w: Not found in local cache, looking in remotes...",
             "openssl/1.1.1w: Trying with 'conancenter'...",
             "Downloading conanmanifest.txt completed [0.38k]",
             "!!ERROR: Conflict in openssl-base/1.0.3:",
             "    'openssl-base/1.0.3' requires 'zlib/1.3' while 'openssl/1.1.1w' requires 'zlib/1.2.13'.",
             "    To fix this conflict you need to override the package 'zlib' in your root package."]))

scenario("conan/conan2-recipe-not-found.log", MO, "integration (ubuntu-24.04)",
         [checkout(MO), setup_python(), conan_setup()],
         ("Run conan install --requires=openssl-fips-policy/2.0.0 -r sparesparrow", [
             "conan install --requires=openssl-fips-policy/2.0.0 -r sparesparrow", "shell: /usr/bin/bash -e {0}"], [
             "", "======== Computing dependency graph ========",
             "openssl-fips-policy/2.0.0: Not found in local cache, looking in remotes...",
             "openssl-fips-policy/2.0.0: Checking remote: sparesparrow",
             "!!ERROR: Package 'openssl-fips-policy/2.0.0' not resolved: Unable to find 'openssl-fips-policy/2.0.0' in remotes."]))

scenario("conan/conan1-recipe-not-found.log", CB, "legacy-conan1 (ubuntu-22.04)",
         [checkout(CB), setup_python("3.10"), pip_install(["conan==1.66.0"])],
         ("Run conan install . -if build", ["conan install . -if build", "shell: /usr/bin/bash -e {0}"], [
             "openssl-base/1.0.3@sparesparrow/stable: Not found in local cache, looking in remotes...",
             "openssl-base/1.0.3@sparesparrow/stable: Trying with 'conancenter'...",
             "openssl-base/1.0.3@sparesparrow/stable: Trying with 'cloudsmith'...",
             "!!ERROR: Unable to find 'openssl-base/1.0.3@sparesparrow/stable' in remotes"]))

scenario("conan/conan2-remote-not-found.log", OT, "publish (ubuntu-24.04)",
         [checkout(OT), setup_python(), conan_setup(), conan_install_ok(["zlib/1.3.1", "openssl/3.2.1"])],
         ("Run conan upload 'openssl-tools/*' -r cloudsmith --confirm", [
             "conan upload 'openssl-tools/*' -r cloudsmith --confirm", "shell: /usr/bin/bash -e {0}"], [
             "!!ERROR: Remote 'cloudsmith' doesn't exist"]))

scenario("conan/conan2-remote-auth.log", OT, "publish (ubuntu-24.04)",
         [checkout(OT), setup_python(), conan_setup(), conan_install_ok(["zlib/1.3.1", "openssl/3.2.1"])],
         ("Run conan upload 'openssl-tools/*' -r sparesparrow-conan --confirm", [
             "conan remote add sparesparrow-conan https://conan.cloudsmith.io/sparesparrow/openssl/",
             "conan upload 'openssl-tools/*' -r sparesparrow-conan --confirm", "shell: /usr/bin/bash -e {0}",
             "env:", "  CONAN_LOGIN_USERNAME: github-ci", "  CONAN_PASSWORD: "], [
             "", "======== Uploading to remote sparesparrow-conan ========", "",
             "-------- Checking server existing packages --------",
             "openssl-tools/1.4.0: Checking which revisions exist in the remote server",
             "!!ERROR: Permission denied for user: 'github-ci'. [Remote: sparesparrow-conan]"]))

scenario("conan/conan1-remote-auth.log", CB, "publish-legacy (ubuntu-22.04)",
         [checkout(CB), setup_python("3.10"), pip_install(["conan==1.66.0"])],
         ("Run conan upload 'openssl-base/*' -r cloudsmith --all -c", [
             "conan upload 'openssl-base/*' -r cloudsmith --all -c", "shell: /usr/bin/bash -e {0}"], [
             "Uploading to remote 'cloudsmith':",
             "Uploading openssl-base/1.0.3@sparesparrow/stable to remote 'cloudsmith'",
             "Please log in to \"cloudsmith\" to perform this action. Execute \"conan user\" command.",
             "!!ERROR: Wrong user or password. [Remote: cloudsmith]"]))

scenario("conan/conan2-profile-not-found.log", FP, "validate (ubuntu-24.04)",
         [checkout(FP), setup_python(), pip_install(["conan==2.9.2"])],
         ("Run conan create . -pr:h fips-linux", ["conan create . -pr:h fips-linux", "shell: /usr/bin/bash -e {0}"], [
             "!!ERROR: Profile not found: fips-linux"]))

scenario("conan/conan2-invalid-setting.log", OT, "conan-build (ubuntu-24.04, gcc-14)",
         [checkout(OT), setup_python(), conan_setup("2.0.17")],
         ("Run conan install . -s compiler.version=14 --build=missing", [
             "conan install . -s compiler.version=14 --build=missing", "shell: /usr/bin/bash -e {0}"], [
             "!!ERROR: Invalid setting '14' is not a valid 'settings.compiler.version' value.",
             "Possible values are ['4.1', '4.4', '4.5', '4.6', '4.7', '4.8', '4.9', '5', '5.1', '13', '13.1', '13.2']",
             "Read \"http://docs.conan.io/2/knowledge/faq.html#error-invalid-setting\""]))

# --- fips
fips_env = ["env:", "  OPENSSL_CONF: /opt/openssl/ssl/openssl-fips.cnf", "  OPENSSL_MODULES: /opt/openssl/lib64/ossl-modules"]
def fips_build():
    return ("Run ./Configure enable-fips --prefix=/opt/openssl && make -j4", [
        "./Configure enable-fips --prefix=/opt/openssl && make -j4 && make install_sw install_fips",
        "shell: /usr/bin/bash -e {0}"], [
        "Configuring OpenSSL version 3.2.1 for target linux-x86_64",
        "Using os-specific seed configuration",
        "Created configdata.pm", "Running configdata.pm", "Created Makefile.in", "Created Makefile",
        "**********************************************************************",
        "***                                                                ***",
        "***   OpenSSL has been successfully configured                     ***",
        "**********************************************************************",
        "gcc  -I. -Iinclude -Iproviders/common/include -DOPENSSL_FIPS -fPIC -pthread -m64 -Wa,--noexecstack -Wall -O3 -c -o providers/fips/libfips-lib-fipsprov.o providers/fips/fipsprov.c",
        "gcc  -I. -Iinclude -fPIC -pthread -m64 -Wall -O3 -c -o providers/fips/libfips-lib-self_test.o providers/fips/self_test.c",
        "gcc -fPIC -pthread -m64 -Wall -O3 -L. -shared -Wl,-znodelete -o providers/fips.so providers/fips.ld",
        "install providers/fips.so -> /opt/openssl/lib64/ossl-modules/fips.so",
        "/opt/openssl/bin/openssl fipsinstall -module /opt/openssl/lib64/ossl-modules/fips.so -out /opt/openssl/ssl/fipsmodule.cnf",
        "INSTALL PASSED"])

scenario("fips/fipsinstall-failed.log", FP, "fips-validation (ubuntu-24.04)",
         [checkout(FP), fips_build()],
         ("Run openssl fipsinstall -module fips.so -out fipsmodule.cnf -self_test_onload", [
             "/opt/openssl/bin/openssl fipsinstall -module /opt/openssl/lib64/ossl-modules/fips.so \\",
             "  -out /opt/openssl/ssl/fipsmodule.cnf -provider_name fips -self_test_onload",
             "shell: /usr/bin/bash -e {0}", *fips_env], [
             "HMAC : (Module_Integrity) : Pass",
             "SHA1 : (KAT_Digest) : Pass",
             "SHA2 : (KAT_Digest) : Pass",
             "SHA3 : (KAT_Digest) : Pass",
             "AES_GCM : (KAT_Cipher) : Pass",
             "AES_ECB_Decrypt : (KAT_Cipher) : Pass",
             "RSA : (KAT_Signature) : RNG : (Continuous_RNG_Test) : Pass",
             "ECDSA : (PCT_Signature) : FAIL",
             "!!INSTALL FAILED"]))

scenario("fips/fipsinstall-verify-failed.log", OT, "fips-check (ubuntu-24.04)",
         [checkout(OT), fips_build()],
         ("Run openssl fipsinstall -verify -in fipsmodule.cnf -module fips.so", [
             "/opt/openssl/bin/openssl fipsinstall -verify -in /opt/openssl/ssl/fipsmodule.cnf -module /opt/openssl/lib64/ossl-modules/fips.so",
             "shell: /usr/bin/bash -e {0}", *fips_env], [
             "HMAC : (Module_Integrity) : Pass",
             "module checksum mismatch: 8F3A1C0B2D4E6F809A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F6071",
             "!!VERIFY FAILED"]))

scenario("fips/self-test-error-state.log", FP, "fips-validation (ubuntu-24.04)",
         [checkout(FP), fips_build()],
         ("Run ./scripts/fips-smoke.sh", ["./scripts/fips-smoke.sh", "shell: /usr/bin/bash -e {0}", *fips_env], [
             "== loading providers", "fips provider: OpenSSL FIPS Provider 3.2.1",
             "== digest round trip",
             "!!40F7B2C1D27F0000:error:1C8000E0:Provider routines:ossl_set_error_state:fips module entering error state:providers/fips/self_test.c:387:",
             "40F7B2C1D27F0000:error:1C8000D4:Provider routines:SELF_TEST_post:invalid state:providers/fips/self_test.c:290:",
             "40F7B2C1D27F0000:error:078C0105:common libcrypto routines:provider_init:init fail:crypto/provider_core.c:932:name=fips",
             "smoke test FAILED"]))

scenario("fips/self-test-kat-failed.log", OT, "fips-selftest (ubuntu-24.04)",
         [checkout(OT), fips_build()],
         ("Run python3 scripts/run_fips_selftests.py --module /opt/openssl/lib64/ossl-modules/fips.so", [
             "python3 scripts/run_fips_selftests.py --module /opt/openssl/lib64/ossl-modules/fips.so", "shell: /usr/bin/bash -e {0}", *fips_env], [
             "running 14 known-answer tests against fips.so",
             "KAT_Digest SHA256 ........ ok", "KAT_Digest SHA512 ........ ok", "KAT_Cipher AES_GCM ....... ok",
             "KAT_KDF HKDF ............. ok", "KAT_Signature ECDSA ...... FAIL (expected 3045..., got 3044...)",
             "!!FIPS self-test failed: 1 of 14 known-answer tests did not match",
             "Traceback (most recent call last):",
             "  File \"/home/runner/work/openssl-tools/openssl-tools/scripts/run_fips_selftests.py\", line 88, in <module>",
             "    sys.exit(main())", "SystemExit: 1"]))

scenario("fips/provider-unable-to-load.log", FP, "fips-validation (ubuntu-24.04)",
         [checkout(FP)],
         ("Run openssl list -providers -provider fips", ["openssl version -a", "openssl list -providers -provider fips",
                                                       "shell: /usr/bin/bash -e {0}", *fips_env], [
             "OpenSSL 3.0.13 30 Jan 2024 (Library: OpenSSL 3.0.13 30 Jan 2024)",
             "built on: Mon Feb  5 10:12:17 2024 UTC", "platform: debian-amd64",
             "OPENSSLDIR: \"/usr/lib/ssl\"", "MODULESDIR: \"/usr/lib/x86_64-linux-gnu/ossl-modules\"",
             "!!list: unable to load provider fips",
             "Hint: use -provider-path option or OPENSSL_MODULES environment variable.",
             "40D7A9E1F27F0000:error:12800067:DSO support routines:dlfcn_load:could not load the shared library:../crypto/dso/dso_dlfcn.c:118:filename(/opt/openssl/lib64/ossl-modules/fips.so): /opt/openssl/lib64/ossl-modules/fips.so: cannot open shared object file: No such file or directory",
             "40D7A9E1F27F0000:error:12800067:DSO support routines:DSO_load:could not load the shared library:../crypto/dso/dso_lib.c:152:"]))

scenario("fips/provider-init-name-fips.log", OT, "fips-integration (ubuntu-24.04)",
         [checkout(OT), fips_build()],
         ("Run ctest --test-dir build -R fips --output-on-failure", [
             "ctest --test-dir build -R fips --output-on-failure", "shell: /usr/bin/bash -e {0}", *fips_env], [
             "Test project /home/runner/work/openssl-tools/openssl-tools/build",
             "    Start 1: provider_load",
             "C0A7E1F27F0000:error:12800067:DSO support routines:dlfcn_load:could not load the shared library:crypto/dso/dso_dlfcn.c:118:filename(/opt/openssl/lib64/ossl-modules/fips.so)",
             "!!C0A7E1F27F0000:error:07880025:common libcrypto routines:provider_init:reason(524325):name=fips",
             "1/1 Test #1: provider_load ....................***Failed    0.03 sec",
             "0% tests passed, 1 tests failed out of 1",
             "The following tests FAILED:", "\t  1 - provider_load (Failed)", "Errors while running CTest"]))

scenario("fips/algorithm-disabled-python.log", FP, "policy-tests (ubuntu-24.04)",
         [checkout(FP), setup_python()],
         ("Run python3 -c 'import hashlib; hashlib.md5(b\"x\")'", [
             "python3 -c 'import hashlib; hashlib.md5(b\"x\")'", "shell: /usr/bin/bash -e {0}", "env:", "  OPENSSL_FIPS: 1",
             "  OPENSSL_CONF: /etc/ssl/openssl-fips.cnf"], [
             "Traceback (most recent call last):", "  File \"<string>\", line 1, in <module>",
             "!!ValueError: [digital envelope routines] unsupported: disabled for FIPS"]))

scenario("fips/algorithm-fips-yes-properties.log", OT, "fips-check (ubuntu-24.04)",
         [checkout(OT), fips_build()],
         ("Run openssl dgst -md5 README.md", ["openssl dgst -md5 README.md", "shell: /usr/bin/bash -e {0}", *fips_env], [
             "Error setting digest",
             "!!40E7B5D2A17F0000:error:0308010C:digital envelope routines:inner_evp_generic_fetch:unsupported:crypto/evp/evp_fetch.c:355:Global default library context, Algorithm (MD5 : 100), Properties (fips=yes)",
             "40E7B5D2A17F0000:error:03000086:digital envelope routines:evp_md_init_internal:initialization error:crypto/evp/digest.c:272:"]))

scenario("fips/digital-envelope-with-fips-context.log", FP, "fips-validation (ubuntu-24.04)",
         [checkout(FP), fips_build()],
         ("Run ./scripts/check-legacy-ciphers.sh", ["./scripts/check-legacy-ciphers.sh", "shell: /usr/bin/bash -e {0}", *fips_env], [
             "checking that legacy ciphers are refused with fipsmodule.cnf loaded",
             "des-ede3-cbc: encrypt",
             "!!40A7C3D1E27F0000:error:0308010C:digital envelope routines:inner_evp_generic_fetch:unsupported:crypto/evp/evp_fetch.c:373:Global default library context, Algorithm (DES-EDE3-CBC : 0), Properties ()",
             "unexpected: cipher refused by the default provider too"]))

scenario("fips/unsupported-in-fips-mode.log", OT, "fips-integration (ubuntu-24.04)",
         [checkout(OT), fips_build()],
         ("Run ./build/bin/ostools-selfcheck --fips", ["./build/bin/ostools-selfcheck --fips", "shell: /usr/bin/bash -e {0}", *fips_env], [
             "ostools-selfcheck 1.4.0 (OpenSSL 3.2.1, fips provider active)",
             "check sha256 .......... ok", "check aes-256-gcm ..... ok", "check hkdf ............ ok",
             "!!check chacha20-poly1305: EVP_CIPHER_fetch failed: algorithm unsupported in FIPS mode",
             "1 check failed"]))

scenario("fips/provider-not-available-cryptography.log", MO, "fips-e2e (ubuntu-24.04)",
         [checkout(MO), setup_python(), pip_install(["cryptography==43.0.3", "pytest==8.3.3"])],
         ("Run python -m ostools.fips_probe", ["python -m ostools.fips_probe", "shell: /usr/bin/bash -e {0}", *fips_env], [
             "probing OpenSSL backend: OpenSSL 3.2.1 30 Jan 2024",
             "!!RuntimeError: FIPS provider is not available: OSSL_PROVIDER_load returned NULL",
             "hint: run openssl fipsinstall and include fipsmodule.cnf from OPENSSL_CONF"]))

# --- workflow
def gh_script_issue():
    return ("Run actions/github-script@v7", ["with:", "  script: await github.rest.issues.create({owner, repo, title: 'Nightly failed'})",
                                            "  github-token: ***", "  debug: false", "  user-agent: actions/github-script",
                                            "  result-encoding: json", "  retries: 0"], [
        "!!RequestError [HttpError]: Resource not accessible by integration",
        "    at /home/runner/work/_actions/actions/github-script/v7/dist/index.js:9537:21",
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        "    at async eval (eval at callAsyncFunction (/home/runner/work/_actions/actions/github-script/v7/dist/index.js:36187:16), <anonymous>:3:1) {",
        "  status: 403,",
        "  response: {",
        "    url: 'https://api.github.com/repos/sparesparrow/openssl-tools/issues',",
        "    status: 403,",
        "    data: {",
        "      message: 'Resource not accessible by integration',",
        "      documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',",
        "      status: '403'", "    }", "  }", "}",
        "##[error]Unhandled error: HttpError: Resource not accessible by integration"])

scenario("workflow/resource-not-accessible-github-script.log", OT, "report-failure",
         [checkout(OT)], gh_script_issue(), ending="none", actions=("actions/checkout@v4", "actions/github-script@v7"))

scenario("workflow/resource-not-accessible-gh-cli.log", MO, "label-pr",
         [checkout(MO)],
         ("Run gh pr edit \"$PR\" --add-label release", ["gh pr edit \"$PR\" --add-label release", "shell: /usr/bin/bash -e {0}",
                                                       "env:", "  GH_TOKEN: ***", "  PR: 57"], [
             "!!GraphQL: Resource not accessible by integration (addLabelsToLabelable)"]))

scenario("workflow/git-push-denied.log", OT, "update-lockfiles",
         [checkout(OT), setup_python(), conan_setup(),
          ("Run conan lock create . --lockfile-out=conan.lock", ["conan lock create . --lockfile-out=conan.lock", "shell: /usr/bin/bash -e {0}"],
           ["Generated lockfile: /home/runner/work/openssl-tools/openssl-tools/conan.lock"])],
         ("Run git commit -am 'Update lockfile' && git push", ["git config user.name github-actions[bot]",
                                                             "git commit -am 'Update lockfile' && git push", "shell: /usr/bin/bash -e {0}"], [
             "[master 8c1d2e3] Update lockfile", " 1 file changed, 4 insertions(+), 4 deletions(-)",
             "!!remote: Permission to sparesparrow/openssl-tools.git denied to github-actions[bot].",
             "fatal: unable to access 'https://github.com/sparesparrow/openssl-tools/': The requested URL returned error: 403"]), exit_code=128)

scenario("workflow/deprecated-upload-artifact-v3.log", MO, "build (ubuntu-24.04)", [], None,
         actions=("actions/checkout@v4", "actions/setup-node@v4", "actions/setup-python@v5", "actions/cache@v4",
                  "docker/setup-buildx-action@v3", "actions/upload-artifact@v3"),
         ending=["!!##[error]This request has been automatically failed because it uses a deprecated version of `actions/upload-artifact: v3`. Learn more: https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/"])

scenario("workflow/deprecated-download-artifact-v3.log", MO, "deploy (ubuntu-24.04)", [], None,
         actions=("actions/checkout@v4", "actions/download-artifact@v3", "docker/login-action@v3", "docker/setup-qemu-action@v3",
                  "docker/setup-buildx-action@v3", "azure/setup-helm@v4"),
         ending=["!!##[error]This request has been automatically failed because it uses a deprecated version of `actions/download-artifact: v3`. Learn more: https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/"])

scenario("workflow/missing-id-token-aws.log", MO, "release (ubuntu-24.04)",
         [checkout(MO)],
         ("Run aws-actions/configure-aws-credentials@v4", ["with:", "  role-to-assume: arn:aws:iam::123456789012:role/orchestrator-release",
                                                         "  aws-region: eu-central-1", "  audience: sts.amazonaws.com"], [
             "!!It looks like you might be trying to authenticate with OIDC. Did you mean to set the `id-token` permission? If you are not trying to authenticate with OIDC and the action is working successfully, you can ignore this message.",
             "##[error]Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers"]),
         ending="none", perms=("Contents: read", "Metadata: read", "Packages: write"),
         actions=("actions/checkout@v4", "aws-actions/configure-aws-credentials@v4"))

scenario("workflow/missing-id-token-gcp.log", MO, "deploy-staging (ubuntu-24.04)",
         [checkout(MO)],
         ("Run google-github-actions/auth@v2", ["with:", "  workload_identity_provider: projects/123456/locations/global/workloadIdentityPools/gh/providers/gh",
                                              "  service_account: deployer@orchestrator.iam.gserviceaccount.com", "  create_credentials_file: true"], [
             "!!##[error]google-github-actions/auth failed with: gitHub Actions did not inject $ACTIONS_ID_TOKEN_REQUEST_TOKEN or $ACTIONS_ID_TOKEN_REQUEST_URL into this job. This most likely means the GitHub Actions workflow permissions are incorrect, or this job is being run from a fork. For more information, please see https://docs.github.com/en/actions/security-guides/automatic-token-authentication#permissions-for-the-github_token"]),
         ending="none", actions=("actions/checkout@v4", "google-github-actions/auth@v2"))

scenario("workflow/invalid-called-workflow.log", MO, "fan-out",
         [checkout(MO)],
         ("Run gh run view \"$RUN\" --log-failed", ["gh run view \"$RUN\" --log-failed", "shell: /usr/bin/bash -e {0}", "env:", "  GH_TOKEN: ***", "  RUN: 11842077123"], [
             "run 11842077123 (sparesparrow/openssl-conan-base) concluded: startup_failure",
             "!!error parsing called workflow \".github/workflows/ci.yml\" -> \"sparesparrow/openssl-tools/.github/workflows/reusable/conan-build.yml@main\" : failed to fetch workflow: workflow was not found.",
             "annotations: 1"]))

scenario("workflow/invalid-workflow-file.log", OT, "dispatch-nightly",
         [checkout(OT)],
         ("Run gh workflow run fips-nightly.yml --ref master", ["gh workflow run fips-nightly.yml --ref master", "shell: /usr/bin/bash -e {0}", "env:", "  GH_TOKEN: ***"], [
             "could not create workflow dispatch event: HTTP 422: Invalid Argument - failed to parse workflow",
             "!!The workflow is not valid. .github/workflows/fips-nightly.yml (Line: 27, Col: 9): Unexpected value 'needs'"]))

scenario("workflow/job-timeout.log", OT, "integration (ubuntu-24.04)",
         [checkout(OT), setup_python(), conan_setup()],
         ("Run ./scripts/integration.sh", ["./scripts/integration.sh", "shell: /usr/bin/bash -e {0}"], [
             "starting local conan server on :9300", "waiting for server to accept connections", "still waiting (60s)",
             "still waiting (120s)", "still waiting (180s)",
             "!!##[error]The job running on runner GitHub Actions 1000000451 has exceeded the maximum execution time of 360 minutes.",
             "##[error]The operation was canceled."]), ending="none")

scenario("workflow/step-timeout.log", FP, "validate (ubuntu-24.04)",
         [checkout(FP), setup_python(), pip_install(["pytest==8.3.3", "requests==2.32.3"])],
         ("Run pytest tests/integration -x", ["pytest tests/integration -x", "shell: /usr/bin/bash -e {0}"], [
             "============================= test session starts ==============================",
             "platform linux -- Python 3.12.7, pytest-8.3.3, pluggy-1.5.0",
             "collected 18 items", "",
             "tests/integration/test_policy_sync.py ....",
             "!!##[error]The action 'Run pytest tests/integration -x' has timed out after 30 minutes."]), ending="none")

scenario("workflow/cancelled.log", CB, "profiles (ubuntu-24.04)",
         [checkout(CB), setup_python(), conan_setup()],
         ("Run conan create . --build=missing", ["conan create . --build=missing", "shell: /usr/bin/bash -e {0}"], [
             "======== Exporting recipe to the cache ========",
             "openssl-base/2.1.0: Exporting package recipe",
             "======== Installing packages ========",
             "openssl/3.2.1: Building from source",
             "openssl/3.2.1: Calling build()",
             "!!##[error]The operation was canceled."]), ending="none")

scenario("workflow/concurrency-cancelled.log", MO, "ci (ubuntu-24.04)",
         [checkout(MO)],
         ("Run npm ci", ["npm ci", "shell: /usr/bin/bash -e {0}"], [
             "added 812 packages, and audited 813 packages in 21s",
             "!!##[error]Canceling since a higher priority waiting request for 'CI-refs/heads/main' exists",
             "##[error]The operation was canceled."]), ending="none")

scenario("workflow/action-not-found.log", CB, "call-tools", [], None,
         actions=("actions/checkout@v4", "actions/setup-python@v5", "actions/cache@v4", "conan-io/setup-conan@v1",
                  "actions/upload-artifact@v4"),
         ending=["!!##[error]Unable to resolve action `sparesparrow/openssl-tools@v9.9.9`, unable to find version `v9.9.9`"])

# --- build
def make_fail(target="crypto/evp/libcrypto-lib-fips_check.o"):
    return [f"make[1]: *** [Makefile:4321: {target}] Error 1", "make[1]: Leaving directory '/home/runner/work/openssl-tools/openssl-tools/build'",
            "make: *** [Makefile:3012: build_sw] Error 2"]

scenario("build/gcc-missing-header.log", OT, "build (ubuntu-24.04, gcc-13)",
         [checkout(OT), setup_python(), conan_setup(), conan_install_ok(["zlib/1.3.1"]), cmake_configure()],
         ("Run cmake --build build -j4", ["cmake --build build -j4", "shell: /usr/bin/bash -e {0}"],
          build_progress(["main", "provider_loader", "digest", "cipher_table"]) + [
             "/usr/bin/c++ -DOSTOOLS_FIPS -I/home/runner/work/openssl-tools/openssl-tools/include -O3 -Wall -Wextra -Werror -std=gnu++17 -o src/CMakeFiles/ostools.dir/fips_check.cpp.o -c /home/runner/work/openssl-tools/openssl-tools/src/fips_check.cpp",
             "!!/home/runner/work/openssl-tools/openssl-tools/src/fips_check.cpp:12:10: fatal error: openssl/fips_names.h: No such file or directory",
             "   12 | #include <openssl/fips_names.h>", "      |          ^~~~~~~~~~~~~~~~~~~~~~", "compilation terminated.",
             "gmake[2]: *** [src/CMakeFiles/ostools.dir/build.make:132: src/CMakeFiles/ostools.dir/fips_check.cpp.o] Error 1",
             "gmake[1]: *** [CMakeFiles/Makefile2:98: src/CMakeFiles/ostools.dir/all] Error 2",
             "gmake: *** [Makefile:136: all] Error 2"]), exit_code=2)

scenario("build/clang-werror-unused.log", OT, "build (ubuntu-24.04, clang-18)",
         [checkout(OT), setup_python(), conan_setup(), conan_install_ok(["zlib/1.3.1", "openssl/3.2.1"]), cmake_configure()],
         ("Run cmake --build build -j4", ["cmake --build build -j4", "shell: /usr/bin/bash -e {0}"],
          build_progress(["main", "provider_loader"]) + [
             "!!/home/runner/work/openssl-tools/openssl-tools/src/provider_loader.cpp:88:9: error: unused variable 'ctx' [-Werror,-Wunused-variable]",
             "   88 |     auto ctx = OSSL_LIB_CTX_new();", "      |          ^~~", "1 error generated.",
             "ninja: build stopped: subcommand failed."]))

scenario("build/linker-undefined-reference.log", OT, "build (ubuntu-22.04, gcc-11)",
         [checkout(OT), setup_python(), conan_setup(), conan_install_ok(["openssl/3.2.1"]), cmake_configure(False)],
         ("Run cmake --build build -j4", ["cmake --build build -j4", "shell: /usr/bin/bash -e {0}"],
          build_progress(["main", "digest", "cipher_table", "report"]) + [
             "[100%] Linking CXX executable ostools",
             "/usr/bin/ld: CMakeFiles/ostools.dir/src/digest.cpp.o: in function `ostools::digest(std::span<unsigned char const>)':",
             "!!digest.cpp:(.text+0x1f4): undefined reference to `EVP_MD_fetch'",
             "/usr/bin/ld: digest.cpp:(.text+0x233): undefined reference to `EVP_MD_free'",
             "collect2: error: ld returned 1 exit status",
             "gmake[2]: *** [CMakeFiles/ostools.dir/build.make:161: ostools] Error 1"]), exit_code=2)

scenario("build/cmake-find-package.log", CB, "build (ubuntu-24.04)",
         [checkout(CB)],
         ("Run cmake -S . -B build", ["cmake -S . -B build", "shell: /usr/bin/bash -e {0}"], [
             "-- The C compiler identification is GNU 13.2.0", "-- The CXX compiler identification is GNU 13.2.0",
             "-- Performing Test HAVE_FLAG_WERROR", "-- Performing Test HAVE_FLAG_WERROR - Failed",
             "-- Looking for pthread.h - found",
             "!!CMake Error at CMakeLists.txt:23 (find_package):",
             "  By not providing \"Findopenssl-fips-policy.cmake\" in CMAKE_MODULE_PATH this project has",
             "  asked CMake to find a package configuration file provided by \"openssl-fips-policy\", but",
             "  CMake did not find one.", "",
             "-- Configuring incomplete, errors occurred!"]))

scenario("build/go-undefined.log", MO, "build (ubuntu-24.04)",
         [checkout(MO), ("Run actions/setup-go@v5", ["with:", "  go-version-file: go.mod"], ["Setup go version spec 1.23.3", "Found in cache @ /opt/hostedtoolcache/go/1.23.3/x64"])],
         ("Run go build ./...", ["go build ./...", "shell: /usr/bin/bash -e {0}"], [
             "go: downloading github.com/google/go-github/v62 v62.0.0",
             "# github.com/sparesparrow/mcp-project-orchestrator/internal/report",
             "!!internal/report/render.go:41:15: undefined: html.EscapeStrin",
             "internal/report/render.go:57:2: declared and not used: rows"]))

scenario("build/npm-eresolve.log", MO, "web (ubuntu-24.04)",
         [checkout(MO), ("Run actions/setup-node@v4", ["with:", "  node-version: 20"], ["Found in cache @ /opt/hostedtoolcache/node/20.18.0/x64"])],
         ("Run npm ci", ["npm ci", "shell: /usr/bin/bash -e {0}"], [
             "!!npm ERR! code ERESOLVE", "npm ERR! ERESOLVE could not resolve", "npm ERR!",
             "npm ERR! While resolving: @sparesparrow/dashboard@1.4.0", "npm ERR! Found: react@19.0.0",
             "npm ERR! Could not resolve dependency:", "npm ERR! peer react@\"^18.2.0\" from react-chartjs-2@5.2.0",
             "npm ERR! A complete log of this run can be found in: /home/runner/.npm/_logs/2026-11-19T02_14_07_123Z-debug-0.log"]))

scenario("build/webpack-openssl-legacy.log", MO, "dashboard (ubuntu-24.04)",
         [checkout(MO), ("Run actions/setup-node@v4", ["with:", "  node-version: 20"], ["Found in cache @ /opt/hostedtoolcache/node/20.18.0/x64"]),
          ("Run npm ci", ["npm ci", "shell: /usr/bin/bash -e {0}"], ["npm WARN deprecated svgo@1.3.2: This SVGO version is no longer supported.",
                                                                    "added 1532 packages, and audited 1533 packages in 38s", "found 0 vulnerabilities"])],
         ("Run npm run build", ["npm run build", "shell: /usr/bin/bash -e {0}"], [
             "> dashboard@1.4.0 build", "> react-scripts build", "", "Creating an optimized production build...",
             "!!Error: error:0308010C:digital envelope routines::unsupported",
             "    at new Hash (node:internal/crypto/hash:79:19)", "    at Object.createHash (node:crypto:139:10)",
             "    at module.exports (/home/runner/work/mcp-project-orchestrator/mcp-project-orchestrator/web/node_modules/webpack/lib/util/createHash.js:135:53)",
             "  opensslErrorStack: [ 'error:03000086:digital envelope routines::initialization error' ],",
             "  library: 'digital envelope routines',", "  reason: 'unsupported',", "  code: 'ERR_OSSL_EVP_UNSUPPORTED'", "}", "",
             "Node.js v20.18.0"]))

scenario("build/cargo-e0425.log", OT, "rust-helpers (ubuntu-24.04)",
         [checkout(OT)],
         ("Run cargo build --locked --release", ["cargo build --locked --release", "shell: /usr/bin/bash -e {0}"], [
             "    Updating crates.io index", "   Compiling libc v0.2.164", "   Compiling openssl-sys v0.9.104",
             "   Compiling openssl v0.10.68", "   Compiling fips-check v0.3.0 (/home/runner/work/openssl-tools/openssl-tools/fips-check)",
             "!!error[E0425]: cannot find value `cfg` in this scope", "  --> src/main.rs:42:17", "   |",
             "42 |     let ctx = cfg.provider();", "   |               ^^^ not found in this scope", "",
             "For more information about this error, try `rustc --explain E0425`.",
             "error: could not compile `fips-check` (bin \"fips-check\") due to 1 previous error"]), exit_code=101)

scenario("build/maven-compile.log", MO, "java-sdk (ubuntu-24.04)",
         [checkout(MO), ("Run actions/setup-java@v4", ["with:", "  distribution: temurin", "  java-version: 21"], ["Java 21.0.5+11 was found in cache"])],
         ("Run mvn -B package", ["mvn -B package", "shell: /usr/bin/bash -e {0}"], [
             "[INFO] Scanning for projects...", "[INFO] Building orchestrator-sdk 1.4.0",
             "[INFO] --- compiler:3.13.0:compile (default-compile) @ orchestrator-sdk ---",
             "[INFO] Compiling 42 source files with javac [debug release 21] to target/classes",
             "[INFO] -------------------------------------------------------------",
             "[ERROR] COMPILATION ERROR : ", "[INFO] -------------------------------------------------------------",
             "!![ERROR] /home/runner/work/mcp-project-orchestrator/mcp-project-orchestrator/sdk/src/main/java/io/sparesparrow/sdk/Dispatch.java:[57,24] cannot find symbol",
             "  symbol:   method withInputs(java.util.Map<java.lang.String,java.lang.String>)",
             "[INFO] 1 error", "[INFO] BUILD FAILURE",
             "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.13.0:compile (default-compile) on project orchestrator-sdk: Compilation failure"]))

scenario("build/gradle-dependency.log", MO, "android-companion (ubuntu-24.04)",
         [checkout(MO)],
         ("Run ./gradlew assembleRelease", ["./gradlew assembleRelease", "shell: /usr/bin/bash -e {0}"], [
             "Starting a Gradle Daemon (subsequent builds will be faster)", "> Task :app:preBuild UP-TO-DATE", "",
             "FAILURE: Build failed with an exception.", "", "* What went wrong:",
             "Execution failed for task ':app:compileReleaseKotlin'.",
             "!!> Could not resolve all files for configuration ':app:releaseCompileClasspath'.",
             "   > Could not find io.sparesparrow:orchestrator-sdk:1.4.0.", "", "BUILD FAILED in 41s"]))

scenario("build/typescript-error.log", MO, "web (ubuntu-24.04)",
         [checkout(MO), ("Run npm ci", ["npm ci", "shell: /usr/bin/bash -e {0}"], ["added 412 packages in 9s"])],
         ("Run npm run typecheck", ["npm run typecheck", "shell: /usr/bin/bash -e {0}"], [
             "> orchestrator-web@1.4.0 typecheck", "> tsc --noEmit", "",
             "!!src/dispatch.ts(41,17): error TS2339: Property 'releaseType' does not exist on type 'DispatchInputs'.",
             "npm ERR! code ELIFECYCLE", "npm ERR! errno 2"]), exit_code=2)

scenario("build/command-not-found.log", CB, "profiles (ubuntu-24.04)",
         [checkout(CB)],
         ("Run conan profile detect", ["conan profile detect", "shell: /usr/bin/bash -e {0}"], [
             "!!/home/runner/work/_temp/4c1d9e27-5f0b-4e8a-9a51-3f7e2b6c8d10.sh: line 1: conan: command not found"]), exit_code=127)

# --- test
scenario("test/go-test-fail.log", MO, "test (ubuntu-24.04)",
         [checkout(MO)],
         ("Run go test -race ./...", ["go test -race ./...", "shell: /usr/bin/bash -e {0}"],
          go_test_ok(["internal/graph", "internal/dispatch"]) + [
             "=== RUN   TestFailoverToSecondaryRemote", "--- PASS: TestFailoverToSecondaryRemote (0.01s)",
             "=== RUN   TestFanOut", "=== RUN   TestFanOut/all_domains",
             "    fanout_test.go:88: dispatched to 3 repositories, want 4",
             "!!--- FAIL: TestFanOut (0.02s)", "    --- FAIL: TestFanOut/all_domains (0.00s)",
             "FAIL", "FAIL\tgithub.com/sparesparrow/mcp-project-orchestrator/internal/fanout\t0.231s",
             "FAIL"]))

scenario("test/go-test-panic.log", MO, "test (ubuntu-24.04)",
         [checkout(MO)],
         ("Run go test ./...", ["go test ./...", "shell: /usr/bin/bash -e {0}"],
          go_test_ok(["internal/graph"]) + [
             "!!panic: runtime error: invalid memory address or nil pointer dereference [recovered]",
             "\tpanic: runtime error: invalid memory address or nil pointer dereference",
             "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6b2f4e]", "",
             "goroutine 23 [running]:", "testing.tRunner.func1.2({0x7a1c40, 0xa3d9e0})",
             "FAIL\tgithub.com/sparesparrow/mcp-project-orchestrator/internal/release\t0.044s"]))

scenario("test/pytest-failed.log", FP, "policy-tests (ubuntu-24.04)",
         [checkout(FP), setup_python(), pip_install(["pytest==8.3.3", "pyyaml==6.0.2"])],
         ("Run pytest -q", ["pytest -q", "shell: /usr/bin/bash -e {0}"], [
             "tests/test_policy.py::test_fail_closed_when_policy_missing PASSED",
             "tests/test_policy.py::test_rejects_md5 FAILED",
             "=================================== FAILURES ===================================",
             "_______________________________ test_rejects_md5 _______________________________",
             "    def test_rejects_md5():", ">       assert policy.allowed('md5') is False",
             "E       AssertionError: assert True is False", "",
             "tests/test_policy.py:41: AssertionError",
             "=========================== short test summary info ============================",
             "!!FAILED tests/test_policy.py::test_rejects_md5 - AssertionError: assert True is False",
             "========================= 1 failed, 41 passed in 3.21s ========================="]))

scenario("test/pytest-collection-error.log", OT, "python-tools (ubuntu-24.04)",
         [checkout(OT), setup_python(), pip_install(["pytest==8.3.3"])],
         ("Run pytest", ["pytest", "shell: /usr/bin/bash -e {0}"], [
             "============================= test session starts ==============================",
             "collected 12 items / 1 error", "",
             "==================================== ERRORS ====================================",
             "!!ERROR collecting tests/test_profiles.py",
             "ImportError while importing test module '/home/runner/work/openssl-tools/openssl-tools/tests/test_profiles.py'.",
             "E   ModuleNotFoundError: No module named 'conan.tools.microsoft'",
             "=========================== short test summary info ============================",
             "ERROR tests/test_profiles.py", "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!",
             "=============================== 1 error in 0.42s ==============================="]), exit_code=2)

scenario("test/jest-fail.log", MO, "web-tests (ubuntu-24.04)",
         [checkout(MO), ("Run npm ci", ["npm ci", "shell: /usr/bin/bash -e {0}"], ["added 812 packages in 18s"])],
         ("Run npm test -- --ci", ["npm test -- --ci", "shell: /usr/bin/bash -e {0}"], [
             "> orchestrator-web@1.4.0 test", "> jest --ci", "",
             "PASS src/graph.test.ts", "  ✓ handles failure of one domain gracefully (4 ms)",
             "!!FAIL src/dispatch.test.ts (5.123 s)",
             "  ● Dispatch › fans out a release to every dependent domain", "",
             "    expect(received).toHaveLength(expected)", "    Expected length: 4", "    Received length: 3", "",
             "Test Suites: 1 failed, 7 passed, 8 total", "Tests:       1 failed, 63 passed, 64 total",
             "npm ERR! code ELIFECYCLE"]))

scenario("test/jest-summary-only.log", MO, "web-tests (ubuntu-24.04)",
         [checkout(MO)],
         ("Run npx jest --ci --silent", ["npx jest --ci --silent", "shell: /usr/bin/bash -e {0}"], [
             "  ✓ renders the dashboard (31 ms)", "  ✕ shows the failure banner (12 ms)",
             "Test Suites: 1 failed, 3 passed, 4 total",
             "!!Tests:       2 failed, 30 passed, 32 total", "Snapshots:   0 total", "Time:        4.512 s"]))

scenario("test/ctest-failed.log", OT, "test (ubuntu-24.04)",
         [checkout(OT), cmake_configure()],
         ("Run ctest --test-dir build --output-on-failure", ["ctest --test-dir build --output-on-failure", "shell: /usr/bin/bash -e {0}"], [
             "Test project /home/runner/work/openssl-tools/openssl-tools/build",
             "      Start  1: test_digest", " 1/12 Test  #1: test_digest ......................   Passed    0.02 sec",
             "      Start  2: test_failover", " 2/12 Test  #2: test_failover ....................   Passed    0.11 sec",
             "      Start  3: test_evp_cipher",
             "!! 3/12 Test  #3: test_evp_cipher ..................***Failed    0.05 sec",
             "expected 32 bytes of output, got 0",
             "92% tests passed, 1 tests failed out of 12", "", "Total Test time (real) =   1.04 sec", "",
             "The following tests FAILED:", "\t  3 - test_evp_cipher (Failed)", "Errors while running CTest"]), exit_code=8)

scenario("test/surefire-failure.log", MO, "java-sdk (ubuntu-24.04)",
         [checkout(MO)],
         ("Run mvn -B verify", ["mvn -B verify", "shell: /usr/bin/bash -e {0}"], [
             "[INFO] -------------------------------------------------------",
             "[INFO]  T E S T S", "[INFO] -------------------------------------------------------",
             "[INFO] Running io.sparesparrow.sdk.FailureHandlingTest",
             "[INFO] Tests run: 6, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.08 s -- in io.sparesparrow.sdk.FailureHandlingTest",
             "[INFO] Running io.sparesparrow.sdk.DispatchTest",
             "!![ERROR] Tests run: 5, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.12 s <<< FAILURE! -- in io.sparesparrow.sdk.DispatchTest",
             "[ERROR] io.sparesparrow.sdk.DispatchTest.sendsReleaseType -- Time elapsed: 0.01 s <<< FAILURE!",
             "org.opentest4j.AssertionFailedError: expected: <domain> but was: <tooling>",
             "[ERROR] Failures: ", "[ERROR]   DispatchTest.sendsReleaseType:44 expected: <domain> but was: <tooling>",
             "[ERROR] Tests run: 11, Failures: 1, Errors: 0, Skipped: 0",
             "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.5.2:test (default-test) on project orchestrator-sdk: There are test failures."]))

scenario("test/gradle-tests.log", MO, "android-companion (ubuntu-24.04)",
         [checkout(MO)],
         ("Run ./gradlew test", ["./gradlew test", "shell: /usr/bin/bash -e {0}"], [
             "> Task :app:compileDebugKotlin", "> Task :app:testDebugUnitTest", "",
             "!!PolicyServiceTest > rejectsWeakCipher() FAILED",
             "    java.lang.AssertionError at PolicyServiceTest.kt:37", "", "42 tests completed, 1 failed", "",
             "> Task :app:testDebugUnitTest FAILED", "", "FAILURE: Build failed with an exception.", "",
             "* What went wrong:", "Execution failed for task ':app:testDebugUnitTest'.",
             "> There were failing tests. See the report at: file:///home/runner/work/mcp-project-orchestrator/mcp-project-orchestrator/app/build/reports/tests/testDebugUnitTest/index.html",
             "BUILD FAILED in 1m 12s"]))

scenario("test/rust-test.log", OT, "rust-helpers (ubuntu-24.04)",
         [checkout(OT)],
         ("Run cargo test --locked", ["cargo test --locked", "shell: /usr/bin/bash -e {0}"], [
             "   Compiling fips-check v0.3.0 (/home/runner/work/openssl-tools/openssl-tools/fips-check)",
             "    Finished `test` profile [unoptimized + debuginfo] target(s) in 9.41s",
             "     Running unittests src/main.rs (target/debug/deps/fips_check-3c9d1e2f4a5b6c7d)",
             "running 8 tests", "test tests::parses_manifest ... FAILED", "test tests::rejects_md5 ... ok",
             "", "failures:", "", "---- tests::parses_manifest stdout ----",
             "!!thread 'tests::parses_manifest' panicked at src/main.rs:88:9:",
             "assertion `left == right` failed", "  left: 2", " right: 3", "",
             "test result: FAILED. 7 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s",
             "error: test failed, to rerun pass `--bin fips-check`"]), exit_code=101)

scenario("test/ctest-summary.log", CB, "test (ubuntu-24.04)",
         [checkout(CB)],
         ("Run ctest --test-dir build", ["ctest --test-dir build", "shell: /usr/bin/bash -e {0}"], [
             "Test project /home/runner/work/openssl-conan-base/openssl-conan-base/build",
             "    Start 1: profile_matrix", "1/2 Test #1: profile_matrix ...................   Passed    0.21 sec",
             "    Start 2: package_layout",
             "!!2/2 Test #2: package_layout ...................***Exception: SegFault  0.01 sec",
             "50% tests passed, 1 tests failed out of 2", "The following tests FAILED:", "\t  2 - package_layout (SEGFAULT)"]), exit_code=8)

# --- deployment
def docker_build_ok(image):
    return ("Run docker/build-push-action@v6", ["with:", "  context: .", "  push: true", f"  tags: {image}"], [
        "#0 building with \"builder-3f2c\" instance using docker-container driver",
        "#1 [internal] load build definition from Dockerfile", "#1 transferring dockerfile: 1.21kB done", "#1 DONE 0.0s",
        "#8 [build 4/5] RUN CGO_ENABLED=0 go build -trimpath -o /out/orchestrator ./cmd/orchestrator", "#8 DONE 41.2s",
        "#10 exporting to image", "#10 exporting layers 0.4s done",
        "#10 writing image sha256:4b2d7e1f0a9c8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d done"])

scenario("deployment/ghcr-permission-denied.log", MO, "publish-image (ubuntu-24.04)",
         [checkout(MO)],
         ("Run docker push ghcr.io/sparesparrow/mcp-project-orchestrator:1.4.0", [
             "docker push ghcr.io/sparesparrow/mcp-project-orchestrator:1.4.0", "shell: /usr/bin/bash -e {0}"], [
             "The push refers to repository [ghcr.io/sparesparrow/mcp-project-orchestrator]",
             "5f70bf18a086: Preparing", "a3ed95caeb02: Preparing", "9c27e219663c: Waiting",
             "!!denied: permission_denied: write_package"]))

scenario("deployment/dockerhub-denied.log", MO, "publish-dockerhub (ubuntu-24.04)",
         [checkout(MO)],
         ("Run docker push sparesparrow/orchestrator:1.4.0", ["docker push sparesparrow/orchestrator:1.4.0", "shell: /usr/bin/bash -e {0}"], [
             "The push refers to repository [docker.io/sparesparrow/orchestrator]",
             "5f70bf18a086: Preparing", "a3ed95caeb02: Preparing",
             "!!denied: requested access to the resource is denied"]))

scenario("deployment/buildx-push-403.log", MO, "release (ubuntu-24.04)",
         [checkout(MO)],
         ("Run docker/build-push-action@v6", ["with:", "  context: .", "  push: true", "  tags: ghcr.io/sparesparrow/mcp-project-orchestrator:1.4.0"], [
             "#0 building with \"builder-3f2c\" instance using docker-container driver",
             "#8 [build 4/5] RUN CGO_ENABLED=0 go build -trimpath -o /out/orchestrator ./cmd/orchestrator", "#8 DONE 41.2s",
             "#10 exporting to image", "#10 pushing layers 0.3s done",
             "!!ERROR: failed to push ghcr.io/sparesparrow/mcp-project-orchestrator:1.4.0: unexpected status from POST request to https://ghcr.io/v2/sparesparrow/mcp-project-orchestrator/blobs/uploads/: 403 Forbidden",
             "##[error]buildx failed with: ERROR: failed to push ghcr.io/sparesparrow/mcp-project-orchestrator:1.4.0: unexpected status from POST request to https://ghcr.io/v2/sparesparrow/mcp-project-orchestrator/blobs/uploads/: 403 Forbidden"]),
         ending="none", actions=("actions/checkout@v4", "docker/build-push-action@v6"))

scenario("deployment/unauthorized-auth-required.log", OT, "publish-builder-image (ubuntu-24.04)",
         [checkout(OT)],
         ("Run docker push quay.io/sparesparrow/openssl-builder:3.2.1", ["docker push quay.io/sparesparrow/openssl-builder:3.2.1", "shell: /usr/bin/bash -e {0}"], [
             "The push refers to repository [quay.io/sparesparrow/openssl-builder]", "0b9c3e1d2f4a: Preparing",
             "!!unauthorized: authentication required"]))

scenario("deployment/image-pull-backoff.log", MO, "deploy-staging (ubuntu-24.04)",
         [checkout(MO)],
         ("Run kubectl rollout status deploy/orchestrator -n staging --timeout=120s", [
             "kubectl apply -f deploy/staging.yaml", "kubectl rollout status deploy/orchestrator -n staging --timeout=120s",
             "kubectl get pods -n staging", "shell: /usr/bin/bash -e {0}"], [
             "deployment.apps/orchestrator configured", "service/orchestrator unchanged",
             "Waiting for deployment \"orchestrator\" rollout to finish: 1 old replicas are pending termination...",
             "NAME                            READY   STATUS             RESTARTS   AGE",
             "orchestrator-5d9c7f8b6d-2xk4p   1/1     Running            0          3d",
             "!!orchestrator-7f6b9c4d8e-q8z2m   0/1     ImagePullBackOff   0          2m1s",
             "error: deployment \"orchestrator\" exceeded its progress deadline"]))

scenario("deployment/crashloop.log", MO, "deploy-prod (ubuntu-24.04)",
         [checkout(MO)],
         ("Run kubectl get pods -n prod -l app=orchestrator", ["kubectl get pods -n prod -l app=orchestrator", "shell: /usr/bin/bash -e {0}"], [
             "NAME                            READY   STATUS             RESTARTS      AGE",
             "!!orchestrator-6c8d9e7f5b-m4n7p   0/1     CrashLoopBackOff   5 (31s ago)   4m12s",
             "pod is not ready after 240s"]))

scenario("deployment/helm-upgrade-failed.log", MO, "deploy-prod (ubuntu-24.04)",
         [checkout(MO)],
         ("Run helm upgrade --install orchestrator ./chart -n prod --wait --timeout 5m", [
             "helm upgrade --install orchestrator ./chart -n prod --wait --timeout 5m", "shell: /usr/bin/bash -e {0}"], [
             "Release \"orchestrator\" does not exist. Installing it now.",
             "!!Error: INSTALLATION FAILED: cannot re-use a name that is still in use"]))

scenario("deployment/helm-timeout.log", MO, "deploy-staging (ubuntu-24.04)",
         [checkout(MO)],
         ("Run helm upgrade orchestrator ./chart -n staging --wait", ["helm upgrade orchestrator ./chart -n staging --wait",
                                                                     "shell: /usr/bin/bash -e {0}"], [
             "!!Error: UPGRADE FAILED: timed out waiting for the condition"]))

scenario("deployment/helm-chart-not-found.log", MO, "deploy-preview (ubuntu-24.04)",
         [checkout(MO)],
         ("Run helm install preview sparesparrow/orchestrator --version 9.9.9", [
             "helm repo add sparesparrow https://sparesparrow.github.io/charts", "helm install preview sparesparrow/orchestrator --version 9.9.9",
             "shell: /usr/bin/bash -e {0}"], [
             "\"sparesparrow\" has been added to your repositories",
             "!!Error: chart \"orchestrator\" matching 9.9.9 not found in sparesparrow index. (try 'helm repo update'): no chart version found for orchestrator-9.9.9"]))

scenario("deployment/kubectl-unauthorized.log", MO, "deploy-staging (ubuntu-24.04)",
         [checkout(MO)],
         ("Run kubectl apply -f deploy/staging.yaml", ["kubectl apply -f deploy/staging.yaml", "shell: /usr/bin/bash -e {0}"], [
             "!!error: You must be logged in to the server (Unauthorized)"]))

scenario("deployment/rollout-deadline.log", MO, "deploy-staging (ubuntu-24.04)",
         [checkout(MO)],
         ("Run kubectl rollout status deploy/orchestrator -n staging", ["kubectl rollout status deploy/orchestrator -n staging",
                                                                       "shell: /usr/bin/bash -e {0}"], [
             "Waiting for deployment \"orchestrator\" rollout to finish: 0 of 2 updated replicas are available...",
             "!!error: deployment \"orchestrator\" exceeded its progress deadline"]))

# --- infrastructure
scenario("infrastructure/dns-git-clone.log", OT, "build (ubuntu-24.04)",
         [checkout(OT)],
         ("Run git clone --depth 1 https://github.com/openssl/openssl.git", [
             "git clone --depth 1 --branch openssl-3.2.1 https://github.com/openssl/openssl.git", "shell: /usr/bin/bash -e {0}"], [
             "Cloning into 'openssl'...",
             "!!fatal: unable to access 'https://github.com/openssl/openssl.git/': Could not resolve host: github.com"]), exit_code=128)

scenario("infrastructure/conan-remote-max-retries.log", CB, "profiles (ubuntu-24.04)",
         [checkout(CB), setup_python(), conan_setup()],
         ("Run conan install . --build=missing -r sparesparrow", ["conan install . --build=missing -r sparesparrow", "shell: /usr/bin/bash -e {0}"], [
             "======== Computing dependency graph ========",
             "openssl/3.2.1: Not found in local cache, looking in remotes...", "openssl/3.2.1: Checking remote: sparesparrow",
             "!!ERROR: HTTPSConnectionPool(host='conan.cloudsmith.io', port=443): Max retries exceeded with url: /sparesparrow/openssl/v2/conans/openssl/3.2.1/_/_/revisions/latest (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f3a9c2e1d90>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution'))",
             "Unable to connect to remote sparesparrow=https://conan.cloudsmith.io/sparesparrow/openssl/"]))

scenario("infrastructure/go-proxy-dns.log", MO, "build (ubuntu-24.04)",
         [checkout(MO)],
         ("Run go mod download", ["go mod download", "shell: /usr/bin/bash -e {0}"], [
             "!!go: github.com/google/go-github/v62@v62.0.0: Get \"https://proxy.golang.org/github.com/google/go-github/v62/@v/v62.0.0.mod\": dial tcp: lookup proxy.golang.org on 127.0.0.53:53: server misbehaving"]))

scenario("infrastructure/disk-full-compile.log", OT, "build-all (ubuntu-24.04)",
         [checkout(OT), setup_python(), conan_setup(), conan_install_ok(["zlib/1.3.1", "openssl/3.2.1"]), cmake_configure()],
         ("Run cmake --build build -j4", ["cmake --build build -j4", "shell: /usr/bin/bash -e {0}"],
          build_progress(["main", "provider_loader", "digest"]) + [
             "!!cc1plus: fatal error: error writing to /tmp/ccQ2v9Xa.s: No space left on device",
             "compilation terminated.",
             "gmake[2]: *** [src/CMakeFiles/ostools.dir/build.make:146: src/CMakeFiles/ostools.dir/digest.cpp.o] Error 1"]), exit_code=2)

scenario("infrastructure/runner-disk-space.log", OT, "nightly-matrix (ubuntu-24.04)",
         [checkout(OT)],
         ("Run docker build -t openssl-builder .", ["docker build -t openssl-builder .", "shell: /usr/bin/bash -e {0}"], [
             "#5 [2/6] RUN apt-get update && apt-get install -y build-essential perl",
             "#5 41.22 Unpacking gcc-13 (13.2.0-23ubuntu4) ...",
             "!!#5 44.90 E: Write error - write (28: No space left on device)",
             "You are running out of disk space. The runner will stop working when the machine runs out of disk space. Free space left: 12 MB",
             "ERROR: failed to solve: process \"/bin/sh -c apt-get update && apt-get install -y build-essential perl\" did not complete successfully: exit code: 100"]))

scenario("infrastructure/oom-cc1plus.log", OT, "build (ubuntu-24.04, gcc-13)",
         [checkout(OT), setup_python(), conan_setup(), conan_install_ok(["openssl/3.2.1"]), cmake_configure()],
         ("Run cmake --build build -j16", ["cmake --build build -j16", "shell: /usr/bin/bash -e {0}"],
          build_progress(["main", "provider_loader", "digest", "cipher_table", "report", "templates_heavy"]) + [
             "!!c++: fatal error: Killed signal terminated program cc1plus",
             "compilation terminated.",
             "gmake[2]: *** [src/CMakeFiles/ostools.dir/build.make:188: src/CMakeFiles/ostools.dir/templates_heavy.cpp.o] Error 1",
             "gmake[1]: *** [CMakeFiles/Makefile2:98: src/CMakeFiles/ostools.dir/all] Error 2"]), exit_code=2)

scenario("infrastructure/oom-node-heap.log", MO, "dashboard (ubuntu-24.04)",
         [checkout(MO)],
         ("Run npm run build", ["npm run build", "shell: /usr/bin/bash -e {0}"], [
             "> dashboard@1.4.0 build", "> vite build", "vite v5.4.11 building for production...", "transforming (2841) src/charts/index.ts",
             "<--- Last few GCs --->", "[2114:0x6b1e4c0]    91234 ms: Mark-Compact 2031.2 (2083.4) -> 2030.1 (2083.9) MB, 1702.33 / 0.00 ms  (average mu = 0.112, current mu = 0.004) allocation failure",
             "!!FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
             " 1: 0xb8ced1 node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]",
             "Aborted (core dumped)"]), exit_code=134)

scenario("infrastructure/oom-exit-137.log", OT, "rust-helpers (ubuntu-24.04)",
         [checkout(OT)],
         ("Run cargo build --release", ["cargo build --release", "shell: /usr/bin/bash -e {0}"], [
             "   Compiling openssl-sys v0.9.104", "   Compiling fips-check v0.3.0 (/home/runner/work/openssl-tools/openssl-tools/fips-check)",
             "error: could not compile `fips-check` (bin \"fips-check\"); 1 warning emitted", "", "Caused by:",
             "!!  process didn't exit successfully: `rustc --crate-name fips_check --edition=2021 src/main.rs` (signal: 9, SIGKILL: kill)"]), exit_code=137)

scenario("infrastructure/github-api-rate-limit.log", MO, "ecosystem-monitor",
         [checkout(MO)],
         ("Run ./bin/monitor --domains \"$DOMAINS\"", ["./bin/monitor --domains \"$DOMAINS\"", "shell: /usr/bin/bash -e {0}",
                                                      "env:", "  DOMAINS: openssl-tools,openssl-conan-base"], [
             "listing workflow runs for sparesparrow/openssl-tools (page 1)",
             "listing workflow runs for sparesparrow/openssl-tools (page 2)",
             "!!##[error]API rate limit exceeded for installation ID 41234567. (But here's the good news: Authenticated requests get a higher rate limit.)"]),
         ending="none")

scenario("infrastructure/dockerhub-pull-rate.log", OT, "builder-image (ubuntu-24.04)",
         [checkout(OT)],
         ("Run docker pull ubuntu:24.04", ["docker pull ubuntu:24.04", "shell: /usr/bin/bash -e {0}"], [
             "!!Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"]))

scenario("infrastructure/runner-shutdown.log", FP, "fips-validation (self-hosted, fips)",
         [checkout(FP), fips_build()],
         ("Run ./scripts/long-validation.sh", ["./scripts/long-validation.sh", "shell: /usr/bin/bash -e {0}"], [
             "validation round 1/20 ok", "validation round 2/20 ok",
             "!!##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.",
             "##[error]The operation was canceled."]), ending="none")

scenario("infrastructure/runner-lost-communication.log", OT, "nightly (self-hosted, arm64)", [checkout(OT)],
         None, ending=["!!##[error]The self-hosted runner: arm64-builder-02 lost communication with the server. Verify the machine is running and has a healthy network connection. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error."])

# --- none (green logs with traps)
scenario("none/cpp-werror-zero-errors.log", OT, "build (ubuntu-24.04, gcc-13)",
         [checkout(OT), setup_python(), conan_setup(), conan_install_ok(["zlib/1.3.1", "openssl/3.2.1"]), cmake_configure(),
          ("Run cmake --build build -j4", ["cmake --build build -j4", "shell: /usr/bin/bash -e {0}"],
           build_progress(["main", "error_handler", "fail_fast", "digest"]) + [
               "/home/runner/work/openssl-tools/openssl-tools/src/digest.cpp:31:12: warning: unused parameter 'len' [-Wunused-parameter]",
               "[100%] Linking CXX executable ostools", "[100%] Built target ostools",
               "Build finished: 0 errors, 1 warning"]),
          ("Run ctest --test-dir build", ["ctest --test-dir build", "shell: /usr/bin/bash -e {0}"], [
              " 1/3 Test  #1: test_error_paths .................   Passed    0.02 sec",
              " 2/3 Test  #2: test_failover ....................   Passed    0.11 sec",
              " 3/3 Test  #3: test_fail_closed .................   Passed    0.03 sec",
              "100% tests passed, 0 tests failed out of 3"])])

scenario("none/go-test-failover-names.log", MO, "test (ubuntu-24.04)",
         [checkout(MO),
          ("Run go test -v ./internal/...", ["go test -v ./internal/...", "shell: /usr/bin/bash -e {0}"], [
              "=== RUN   TestFailover", "--- PASS: TestFailover (0.01s)",
              "=== RUN   TestFailFastOnMissingDomain", "--- PASS: TestFailFastOnMissingDomain (0.00s)",
              "=== RUN   TestErrorsAreWrapped", "    errors_test.go:31: got expected error: failed to dispatch: 422 Unprocessable Entity",
              "--- PASS: TestErrorsAreWrapped (0.00s)", "PASS"] + go_test_ok(["internal/fanout", "internal/graph", "internal/release"]))])

scenario("none/pytest-fail-names.log", FP, "policy-tests (ubuntu-24.04)",
         [checkout(FP), setup_python(), pip_install(["pytest==8.3.3"]),
          ("Run pytest -v", ["pytest -v", "shell: /usr/bin/bash -e {0}"], [
              "tests/test_policy.py::test_fail_closed_when_policy_missing PASSED                [ 25%]",
              "tests/test_policy.py::test_error_message_names_algorithm PASSED               [ 50%]",
              "tests/test_policy.py::test_failed_login_is_logged PASSED                      [ 75%]",
              "tests/test_policy.py::test_rejects_md5 PASSED                                 [100%]",
              "============================== 4 passed in 0.31s ==============================="])])

scenario("none/jest-failure-words.log", MO, "web-tests (ubuntu-24.04)",
         [checkout(MO),
          ("Run npm test -- --ci", ["npm test -- --ci", "shell: /usr/bin/bash -e {0}"], [
              "PASS src/dispatch.test.ts", "  ✓ reports a failed domain without failing the fan-out (5 ms)",
              "  ✓ retries on error 502 from the API (12 ms)", "PASS src/errors.test.ts",
              "Test Suites: 2 passed, 2 total", "Tests:       14 passed, 14 total", "Snapshots:   0 total"])])

scenario("none/maven-zero-failures.log", MO, "java-sdk (ubuntu-24.04)",
         [checkout(MO),
          ("Run mvn -B verify", ["mvn -B verify", "shell: /usr/bin/bash -e {0}"], [
              "[INFO] Running io.sparesparrow.sdk.FailureHandlingTest",
              "[INFO] Tests run: 6, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.08 s -- in io.sparesparrow.sdk.FailureHandlingTest",
              "[INFO] Results:", "[INFO] Tests run: 42, Failures: 0, Errors: 0, Skipped: 1",
              "[WARNING] Tests run: 42, Failures: 0, Errors: 0, Skipped: 1",
              "[INFO] BUILD SUCCESS", "[INFO] Total time:  21.345 s"])])

scenario("none/conan-build-missing-ok.log", CB, "profiles (ubuntu-24.04)",
         [checkout(CB), setup_python(), conan_setup(),
          conan_install_ok(["zlib/1.3.1", "openssl/3.2.1"]),
          ("Run conan create . --build=missing", ["conan create . --build=missing", "shell: /usr/bin/bash -e {0}"], [
              "openssl/3.2.1: Building from source", "openssl/3.2.1: Calling build()",
              "openssl/3.2.1: Running: perl ./Configure no-fips-post --prefix=/", 
              "openssl/3.2.1: Package '9a4eb3c8701508aa9458b1a73d0633783ecc2270' built",
              "openssl/3.2.1: Build folder /home/runner/.conan2/p/b/opensd2c3e4f5a6b7/b",
              "openssl-base/2.1.0: Package 'e0f6a3c1b9d8c7e6f5a4b3c2d1e0f9a8b7c6d5e4' created"])])

scenario("none/fips-validation-passed.log", FP, "fips-validation (ubuntu-24.04)",
         [checkout(FP), fips_build(),
          ("Run openssl fipsinstall -verify -in fipsmodule.cnf -module fips.so", [
              "openssl fipsinstall -verify -in /opt/openssl/ssl/fipsmodule.cnf -module /opt/openssl/lib64/ossl-modules/fips.so",
              "shell: /usr/bin/bash -e {0}"], [
              "HMAC : (Module_Integrity) : Pass", "SHA2 : (KAT_Digest) : Pass", "AES_GCM : (KAT_Cipher) : Pass",
              "VERIFY PASSED", "FIPS self-tests: 0 failed, 14 passed", "Self-test failures: none",
              "checking that md5 is refused: refused as expected (error expected here)"])])

scenario("none/webpack-legacy-provider-ok.log", MO, "dashboard (ubuntu-24.04)",
         [checkout(MO),
          ("Run npm ci", ["npm ci", "shell: /usr/bin/bash -e {0}"], [
              "npm WARN deprecated svgo@1.3.2: This SVGO version is no longer supported. Upgrade to v2.x.x.",
              "added 1532 packages, and audited 1533 packages in 38s", "found 0 vulnerabilities"]),
          ("Run npm run build", ["npm run build", "shell: /usr/bin/bash -e {0}", "env:", "  NODE_OPTIONS: --openssl-legacy-provider"], [
              "> dashboard@1.4.0 build", "> react-scripts build", "Creating an optimized production build...",
              "Compiled successfully.", "File sizes after gzip:", "  52.13 kB  build/static/js/main.4f2c1e9a.js"])])

scenario("none/deploy-rollout-ok.log", MO, "deploy-staging (ubuntu-24.04)",
         [checkout(MO),
          ("Run helm upgrade --install orchestrator ./chart -n staging --wait", [
              "helm upgrade --install orchestrator ./chart -n staging --wait", "shell: /usr/bin/bash -e {0}"], [
              "Release \"orchestrator\" has been upgraded. Happy Helming!", "NAME: orchestrator", "STATUS: deployed", "REVISION: 42"]),
          ("Run kubectl rollout status deploy/orchestrator -n staging", ["kubectl rollout status deploy/orchestrator -n staging",
                                                                       "shell: /usr/bin/bash -e {0}"], [
              "Waiting for deployment \"orchestrator\" rollout to finish: 1 of 2 updated replicas are available...",
              "deployment \"orchestrator\" successfully rolled out",
              "orchestrator-7f6b9c4d8e-q8z2m   1/1     Running   0          41s"])])

scenario("none/script-echo-traps.log", OT, "report-failure",
         [checkout(OT),
          ("Run if grep -q \"Resource not accessible by integration\" out.log; then", [
              "if grep -q \"Resource not accessible by integration\" out.log; then",
              "  echo \"::error::missing permission\"", "fi",
              "grep -c 'No space left on device' build.log || true",
              "echo 'ERROR: Missing prebuilt package for' > /dev/null",
              "shell: /usr/bin/bash -e {0}"], [
              "0", "no permission problems found"]),
          ("Run rustup show && cargo test", ["rustup show && cargo test", "shell: /usr/bin/bash -e {0}"], [
              "running 12 tests", "test tests::fails_on_bad_manifest ... ok",
              "test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.02s"])])

scenario("none/network-retry-ok.log", CB, "profiles (ubuntu-24.04)",
         [checkout(CB),
          ("Run curl --retry 3 -fsSLO https://mirror.example.org/openssl-3.2.1.tar.gz", [
              "curl --retry 3 -fsSLO https://mirror.example.org/openssl-3.2.1.tar.gz", "shell: /usr/bin/bash -e {0}"], [
              "curl: (6) Could not resolve host: mirror.example.org; retrying in 1s (1/3)",
              "Warning: Problem : timeout. Will retry in 1 seconds. 3 retries left.",
              "openssl-3.2.1.tar.gz: OK", "sha256 verified"])])

# Expected rule per failing log (the author's label, checked by hand).
RULES = {
    "build/cargo-e0425.log": "build.cargo",
    "build/clang-werror-unused.log": "build.compiler_error",
    "build/cmake-find-package.log": "build.cmake_error",
    "build/command-not-found.log": "build.command_not_found",
    "build/gcc-missing-header.log": "build.compiler_error",
    "build/go-undefined.log": "build.go_compile",
    "build/gradle-dependency.log": "build.gradle_dependency",
    "build/linker-undefined-reference.log": "build.linker_error",
    "build/maven-compile.log": "build.maven_compile",
    "build/npm-eresolve.log": "build.npm_install",
    "build/typescript-error.log": "build.typescript",
    "build/webpack-openssl-legacy.log": "build.node_openssl_legacy",
    "conan/conan1-conflict.log": "conan.version_conflict",
    "conan/conan1-missing-binary.log": "conan.missing_prebuilt_package",
    "conan/conan1-recipe-not-found.log": "conan.recipe_not_found",
    "conan/conan1-remote-auth.log": "conan.remote_auth",
    "conan/conan2-invalid-setting.log": "conan.invalid_configuration",
    "conan/conan2-missing-prebuilt-openssl.log": "conan.missing_prebuilt_package",
    "conan/conan2-missing-prebuilt-zlib-base.log": "conan.missing_prebuilt_package",
    "conan/conan2-profile-not-found.log": "conan.profile_not_found",
    "conan/conan2-recipe-not-found.log": "conan.recipe_not_found",
    "conan/conan2-remote-auth.log": "conan.remote_auth",
    "conan/conan2-remote-not-found.log": "conan.remote_not_found",
    "conan/conan2-version-conflict.log": "conan.version_conflict",
    "deployment/buildx-push-403.log": "deployment.registry_push_denied",
    "deployment/crashloop.log": "deployment.crash_loop",
    "deployment/dockerhub-denied.log": "deployment.registry_push_denied",
    "deployment/ghcr-permission-denied.log": "deployment.registry_push_denied",
    "deployment/helm-chart-not-found.log": "deployment.helm",
    "deployment/helm-timeout.log": "deployment.helm",
    "deployment/helm-upgrade-failed.log": "deployment.helm",
    "deployment/image-pull-backoff.log": "deployment.image_pull_backoff",
    "deployment/kubectl-unauthorized.log": "deployment.kubectl_auth",
    "deployment/rollout-deadline.log": "deployment.rollout_timeout",
    "deployment/unauthorized-auth-required.log": "deployment.registry_push_denied",
    "fips/algorithm-disabled-python.log": "fips.algorithm_disabled",
    "fips/algorithm-fips-yes-properties.log": "fips.algorithm_disabled",
    "fips/digital-envelope-with-fips-context.log": "fips.digital_envelope_unsupported",
    "fips/fipsinstall-failed.log": "fips.install_failed",
    "fips/fipsinstall-verify-failed.log": "fips.install_failed",
    "fips/provider-init-name-fips.log": "fips.provider_unavailable",
    "fips/provider-not-available-cryptography.log": "fips.provider_unavailable",
    "fips/provider-unable-to-load.log": "fips.provider_unavailable",
    "fips/self-test-error-state.log": "fips.self_test_failure",
    "fips/self-test-kat-failed.log": "fips.self_test_failure",
    "fips/unsupported-in-fips-mode.log": "fips.algorithm_disabled",
    "infrastructure/conan-remote-max-retries.log": "infrastructure.dns_network",
    "infrastructure/disk-full-compile.log": "infrastructure.disk_full",
    "infrastructure/dns-git-clone.log": "infrastructure.dns_network",
    "infrastructure/dockerhub-pull-rate.log": "infrastructure.rate_limit",
    "infrastructure/github-api-rate-limit.log": "infrastructure.rate_limit",
    "infrastructure/go-proxy-dns.log": "infrastructure.dns_network",
    "infrastructure/oom-cc1plus.log": "infrastructure.oom_killed",
    "infrastructure/oom-exit-137.log": "infrastructure.oom_killed",
    "infrastructure/oom-node-heap.log": "infrastructure.oom_killed",
    "infrastructure/runner-disk-space.log": "infrastructure.disk_full",
    "infrastructure/runner-lost-communication.log": "infrastructure.runner_lost",
    "infrastructure/runner-shutdown.log": "infrastructure.runner_lost",
    "test/ctest-failed.log": "test.ctest",
    "test/ctest-summary.log": "test.ctest",
    "test/go-test-fail.log": "test.go_test",
    "test/go-test-panic.log": "test.go_test",
    "test/gradle-tests.log": "test.gradle_tests",
    "test/jest-fail.log": "test.jest",
    "test/jest-summary-only.log": "test.jest",
    "test/pytest-collection-error.log": "test.pytest",
    "test/pytest-failed.log": "test.pytest",
    "test/rust-test.log": "test.rust",
    "test/surefire-failure.log": "test.surefire",
    "workflow/action-not-found.log": "workflow.action_not_found",
    "workflow/cancelled.log": "workflow.cancelled",
    "workflow/concurrency-cancelled.log": "workflow.concurrency_cancelled",
    "workflow/deprecated-download-artifact-v3.log": "workflow.deprecated_artifact_action",
    "workflow/deprecated-upload-artifact-v3.log": "workflow.deprecated_artifact_action",
    "workflow/git-push-denied.log": "workflow.resource_not_accessible",
    "workflow/invalid-called-workflow.log": "workflow.invalid_workflow",
    "workflow/invalid-workflow-file.log": "workflow.invalid_workflow",
    "workflow/job-timeout.log": "workflow.job_timeout",
    "workflow/missing-id-token-aws.log": "workflow.missing_id_token",
    "workflow/missing-id-token-gcp.log": "workflow.missing_id_token",
    "workflow/resource-not-accessible-gh-cli.log": "workflow.resource_not_accessible",
    "workflow/resource-not-accessible-github-script.log": "workflow.resource_not_accessible",
    "workflow/step-timeout.log": "workflow.step_timeout",
}

# ---------------------------------------------------------------- rendering

def render(sc, rng):
    t = datetime.datetime(2026, 11, 3, 2, 13, 0) + datetime.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 59))
    lines, label = [], None

    def emit(text):
        nonlocal t, label
        t += datetime.timedelta(microseconds=rng.randint(1000, 900000))
        if text.startswith("!!") and not text.startswith("!!!"):
            text = text[2:]
            label = len(lines) + 1
        for part in text.split("\n"):
            t += datetime.timedelta(microseconds=rng.randint(1, 900))
            ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}{rng.randint(0, 9)}Z"
            lines.append(f"{ts} {part}")

    perms = sc["perms"] or ("Contents: read", "Metadata: read")
    actions = sc["actions"] or ("actions/checkout@v4",)
    for _, _, out in preamble(sc["repo"], sc["job"], perms, actions):
        for l in out:
            emit(l)

    def step(title, script, out):
        emit("##[group]" + title)
        for s in script:
            emit(s)
        emit("##[endgroup]")
        for o in out:
            emit(o)

    for st in sc["steps"]:
        step(*st)
    if sc["fail"]:
        step(*sc["fail"])
    ending = sc["ending"]
    if isinstance(ending, list):
        for l in ending:
            emit(l)
    elif sc["fail"] and ending != "none":
        emit(f"##[error]Process completed with exit code {sc['exit_code']}.")
    for title, script, out in post(actions):
        emit(title)
        for o in out:
            emit(o)
    return lines, label


def main():
    rng = random.Random(42)
    random.seed(7)
    labels = []
    for sc in S:
        lines, label = render(sc, rng)
        path = os.path.join(OUT, sc["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", newline="") as f:
            f.write("\ufeff" + "\n".join(lines) + "\n")
        cat = sc["path"].split("/")[0]
        if cat == "none":
            assert label is None, sc["path"]
            labels.append((sc["path"], "none", "", 0, len(lines)))
        else:
            assert label is not None, sc["path"]
            labels.append((sc["path"], cat, RULES[sc["path"]], label, len(lines)))
        assert 40 <= len(lines) <= 200, (sc["path"], len(lines))
    with open(os.path.join(OUT, "labels.yaml"), "w") as f:
        f.write("# Labels of the fixer corpus: file -> category, rule id and root-cause line.\n")
        f.write("# Generated with the logs by ../gen_corpus.py from the scenario author's marks.\n")
        for p, c, r, l, n in labels:
            if c == "none":
                f.write(f"{p}: {{category: none}}\n")
            else:
                f.write(f"{p}: {{category: {c}, rule: {r}, line: {l}}}\n")


if __name__ == "__main__":
    main()
