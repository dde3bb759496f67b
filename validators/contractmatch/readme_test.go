package contractmatch_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEShowsThisTest keeps the README's "In your Go tests" snippet the
// test that runs here: the same function, line for line (and the file
// ends with it), but for the cassette's path (the README's is the user's
// testdata/).
func TestREADMEShowsThisTest(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile("(?s)## In your Go tests\n.*?```go\n(.*?)```").FindSubmatch(readme)
	if section == nil {
		t.Fatal(`the README has no "In your Go tests" section with a Go snippet`)
	}
	test, err := os.ReadFile("stripego_test.go")
	if err != nil {
		t.Fatal(err)
	}
	body := func(src string) string {
		i := strings.Index(src, "func TestStripeGoKeepsTheContract(t *testing.T) {")
		if i < 0 {
			t.Fatalf("no TestStripeGoKeepsTheContract in:\n%s", src)
		}
		return src[i:]
	}
	got := strings.Replace(body(string(section[1])), `"testdata/customer_retrieve.yaml"`, `"../../cassettes/stripe-mock/flow_customer_retrieve.yaml"`, 1)
	want := body(string(test))
	if strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("the README's snippet is not stripego_test.go's test:\n--- README\n%s\n--- stripego_test.go\n%s", got, want)
	}
}
