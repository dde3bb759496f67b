package secret

import (
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// minPacked is the shortest compressed stream that can hold a secret.
const minPacked = 8

// minTried is the shortest view tried as a raw deflate or brotli stream,
// which have no signature: a compressed body is longer, and most of the
// short tokens of ordinary text (IDs, words) decode to binary.
const minTried = 24

// maxWindow bounds the window (zstd) or dictionary (xz) a container may
// ask for: a header is a few bytes, and what it asks for is allocated.
const maxWindow = 64 << 20

// errTooBig is a container that asks for more memory than maxWindow.
var errTooBig = errors.New("window too large")

// errNothingNew is a stream not worth decoding: whatever it decodes to is
// a copy of bytes its view already shows.
var errNothingNew = errors.New("nothing to decode")

// magic is the signature that starts a compressed container.
type magic struct {
	kind  layer
	sig   string
	check func(b []byte) bool // b starts with sig
}

var magics = [...]magic{
	{layerGzip, "\x1f\x8b\x08", nil},
	// A zlib header is CMF 0x78 (deflate, 32 KiB window) and an FLG that
	// makes the pair a multiple of 31 with no preset dictionary.
	{layerZlib, "\x78", func(b []byte) bool {
		return len(b) > 1 && (b[1] == 0x01 || b[1] == 0x5e || b[1] == 0x9c || b[1] == 0xda)
	}},
	{layerZstd, "\x28\xb5\x2f\xfd", nil},
	{layerXZ, "\xfd7zXZ\x00", nil},
	// "BZh", the block size, and the first block's magic (π's digits).
	{layerBzip2, "BZh", func(b []byte) bool {
		return len(b) >= 10 && '1' <= b[3] && b[3] <= '9' && string(b[4:10]) == "1AY&SY"
	}},
}

// inflaters are the decompressors of one walk, reused from container to
// container.
type inflaters struct {
	gz *gzip.Reader
	zl io.ReadCloser
	fl io.ReadCloser
	br *brotli.Reader
}

// binaryish reports whether b starts like binary data rather than text:
// a compressed stream does, almost surely within 64 bytes.
func binaryish(b []byte) bool {
	for _, c := range b[:min(len(b), 64)] {
		if !isText(c) && c < 0x80 {
			return true
		}
	}
	return false
}

// hit is a container's signature at pos of a view.
type hit struct {
	pos  int
	kind layer
}

// packedChildren visits every compressed container of v, decompressed:
// those a signature starts anywhere in v, and at the start of v a raw
// deflate or brotli stream, which have none, when v is binary, at least
// minTried bytes, and is the input, a whole token's decoding or a
// decompressed output.
func (st *state) packedChildren(v *view, sv survey) {
	var hits []hit
	if len(v.data) >= minTried && (v.kind == layerPlain || v.first || v.kind.packed()) && binaryish(v.data) {
		hits = append(hits, hit{0, layerDeflate}, hit{0, layerBrotli})
	}
	if sv.classes&classMagic != 0 {
		for pos, c := range v.data {
			if classes[c]&classMagic == 0 {
				continue
			}
			for _, m := range magics {
				if hasLit(v.data, pos, m.sig, false) && (m.check == nil || m.check(v.data[pos:])) {
					if pos == 0 {
						hits = hits[:0] // a signature says what it is
					}
					hits = append(hits, hit{pos, m.kind})
				}
			}
		}
	}
	skip := 0
	for _, h := range hits {
		if h.pos < skip || len(v.data)-h.pos < minPacked {
			continue
		}
		if v.kind.char() && !v.touches(h.pos, len(v.data)) {
			continue
		}
		if st.inflated <= 0 {
			st.limit(v, h.pos, len(v.data))
			return
		}
		out, used, err := st.open(h.kind, v.data[h.pos:], st.inflated, st.packs[v.depth+1][:0])
		if cap(out) > 0 {
			st.packs[v.depth+1] = out[:0]
		}
		if errors.Is(err, errTooBig) {
			st.limit(v, h.pos, len(v.data))
			return
		}
		if len(out) == 0 {
			continue
		}
		truncated := len(out) > st.inflated
		if truncated {
			out = out[:st.inflated]
		}
		st.inflated -= len(out)
		st.work += workFactor * len(out)
		lo, hi := h.pos, h.pos+max(used, 1)
		if err == nil {
			// What a container holds is found in its output, not again
			// here. One that failed part-way is no reason to skip what
			// overlaps it: a raw deflate reading of a brotli stream's
			// first bytes decodes some garbage before it fails.
			skip = hi
		}
		if !st.spend(v, lo, hi, len(out)+viewCost) {
			return
		}
		st.visit(st.enter(view{data: out, kind: h.kind, parent: v, depth: v.depth + 1, lo: lo, hi: hi}))
		if truncated {
			st.limit(v, lo, hi)
			return
		}
	}
}

// open decompresses b as a container of kind into dst, reading at most
// limit+1 bytes of output, and returns the output and how much of b it
// read. A decompressor that panics on a hostile stream only fails it.
func (st *state) open(kind layer, b []byte, limit int, dst []byte) (out []byte, used int, err error) {
	defer func() {
		if recover() != nil {
			out, used, err = nil, 0, errors.New("decompressor panicked")
		}
	}()
	src := bytes.NewReader(b)
	var r io.Reader
	switch kind {
	case layerGzip:
		if st.gz == nil {
			st.gz = new(gzip.Reader)
		}
		if err := st.gz.Reset(src); err != nil {
			return nil, 0, err
		}
		st.gz.Multistream(false)
		r = st.gz
	case layerZlib:
		if st.zl == nil {
			zr, err := zlib.NewReader(src)
			if err != nil {
				return nil, 0, err
			}
			st.zl = zr
		} else if err := st.zl.(zlib.Resetter).Reset(src, nil); err != nil {
			return nil, 0, err
		}
		r = st.zl
	case layerDeflate:
		if st.fl == nil {
			st.fl = flate.NewReader(src)
		} else if err := st.fl.(flate.Resetter).Reset(src, nil); err != nil {
			return nil, 0, err
		}
		r = st.fl
	case layerBrotli:
		if !brotliMayReveal(b) {
			return nil, 0, errNothingNew
		}
		if st.br == nil {
			st.br = brotli.NewReader(src)
		} else if err := st.br.Reset(src); err != nil {
			return nil, 0, err
		}
		r = st.br
	case layerZstd:
		d, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(maxWindow))
		if err != nil {
			return nil, 0, err
		}
		defer d.Close()
		r = d
	case layerXZ:
		if xzDictionary(b) > maxWindow {
			return nil, 0, errTooBig
		}
		xr, err := xz.ReaderConfig{SingleStream: true}.NewReader(src)
		if err != nil {
			return nil, 0, err
		}
		r = xr
	case layerBzip2:
		r = bzip2.NewReader(src)
	}
	out, err = readInto(dst, r, limit+1)
	if errors.Is(err, zstd.ErrWindowSizeExceeded) {
		return nil, 0, errTooBig
	}
	return out, len(b) - src.Len(), err
}

// xzDictionary returns the LZMA2 dictionary size the first block of the
// xz stream b asks for, or 0 when its header says none: the xz package
// allocates what the header asks, up to 4 GiB, before it decodes a byte.
func xzDictionary(b []byte) uint64 {
	const streamHeader = 12
	if len(b) < streamHeader+2 {
		return 0
	}
	h := b[streamHeader:]
	size := (int(h[0]) + 1) * 4
	if h[0] == 0 || len(h) < size {
		return 0 // the index, or truncated
	}
	flags := h[1]
	i := 2
	varint := func() (uint64, bool) {
		var x uint64
		for s := 0; i < size && s < 63; s += 7 {
			c := h[i]
			i++
			x |= uint64(c&0x7f) << s
			if c < 0x80 {
				return x, true
			}
		}
		return 0, false
	}
	for _, present := range [...]bool{flags&0x40 != 0, flags&0x80 != 0} { // compressed, uncompressed size
		if !present {
			continue
		}
		if _, ok := varint(); !ok {
			return 0
		}
	}
	for range int(flags&3) + 1 {
		id, ok1 := varint()
		n, ok2 := varint()
		if !ok1 || !ok2 || uint64(size-i) < n {
			return 0
		}
		if id == 0x21 && n == 1 && h[i] <= 40 {
			code := h[i]
			return uint64(2|code&1) << (code/2 + 11)
		}
		i += int(n)
	}
	return 0
}

// brotliMayReveal reports whether b may be a brotli stream that decodes to
// something b does not already show. It reads the stream header and the
// first meta-block header (RFC 7932, sections 9.1 and 9.2) and says no to
// an invalid one, and to a stream that starts with an uncompressed
// meta-block longer than the rest of b: that decodes to a copy of b's
// bytes, then fails. Most binary data read as brotli is one of the two
// (an uncompressed meta-block is one bit in three), and the decoder
// allocates its window, up to 16 MiB, before it fails: on a body of
// short base64 tokens that was most of what a scan allocated.
func brotliMayReveal(b []byte) bool {
	var acc uint64
	var have uint
	pos := 0
	bits := func(n uint) (uint64, bool) {
		for have < n {
			if pos >= len(b) {
				return 0, false
			}
			acc |= uint64(b[pos]) << have
			pos++
			have += 8
		}
		v := acc & (1<<n - 1)
		acc >>= n
		have -= n
		return v, true
	}
	// WBITS: 0 is 16; 1 then n>0 is 17+n; 1, 0, then m is 8+m, except
	// that m=1 asks for a large window, which the decoder refuses.
	if w, ok := bits(1); !ok {
		return false
	} else if w == 1 {
		n, ok := bits(3)
		if !ok {
			return false
		}
		if n == 0 {
			m, ok := bits(3)
			if !ok || m == 1 {
				return false
			}
		}
	}
	last, ok := bits(1)
	if !ok {
		return false
	}
	if last == 1 {
		empty, ok := bits(1)
		if !ok || empty == 1 {
			return false // an empty stream
		}
	}
	code, ok := bits(2)
	if !ok {
		return false
	}
	if code == 3 {
		return true // a metadata block first: let the decoder read on
	}
	nibbles := uint(code) + 4
	mlen, ok := bits(4 * nibbles)
	if !ok || nibbles > 4 && mlen>>(4*(nibbles-1)) == 0 {
		return false // truncated, or a last nibble of 0, which is invalid
	}
	mlen++
	if last == 1 {
		return true
	}
	uncompressed, ok := bits(1)
	if !ok {
		return false
	}
	// An uncompressed meta-block's bytes start at the next byte.
	return uncompressed == 0 || mlen <= uint64(len(b)-pos)
}

// readInto appends to dst what r reads, up to limit bytes: io.ReadAll into
// a buffer reused from one container to the next.
func readInto(dst []byte, r io.Reader, limit int) ([]byte, error) {
	for idle := 0; len(dst) < limit; {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):min(cap(dst), limit)])
		dst = dst[:len(dst)+n]
		if idle = idle + 1; n > 0 {
			idle = 0
		}
		if idle > 100 {
			return dst, io.ErrNoProgress
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
	return dst, nil
}
