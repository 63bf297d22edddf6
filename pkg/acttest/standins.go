package acttest

import (
	"path/filepath"
	"sort"
)

// StandIn maps one third-party action reference, exactly as the workflows
// pin it, to the local folder act uses instead (--local-repository).
type StandIn struct {
	// Repository and Ref are what `uses: owner/repo[/path]@ref` names: the
	// repository (without a sub-path) and the full commit SHA.
	Repository, Ref string
	// Version is the release the SHA belongs to (the workflows' # comment).
	Version string
	// Dir is the stand-in's folder relative to the repository root.
	Dir string
	// Does says what the stand-in does on the runner's disk.
	Does string
}

// Key returns "owner/repo@sha", the form act's --local-repository takes.
func (s StandIn) Key() string { return s.Repository + "@" + s.Ref }

// StandIns are the third-party actions the workflows use, each replaced
// offline by an action under testdata/act that runs the stand-in program
// (pkg/acttest/cmd/standin) and declares the inputs and outputs of the
// pinned release's action.yml. The repository's own actions are never here.
var StandIns = []StandIn{
	{"actions/cache", "27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5", "testdata/act/cache",
		"cache/restore and cache/save: tarballs under $ACT_STANDIN_DIR/cache, exact key then newest restore-keys prefix"},
	{"actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0", "testdata/act/upload-artifact",
		"zips the paths (least common ancestor root, hidden files left out) and uploads them to act's artifact server, v4 protocol"},
	{"actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1", "testdata/act/download-artifact",
		"lists and unzips artifacts from act's artifact server: name, pattern, merge-multiple; with github-token another run (the token must read the repository's artifacts on the API)"},
	{"actions/upload-pages-artifact", "fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0", "testdata/act/upload-pages-artifact",
		"tars the site and uploads it as github-pages with the upload-artifact stand-in, like the real composite action"},
	{"actions/configure-pages", "983d7736d9b0ae728b81ab479565c72886d7745b", "v5.0.0", "testdata/act/configure-pages",
		"reports the site URL"},
	{"actions/deploy-pages", "cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0", "testdata/act/deploy-pages",
		"unpacks the github-pages artifact into $ACT_STANDIN_DIR/pages"},
	{"cloudsmith-io/cloudsmith-cli-action", "ad73fafb92e3e29a5166c529464c2df7658a608e", "v3.1.0", "testdata/act/cloudsmith-cli-action",
		"exports the CLI's OIDC or API-key settings and puts a cloudsmith command on PATH that records pushes under $ACT_STANDIN_DIR/cloudsmith"},
	{"actions/create-github-app-token", "1b10c78c7865c340bc4f6099eb2f838309f1e8c3", "v3.1.1", "testdata/act/create-github-app-token",
		"mints an installation token from the API (App JWT, installation, access_tokens with the permission-* inputs); its post step revokes it"},
	{"actions/attest", "1e69f48acb82d1966a394da916b4c1698aa569d6", "v4.2.2", "testdata/act/attest",
		"checks the image's manifest in its registry by digest and records the (unsigned) SLSA provenance statement"},
}

// SkippedByAct are third-party actions act itself replaces: actions/checkout
// of the workflow's own repository is skipped because act already copied
// the working tree.
var SkippedByAct = map[string]string{
	"actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1": "v7.0.1",
}

// LocalRepositoryArgs returns act's --local-repository flags for StandIns,
// with folders made absolute under root, sorted.
func LocalRepositoryArgs(root string) []string {
	var args []string
	for _, s := range StandIns {
		args = append(args, "--local-repository", s.Key()+"="+filepath.Join(root, filepath.FromSlash(s.Dir)))
	}
	return args
}

// standInKeys returns the keys of StandIns and SkippedByAct, sorted.
func standInKeys() []string {
	var keys []string
	for _, s := range StandIns {
		keys = append(keys, s.Key())
	}
	for k := range SkippedByAct {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
