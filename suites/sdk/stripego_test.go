package sdk_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	stripe "github.com/stripe/stripe-go/v85"
	"github.com/tidwall/gjson"
	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/suites/sdk"
	"github.com/stripe-contract/stripe-contract/validators/contractmatch"
)

// call is one SDK call the suite makes, read from a recorded request: a
// retrieve, or a list walked with auto-pagination through the pages that
// follow it in the cassette.
type call struct {
	cassette     string
	interactions []int // the recordings it must play, in order: the list's pages
	recorded     []*cassette.Interaction
	list         bool
	id           string
	query        url.Values // of the first request
}

func (c call) String() string {
	verb := "Get"
	if c.list {
		verb = "List"
		if len(c.interactions) > 1 {
			verb = fmt.Sprintf("List, auto-paginated over %d pages,", len(c.interactions))
		}
	}
	return fmt.Sprintf("%s %s#/interactions/%d: %s %s", verb, c.cassette, c.interactions[0], c.recorded[0].Request.Method, displayURL(c.recorded[0].Request.URL))
}

func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q, _ := url.QueryUnescape(u.RawQuery)
	if q != "" {
		return u.Path + "?" + q
	}
	return u.Path
}

const basePath = "/v1/invoice_payments"

// plan reads the bundled cassettes and returns the invoice payment calls
// they record. A list request whose starting_after is the last item of the
// page before it is not a call of its own: the SDK's auto-pagination must
// send it.
func plan() []call {
	var files []string
	Expect(fs.WalkDir(cassettes.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".yaml" {
			files = append(files, p)
		}
		return err
	})).To(Succeed())
	sort.Strings(files)
	var calls []call
	for _, f := range files {
		data, err := fs.ReadFile(cassettes.FS, f)
		Expect(err).NotTo(HaveOccurred())
		var c cassette.Cassette
		Expect(yaml.Unmarshal(data, &c)).To(Succeed(), f)
		for n, i := range c.Interactions {
			u, err := url.Parse(i.Request.URL)
			Expect(err).NotTo(HaveOccurred(), "%s interaction %d", f, n)
			if i.Request.Method != "GET" {
				continue
			}
			q := u.Query()
			switch {
			case u.Path == basePath && continuesPrevious(c.Interactions, n, q):
				last := &calls[len(calls)-1]
				last.interactions = append(last.interactions, n)
				last.recorded = append(last.recorded, i)
			case u.Path == basePath:
				calls = append(calls, call{cassette: f, interactions: []int{n}, recorded: []*cassette.Interaction{i}, list: true, query: q})
			case strings.HasPrefix(u.Path, basePath+"/") && !strings.Contains(u.Path[len(basePath)+1:], "/"):
				calls = append(calls, call{cassette: f, interactions: []int{n}, recorded: []*cassette.Interaction{i}, id: u.Path[len(basePath)+1:], query: q})
			}
		}
	}
	return calls
}

// continuesPrevious reports whether interaction n asks for the page after
// interaction n-1's: starting_after its last item, which said has_more.
func continuesPrevious(is []*cassette.Interaction, n int, q url.Values) bool {
	after := q.Get("starting_after")
	if n == 0 || after == "" {
		return false
	}
	prev := gjson.Parse(is[n-1].Response.Body)
	data := prev.Get("data").Array()
	return prev.Get("has_more").Bool() && len(data) > 0 && data[len(data)-1].Get("id").String() == after
}

// arrayKey folds "expand[0]" into "expand[]": SDKs write array keys either way.
func arrayKey(k string) string {
	if i := strings.LastIndexByte(k, '['); i > 0 && strings.HasSuffix(k, "]") {
		if _, err := strconv.Atoi(k[i+1 : len(k)-1]); err == nil {
			return k[:i] + "[]"
		}
	}
	return k
}

// retrieveParams are the stripe-go parameters for a recorded retrieve.
func retrieveParams(q url.Values) (*stripe.InvoicePaymentParams, error) {
	p := &stripe.InvoicePaymentParams{}
	for k, vs := range q {
		switch arrayKey(k) {
		case "expand[]":
			for _, v := range vs {
				p.AddExpand(v)
			}
		default:
			return nil, fmt.Errorf("no stripe-go parameter for the recorded query key %q", k)
		}
	}
	return p, nil
}

// listParams are the stripe-go parameters for a recorded list request.
func listParams(q url.Values) (*stripe.InvoicePaymentListParams, error) {
	p := &stripe.InvoicePaymentListParams{}
	payment := func() *stripe.InvoicePaymentListPaymentParams {
		if p.Payment == nil {
			p.Payment = &stripe.InvoicePaymentListPaymentParams{}
		}
		return p.Payment
	}
	for k, vs := range q {
		v := vs[0]
		switch arrayKey(k) {
		case "invoice":
			p.Invoice = stripe.String(v)
		case "status":
			p.Status = stripe.String(v)
		case "payment[type]":
			payment().Type = stripe.String(v)
		case "payment[payment_intent]":
			payment().PaymentIntent = stripe.String(v)
		case "payment[payment_record]":
			payment().PaymentRecord = stripe.String(v)
		case "limit":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("limit %q: %w", v, err)
			}
			p.Limit = stripe.Int64(n)
		case "starting_after":
			p.StartingAfter = stripe.String(v)
		case "ending_before":
			p.EndingBefore = stripe.String(v)
		case "created":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("created %q: %w", v, err)
			}
			p.Created = stripe.Int64(n)
		case "expand[]":
			for _, v := range vs {
				p.AddExpand(v)
			}
		default:
			return nil, fmt.Errorf("no stripe-go parameter for the recorded query key %q", k)
		}
	}
	return p, nil
}

// occurrence is a loss where it happened: the cassette, and the pointer
// into the cassette file.
type occurrence struct {
	sdk.Loss
	cassette string
}

func (o occurrence) String() string {
	return o.cassette + "#" + o.Pointer + ": recorded " + o.Recorded + ", decoded " + o.Decoded
}

// compare compares a decoded value with a recorded body (or a member of
// it, for an error envelope) and returns the losses, their pointers
// prefixed with the body's place in the cassette.
func compare(c call, page int, member string, decoded any) []occurrence {
	body := c.recorded[page].Response.Body
	prefix := fmt.Sprintf("/interactions/%d/response/body", c.interactions[page])
	if member != "" {
		body = gjson.Get(body, member).Raw
		prefix += "/" + member
	}
	losses, err := sdk.Compare([]byte(body), decoded)
	Expect(err).NotTo(HaveOccurred(), "%s: the recorded body", c)
	out := make([]occurrence, len(losses))
	for i, l := range losses {
		l.Pointer = prefix + l.Pointer
		out[i] = occurrence{Loss: l, cassette: c.cassette}
	}
	return out
}

// checkRequests checks what stripe-go sent: each request answered from the
// recording the call is read from, in order, and equal to it in method,
// path and query (as the recorder's matcher compares them).
func checkRequests(c call, sent []exchange) {
	lines := make([]string, len(sent))
	for i, x := range sent {
		lines[i] = x.req.Method + " " + displayURL(x.req.URL.String())
	}
	AddReportEntry("requests stripe-go sent", strings.Join(lines, "\n"))
	Expect(sent).To(HaveLen(len(c.interactions)), "stripe-go sent %d requests, the cassette records %d:\n%s", len(sent), len(c.interactions), strings.Join(lines, "\n"))
	matcher := recorder.NewMatcher()
	for i, x := range sent {
		Expect(x.miss).To(BeFalse(), "request %d (%s) matched no recording", i, lines[i])
		Expect(x.replayedFrom).To(Equal(fmt.Sprintf("%s#/interactions/%d", c.cassette, c.interactions[i])), "request %d (%s)", i, lines[i])
		Expect(matcher.Diff(x.req, c.recorded[i].Request)).To(BeEmpty(), "request %d (%s) differs from the recording", i, lines[i])
		Expect(x.status).To(Equal(c.recorded[i].Response.Code))
	}
}

// drive makes the call with stripe-go, checks its requests and returns
// what its decoded values lose.
func drive(c call) []occurrence {
	before := traffic.count()
	var found []occurrence
	status := c.recorded[0].Response.Code
	if !c.list {
		params, err := retrieveParams(c.query)
		Expect(err).NotTo(HaveOccurred(), c.String())
		caller := client
		if status == http.StatusUnauthorized {
			caller = refused
		}
		ip, err := caller.Get(c.id, params)
		checkRequests(c, traffic.since(before))
		if status >= 400 {
			found = append(found, compareError(c, 0, err)...)
		} else {
			Expect(err).NotTo(HaveOccurred())
			Expect(ip.ID).To(Equal(gjson.Get(c.recorded[0].Response.Body, "id").String()))
			Expect(ip.LastResponse).To(contractmatch.KeepTheContract(), "%s: what stripe-go received", c)
			found = append(found, compare(c, 0, "", ip)...)
		}
		return found
	}
	params, err := listParams(c.query)
	Expect(err).NotTo(HaveOccurred(), c.String())
	it := client.List(params)
	var pages []*stripe.InvoicePaymentList
	var ids []string
	for it.Next() {
		if page := it.InvoicePaymentList(); len(pages) == 0 || pages[len(pages)-1] != page {
			pages = append(pages, page)
		}
		ids = append(ids, it.InvoicePayment().ID)
	}
	checkRequests(c, traffic.since(before))
	if status >= 400 {
		return compareError(c, 0, it.Err())
	}
	Expect(it.Err()).NotTo(HaveOccurred())
	if page, ok := it.List().(*stripe.InvoicePaymentList); ok && (len(pages) == 0 || pages[len(pages)-1] != page) {
		pages = append(pages, page) // an empty last page
	}
	var recordedIDs []string
	for _, r := range c.recorded {
		for _, item := range gjson.Get(r.Response.Body, "data.#.id").Array() {
			recordedIDs = append(recordedIDs, item.String())
		}
	}
	Expect(ids).To(Equal(recordedIDs), "the items stripe-go's iterator yielded, in order, across pages")
	Expect(pages).To(HaveLen(len(c.recorded)), "pages decoded")
	for i, page := range pages {
		Expect(page.LastResponse).To(contractmatch.KeepTheContract(), "%s: page %d, as stripe-go received it", c, i)
		found = append(found, compare(c, i, "", page)...)
	}
	return found
}

// compareError checks that the SDK returned Stripe's error as a *stripe.Error
// and compares it with the recorded envelope's error member.
func compareError(c call, page int, err error) []occurrence {
	var se *stripe.Error
	Expect(errors.As(err, &se)).To(BeTrue(), "want a *stripe.Error for the recorded %d, got %v", c.recorded[page].Response.Code, err)
	Expect(se.HTTPStatusCode).To(Equal(c.recorded[page].Response.Code))
	return compare(c, page, "error", se)
}

// losses gathers what every call's decoding lost, for the finding specs.
var losses = map[string][]occurrence{} // by call

var _ = Describe("stripe-go v85 against the replay server", Ordered, ContinueOnFailure, func() {
	calls := plan()
	known, err := readFindings()

	It("has the calls it needs in the cassettes: retrieve, expand, list filtered, list over two pages", func() {
		var gets, expands, lists, paginated int
		for _, c := range calls {
			switch {
			case c.list && len(c.interactions) > 1:
				paginated++
			case c.list:
				lists++
			case c.query.Has("expand[]") || c.query.Has("expand[0]"):
				expands++
			default:
				gets++
			}
		}
		Expect(gets).To(BeNumerically(">=", 6))
		Expect(expands).To(Equal(2))
		Expect(lists).To(BeNumerically(">=", 3))
		Expect(paginated).To(Equal(1))
	})

	for _, c := range calls {
		It(c.String(), func() {
			found := drive(c)
			losses[c.String()] = found
			if len(found) > 0 {
				lines := make([]string, len(found))
				for i, o := range found {
					lines[i] = string(o.Kind) + " " + o.Where + " at " + o.String()
				}
				AddReportEntry("losses", strings.Join(lines, "\n"))
			}
		})
	}

	// The findings: each a spec that passes while the loss it names occurs
	// (a documented outcome, not a silent one) and fails when it no longer
	// does, so that a stripe-go upgrade that fixes it is noticed.
	all := func() (unlisted []occurrence, byFinding [][]occurrence) {
		var flat []occurrence
		for _, c := range calls {
			flat = append(flat, losses[c.String()]...)
		}
		ls := make([]sdk.Loss, len(flat))
		for i, o := range flat {
			ls[i] = o.Loss
		}
		occ, un := sdk.Reconcile(known, ls)
		for _, n := range un {
			unlisted = append(unlisted, flat[n])
		}
		byFinding = make([][]occurrence, len(occ))
		for i, ns := range occ {
			for _, n := range ns {
				byFinding[i] = append(byFinding[i], flat[n])
			}
		}
		return unlisted, byFinding
	}
	requireAll := func() {
		if len(losses) < len(calls) {
			Skip("findings are reconciled over a whole run; run the suite without focus")
		}
	}

	It("reads findings.yaml", func() {
		Expect(err).NotTo(HaveOccurred())
		Expect(known).NotTo(BeEmpty())
	})

	for i, f := range known {
		It("finding "+f.Name(), Label("finding", string(f.Kind)), func() {
			requireAll()
			_, byFinding := all()
			AddReportEntry(f.Name(), f.Explanation)
			lines := make([]string, len(byFinding[i]))
			for n, o := range byFinding[i] {
				lines[n] = o.Where + " at " + o.String()
			}
			AddReportEntry("where", strings.Join(lines, "\n"))
			Expect(byFinding[i]).NotTo(BeEmpty(), "findings.yaml:%d lists %s, which no longer occurs: stripe-go or the cassettes changed; remove it (and its README line)", f.Line, f.Name())
		})
	}

	It("loses nothing that findings.yaml does not list", func() {
		requireAll()
		unlisted, _ := all()
		// One line per place, with its count and first occurrence: what a
		// findings.yaml entry would name.
		var names []string
		first := map[string]occurrence{}
		count := map[string]int{}
		for _, o := range unlisted {
			name := string(o.Kind) + ": " + o.Where
			if count[name] == 0 {
				names = append(names, name)
				first[name] = o
			}
			count[name]++
		}
		for n, name := range names {
			names[n] = fmt.Sprintf("%s (%d times; first at %s)", name, count[name], first[name])
		}
		Expect(names).To(BeEmpty(), "stripe-go loses information that findings.yaml does not list:\n%s", strings.Join(names, "\n"))
	})
})

// readFindings reads the checked-in list of known findings.
func readFindings() ([]sdk.Finding, error) {
	data, err := os.ReadFile("findings.yaml")
	if err != nil {
		return nil, err
	}
	fs, err := sdk.ParseFindings(data)
	if err != nil {
		return nil, fmt.Errorf("findings.yaml: %w", err)
	}
	return fs, nil
}

var _ = Describe("stripe-go's request side", func() {
	It("is caught when it differs from the recording: the replay server's miss names the nearest and the difference", func() {
		before := traffic.count()
		params := &stripe.InvoicePaymentParams{}
		params.AddExpand("payment.charge")
		_, err := client.Get("inpay_1QPaidPaymentIntent1", params)
		var se *stripe.Error
		Expect(errors.As(err, &se)).To(BeTrue(), "got %v", err)
		Expect(se.HTTPStatusCode).To(Equal(recorder.MissStatus), "a status Stripe never sends")
		Expect(string(se.Type)).To(Equal(recorder.MissErrorType), "not Stripe's invalid_request_error")
		Expect(se.Msg).To(MatchRegexp(`nearest is interaction 0 of stripe-mock/retrieve_\w+\.yaml`))
		Expect(se.Msg).To(ContainSubstring("sent expand[]=payment.charge"))
		sent := traffic.since(before)
		Expect(sent).To(HaveLen(1))
		Expect(sent[0].miss).To(BeTrue())
		Expect(sent[0].req.URL.Query()).To(HaveKeyWithValue("expand[0]", []string{"payment.charge"}))
	})
})
