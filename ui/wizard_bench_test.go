package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// bucketListWizard is the wizard on the source bucket list with n buckets, the
// first one's panel read.
func bucketListWizard(tb testing.TB, n, width, height int) *Wizard {
	return bucketPagesWizard(tb, n, width, height, n)
}

// bucketPagesWizard is the wizard on the source bucket list of n buckets, listed page
// by page as the page lists them until at least listed are in.
func bucketPagesWizard(tb testing.TB, n, width, height, listed int) *Wizard {
	tb.Helper()
	src, dst := newFakes(n)
	w := NewWizard(context.Background(), fakeDeps(src, dst))
	w.Update(tea.WindowSizeMsg{Width: width, Height: height})
	w.s.source.profile, w.s.source.chosen = "src", true
	w.s.accounts["src"] = accountResult{acc: src, id: awsops.Identity{AccountID: src.account}}
	w.jumpTo(pageSourceProfile, pageSourceBucket)
	page := w.pages[pageSourceBucket].(*bucketPage)
	ctx, id := w.s.tasks.start(page.listSlot(), pageSourceBucket)
	var from *steps.BucketBatch
	for {
		msg := listBuckets(ctx, id, src, steps.SourceSide, from)().(bucketsMsg)
		if msg.err != nil {
			tb.Fatal(msg.err)
		}
		page.onBuckets(msg)
		res := w.s.buckets["src"]
		if !res.more || len(res.buckets) >= listed {
			break
		}
		from = &res.last
	}
	first := w.s.buckets["src"].buckets[0]
	sum, _ := steps.SummarizeBucket(context.Background(), src, steps.SourceSide, first.Region, first.Name)
	w.s.summaries[bucketRef{"src", first.Name}] = summaryResult{summary: sum}
	return w
}

// BenchmarkBucketListView draws the bucket list; with 100 buckets for comparison,
// as a frame should cost the same whatever the number of buckets.
func BenchmarkBucketListView(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		for _, size := range sizes {
			b.Run(fmt.Sprintf("%d-buckets-%dx%d", n, size[0], size[1]), func(b *testing.B) {
				w := bucketListWizard(b, n, size[0], size[1])
				w.pages[pageSourceBucket].(*bucketPage).list.move(n / 2)
				for b.Loop() {
					_ = w.View()
				}
			})
		}
	}
}

// BenchmarkBucketListViewWhileLoading draws the list of 10,000 buckets with the
// first page in, the count running.
func BenchmarkBucketListViewWhileLoading(b *testing.B) {
	for _, size := range sizes {
		b.Run(fmt.Sprintf("1000-of-10000-buckets-%dx%d", size[0], size[1]), func(b *testing.B) {
			w := bucketPagesWizard(b, 10_000, size[0], size[1], 1)
			if !strings.Contains(w.render(), "1,000 buckets… loading") {
				b.Fatalf("no running count:\n%s", w.render())
			}
			for b.Loop() {
				_ = w.View()
			}
		})
	}
}

// BenchmarkBucketPageArrives is what a page of 1,000 buckets costs the wizard when
// it arrives after 9,000: kept and turned into rows (ListBucketsPage of the fake
// included).
func BenchmarkBucketPageArrives(b *testing.B) {
	w := bucketPagesWizard(b, 10_000, 120, 40, 9_000)
	page := w.pages[pageSourceBucket].(*bucketPage)
	src := w.s.accounts["src"].acc
	kept := w.s.buckets["src"]
	for b.Loop() {
		w.s.buckets["src"] = kept
		ctx, id := w.s.tasks.start(page.listSlot(), pageSourceBucket)
		page.onBuckets(listBuckets(ctx, id, src, steps.SourceSide, &kept.last)().(bucketsMsg))
	}
}

// BenchmarkBucketFilterKeystroke is one key typed into the filter of 10,000 buckets
// and the frame after it; keys alternate between typing and deleting, so half of
// them refilter everything.
func BenchmarkBucketFilterKeystroke(b *testing.B) {
	w := bucketListWizard(b, 10_000, 120, 40)
	w.Update(keyPress("/"))
	w.Update(keyPress("t"))
	w.Update(keyPress("e"))
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			w.Update(keyPress("a"))
		} else {
			w.Update(keyPress("backspace"))
		}
		_ = w.View()
		i++
	}
}

// BenchmarkBucketListArrives is the cost of turning 10,000 listed buckets into rows.
func BenchmarkBucketListArrives(b *testing.B) {
	w := bucketListWizard(b, 10_000, 120, 40)
	for b.Loop() {
		w.pages[pageSourceBucket].(*bucketPage).refreshItems()
	}
}

// bigPolicy is a policy document of about size bytes, as IAM would hold.
func bigPolicy(size int, sidPrefix string) string {
	var statements []map[string]any
	doc := map[string]any{"Version": "2012-10-17"}
	for i := 0; ; i++ {
		statements = append(statements, map[string]any{
			"Sid": fmt.Sprintf("%sStatement%03d", sidPrefix, i), "Effect": "Allow",
			"Principal": map[string]any{"AWS": fmt.Sprintf("arn:aws:iam::123456789012:role/team-%03d", i)},
			"Action":    []string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"},
			"Resource":  fmt.Sprintf("arn:aws:s3:::bucket-%03d/*", i),
		})
		doc["Statement"] = statements
		out, _ := json.MarshalIndent(doc, "", "  ")
		if len(out) >= size {
			return string(out)
		}
	}
}

// reviewWizard is the review screen of a plan with two bucket-policy changes whose
// documents are about 20 KB each.
func reviewWizard(tb testing.TB, width, height int) *Wizard {
	w := NewWizard(context.Background(), fakeDeps(newFakes(1)))
	w.Update(tea.WindowSizeMsg{Width: width, Height: height})
	before := bigPolicy(10_000, "Old")
	after := bigPolicy(20_000, "New")
	review := w.pages[pageReview].(*reviewPage)
	review.plan = &steps.Plan{
		Changes: []steps.Change{
			{ID: "dst-bucket-policy", Title: "Let the role replicate into the bucket", Side: steps.DestinationSide, Account: "222222222222", Region: "eu-west-1", Resource: "arn:aws:s3:::dst", Action: steps.ActionUpdate, Before: before, After: after},
			{ID: "other-policy", Title: "Another policy", Side: steps.DestinationSide, Account: "222222222222", Region: "eu-west-1", Resource: "arn:aws:s3:::other", Action: steps.ActionCreate, After: after},
		},
		Warnings: []string{"objects that are already in the source bucket are not replicated"},
	}
	w.jumpTo(pageSourceProfile, pageSourceBucket, pageDestProfile, pageDestRegion, pageDestBucket, pageReplicaKey, pageRule, pageReview)
	review.showDiff()
	if len(after) < 20_000 {
		tb.Fatalf("policy of %d bytes", len(after))
	}
	return w
}

func BenchmarkReviewView(b *testing.B) {
	for _, size := range sizes {
		b.Run(fmt.Sprintf("20KB-diff-%dx%d", size[0], size[1]), func(b *testing.B) {
			w := reviewWizard(b, size[0], size[1])
			w.pages[pageReview].(*reviewPage).diff.PageDown()
			for b.Loop() {
				_ = w.View()
			}
		})
	}
}

// BenchmarkReviewSelectChange moves between two 20 KB changes: the diff is made and
// coloured once per move, not per frame.
func BenchmarkReviewSelectChange(b *testing.B) {
	w := reviewWizard(b, 120, 40)
	i := 0
	for b.Loop() {
		w.pages[pageReview].(*reviewPage).selectEntry(1 - i%2)
		_ = w.View()
		i++
	}
}

// BenchmarkVerifyPanelFrameWithDoctor draws the status panel after a failure, with
// the doctor's findings and a fix's diff in the scrolling pane: what every spinner
// tick costs while the user reads.
func BenchmarkVerifyPanelFrameWithDoctor(b *testing.B) {
	doctor := steps.DoctorReport{}
	for i := range 17 {
		doctor.Checks = append(doctor.Checks, steps.DoctorCheck{ID: fmt.Sprint("check-", i), Title: "A check of the setup",
			Status: steps.DoctorPassed, Evidence: "evidence that is long enough to wrap at eighty columns, as the doctor's evidence often is"})
	}
	doctor.Checks[8].Status, doctor.Checks[8].Fix = steps.DoctorFailed, "s3repl apply adds a statement for the role"
	before, after := bigDocs(200)
	doctor.Fixes = []steps.Change{{ID: "dst-key-policy", Title: "Let the role encrypt replicas", Action: steps.ActionUpdate, Before: before, After: after}}
	for _, size := range sizes {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			model, _ := NewVerifyPanel(context.Background(), VerifyFuncs{}).Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			model, _ = model.Update(verifyDoneMsg{report: failedRun})
			model, _ = model.Update(doctorDoneMsg{report: doctor})
			for b.Loop() {
				_ = model.View()
			}
		})
	}
}

// bigDocs is a policy of n statements before and after one more.
func bigDocs(n int) (string, string) {
	var statements []map[string]any
	for i := range n {
		statements = append(statements, map[string]any{"Sid": fmt.Sprint("S", i), "Effect": "Allow",
			"Principal": map[string]any{"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:*", "Resource": "*"})
	}
	before, _ := json.MarshalIndent(map[string]any{"Version": "2012-10-17", "Statement": statements}, "", "  ")
	statements = append(statements, map[string]any{"Sid": "Ours", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"})
	after, _ := json.MarshalIndent(map[string]any{"Version": "2012-10-17", "Statement": statements}, "", "  ")
	return string(before), string(after)
}
