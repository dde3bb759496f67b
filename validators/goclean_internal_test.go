package validators

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// goClean may say a document is clean only where goFindings finds
// nothing: on the mixed lines (events, lists, search results and invoices
// carrying invoice payments) and on each with every amount_paid made
// larger than any amount_requested.
func TestGoCleanOnlyWhereGoFindingsFindNothing(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	fp := v.versions[v.dflt].fast
	m, err := bench.NewMixed(17)
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for range 3000 {
		l, _ := m.Line()
		docs = append(docs, l)
		if over := regexp.MustCompile(`"amount_paid":\d+`).ReplaceAll(l, []byte(`"amount_paid":99999999999`)); !bytes.Equal(over, l) {
			docs = append(docs, over, bytes.ReplaceAll(over, []byte(`"object":"invoice_payment"`), []byte(`"object":"invoice_p\u0061yment"`)))
			if bytes.HasPrefix(over, []byte(`{"amount_paid":`)) { // an invoice payment: in a list too, after another item
				docs = append(docs, []byte(`{"object":"list","data":[{"object":"customer"},`+string(over)+`],"has_more":false,"url":"/v1/invoice_payments"}`))
			}
		}
	}
	var tp tape
	said, found := map[Kind]int{}, map[Kind]int{}
	for _, d := range docs {
		if !tp.scan(d, 64) || tp.toks[0].kind != tokObject {
			continue
		}
		k := kindOf(tapeFacts(&tp), fp.c)
		clean := goClean(k, &tp)
		tp.inexact = false
		findings := goFindings(k, tapeView{&tp})
		if clean && len(findings) > 0 {
			t.Fatalf("goClean says %s is clean, goFindings finds %v in\n%s", k, findings, abbreviate(d))
		}
		if clean {
			said[k]++
		}
		if len(findings) > 0 {
			found[k]++
		}
	}
	t.Logf("clean by goClean: %v; with findings: %v", said, found)
	for _, k := range []Kind{KindEvent, KindList, KindInvoice} {
		if said[k] == 0 || found[k] == 0 && k != KindInvoice {
			t.Fatalf("the lines no longer exercise %s: clean %d, with findings %d", k, said[k], found[k])
		}
	}
}
