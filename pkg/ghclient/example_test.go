package ghclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// A monitor-style read: every open issue of a repository, with the result
// marked partial (never empty-looking) when the rate limit stops it.
func ExampleListAll() {
	ctx := context.Background()
	c, err := ghclient.New(ghclient.Config{
		Token:           "token from the github_token input",
		APIURL:          "https://ghe.example.com/api/v3", // GITHUB_API_URL; "" for github.com
		Version:         "1.0.0",
		CacheDir:        ".ghcache", // carried between runs by actions/cache
		RateLimitPolicy: ghclient.PolicyStop,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	issues, err := ghclient.ListAll(ctx, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return c.Issues.ListByRepo(ctx, "sparesparrow", "cpy", &github.IssueListByRepoOptions{State: "open", ListOptions: opt})
	})
	var stop *ghclient.RateLimitStopError
	switch {
	case errors.As(err, &stop):
		fmt.Printf("partial: %d issues, the rest after %s\n", len(issues), stop.Reset.Format(time.RFC3339))
	case ghclient.IsNotFound(err), ghclient.IsForbidden(err):
		fmt.Printf("repository not readable (HTTP %d)\n", ghclient.StatusCode(err))
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println(len(issues), "open issues")
	}
	// Accounting for the report.
	_ = json.NewEncoder(os.Stdout).Encode(c.Stats())
}

func ExamplePruneCache() {
	// At the end of a run, before actions/cache saves the directory.
	if _, err := ghclient.PruneCache(".ghcache", 7*24*time.Hour); err != nil {
		fmt.Println(err)
	}
}
