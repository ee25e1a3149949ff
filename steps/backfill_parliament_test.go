package steps

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/s3repl/s3repl/awsops/policy"
)

// TestBackfillPoliciesPassParliament lints the batch role's trust and permissions and
// the grant on the objects' other keys.
func TestBackfillPoliciesPassParliament(t *testing.T) {
	bin := parliamentPath(t)
	f := Facts{Partition: "aws", SourceAccount: "111111111111", SourceRegion: "us-east-1", SourceBucket: "acme-prod-orders",
		RoleARN: "arn:aws:iam::111111111111:role/replication", RuleID: "to-backup", Prefix: "orders/"}
	bf := backfillFacts(Setup{Source: SourceSetup{Bucket: f.SourceBucket}}, f, BackfillOptions{Objects: BackfillBoth})
	doc := func(statements ...policy.Statement) string {
		d := &policy.Document{}
		if _, err := d.Upsert(statements...); err != nil {
			t.Fatal(err)
		}
		return d.String()
	}
	docs := map[string]string{
		"batch-trust":  doc(bf.BatchTrustStatement()),
		"batch-policy": doc(bf.BatchRoleStatements()...),
	}
	docs["object-keys"] = doc(objectKeysStatement(f, []string{"arn:aws:kms:us-east-1:111111111111:key/finance"}))
	dir := t.TempDir()
	for name, d := range docs {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(d), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(bin, "--json", "--directory", dir, "--include_policy_extension", ".json").Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("parliament: %v", err)
	}
	scanner := bufio.NewScanner(bytes.NewReader(out))
	for scanner.Scan() {
		var finding parliamentFinding
		if err := json.Unmarshal(scanner.Bytes(), &finding); err != nil {
			t.Fatalf("parliament output %q: %v", scanner.Text(), err)
		}
		name := filepath.Base(finding.Location.Filepath)
		if errorLevel(finding, name == "batch-trust.json") {
			t.Errorf("%s: %s %s %v\n%s", name, finding.Severity, finding.Issue, finding.Detail, docs[name[:len(name)-5]])
		}
	}
}
