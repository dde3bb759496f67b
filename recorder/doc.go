// Package recorder captures Stripe API traffic into go-vcr v4 cassettes and
// replays it: a Stripe-aware layer on gopkg.in/dnaeon/go-vcr.v4, whose
// cassette format it keeps, so that go-vcr users can read our cassettes and
// we can read theirs.
//
// Three front doors share one engine:
//
//   - New returns a Recorder, an http.RoundTripper for Go callers (stripe-go
//     takes a custom *http.Client), in the modes record, replay only, record
//     new episodes and passthrough;
//   - NewProxy puts a Recorder behind a reverse proxy that any SDK can point
//     its API base at (stripe-contract record);
//   - NewServer answers requests from a directory of cassettes, for SDK test
//     suites in any language (stripe-contract serve).
//
// A Go test gets a record-or-replay client in one call (ForTest: replays the
// cassette when it exists, records it once with a test-mode STRIPE_API_KEY
// outside CI, fails the test on a miss or a contract error):
//
//	client := recorder.ForTest(t, "testdata/retrieve.yaml") // t: *testing.T or GinkgoT()
//
// or builds the Recorder itself:
//
//	rec, err := recorder.New("testdata/retrieve.yaml", recorder.WithMode(recorder.ModeReplayOnly))
//	if err != nil { ... }
//	defer rec.Stop()
//	client := rec.Client() // pass to stripe-go's backend configuration
//
// What it guarantees:
//
//   - Requests match on method, path, and the form-encoded query and body
//     compared as multisets (expand[]=a&expand[]=b matches
//     expand[]=b&expand[]=a, expand[0]= matches expand[]=); headers that vary
//     per run or per SDK are ignored, and only Stripe-Account and
//     Stripe-Context are compared unless WithMatchHeaders asks for more.
//   - A value recorded as Masked (WithMaskPII) matches any value of its
//     parameter (query, form, JSON member, path segment, a quoted Search
//     API clause).
//   - A request that matches nothing is a *MissError naming the nearest
//     recorded request and what differs (go-vcr's MatcherFunc returns a bare
//     bool and says nothing); a Server answers it with MissStatus (421, which
//     Stripe never sends and no SDK retries) and an error of MissErrorType.
//   - Each recorded request names its API key by a label, "Bearer
//     [REDACTED key 1]", and a salted fingerprint (CredentialHeader); a
//     Server chooses among the recordings that match by the caller's key:
//     its own recordings, else those of keys never rejected, a rejected key
//     only its rejections. Identical requests play in order per session
//     (SessionHeader, else per connection); ResetPath and Reset start over.
//   - Before anything reaches disk (when Stop saves), Authorization
//     (by its label), Proxy-Authorization, Cookie and Set-Cookie are replaced and every
//     Stripe secret (sk_live_, sk_test_, rk_live_, rk_test_, whsec_ followed
//     by key characters) anywhere in the URL, headers, form or bodies is
//     replaced by the marker Redacted. Personal data (email, name, phone,
//     address fields) is masked with WithMaskPII. A cassette that would
//     still hold a secret after that (JSON-escaped, percent-encoded,
//     base64-encoded or gzip-compressed, where a text replacement cannot
//     reach it) is refused with a *SecretError and never written. Credential
//     values a server echoes back (stripe-mock's 401 quotes the
//     Authorization header) are replaced wherever they appear.
//   - Cassettes are written through package recorder/cassette's FS, which
//     writes a temporary file in the same folder, syncs it and renames it
//     over the old one (package recorder/disk), so a crash or kill leaves
//     the previous cassette intact.
//   - Every JSON response body is validated with package validators as it
//     is captured; WithCaptureHandler receives the result.
//   - A Server given WithRequestCheck (package validators/request provides
//     the checker) answers a request that breaks the request contract with
//     the 400 error envelope the API would send, unless the interaction it
//     matches recorded a 4xx (the API's own rejection, replayed); a recorded
//     success is never replayed to such a request.
//
// Cassette files are read, listed and written with package
// recorder/cassette, the one reader of cassettes; validate reads them with
// its pipeline's CassetteReader, over the same package.
package recorder
