package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strconv"
)

// Digest is the SHA-256 of the embedded contract, every version's files as
// committed, in hex: two builds judge alike when their digests are equal.
// It hashes, for each file in lexical path order, its path, a NUL, its
// length in decimal, a NUL and its bytes, so that no two trees share a
// digest by moving bytes from one file to the next.
func Digest() string { return digest(embedded, ".") }

// VersionDigest is Digest of one embedded API version's files (paths
// relative to its directory); a version that is not embedded is an
// *UnknownVersionError.
func VersionDigest(apiVersion string) (string, error) {
	fsys, err := Version(apiVersion)
	if err != nil {
		return "", err
	}
	return digest(fsys, "."), nil
}

// digest hashes the files under root of fsys as Digest says. The embedded
// tree is read without error; a file that fails to read (only possible for
// another fs.FS) is hashed as its path alone.
func digest(fsys fs.FS, root string) string {
	h := sha256.New()
	fs.WalkDir(fsys, root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			b = nil
		}
		h.Write([]byte(path))
		h.Write([]byte{0})
		h.Write(strconv.AppendInt(nil, int64(len(b)), 10))
		h.Write([]byte{0})
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}
