package steps_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/steps"
	"github.com/s3repl/s3repl/steps/convergetest"
)

// faultyClient is the SDK's HTTP client with faults injected between s3repl and
// moto: the SDK sees real transport errors and real 500 answers, and retries them as
// it would against AWS.
type faultyClient struct {
	next *awshttp.BuildableClient

	mu         sync.Mutex
	armed      *armedFault
	invocation string // the SDK invocation the fault hit; its retries share the id
}

type armedFault struct {
	service, operation string
	mode               convergetest.Mode
	attempts           int
}

// sdkOperations names each permission's SDK service id and operation.
var sdkOperations = map[string][2]string{
	"iam:CreateRole": {"IAM", "CreateRole"}, "iam:PutRolePolicy": {"IAM", "PutRolePolicy"},
	"iam:UpdateAssumeRolePolicy": {"IAM", "UpdateAssumeRolePolicy"},
	"kms:CreateKey":              {"KMS", "CreateKey"}, "kms:CreateAlias": {"KMS", "CreateAlias"}, "kms:PutKeyPolicy": {"KMS", "PutKeyPolicy"},
	"s3:CreateBucket": {"S3", "CreateBucket"}, "s3:PutEncryptionConfiguration": {"S3", "PutBucketEncryption"},
	"s3:PutBucketVersioning": {"S3", "PutBucketVersioning"}, "s3:PutBucketPolicy": {"S3", "PutBucketPolicy"},
	"s3:PutReplicationConfiguration": {"S3", "PutBucketReplication"},
	"iam:CreatePolicy":               {"IAM", "CreatePolicy"}, "iam:CreatePolicyVersion": {"IAM", "CreatePolicyVersion"},
	"iam:DeletePolicyVersion": {"IAM", "DeletePolicyVersion"}, "iam:AttachRolePolicy": {"IAM", "AttachRolePolicy"},
	"iam:DeleteRolePolicy": {"IAM", "DeleteRolePolicy"},
}

func (c *faultyClient) arm(op string, mode convergetest.Mode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := sdkOperations[op]
	c.armed, c.invocation = &armedFault{service: names[0], operation: names[1], mode: mode}, ""
}

// disarm drops the fault and says whether it fired.
func (c *faultyClient) disarm() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	fired := c.armed != nil && c.armed.attempts > 0
	c.armed, c.invocation = nil, ""
	return fired
}

// fault returns the fault for this attempt, if any: the first call of the armed
// operation takes it, and the SDK's retries of that call (same invocation id) keep it.
func (c *faultyClient) fault(req *http.Request) (convergetest.Mode, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.armed
	if f == nil {
		return 0, 0, false
	}
	id := req.Header.Get("Amz-Sdk-Invocation-Id")
	ctx := req.Context()
	if c.invocation == "" && awsmiddleware.GetServiceID(ctx) == f.service && awsmiddleware.GetOperationName(ctx) == f.operation {
		c.invocation = id
	}
	if c.invocation == "" || c.invocation != id {
		return 0, 0, false
	}
	f.attempts++
	return f.mode, f.attempts, true
}

func (c *faultyClient) Do(req *http.Request) (*http.Response, error) {
	mode, attempt, ok := c.fault(req)
	if !ok || (mode == convergetest.AnswerLostOnce && attempt > 1) {
		return c.next.Do(req)
	}
	if mode == convergetest.Refused {
		return internalError(req), nil
	}
	resp, err := c.next.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	// What net/http reports when the connection is reset while the answer is read.
	return nil, &url.Error{Op: req.Method, URL: req.URL.String(), Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}
}

// internalError is the service's 500 answer, in its protocol.
func internalError(req *http.Request) *http.Response {
	header := http.Header{}
	var body string
	switch awsmiddleware.GetServiceID(req.Context()) {
	case "KMS":
		header.Set("Content-Type", "application/x-amz-json-1.1")
		body = `{"__type":"KMSInternalException","message":"We encountered an internal error. Please try again."}`
	case "IAM":
		header.Set("Content-Type", "text/xml")
		body = `<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceFailure</Code><Message>We encountered an internal error. Please try again.</Message></Error><RequestId>fault</RequestId></ErrorResponse>`
	default:
		header.Set("Content-Type", "application/xml")
		body = `<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>`
	}
	return &http.Response{
		StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error", Header: header,
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
}

// motoFaultEnv is a fresh setup in moto (fresh names on the shared server), each side
// behind its own faulty client.
type motoFaultEnv struct {
	acc      steps.Accounts
	setup    steps.Setup
	src, dst *faultyClient
	srcKey   string
	keys     []string
}

func newMotoFaultEnv(t *testing.T) convergetest.Env {
	t.Helper()
	mototest.Start(t)
	ctx := context.Background()
	e := &motoFaultEnv{src: &faultyClient{next: awshttp.NewBuildableClient()}, dst: &faultyClient{next: awshttp.NewBuildableClient()}}
	src, err := awsops.OpenWithHTTPClient(ctx, mototest.SourceProfile, e.src)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := awsops.OpenWithHTTPClient(ctx, mototest.DestProfile, e.dst)
	if err != nil {
		t.Fatal(err)
	}
	e.acc = steps.Accounts{Source: src, Destination: dst}
	name := mototest.UniqueName("flt")
	region := mototest.SourceRegion
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(src.CreateBucket(ctx, region, name+"-src"))
	key, err := src.CreateKey(ctx, region, "source key", "")
	must(err)
	must(src.PutBucketEncryption(ctx, region, name+"-src", awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN, BucketKey: true}))
	e.srcKey = key.ARN
	existing, err := dst.ListKeys(ctx, mototest.DestRegion)
	must(err)
	for _, k := range existing {
		e.keys = append(e.keys, k.ARN)
	}
	e.setup = steps.Setup{
		Source: steps.SourceSetup{Profile: mototest.SourceProfile, Bucket: name + "-src"},
		Destination: steps.DestinationSetup{Profile: mototest.DestProfile, Region: mototest.DestRegion, Bucket: name + "-dst",
			CreateBucket: true, KMSKey: "alias/" + name, CreateKey: true},
		Role: steps.RoleSetup{Name: name + "-role"},
		Rule: steps.RuleSetup{ID: "to-backup"},
	}
	return e
}

func (e *motoFaultEnv) Accounts() steps.Accounts { return e.acc }
func (e *motoFaultEnv) Setup() steps.Setup       { return e.setup }
func (e *motoFaultEnv) Placeholders() []string   { return []string{e.srcKey, "SRC-KEY-ARN"} }
func (e *motoFaultEnv) KeysBefore() []string     { return e.keys }
func (e *motoFaultEnv) Disarm() bool {
	src, dst := e.src.disarm(), e.dst.disarm()
	return src || dst
}

func (e *motoFaultEnv) Inject(p convergetest.Point, m convergetest.Mode) {
	if p.Side == steps.SourceSide {
		e.src.arm(p.Op, m)
	} else {
		e.dst.arm(p.Op, m)
	}
}

// TestFreshApplyConvergesAfterAnySingleFaultAgainstMoto fails each write of a fresh
// cross-account apply against moto, three ways, through the SDK's real transport
// errors and retries, and checks each rerun ends where a fault-free run does.
func TestFreshApplyConvergesAfterAnySingleFaultAgainstMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("31 applies against moto")
	}
	results := convergetest.Run(t, convergetest.FreshCrossAccount, newMotoFaultEnv)
	t.Logf("fault table (moto, fresh cross-account setup):\n%s", convergetest.Table(results))
	convergetest.WriteTable(t, "moto-fresh", results)
}

// newMotoExistingEnv is a fresh setup applied once, and a second rule for the same
// buckets and role: the apply updates the role policy, the key and bucket policies
// and the replication configuration.
func newMotoExistingEnv(t *testing.T) convergetest.Env {
	t.Helper()
	e := newMotoFaultEnv(t).(*motoFaultEnv)
	if err := convergetest.ApplyNow(context.Background(), e, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	e.setup.Rule = steps.RuleSetup{ID: "logs-to-backup", Prefix: "logs/"}
	return e
}

func TestExistingSetupApplyConvergesAfterAnySingleFaultAgainstMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("applies against moto")
	}
	points := convergetest.PlannedPoints(t, newMotoExistingEnv(t))
	if len(points) < 4 {
		t.Fatalf("the second rule plans %d writes, want the role policy, key and bucket policies and the rule", len(points))
	}
	results := convergetest.Run(t, points, newMotoExistingEnv)
	t.Logf("fault table (moto, existing setup, second rule):\n%s", convergetest.Table(results))
	convergetest.WriteTable(t, "moto-existing", results)
}

// newMotoCrowdedEnv is a fresh setup applied once, after which s3repl's inline
// policy lost two statements and the user's inline policies grew to about 10,000
// characters: the apply moves s3repl's permissions into a managed policy (create,
// attach, delete the inline policy).
func newMotoCrowdedEnv(t *testing.T) convergetest.Env {
	t.Helper()
	e := newMotoFaultEnv(t).(*motoFaultEnv)
	ctx := context.Background()
	if err := convergetest.ApplyNow(ctx, e, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	shrinkOwnInlinePolicy(t, ctx, e.acc.Source, e.setup.RoleName(), e.setup.RolePolicyName())
	crowdRole(t, ctx, e.acc.Source, e.setup.RoleName(), 10000)
	return e
}

// shrinkOwnInlinePolicy drops the last two statements of s3repl's inline policy, as
// if an earlier version had written fewer.
func shrinkOwnInlinePolicy(t *testing.T, ctx context.Context, acc awsops.Account, role, name string) {
	t.Helper()
	current, err := acc.GetRolePolicy(ctx, role, name)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := policy.Parse(current)
	if err != nil {
		t.Fatal(err)
	}
	sids := doc.Sids()
	doc.Remove(sids[len(sids)-2:]...)
	if err := acc.PutRolePolicy(ctx, role, name, policy.Compact(doc.String())); err != nil {
		t.Fatal(err)
	}
}

func TestCrowdedRoleApplyConvergesAfterAnySingleFaultAgainstMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("applies against moto")
	}
	points := convergetest.PlannedPoints(t, newMotoCrowdedEnv(t))
	want := []convergetest.Point{{Op: "iam:CreatePolicy", Side: steps.SourceSide}, {Op: "iam:AttachRolePolicy", Side: steps.SourceSide}, {Op: "iam:DeleteRolePolicy", Side: steps.SourceSide}}
	if !slices.Equal(points, want) {
		t.Fatalf("the crowded role's apply plans %v, want %v", points, want)
	}
	results := convergetest.Run(t, points, newMotoCrowdedEnv)
	t.Logf("fault table (moto, crowded role):\n%s", convergetest.Table(results))
	convergetest.WriteTable(t, "moto-crowded-role", results)
}

// newMotoManagedUpdateEnv is newMotoCrowdedEnv applied, after which s3repl's managed
// policy lost an action and got to IAM's five versions: the apply deletes the oldest
// version and creates the new default one.
func newMotoManagedUpdateEnv(t *testing.T) convergetest.Env {
	t.Helper()
	e := newMotoCrowdedEnv(t).(*motoFaultEnv)
	ctx, src := context.Background(), e.acc.Source
	if err := convergetest.ApplyNow(ctx, e, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	role, err := src.GetRole(ctx, e.setup.RoleName())
	if err != nil {
		t.Fatal(err)
	}
	arn := steps.ManagedPolicyARN(role.ARN, e.setup.RolePolicyName())
	current, err := src.ManagedPolicy(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := policy.Parse(current)
	if err != nil {
		t.Fatal(err)
	}
	sids := doc.Sids()
	for i := range 4 {
		if i == 3 {
			doc.Remove(sids[0])
		}
		if err := src.CreatePolicyVersion(ctx, arn, policy.Compact(doc.String())); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func TestManagedPolicyUpdateConvergesAfterAnySingleFaultAgainstMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("applies against moto")
	}
	points := []convergetest.Point{{Op: "iam:DeletePolicyVersion", Side: steps.SourceSide}, {Op: "iam:CreatePolicyVersion", Side: steps.SourceSide}}
	if planned := convergetest.PlannedPoints(t, newMotoManagedUpdateEnv(t)); !slices.Equal(planned, points[1:]) {
		t.Fatalf("the managed policy's update plans %v", planned)
	}
	results := convergetest.Run(t, points, newMotoManagedUpdateEnv)
	t.Logf("fault table (moto, managed policy update at five versions):\n%s", convergetest.Table(results))
	convergetest.WriteTable(t, "moto-managed-update", results)
}

// TestMotoCrowdedRoleGetsAManagedPolicy: against moto, s3repl's permissions move into
// a managed policy attached to the role, the user's inline policy is kept as it was,
// and a second plan is empty.
func TestMotoCrowdedRoleGetsAManagedPolicy(t *testing.T) {
	if testing.Short() {
		t.Skip("applies against moto")
	}
	e := newMotoCrowdedEnv(t).(*motoFaultEnv)
	ctx, src, role := context.Background(), e.acc.Source, e.setup.RoleName()
	theirs, err := src.GetRolePolicy(ctx, role, "app-logs")
	if err != nil {
		t.Fatal(err)
	}
	if err := convergetest.ApplyNow(ctx, e, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	st, err := steps.Inspect(ctx, e.acc, e.setup)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := steps.BuildPlan(e.setup, st)
	if err != nil {
		t.Fatal(err)
	}
	if pending := plan.Pending(); len(pending) > 0 {
		t.Errorf("a second plan has %q", pending[0].Title)
	}
	if !slices.Contains(st.Role.ManagedARNs, st.Role.OwnManagedARN) || !strings.Contains(st.Role.OwnManaged, "s3:ReplicateObject") {
		t.Errorf("s3repl's managed policy %s is not attached with its statements: %v", st.Role.OwnManagedARN, st.Role.ManagedARNs)
	}
	if _, own := st.Role.Inline[e.setup.RolePolicyName()]; own || st.Role.Inline["app-logs"] != theirs {
		t.Errorf("inline policies after the apply: s3repl's kept %v, the user's unchanged %v", own, st.Role.Inline["app-logs"] == theirs)
	}
}
