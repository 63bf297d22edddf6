package ghclient

import "testing"

func TestGraphQLURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://api.github.com/":         "https://api.github.com/graphql",
		"https://ghe.example.com/api/v3/": "https://ghe.example.com/api/graphql",
		"http://127.0.0.1:8090/":          "http://127.0.0.1:8090/graphql",
		"http://127.0.0.1:8090/api/v3/":   "http://127.0.0.1:8090/api/graphql",
	} {
		u, err := ResolveAPIURL(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := GraphQLURL(u); got != want {
			t.Errorf("GraphQLURL(%s) = %s, want %s", in, got, want)
		}
	}
}
