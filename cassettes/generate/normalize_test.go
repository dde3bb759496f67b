package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	vcr "gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

func createdInteraction(body string) *vcr.Interaction {
	return &vcr.Interaction{
		Request: vcr.Request{Method: "POST", URL: "http://127.0.0.1:40000/v1/invoices", Host: "127.0.0.1:40000"},
		Response: vcr.Response{Body: body, ContentLength: int64(len(body)),
			Headers: http.Header{"Content-Length": {strconv.Itoa(len(body))}}},
	}
}

// TestNormalizeShowsCreatedIDsAsTheFixtures: the random id stripe-mock
// gives a created object is replaced wherever it stands, lengths follow.
func TestNormalizeShowsCreatedIDsAsTheFixtures(t *testing.T) {
	s := scenario{requests: []request{create("/v1/invoices", nil, flowInvoiceID)}}
	i := createdInteraction(`{"id":"in_RnfUjo8rqkowhRN","lines":{"url":"/v1/invoices/in_RnfUjo8rqkowhRN/lines"}}`)
	if err := normalize("127.0.0.1:40000", s)(i); err != nil {
		t.Fatal(err)
	}
	want := `{"id":"` + flowInvoiceID + `","lines":{"url":"/v1/invoices/` + flowInvoiceID + `/lines"}}`
	if i.Response.Body != want {
		t.Errorf("body %s, want %s", i.Response.Body, want)
	}
	if i.Response.ContentLength != int64(len(want)) || i.Response.Headers.Get("Content-Length") != strconv.Itoa(len(want)) {
		t.Errorf("lengths %d and %s, want %d", i.Response.ContentLength, i.Response.Headers.Get("Content-Length"), len(want))
	}
	if i.Request.URL != "http://"+canonicalAddr+"/v1/invoices" {
		t.Errorf("url %s", i.Request.URL)
	}
}

// TestNormalizeRefusesAnIDStripeMockDoesNotGenerate: an answer whose id is
// not of stripe-mock's random shape fails generation, naming it, rather
// than being written with an id that changes from run to run unnoticed.
func TestNormalizeRefusesAnIDStripeMockDoesNotGenerate(t *testing.T) {
	s := scenario{requests: []request{create("/v1/invoices", nil, flowInvoiceID)}}
	err := normalize("127.0.0.1:40000", s)(createdInteraction(`{"id":"cus_RnfUjo8rqkowhRN"}`))
	if err == nil || !strings.Contains(err.Error(), `"cus_RnfUjo8rqkowhRN"`) {
		t.Fatalf("err %v, want one naming the id", err)
	}
}
