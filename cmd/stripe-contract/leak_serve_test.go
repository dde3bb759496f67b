package main_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// telemetry checks that the SDK's client user agent and telemetry headers
// are dropped, or cut to the SDK's name and version, before saving: they
// carry the machine's uname and hostname and a telemetry id.
func (h *leakHarness) telemetry(t *testing.T) {
	host, uname, telemetryID, requestID := "build-"+strings.ToLower(rnd(16)), rnd(20), rnd(24), "req_"+rnd(14)
	ua := fmt.Sprintf(`{"bindings_version":"85.0.0","lang":"go","lang_version":"go1.26.8","publisher":"stripe","uname":"Linux %s 6.12.0-%s #1 SMP x86_64 GNU/Linux","hostname":%q,"telemetry_id":%q}`, host, uname, host, telemetryID)
	tm := fmt.Sprintf(`{"last_request_metrics":{"request_id":%q,"request_duration_ms":112,"usage":["stripe_client"]}}`, requestID)
	x := &exchange{method: "GET", path: "/v1/customers/cus_telemetry", reqHeader: http.Header{}, respHeader: http.Header{}}
	x.reqHeader.Set("User-Agent", "Stripe/v1 GoBindings/85.0.0")
	x.reqHeader.Set("X-Stripe-Client-User-Agent", ua)
	x.reqHeader.Set("X-Stripe-Client-Telemetry", tm)
	plainAnswer(x)
	c := &cell{id: "telemetry-" + strconv.FormatInt(h.seq.Add(1), 10), place: place{name: "telemetry"}, enc: encoding{name: "plain"}, fam: family{name: "client_user_agent"}, x: x}
	x.reqHeader.Set("X-Leak-Cell", c.id)
	h.planted.Store(c.id, x)
	r := h.record(t, []*cell{c})
	if !r.written {
		t.Fatalf("cassette not written (exit %d): %s", r.exit, tail(r.stderr))
	}
	for what, needle := range map[string]string{"hostname": host, "uname": uname, "telemetry_id": telemetryID, "telemetry request_id": requestID} {
		t.Run(strings.ReplaceAll(what, " ", "_"), func(t *testing.T) {
			for _, rv := range []*revealer{r.onDisk, r.inStdout, r.inStderr} {
				if where, ok := rv.find(needle); ok {
					t.Errorf("the client's %s is in %s", what, where)
				}
			}
		})
	}
	t.Run("reduced_to_sdk_name_and_version", func(t *testing.T) {
		i := r.interaction(c)
		if i == nil {
			t.Fatal("no interaction recorded")
		}
		for _, name := range []string{"X-Stripe-Client-User-Agent", "X-Stripe-Client-Telemetry"} {
			v := i.Request.Headers.Get(name)
			if v == "" {
				continue // dropped
			}
			var fields map[string]any
			if err := json.Unmarshal([]byte(v), &fields); err != nil {
				t.Errorf("%s kept as %q, neither dropped nor the SDK's name and version", name, v)
				continue
			}
			for k := range fields {
				if !slices.Contains([]string{"lang", "publisher", "bindings_version"}, k) {
					t.Errorf("%s keeps %q: want it dropped, or only lang, publisher and bindings_version", name, k)
				}
			}
		}
	})
}

// serve checks what serve answers and prints: a cassette recorded with one
// key, replayed with --match-header Authorization to callers with others,
// misses and rejections naming the request, must not repeat their secrets.
func (h *leakHarness) serve(t *testing.T) {
	recordedKey := "sk_test_51" + rnd(96)
	x := &exchange{method: "GET", path: "/v1/customers/cus_serve", reqHeader: http.Header{"Authorization": {"Bearer " + recordedKey}}, respHeader: http.Header{}}
	plainAnswer(x)
	c := &cell{id: "serve-" + strconv.FormatInt(h.seq.Add(1), 10), place: place{name: "serve"}, enc: encoding{name: "plain"}, fam: family{name: "bearer"}, x: x}
	x.reqHeader.Set("X-Leak-Cell", c.id)
	h.planted.Store(c.id, x)
	rec := h.record(t, []*cell{c})
	if !rec.written {
		t.Fatalf("the cassette to serve was not written (exit %d): %s", rec.exit, tail(rec.stderr))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "recorded.yaml"), rec.file, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := h.start(t, "serve", "--cassettes", dir, "--match-header", "Authorization", "--listen", "127.0.0.1:0")
	api := srv.addr

	type call struct {
		name                string
		method, path, query string
		auth, cookie, form  string
		needle              string
		status              int
		answer              *revealer
	}
	key := func() (string, string) { body := rnd(96); return "sk_test_51" + body, body }
	var calls []*call
	k1, n1 := key()
	calls = append(calls, &call{name: "match_header_bearer_miss", method: "GET", path: "/v1/customers/cus_serve", auth: "Bearer " + k1, needle: n1})
	k2, n2 := key()
	calls = append(calls, &call{name: "match_header_basic_key_miss", method: "GET", path: "/v1/customers/cus_serve", auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(k2+":")), needle: n2})
	pw := rnd(32)
	calls = append(calls, &call{name: "match_header_basic_password_miss", method: "GET", path: "/v1/customers/cus_serve", auth: "Basic " + base64.StdEncoding.EncodeToString([]byte("leak-user:"+pw)), needle: pw})
	k3, n3 := key()
	calls = append(calls, &call{name: "key_in_query_miss", method: "GET", path: "/v1/customers/cus_serve", query: "key=" + k3, auth: "Bearer " + k3, needle: n3})
	k4, n4 := key()
	calls = append(calls, &call{name: "percent_key_in_query_miss", method: "GET", path: "/v1/customers/cus_serve", query: "key=" + percentAll(k4), needle: n4})
	k5, n5 := key()
	calls = append(calls, &call{name: "key_in_path_miss", method: "GET", path: "/v1/customers/" + k5, needle: n5})
	k6, n6 := key()
	calls = append(calls, &call{name: "percent_key_in_path_miss", method: "GET", path: "/v1/customers/" + percentAll(k6), needle: n6})
	k7, n7 := key()
	calls = append(calls, &call{name: "key_in_form_miss", method: "POST", path: "/v1/customers", form: "description=x&metadata[note]=" + k7, needle: n7})
	k8, n8 := key()
	calls = append(calls, &call{name: "key_in_unknown_param_rejected", method: "GET", path: "/v1/invoice_payments", query: "invoice=in_1&api_key=" + k8, needle: n8})
	cs := clientSecret("pi_3")()
	calls = append(calls, &call{name: "client_secret_in_query_miss", method: "GET", path: "/v1/payment_intents/pi_1", query: "client_secret=" + cs.value, needle: cs.needle})
	ck := rnd(40)
	calls = append(calls, &call{name: "cookie_miss", method: "GET", path: "/v1/customers/cus_other", cookie: "__stripe_sid=" + ck, needle: ck})

	for _, cl := range calls {
		var body io.Reader
		if cl.form != "" {
			body = strings.NewReader(cl.form)
		}
		req, _ := http.NewRequest(cl.method, api+"/", body)
		req.URL.Path, req.URL.Opaque, req.URL.RawQuery = "", cl.path, cl.query
		if cl.form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cl.auth != "" {
			req.Header.Set("Authorization", cl.auth)
		}
		if cl.cookie != "" {
			req.Header.Set("Cookie", cl.cookie)
		}
		cl.answer = newRevealer()
		resp, err := h.client.Do(req)
		if err != nil {
			cl.status = -1
			continue
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cl.status = resp.StatusCode
		var hdr bytes.Buffer
		resp.Header.Write(&hdr)
		cl.answer.add("the answer's headers", hdr.Bytes(), 0)
		cl.answer.add("the answer's body", data, 0)
	}
	exit, hung := srv.stop()
	out, errs := newRevealer(), newRevealer()
	out.add("serve's stdout", srv.stdout.Bytes(), 0)
	errs.add("serve's stderr", srv.stderr.Bytes(), 0)
	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			if cl.status < 400 {
				t.Errorf("answered %d: the scenario wants a miss or a rejection", cl.status)
			}
			for _, rv := range []*revealer{cl.answer, out, errs} {
				if where, ok := rv.find(cl.needle); ok {
					t.Errorf("the caller's secret is in %s", where)
				}
				if where, ok := rv.find(recordedKey[len("sk_test_51"):]); ok {
					t.Errorf("the recorded key is in %s", where)
				}
			}
		})
	}
	if hung || exit != 0 {
		t.Errorf("serve exited %d (hung %v) on SIGINT: %s", exit, hung, tail(srv.stderr.Bytes()))
	}
}
