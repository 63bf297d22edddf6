package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// serveControl answers the /_emulator/ endpoints. They need no token, do
// not count against rate limits and are not in the request log.
//
//	GET  /_emulator/state     State as JSON
//	GET  /_emulator/requests  the request log as JSON
//	GET  /_emulator/dispatches recorded dispatches as JSON
//	POST /_emulator/reset     back to the fixture (204)
//	GET  /_emulator/faults    active faults
//	PUT  /_emulator/faults    replace the active faults with a JSON array (204)
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	writeJSON := func(v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	}
	fail := func(code int, msg string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
	}
	switch route := r.Method + " " + r.URL.Path; route {
	case "GET /_emulator/state":
		writeJSON(s.State())
	case "GET /_emulator/requests":
		reqs := s.Requests()
		if reqs == nil {
			reqs = []LoggedRequest{}
		}
		writeJSON(reqs)
	case "GET /_emulator/dispatches":
		d := s.Dispatches()
		if d == nil {
			d = []Dispatch{}
		}
		writeJSON(d)
	case "POST /_emulator/reset":
		if err := s.Reset(); err != nil {
			fail(http.StatusInternalServerError, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "GET /_emulator/faults":
		f := s.Faults()
		if f == nil {
			f = []Fault{}
		}
		writeJSON(f)
	case "PUT /_emulator/faults":
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			fail(http.StatusBadRequest, fmt.Sprintf("failed to read body: %v", err))
			return
		}
		var fs []Fault
		if err := json.Unmarshal(body, &fs); err != nil {
			fail(http.StatusBadRequest, fmt.Sprintf("body must be a JSON array of faults: %v", err))
			return
		}
		if err := s.SetFaults(fs); err != nil {
			fail(http.StatusUnprocessableEntity, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		fail(http.StatusNotFound, "unknown control endpoint "+route+" (see pkg/emulator/README.md)")
	}
}
