package schemas_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas"
)

var _ = Describe("the embedded archive", func() {
	It("holds exactly the committed files, byte for byte (else: go run ./schemas/archive)", func() {
		committed, err := schemas.ArchivedFiles(os.DirFS("."))
		Expect(err).NotTo(HaveOccurred())
		Expect(len(committed)).To(BeNumerically(">", 3*100), "every version's resources and index")
		raw, err := os.ReadFile(schemas.ArchiveFile)
		Expect(err).NotTo(HaveOccurred())
		archive, err := schemas.OpenArchive(bytes.NewReader(raw), int64(len(raw)))
		Expect(err).NotTo(HaveOccurred())
		var held []string
		Expect(fs.WalkDir(archive, ".", func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				held = append(held, path)
			}
			return err
		})).To(Succeed())
		Expect(held).To(Equal(committed), "the archive's entries are the committed files; rewrite it with go run ./schemas/archive")
		for _, name := range committed {
			want, err := os.ReadFile(name)
			Expect(err).NotTo(HaveOccurred())
			got, err := fs.ReadFile(archive, name)
			Expect(err).NotTo(HaveOccurred())
			Expect(bytes.Equal(got, want)).To(BeTrue(), "%s differs from the committed file; rewrite the archive with go run ./schemas/archive", name)
		}
	})

	It("keeps the request contracts out of the archive and beside it, readable at offsets", func() {
		for _, v := range schemas.Versions() {
			fsys, err := schemas.Version(v)
			Expect(err).NotTo(HaveOccurred())
			f, err := fsys.Open(schemas.RequestFile)
			Expect(err).NotTo(HaveOccurred())
			_, ok := f.(interface {
				ReadAt([]byte, int64) (int, error)
			})
			Expect(ok).To(BeTrue(), "%s/%s is read in parts", v, schemas.RequestFile)
			Expect(f.Close()).To(Succeed())
			names, err := fs.Glob(fsys, "*.json")
			Expect(err).NotTo(HaveOccurred())
			Expect(names).To(ContainElements(schemas.RequestFile, schemas.IndexFile, schemas.InvoicePaymentFile))
		}
	})

	It("writes the same bytes for the same files, and reads them back", func() {
		tree := fstest.MapFS{
			"2030-01-01.x/index.json":                  {Data: []byte(`{"a":1}`)},
			"2030-01-01.x/customer.schema.json":        {Data: bytes.Repeat([]byte(`{"type":"object"}`), 1000)},
			"2030-01-01.x/requests.schema.json":        {Data: []byte(`{}`)},
			"2030-01-01.x/notes.txt":                   {Data: []byte("not archived")},
			"2030-01-01.x/nested/other.schema.json":    {Data: []byte(`{}`)},
			"2030-01-02.y/invoice_payment.schema.json": {Data: []byte(`{"b":2}`)},
		}
		var one, two bytes.Buffer
		Expect(schemas.WriteArchive(&one, tree)).To(Succeed())
		Expect(schemas.WriteArchive(&two, tree)).To(Succeed())
		Expect(one.Bytes()).To(Equal(two.Bytes()))
		names, err := schemas.ArchivedFiles(tree)
		Expect(err).NotTo(HaveOccurred())
		Expect(names).To(Equal([]string{"2030-01-01.x/customer.schema.json", "2030-01-01.x/index.json", "2030-01-02.y/invoice_payment.schema.json"}))
		got, err := schemas.OpenArchive(bytes.NewReader(one.Bytes()), int64(one.Len()))
		Expect(err).NotTo(HaveOccurred())
		for _, n := range names {
			b, err := fs.ReadFile(got, n)
			Expect(err).NotTo(HaveOccurred())
			Expect(b).To(Equal(tree[n].Data))
		}
		_, err = fs.ReadFile(got, "2030-01-01.x/requests.schema.json")
		Expect(err).To(MatchError(fs.ErrNotExist))
	})

	It("refuses what WriteArchive does not write, with an error", func() {
		Expect(schemas.WriteArchive(&bytes.Buffer{}, fstest.MapFS{"x/a.txt": {}})).To(MatchError(ContainSubstring("no files match")))

		_, err := schemas.OpenArchive(bytes.NewReader([]byte("not a zip")), 9)
		Expect(err).To(HaveOccurred())

		var deflated bytes.Buffer
		zw := zip.NewWriter(&deflated)
		w, err := zw.Create("v/a.schema.json") // Deflate, not zstd
		Expect(err).NotTo(HaveOccurred())
		_, _ = w.Write([]byte("{}"))
		Expect(zw.Close()).To(Succeed())
		_, err = schemas.OpenArchive(bytes.NewReader(deflated.Bytes()), int64(deflated.Len()))
		Expect(err).To(MatchError(ContainSubstring(`"v/a.schema.json" is not one WriteArchive writes`)))
	})
})
