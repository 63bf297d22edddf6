package emulator

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Fault kinds.
const (
	FaultInternalError      = "500"       // 500 {"message":"Server Error"}
	FaultBadGateway         = "502"       // 502 plain gateway error
	FaultServiceUnavailable = "503"       // 503 {"code","message","documentation_url"}
	FaultReset              = "reset"     // the connection is closed without a response
	FaultSlow               = "slow"      // the request is delayed by Delay, then served normally
	FaultSecondary          = "secondary" // 403 secondary rate limit with Retry-After: 1
	FaultRateLimit          = "ratelimit" // 403 primary rate limit, x-ratelimit-remaining: 0
	// FaultAppliedError serves the request (a write takes effect) and then
	// answers 500, as when GitHub commits a write but the answer is lost:
	// a client that retries a non-idempotent write doubles it.
	FaultAppliedError = "applied-500"
	// FaultAppliedReset serves the request (a write takes effect) and then
	// drops the connection without an answer.
	FaultAppliedReset = "applied-reset"
	// FaultAppliedBadGateway serves the request (a write takes effect) and
	// then answers 502 from the front end, as when the answer times out
	// between GitHub's application and its gateway: the 502 a client may
	// think "never reached the application".
	FaultAppliedBadGateway = "applied-502"
)

var faultKinds = []string{FaultInternalError, FaultBadGateway, FaultServiceUnavailable, FaultReset, FaultSlow, FaultSecondary, FaultRateLimit, FaultAppliedError, FaultAppliedReset, FaultAppliedBadGateway}

// Fault injects a failure into matching requests. A request matches when
// its method (if set) and path (prefix Path and/or regular expression
// PathRegex, matched against the path without the /api/v3 prefix) match.
// A matching request fails with probability Rate (from the server's seeded
// random source, so a test run is deterministic) or on every Every-th
// matching request. With neither set, every matching request fails.
// Limit, when positive, stops the fault after that many injections.
type Fault struct {
	Method    string        `json:"method,omitempty"`
	Path      string        `json:"path,omitempty"`
	PathRegex string        `json:"path_regex,omitempty"`
	Kind      string        `json:"kind"`
	Rate      float64       `json:"rate,omitempty"`
	Every     int           `json:"every,omitempty"`
	Delay     time.Duration `json:"-"`
	Limit     int           `json:"limit,omitempty"`
}

type faultJSON struct {
	Method    string  `json:"method,omitempty"`
	Path      string  `json:"path,omitempty"`
	PathRegex string  `json:"path_regex,omitempty"`
	Kind      string  `json:"kind"`
	Rate      float64 `json:"rate,omitempty"`
	Every     int     `json:"every,omitempty"`
	Delay     string  `json:"delay,omitempty"`
	Limit     int     `json:"limit,omitempty"`
}

// MarshalJSON writes Delay as a Go duration string ("250ms").
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Method: f.Method, Path: f.Path, PathRegex: f.PathRegex, Kind: f.Kind, Rate: f.Rate, Every: f.Every, Limit: f.Limit}
	if f.Delay > 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads Delay as a Go duration string.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Fault{Method: j.Method, Path: j.Path, PathRegex: j.PathRegex, Kind: j.Kind, Rate: j.Rate, Every: j.Every, Limit: j.Limit}
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil {
			return fmt.Errorf("invalid fault delay %q: %w", j.Delay, err)
		}
		f.Delay = d
	}
	return nil
}

// FaultError reports an invalid fault specification.
type FaultError struct {
	Spec   string
	Reason string
}

func (e *FaultError) Error() string { return fmt.Sprintf("invalid fault %q: %s", e.Spec, e.Reason) }

// Validate checks the kind, rate and regular expression.
func (f Fault) Validate() error {
	spec := f.Kind
	known := false
	for _, k := range faultKinds {
		known = known || k == f.Kind
	}
	if !known {
		return &FaultError{Spec: spec, Reason: fmt.Sprintf("unknown kind %q (allowed: %s)", f.Kind, strings.Join(faultKinds, ", "))}
	}
	if f.Rate < 0 || f.Rate > 1 {
		return &FaultError{Spec: spec, Reason: fmt.Sprintf("rate %v is outside 0..1", f.Rate)}
	}
	if f.Every < 0 || f.Limit < 0 {
		return &FaultError{Spec: spec, Reason: "every and limit must not be negative"}
	}
	if f.PathRegex != "" {
		if _, err := regexp.Compile(f.PathRegex); err != nil {
			return &FaultError{Spec: spec, Reason: fmt.Sprintf("path_regex: %v", err)}
		}
	}
	if f.Kind == FaultSlow && f.Delay <= 0 {
		return &FaultError{Spec: spec, Reason: "kind slow needs a positive delay"}
	}
	return nil
}

// ParseFault parses the command-line form of a fault: comma-separated
// key=value pairs, e.g. "kind=503,path=/repos/,rate=0.1,method=GET" or
// "kind=slow,delay=2s,every=3". Keys: kind, method, path, regex, rate,
// every, delay, limit.
func ParseFault(spec string) (Fault, error) {
	var f Fault
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return f, &FaultError{Spec: spec, Reason: fmt.Sprintf("%q is not key=value (keys: kind, method, path, regex, rate, every, delay, limit)", part)}
		}
		var err error
		switch k {
		case "kind":
			f.Kind = v
		case "method":
			f.Method = strings.ToUpper(v)
		case "path":
			f.Path = v
		case "regex":
			f.PathRegex = v
		case "rate":
			f.Rate, err = strconv.ParseFloat(v, 64)
		case "every":
			f.Every, err = strconv.Atoi(v)
		case "limit":
			f.Limit, err = strconv.Atoi(v)
		case "delay":
			f.Delay, err = time.ParseDuration(v)
		default:
			return f, &FaultError{Spec: spec, Reason: fmt.Sprintf("unknown key %q (allowed: kind, method, path, regex, rate, every, delay, limit)", k)}
		}
		if err != nil {
			return f, &FaultError{Spec: spec, Reason: fmt.Sprintf("bad value for %s: %v", k, err)}
		}
	}
	if err := f.Validate(); err != nil {
		return f, &FaultError{Spec: spec, Reason: err.(*FaultError).Reason}
	}
	return f, nil
}

// faultState is a fault with its matcher and counters.
type faultState struct {
	Fault
	re       *regexp.Regexp
	matched  int
	injected int
}

func compileFaults(fs []Fault) ([]*faultState, error) {
	var out []*faultState
	for _, f := range fs {
		if err := f.Validate(); err != nil {
			return nil, err
		}
		st := &faultState{Fault: f}
		if f.PathRegex != "" {
			st.re = regexp.MustCompile(f.PathRegex)
		}
		out = append(out, st)
	}
	return out, nil
}

func (f *faultState) matches(method, path string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	if f.Path != "" && !strings.HasPrefix(path, f.Path) {
		return false
	}
	if f.re != nil && !f.re.MatchString(path) {
		return false
	}
	return true
}

// pickFault returns the first fault that fires for the request, or nil.
// Callers hold s.mu.
func (s *Server) pickFault(method, path string) *Fault {
	for _, f := range s.faults {
		if f.Limit > 0 && f.injected >= f.Limit {
			continue
		}
		if !f.matches(method, path) {
			continue
		}
		f.matched++
		fire := true
		switch {
		case f.Every > 0:
			fire = f.matched%f.Every == 0
		case f.Rate > 0:
			fire = s.rng.Float64() < f.Rate
		}
		if fire {
			f.injected++
			cp := f.Fault
			return &cp
		}
	}
	return nil
}
