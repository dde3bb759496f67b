package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// EnvArtifacts names the folder where tests keep what a person looks at
// after a run (the HTML report's screenshot); CI uploads it.
const envArtifacts = "STRIPE_CONTRACT_ARTIFACTS"

// chromiumBinary finds Debian's chromium (or Google's build of it). In CI
// a missing browser fails the test: .ci/run installs it.
func chromiumBinary(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatalf("chromium is not installed, and CI=%s: the HTML report must be rendered in CI (.ci/run installs it: apt-get install -y chromium)", ci)
	}
	t.Skip("chromium is not installed (apt-get install -y chromium): the HTML report is not rendered in a browser; in CI this test fails instead")
	return ""
}

// artifactsDir is where the screenshot is kept: $STRIPE_CONTRACT_ARTIFACTS,
// else a folder under the system's temporary one that outlives the test.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(envArtifacts)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "stripe-contract-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// headless runs chromium on page with args, a fresh profile, and the
// browser's console on stderr; it returns stdout and stderr.
func headless(t *testing.T, bin, page string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	if os.Geteuid() == 0 {
		base = append(base, "--no-sandbox") // chromium refuses to run as root with its sandbox
	}
	var stdout, stderr strings.Builder
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// consoleProblems are the browser's reports of a script that failed or a
// load the page's policy refused.
var consoleProblems = regexp.MustCompile(`(?m)^.*CONSOLE.*(Uncaught|Refused|violates|blocked|Error).*$`)

// loads renders page and reports whether its script ran to the end (it
// marks the document with data-ready, the number of cases) and what the
// console said went wrong.
func loads(t *testing.T, bin, page string) (ready string, problems []string) {
	t.Helper()
	dom, log := headless(t, bin, page, "--dump-dom", "--virtual-time-budget=2000")
	if m := regexp.MustCompile(`<html lang="en" data-ready="(\d+)"`).FindStringSubmatch(dom); m != nil {
		ready = m[1]
	}
	return ready, consoleProblems.FindAllString(log, -1)
}

// TestHTMLInChromium renders the golden HTML report in headless Chromium:
// it loads with no script error and no refused load, its one script runs,
// and a phone-sized screenshot is kept for people to look at. A page with
// a script the policy does not allow shows the check can fail.
func TestHTMLInChromium(t *testing.T) {
	bin := chromiumBinary(t)
	page, err := filepath.Abs(goldenHTML)
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	cases := strconv.Itoa(strings.Count(string(golden), `<section class="case`))

	ready, problems := loads(t, bin, page)
	if len(problems) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(problems, "\n"))
	}
	if ready != cases {
		t.Errorf("the page's script marked %q cases ready, want %s: it did not run to the end", ready, cases)
	}

	shot := filepath.Join(artifactsDir(t), "report.html.png")
	headless(t, bin, page, "--window-size=412,1800", "--screenshot="+shot)
	info, err := os.Stat(shot)
	if err != nil || info.Size() < 10_000 {
		t.Fatalf("no screenshot at %s (%v)", shot, err)
	}
	t.Logf("screenshot of the HTML report (412 px wide, a phone's): %s", shot)

	// The control: the same page with its script changed is refused by
	// its policy (the hash no longer matches), and the check sees it.
	tampered := filepath.Join(t.TempDir(), "tampered.html")
	changed := strings.Replace(string(golden), `input.disabled = false;`, `input.disabled = false; // changed`, 1)
	if changed == string(golden) {
		t.Fatal("the golden page has no script to change")
	}
	if err := os.WriteFile(tampered, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	ready, problems = loads(t, bin, tampered)
	if ready != "" || len(problems) == 0 {
		t.Errorf("a script the page's policy does not allow ran (ready %q) or went unreported (%q)", ready, problems)
	}
}
