package cassettes_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	vcr "gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

func TestCassettes(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Bundled cassettes Suite")
}

// violationsDir holds the cassette that breaks the contract on purpose.
const violationsDir = "../recorder/testdata/violations"

// bundled lists the cassette files under cassettes/ (this folder).
func bundled() []string {
	var files []string
	Expect(filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".yaml" {
			files = append(files, filepath.ToSlash(p))
		}
		return err
	})).To(Succeed())
	return files
}

func load(file string) *cassette.Cassette {
	c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
	Expect(err).NotTo(HaveOccurred(), file)
	return c
}

// secretShape is this test's own statement of a Stripe secret, not the
// recorder's: a scan that reused the pattern it checks would share its bugs.
// It names every family of Stripe secret with a shape (API keys, signing
// secrets, client secrets, ephemeral keys, connection tokens), at any
// length, and a client_secret member holding anything but the redaction.
var secretShape = regexp.MustCompile(`(sk|rk|ek|pst)_(live|test)_[A-Za-z0-9]|whsec_[A-Za-z0-9]|_secret_+[A-Za-z0-9]|"client_secret": ?"[^\[]`)

var _ = Describe("the files under cassettes/", func() {
	It("hold no Stripe secret, in any file (cassettes, generator, README)", func() {
		var scanned int
		for _, root := range []string{".", violationsDir} {
			Expect(filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(p)
				Expect(err).NotTo(HaveOccurred())
				Expect(secretShape.FindAllString(string(data), -1)).To(BeEmpty(), p)
				scanned++
				return nil
			})).To(Succeed())
		}
		Expect(scanned).To(BeNumerically(">=", 20))
	})

	It("are the files the package embeds", func() {
		var embedded []string
		Expect(fs.WalkDir(cassettes.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				embedded = append(embedded, p)
			}
			return err
		})).To(Succeed())
		Expect(embedded).To(Equal(bundled()))
	})

	It("each state where they came from, in their header and their folder, and none claims the live API", func() {
		files := append(bundled(), violationsDir+"/stripe-mock-builtin-fixtures.violations.yaml")
		for _, file := range files {
			data, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred())
			header := string(data[:strings.Index(string(data), "\n---\n")])
			Expect(header).To(MatchRegexp(`^(# .*|#)(\n(# .*|#))*$`), "%s: a comment block heads the cassette", file)
			text := strings.Join(strings.Fields(strings.ReplaceAll(header, "#", " ")), " ")
			switch {
			case strings.HasPrefix(file, "docs/"):
				Expect(text).To(ContainSubstring("Provenance: written from the Stripe API reference"), file)
				Expect(text).To(ContainSubstring("Not recorded: no Stripe account, live API or server was used"), file)
			default:
				Expect(text).To(ContainSubstring("Provenance: recorded through stripe-contract's recorder (recorder.NewProxy) from the real stripe-mock v"), file)
				Expect(text).To(ContainSubstring("Not recorded from the live Stripe API; no Stripe account was used."), file)
				for _, i := range load(file).Interactions {
					Expect(i.Request.URL).To(HavePrefix("http://127.0.0.1:12111/"), "%s: recorded from stripe-mock", file)
					Expect(i.Response.Headers.Get("Stripe-Mock-Version")).NotTo(BeEmpty(), "%s: stripe-mock answered", file)
				}
			}
		}
	})
})

var _ = Describe("validating the bundled cassettes", func() {
	v, err := validators.New()
	if err != nil {
		panic(err)
	}
	// errorsIn validates a cassette as stripe-contract validate does.
	errorsIn := func(file string) (docs int, errs []string) {
		f, err := os.Open(file)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		Expect(pipeline.ReadCassette(file, f, v.MaxSize(), func(d pipeline.Document) error {
			docs++
			for _, viol := range v.Validate(d.Data).Violations {
				if viol.Severity == validators.Error {
					errs = append(errs, d.Prefix+viol.Pointer+" "+viol.Rule)
				}
			}
			return nil
		})).To(Succeed())
		return docs, errs
	}

	It("finds no error in any of them: every Stripe payload keeps the contract", func() {
		var judged int
		for _, file := range bundled() {
			docs, errs := errorsIn(file)
			Expect(docs).To(BeNumerically(">", 0), "%s holds a Stripe payload", file)
			Expect(file).NotTo(ContainSubstring("violations"))
			Expect(errs).To(BeEmpty(), file)
			judged++
		}
		Expect(judged).To(BeNumerically(">=", 18))
	})

	It("finds the placeholders of stripe-mock's own fixtures in the cassette named for its violations", func() {
		_, errs := errorsIn(violationsDir + "/stripe-mock-builtin-fixtures.violations.yaml")
		Expect(errs).To(ConsistOf(
			"/interactions/0/response/body/currency invoice_payment.currency.iso-4217-lowercase",
			"/interactions/0/response/body/payment/payment_intent invoice_payment.payment.reference-matches-type",
			"/interactions/0/response/body/status invoice_payment.status.enum",
		))
	})
})

// interactions of every bundled cassette, with their file.
type recorded struct {
	file string
	*cassette.Interaction
}

func all() []recorded {
	var out []recorded
	for _, file := range bundled() {
		for _, i := range load(file).Interactions {
			out = append(out, recorded{file, i})
		}
	}
	return out
}

func body(i recorded) map[string]any {
	var m map[string]any
	text := i.Response.Body
	if i.Request.Headers.Get("Stripe-Signature") != "" {
		text = i.Request.Body
	}
	if json.Unmarshal([]byte(text), &m) != nil {
		return nil
	}
	return m
}

func at(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func retrieve(i recorded) bool {
	return i.Request.Method == "GET" && regexp.MustCompile(`^/v1/invoice_payments/inpay_[A-Za-z0-9]+$`).MatchString(path(i)) && i.Response.Code == 200
}

func path(i recorded) string {
	return must(url.Parse(i.Request.URL)).Path
}

// query is the recorded query, unescaped.
func query(i recorded) string {
	return must(url.QueryUnescape(must(url.Parse(i.Request.URL)).RawQuery))
}

var _ = DescribeTable("the bundled set covers the invoice payment API",
	func(want func(i recorded) bool) {
		Expect(slices.ContainsFunc(all(), want)).To(BeTrue())
	},
	Entry("retrieve: paid via payment_intent", func(i recorded) bool {
		return retrieve(i) && at(body(i), "status") == "paid" && at(body(i), "payment", "type") == "payment_intent"
	}),
	Entry("retrieve: paid via charge", func(i recorded) bool {
		return retrieve(i) && at(body(i), "status") == "paid" && at(body(i), "payment", "type") == "charge" && at(body(i), "payment", "charge") != nil
	}),
	Entry("retrieve: paid via payment_record", func(i recorded) bool {
		return retrieve(i) && at(body(i), "status") == "paid" && at(body(i), "payment", "type") == "payment_record" && at(body(i), "payment", "payment_record") != nil
	}),
	Entry("retrieve: open", func(i recorded) bool { return retrieve(i) && at(body(i), "status") == "open" }),
	Entry("retrieve: canceled", func(i recorded) bool { return retrieve(i) && at(body(i), "status") == "canceled" }),
	Entry("retrieve: partially paid (amount_paid < amount_requested)", func(i recorded) bool {
		paid, ok1 := at(body(i), "amount_paid").(float64)
		requested, ok2 := at(body(i), "amount_requested").(float64)
		return retrieve(i) && ok1 && ok2 && paid < requested
	}),
	Entry("retrieve with expand[]=invoice", func(i recorded) bool {
		return query(i) == "expand[]=invoice" && at(body(i), "invoice", "object") == "invoice"
	}),
	Entry("retrieve with expand[]=payment.payment_intent", func(i recorded) bool {
		return query(i) == "expand[]=payment.payment_intent" && at(body(i), "payment", "payment_intent", "object") == "payment_intent"
	}),
	Entry("list by invoice", func(i recorded) bool {
		return path(i) == "/v1/invoice_payments" && strings.HasPrefix(query(i), "invoice=") && !strings.Contains(query(i), "&") && at(body(i), "object") == "list"
	}),
	Entry("list filtered by status", func(i recorded) bool {
		return path(i) == "/v1/invoice_payments" && strings.Contains(query(i), "status=open") && i.Response.Code == 200 && at(body(i), "object") == "list"
	}),
	Entry("list filtered by payment[type]", func(i recorded) bool {
		return path(i) == "/v1/invoice_payments" && strings.Contains(query(i), "payment[type]=payment_intent") && at(body(i), "object") == "list"
	}),
	Entry("a two-page list: has_more true, then false with starting_after", func(i recorded) bool {
		if at(body(i), "has_more") != false || !strings.Contains(query(i), "starting_after=") {
			return false
		}
		for _, other := range load(i.file).Interactions {
			if other.ID == i.ID-1 && strings.Contains(other.Response.Body, `"has_more": true`) {
				return true
			}
		}
		return false
	}),
	Entry("an invoice with expand[]=payments", func(i recorded) bool {
		return strings.HasPrefix(path(i), "/v1/invoices/") && query(i) == "expand[]=payments" && at(body(i), "payments", "object") == "list"
	}),
	Entry("the invoice_payment.paid event from GET /v1/events/{id}", func(i recorded) bool {
		return i.Request.Method == "GET" && strings.HasPrefix(path(i), "/v1/events/evt_") && at(body(i), "type") == "invoice_payment.paid"
	}),
	Entry("the invoice_payment.paid event as a webhook delivery, with Stripe-Signature", func(i recorded) bool {
		return i.Request.Method == "POST" && i.Request.Headers.Get("Stripe-Signature") != "" && at(body(i), "type") == "invoice_payment.paid"
	}),
	Entry("404 resource_missing", func(i recorded) bool {
		return i.Response.Code == 404 && at(body(i), "error", "code") == "resource_missing"
	}),
	Entry("400 for an invalid status filter", func(i recorded) bool {
		return i.Response.Code == 400 && strings.Contains(query(i), "status=") && at(body(i), "error", "type") == "invalid_request_error"
	}),
	Entry("401 for a bad key", func(i recorded) bool {
		return i.Response.Code == 401 && at(body(i), "error", "type") == "invalid_request_error"
	}),
)

// form is a recorded request's form parameter.
func form(i recorded, name string) string {
	return i.Request.Form.Get(name)
}

// event is a recorded event of type typ, from GET /v1/events/{id} or a
// webhook delivery, whose data.object is a resource of kind object.
func event(i recorded, typ, object string) bool {
	return at(body(i), "object") == "event" && at(body(i), "type") == typ && at(body(i), "data", "object", "object") == object
}

var _ = DescribeTable("the bundled set covers a whole-API flow",
	func(want func(i recorded) bool) {
		Expect(slices.ContainsFunc(all(), want)).To(BeTrue())
	},
	Entry("a customer created with form parameters", func(i recorded) bool {
		return i.Request.Method == "POST" && path(i) == "/v1/customers" && form(i, "description") != "" &&
			at(body(i), "object") == "customer" && at(body(i), "description") == form(i, "description") && strings.HasPrefix(at(body(i), "id").(string), "cus_")
	}),
	Entry("a customer retrieved", func(i recorded) bool {
		return i.Request.Method == "GET" && strings.HasPrefix(path(i), "/v1/customers/cus_") && at(body(i), "object") == "customer" && at(body(i), "deleted") == nil
	}),
	Entry("a customer updated, the answer showing the update", func(i recorded) bool {
		return i.Request.Method == "POST" && strings.HasPrefix(path(i), "/v1/customers/cus_") && form(i, "description") != "" && at(body(i), "description") == form(i, "description")
	}),
	Entry("customers listed with limit=3", func(i recorded) bool {
		return path(i) == "/v1/customers" && query(i) == "limit=3" && at(body(i), "object") == "list" && at(body(i), "url") == "/v1/customers"
	}),
	Entry("customers searched: a search_result", func(i recorded) bool {
		return path(i) == "/v1/customers/search" && strings.HasPrefix(query(i), "query=") && at(body(i), "object") == "search_result"
	}),
	Entry("a PaymentIntent created with amount, currency and customer", func(i recorded) bool {
		return i.Request.Method == "POST" && path(i) == "/v1/payment_intents" && form(i, "amount") != "" && form(i, "currency") == "usd" &&
			at(body(i), "object") == "payment_intent" && at(body(i), "customer") == form(i, "customer") && at(body(i), "currency") == "usd"
	}),
	Entry("a PaymentIntent confirmed", func(i recorded) bool {
		return i.Request.Method == "POST" && strings.HasSuffix(path(i), "/confirm") && at(body(i), "object") == "payment_intent" && at(body(i), "status") == "succeeded"
	}),
	Entry("a PaymentIntent with expand[]=latest_charge: an expanded charge", func(i recorded) bool {
		return query(i) == "expand[]=latest_charge" && at(body(i), "latest_charge", "object") == "charge" && at(body(i), "latest_charge", "payment_intent") == at(body(i), "id")
	}),
	Entry("a charge retrieved", func(i recorded) bool {
		return i.Request.Method == "GET" && strings.HasPrefix(path(i), "/v1/charges/ch_") && at(body(i), "object") == "charge" && at(body(i), "status") == "succeeded"
	}),
	Entry("charges listed", func(i recorded) bool {
		return path(i) == "/v1/charges" && at(body(i), "object") == "list" && at(body(i), "url") == "/v1/charges"
	}),
	Entry("an invoice created", func(i recorded) bool {
		return i.Request.Method == "POST" && path(i) == "/v1/invoices" && at(body(i), "object") == "invoice" && at(body(i), "customer") == form(i, "customer")
	}),
	Entry("an invoice finalized", func(i recorded) bool {
		return i.Request.Method == "POST" && strings.HasSuffix(path(i), "/finalize") && at(body(i), "object") == "invoice" && at(body(i), "status_transitions", "finalized_at") != nil
	}),
	Entry("an invoice with expand[]=customer: an expanded customer", func(i recorded) bool {
		return strings.HasPrefix(path(i), "/v1/invoices/") && query(i) == "expand[]=customer" && at(body(i), "customer", "object") == "customer"
	}),
	Entry("a subscription retrieved", func(i recorded) bool {
		return strings.HasPrefix(path(i), "/v1/subscriptions/sub_") && at(body(i), "object") == "subscription" && at(body(i), "items", "object") == "list"
	}),
	Entry("a customer deleted: a deleted customer, deleted true", func(i recorded) bool {
		return i.Request.Method == "DELETE" && strings.HasPrefix(path(i), "/v1/customers/cus_") && at(body(i), "object") == "customer" && at(body(i), "deleted") == true
	}),
	Entry("events listed", func(i recorded) bool {
		return path(i) == "/v1/events" && at(body(i), "object") == "list" && at(body(i), "data") != nil
	}),
	Entry("customer.created from GET /v1/events/{id}, carrying a customer", func(i recorded) bool {
		return i.Request.Method == "GET" && event(i, "customer.created", "customer")
	}),
	Entry("charge.succeeded from GET /v1/events/{id}, carrying a charge", func(i recorded) bool {
		return i.Request.Method == "GET" && event(i, "charge.succeeded", "charge")
	}),
	Entry("payment_intent.succeeded from GET /v1/events/{id}, carrying a PaymentIntent", func(i recorded) bool {
		return i.Request.Method == "GET" && event(i, "payment_intent.succeeded", "payment_intent")
	}),
	Entry("invoice.paid from GET /v1/events/{id}, carrying an invoice", func(i recorded) bool {
		return i.Request.Method == "GET" && event(i, "invoice.paid", "invoice")
	}),
	Entry("customer.created as a webhook delivery, with Stripe-Signature", func(i recorded) bool {
		return i.Request.Method == "POST" && i.Request.Headers.Get("Stripe-Signature") != "" && event(i, "customer.created", "customer")
	}),
	Entry("charge.succeeded as a webhook delivery, with Stripe-Signature", func(i recorded) bool {
		return i.Request.Method == "POST" && i.Request.Headers.Get("Stripe-Signature") != "" && event(i, "charge.succeeded", "charge")
	}),
)

var _ = Describe("the whole-API flow", func() {
	It("names currencies as lowercase ISO 4217 codes everywhere, never stripe-mock's placeholder", func() {
		var walk func(v any, where string)
		var seen int
		walk = func(v any, where string) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if c, ok := x.(string); ok && k == "currency" {
						Expect(c).To(MatchRegexp(`^[a-z]{3}$`), where+"/"+k)
						seen++
					}
					walk(x, where+"/"+k)
				}
			case []any:
				for n, x := range v {
					walk(x, fmt.Sprintf("%s/%d", where, n))
				}
			}
		}
		for _, i := range all() {
			if strings.HasPrefix(filepath.Base(i.file), "flow_") {
				walk(body(i), fmt.Sprintf("%s#%d", i.file, i.ID))
			}
		}
		Expect(seen).To(BeNumerically(">=", 20))
	})
})

var _ = Describe("replaying the bundled set", func() {
	It("works in a plain go-vcr v4 recorder, unchanged, with go-vcr's default matcher", func() {
		for _, file := range bundled() {
			before, _ := os.ReadFile(file)
			r, err := vcr.New(strings.TrimSuffix(file, ".yaml"), vcr.WithMode(vcr.ModeReplayOnly), vcr.WithSkipRequestLatency(true))
			Expect(err).NotTo(HaveOccurred(), file)
			for _, i := range load(file).Interactions {
				req, err := i.GetHTTPRequest()
				Expect(err).NotTo(HaveOccurred())
				resp, err := r.RoundTrip(req)
				Expect(err).NotTo(HaveOccurred(), "%s interaction %d", file, i.ID)
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				Expect(resp.StatusCode).To(Equal(i.Response.Code))
				Expect(string(got)).To(Equal(i.Response.Body))
			}
			Expect(r.Stop()).To(Succeed())
			after, _ := os.ReadFile(file)
			Expect(after).To(Equal(before), "%s is unchanged", file)
		}
	})

	It("answers every recorded request from the replay server, each unambiguously", func() {
		srv, err := recorder.NewServer(cassettes.FS)
		Expect(err).NotTo(HaveOccurred())
		api := httptest.NewServer(srv)
		DeferCleanup(api.Close)
		m := recorder.NewMatcher()
		everything := all()
		Expect(srv.Interactions()).To(Equal(len(everything)))
		for k, i := range everything {
			req, err := i.GetHTTPRequest()
			Expect(err).NotTo(HaveOccurred())
			for j, other := range everything {
				if j != k {
					Expect(m.Match(req, other.Request)).To(BeFalse(), "%s#%d and %s#%d record the same request", i.file, i.ID, other.file, other.ID)
				}
			}
			u := must(url.Parse(i.Request.URL))
			out, err := http.NewRequest(i.Request.Method, api.URL+u.RequestURI(), strings.NewReader(i.Request.Body))
			Expect(err).NotTo(HaveOccurred())
			out.Header = i.Request.Headers.Clone()
			resp, err := http.DefaultClient.Do(out)
			Expect(err).NotTo(HaveOccurred())
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(i.Response.Code))
			Expect(string(got)).To(Equal(i.Response.Body))
			Expect(resp.Header.Get(recorder.ReplayedFromHeader)).To(Equal(fmt.Sprintf("%s#/interactions/%d", i.file, i.ID)))
		}
	})

	It("carries webhook signatures that verify with the secret each header names", func() {
		var verified int
		for _, i := range all() {
			if i.Request.Headers.Get("Stripe-Signature") == "" {
				continue
			}
			header := string(must(os.ReadFile(i.file)))
			secret := regexp.MustCompile(`endpoint secret "([^"]+)"`).FindStringSubmatch(header)
			Expect(secret).NotTo(BeNil(), "%s names its endpoint secret", i.file)
			sig := regexp.MustCompile(`^t=(\d+),v1=([0-9a-f]{64})$`).FindStringSubmatch(i.Request.Headers.Get("Stripe-Signature"))
			Expect(sig).NotTo(BeNil(), i.file)
			mac := hmac.New(sha256.New, []byte(secret[1]))
			mac.Write([]byte(sig[1] + "." + i.Request.Body))
			Expect(sig[2]).To(Equal(hex.EncodeToString(mac.Sum(nil))), i.file)
			verified++
		}
		Expect(verified).To(Equal(3))
	})
})

func must[T any](v T, err error) T {
	Expect(err).NotTo(HaveOccurred())
	return v
}
