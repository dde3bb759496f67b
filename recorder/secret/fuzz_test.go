package secret_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// planted is a secret a fuzz input plants: which family, under which chain
// of encodings, between which bytes.
type planted struct {
	family         secret.Family
	scanner        *secret.Scanner // knows the value when it is a credential
	chain          []encoding
	before, after  []byte
	value, encoded string
}

// plant reads a planting from fuzz bytes: the family, up to three
// encodings, a seed for the value, and the bytes around it.
func plant(data []byte) (p planted, ok bool) {
	if len(data) < 6 {
		return p, false
	}
	fams := shapedFamilies()
	p.family = fams[int(data[0])%len(fams)]
	for i := range int(data[1]) % 4 {
		if e := encodings[int(data[2+i])%len(encodings)]; e.name != "" {
			p.chain = append(p.chain, e)
		}
	}
	seed := data[5:min(len(data), 13)]
	rest := data[min(len(data), 13):]
	cut := 0
	if len(rest) > 0 {
		cut = int(rest[0]) % len(rest)
		rest = rest[1:]
		cut = min(cut, len(rest))
	}
	p.before, p.after = rest[:cut], rest[cut:]
	if data[1]&0x40 != 0 {
		p.before, p.after = delimit(p.before), delimit(p.after)
	}
	p.value = sampleSecret(p.family.Name, seed, data[1]&0x80 != 0)
	if data[1]&0x10 != 0 {
		// A credential the request carried: any characters, echoed.
		p.value = keyString(seed, secret.MinCredential+len(seed)) + string(delimiters[int(data[2])%len(delimiters)]) + "x"
		p.family = secret.Family{Name: secret.FamilyCredential}
		p.scanner = secret.NewScanner(p.value)
	}
	p.encoded = p.value
	if data[1]&0x20 != 0 {
		// Delimiters encoded with the value: "%22pi_…%22".
		p.encoded = string(delimiters[int(data[0])%len(delimiters)]) + p.value + string(delimiters[int(data[4])%len(delimiters)])
	}
	for _, e := range p.chain {
		p.encoded = e.enc(p.encoded)
	}
	return p, true
}

// delimiters are bytes that end a token in every encoding: a secret
// between them is one, whatever encodes it.
const delimiters = " \t\r\n\"'<>,;:{}[]()|!?"

// delimit maps b onto delimiters.
func delimit(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = delimiters[int(c)%len(delimiters)]
	}
	return out
}

// delimited reports whether p's value stands between delimiters under a
// chain in which every encoding can carry what the one before produced:
// HTML has no reference for NUL (&#0; is U+FFFD), and UTF-16 of text with
// NULs in it is not a run of one-byte characters.
func (p planted) delimited() bool {
	for _, b := range [][]byte{p.before, p.after} {
		if len(b) > 0 && !strings.ContainsRune(delimiters, rune(b[len(b)-1])) || len(b) > 0 && !strings.ContainsRune(delimiters, rune(b[0])) {
			return false
		}
	}
	for i := 1; i < len(p.chain); i++ {
		if strings.HasPrefix(p.chain[i-1].name, "UTF-16") && (p.chain[i].name == "HTML entities" || strings.HasPrefix(p.chain[i].name, "UTF-16")) {
			return false
		}
	}
	return true
}

// clean reports whether sc's Scan finds nothing its Redact could have
// replaced.
func clean(t *testing.T, sc *secret.Scanner, what string, text []byte) bool {
	for _, f := range sc.Scan(text) {
		if f.Redactable {
			t.Errorf("%s: Scan finds %v in %q", what, f, text)
			return false
		}
	}
	return true
}

// FuzzRedact plants a secret of a random family, under a random chain of
// encodings, in random bytes: Scan finds it when delimiters stand around
// it; after Redact, Scan finds nothing it could have replaced; and text
// that holds no secret, Redact leaves as it is.
func FuzzRedact(f *testing.F) {
	for i := range 2 * len(encodings) {
		f.Add([]byte{byte(i), byte(1 + i%3), byte(i), byte(i / 2), byte(i * 5), 's', 'e', 'e', 'd', byte(i), 0, 0, 0, 9, '{', '"', 'a', '"', ':', '"', '"', '}'})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ok := plant(data)
		if !ok {
			return
		}
		text := string(p.before) + p.encoded + string(p.after)
		if p.delimited() && !slices.ContainsFunc(p.scanner.Scan([]byte(text)), func(f secret.Finding) bool { return f.Family == p.family.Name }) {
			t.Errorf("Scan missed %s planted under %d encodings in %q", p.family.Name, len(p.chain), text)
		}
		out := p.scanner.Redact(text)
		if !clean(t, p.scanner, "after Redact", []byte(out)) {
			t.Logf("planted %s under %d encodings", p.family.Name, len(p.chain))
		}
		around := string(p.before) + string(p.after)
		if redactable(p.scanner, around) {
			return
		}
		if got := p.scanner.Redact(around); got != around {
			t.Errorf("Redact changed %q, which holds no secret, to %q", around, got)
		}
	})
}

// redactable reports whether Scan finds something in s that Redact
// replaces, or stopped short.
func redactable(sc *secret.Scanner, s string) bool {
	for _, f := range sc.Scan([]byte(s)) {
		if f.Redactable || f.Family == secret.FamilyUnscanned {
			return true
		}
	}
	return false
}

// FuzzScan throws garbage at Scan and Redact: they never panic, finish
// promptly, and report spans inside the input.
func FuzzScan(f *testing.F) {
	value := sampleSecret("ephemeral-key", []byte("fuzzscan"), false)
	for _, c := range compressors {
		f.Add(c.pack(f, []byte(filler+value+filler)))
	}
	f.Add([]byte(contexts[7].place(jsonEscape(value))))
	f.Add([]byte(utf16Encode(percentEncode(value), true, true)))
	f.Add(bytes.Repeat([]byte("%25"), 100))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		for _, fd := range secret.Scan(data) {
			if fd.Start < 0 || fd.End > len(data) || fd.Start >= fd.End {
				t.Errorf("finding %v outside the %d-byte input", fd, len(data))
			}
			if strings.Contains(fd.String(), string(data[fd.Start:fd.End])) && fd.End-fd.Start >= secret.MinCredential {
				t.Errorf("finding %v holds the value", fd)
			}
		}
		out := secret.Redact(string(data))
		clean(t, nil, "after Redact", []byte(out))
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Scan and Redact of %d bytes took %v", len(data), d)
		}
	})
}
