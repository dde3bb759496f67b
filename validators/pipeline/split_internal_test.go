package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
)

// line is what a reader said of one line: where, how big, and its bytes
// (nil: too large).
type line struct {
	Line int
	Size int64
	Data string
	Nil  bool
}

// streamed is what ReadNDJSON, the streaming reader, makes of data.
func streamed(t testing.TB, data []byte, maxSize int) []line {
	var out []line
	err := ReadNDJSON("f", bytes.NewReader(data), maxSize, func(d Document) error {
		out = append(out, line{d.Line, d.Size, string(d.Data), d.Data == nil})
		return nil
	})
	if err != nil {
		t.Fatalf("ReadNDJSON: %v", err)
	}
	return out
}

// ranged is what the workers make of data read in ranges of step bytes,
// one after the other.
func ranged(t testing.TB, data []byte, step int64, maxSize int) []line {
	path := filepath.Join(t.TempDir(), "f.ndjson")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rf := &rangeFile{f: f, path: path, source: "f", size: int64(len(data))}
	var out []line
	var prev *fileRange
	for start := int64(0); start < rf.size; start += step {
		r := &fileRange{file: rf, start: start, end: min(start+step, rf.size), prev: prev, counted: make(chan struct{})}
		b := &batch{}
		r.fill(b, maxSize)
		r.number(b)
		if r.err != nil {
			t.Fatalf("range %d: %v", start, r.err)
		}
		for i, d := range b.docs {
			var data []byte
			if d.Size <= int64(maxSize) {
				data = b.arena[b.spans[i][0]:b.spans[i][1]]
			}
			out = append(out, line{d.Line, d.Size, string(data), data == nil})
		}
		prev = r
	}
	return out
}

// randomLog makes NDJSON with the things that make line splitting hard:
// blank and white-space lines, CRLF, a byte order mark, lines around and
// over the size limit, and no newline at the end.
func randomLog(rng *rand.Rand, maxSize int) []byte {
	var b bytes.Buffer
	if rng.IntN(4) == 0 {
		b.Write(bom)
	}
	for range rng.IntN(30) {
		switch rng.IntN(7) {
		case 0:
			b.WriteString("\n")
		case 1:
			b.WriteString("  \r\n")
		case 2:
			fmt.Fprintf(&b, "{\"n\":%d}\r\n", rng.IntN(1000))
		case 3:
			b.WriteString(strings.Repeat("x", maxSize-2+rng.IntN(6)) + "\n")
		case 4:
			b.WriteString(strings.Repeat("y", maxSize-2+rng.IntN(6)) + "\r\n")
		case 5:
			b.WriteString(strings.Repeat("z", rng.IntN(4*maxSize)) + "\n")
		default:
			fmt.Fprintf(&b, "{\"id\":\"in_%d\"}\n", rng.IntN(1000))
		}
	}
	if rng.IntN(2) == 0 {
		b.WriteString(`{"last":true}`)
	}
	return b.Bytes()
}

func TestRangesReadAsTheStreamingReaderDoes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 460 {
		maxSize := 8 + rng.IntN(40)
		if i >= 400 {
			// Lines past firstBlock, measured before they are read.
			maxSize = firstBlock/2 + rng.IntN(3*firstBlock)
		}
		data := randomLog(rng, maxSize)
		step := int64(1 + rng.IntN(3*maxSize))
		want, got := streamed(t, data, maxSize), ranged(t, data, step, maxSize)
		if fmt.Sprint(want) != fmt.Sprint(got) {
			t.Fatalf("case %d (range %d bytes, limit %d) of %q:\nstreamed %v\nranged   %v", i, step, maxSize, data, want, got)
		}
	}
}

func FuzzRanges(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n\n{\"b\":2}\r\n"), uint16(3), uint16(10))
	f.Add(append(append([]byte{}, bom...), "{}\nxxxxxxxxxxxxxxxxxxxxxxxx\n{}"...), uint16(1), uint16(5))
	f.Fuzz(func(t *testing.T, data []byte, step, maxSize uint16) {
		if step == 0 || maxSize == 0 || len(data) == 0 {
			return
		}
		want, got := streamed(t, data, int(maxSize)), ranged(t, data, int64(step), int(maxSize))
		if fmt.Sprint(want) != fmt.Sprint(got) {
			t.Fatalf("range %d bytes, limit %d, of %q:\nstreamed %v\nranged   %v", step, maxSize, data, want, got)
		}
	})
}

// listing is a Sink that writes each outcome's location, verdict and rules
// as formatted on the workers, and checks they come in that order.
type listing struct{ out bytes.Buffer }

func (l *listing) Format(dst []byte, o *Outcome) []byte {
	dst = fmt.Appendf(dst, "%s %v", o.Doc.Location(), o.Result.Valid())
	for _, v := range o.Result.Violations {
		dst = fmt.Appendf(dst, " %s@%s", v.Rule, v.Pointer)
	}
	return append(dst, '\n')
}

func (l *listing) Write(_ *Outcome, formatted []byte) error {
	l.out.Write(formatted)
	return nil
}

func TestARunInRangesMatchesTheStreamingRun(t *testing.T) {
	v, err := validators.New(validators.WithMaxSize(2000))
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../../schemas/examples/invoice_payment_paid_charge.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(bytes.Join(bytes.Fields(example), []byte(" ")))
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for i := range 3000 {
		switch rng.IntN(6) {
		case 0:
			b.WriteString("\n")
		case 1:
			b.WriteString(`{"object":"invoice_payment"}` + "\r\n")
		case 2:
			b.WriteString("not json\n")
		case 3:
			b.WriteString(strings.Repeat(" ", 2100) + "{}\n")
		default:
			b.WriteString(strings.Replace(doc, `"amount_paid"`, fmt.Sprintf(`"x%d":1,"amount_paid"`, i%3), 1) + "\n")
		}
	}
	data := []byte(b.String())
	path := filepath.Join(t.TempDir(), "log.ndjson")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(paths []string, opts ...Option) string {
		p := New(v, append(opts, WithWorkers(4))...)
		p.batchBytes = 700 // many ranges, lines across their ends
		var l listing
		sum, err := p.Run(context.Background(), paths, &l)
		if err != nil || len(sum.Unreadable) > 0 {
			t.Fatalf("run %v: %v %v", paths, err, sum.Unreadable)
		}
		return strings.ReplaceAll(l.out.String(), StdinName+":", path+":")
	}
	streamed := run([]string{Stdin}, WithStdin(bytes.NewReader(data), LayoutNDJSON))
	inRanges := run([]string{path})
	if strings.Count(streamed, "\n") < 2000 {
		t.Fatalf("only %d documents", strings.Count(streamed, "\n"))
	}
	if streamed != inRanges {
		t.Fatalf("the run in ranges differs from the streaming one")
	}
}
