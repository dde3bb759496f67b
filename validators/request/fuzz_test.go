package request_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzCheck: whatever the query, Check neither panics nor reports a rule
// the contract does not define, and the envelope is built.
func FuzzCheck(f *testing.F) {
	for _, q := range []string{"limit=0", "payment[type]=x&payment[payment_intent]=pi", "expand[0]=invoice&expand[]=x",
		"created[gte]=1&created=2", "a[b][c][d]=1", "%zz", "starting_after=a&ending_before=b", "limit=99999999999999999999"} {
		f.Add("/v1/invoice_payments", q)
		f.Add("/v1/invoice_payments/inpay_1", q)
	}
	defined := map[string]bool{}
	for _, r := range checker.Rules() {
		defined[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: path, RawQuery: query}, Header: http.Header{}}
		vs := checker.Check(r)
		for _, v := range vs {
			if !defined[v.Rule] {
				t.Fatalf("%s?%s: violation with undefined rule %q: %v", path, query, v.Rule, v)
			}
		}
		if status, body := checker.ErrorResponse(vs); len(vs) > 0 && (status != http.StatusBadRequest || len(body) == 0) {
			t.Fatalf("%s?%s: no envelope", path, query)
		}
	})
}

// FuzzCheckForm: whatever the form body of a POST, Check neither panics nor
// reports a rule the contract does not define.
func FuzzCheckForm(f *testing.F) {
	for _, body := range []string{"amount=abc&currency=usd", "metadata[k][x]=v", "metadata=", "items[0][price]=p&items[1][quantity]=x",
		"confirm=yes", "amount=99999999999999999999", "payment_method_data[type]=card&payment_method_data[card][exp_month]=x", "%zz", "a[b]=1&a=2"} {
		f.Add("/v1/payment_intents", body)
		f.Add("/v1/customers/cus_1", body)
		f.Add("/v1/subscriptions", body)
	}
	defined := map[string]bool{}
	for _, r := range checker.Rules() {
		defined[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: path}, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body: io.NopCloser(strings.NewReader(body))}
		vs := checker.Check(r)
		for _, v := range vs {
			if !defined[v.Rule] {
				t.Fatalf("%s %q: violation with undefined rule %q: %v", path, body, v.Rule, v)
			}
		}
		if status, body := checker.ErrorResponse(vs); len(vs) > 0 && (status != http.StatusBadRequest || len(body) == 0) {
			t.Fatalf("%s: no envelope", path)
		}
	})
}
