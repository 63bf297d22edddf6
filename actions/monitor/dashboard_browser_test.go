package monitor

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// chromiumPath finds Debian's chromium; with CI=true a missing browser is a
// failure, otherwise the test is skipped saying why.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI=true requires the browser test")
	}
	t.Skip("skipping the browser test: chromium is not installed (apt-get install -y chromium)")
	return ""
}

// artifactDir is $TEST_ARTIFACTS when set, else a temp dir that is logged.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("TEST_ARTIFACTS"); d != "" {
		dir := filepath.Join(d, "monitor-dashboard")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// TestDashboardInBrowser opens pages_content/index.html from file:// in
// headless chromium at desktop and phone widths and checks what a person
// sees: a card per domain with its name and score, the failure rows, the
// trend charts with accessible names, nothing wider than the screen, and
// no script errors.
func TestDashboardInBrowser(t *testing.T) {
	t.Parallel()
	browser := chromiumPath(t)

	f := genFixture(genOptions{Domains: 5})
	// Untrusted text must show as text, not markup.
	f.Repositories[0].Issues[0].Title = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	e := newEnv(t, f, emulator.Options{}, "")
	cfg := genConfig(t, f)
	cfg.HistoryFile = filepath.Join(t.TempDir(), "history.json")
	var res *Result
	for i := 0; i < 3; i++ { // a few runs of history for the trend charts
		cfg.Now = genNow.Add(time.Duration(i-2) * 4 * time.Hour)
		var err error
		if res, err = Run(context.Background(), cfg, e.deps()); err != nil {
			t.Fatal(err)
		}
	}
	index := filepath.Join(res.PagesPath, DashboardFile)
	abs, err := filepath.Abs(index)
	if err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	var (
		mu       sync.Mutex
		jsErrors []string
	)
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			jsErrors = append(jsErrors, ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if string(ev.Type) == "error" {
				jsErrors = append(jsErrors, "console.error")
			}
		}
	}); err != nil {
		t.Fatalf("failed to start chromium: %v", err)
	}

	out := artifactDir(t)
	eval := func(name, expr string, v any) {
		t.Helper()
		var err error
		switch p := v.(type) {
		case *[]string:
			*p, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
		case *int:
			*p, err = chromedp.Run(ctx, chromedp.Evaluate[int](expr))
		case *bool:
			*p, err = chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		}
		if err != nil {
			t.Fatalf("%s: %s: %v", name, expr, err)
		}
	}
	for _, vp := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
		var (
			cardNames, scores []string
			failureRows       int
			svgLabels         []string
			scrollW, clientW  int
			injected          bool
		)
		vopts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if vp.mobile {
			vopts = append(vopts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
		}
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(vp.width, vp.height, vopts...),
			chromedp.Navigate("file://"+abs),
			chromedp.WaitVisible(chromedp.CSS(".card")),
		); err != nil {
			t.Fatalf("%s: %v", vp.name, err)
		}
		eval(vp.name, `[...document.querySelectorAll(".card h3")].map(e => e.innerText.trim())`, &cardNames)
		eval(vp.name, `[...document.querySelectorAll(".card .score")].map(e => e.innerText.trim())`, &scores)
		eval(vp.name, `document.querySelectorAll("table.failures tbody tr").length`, &failureRows)
		eval(vp.name, `[...document.querySelectorAll("svg.trend")].map(e => e.getAttribute("aria-label"))`, &svgLabels)
		eval(vp.name, `document.documentElement.scrollWidth`, &scrollW)
		eval(vp.name, `document.documentElement.clientWidth`, &clientW)
		eval(vp.name, `document.querySelectorAll("script, img").length > 0`, &injected)
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: screenshot: %v", vp.name, err)
		}
		shotPath := filepath.Join(out, "dashboard-"+vp.name+".png")
		if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s screenshot: %s", vp.name, shotPath)

		var want []string
		for _, n := range sortedNames(res.Report.Domains) {
			want = append(want, n)
		}
		if strings.Join(cardNames, ",") != strings.Join(want, ",") {
			t.Errorf("%s: cards %v, want %v", vp.name, cardNames, want)
		}
		for i, n := range want {
			if i < len(scores) && scores[i] != scoreText(res.Report.Domains[n].HealthScore) {
				t.Errorf("%s: card %s shows score %q, want %q", vp.name, n, scores[i], scoreText(res.Report.Domains[n].HealthScore))
			}
		}
		if failureRows != len(res.Report.Failures) || failureRows == 0 {
			t.Errorf("%s: %d failure rows, want %d", vp.name, failureRows, len(res.Report.Failures))
		}
		if len(svgLabels) != len(want) {
			t.Errorf("%s: %d trend charts, want one per domain (%d)", vp.name, len(svgLabels), len(want))
		}
		for _, l := range svgLabels {
			if !strings.HasPrefix(l, "Health score trend for ") {
				t.Errorf("%s: chart label %q", vp.name, l)
			}
		}
		if scrollW > clientW {
			t.Errorf("%s: page is %dpx wide in a %dpx viewport (horizontal scrolling)", vp.name, scrollW, clientW)
		}
		if injected {
			t.Errorf("%s: untrusted text became markup (a script or img element exists)", vp.name)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(jsErrors) > 0 {
		t.Errorf("script errors: %v", jsErrors)
	}
}
