package main_test

import (
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"compress/gzip"
	"compress/lzw"
	"compress/zlib"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"go.yaml.in/yaml/v4"
)

// The leak check's eyes. A secret counts as leaked when its bare part (what
// follows the family's prefix) can be read back from the bytes by any chain
// of the decoders below, up to revealDepth deep: what a person with a
// shell and ten minutes would try. The recorder's own detection is not
// consulted; this file knows nothing of it.

// view is one reading of some bytes: where it came from and the decoders
// that produced it, "cassette interactions[2].response.body >base64@1 >gunzip".
type view struct {
	where string
	data  []byte // as decoded
	lower []byte // lower-cased, for case-insensitive search (header names are canonicalised)
}

// revealDepth bounds decoder chains: percent of base64 of JSON escapes,
// inside a cassette's !!binary scalar, is four.
const revealDepth = 4

// maxReveal caps what one decompression may produce.
const maxReveal = 4 << 20

type decoder struct {
	name   string
	decode func([]byte) []candidate
}

type candidate struct {
	how  string
	data []byte
}

var decoders = []decoder{
	{"percent", decodePercent},
	{"escapes", decodeEscapes},
	{"html", decodeHTMLEntities},
	{"qp", decodeQuotedPrintable},
	{"utf16", decodeUTF16},
	{"base64", decodeBase64},
	{"hex", decodeHex},
	{"decompress", decompress},
}

// revealer collects views, each distinct byte string once.
type revealer struct {
	views []view
	seen  map[uint64]bool
}

func newRevealer() *revealer { return &revealer{seen: map[uint64]bool{}} }

func (r *revealer) add(where string, data []byte, depth int) {
	if len(data) == 0 || len(data) > maxReveal {
		return
	}
	h := fnv.New64a()
	h.Write(data)
	sum := h.Sum64()
	if r.seen[sum] {
		return
	}
	r.seen[sum] = true
	r.views = append(r.views, view{where: where, data: data, lower: asciiLower(data)})
	if depth >= revealDepth {
		return
	}
	for _, d := range decoders {
		for _, c := range d.decode(data) {
			if !bytes.Equal(c.data, data) {
				r.add(where+" >"+c.how, c.data, depth+1)
			}
		}
	}
}

// addYAML adds the raw file and, when it parses, every scalar, key and
// comment of it on its own, named by its path: a string the YAML emitter
// folded, quoted or stored as !!binary is read as the YAML reader reads it.
func (r *revealer) addYAML(where string, data []byte) {
	defer r.add(where+" (raw file)", data, 0) // last, so a finding names its scalar when it can
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return
	}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			r.add(where+" "+path+"#comment", []byte(c), 0)
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]")
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				walk(k, path+".<key>")
				walk(n.Content[i+1], strings.TrimPrefix(path+"."+k.Value, "."))
			}
		case yaml.AliasNode:
		case yaml.ScalarNode:
			value := []byte(n.Value)
			if n.Tag == "!!binary" {
				if b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), "")); err == nil {
					value = b
				}
			}
			r.add(where+" "+path, value, 0)
		}
	}
	walk(&root, "")
}

// find reports the first view holding needle, whatever its case, with
// what precedes it there: "cassette interactions[0].request.url >percent:
// ...customers?q=sk_live_51[secret]".
func (r *revealer) find(needle string) (string, bool) {
	n := asciiLower([]byte(needle))
	for _, v := range r.views {
		if i := bytes.Index(v.lower, n); i >= 0 {
			before := v.data[max(0, i-40):i]
			return fmt.Sprintf("%s: %q", v.where, string(before)+"[secret]"), true
		}
	}
	return "", false
}

// asciiLower lower-cases A to Z only, byte for byte, so offsets in it are
// offsets in data (bytes.ToLower rewrites invalid UTF-8).
func asciiLower(data []byte) []byte {
	out := make([]byte, len(data))
	for i, c := range data {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// interesting says whether decoded bytes hold text (a dozen printable
// bytes in a row, or in UTF-16) or a compressed stream: garbage from
// decoding what was not base64 or hex is dropped, which keeps the chains
// few, while a secret decoded next to garbage (a run joined to the word
// before it) is kept.
func interesting(b []byte) bool {
	const run = 12
	if len(b) < run {
		return len(b) >= 4 && hasMagic(b)
	}
	if hasMagic(b) {
		return true
	}
	text, wide := 0, [2]int{}
	for i, c := range b {
		printable := c >= 0x20 && c < 0x7f || c == '\t' || c == '\r' || c == '\n'
		if printable {
			text++
		} else {
			text = 0
		}
		// UTF-16 of ASCII: printable bytes at one parity, zeros at the other.
		if printable && i%2 == 0 || c == 0 && i%2 == 1 {
			wide[0]++
		} else {
			wide[0] = 0
		}
		if printable && i%2 == 1 || c == 0 && i%2 == 0 {
			wide[1]++
		} else {
			wide[1] = 0
		}
		if text >= run || wide[0] >= 2*run || wide[1] >= 2*run {
			return true
		}
	}
	return false
}

// binaryish says whether a tenth of b or more is neither printable ASCII
// nor white space, as in any compressed stream.
func binaryish(b []byte) bool {
	other := 0
	for _, c := range b {
		if !(c >= 0x20 && c < 0x7f || c == '\t' || c == '\r' || c == '\n') {
			other++
		}
	}
	return other*10 >= len(b)
}

var magics = [][]byte{
	{0x1f, 0x8b},                                           // gzip
	{0xfd, '7', 'z', 'X', 'Z', 0x00},                       // xz
	{'B', 'Z', 'h'},                                        // bzip2
	{0x28, 0xb5, 0x2f, 0xfd},                               // zstd
	{0x78, 0x9c}, {0x78, 0x01}, {0x78, 0xda}, {0x78, 0x5e}, // zlib
}

func hasMagic(b []byte) bool {
	for _, m := range magics {
		if bytes.Contains(b, m) {
			return true
		}
	}
	return false
}

var percentRun = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

func decodePercent(b []byte) []candidate {
	if !percentRun.Match(b) {
		return nil
	}
	out := percentRun.ReplaceAllFunc(b, func(m []byte) []byte {
		v, _ := strconv.ParseUint(string(m[1:]), 16, 8)
		return []byte{byte(v)}
	})
	return []candidate{{"percent", out}}
}

// decodeEscapes undoes backslash escapes of JSON (\u0073, \/), of YAML and
// Go (\x73, \0) and of C, wherever they are, JSON-looking or not.
var escapeRun = regexp.MustCompile(`\\(u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[0/\\"nrt])`)

func decodeEscapes(b []byte) []candidate {
	if !escapeRun.Match(b) {
		return nil
	}
	var out []byte
	last := 0
	var high rune
	for _, loc := range escapeRun.FindAllIndex(b, -1) {
		out = append(out, b[last:loc[0]]...)
		last = loc[1]
		esc := b[loc[0]+1 : loc[1]]
		switch esc[0] {
		case 'u':
			v, _ := strconv.ParseUint(string(esc[1:]), 16, 16)
			r := rune(v)
			switch {
			case r >= 0xd800 && r < 0xdc00:
				high = r
				continue
			case r >= 0xdc00 && r < 0xe000 && high != 0:
				r = (high-0xd800)<<10 + (r - 0xdc00) + 0x10000
			}
			high = 0
			out = utf8.AppendRune(out, r)
		case 'x':
			v, _ := strconv.ParseUint(string(esc[1:]), 16, 8)
			out = append(out, byte(v))
		case '0':
			out = append(out, 0)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		default:
			out = append(out, esc[0])
		}
	}
	out = append(out, b[last:]...)
	return []candidate{{"escapes", out}}
}

func decodeHTMLEntities(b []byte) []candidate {
	if !bytes.Contains(b, []byte("&")) || !bytes.Contains(b, []byte(";")) {
		return nil
	}
	return []candidate{{"html", []byte(html.UnescapeString(string(b)))}}
}

var qpRun = regexp.MustCompile(`=(\r?\n|[0-9A-Fa-f]{2})`)

var softBreak = regexp.MustCompile(`=\r?\n`)

// decodeQuotedPrintable undoes soft line breaks, then =XX escapes. A
// literal "=" before two hex digits ("key=FD...") is read both ways, as a
// decoder cannot know which the writer meant.
func decodeQuotedPrintable(b []byte) []candidate {
	if !qpRun.Match(b) {
		return nil
	}
	joined := softBreak.ReplaceAll(b, nil)
	out := qpRun.ReplaceAllFunc(joined, func(m []byte) []byte {
		v, _ := strconv.ParseUint(string(m[1:]), 16, 8)
		return []byte{byte(v)}
	})
	return []candidate{{"qp", out}, {"qp(soft breaks)", joined}}
}

// decodeUTF16 drops the zero bytes of ASCII in UTF-16, either byte order.
func decodeUTF16(b []byte) []candidate {
	if bytes.Count(b, []byte{0})*4 < len(b) {
		return nil
	}
	return []candidate{{"utf16", bytes.ReplaceAll(b, []byte{0}, nil)}}
}

var (
	whitespace = regexp.MustCompile(`\s+`)
	base64Run  = regexp.MustCompile(`[A-Za-z0-9+/_-]{8,}={0,2}`)
	hexRun     = regexp.MustCompile(`[0-9A-Fa-f]{16,}`)
)

// decodeBase64 reads every run of the base64 alphabets (standard and URL),
// across line breaks, at each of the four alignments a run may start at
// when something precedes it: one candidate per alignment, of the runs that
// decode to something interesting.
func decodeBase64(b []byte) []candidate {
	joined := whitespace.ReplaceAll(b, nil)
	runs := base64Run.FindAll(joined, -1)
	if len(runs) == 0 {
		return nil
	}
	var out []candidate
	for offset := range 4 {
		var parts [][]byte
		for _, run := range runs {
			if len(run) <= offset+4 {
				continue
			}
			s := strings.TrimRight(string(run[offset:]), "=")
			s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
			if len(s)%4 == 1 {
				s = s[:len(s)-1]
			}
			d, err := base64.RawStdEncoding.DecodeString(s)
			if err == nil && interesting(d) {
				parts = append(parts, d)
			}
		}
		if len(parts) > 0 {
			out = append(out, candidate{"base64@" + strconv.Itoa(offset), bytes.Join(parts, []byte("\n"))})
		}
	}
	return out
}

func decodeHex(b []byte) []candidate {
	runs := hexRun.FindAll(b, -1)
	var out []candidate
	for offset := range 2 {
		var parts [][]byte
		for _, run := range runs {
			s := run[offset:]
			s = s[:len(s)/2*2]
			d := make([]byte, len(s)/2)
			if _, err := hex.Decode(d, s); err == nil && interesting(d) {
				parts = append(parts, d)
			}
		}
		if len(parts) > 0 {
			out = append(out, candidate{"hex@" + strconv.Itoa(offset), bytes.Join(parts, []byte("\n"))})
		}
	}
	return out
}

// decompress tries each container format where its magic number is, and
// the formats without one (raw deflate, brotli, LZW) on bytes that are not
// text (a stream that stored its input raw shows the secret as it is). A stream cut short still yields what it held up to the cut.
func decompress(b []byte) []candidate {
	var out []candidate
	try := func(how string, r io.Reader, err error) {
		if err != nil {
			return
		}
		d, _ := io.ReadAll(io.LimitReader(r, maxReveal))
		if len(d) > 0 {
			out = append(out, candidate{how, d})
		}
	}
	for _, m := range magics {
		for i, n := 0, 0; n < 4; n++ {
			j := bytes.Index(b[i:], m)
			if j < 0 {
				break
			}
			at := b[i+j:]
			i += j + 1
			switch m[0] {
			case 0x1f:
				r, err := gzip.NewReader(bytes.NewReader(at))
				try("gunzip", r, err)
			case 0xfd:
				r, err := xz.NewReader(bytes.NewReader(at))
				try("unxz", r, err)
			case 'B':
				try("bunzip2", bzip2.NewReader(bytes.NewReader(at)), nil)
			case 0x28:
				r, err := zstd.NewReader(bytes.NewReader(at))
				if err == nil {
					try("unzstd", r, nil)
					r.Close()
				}
			case 0x78:
				r, err := zlib.NewReader(bytes.NewReader(at))
				try("inflate(zlib)", r, err)
			}
		}
	}
	if len(b) >= 8 && len(b) <= 1<<20 && binaryish(b) {
		try("inflate(raw)", flate.NewReader(bytes.NewReader(b)), nil)
		try("unbrotli", brotli.NewReader(bytes.NewReader(b)), nil)
		try("unlzw", lzw.NewReader(bytes.NewReader(b), lzw.LSB, 8), nil)
		try("unlzw(msb)", lzw.NewReader(bytes.NewReader(b), lzw.MSB, 8), nil)
	}
	var kept []candidate
	for _, c := range out {
		if interesting(c.data) {
			kept = append(kept, c)
		}
	}
	return kept
}
