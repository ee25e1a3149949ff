package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// demoRulePage is the demo's wizard on the rule page, after before ran on its cloud.
func demoRulePage(t *testing.T, width, height int, before func(*simcloud.Cloud)) *pageDriver {
	t.Helper()
	d, cloud := demoPages(t, width, height)
	if before != nil {
		before(cloud)
	}
	d.pickDemoUpToDestBucket()
	d.press("down", "enter")
	d.expect("› " + simcloud.DemoReplicaKey)
	d.press("enter")
	d.on(pageRule)
	d.expect("Replication rule", simcloud.DemoExistingRole)
	return d
}

// moveTo presses down until the row labelled label is selected.
func (d *pageDriver) moveTo(label string) {
	d.t.Helper()
	d.press("g")
	for range 20 {
		if strings.Contains(d.screen(), "› "+label) {
			return
		}
		d.press("down")
	}
	d.t.Fatalf("no row %q:\n%s", label, d.screen())
}

// TestRuleTextRowsTypeOnlyAfterEnter: j/k/q/g on a text row move (or quit), they
// do not type; enter edits, esc puts the old value back and stays on the page,
// enter keeps what was typed.
func TestRuleTextRowsTypeOnlyAfterEnter(t *testing.T) {
	d := demoRulePage(t, 80, 24, nil)
	d.moveTo("Role")
	role := d.w.pages[pageRule].(*rulePage).form.field(fRole).input.Value()
	d.press("j", "k", "g", "j")
	if d.w.s.current != pageRule || d.w.top().typing() {
		t.Fatalf("a navigation key left the page or began an edit:\n%s", d.screen())
	}
	form := &d.w.pages[pageRule].(*rulePage).form
	if got := form.field(fRole).input.Value(); got != role {
		t.Fatalf("j/k/g typed into the role: %q", got)
	}
	d.moveTo("Role")
	d.expect("enter edit")
	d.press("enter")
	d.typeText("jjjq")
	d.expect(role + "jjjq")
	d.press("esc")
	d.on(pageRule)
	if got := form.field(fRole).input.Value(); got != role {
		t.Fatalf("esc kept the junk: %q", got)
	}
	d.press("enter", "ctrl+u")
	d.typeText("my-role")
	d.press("enter")
	d.expect("› Rule ID")
	if got := form.field(fRole).input.Value(); got != "my-role" {
		t.Fatalf("enter did not keep the typed role: %q", got)
	}
	if _, cmd := d.w.Update(keyPress("q")); cmd == nil || !isQuit(cmd) {
		t.Fatal("q on a row not being edited did not quit")
	}
}

// TestRulePlaceholdersDoNotLookLikeValues: without colour, an empty text row and
// its example cannot be taken for a value.
func TestRulePlaceholdersDoNotLookLikeValues(t *testing.T) {
	d := demoRulePage(t, 80, 24, nil)
	d.press("g", "right", "right") // tags
	d.press("down")
	d.expect("› Tags                (empty)")
	d.press("enter")
	d.expect("› Tags                (e.g. team=data, class=backup)")
	d.expectNot("Tags                team=data")
}

// TestSaveInputPlaceholderIsBracketed: the file name offered empty reads as an
// example, not a value.
func TestSaveInputPlaceholderIsBracketed(t *testing.T) {
	d := reviewDriver(t, 80, 24)
	d.press("s", "ctrl+u")
	d.expect("Save the setup as › (e.g. setup.yaml)")
}

// TestRuleOffersStorageClassesInTheConsolesWords: no retired REDUCED_REDUNDANCY,
// and the setup gets the API's value.
func TestRuleOffersStorageClassesInTheConsolesWords(t *testing.T) {
	d := demoRulePage(t, 80, 24, nil)
	d.moveTo("Storage class")
	var seen []string
	for range 8 {
		d.press("right")
		seen = append(seen, d.screen())
	}
	all := strings.Join(seen, "\n")
	for _, want := range []string{"S3 Standard-IA", "S3 Glacier Flexible Retrieval", "S3 Glacier Deep Archive", "same as source"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q offered", want)
		}
	}
	if strings.Contains(all, "REDUCED_REDUNDANCY") || strings.Contains(all, "Reduced Redundancy") {
		t.Error("the retired Reduced Redundancy class is offered")
	}
	d.press("left") // from "same as source" round to the last: S3 Glacier Deep Archive
	d.expect("‹ S3 Glacier Deep Archive ›")
	d.press("g", "enter")
	d.on(pageReview)
	if got := d.w.Setup().Rule.StorageClass; got != "DEEP_ARCHIVE" {
		t.Fatalf("storage class %q", got)
	}
}

// TestRuleScopeTakesPrefixAndTagsTogether: a scope of both fills both.
func TestRuleScopeTakesPrefixAndTagsTogether(t *testing.T) {
	d := demoRulePage(t, 80, 24, nil)
	d.press("g", "left") // the last scope: prefix and tags
	d.expect("‹ prefix and tags ›", "Prefix", "Tags")
	d.press("enter") // both empty: both problems show whole at 80x24
	d.on(pageRule)
	d.expect("✗ Prefix is empty: type one (enter on the Prefix row), or choose another", "✗ Tags: give at least one key=value, or choose another scope")
	d.press("down", "enter")
	d.typeText("orders/")
	d.press("enter", "enter")
	d.typeText("team=data")
	d.press("enter")
	d.expect("[ ] off (fixed)") // no delete markers with tags
	d.press("g", "enter")
	d.on(pageReview)
	rule := d.w.Setup().Rule
	if rule.Prefix != "orders/" || rule.Tags["team"] != "data" {
		t.Fatalf("rule %+v", rule)
	}
}

// TestRuleTellsAnSSES3SourceItsObjectsStaySSES3.
func TestRuleTellsAnSSES3SourceItsObjectsStaySSES3(t *testing.T) {
	d := demoRulePage(t, 80, 24, func(c *simcloud.Cloud) {
		acc, err := c.Open(context.Background(), simcloud.DemoSourceProfile)
		must(t, err)
		must(t, acc.PutBucketEncryption(context.Background(), simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, awsops.Encryption{Algorithm: "AES256"}))
	})
	d.expect("SSE-S3 objects replicate as SSE-S3")
}

// TestRuleOffersTheSourceKeysOfSampledObjects: objects under a key other than the
// bucket's default get a row, on by default; the key goes into the setup
// (source.kmsKeys), and off leaves it out.
func TestRuleOffersTheSourceKeysOfSampledObjects(t *testing.T) {
	var payments awsops.KeyInfo
	d := demoRulePage(t, 80, 24, func(c *simcloud.Cloud) {
		var err error
		payments, err = c.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoSourceAccount, Region: simcloud.DemoSourceRegion, Description: "Payments"})
		must(t, err)
		acc, err := c.Open(context.Background(), simcloud.DemoSourceProfile)
		must(t, err)
		_, err = acc.PutObject(context.Background(), simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, "payments/1.csv", []byte("x"), awsops.PutOptions{KMSKeyID: payments.ARN})
		must(t, err)
	})
	d.expect("Also decrypt", "[x] on  key "+shortKey(payments.ARN)[:8])
	d.moveTo("Also decrypt")
	d.expect("1 sampled object version", "is encrypted with key "+payments.ARN)
	d.press("g", "enter")
	d.on(pageReview)
	if keys := d.w.Setup().Source.KMSKeys; len(keys) != 1 || keys[0] != payments.ARN {
		t.Fatalf("source.kmsKeys %q", keys)
	}
	if saved, err := d.w.Setup().Marshal(); err != nil || !strings.Contains(string(saved), "kmsKeys:\n        - "+payments.ARN) {
		t.Fatalf("the saved setup lacks the key (%v):\n%s", err, saved)
	}
	d.press("esc")
	d.moveTo("Also decrypt")
	d.press("space", "g", "enter")
	d.on(pageReview)
	if keys := d.w.Setup().Source.KMSKeys; len(keys) != 0 {
		t.Fatalf("switched off, source.kmsKeys %q", keys)
	}
}

// TestSourceKeyRowsGoingAwayKeepTheCursorOnARow: a sample for another prefix finds
// no key; the cursor, on a key row that goes, stays on a row of the form.
func TestSourceKeyRowsGoingAwayKeepTheCursorOnARow(t *testing.T) {
	f := newRuleForm()
	f.setSourceKeys([]steps.ObjectKey{{ARN: "arn:aws:kms:us-east-1:111111111111:key/a", Objects: 1}, {ARN: "arn:aws:kms:us-east-1:111111111111:key/b", Objects: 1}})
	f.moveTo(1)
	f.move(-1)
	f.move(-1)
	if f.current().ref == "" {
		t.Fatalf("the cursor is on %s, want a key row", f.current().id)
	}
	f.setSourceKeys(nil)
	if f.cursor >= len(f.fields) || f.current().id != fRole {
		t.Fatalf("cursor %d of %d rows", f.cursor, len(f.fields))
	}
	_ = f.render(NewTheme(true), 80, 19)
}

// TestRuleScreenCutsNothingAt80x24: with every row shown (prefix and tags, two
// source keys), problems, a fixed option and the SSE-S3 note, the rows scroll under
// a line that counts them, and nothing else is cut.
func TestRuleScreenCutsNothingAt80x24(t *testing.T) {
	d := demoRulePage(t, 80, 24, func(c *simcloud.Cloud) {
		acc, err := c.Open(context.Background(), simcloud.DemoSourceProfile)
		must(t, err)
		must(t, acc.PutBucketEncryption(context.Background(), simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, awsops.Encryption{Algorithm: "AES256"}))
		k, err := c.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoSourceAccount, Region: simcloud.DemoSourceRegion, Description: "P"})
		must(t, err)
		_, err = acc.PutObject(context.Background(), simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, "p/1", []byte("x"), awsops.PutOptions{KMSKeyID: k.ARN})
		must(t, err)
	})
	d.press("g", "left", "enter", "down", "down", "down", "down")
	d.expect("› Delete markers", "rows 1–9 of 13 · ↓ 4 below", "✗ Prefix is empty", "✗ Tags: give at least one",
		"fixed: S3 does not allow delete-marker replication with a tag filter", "SSE-KMS objects.")
	d.press("G")
	d.expect("› Rule ID", "↑ 3 above", "are. Enter to edit.", "SSE-KMS objects.")
	body := strings.Split(d.screen(), "\n")[headerLines:]
	if strings.Contains(strings.Join(body, "\n"), "…") {
		t.Fatalf("the rule screen cuts a line:\n%s", d.screen())
	}
}
