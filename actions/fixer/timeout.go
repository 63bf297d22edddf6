package fixer

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
)

// jobLimit finds the limit a job ran into in the runner's message: "has
// exceeded the maximum execution time of 360 minutes" (older runners) or
// "… of 1h0m0s" (newer ones).
var jobLimit = regexp.MustCompile(`exceeded the maximum execution time of (?:(\d+) minutes|(\d+h)?(\d+m)?(\d+s)?)`)

// timeoutLimit returns the limit in minutes a timed-out job's root-cause
// line names, or 0.
func timeoutLimit(text string) int {
	m := jobLimit.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	if m[1] != "" {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	d, err := time.ParseDuration(m[2] + m[3] + m[4])
	if err != nil {
		return 0
	}
	return int(d.Round(time.Minute) / time.Minute)
}

// placeInStep puts a fetched job's root cause in the step the API names:
// the failed step, or the step that was running when a job timed out or
// was cancelled. The log's own group title is a guess (a message printed
// after a group closed belongs to the last group; "Run owner/action@v1"
// rather than the step's name), the API's step is the one the run page
// shows. A timed-out job's root cause also says which step was running
// when the limit hit.
func placeInStep(a *classify.Analysis, j JobRef) {
	rc := a.RootCause()
	if rc == nil || j.Step == "" {
		return
	}
	rc.Step = j.Step
	if j.Conclusion != "timed_out" {
		return
	}
	at := "its time limit"
	if n := timeoutLimit(rc.Text); n > 0 {
		at = fmt.Sprintf("its %d-minute limit", n)
	}
	rc.Suggestions = append([]string{fmt.Sprintf(
		"Step %q was running when the job hit %s: if it was still making progress, raise timeout-minutes or make it faster (a cache); if it hangs, give that step its own timeout-minutes.",
		j.Step, at)}, rc.Suggestions...)
}

// jobNameFromLog reads the job's name from the set-up section of a raw
// job log ("Complete job name: build (ubuntu-22.04)"), which GitHub prints
// before the first step; "" when the first lines do not have it.
func jobNameFromLog(lf classify.LogFile) string {
	f, err := lf.Open()
	if err != nil {
		return ""
	}
	defer f.Close()
	text, _, err := classify.DecodeLog(f)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(io.LimitReader(text, 256<<10))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for n := 0; sc.Scan() && n < 400; n++ {
		if _, name, ok := strings.Cut(sc.Text(), "Complete job name: "); ok {
			return strings.TrimSpace(name)
		}
	}
	return ""
}
