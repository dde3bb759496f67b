package schemas

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
)

// ArchiveFile is the name, in this directory, of the archive the binary
// embeds: every API version's committed files (ArchivedFiles), each
// compressed on its own with zstd so that a file is read without the
// others. The request contracts (RequestFile) are not in it: they are
// embedded as they are, since their reader reads them in parts, at offsets
// (io.ReaderAt), and a compressed file can only be read whole. Of the
// committed 85 MB of JSON, 42 MB are request contracts and the rest is a
// 5 MB archive; a run maps into memory only the bytes of the files it
// reads. `go run ./schemas/archive` writes it from
// the committed files, and a test fails when it holds anything else.
const ArchiveFile = "contract.zip"

// archivePatterns are the path patterns (path.Match) of the committed
// files the archive holds, relative to this directory, less the request
// contracts.
var archivePatterns = []string{"*/*.schema.json", "*/" + IndexFile}

// zipMethodZstd is the zip compression method number of zstd (WinZip's).
const zipMethodZstd = zstd.ZipMethodWinZip

// ArchivedFiles lists the files of root (this directory's tree) that the
// archive holds, sorted: every version's index and schema files but its
// request contract.
func ArchivedFiles(root fs.FS) ([]string, error) {
	var names []string
	for _, p := range archivePatterns {
		m, err := fs.Glob(root, p)
		if err != nil {
			return nil, err
		}
		for _, n := range m {
			if path.Base(n) != RequestFile {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// WriteArchive writes the archive of root's files (ArchivedFiles) to w.
// The same files always give the same bytes: entries in path order, no
// times, one zstd encoder setting.
func WriteArchive(w io.Writer, root fs.FS) error {
	names, err := ArchivedFiles(root)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("no files match %s", strings.Join(archivePatterns, ", "))
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zipMethodZstd, zstd.ZipCompressor(
		zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(archiveWindow)))
	for _, name := range names {
		b, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: name, Method: zipMethodZstd, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
		f, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := f.Write(b); err != nil {
			return fmt.Errorf("compress %s: %w", name, err)
		}
	}
	return zw.Close()
}

// OpenArchive reads an archive WriteArchive wrote, of size bytes in r, as
// a file system of the files it holds (directories included).
func OpenArchive(r io.ReaderAt, size int64) (fs.FS, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, err
	}
	zr.RegisterDecompressor(zipMethodZstd, zstd.ZipDecompressor(
		zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(archiveWindow)))
	for _, f := range zr.File {
		if f.Method != zipMethodZstd || !fs.ValidPath(f.Name) || path.Clean(f.Name) != f.Name {
			return nil, fmt.Errorf("entry %q is not one WriteArchive writes", f.Name)
		}
	}
	return zr, nil
}

// withRequests is the embedded contract: the archive's files, and each
// version's request contract beside them, from an embed.FS.
type withRequests struct {
	archive  fs.FS
	requests fs.FS // */RequestFile
}

// Open opens the file or directory name.
func (u withRequests) Open(name string) (fs.File, error) {
	if path.Base(name) == RequestFile {
		return u.requests.Open(name)
	}
	return u.archive.Open(name)
}

// ReadDir lists the directory name: the archive's entries, and the request
// contract of a version's directory.
func (u withRequests) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(u.archive, name)
	if err != nil {
		return nil, err
	}
	if name == "." {
		return entries, nil
	}
	more, err := fs.ReadDir(u.requests, name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	entries = append(entries, more...)
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

// brokenFS is the file system of an embedded archive that does not open:
// every read fails with the reason, so that every command says it rather
// than the program stopping at start.
type brokenFS struct{ err error }

// Open fails with the reason the archive is unreadable.
func (b brokenFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: b.err}
}

// archiveWindow is the zstd window of the archive's entries: what a reader
// holds of a file's history while it decompresses it. A small window costs
// the archive a few per cent of its size and keeps each decoder's buffers
// small.
const archiveWindow = 256 << 10
