package simcloud

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// Identifiers are derived from a sequence number, so a cloud seeded and used the same
// way hands out the same ids every run (demo goldens stay stable), yet they look
// like AWS's.

func (c *Cloud) digest(purpose string) [sha256.Size]byte {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], c.nextSeq())
	return sha256.Sum256(append([]byte(purpose), buf[:]...))
}

// newKeyID returns a KMS key id: a UUID, prefixed with mrk- for multi-Region keys.
func (c *Cloud) newKeyID(multiRegion bool) string {
	sum := c.digest("key")
	h := hex.EncodeToString(sum[:16])
	id := h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
	if multiRegion {
		return "mrk-" + h
	}
	return id
}

const versionAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

// newVersionID returns an S3 object version id: 32 URL-safe characters.
func (c *Cloud) newVersionID() string {
	sum := c.digest("version")
	var b strings.Builder
	for _, x := range sum[:32] {
		b.WriteByte(versionAlphabet[int(x)%len(versionAlphabet)])
	}
	return b.String()
}
