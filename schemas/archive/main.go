// Command archive writes schemas/contract.zip, the archive of the committed
// schema files that the stripe-contract binary embeds, from those files:
//
//	go run ./schemas/archive              (from the module root)
//	go run ./schemas/archive -dir schemas -out schemas/contract.zip
//
// Run it after the generator has rewritten a version's files; the schemas
// package's tests fail while the archive and the files differ.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/schemas"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("archive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "schemas", "the schemas directory: one folder of generated files per API version")
	out := fs.String("out", "", "the archive to write (default: DIR/"+schemas.ArchiveFile+")")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "archive: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *out == "" {
		*out = filepath.Join(*dir, schemas.ArchiveFile)
	}
	var buf bytes.Buffer
	if err := schemas.WriteArchive(&buf, os.DirFS(*dir)); err != nil {
		fmt.Fprintf(stderr, "archive: %s: %v\n", *dir, err)
		return 1
	}
	if err := disk.WriteFile(*out, buf.Bytes()); err != nil {
		fmt.Fprintf(stderr, "archive: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "archive: wrote %s (%d bytes)\n", *out, buf.Len())
	return 0
}
