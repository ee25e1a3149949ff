// Package contract runs the same scenarios against the simulated cloud
// (awsops/simcloud) and against moto through the SDK-backed Account, and compares
// what s3repl sees, so the two cannot drift apart silently.
//
// Both backends have the same profiles, account ids and Regions, and every scenario
// uses the same bucket, role and alias names on both, so outputs compare almost byte
// for byte. Only what each backend must invent on its own is replaced by placeholders
// (see normaliser). Where moto is not faithful to AWS, the difference is written down
// in a table and asserted, so a change on either side is noticed; simcloud follows AWS.
//
// Known differences, each asserted where it is found:
//   - moto validates almost nothing: bucket, key and trust policies, bucket names,
//     replication configurations and Regions are refused by AWS and simcloud but
//     stored by moto (errorCases in errors_test.go);
//   - moto creates buckets without default encryption, where S3 gives SSE-S3 since
//     2023 (errorCases; scenarios stage it explicitly so the rest compares whole);
//   - moto never sets a replication status (TestReplicationStatusOfNewObjects);
//   - moto keeps a bucket notification to a queue S3 may not send to, which AWS and
//     simcloud refuse (TestNotificationToAQueueS3CannotSendTo);
//   - moto enforces none of IAM's managed-policy quotas but the five versions (a
//     policy's size, policies per role), and lets two policies share a name under
//     different paths (errorCases);
//   - moto prints documents with Python's spacing (render compacts them).
package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aymanbagabas/go-udiff"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

func TestMain(m *testing.M) { mototest.Main(m) }

var ctx = context.Background()

// The identities moto gives the two profiles: the static credentials of the source
// profile are moto's default user; the destination profile assumes a role. simcloud's
// profiles are given the same principals, so Inspect's State compares whole.
const (
	sourcePrincipal = "arn:aws:sts::" + mototest.SourceAccount + ":user/moto"
	destPrincipal   = "arn:aws:sts::" + mototest.DestAccount + ":assumed-role/s3repl-test-admin/s3repl-test"
)

// backend is one implementation of the two accounts.
type backend struct {
	src, dst awsops.Account
	// names maps what this backend invented (key ids, version ids) to placeholders.
	names *normaliser
}

// open hands out the backend's accounts as awsops.Open would.
func (b *backend) open(_ context.Context, profile string) (awsops.Account, error) {
	switch profile {
	case mototest.SourceProfile:
		return b.src, nil
	case mototest.DestProfile:
		return b.dst, nil
	}
	return nil, &awsops.OpError{Op: "config:LoadProfile", Profile: profile, Kind: awsops.KindProfileNotFound}
}

// account returns the source or destination account of the backend.
func (b *backend) account(side steps.Side) awsops.Account {
	if side == steps.DestinationSide {
		return b.dst
	}
	return b.src
}

func newMoto(t *testing.T) *backend {
	t.Helper()
	mototest.Start(t)
	src, err := awsops.Open(ctx, mototest.SourceProfile)
	must(t, err)
	dst, err := awsops.Open(ctx, mototest.DestProfile)
	must(t, err)
	return &backend{src: src, dst: dst, names: newNormaliser()}
}

// newSimcloud builds a cloud shaped like mototest's server. Its clock stands still
// so that nothing is replicated behind a scenario's back (moto never replicates).
func newSimcloud(t *testing.T) *backend {
	t.Helper()
	clock := simcloud.NewManualClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	cloud := simcloud.New(simcloud.WithClock(clock))
	cloud.AddProfile(simcloud.Profile{Name: mototest.SourceProfile, AccountID: mototest.SourceAccount,
		Region: mototest.SourceRegion, PrincipalARN: sourcePrincipal})
	cloud.AddProfile(simcloud.Profile{Name: mototest.DestProfile, AccountID: mototest.DestAccount,
		Region: mototest.DestRegion, PrincipalARN: destPrincipal})
	src, err := cloud.Open(ctx, mototest.SourceProfile)
	must(t, err)
	dst, err := cloud.Open(ctx, mototest.DestProfile)
	must(t, err)
	return &backend{src: src, dst: dst, names: newNormaliser()}
}

// onBoth runs a scenario on both backends, in parallel, and returns what each saw.
func onBoth[T any](t *testing.T, scenario func(t *testing.T, b *backend) T) (sim, moto T) {
	t.Helper()
	simB, motoB := newSimcloud(t), newMoto(t)
	t.Run("backends", func(t *testing.T) {
		t.Run("simcloud", func(t *testing.T) {
			t.Parallel()
			sim = scenario(t, simB)
		})
		t.Run("moto", func(t *testing.T) {
			t.Parallel()
			moto = scenario(t, motoB)
		})
	})
	if t.Failed() {
		t.FailNow()
	}
	return sim, moto
}

// normaliser replaces what a backend invents by stable placeholders: KMS key ids
// (random UUIDs in moto, derived from a counter in simcloud) and object version ids.
// Everything else, ARNs around the key ids included, must be equal.
type normaliser struct {
	pairs []string
}

func newNormaliser() *normaliser { return &normaliser{} }

// name registers a value the backend invented under a placeholder such as
// "<dst-key-id>". Empty values are ignored.
func (n *normaliser) name(value, placeholder string) {
	if value != "" {
		n.pairs = append(n.pairs, value, placeholder)
	}
}

func (n *normaliser) apply(s string) string {
	return strings.NewReplacer(n.pairs...).Replace(s)
}

// render writes v as indented JSON with the backend's invented names replaced. JSON
// documents held in strings (policies, replication configurations) are compacted:
// their formatting means nothing (moto answers GetKeyPolicy with Python's json.dumps
// spacing, AWS pretty-prints the default key policy), their content and member order
// are compared. (Struct fields come out sorted: both sides have the same struct.)
func (b *backend) render(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	must(t, dec.Decode(&generic))
	out, err := json.MarshalIndent(compactDocuments(generic), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b.names.apply(string(out))
}

// renderPlan writes a plan exactly as `s3repl plan --json` prints it (main.go's
// writeJSON), with the backend's invented names replaced.
func (b *backend) renderPlan(t *testing.T, plan *steps.Plan) string {
	t.Helper()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	must(t, enc.Encode(plan))
	return b.names.apply(out.String())
}

func compactDocuments(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, item := range v {
			v[k] = compactDocuments(item)
		}
	case []any:
		for i, item := range v {
			v[i] = compactDocuments(item)
		}
	case string:
		var compact bytes.Buffer
		if strings.HasPrefix(v, "{") && json.Compact(&compact, []byte(v)) == nil {
			return compact.String()
		}
	}
	return v
}

// mustEqual fails with a diff when the two texts differ.
func mustEqual(t *testing.T, what, sim, moto string) {
	t.Helper()
	if sim != moto {
		t.Errorf("%s differs between simcloud and moto:\n%s", what, udiff.Unified("simcloud", "moto", sim, moto))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
