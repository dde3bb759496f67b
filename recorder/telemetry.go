package recorder

import (
	"encoding/json"
	"net/http"
	"net/textproto"
)

// Stripe's SDKs describe the machine they run on in two request headers:
// X-Stripe-Client-User-Agent (a JSON object with the host's uname, its
// hostname on some SDKs, the language runtime, and on some a persistent
// telemetry_id) and X-Stripe-Client-Telemetry (the previous request's ID
// and duration). Neither changes what the API answers, and neither is
// matched on, but a cassette is committed: the first is reduced to the
// SDK's name and version, the second dropped.

// clientUserAgentKept are the members of X-Stripe-Client-User-Agent a
// cassette keeps: which SDK, in which version, from whom.
var clientUserAgentKept = []string{"lang", "bindings_version", "publisher"}

// reduceTelemetry drops or reduces the SDK telemetry headers of h in place.
func reduceTelemetry(h http.Header) {
	for name := range h {
		switch textproto.CanonicalMIMEHeaderKey(name) {
		case "X-Stripe-Client-Telemetry":
			delete(h, name)
		case "X-Stripe-Client-User-Agent":
			reduced := make([]string, 0, len(h[name]))
			for _, v := range h[name] {
				if r, ok := reduceClientUserAgent(v); ok {
					reduced = append(reduced, r)
				}
			}
			if len(reduced) == 0 {
				delete(h, name)
			} else {
				h[name] = reduced
			}
		}
	}
}

// reduceClientUserAgent keeps the SDK's name and version of an
// X-Stripe-Client-User-Agent value; ok is false when the value is not the
// JSON object SDKs send, and is then dropped whole.
func reduceClientUserAgent(v string) (string, bool) {
	var all map[string]any
	if err := json.Unmarshal([]byte(v), &all); err != nil {
		return "", false
	}
	kept := map[string]string{}
	for _, k := range clientUserAgentKept {
		if s, ok := all[k].(string); ok {
			kept[k] = s
		}
	}
	if len(kept) == 0 {
		return "", false
	}
	out, _ := json.Marshal(kept) // map keys in order: stable bytes
	return string(out), true
}
