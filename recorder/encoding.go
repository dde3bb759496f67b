package recorder

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// A recorded body is the body as the client reads it: the proxy asks the
// upstream for "identity" and decodes whatever Content-Encoding comes back
// anyway, before redaction, validation and the secret check see it. A
// compressed body could be neither redacted nor validated, and a key inside
// it would reach the cassette.

// contentEncodings are the codings (RFC 9110, section 8.4.1) a recorded
// body is decoded from, each by a maintained library: the standard
// library's gzip and zlib/flate, github.com/andybalholm/brotli and
// github.com/klauspost/compress/zstd.
var contentEncodings = map[string]func(io.Reader) (io.ReadCloser, error){
	"gzip":    func(r io.Reader) (io.ReadCloser, error) { return gzip.NewReader(r) },
	"x-gzip":  func(r io.Reader) (io.ReadCloser, error) { return gzip.NewReader(r) },
	"deflate": newDeflateReader,
	"br":      func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(brotli.NewReader(r)), nil },
	"zstd": func(r io.Reader) (io.ReadCloser, error) {
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxDecodedWindow))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	},
}

// maxDecodedWindow bounds the memory a zstd frame may ask for.
const maxDecodedWindow = 64 << 20

// DecodableEncodings lists the Content-Encoding values a recorded response
// may carry.
func DecodableEncodings() []string {
	return []string{"identity", "gzip", "x-gzip", "deflate", "br", "zstd"}
}

// newDeflateReader reads HTTP's "deflate", which RFC 9110 defines as zlib
// but which some servers send as raw DEFLATE: the zlib header tells them
// apart.
func newDeflateReader(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err == nil && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		return zlib.NewReader(br)
	}
	return flate.NewReader(br), nil
}

// EncodingError is a response whose Content-Encoding the recorder cannot
// decode. It is not recorded, and the client gets a 502.
type EncodingError struct {
	Encoding string // the coding as the upstream named it
	Err      error  // the decoder's error, nil when the coding is unknown
}

// Error names the coding and what the recorder decodes.
func (e *EncodingError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("the upstream's %s response body could not be decoded: %v; nothing was recorded", e.Encoding, e.Err)
	}
	return fmt.Sprintf("the upstream answered with Content-Encoding %q, which the recorder cannot decode (it decodes %s); nothing was recorded",
		e.Encoding, strings.Join(DecodableEncodings(), ", "))
}

// Unwrap returns the decoder's error.
func (e *EncodingError) Unwrap() error { return e.Err }

// decodeBody replaces a response's encoded body by its decoded form and
// removes the headers that described the encoding. Codings are undone in
// the reverse of the order they were applied.
func decodeBody(resp *http.Response) error {
	var codings []string
	for _, v := range resp.Header.Values("Content-Encoding") {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	if len(codings) == 0 {
		resp.Header.Del("Content-Encoding")
		return nil
	}
	for _, c := range codings {
		if contentEncodings[c] == nil {
			return &EncodingError{Encoding: c}
		}
	}
	raw := resp.Body
	var body io.Reader = raw
	for i := len(codings) - 1; i >= 0; i-- {
		dec, err := contentEncodings[codings[i]](body)
		if err != nil {
			return &EncodingError{Encoding: codings[i], Err: err}
		}
		body = &decodedBody{ReadCloser: dec, coding: codings[i]}
	}
	resp.Body = &chainedBody{Reader: body, raw: raw}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
	return nil
}

// decodedBody names the coding in a decoder's errors.
type decodedBody struct {
	io.ReadCloser
	coding string
}

func (b *decodedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		// A fault of the connection underneath is the transport's to name.
		var ue *UpstreamError
		if errors.As(err, &ue) {
			return n, err
		}
		return n, &EncodingError{Encoding: b.coding, Err: err}
	}
	return n, err
}

// chainedBody reads the decoded body and closes the connection's.
type chainedBody struct {
	io.Reader
	raw io.ReadCloser
}

func (b *chainedBody) Close() error { return b.raw.Close() }
