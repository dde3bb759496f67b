package secret_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"encoding/hex"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// compressors write each container Scan opens, but bzip2, which the
// standard library only reads (testdata holds one).
var compressors = []struct {
	name string
	pack func(t testing.TB, b []byte) []byte
}{
	{"gzip", func(t testing.TB, b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}},
	{"zlib", func(t testing.TB, b []byte) []byte {
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}},
	{"deflate", func(t testing.TB, b []byte) []byte {
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, flate.BestCompression)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}},
	{"brotli", func(t testing.TB, b []byte) []byte {
		var buf bytes.Buffer
		w := brotli.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}},
	{"zstd", func(t testing.TB, b []byte) []byte {
		w, err := zstd.NewWriter(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		return w.EncodeAll(b, nil)
	}},
	{"xz", func(t testing.TB, b []byte) []byte {
		var buf bytes.Buffer
		w, err := xz.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}},
}

// Compressed containers cannot be redacted in place: Scan finds what they
// hold, with the whole chain, and says it is not Redactable; Redact leaves
// them as they are.
func TestScanFindsSecretsInCompressedContainers(t *testing.T) {
	for fi, fam := range shapedFamilies() {
		value := sampleSecret(fam.Name, []byte{byte(fi), 'z'}, fi%2 == 0)
		// Enough text around the secret that every codec compresses its
		// literals: a zstd raw block, or a stored deflate block, would hold
		// the secret as plain text (which Redact replaces, breaking the
		// container).
		plain := []byte(filler + `{"id":"pi_3Abc","client_secret":"` + value + `","status":"requires_payment_method"}` + filler)
		for _, c := range compressors {
			packed := c.pack(t, plain)
			b64 := base64.StdEncoding.EncodeToString(packed)
			for _, doc := range []struct {
				text     string
				encoding string
				start    int
				end      int
			}{
				{string(packed), c.name, 0, len(packed)},
				{`{"body":"` + b64 + `"}`, "base64 of " + c.name, 9, 9 + len(b64)},
				{"body: !!binary |\n  " + wrap(b64, 70, "\n  ") + "\n", "base64 of " + c.name, 19, 19 + len(wrap(b64, 70, "\n  "))},
				{"x=" + percentEncode(b64), "percent-encoded of base64 of " + c.name, 2, 2 + len(percentEncode(b64))},
				{"hex:" + hex.EncodeToString(packed), "hex of " + c.name, 4, 4 + 2*len(packed)},
			} {
				if bytes.Contains([]byte(doc.text), []byte(value)) {
					t.Fatalf("%s holds the secret as plain text", doc.encoding)
				}
				found := secret.Scan([]byte(doc.text))
				want := secret.Finding{Family: fam.Name, Encoding: doc.encoding, Start: doc.start, End: doc.end, Redactable: false}
				if !slices.Contains(found, want) {
					t.Errorf("%s in %s: Scan found %v, want %v", fam.Name, doc.encoding, found, want)
				}
				if got := secret.Redact(doc.text); got != doc.text {
					t.Errorf("%s in %s: Redact changed a compressed container", fam.Name, doc.encoding)
				}
			}
		}
	}
}

func TestScanOpensBzip2(t *testing.T) {
	packed, err := os.ReadFile("testdata/webhook_endpoint.json.bz2")
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(packed)
	for _, c := range []struct {
		text string
		want secret.Finding
	}{
		{string(packed), secret.Finding{Family: "webhook-signing-secret", Encoding: "bzip2", Start: 0, End: len(packed)}},
		{"data " + b64, secret.Finding{Family: "webhook-signing-secret", Encoding: "base64 of bzip2", Start: 5, End: 5 + len(b64)}},
	} {
		if found := secret.Scan([]byte(c.text)); !slices.Contains(found, c.want) {
			t.Errorf("Scan found %v, want %v", found, c.want)
		}
	}
}

// Scan nests at least four deep, and Redact replaces the outermost token.
func TestScanNestsFourDeep(t *testing.T) {
	value := sampleSecret("restricted-key", []byte("deep"), true)
	deep := base64.StdEncoding.EncodeToString([]byte(`{"k":"` + jsonEscape(value) + `"}`))
	deep = percentEncode(hex.EncodeToString([]byte("token " + deep)))
	doc := "GET /v1/x?blob=" + deep + " HTTP/1.1"
	found := secret.Scan([]byte(doc))
	want := "percent-encoded of hex of base64 of JSON \\u escapes"
	if len(found) != 1 || found[0].Encoding != want || !found[0].Redactable {
		t.Fatalf("Scan found %v, want one restricted-key under %q", found, want)
	}
	if got := secret.Redact(doc); got != "GET /v1/x?blob="+secret.Redacted+" HTTP/1.1" {
		t.Errorf("Redact gave %q", got)
	}
	packed := []byte("x=" + base64.StdEncoding.EncodeToString(compressors[0].pack(t, []byte(doc))))
	if found := secret.Scan(packed); len(found) != 1 || found[0].Encoding != "base64 of gzip of "+want {
		t.Errorf("Scan found %v, want it six deep", found)
	}
}

// A decompression bomb is bounded: what is beyond the bound is reported as
// unscanned, never as clean, and the scan does work of the bound's size,
// not the bomb's: 1 GiB of zeros (a secret at their end) allocate far
// less than they would decompress to. Work is measured in bytes allocated,
// not in time, which a shared machine makes noisy.
func TestScanBoundsDecompression(t *testing.T) {
	const size = 1024 << 20
	value := sampleSecret("secret-key", []byte("bomb"), true)
	var bomb bytes.Buffer
	w, _ := zstd.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for written := 0; written < size; written += len(zeros) {
		w.Write(zeros)
	}
	io.WriteString(w, value)
	w.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	found := secret.Scan(bomb.Bytes())
	runtime.ReadMemStats(&after)
	if !slices.ContainsFunc(found, func(f secret.Finding) bool { return f.Family == secret.FamilyUnscanned && !f.Redactable }) {
		t.Errorf("Scan of a %d-byte zstd bomb found %v, want an unscanned finding", bomb.Len(), found)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > size/2 {
		t.Errorf("Scan of a bomb of %d MiB allocated %d MiB: not bounded", size>>20, allocated>>20)
	}
}

// The bundled cassettes are real Stripe payloads: nothing in them is a
// secret, whatever Scan decodes.
func TestBundledCassettesScanClean(t *testing.T) {
	root := filepath.Join("..", "..", "cassettes")
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for _, f := range secret.Scan(data) {
			t.Errorf("%s: %v: %q", path, f, data[f.Start:f.End])
		}
		if got := secret.Redact(string(data)); got != string(data) {
			t.Errorf("%s: Redact changed a cassette that holds no secret", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("found %d cassettes under %s", n, root)
	}
}

// Garbage never panics, and Scan's findings lie inside the input.
func TestScanGarbage(t *testing.T) {
	inputs := [][]byte{
		nil, {0}, {0x1f, 0x8b, 0x08}, {0x78, 0x9c}, []byte("\xfd7zXZ\x00\x00"), []byte("BZh91AY&SY"),
		[]byte("\x28\xb5\x2f\xfd"), []byte("%"), []byte("%5"), []byte(`\u12`), []byte("&#"), []byte("&#x110000;"),
		[]byte("=\r"), []byte("\xff\xfe\x00"), []byte("\xfe\xff"), bytes.Repeat([]byte("%25"), 1000),
		bytes.Repeat([]byte("QUJD"), 5000), bytes.Repeat([]byte{'s', 0}, 3000),
	}
	for _, in := range inputs {
		for _, f := range secret.Scan(in) {
			if f.Start < 0 || f.End > len(in) || f.Start >= f.End {
				t.Errorf("Scan(%q) found %v outside the input", in, f)
			}
		}
		secret.Redact(string(in))
	}
}

// A brotli stream that starts with an uncompressed meta-block (what an
// encoder writes for incompressible data) and holds a secret further on is
// still decoded: Scan skips only streams that can decode to nothing but a
// copy of their own bytes.
func TestScanFindsSecretsAfterAnUncompressedBrotliBlock(t *testing.T) {
	noise := make([]byte, 200<<10)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	value := sampleSecret("secret-key", []byte("brotli"), true)
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, 5)
	w.Write(noise)
	w.Flush() // ends the meta-block: an uncompressed one, for noise
	w.Write([]byte(strings.Repeat(filler, 8) + `{"api_key":"` + value + `"}` + strings.Repeat(filler, 8)))
	w.Close()
	packed := buf.Bytes()
	if bytes.Contains(packed, []byte(value)) {
		t.Fatal("the stream holds the secret as plain text")
	}
	for _, doc := range []string{string(packed), base64.StdEncoding.EncodeToString(packed)} {
		found := secret.Scan([]byte(doc))
		if !slices.ContainsFunc(found, func(f secret.Finding) bool {
			return f.Family == "secret-key" && strings.HasSuffix(f.Encoding, "brotli")
		}) {
			t.Errorf("Scan of %d bytes found %v, want the key under brotli", len(doc), found)
		}
	}
}
