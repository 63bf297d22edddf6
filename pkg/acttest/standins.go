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

// StandIns are the third-party actions the end-to-end workflows use, each
// replaced offline by a composite action under testdata/act that runs
// testdata/act/standin. The repository's own actions are never here.
var StandIns = []StandIn{
	{"actions/cache", "0057852bfaa89a56745cba8c7296529d2fc39830", "v4.3.0", "testdata/act/cache",
		"cache/restore and cache/save: tarballs under $ACT_STANDIN_DIR/cache, exact key then newest restore-keys prefix"},
	{"actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2", "testdata/act/upload-artifact",
		"zips the paths (least common ancestor root) and uploads them to act's artifact server, v4 protocol"},
	{"actions/download-artifact", "d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0", "testdata/act/download-artifact",
		"lists and unzips artifacts from act's artifact server: name, pattern, merge-multiple, run-id (another run)"},
	{"actions/upload-pages-artifact", "56afc609e74202658d3ffba0e8f6dda462b719fa", "v3.0.1", "testdata/act/upload-pages-artifact",
		"tars the site and uploads it as github-pages with the upload-artifact stand-in, like the real composite action"},
	{"actions/configure-pages", "983d7736d9b0ae728b81ab479565c72886d7745b", "v5.0.0", "testdata/act/configure-pages",
		"reports the site URL"},
	{"actions/deploy-pages", "d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e", "v4.0.5", "testdata/act/deploy-pages",
		"unpacks the github-pages artifact into $ACT_STANDIN_DIR/pages"},
	{"cloudsmith-io/cloudsmith-cli-action", "9f83b495f6d999a23e686038a5a466ad597c988d", "v1", "testdata/act/cloudsmith-cli-action",
		"requires the OIDC inputs and puts a cloudsmith command on PATH that records pushes under $ACT_STANDIN_DIR/cloudsmith"},
}

// SkippedByAct are third-party actions act itself replaces: actions/checkout
// of the workflow's own repository is skipped because act already copied
// the working tree.
var SkippedByAct = map[string]string{
	"actions/checkout@34e114876b0b11c390a56381ad16ebd13914f8d5": "v4.3.1",
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
