package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops"
)

// headerWizard is the wizard on the review with both sides, the Region and the key
// chosen, in a window width columns wide.
func headerWizard(t *testing.T, label string, width int) *Wizard {
	t.Helper()
	deps := fakeDeps(newFakes(1))
	deps.Label = label
	w := NewWizard(context.Background(), deps)
	w.Update(tea.WindowSizeMsg{Width: width, Height: 24})
	s := w.s
	s.accounts["src"] = accountResult{id: awsops.Identity{AccountID: "111111111111"}}
	s.accounts["dst"] = accountResult{id: awsops.Identity{AccountID: "222222222222"}}
	s.source = sideChoice{side: s.source.side, profile: "src", chosen: true, bucket: awsops.BucketSummary{Name: "acme-prod-orders", Region: "us-east-1"}}
	s.destination = sideChoice{side: s.destination.side, profile: "dst", chosen: true, bucket: awsops.BucketSummary{Name: "acme-backup-orders-archive", Region: "eu-west-1"}}
	s.region, s.replicaKey = "eu-west-1", replicaKeyChoice{ref: "arn:aws:kms:eu-west-1:222222222222:key/k", label: "alias/s3repl-acme-backup-orders-archive"}
	w.jumpTo(pageSourceProfile, pageSourceBucket, pageDestProfile, pageDestRegion, pageDestBucket, pageReplicaKey, pageRule, pageReview)
	return w
}

// TestCrumbsNeverCutAnAccountID: at 80 columns the crumbs ended "→ ac…", cutting the
// destination and its account id; the Regions, the key and then the middle of the
// bucket names give way first.
func TestCrumbsNeverCutAnAccountID(t *testing.T) {
	for _, label := range []string{"", "DEMO · key-policy-lacks-role"} {
		crumbs := strings.Split(ansi.Strip(headerWizard(t, label, 80).header()), "\n")[1]
		if !strings.Contains(crumbs, "(111111111111) → ") || !strings.HasSuffix(crumbs, "(222222222222)") || ansi.StringWidth(crumbs) > 80 {
			t.Errorf("label %q, the crumbs: %q", label, crumbs)
		}
	}
	wide := strings.Split(ansi.Strip(headerWizard(t, "", 160).header()), "\n")[1]
	if wide != "acme-prod-orders (us-east-1 · 111111111111) → acme-backup-orders-archive (eu-west-1 · 222222222222) · key alias/s3repl-acme-backup-orders-archive" {
		t.Errorf("at 160 columns the crumbs say less than all: %q", wide)
	}
}

// TestStepBarKeepsTheApplyTickWhenTestingAgain: fixes applied from the status panel
// complete the apply step (✓ Apply); v (test again) made a new panel, and the tick
// went.
func TestStepBarKeepsTheApplyTickWhenTestingAgain(t *testing.T) {
	w := headerWizard(t, "", 120)
	w.jumpTo(pageSourceProfile, pageSourceBucket, pageDestProfile, pageDestRegion, pageDestBucket, pageReplicaKey, pageRule, pageReview, pageVerify)
	page := w.pages[pageVerify].(*verifyPage)
	page.panel.fixesApplied = 1
	page.afterPanel()
	if bar := ansi.Strip(w.header()); !strings.Contains(bar, "✓ Apply") {
		t.Fatalf("after the fixes: %s", bar)
	}
	page.enter(false) // v: a new test, in a new panel
	if bar := ansi.Strip(w.header()); !strings.Contains(bar, "✓ Apply") {
		t.Fatalf("testing again lost the tick: %s", bar)
	}
}
