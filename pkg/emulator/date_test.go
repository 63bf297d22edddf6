package emulator

import (
	"net/http"
	"testing"
	"time"
)

// TestDateHeaderFollowsTheClock: every answer's Date header is the
// server's clock (Options.Now), as GitHub's is its own: clients that sign
// time-bound credentials (App JWTs) correct their skew from it.
func TestDateHeaderFollowsTheClock(t *testing.T) {
	t.Parallel()
	ahead := time.Now().Add(4 * time.Hour).Truncate(time.Second).UTC()
	s := StartForTest(t, &Fixture{ReferenceTime: ahead}, Options{Now: func() time.Time { return ahead }})
	for _, path := range []string{"/rate_limit", "/repos/nobody/nothing"} {
		req, err := http.NewRequest(http.MethodGet, s.URL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", "date-test")
		res, err := HTTPClientForTest(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		got, err := http.ParseTime(res.Header.Get("Date"))
		if err != nil || !got.Equal(ahead) {
			t.Errorf("GET %s: Date %q (%v), want %s", path, res.Header.Get("Date"), err, ahead.Format(http.TimeFormat))
		}
	}
}
