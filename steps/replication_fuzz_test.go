package steps

import (
	"encoding/json"
	"testing"
)

func fuzzFacts() Facts {
	return Facts{Partition: "aws", SourceAccount: "111111111111", SourceRegion: "us-east-1", SourceBucket: "src",
		DestAccount: "222222222222", DestRegion: "eu-west-1", DestBucket: "dst",
		DestKeyARN: "arn:aws:kms:eu-west-1:222222222222:key/k", RoleARN: "arn:aws:iam::111111111111:role/r", OwnerOverride: true}
}

// FuzzMergeReplication: merging s3repl's rule into a replication configuration never
// panics, keeps every rule s3repl did not write (by ID, once each), and merging twice
// equals merging once. The seed corpus is in testdata/fuzz/FuzzMergeReplication.
func FuzzMergeReplication(f *testing.F) {
	f.Add(`{"Role":"arn:aws:iam::111111111111:role/r","Rules":[{"ID":"theirs","Priority":1,"Status":"Enabled","Filter":{"Prefix":"logs/"},"DeleteMarkerReplication":{"Status":"Disabled"},"Destination":{"Bucket":"arn:aws:s3:::archive"}}]}`, "to-dst", "")
	f.Add(`{"Role":"arn:aws:iam::111111111111:role/r","Rules":[{"ID":"v1","Prefix":"old/","Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::archive"}}]}`, "to-dst", "new/")
	f.Add(`{"Rules":[{"ID":"to-dst","Priority":3,"Status":"Enabled","Filter":{},"Destination":{"Bucket":"arn:aws:s3:::dst"}}]}`, "to-dst", "")
	f.Add(``, "to-dst", "p/")
	f.Fuzz(func(t *testing.T, existing, ruleID, prefix string) {
		s := Setup{Rule: RuleSetup{ID: ruleID, Prefix: prefix}}
		var p Problems
		if s.validateRule(&p); s.RuleID() == "" || len(p) > 0 {
			return // Validate refuses the setup before any merge
		}
		once, _, err := MergeReplication(existing, s, fuzzFacts())
		if err != nil {
			return
		}
		before, after := ruleIDs(t, existing), ruleIDs(t, once)
		for id, n := range before {
			if id != s.RuleID() && after[id] != n {
				t.Fatalf("rule %q: %d before the merge, %d after:\n%s\n%s", id, n, after[id], existing, once)
			}
		}
		if after[s.RuleID()] == 0 {
			t.Fatalf("s3repl's rule %q is missing:\n%s", s.RuleID(), once)
		}
		twice, changed, err := MergeReplication(once, s, fuzzFacts())
		if err != nil || changed || twice != once {
			t.Fatalf("merging twice differs from merging once (changed=%v, err=%v):\n%s\n%s", changed, err, once, twice)
		}
	})
}

// ruleIDs counts the rules of a configuration by ID.
func ruleIDs(t *testing.T, config string) map[string]int {
	ids := map[string]int{}
	if config == "" {
		return ids
	}
	var c struct{ Rules []json.RawMessage }
	if err := json.Unmarshal([]byte(config), &c); err != nil {
		return ids
	}
	for _, r := range c.Rules {
		var h struct{ ID string }
		_ = json.Unmarshal(r, &h)
		ids[h.ID]++
	}
	return ids
}
