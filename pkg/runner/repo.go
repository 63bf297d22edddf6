package runner

import "github.com/sparesparrow/ecosystem-actions/pkg/ghname"

// Repo is a GitHub repository name: the one repository type of the
// project (pkg/ghname), parsed once here at the edge by Repos inputs.
type Repo = ghname.Repo

// RepoError is a malformed repository name (pkg/ghname).
type RepoError = ghname.RepoError

// ParseRepo parses "owner/name", or a bare "name" that takes defaultOwner
// (pkg/ghname ParseRepo).
func ParseRepo(s, defaultOwner string) (Repo, error) { return ghname.ParseRepo(s, defaultOwner) }
