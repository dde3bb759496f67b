package recorder_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// exampleUpstream stands in for api.stripe.com or stripe-mock.
func exampleUpstream() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id": "inpay_1", "object": "invoice_payment", "amount_paid": null, "amount_requested": 2000,
  "created": 1760000000, "currency": "usd", "invoice": "in_1", "is_default": true, "livemode": false,
  "payment": {"type": "payment_intent", "payment_intent": "pi_1"}, "status": "open",
  "status_transitions": {"canceled_at": null, "paid_at": null}}`)
	}))
}

// Record once, then replay offline: the second recorder never reaches the
// upstream, and the cassette holds no key.
func Example() {
	upstream := exampleUpstream()
	defer upstream.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "retrieve.yaml")

	rec, err := recorder.New(file, recorder.WithCaptureHandler(func(c recorder.Capture) {
		fmt.Println("recorded", c.Method, c.URL, "valid:", c.Result.Valid())
	}))
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("GET", upstream.URL+"/v1/invoice_payments/inpay_1?expand[]=invoice", nil)
	req.Header.Set("Authorization", "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc") // the API reference's example key
	resp, err := rec.Client().Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	if err := rec.Stop(); err != nil {
		panic(err)
	}
	saved, _ := os.ReadFile(file)
	fmt.Println("key on disk:", strings.Contains(string(saved), "4eC39HqLyjWDarjtT1zdp7dc"))

	upstream.Close()
	replay, err := recorder.New(file, recorder.WithMode(recorder.ModeReplayOnly))
	if err != nil {
		panic(err)
	}
	resp, err = replay.Client().Get(upstream.URL + "/v1/invoice_payments/inpay_1?expand%5B0%5D=invoice")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println("replayed:", resp.StatusCode, strings.Contains(string(body), `"status": "open"`))

	_, err = replay.Client().Get(upstream.URL + "/v1/invoice_payments/inpay_1?expand[]=payment.payment_intent")
	var miss *recorder.MissError
	if errors.As(err, &miss) {
		fmt.Println(miss.Nearest.Differences[0])
	}
	// Output:
	// recorded GET /v1/invoice_payments/inpay_1?expand[]=invoice valid: true
	// key on disk: false
	// replayed: 200 true
	// query: recorded expand[]=invoice, sent expand[]=payment.payment_intent
}

// A replay server for SDK test suites: point the SDK's API base at it.
func ExampleNewServer() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	err := recorder.WriteCassette(filepath.Join(dir, "open.yaml"), []*cassette.Interaction{{
		Request:  cassette.Request{Method: "GET", URL: "https://api.stripe.com/v1/invoice_payments/inpay_1"},
		Response: cassette.Response{Code: 200, Headers: http.Header{"Content-Type": {"application/json"}}, Body: `{"id": "inpay_1", "status": "open"}`},
	}}, recorder.WithProvenance("written by hand for this example"))
	if err != nil {
		panic(err)
	}
	srv, err := recorder.NewServer(os.DirFS(dir))
	if err != nil {
		panic(err)
	}
	api := httptest.NewServer(srv)
	defer api.Close()

	resp, _ := http.Get(api.URL + "/v1/invoice_payments/inpay_1")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body), resp.Header.Get(recorder.ReplayedFromHeader))

	resp, _ = http.Get(api.URL + "/v1/invoice_payments/inpay_2")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output:
	// 200 {"id": "inpay_1", "status": "open"} open.yaml#/interactions/0
	// 421 {
	//   "error": {
	//     "type": "stripe_contract_miss",
	//     "message": "no recorded interaction matches GET /v1/invoice_payments/inpay_2; nearest is interaction 0 of open.yaml (GET /v1/invoice_payments/inpay_1): path: recorded /v1/invoice_payments/inpay_1, sent /v1/invoice_payments/inpay_2",
	//     "nearest": "open.yaml#/interactions/0",
	//     "differences": [
	//       "path: recorded /v1/invoice_payments/inpay_1, sent /v1/invoice_payments/inpay_2"
	//     ]
	//   }
	// }
}

func ExampleMatcher_Diff() {
	sent, _ := http.NewRequest("GET", "http://127.0.0.1:12114/v1/invoice_payments?status=open&payment%5Btype%5D=payment_intent&limit=3", nil)
	recorded := cassette.Request{Method: "GET", URL: "https://api.stripe.com/v1/invoice_payments?limit=3&payment[type]=payment_intent&status=paid"}
	for _, d := range recorder.NewMatcher().Diff(sent, recorded) {
		fmt.Println(d)
	}
	// Output:
	// query: recorded status=paid, sent status=open
}
