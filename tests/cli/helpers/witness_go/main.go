// witness_go — an independent client of the C2SP tlog-witness protocol
// built on another project's implementation of the formats: the Go
// project's golang.org/x/mod/sumdb/note (the signed-note format and its
// Ed25519 key IDs, from which C2SP signed-note was written) and
// golang.org/x/mod/sumdb/tlog (RFC 6962 tree hashes and consistency
// proofs), as Debian packages them (golang-golang-x-mod-dev 0.7.0). It
// shares no code with src/ledger/witness.c nor with witness_client.mjs.
// Run by tests/cli/witness_go.sh; built offline (GO111MODULE=off,
// GOPATH=/usr/share/gocode).
//
//	witness_go keygen NAME SKEYFILE      note.GenerateKey; prints the vkey
//	witness_go drive URL LOGSKEY OTHERSKEY WITNESSVKEY
//	    keeps its own log of leaves (tlog.StoredHashes / TreeHash /
//	    ProveTree), signs checkpoints with note.Sign and sends them to
//	    URL/add-checkpoint as c2sp.org/tlog-witness says; checks every
//	    answer and each cosignature (note.Open with a cosignature/v1
//	    verifier written here from c2sp.org/tlog-cosignature)
//	witness_go open NOTEFILE LOGVKEY [WITNESSVKEY]
//	    opens a note signed by plumb with note.Open and note.NewVerifier
//	    (and the cosignature/v1 verifier if a witness key is given)
//	witness_go tiles DIR LOGVKEY
//	    reads a `plumb export-tiles` directory (c2sp.org/tlog-tiles, whose
//	    hash tiles are x/mod's tiles of height 8 without the height in the
//	    path): rebuilds the tree from the entry bundles with tlog, wants
//	    the checkpoint's root, every hash tile byte for byte as
//	    tlog.ReadTileData makes it and no other file, and proves records
//	    through tlog.TileHashReader over the files
//
// Specs (texts in the C2SP/C2SP repository):
//   - c2sp.org/tlog-witness, "add-checkpoint": the request body is
//     "old <size>\n", the consistency proof one base64 hash a line, an
//     empty line, then the checkpoint note; 200 with signature lines;
//     409 with Content-Type text/x.tlog.size and the witness's size when
//     old does not match or the root differs at the same size; 404 for an
//     unknown origin; 403 when no signature by a known key verifies; 422
//     when the consistency proof does not verify; 400 for old > size.
//   - c2sp.org/tlog-checkpoint: body "<origin>\n<size>\n<base64 root>\n".
//   - c2sp.org/tlog-cosignature: signature type 0x04; the key ID is
//     SHA-256(name || "\n" || 0x04 || pk)[:4]; the signature bytes are
//     keyID || u64be timestamp || Ed25519(msg) with msg =
//     "cosignature/v1\ntime <timestamp>\n" || checkpoint body.
//
// Prints "FAIL: ..." and exits 1 on the first mismatch.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", a...)
	os.Exit(1)
}

// ------------------------------------------------------ the client's log

// memLog is a log of records whose stored hashes come from x/mod's tlog.
type memLog struct {
	hashes []tlog.Hash // indexed by tlog.StoredHashIndex
	n      int64
}

func (l *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("hash index %d not stored", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

func (l *memLog) add(data string) {
	hs, err := tlog.StoredHashes(l.n, []byte(data), l)
	if err != nil {
		fail("tlog.StoredHashes: %v", err)
	}
	l.hashes = append(l.hashes, hs...)
	l.n++
}

func (l *memLog) grow(to int64, prefix string) {
	for l.n < to {
		l.add(fmt.Sprintf("%s record %d", prefix, l.n))
	}
}

func (l *memLog) root(n int64) tlog.Hash {
	h, err := tlog.TreeHash(n, l)
	if err != nil {
		fail("tlog.TreeHash(%d): %v", n, err)
	}
	return h
}

// proof from size n to size t (empty when n is 0 or n == t), checked with
// tlog.CheckTree before it is sent.
func (l *memLog) proof(t, n int64) tlog.TreeProof {
	if n == 0 || n == t {
		return nil
	}
	p, err := tlog.ProveTree(t, n, l)
	if err != nil {
		fail("tlog.ProveTree(%d, %d): %v", t, n, err)
	}
	if err := tlog.CheckTree(p, t, l.root(t), n, l.root(n)); err != nil {
		fail("tlog.CheckTree of our own proof %d -> %d: %v", n, t, err)
	}
	return p
}

// body is the c2sp.org/tlog-checkpoint body (no extension lines).
func body(origin string, size int64, root tlog.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

func sign(text string, signers ...note.Signer) []byte {
	msg, err := note.Sign(&note.Note{Text: text}, signers...)
	if err != nil {
		fail("note.Sign: %v", err)
	}
	return msg
}

// request is the add-checkpoint body of c2sp.org/tlog-witness.
func request(old int64, p tlog.TreeProof, signed []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	for _, h := range p {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(signed)
	return b.Bytes()
}

// ------------------------------------------- cosignature/v1 verifier

// cosigVerifier is a note.Verifier for the cosignature/v1 type (0x04) of
// c2sp.org/tlog-cosignature, used through x/mod's note.Open.
type cosigVerifier struct {
	name  string
	hash  uint32
	pk    ed25519.PublicKey
	times []uint64 // timestamps of the cosignatures it verified
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	// note.Open strips the 4-byte key ID: sig = u64be timestamp || signature.
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	m := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	if !ed25519.Verify(v.pk, m, sig[8:]) {
		return false
	}
	v.times = append(v.times, t)
	return true
}

// newCosigVerifier parses "<name>+<hex key ID>+base64(0x04 || pk)" and
// checks the key ID against the spec's derivation.
func newCosigVerifier(vkey string) *cosigVerifier {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		fail("witness vkey %q: not name+hash+key", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 0x04 {
		fail("witness vkey %q: not base64(0x04 || 32-byte key)", vkey)
	}
	id := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	want := hex.EncodeToString(id[:4])
	if parts[1] != want {
		fail("witness vkey %q: key ID %s, the spec's SHA-256(name\\n 0x04 pk)[:4] is %s", vkey, parts[1], want)
	}
	return &cosigVerifier{name: parts[0], hash: binary.BigEndian.Uint32(id[:4]), pk: ed25519.PublicKey(raw[1:])}
}

// ------------------------------------------------------------- driving

type answer struct {
	code  int
	ctype string
	body  string
}

func post(url string, req []byte) answer {
	resp, err := http.Post(url+"/add-checkpoint", "text/plain", bytes.NewReader(req))
	if err != nil {
		fail("POST %s/add-checkpoint: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		fail("reading the answer: %v", err)
	}
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

type driver struct {
	url     string
	logV    note.Verifier
	witness *cosigVerifier
	sent    int
	cosigs  []int64 // sizes cosigned, in order
}

// cosigned sends one request, wants 200 and checks the cosignature with
// note.Open over the checkpoint text plus the answered line(s); the whole
// note (the log's signature and the cosignature) must open too.
func (d *driver) cosigned(what string, old int64, p tlog.TreeProof, signed []byte) {
	d.sent++
	a := post(d.url, request(old, p, signed))
	if a.code != 200 {
		fail("%s: HTTP %d %q, want 200", what, a.code, a.body)
	}
	if !strings.HasSuffix(a.body, "\n") || !strings.HasPrefix(a.body, "\u2014 ") {
		fail("%s: 200 body is not signature lines: %q", what, a.body)
	}
	text := string(signed[:bytes.Index(signed, []byte("\n\n"))+1])
	n0 := len(d.witness.times)
	n, err := note.Open([]byte(text+"\n"+a.body), note.VerifierList(d.witness))
	if err != nil {
		fail("%s: note.Open of the cosignature: %v (body %q)", what, err, a.body)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != d.witness.name || len(n.UnverifiedSigs) != 0 {
		fail("%s: want one cosignature by %s, got %+v / unverified %+v", what, d.witness.name, n.Sigs, n.UnverifiedSigs)
	}
	if len(d.witness.times) != n0+1 {
		fail("%s: the cosignature verifier was not the one that verified", what)
	}
	now := uint64(time.Now().Unix())
	if t := d.witness.times[n0]; t+600 < now || t > now+600 {
		fail("%s: cosignature timestamp %d is not near now (%d)", what, t, now)
	}
	all, err := note.Open(append(append([]byte{}, signed...), a.body...), note.VerifierList(d.logV, d.witness))
	if err != nil || len(all.Sigs) != 2 {
		fail("%s: the cosigned note does not open with both keys: %v", what, err)
	}
	size, _ := strconv.ParseInt(strings.Split(text, "\n")[1], 10, 64)
	d.cosigs = append(d.cosigs, size)
}

// refused sends one request and wants the status; for 409 also the
// text/x.tlog.size body.
func (d *driver) refused(what string, old int64, p tlog.TreeProof, signed []byte, code int, size int64) {
	d.sent++
	a := post(d.url, request(old, p, signed))
	if a.code != code {
		fail("%s: HTTP %d %q, want %d", what, a.code, a.body, code)
	}
	if code == 409 {
		if a.ctype != "text/x.tlog.size" {
			fail("%s: 409 Content-Type %q, want text/x.tlog.size", what, a.ctype)
		}
		if a.body != strconv.FormatInt(size, 10)+"\n" {
			fail("%s: 409 body %q, want %q", what, a.body, fmt.Sprintf("%d\n", size))
		}
	}
}

func readSigner(path string) note.Signer {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		fail("note.NewSigner(%s): %v", path, err)
	}
	return s
}

func drive(url, logKey, otherKey, witnessVkey string) {
	logS := readSigner(logKey)
	otherS := readSigner(otherKey) // same name as the log, another key
	origin := logS.Name()
	pub, _ := os.ReadFile(logKey + ".pub")
	logV, err := note.NewVerifier(strings.TrimSpace(string(pub)))
	if err != nil {
		fail("note.NewVerifier of the log key: %v", err)
	}
	d := &driver{url: url, logV: logV, witness: newCosigVerifier(witnessVkey)}
	cp := func(l *memLog, n int64, s ...note.Signer) []byte {
		return sign(body(origin, n, l.root(n)), s...)
	}

	l := &memLog{}
	l.grow(3, "main")
	d.cosigned("first checkpoint (old 0, size 3)", 0, nil, cp(l, 3, logS))
	// growth x3, each with its consistency proof from the last size
	prev := int64(3)
	for _, n := range []int64{7, 12, 20} {
		l.grow(n, "main")
		d.cosigned(fmt.Sprintf("growth %d -> %d", prev, n), prev, l.proof(n, prev), cp(l, n, logS))
		prev = n
	}
	d.cosigned("the same checkpoint again (old 20, size 20)", 20, nil, cp(l, 20, logS))

	// a fork at the covered size: the same 20 records but the 16th
	f := &memLog{}
	f.grow(15, "main")
	f.add("forked record")
	f.grow(20, "fork")
	if f.root(15) != l.root(15) || f.root(20) == l.root(20) {
		fail("the fork is not a fork")
	}
	d.refused("fork at the covered size 20", 20, nil, cp(f, 20, logS), 409, 20)
	// rollback: the log's own older checkpoint, as a stale client sends it
	d.refused("rollback to 12 (old 12)", 12, nil, cp(l, 12, logS), 409, 20)
	d.refused("rollback 7 -> 12 with a proof", 7, l.proof(12, 7), cp(l, 12, logS), 409, 20)
	// a fork beyond the covered size, with the fork's own proof from 20
	f.grow(26, "fork")
	d.refused("fork beyond the covered size (20 -> 26)", 20, f.proof(26, 20), cp(f, 26, logS), 422, 0)
	// a proof one hash short
	l.grow(30, "main")
	p := l.proof(30, 20)
	if len(p) < 2 {
		fail("proof 20 -> 30 has %d hashes", len(p))
	}
	d.refused("proof one hash short (20 -> 30)", 20, p[:len(p)-1], cp(l, 30, logS), 422, 0)
	// a hash of the proof changed
	bad := append(tlog.TreeProof{}, p...)
	bad[0][0] ^= 1
	d.refused("proof with a changed hash (20 -> 30)", 20, bad, cp(l, 30, logS), 422, 0)
	// an unknown origin, correctly signed by its own key
	uskey, _, err := note.GenerateKey(rand.Reader, "unknown.example/log")
	if err != nil {
		fail("note.GenerateKey: %v", err)
	}
	us, _ := note.NewSigner(uskey)
	d.refused("unknown origin", 0, nil, sign(body("unknown.example/log", 3, l.root(3)), us), 404, 0)
	// the right origin signed by another key of the same name, and by a
	// key of another name
	d.refused("signature by another key of the log's name", 20, p, cp(l, 30, otherS), 403, 0)
	d.refused("signature by a key of another name", 20, p, cp(l, 30, us), 403, 0)
	// a signature of the log's key over another text, spliced in
	good := cp(l, 30, logS)
	sigline := good[bytes.Index(good, []byte("\n\n"))+2:]
	spliced := append([]byte(body(origin, 30, l.root(29))+"\n"), sigline...)
	d.refused("the log's signature over another root", 20, p, spliced, 403, 0)
	// old larger than the size
	d.refused("old 31 > size 30", 31, nil, cp(l, 30, logS), 400, 0)
	// after the refusals the state is still 20: the whole proof cosigns
	d.cosigned("growth 20 -> 30 after the refusals", 20, p, cp(l, 30, logS))
	d.refused("rollback to 20 after 30", 20, nil, cp(l, 20, logS), 409, 30)
	if fmt.Sprint(d.cosigs) != "[3 7 12 20 20 30]" {
		fail("cosigned sizes %v", d.cosigs)
	}
	fmt.Printf("ok: x/mod client -> %s: %d requests; cosignatures of sizes %v each verified by note.Open (cosignature/v1); refusals 409 x3, 422 x3, 404, 403 x3, 400, 409\n",
		d.url, d.sent, d.cosigs)
}

// open: a note signed by plumb opens with x/mod's note.Open.
func open(path, logVkey, witnessVkey string) {
	msg, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	v, err := note.NewVerifier(logVkey)
	if err != nil {
		fail("note.NewVerifier(%q) (plumb's log key): %v", logVkey, err)
	}
	vs := []note.Verifier{v}
	var w *cosigVerifier
	if witnessVkey != "" {
		w = newCosigVerifier(witnessVkey)
		vs = append(vs, w)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil {
		fail("note.Open of plumb's note %s: %v", path, err)
	}
	if len(n.Sigs) != len(vs) {
		fail("plumb's note %s: %d signatures verified, want %d (%+v)", path, len(n.Sigs), len(vs), n.Sigs)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		fail("plumb's note text is not a checkpoint: %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	root, err2 := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || err2 != nil || len(root) != 32 || strconv.FormatInt(size, 10) != lines[1] {
		fail("plumb's checkpoint body is not origin / size / base64 root: %q", n.Text)
	}
	fmt.Printf("%s %d %s %d\n", lines[0], size, lines[2], len(n.Sigs))
}

// ----------------------------------------------------------- tiles

// c2spPath is the c2sp.org/tlog-tiles path of a height-8 tile: x/mod's
// tile path ("tile/8/L/N[.p/W]", the same N encoding) without the height.
func c2spPath(t tlog.Tile) string {
	p := t.Path()
	if t.H != 8 || !strings.HasPrefix(p, "tile/8/") {
		fail("tile %v: not height 8", t)
	}
	return "tile/" + strings.TrimPrefix(p, "tile/8/")
}

type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return 8 }
func (d dirTiles) ReadTiles(ts []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(ts))
	for i, t := range ts {
		b, err := os.ReadFile(filepath.Join(d.dir, c2spPath(t)))
		if err != nil {
			return nil, err
		}
		if len(b) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", c2spPath(t), len(b), t.W*tlog.HashSize)
		}
		out[i] = b
	}
	return out, nil
}
func (d dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func tiles(dir, logVkey string) {
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		fail("%v", err)
	}
	v, err := note.NewVerifier(logVkey)
	if err != nil {
		fail("note.NewVerifier(%q): %v", logVkey, err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fail("note.Open of the exported checkpoint: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	root, err2 := tlog.ParseHash(lines[2])
	if err != nil || err2 != nil || size < 1 {
		fail("exported checkpoint body: %q", n.Text)
	}
	// The tiles a tree of this size has: x/mod's NewTiles lists every
	// width of the rightmost partial tiles; one tree has only the widest.
	want := map[string]tlog.Tile{}
	for _, t := range tlog.NewTiles(8, 0, size) {
		if t.W == 256 || int64(t.W) == size>>(8*uint(t.L))-t.N<<8 {
			want[c2spPath(t)] = t
		}
	}
	// Entry bundles (c2sp.org/tlog-tiles: u16be length || entry, aligned
	// with the level-0 tiles) rebuild the tree with x/mod's tlog.
	l := &memLog{}
	var entries [][]byte
	bundles := 0
	for _, t := range want {
		if t.L != 0 {
			continue
		}
		bundles++
	}
	for i := int64(0); i < int64(bundles); i++ {
		w := 256
		if rest := size - i*256; rest < 256 {
			w = int(rest)
		}
		t := tlog.Tile{H: 8, L: 0, N: i, W: w}
		p := "tile/entries/" + strings.TrimPrefix(c2spPath(t), "tile/0/")
		want[p] = t
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			fail("entry bundle: %v", err)
		}
		for k := 0; k < w; k++ {
			if len(b) < 2 || len(b) < 2+int(binary.BigEndian.Uint16(b)) {
				fail("%s: entry %d truncated", p, k)
			}
			m := int(binary.BigEndian.Uint16(b))
			e := append([]byte{}, b[2:2+m]...)
			entries = append(entries, e)
			hs, err := tlog.StoredHashesForRecordHash(l.n, tlog.RecordHash(e), l)
			if err != nil {
				fail("tlog.StoredHashesForRecordHash: %v", err)
			}
			l.hashes = append(l.hashes, hs...)
			l.n++
			b = b[2+m:]
		}
		if len(b) != 0 {
			fail("%s: %d bytes after its %d entries", p, len(b), w)
		}
	}
	if l.n != size {
		fail("entry bundles hold %d entries, the checkpoint says %d", l.n, size)
	}
	if l.root(size) != root {
		fail("x/mod's root of the %d exported entries is %v, the checkpoint's %v", size, l.root(size), root)
	}
	for p, t := range want {
		if strings.HasPrefix(p, "tile/entries/") {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			fail("hash tile: %v", err)
		}
		exp, err := tlog.ReadTileData(t, l)
		if err != nil {
			fail("tlog.ReadTileData(%s): %v", p, err)
		}
		if !bytes.Equal(got, exp) {
			fail("%s differs from x/mod's tile of the entries", p)
		}
	}
	files := 0
	err = filepath.Walk(filepath.Join(dir, "tile"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if _, ok := want[rel]; !ok {
			fail("unexpected file %s in the export of a tree of size %d", rel, size)
		}
		files++
		return nil
	})
	if err != nil || files != len(want) {
		fail("walking %s: %v (%d files, want %d)", dir, err, files, len(want))
	}
	// A tile client: every record proven from the files alone.
	thr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, dirTiles{dir})
	if h, err := tlog.TreeHash(size, thr); err != nil || h != root {
		fail("tlog.TreeHash through TileHashReader: %v", err)
	}
	for i := int64(0); i < size; i++ {
		p, err := tlog.ProveRecord(size, i, thr)
		if err != nil {
			fail("tlog.ProveRecord(%d, %d): %v", size, i, err)
		}
		if err := tlog.CheckRecord(p, size, root, i, tlog.RecordHash(entries[i])); err != nil {
			fail("record %d: %v", i, err)
		}
	}
	fmt.Printf("%s %d %d %d\n", lines[0], size, len(want)-bundles, bundles)
}

func main() {
	a := os.Args[1:]
	switch {
	case len(a) == 3 && a[0] == "keygen":
		skey, vkey, err := note.GenerateKey(rand.Reader, a[1])
		if err != nil {
			fail("note.GenerateKey: %v", err)
		}
		if os.WriteFile(a[2], []byte(skey+"\n"), 0o600) != nil || os.WriteFile(a[2]+".pub", []byte(vkey+"\n"), 0o644) != nil {
			fail("cannot write %s", a[2])
		}
		fmt.Println(vkey)
	case len(a) == 5 && a[0] == "drive":
		drive(a[1], a[2], a[3], a[4])
	case len(a) == 3 && a[0] == "tiles":
		tiles(a[1], a[2])
	case (len(a) == 3 || len(a) == 4) && a[0] == "open":
		w := ""
		if len(a) == 4 {
			w = a[3]
		}
		open(a[1], a[2], w)
	default:
		fmt.Fprintln(os.Stderr, "usage: witness_go keygen NAME SKEYFILE | drive URL LOGSKEY OTHERSKEY WITNESSVKEY | open NOTE LOGVKEY [WITNESSVKEY] | tiles DIR LOGVKEY")
		os.Exit(2)
	}
}
