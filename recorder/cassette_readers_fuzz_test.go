package recorder

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	stripecassette "github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// FuzzParseCassette feeds arbitrary bytes to every reader of cassette
// files: cassette.Parse (the one reader), pipeline.ReadCassette (validate's
// reader over it) and NewServer
// (serve's), which must never panic or hang, agree on what is a cassette,
// and name the file or the line when it is not; a cassette they accept
// must survive being written and read again. Seeds: the bundled cassettes,
// and truncations of them under testdata/fuzz/FuzzParseCassette.
//
//	go test ./recorder -run '^$' -fuzz FuzzParseCassette -fuzztime 120s -parallel 1
func FuzzParseCassette(f *testing.F) {
	err := filepath.WalkDir("../cassettes", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("panic: %v\n%s", p, debug.Stack())
				}
			}()
			checkCassetteReaders(t, data)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer in 10s from the cassette readers on %d bytes", len(data))
		}
	})
}

// scratchDir is where WriteCassette writes: on tmpfs when the machine has
// one, since it syncs the file and the folder, and the fuzz engine runs
// thousands of inputs.
func scratchDir(t *testing.T) string {
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "FuzzParseCassette-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// namesALine is how a reader points into a file: "line 5", yaml v4's
// "at L42.C15", "interaction 2".
var namesALine = regexp.MustCompile(`line \d+|\bL\d+|interaction \d+`)

// checkCassetteReaders runs on a goroutine of its own: only t.Error here.
func checkCassetteReaders(t *testing.T, data []byte) {
	parsed, parseErr := stripecassette.Parse(data)

	var docs []pipeline.Document
	readErr := pipeline.ReadCassette("fuzz.yaml", bytes.NewReader(data), 1<<20, func(d pipeline.Document) error {
		docs = append(docs, d)
		return nil
	})
	srv, serveErr := NewServer(fstest.MapFS{"fuzz.yaml": {Data: data}})

	if (parseErr == nil) != (readErr == nil) || (parseErr == nil) != (serveErr == nil) {
		t.Errorf("the readers disagree: cassette.Parse %v, ReadCassette %v, NewServer %v", parseErr, readErr, serveErr)
		return
	}
	if parseErr != nil {
		// ReadCassette's documented contract: "an error naming the line";
		// pipeline names the file. NewServer names the file itself.
		if !namesALine.MatchString(readErr.Error()) {
			t.Errorf("ReadCassette's error names no line nor interaction: %v", readErr)
		}
		if !strings.Contains(serveErr.Error(), "fuzz.yaml") {
			t.Errorf("NewServer's error does not name the file: %v", serveErr)
		}
		return
	}

	var c cassette.Cassette
	c.Version = cassette.CassetteFormatVersion
	for n, i := range parsed.Interactions {
		if i.Index != n || i.Interaction == nil || i.Line < 1 {
			t.Errorf("interaction %d loaded as index %d at line %d", n, i.Index, i.Line)
		}
		c.Interactions = append(c.Interactions, i.Interaction)
	}
	if srv.Interactions() != len(c.Interactions) {
		t.Errorf("NewServer serves %d interactions of %d", srv.Interactions(), len(c.Interactions))
	}
	for _, d := range docs {
		if !strings.HasPrefix(d.Prefix, "/interactions/") || d.Source != "fuzz.yaml" || int64(len(d.Data)) > d.Size {
			t.Errorf("ReadCassette emitted %+v", d)
		}
	}

	// Written and read again, the cassette is the same: marshalled as
	// WriteCassette hands it to go-vcr (yaml v4), it parses, and marshals
	// to the same bytes.
	first, err := yaml.Marshal(&cassette.Cassette{Version: c.Version, Interactions: c.Interactions})
	if err != nil {
		t.Errorf("a cassette cassette.Parse accepted cannot be marshalled: %v", err)
		return
	}
	again, err := stripecassette.Parse(first)
	if err != nil {
		t.Errorf("a marshalled cassette does not parse: %v\n%s", err, first)
		return
	}
	second, err := yaml.Marshal(&cassette.Cassette{Version: cassette.CassetteFormatVersion, Interactions: vcrInteractions(again)})
	if err != nil || !bytes.Equal(first, second) {
		t.Errorf("a cassette does not survive a round trip (%v):\n%s\n---\n%s", err, first, second)
	}

	// What WriteCassette writes (redacted, atomically), the readers read.
	path := filepath.Join(scratchDir(t), "out.yaml")
	if err := WriteCassette(path, c.Interactions); err != nil {
		var se *SecretError
		if !errors.As(err, &se) {
			t.Errorf("WriteCassette refused a cassette cassette.Parse accepted: %v", err)
		}
	} else if written, err := os.ReadFile(path); err != nil {
		t.Errorf("WriteCassette wrote nothing readable: %v", err)
	} else if back, err := stripecassette.Parse(written); err != nil {
		t.Errorf("what WriteCassette wrote does not parse: %v\n%s", err, written)
	} else if len(back.Interactions) != len(c.Interactions) {
		t.Errorf("WriteCassette wrote %d interactions of %d", len(back.Interactions), len(c.Interactions))
	}

	// Asked for what it holds, and for something it does not, the server
	// answers without panicking.
	for n, i := range c.Interactions {
		if n == 3 {
			break
		}
		for _, target := range []string{i.Request.URL, i.Request.URL + "&fuzz=1"} {
			req, err := http.NewRequest(i.Request.Method, target, strings.NewReader(i.Request.Body))
			if err != nil {
				continue
			}
			for k, vs := range i.Request.Headers {
				for _, v := range vs {
					req.Header.Add(k, v)
				}
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code == 0 {
				t.Errorf("no status for %s", fmt.Sprint(req.Method, " ", target))
			}
		}
	}
}

// vcrInteractions are go-vcr's interactions of a loaded cassette.
func vcrInteractions(c *stripecassette.Cassette) []*cassette.Interaction {
	out := make([]*cassette.Interaction, len(c.Interactions))
	for n, i := range c.Interactions {
		out[n] = i.Interaction
	}
	return out
}
