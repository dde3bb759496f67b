package recorder

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// CredentialHeader is the request header of a recorded interaction that
// says which credential the request carried, without holding it: an
// opaque label, numbered in order of first use in the recording session
// that wrote the cassette, and a fingerprint of the credential,
//
//	Stripe-Contract-Credential: key 2; fp=<16 characters>; salt=<22 characters>
//
// where fp is the first 96 bits of HMAC-SHA256(salt, credential) and salt
// 128 random bits drawn once per cassette, both in unpadded base64url. The
// credential is what identifies the caller: the token of a Bearer
// Authorization, the user part of a Basic one (Stripe reads the key there
// and ignores the password). The request's Authorization reads
// "Bearer [REDACTED key 2]". A Server recognises a caller's credential by
// computing its fingerprint under the cassette's salt; the cassette alone
// gives no way back to the credential (an API key has far too many random
// characters to be guessed against its fingerprint).
const CredentialHeader = "Stripe-Contract-Credential"

// fingerprintBytes is how much of the HMAC a fingerprint keeps: 96 bits,
// far beyond any chance collision between the few keys of one cassette.
const fingerprintBytes = 12

// saltBytes is the size of a cassette's salt.
const saltBytes = 16

// credential is a request's credential as the matcher and the Server
// compare it. Of a recording: its label, fingerprint and salt, read from
// the cassette. Of a live request: the credential itself, held only for
// the request's lifetime and never printed.
type credential struct {
	present bool   // the request carried an Authorization
	scheme  string // "Bearer", "Basic", ... ("" when there is none)
	key     string // a live request's credential; "" for a recording
	label   string // "key 2": of a recording; of a live request that sends a label as its key
	fp      string // a recording's fingerprint
	salt    []byte // a recording's salt
}

// redactedLabel is how a label stands in a recorded Authorization:
// "[REDACTED key 2]".
func redactedLabel(label string) string { return "[REDACTED " + label + "]" }

// labelIn reads the label of a redacted credential: "key 2" from
// "[REDACTED key 2]"; "" when token is not one.
func labelIn(token string) string {
	inner, ok := strings.CutPrefix(token, "[REDACTED ")
	if !ok {
		return ""
	}
	label, ok := strings.CutSuffix(inner, "]")
	if !ok || label == "" {
		return ""
	}
	return label
}

// isRedactedToken reports whether an Authorization token is a redaction
// marker, labelled or not, rather than a credential.
func isRedactedToken(token string) bool { return token == Redacted || labelIn(token) != "" }

// splitAuthorization reads an Authorization value: its scheme and the
// credential that identifies the caller (Basic: the user part).
func splitAuthorization(v string) (scheme, key string) {
	v = strings.TrimSpace(v)
	scheme, token, ok := strings.Cut(v, " ")
	if !ok {
		return "", v
	}
	token = strings.TrimSpace(token)
	if strings.EqualFold(scheme, "Basic") && !isRedactedToken(token) {
		if plain, err := base64.StdEncoding.DecodeString(token); err == nil {
			user, _, _ := strings.Cut(string(plain), ":")
			return scheme, user
		}
	}
	return scheme, token
}

// sentCredential is the credential a live request carries.
func sentCredential(h http.Header) credential {
	v := h.Get("Authorization")
	if strings.TrimSpace(v) == "" {
		return credential{}
	}
	scheme, key := splitAuthorization(v)
	c := credential{present: true, scheme: scheme}
	if l := labelIn(key); l != "" {
		c.label = l // a recorded request sent back as recorded
	} else if key != Redacted {
		c.key = key
	}
	return c
}

// recordedCredential is the credential a recorded request names.
func recordedCredential(h http.Header) credential {
	v := h.Get("Authorization")
	if strings.TrimSpace(v) == "" {
		return credential{}
	}
	scheme, token := splitAuthorization(v)
	c := credential{present: true, scheme: scheme, label: labelIn(token)}
	if c.label == "" {
		return c // recorded before labels, or by another tool
	}
	if label, fp, salt, ok := parseCredentialHeader(h.Get(CredentialHeader)); ok && label == c.label {
		c.fp, c.salt = fp, salt
	}
	return c
}

// display is how the credential is shown in a miss: the recorded label,
// never a credential.
func (c credential) display() string {
	if !c.present {
		return ""
	}
	token := Redacted
	if c.label != "" {
		token = redactedLabel(c.label)
	}
	if c.scheme == "" {
		return token
	}
	return c.scheme + " " + token
}

// sameAs reports whether a live request's credential is the one a
// recording names: the same label, when the request sends one, or the
// same fingerprint under the recording's salt. A recording without a
// fingerprint matches no credential but its own label.
func (c credential) sameAs(rec credential, fps fingerprints) bool {
	switch {
	case !c.present || !rec.present:
		return false
	case c.label != "":
		return c.label == rec.label
	case c.key == "" || rec.fp == "":
		return false
	}
	return hmac.Equal([]byte(fps.of(rec.salt, c.key)), []byte(rec.fp))
}

// fingerprints caches, for one request, its credential's fingerprint
// under each salt it was compared with.
type fingerprints map[string]string

func (f fingerprints) of(salt []byte, key string) string {
	if fp, ok := f[string(salt)]; ok {
		return fp
	}
	fp := fingerprint(salt, key)
	if f != nil {
		f[string(salt)] = fp
	}
	return fp
}

// fingerprint is a credential's fingerprint under salt.
func fingerprint(salt []byte, key string) string {
	mac := hmac.New(sha256.New, salt)
	mac.Write([]byte(key))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:fingerprintBytes])
}

// formatCredentialHeader writes CredentialHeader's value.
func formatCredentialHeader(label, fp string, salt []byte) string {
	return fmt.Sprintf("%s; fp=%s; salt=%s", label, fp, base64.RawURLEncoding.EncodeToString(salt))
}

// parseCredentialHeader reads CredentialHeader's value.
func parseCredentialHeader(v string) (label, fp string, salt []byte, ok bool) {
	parts := strings.Split(v, ";")
	label = strings.TrimSpace(parts[0])
	for _, p := range parts[1:] {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch name {
		case "fp":
			fp = value
		case "salt":
			s, err := base64.RawURLEncoding.DecodeString(value)
			if err != nil {
				return "", "", nil, false
			}
			salt = s
		}
	}
	return label, fp, salt, label != "" && fp != "" && len(salt) > 0
}

// credentialBook numbers the credentials of one recording session (a
// Recorder, a WriteCassette call): key 1, key 2, ... in order of first
// use, each with its fingerprint under the session's salt. It learns the
// labels of a cassette it adds to (ModeRecordNewEpisodes), so a credential
// seen there keeps its label and a new one takes the next number.
type credentialBook struct {
	mu     sync.Mutex
	salt   []byte
	labels []bookLabel
}

type bookLabel struct {
	name string
	fp   string
	salt []byte
}

// newCredentialBook returns a book whose salt is salt, or random when salt
// is empty (or the salt of the first labelled interaction it learns).
func newCredentialBook(salt []byte) *credentialBook {
	return &credentialBook{salt: append([]byte(nil), salt...)}
}

// learn remembers a recorded label.
func (b *credentialBook) learn(c credential) {
	if c.label == "" || c.fp == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.labels {
		if l.name == c.label {
			return
		}
	}
	if len(b.salt) == 0 {
		b.salt = c.salt
	}
	b.labels = append(b.labels, bookLabel{name: c.label, fp: c.fp, salt: c.salt})
}

// label returns key's label, numbering it when it is new, and the value of
// its CredentialHeader.
func (b *credentialBook) label(key string) (name, header string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.labels {
		if hmac.Equal([]byte(fingerprint(l.salt, key)), []byte(l.fp)) {
			return l.name, formatCredentialHeader(l.name, l.fp, l.salt)
		}
	}
	if len(b.salt) == 0 {
		b.salt = make([]byte, saltBytes)
		rand.Read(b.salt)
	}
	next := 1
	for _, l := range b.labels {
		if n, err := strconv.Atoi(strings.TrimPrefix(l.name, "key ")); err == nil && n >= next {
			next = n + 1
		}
	}
	l := bookLabel{name: "key " + strconv.Itoa(next), fp: fingerprint(b.salt, key), salt: b.salt}
	b.labels = append(b.labels, l)
	return l.name, formatCredentialHeader(l.name, l.fp, l.salt)
}

// labelCredential writes a redacted request's Authorization as its label,
// "Bearer [REDACTED key 1]", and its CredentialHeader. before is the
// request's headers as they were sent (or loaded, when a cassette is saved
// again); after, their redaction. A CredentialHeader a caller sent is
// dropped: only the book writes one.
func (b *credentialBook) labelCredential(before, after http.Header) {
	after.Del(CredentialHeader)
	v := before.Get("Authorization")
	if strings.TrimSpace(v) == "" {
		return
	}
	scheme, key := splitAuthorization(v)
	prefix := ""
	if scheme != "" {
		// The scheme is kept when redaction kept it.
		if got := after.Get("Authorization"); strings.HasPrefix(got, scheme+" ") {
			prefix = scheme + " "
		}
	}
	if label := labelIn(key); label != "" {
		// Saved again (new episodes): the label and its header stay.
		rec := recordedCredential(before)
		b.learn(rec)
		after.Set("Authorization", prefix+redactedLabel(label))
		if rec.fp != "" {
			after.Set(CredentialHeader, formatCredentialHeader(rec.label, rec.fp, rec.salt))
		}
		return
	}
	if key == "" || key == Redacted {
		return
	}
	label, header := b.label(key)
	after.Set("Authorization", prefix+redactedLabel(label))
	after.Set(CredentialHeader, header)
}

// WithCredentialSalt fixes the salt of the credential fingerprints a
// recording writes (see CredentialHeader), for cassettes that must come
// out byte for byte the same on every run, such as the bundled ones
// (cassettes/generate). By default each cassette gets a random salt. A
// salt that is known in advance lets fingerprints be computed before a
// cassette exists: use it only with placeholder keys that are no secret.
// Recorder, WriteCassette.
func WithCredentialSalt(salt []byte) RecorderOption {
	return recorderOption(func(c *config) { c.credentialSalt = append([]byte(nil), salt...) })
}

// otherDisplay shows a live request's credential where it is not the
// recorded one: its label when it sends one, else only that it is another.
func (c credential) otherDisplay() string {
	token := "[REDACTED: another key]"
	if c.label != "" {
		token = redactedLabel(c.label)
	}
	if c.scheme == "" {
		return token
	}
	return c.scheme + " " + token
}
