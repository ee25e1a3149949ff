package policy

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	iam "github.com/micahhausler/aws-iam-policy/policy"
)

// The seed corpus is in testdata/fuzz/<FuzzName>/; `go test` runs it as normal tests,
// `go test -fuzz FuzzName ./awsops/policy/` explores further.

var fuzzSeeds = []string{
	theirs,
	`{"Version":"2012-10-17","Statement":{"Sid":"One","Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
	`{"Statement":[{"Sid":"Ours","Effect":"Deny","Action":"kms:*","Resource":"*"},{"Sid":"Ours","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
	`%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D`,
	`{"Id":"x","Statement":[1,"two",null,{"Sid":7}],"Extra":{"nested":[true]}}`,
	``,
}

// FuzzParse: parsing never panics, and what Parse accepts renders as valid JSON that
// parses back to the same statements and members.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		d, err := Parse(doc)
		if err != nil {
			return
		}
		if trimmed := strings.TrimSpace(doc); strings.HasPrefix(trimmed, "{") && !json.Valid([]byte(trimmed)) {
			t.Fatalf("Parse accepted a document that is not JSON: %q", doc)
		}
		out := d.String()
		if !json.Valid([]byte(out)) {
			t.Fatalf("rendered invalid JSON %q from %q", out, doc)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("the rendering %q does not parse: %v", out, err)
		}
		if len(again.Statements()) != len(d.Statements()) || strings.Join(again.Sids(), "\x00") != strings.Join(d.Sids(), "\x00") {
			t.Fatalf("statements changed in a round trip: %v -> %v", d.Sids(), again.Sids())
		}
		if Compact(out) != Compact(again.String()) {
			t.Fatalf("rendering is not stable:\n%s\n%s", out, again.String())
		}
	})
}

// FuzzUpsert: merging s3repl's statements never panics, never drops or changes a
// statement with another Sid (same JSON, same order), and merging twice equals merging
// once.
func FuzzUpsert(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "Ours", "kms:Encrypt", "*")
		f.Add(s, "One", "s3:GetObject", "arn:aws:s3:::b/*")
	}
	f.Fuzz(func(t *testing.T, doc, sid, action, resource string) {
		d, err := Parse(doc)
		if err != nil || sid == "" {
			return
		}
		st := Statement{Sid: sid, Effect: iam.EffectAllow, Principal: iam.NewAWSPrincipal("arn:aws:iam::2:role/r"),
			Action: iam.NewStringOrSlice(false, action), Resource: iam.NewStringOrSlice(false, resource)}
		before := othersOf(d, sid)
		if _, err := d.Upsert(st); err != nil {
			return
		}
		if after := othersOf(d, sid); !sameStatements(before, after) {
			t.Fatalf("statements s3repl did not write changed:\nbefore %s\nafter  %s", before, after)
		}
		if _, ok := d.Statement(sid); !ok {
			t.Fatalf("the merged statement %q is missing", sid)
		}
		once := d.String()
		merged, err := Parse(once)
		if err != nil {
			t.Fatalf("the merged document does not parse: %v\n%s", err, once)
		}
		changed, err := merged.Upsert(st)
		if err != nil || changed || Compact(merged.String()) != Compact(once) {
			t.Fatalf("merging twice differs from merging once (changed=%v, err=%v):\n%s\n%s", changed, err, once, merged.String())
		}
	})
}

// othersOf is every statement whose Sid is not sid, compacted, in order. The first
// statement with sid is s3repl's; later ones of the same Sid are the customer's.
func othersOf(d *Document, sid string) [][]byte {
	var out [][]byte
	skipped := false
	for _, s := range d.Statements() {
		if !skipped && sidOf(s) == sid {
			skipped = true
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, s); err != nil {
			buf.Write(s)
		}
		out = append(out, buf.Bytes())
	}
	return out
}

func sameStatements(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
