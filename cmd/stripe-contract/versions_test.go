package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// jsonRows decodes validate --format json output, one object per document.
func jsonRows(out []byte) []map[string]any {
	var rows []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row map[string]any
		Expect(json.Unmarshal(sc.Bytes(), &row)).To(Succeed(), "line %q", sc.Text())
		rows = append(rows, row)
	}
	return rows
}

func rulesOf(row map[string]any) []string {
	var out []string
	for _, v := range row["violations"].([]any) {
		out = append(out, v.(map[string]any)["rule"].(string))
	}
	return out
}

// recordEvent is the bundled invoice_payment.paid event stamped with
// apiVersion and paid through a payment record, a payment type dahlia added.
func recordEvent(apiVersion string) string {
	raw, err := os.ReadFile("../../schemas/examples/event_invoice_payment_paid.json")
	Expect(err).NotTo(HaveOccurred())
	var ev map[string]any
	Expect(json.Unmarshal(raw, &ev)).To(Succeed())
	ev["api_version"] = apiVersion
	obj := ev["data"].(map[string]any)["object"].(map[string]any)
	obj["payment"] = map[string]any{"type": "payment_record", "payment_record": "pr_1QExamplePaymentRec01"}
	b, err := json.Marshal(ev)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// versionCassette is a cassette of one GET of an invoice payment paid
// through a payment record, its request asking for stripeVersion.
func versionCassette(stripeVersion string) string {
	raw, err := os.ReadFile("../../schemas/examples/invoice_payment_paid_payment_record.json")
	Expect(err).NotTo(HaveOccurred())
	var body bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		body.WriteString("            " + line + "\n")
	}
	return `version: 2
interactions:
    - id: 0
      request:
        proto: HTTP/1.1
        host: api.stripe.com
        headers:
            Stripe-Version:
                - ` + stripeVersion + `
        url: https://api.stripe.com/v1/invoice_payments/inpay_1QExamplePaidPR0001
        method: GET
      response:
        proto: HTTP/1.1
        body: |
` + body.String() + `        headers:
            Content-Type:
                - application/json
        status: 200 OK
        code: 200
        duration: 0s
`
}

var _ = Describe("validate at API versions", func() {
	It("judges an event at its own api_version: clover has no payment_record type, dahlia has; JSON rows say which", func() {
		session := stripeContract(recordEvent("2025-09-30.clover")+"\n"+recordEvent("2026-08-26.dahlia")+"\n", "validate", "--format", "json", "-")
		Expect(session).To(gexec.Exit(1))
		rows := jsonRows(session.Out.Contents())
		Expect(rows).To(HaveLen(2))
		Expect(rows[0]).To(HaveKeyWithValue("api_version", "2025-09-30.clover"))
		Expect(rows[0]).To(HaveKeyWithValue("valid", false))
		Expect(rulesOf(rows[0])).To(ContainElement("invoice_payment.payment.type.enum"))
		Expect(rows[1]).To(HaveKeyWithValue("api_version", "2026-08-26.dahlia"))
		Expect(rows[1]).To(HaveKeyWithValue("valid", true))
	})

	It("says in the text summary which versions were used", func() {
		session := stripeContract(recordEvent("2025-09-30.clover")+"\n"+recordEvent("2026-08-26.dahlia")+"\n"+recordEvent("2026-08-26.dahlia")+"\n", "validate", "-")
		Expect(session).To(gexec.Exit(1))
		Expect(string(session.Out.Contents())).To(ContainSubstring("3 documents checked at 2026-08-26.dahlia (2), 2025-09-30.clover (1): 2 valid, 1 invalid"))
		// The rules cited are the default version's: the text says so.
		Expect(string(session.Out.Contents())).To(ContainSubstring("the documentation each comes from, Stripe API 2026-08-26.dahlia; each row's message is that of the version its document was judged at):"))
	})

	It("lets --api-version override the event's own", func() {
		session := stripeContract(recordEvent("2025-09-30.clover"), "validate", "--api-version", "2026-08-26.dahlia", "--format", "json", "-")
		Expect(session).To(gexec.Exit(0))
		Expect(jsonRows(session.Out.Contents())[0]).To(HaveKeyWithValue("api_version", "2026-08-26.dahlia"))

		session = stripeContract(recordEvent("2026-08-26.dahlia"), "validate", "--api-version", "2025-09-30.clover", "--format", "json", "-")
		Expect(session).To(gexec.Exit(1))
		row := jsonRows(session.Out.Contents())[0]
		Expect(row).To(HaveKeyWithValue("api_version", "2025-09-30.clover"))
		Expect(rulesOf(row)).To(ContainElement("invoice_payment.payment.type.enum"))
	})

	It("checks basil's invoice.payment.paid event as an invoice payment event", func() {
		ev := strings.Replace(recordEvent("2025-05-28.basil"), `"invoice_payment.paid"`, `"invoice.payment.paid"`, 1)
		ev = strings.Replace(ev, `{"payment_record":"pr_1QExamplePaymentRec01","type":"payment_record"}`, `{"charge":"ch_3QExampleCharge0001","type":"charge"}`, 1)
		session := stripeContract(ev, "validate", "--format", "json", "-")
		Expect(session).To(gexec.Exit(0), string(session.Out.Contents()))
		row := jsonRows(session.Out.Contents())[0]
		Expect(row).To(HaveKeyWithValue("kind", "event"))
		Expect(row).To(HaveKeyWithValue("api_version", "2025-05-28.basil"))
	})

	It("refuses an --api-version that is not embedded, naming the embedded ones", func() {
		session := stripeContract("{}", "validate", "--api-version", "2024-06-20", "-")
		Expect(session).To(gexec.Exit(2))
		Expect(string(session.Err.Contents())).To(ContainSubstring(`--api-version: API version "2024-06-20" is not embedded (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia)`))
	})

	It("judges an event naming a version not embedded at the newest, with a notice", func() {
		session := stripeContract(recordEvent("2024-06-20"), "validate", "--format", "json", "-")
		Expect(session).To(gexec.Exit(0))
		row := jsonRows(session.Out.Contents())[0]
		Expect(row).To(HaveKeyWithValue("api_version", "2026-08-26.dahlia"))
		Expect(rulesOf(row)).To(Equal([]string{"api_version.not-embedded"}))
	})

	It("judges a cassette's response at its request's Stripe-Version", func() {
		dir := GinkgoT().TempDir()
		clover := filepath.Join(dir, "clover.yaml")
		dahlia := filepath.Join(dir, "dahlia.yaml")
		Expect(os.WriteFile(clover, []byte(versionCassette("2025-09-30.clover")), 0o644)).To(Succeed())
		Expect(os.WriteFile(dahlia, []byte(versionCassette("2026-08-26.dahlia")), 0o644)).To(Succeed())
		session := stripeContract("", "validate", "--format", "json", clover, dahlia)
		Expect(session).To(gexec.Exit(1))
		rows := jsonRows(session.Out.Contents())
		Expect(rows).To(HaveLen(2))
		Expect(rows[0]).To(HaveKeyWithValue("api_version", "2025-09-30.clover"))
		Expect(rulesOf(rows[0])).To(ContainElement("invoice_payment.payment.type.enum"))
		Expect(rows[1]).To(HaveKeyWithValue("api_version", "2026-08-26.dahlia"))
		Expect(rows[1]).To(HaveKeyWithValue("valid", true))
	})

	It("validates with --schemas DIR, schema files generated from a spec", func() {
		dir := GinkgoT().TempDir()
		gen := exec.Command("go", "run", "./schemas/generate", "-api-version", "2025-09-30.clover", "-out", dir)
		gen.Dir = "../.."
		out, err := gen.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		session := stripeContract(recordEvent("2026-08-26.dahlia"), "validate", "--schemas", dir, "--format", "json", "-")
		Expect(session).To(gexec.Exit(1))
		row := jsonRows(session.Out.Contents())[0]
		Expect(row).To(HaveKeyWithValue("api_version", "2025-09-30.clover"))
		Expect(rulesOf(row)).To(ContainElements("invoice_payment.payment.type.enum", "api_version.not-embedded"))

		session = stripeContract("{}", "validate", "--schemas", filepath.Join(dir, "nowhere"), "-")
		Expect(session).To(gexec.Exit(2))
	})

	It("lists the rules of the version rules --api-version names", func() {
		session := stripeContract("", "rules", "--api-version", "2025-09-30.clover")
		Expect(session).To(gexec.Exit(0))
		out := string(session.Out.Contents())
		Expect(out).To(HavePrefix("Rules of the contract, Stripe API 2025-09-30.clover\n"))
		Expect(out).NotTo(ContainSubstring("invoice_payment.payment.payment_record.expandable"))
		Expect(out).To(ContainSubstring("api_version.not-embedded"))

		session = stripeContract("", "rules")
		Expect(session).To(gexec.Exit(0))
		Expect(string(session.Out.Contents())).To(ContainSubstring("invoice_payment.payment.payment_record.expandable"))
	})
})
