package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/suites/replay"
	"github.com/stripe-contract/stripe-contract/validators"
)

// mutation rewrites the replay server's answer to one recorded
// interaction, named as recorder.ReplayedFromHeader names it.
type mutation struct {
	from   string // "stripe-mock/retrieve_open.yaml#/interactions/0"
	status int    // a status to answer with instead, or 0
	body   func(map[string]any)
}

// brokenTarget is the replay server behind a handler that breaks the
// answers the mutations name: a target that breaks the contract on purpose.
func brokenTarget(fsys fs.FS, mutations ...mutation) *replay.Target {
	srv, err := recorder.NewServer(fsys)
	Expect(err).NotTo(HaveOccurred())
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The handler runs on the server's goroutine: a failed Expect there
		// must reach Ginkgo as a failure, not crash the test binary.
		defer GinkgoRecover()
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		status, body := rec.Code, rec.Body.Bytes()
		for _, m := range mutations {
			if rec.Header().Get(recorder.ReplayedFromHeader) != m.from {
				continue
			}
			if m.status != 0 {
				status = m.status
			}
			if m.body != nil {
				var doc map[string]any
				dec := json.NewDecoder(bytes.NewReader(body))
				dec.UseNumber()
				Expect(dec.Decode(&doc)).To(Succeed())
				m.body(doc)
				var merr error // not the enclosing err: handlers run concurrently
				body, merr = json.Marshal(doc)
				Expect(merr).NotTo(HaveOccurred())
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}))
	DeferCleanup(ts.Close)
	return replay.URL("broken", ts.URL, replay.PlaceholderKey)
}

func run(e *replay.Engine, t *replay.Target) *replay.Report {
	rep, err := e.Run(context.Background(), t)
	Expect(err).NotTo(HaveOccurred())
	return rep
}

// find returns the deviations at cassette#interaction with rule and pointer.
func find(rep *replay.Report, cassette string, interaction int, rule, pointer string) []replay.Deviation {
	var out []replay.Deviation
	for _, d := range rep.Deviations() {
		if d.Cassette == cassette && d.Interaction == interaction && d.Rule == rule && d.Pointer == pointer {
			out = append(out, d)
		}
	}
	return out
}

func items(doc map[string]any) []any { return doc["data"].([]any) }

var _ = Describe("the engine", func() {
	var engine *replay.Engine
	BeforeEach(func() {
		var err error
		engine, err = replay.New(cassettes.FS)
		Expect(err).NotTo(HaveOccurred())
	})

	It("loads every interaction of the bundled cassettes, in lexical order, with its line", func() {
		ins := engine.Interactions()
		Expect(ins).To(HaveLen(41))
		Expect(ins[0].Name()).To(Equal("docs/error_404_resource_missing.yaml#0 GET /v1/invoice_payments/inpay_1QDoesNotExist000001"))
		Expect(ins[1].Source()).To(Equal("docs/flow_webhook_charge_succeeded.yaml#0"))
		Expect(ins[1].Webhook).To(BeTrue())
		Expect(ins[4].Source()).To(Equal("docs/list_two_pages.yaml#1"))
		Expect(ins[4].Line).To(BeNumerically(">", ins[3].Line))
		Expect(ins[5].Source()).To(Equal("docs/webhook_invoice_payment_paid.yaml#0"))
		Expect(ins[5].Webhook).To(BeTrue())
	})

	It("finds nothing when the replay server answers from the same cassettes", func() {
		t := replay.Replay(cassettes.FS)
		for range 2 { // each run starts a fresh server: interactions play in order every time
			rep := run(engine, t)
			Expect(rep.Deviations()).To(BeEmpty())
			Expect(rep.Judge(nil).Failed()).To(BeFalse())
		}
	})

	DescribeTable("a deliberately broken target: each deviation names cassette, interaction, pointer and rule",
		func(m mutation, cassette string, interaction int, rules map[string]string) {
			rep := run(engine, brokenTarget(cassettes.FS, m))
			for rule, pointer := range rules {
				found := find(rep, cassette, interaction, rule, pointer)
				Expect(found).NotTo(BeEmpty(), "no %s at %s#%d %s; got:\n%s", rule, cassette, interaction, pointer, dump(rep))
				s := found[0].String()
				Expect(s).To(ContainSubstring(fmt.Sprintf("%s#%d", cassette, interaction)))
				Expect(s).To(ContainSubstring(pointer))
				Expect(s).To(ContainSubstring("[" + rule + "]"))
				Expect(found[0].Message).NotTo(BeEmpty())
			}
			v := rep.Judge(nil)
			Expect(v.Failed()).To(BeTrue())
			// Nothing else broke: every new deviation is in the mutated cassette.
			for _, d := range v.New {
				Expect(d.Cassette).To(Equal(cassette), "unexpected deviation %s", d)
			}
		},
		Entry("amount_paid set on an open payment",
			mutation{from: "stripe-mock/retrieve_open.yaml#/interactions/0", body: func(d map[string]any) { d["amount_paid"] = 2000 }},
			"stripe-mock/retrieve_open.yaml", 0, map[string]string{
				"invoice_payment.amount_paid.null-unless-paid": "/response/body/amount_paid",
				replay.RuleNullness:                            "/response/body/amount_paid",
			}),
		Entry("a required field dropped",
			mutation{from: "stripe-mock/retrieve_paid_charge.yaml#/interactions/0", body: func(d map[string]any) { delete(d, "currency") }},
			"stripe-mock/retrieve_paid_charge.yaml", 0, map[string]string{
				"invoice_payment.currency.required": "/response/body/currency",
				replay.RuleMissingField:             "/response/body/currency",
			}),
		Entry("a type changed",
			mutation{from: "stripe-mock/retrieve_canceled.yaml#/interactions/0", body: func(d map[string]any) { d["amount_requested"] = "2000" }},
			"stripe-mock/retrieve_canceled.yaml", 0, map[string]string{
				"invoice_payment.amount_requested.json-type": "/response/body/amount_requested",
				replay.RuleType: "/response/body/amount_requested",
			}),
		Entry("a value changed where values must agree",
			mutation{from: "stripe-mock/retrieve_partially_paid.yaml#/interactions/0", body: func(d map[string]any) { d["amount_paid"] = 1400 }},
			"stripe-mock/retrieve_partially_paid.yaml", 0, map[string]string{replay.RuleValue: "/response/body/amount_paid"}),
		Entry("the status code changed",
			mutation{from: "docs/error_404_resource_missing.yaml#/interactions/0", status: http.StatusInternalServerError},
			"docs/error_404_resource_missing.yaml", 0, map[string]string{replay.RuleStatus: "/response/code"}),
		Entry("a page's last id changed, so the next page's cursor no longer follows it",
			mutation{from: "docs/list_two_pages.yaml#/interactions/0", body: func(d map[string]any) {
				items(d)[1].(map[string]any)["id"] = "inpay_SomethingElse00001"
			}},
			"docs/list_two_pages.yaml", 1, map[string]string{replay.RulePaginationCursor: "/request/query/starting_after"}),
		Entry("an item of the first page repeated on the second",
			mutation{from: "docs/list_two_pages.yaml#/interactions/1", body: func(d map[string]any) {
				items(d)[0].(map[string]any)["id"] = "inpay_1QInstallment000003"
			}},
			"docs/list_two_pages.yaml", 1, map[string]string{replay.RulePaginationRepeated: "/response/body/data/0/id"}),
		Entry("has_more false on a page the walk went on from",
			mutation{from: "docs/list_two_pages.yaml#/interactions/0", body: func(d map[string]any) { d["has_more"] = false }},
			"docs/list_two_pages.yaml", 0, map[string]string{
				replay.RulePaginationHasMore: "/response/body/has_more",
				replay.RuleValue:             "/response/body/has_more",
			}),
		Entry("a newer item on the second page",
			mutation{from: "docs/list_two_pages.yaml#/interactions/1", body: func(d map[string]any) {
				items(d)[0].(map[string]any)["created"] = 1770000000
			}},
			"docs/list_two_pages.yaml", 1, map[string]string{replay.RulePaginationOrder: "/response/body/data/0/created"}),
	)

	It("does not compare the values of volatile fields, but does their presence, type and nullness", func() {
		rep := run(engine, brokenTarget(cassettes.FS, mutation{from: "stripe-mock/retrieve_open.yaml#/interactions/0", body: func(d map[string]any) {
			d["id"] = "inpay_MintedElsewhere0001"
			d["created"] = 1234567890
			d["status_transitions"].(map[string]any)["paid_at"] = 1234567890
		}}))
		Expect(find(rep, "stripe-mock/retrieve_open.yaml", 0, replay.RuleValue, "/response/body/id")).To(BeEmpty())
		Expect(find(rep, "stripe-mock/retrieve_open.yaml", 0, replay.RuleValue, "/response/body/created")).To(BeEmpty())
		Expect(find(rep, "stripe-mock/retrieve_open.yaml", 0, replay.RuleNullness, "/response/body/status_transitions/paid_at")).To(HaveLen(1))
	})

	It("reports a field the recording lacks as a warning, which does not fail", func() {
		rep := run(engine, brokenTarget(cassettes.FS, mutation{from: "stripe-mock/retrieve_open.yaml#/interactions/0", body: func(d map[string]any) { d["brand_new_field"] = true }}))
		found := find(rep, "stripe-mock/retrieve_open.yaml", 0, replay.RuleExtraField, "/response/body/brand_new_field")
		Expect(found).To(HaveLen(1))
		Expect(found[0].Severity).To(Equal(validators.Warning))
		v := rep.Judge(nil)
		Expect(v.Minor).NotTo(BeEmpty())
		Expect(v.Failed()).To(BeFalse())
	})

	It("skips webhook deliveries for API targets and replays them to the replay target", func() {
		rep := run(engine, brokenTarget(cassettes.FS))
		res, ok := rep.Result("docs/webhook_invoice_payment_paid.yaml", 0)
		Expect(ok).To(BeTrue())
		Expect(res.Skipped).To(ContainSubstring("webhook delivery"))
		Expect(rep.Judge(nil).Skipped).To(Equal(3)) // the three bundled deliveries

		rep = run(engine, replay.Replay(cassettes.FS))
		res, _ = rep.Result("docs/webhook_invoice_payment_paid.yaml", 0)
		Expect(res.Skipped).To(BeEmpty())
		Expect(res.Status).To(Equal(200))
	})

	It("reports a target that does not answer, naming the interaction", func() {
		ts := httptest.NewServer(http.NotFoundHandler())
		url := ts.URL
		ts.Close()
		rep := run(engine, replay.URL("gone", url, replay.PlaceholderKey))
		Expect(find(rep, "stripe-mock/retrieve_open.yaml", 0, replay.RuleNoAnswer, "")).To(HaveLen(1))
	})

	It("checks the recorded pages too (pagination.recorded.*)", func() {
		data, err := fs.ReadFile(cassettes.FS, "docs/list_two_pages.yaml")
		Expect(err).NotTo(HaveOccurred())
		// The second request's cursor no longer follows the first page.
		bad := strings.ReplaceAll(string(data), "starting_after=inpay_1QInstallment000002", "starting_after=inpay_1QInstallment000003")
		bad = strings.ReplaceAll(bad, "- inpay_1QInstallment000002\n", "- inpay_1QInstallment000003\n")
		fsys := fstest.MapFS{"list.yaml": {Data: []byte(bad)}}
		e, err := replay.New(fsys)
		Expect(err).NotTo(HaveOccurred())
		rep := run(e, replay.Replay(fsys))
		Expect(find(rep, "list.yaml", 1, "pagination.recorded.cursor", "/request/query/starting_after")).To(HaveLen(1))
		Expect(find(rep, "list.yaml", 1, replay.RulePaginationCursor, "/request/query/starting_after")).To(HaveLen(1))
	})

	Describe("the request check hook", func() {
		It("reports a violation on a request answered 2xx, and none on one the API rejected (4xx)", func() {
			var seen []string
			e, err := replay.New(cassettes.FS, replay.WithRequestCheck(func(r *http.Request) []validators.Violation {
				seen = append(seen, r.Method+" "+r.URL.RequestURI())
				return []validators.Violation{{Rule: "request.test.rule", Pointer: "/query/status", Message: "breaks the request contract", Severity: validators.Error}}
			}))
			Expect(err).NotTo(HaveOccurred())
			rep := run(e, replay.Replay(cassettes.FS))
			Expect(find(rep, "stripe-mock/list_by_status.yaml", 0, "request.test.rule", "/request/query/status")).To(HaveLen(1))
			Expect(find(rep, "stripe-mock/error_400_invalid_status.yaml", 0, "request.test.rule", "/request/query/status")).To(BeEmpty())
			Expect(find(rep, "docs/error_404_resource_missing.yaml", 0, "request.test.rule", "/request/query/status")).To(BeEmpty())
			Expect(seen).NotTo(ContainElement(HavePrefix("POST /webhooks")))
		})
	})

	Describe("the request contract, checked by default", func() {
		It("reports a recorded request the API would reject but the recording shows answered 200", func() {
			data, err := fs.ReadFile(cassettes.FS, "stripe-mock/list_by_status.yaml")
			Expect(err).NotTo(HaveOccurred())
			bad := strings.ReplaceAll(string(data), "&status=open", "&status=open&limit=0")
			Expect(bad).NotTo(Equal(string(data)))
			fsys := fstest.MapFS{"list.yaml": {Data: []byte(bad)}}
			e, err := replay.New(fsys)
			Expect(err).NotTo(HaveOccurred())
			rep := run(e, replay.Replay(fsys))
			Expect(find(rep, "list.yaml", 0, "request.invoice_payments.list.limit.range", "/request/query/limit")).To(HaveLen(1), dump(rep))

			e, err = replay.New(fsys, replay.WithRequestCheck(nil))
			Expect(err).NotTo(HaveOccurred())
			Expect(run(e, replay.Replay(fsys)).Deviations()).To(BeEmpty())
		})

		It("finds nothing to report in the bundled cassettes' requests", func() {
			e, err := replay.New(cassettes.FS)
			Expect(err).NotTo(HaveOccurred())
			for _, d := range run(e, replay.Replay(cassettes.FS)).Deviations() {
				Expect(d.Rule).NotTo(HavePrefix("request."), d.String())
			}
		})
	})

	It("refuses a cassette set it cannot read, naming the file and line", func() {
		_, err := replay.New(fstest.MapFS{"bad.yaml": {Data: []byte("version: 1\ninteractions: []\n")}})
		Expect(err).To(MatchError(ContainSubstring("cassette bad.yaml: not a go-vcr cassette: line 1: version 1, want 2")))
		_, err = replay.New(fstest.MapFS{"bad.yaml": {Data: []byte("version: 2\ninteractions:\n  - request: [\n")}})
		Expect(err).To(MatchError(ContainSubstring("cassette bad.yaml")))
		_, err = replay.New(fstest.MapFS{})
		Expect(err).To(MatchError(ContainSubstring("no cassettes")))
	})
})

var _ = Describe("targets", func() {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

	It("refuses live-mode keys with a message saying why", func() {
		for _, key := range []string{"sk_live_abc", "rk_live_abc"} {
			_, err := replay.Live(env(map[string]string{replay.EnvAPIKey: key}))
			var ke *replay.KeyError
			Expect(errors.As(err, &ke)).To(BeTrue())
			Expect(err.Error()).To(ContainSubstring("live-mode key"))
			Expect(err.Error()).To(ContainSubstring("test mode only"))
			Expect(err.Error()).NotTo(ContainSubstring("abc"))
		}
		_, err := replay.Open(context.Background(), "http://127.0.0.1:1", nil, env(map[string]string{replay.EnvAPIKey: "sk_live_abc"}))
		Expect(err).To(HaveOccurred())
	})

	It("skips live without a key, saying how to enable it", func() {
		_, err := replay.Live(env(nil))
		Expect(err).To(MatchError(replay.ErrLiveNotConfigured))
		Expect(err.Error()).To(ContainSubstring("STRIPE_API_KEY=sk_test_"))
	})

	It("accepts test-mode keys and STRIPE_API_BASE", func() {
		t, err := replay.Live(env(map[string]string{replay.EnvAPIKey: "rk_test_abc", replay.EnvAPIBase: "http://127.0.0.1:1/"}))
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Name).To(Equal("live"))
		_, err = replay.Live(env(map[string]string{replay.EnvAPIKey: "rk_test_abc", replay.EnvAPIBase: "ftp://x"}))
		Expect(err).To(MatchError(ContainSubstring("STRIPE_API_BASE")))
	})

	It("names unknown targets", func() {
		_, err := replay.Open(context.Background(), "stripe-mok", nil, env(nil))
		Expect(err).To(MatchError(ContainSubstring(`unknown target "stripe-mok"`)))
		_, err = replay.Open(context.Background(), "http://user:pw@127.0.0.1:1", nil, env(nil))
		Expect(err).To(MatchError(ContainSubstring("credentials")))
	})
})

var _ = Describe("baselines", func() {
	dev := func(cassette string, n int, rule, ptr string) replay.Deviation {
		return replay.Deviation{Cassette: cassette, Interaction: n, Rule: rule, Pointer: ptr, Message: "m", Severity: validators.Error}
	}
	report := &replay.Report{Target: "t", Results: []replay.Result{
		{Interaction: replay.Interaction{Cassette: "b.yaml"}, Deviations: []replay.Deviation{dev("b.yaml", 0, "r2", "/x"), dev("b.yaml", 0, "r1", "/y")}},
		{Interaction: replay.Interaction{Cassette: "a.yaml", Index: 1}, Deviations: []replay.Deviation{dev("a.yaml", 1, "r1", "/z")}},
	}}

	It("are written sorted, one entry per line, and read back", func() {
		path := filepath.Join(GinkgoT().TempDir(), "t.json")
		Expect(report.Baseline().WriteFile(path, "the command")).To(Succeed())
		data, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(data)).To(Equal(`{
  "target": "t",
  "rewrite": "the command",
  "deviations": [
    {"cassette":"a.yaml","interaction":1,"rule":"r1","pointer":"/z"},
    {"cassette":"b.yaml","interaction":0,"rule":"r2","pointer":"/x"},
    {"cassette":"b.yaml","interaction":0,"rule":"r1","pointer":"/y"}
  ]
}
`))
		b, err := replay.ReadBaseline(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.Entries).To(Equal(report.Baseline().Entries))
		Expect(report.Judge(b).Failed()).To(BeFalse())
	})

	It("sort deviations into new and known, and flag entries that no longer occur", func() {
		b := report.Baseline()
		b.Entries = append(b.Entries[1:], replay.Entry{Cassette: "c.yaml", Rule: "gone", Pointer: "/w"})
		b = mustRoundTrip(b)
		v := report.Judge(b)
		Expect(v.New).To(ConsistOf(dev("a.yaml", 1, "r1", "/z")))
		Expect(v.Known).To(HaveLen(2))
		Expect(v.Stale).To(ConsistOf(replay.Entry{Cassette: "c.yaml", Rule: "gone", Pointer: "/w"}))
		Expect(v.Failed()).To(BeTrue())
	})

	It("give each deviation one status in the verdict, which the formats and the suites read", func() {
		minor := dev("a.yaml", 1, "w", "/v")
		minor.Severity = validators.Warning
		rep := &replay.Report{Target: "t", Results: []replay.Result{
			report.Results[0],
			{Interaction: report.Results[1].Interaction, Deviations: append(slices.Clone(report.Results[1].Deviations), minor)},
		}}
		b := report.Baseline()
		b.Entries = b.Entries[1:] // a.yaml#1 r1 /z is new
		v := rep.Judge(mustRoundTrip(b))
		status := func(js []replay.Judged) []string {
			var out []string
			for _, j := range js {
				out = append(out, j.Rule+" "+j.Status)
			}
			return out
		}
		Expect(status(v.For("b.yaml", 0))).To(Equal([]string{"r2 known", "r1 known"}))
		Expect(status(v.For("a.yaml", 1))).To(Equal([]string{"r1 new", "w minor"}))
		Expect(v.Judged).To(HaveLen(len(v.New) + len(v.Known) + len(v.Minor)))
		var buf bytes.Buffer
		Expect(replay.Write(&buf, "json", rep, v, replay.WriteOptions{})).To(Succeed())
		Expect(buf.String()).To(ContainSubstring(`"rule":"r1","path":"/z","message":"m","severity":"error","status":"new"`))
		Expect(buf.String()).To(ContainSubstring(`"rule":"w","path":"/v","message":"m","severity":"warning","status":"minor"`))
	})

	It("refuse a malformed file, naming it", func() {
		path := filepath.Join(GinkgoT().TempDir(), "bad.json")
		Expect(os.WriteFile(path, []byte(`{"target":"t","deviations":[{"cassette":"a.yaml","rule":"r","pointer":"/x","message":"no"}]}`), 0o644)).To(Succeed())
		_, err := replay.ReadBaseline(path)
		Expect(err).To(MatchError(ContainSubstring("baseline " + path)))
		_, err = replay.ReadBaseline(filepath.Join(GinkgoT().TempDir(), "missing.json"))
		Expect(errors.Is(err, fs.ErrNotExist)).To(BeTrue())
	})
})

// mustRoundTrip writes and reads b, as a baseline file is.
func mustRoundTrip(b *replay.Baseline) *replay.Baseline {
	path := filepath.Join(GinkgoT().TempDir(), "b.json")
	Expect(b.WriteFile(path, "")).To(Succeed())
	out, err := replay.ReadBaseline(path)
	Expect(err).NotTo(HaveOccurred())
	return out
}

func dump(rep *replay.Report) string {
	var b strings.Builder
	for _, d := range rep.Deviations() {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}
