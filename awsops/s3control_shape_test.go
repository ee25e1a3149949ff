package awsops

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// moto has no S3 Batch Operations, so these tests send the SDK implementation's
// requests to a loopback S3 Control that checks each against the API reference
// (API_control_CreateJob, API_control_DescribeJob, API_control_UpdateJobStatus,
// API_control_ListJobs and the data types they name) and answers with the
// documented response shapes.

const shapeAccount = "111111111111"

// s3controlShape is the loopback S3 Control. Every request it finds out of shape
// is a test failure; it records the hosts requests were addressed to.
type s3controlShape struct {
	t      *testing.T
	mu     sync.Mutex
	hosts  []string
	dialed []string
	create createJobRequest
}

type createJobRequest struct {
	XMLName              xml.Name `xml:"CreateJobRequest"`
	ClientRequestToken   *string
	ConfirmationRequired *bool
	Description          *string
	Priority             *int
	RoleArn              *string
	Operation            *struct {
		Members []xml.Name `xml:",any"`
		Inner   string     `xml:",innerxml"`
	}
	Report *struct {
		Bucket              *string
		ExpectedBucketOwner *string
		Enabled             *bool
		Format              *string
		Prefix              *string
		ReportScope         *string
	}
	Manifest *struct {
		Inner string `xml:",innerxml"`
	}
	ManifestGenerator *struct {
		S3JobManifestGenerator *struct {
			SourceBucket           *string
			ExpectedBucketOwner    *string
			EnableManifestOutput   *bool
			ManifestOutputLocation *struct {
				Bucket                      *string
				ManifestFormat              *string
				ManifestPrefix              *string
				ExpectedManifestBucketOwner *string
			}
			Filter *struct {
				EligibleForReplication    *bool
				ObjectReplicationStatuses struct {
					Members []string `xml:"member"`
				}
				KeyNameConstraint *struct {
					MatchAnyPrefix *struct {
						Members []string `xml:"member"`
					}
				}
			}
		}
	}
	Inner string `xml:",innerxml"`
}

var (
	bucketARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	roleARNPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`)
	jobIDPattern     = regexp.MustCompile(`^[a-zA-Z0-9\-_]{5,36}$`)
)

func (s *s3controlShape) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hosts = append(s.hosts, r.Host)
	s.mu.Unlock()
	if got := r.Header.Get("x-amz-account-id"); got != shapeAccount {
		s.fail(w, "x-amz-account-id header is %q, want the account id %s (AccountId is required in every call)", got, shapeAccount)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		s.fail(w, "request is not signed with SigV4")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v20180820/jobs")
	switch {
	case r.Method == http.MethodPost && path == "":
		s.createJob(w, r)
	case r.Method == http.MethodGet && path == "":
		s.listJobs(w, r)
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/status"):
		s.updateJobStatus(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/status"))
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/"):
		s.describeJob(w, strings.TrimPrefix(path, "/"))
	default:
		s.fail(w, "no S3 Control operation is %s %s", r.Method, r.URL.Path)
	}
}

func (s *s3controlShape) fail(w http.ResponseWriter, format string, args ...any) {
	s.t.Errorf("request out of shape: "+format, args...)
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `<ErrorResponse><Error><Code>InvalidRequest</Code><Message>%s</Message></Error></ErrorResponse>`, fmt.Sprintf(format, args...))
}

func (s *s3controlShape) createJob(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req createJobRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		s.fail(w, "CreateJob body is not a CreateJobRequest: %v\n%s", err, body)
		return
	}
	s.mu.Lock()
	s.create = req
	s.mu.Unlock()
	if problem := createJobProblem(req); problem != "" {
		s.fail(w, "CreateJob: %s\n%s", problem, body)
		return
	}
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><CreateJobResult><JobId>5b1c2a3d-0000-4000-8000-00000000abcd</JobId></CreateJobResult>`)
}

// createJobProblem checks a CreateJob request against API_control_CreateJob: the
// required members, the Operation union, Report and the manifest generator.
func createJobProblem(req createJobRequest) string {
	switch {
	case req.ClientRequestToken == nil || len(*req.ClientRequestToken) < 1 || len(*req.ClientRequestToken) > 64:
		return "ClientRequestToken is required, 1 to 64 characters"
	case req.Priority == nil || *req.Priority < 0:
		return "Priority is required, 0 to 2147483647"
	case req.RoleArn == nil || !roleARNPattern.MatchString(*req.RoleArn):
		return "RoleArn is required: an IAM role ARN"
	case req.Operation == nil || len(req.Operation.Members) != 1 || req.Operation.Members[0].Local != "S3ReplicateObject":
		return "Operation is a union: exactly one member, S3ReplicateObject for Batch Replication"
	case req.Report == nil || req.Report.Enabled == nil:
		return "Report is required with Enabled"
	case *req.Report.Enabled && (req.Report.Bucket == nil || !bucketARNPattern.MatchString(*req.Report.Bucket)):
		return "an enabled Report needs Bucket as a bucket ARN"
	case *req.Report.Enabled && (req.Report.Format == nil || *req.Report.Format != "Report_CSV_20180820"):
		return "Report.Format is Report_CSV_20180820"
	case req.Report.ReportScope == nil || !slices.Contains([]string{"AllTasks", "FailedTasksOnly"}, *req.Report.ReportScope):
		return "Report.ReportScope is AllTasks or FailedTasksOnly"
	case (req.Manifest == nil) == (req.ManifestGenerator == nil):
		return "exactly one of Manifest and ManifestGenerator"
	case strings.Contains(req.Inner, "ExistingObjectReplication"):
		return "ExistingObjectReplication is retired"
	}
	return manifestGeneratorProblem(req)
}

func manifestGeneratorProblem(req createJobRequest) string {
	if req.ManifestGenerator == nil {
		return ""
	}
	g := req.ManifestGenerator.S3JobManifestGenerator
	switch {
	case g == nil:
		return "ManifestGenerator is a union: S3JobManifestGenerator"
	case g.SourceBucket == nil || !bucketARNPattern.MatchString(*g.SourceBucket):
		return "S3JobManifestGenerator.SourceBucket is required: the source bucket's ARN"
	case g.EnableManifestOutput == nil:
		return "S3JobManifestGenerator.EnableManifestOutput is required"
	case *g.EnableManifestOutput && g.ManifestOutputLocation == nil:
		return "EnableManifestOutput needs ManifestOutputLocation"
	}
	if loc := g.ManifestOutputLocation; loc != nil {
		switch {
		case loc.Bucket == nil || !bucketARNPattern.MatchString(*loc.Bucket):
			return "ManifestOutputLocation.Bucket is required: a bucket ARN"
		case loc.ManifestFormat == nil || *loc.ManifestFormat != "S3InventoryReport_CSV_20211130":
			return "ManifestOutputLocation.ManifestFormat is required: S3InventoryReport_CSV_20211130"
		}
	}
	if f := g.Filter; f != nil {
		if k := f.KeyNameConstraint; k != nil && (k.MatchAnyPrefix == nil || len(k.MatchAnyPrefix.Members) == 0) {
			return "KeyNameConstraint.MatchAnyPrefix is a list of prefixes"
		}
		for _, status := range f.ObjectReplicationStatuses.Members {
			if !slices.Contains([]string{"NONE", "FAILED", "COMPLETED", "REPLICA"}, status) {
				return "ObjectReplicationStatuses are NONE, FAILED, COMPLETED or REPLICA, not " + status
			}
		}
	}
	return ""
}

// describeJob answers with API_control_DescribeJob's response: a job that ran,
// with a failure and its report. Lists are in the service model's form, <member>
// elements, which is what the SDK reads (the reference page's example names the
// element JobFailure).
func (s *s3controlShape) describeJob(w http.ResponseWriter, id string) {
	if !jobIDPattern.MatchString(id) {
		s.fail(w, "DescribeJob: job id %q is out of shape", id)
		return
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<DescribeJobResult><Job>
  <JobId>%s</JobId><JobArn>arn:aws:s3:us-east-1:%s:job/%[1]s</JobArn>
  <Description>s3repl backfill</Description><ConfirmationRequired>true</ConfirmationRequired>
  <Operation><S3ReplicateObject/></Operation><Priority>10</Priority>
  <ProgressSummary><TotalNumberOfTasks>300</TotalNumberOfTasks><NumberOfTasksSucceeded>250</NumberOfTasksSucceeded>
    <NumberOfTasksFailed>50</NumberOfTasksFailed><Timers><ElapsedTimeInActiveSeconds>42</ElapsedTimeInActiveSeconds></Timers></ProgressSummary>
  <Status>Complete</Status><StatusUpdateReason>Job complete</StatusUpdateReason>
  <FailureReasons><member><FailureCode>SomeTasksFailed</FailureCode><FailureReason>50 tasks failed</FailureReason></member></FailureReasons>
  <Report><Bucket>arn:aws:s3:::acme-prod-orders</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled>
    <Prefix>s3repl-batch-reports</Prefix><ReportScope>AllTasks</ReportScope></Report>
  <CreationTime>2026-12-03T10:00:00Z</CreationTime><TerminationDate>2026-12-03T10:05:00Z</TerminationDate>
  <RoleArn>arn:aws:iam::%[2]s:role/s3repl-batch</RoleArn>
  <SuspendedCause>ConfirmationRequired</SuspendedCause>
</Job></DescribeJobResult>`, id, shapeAccount)
}

func (s *s3controlShape) updateJobStatus(w http.ResponseWriter, r *http.Request, id string) {
	status := r.URL.Query().Get("requestedJobStatus")
	switch {
	case !jobIDPattern.MatchString(id):
		s.fail(w, "UpdateJobStatus: job id %q is out of shape", id)
		return
	case status != "Ready" && status != "Cancelled":
		s.fail(w, "UpdateJobStatus: requestedJobStatus is Ready or Cancelled, not %q", status)
		return
	}
	reason := r.URL.Query().Get("statusUpdateReason")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><UpdateJobStatusResult><JobId>%s</JobId><Status>%s</Status><StatusUpdateReason>%s</StatusUpdateReason></UpdateJobStatusResult>`, id, status, reason)
}

// listJobs answers in two pages, to show the implementation follows NextToken.
func (s *s3controlShape) listJobs(w http.ResponseWriter, r *http.Request) {
	statuses := r.URL.Query()["jobStatuses"]
	for _, status := range statuses {
		if !slices.Contains(append(slices.Clone(JobActiveStatuses), JobComplete, JobCancelled, JobFailed), status) {
			s.fail(w, "ListJobs: %q is no job status", status)
			return
		}
	}
	if r.URL.Query().Get("nextToken") == "" {
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><ListJobsResult><NextToken>page2</NextToken><Jobs><member>
  <JobId>job-one</JobId><Description>s3repl backfill acme-prod-orders token=abc</Description><Operation>S3ReplicateObject</Operation>
  <Priority>10</Priority><Status>Suspended</Status><CreationTime>2026-12-03T10:00:00Z</CreationTime>
  <ProgressSummary><TotalNumberOfTasks>300</TotalNumberOfTasks><NumberOfTasksSucceeded>0</NumberOfTasksSucceeded><NumberOfTasksFailed>0</NumberOfTasksFailed></ProgressSummary>
</member></Jobs></ListJobsResult>`)
		return
	}
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><ListJobsResult><Jobs><member>
  <JobId>job-two</JobId><Description>other</Description><Operation>S3PutObjectTagging</Operation>
  <Priority>1</Priority><Status>Active</Status><CreationTime>2026-12-03T09:00:00Z</CreationTime>
</member></Jobs></ListJobsResult>`)
}

// shapeAccountFor returns an sdkAccount whose requests reach the loopback S3 Control
// whatever host they are addressed to; endpoint overrides baseEndpoint when set.
func shapeAccountFor(t *testing.T, shape *s3controlShape, baseEndpoint string) *sdkAccount {
	server := httptest.NewTLSServer(shape)
	t.Cleanup(server.Close)
	plain := httptest.NewServer(shape)
	t.Cleanup(plain.Close)
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		shape.mu.Lock()
		shape.dialed = append(shape.dialed, addr)
		shape.mu.Unlock()
		target := server.Listener.Addr().String()
		if strings.HasSuffix(addr, ":80") || baseEndpoint != "" {
			target = plain.Listener.Addr().String()
		}
		return (&net.Dialer{}).DialContext(ctx, network, target)
	}
	transport := &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:  &http.Client{Transport: transport, Timeout: 10 * time.Second},
	}
	if baseEndpoint != "" {
		cfg.BaseEndpoint = aws.String(baseEndpoint)
	}
	a := &sdkAccount{profile: "shape", cfg: cfg}
	cfg.APIOptions = append(cfg.APIOptions, a.countCalls)
	a.cfg = cfg
	return a
}

func shapeRequest() ReplicationJobRequest {
	return ReplicationJobRequest{
		AccountID: shapeAccount, ClientRequestToken: "s3repl-0123456789abcdef", Description: "s3repl backfill acme-prod-orders",
		RoleARN: "arn:aws:iam::" + shapeAccount + ":role/s3repl-batch-acme-prod-orders", Priority: 10, ConfirmationRequired: true,
		SourceBucketARN:   "arn:aws:s3:::acme-prod-orders",
		Filter:            ManifestFilter{EligibleForReplication: true, ReplicationStatuses: []string{"NONE", "FAILED"}, KeyPrefixes: []string{"orders/"}},
		ManifestBucketARN: "arn:aws:s3:::acme-prod-orders", ManifestPrefix: "s3repl-batch/manifests",
		ReportBucketARN: "arn:aws:s3:::acme-prod-orders", ReportPrefix: "s3repl-batch/reports",
	}
}

func TestCreateReplicationJobRequestHasTheDocumentedShape(t *testing.T) {
	shape := &s3controlShape{t: t}
	a := shapeAccountFor(t, shape, "")
	id, err := a.CreateReplicationJob(t.Context(), "us-east-1", shapeRequest())
	if err != nil {
		t.Fatal(err)
	}
	if id != "5b1c2a3d-0000-4000-8000-00000000abcd" {
		t.Errorf("job id %q, want the one CreateJob answered", id)
	}
	if want := shapeAccount + ".s3-control.us-east-1.amazonaws.com"; !slices.Equal(shape.hosts, []string{want}) {
		t.Errorf("requests went to %v, want %s (S3 Control is regional and puts the account in the host)", shape.hosts, want)
	}
	g := shape.create.ManifestGenerator.S3JobManifestGenerator
	if got := g.Filter.ObjectReplicationStatuses.Members; !slices.Equal(got, []string{"NONE", "FAILED"}) || !*g.Filter.EligibleForReplication {
		t.Errorf("filter %v eligible %v, want NONE, FAILED and eligible only", got, *g.Filter.EligibleForReplication)
	}
	if k := g.Filter.KeyNameConstraint; k == nil || k.MatchAnyPrefix == nil || !slices.Equal(k.MatchAnyPrefix.Members, []string{"orders/"}) {
		t.Errorf("key name constraint %+v, want the rule's prefix", k)
	}
	if !*shape.create.ConfirmationRequired || *shape.create.ClientRequestToken != "s3repl-0123456789abcdef" {
		t.Errorf("confirmation %v token %q: want the job to wait for confirmation, with our token", *shape.create.ConfirmationRequired, *shape.create.ClientRequestToken)
	}
	owners := []*string{shape.create.Report.ExpectedBucketOwner, g.ExpectedBucketOwner, g.ManifestOutputLocation.ExpectedManifestBucketOwner}
	for _, owner := range owners {
		if owner == nil || *owner != shapeAccount {
			t.Errorf("an expected bucket owner is not the job's account: report %v, source %v, manifest %v", owners[0], owners[1], owners[2])
			break
		}
	}
	if *shape.create.Report.Prefix != "s3repl-batch/reports" || *shape.create.Report.ReportScope != "AllTasks" {
		t.Errorf("report prefix %q scope %q", *shape.create.Report.Prefix, *shape.create.Report.ReportScope)
	}
	if a.APICalls() != 1 {
		t.Errorf("%d API calls counted, want 1", a.APICalls())
	}
}

func TestCreateJobShapeCheckRefusesWhatAWSRefuses(t *testing.T) {
	// The checker itself must catch requests AWS would refuse, or the test above
	// proves nothing.
	good := func() createJobRequest {
		var req createJobRequest
		body := `<CreateJobRequest><ClientRequestToken>t</ClientRequestToken><Priority>1</Priority>
<RoleArn>arn:aws:iam::111111111111:role/r</RoleArn><Operation><S3ReplicateObject/></Operation>
<Report><Enabled>true</Enabled><Bucket>arn:aws:s3:::abc</Bucket><Format>Report_CSV_20180820</Format><ReportScope>AllTasks</ReportScope></Report>
<ManifestGenerator><S3JobManifestGenerator><SourceBucket>arn:aws:s3:::abc</SourceBucket><EnableManifestOutput>false</EnableManifestOutput></S3JobManifestGenerator></ManifestGenerator></CreateJobRequest>`
		if err := xml.Unmarshal([]byte(body), &req); err != nil {
			t.Fatal(err)
		}
		return req
	}
	if p := createJobProblem(good()); p != "" {
		t.Fatalf("a documented request was refused: %s", p)
	}
	breakers := map[string]func(*createJobRequest){
		"no token":        func(r *createJobRequest) { r.ClientRequestToken = nil },
		"no priority":     func(r *createJobRequest) { r.Priority = nil },
		"role not an ARN": func(r *createJobRequest) { r.RoleArn = aws.String("s3repl-batch") },
		"no report":       func(r *createJobRequest) { r.Report = nil },
		"both manifests": func(r *createJobRequest) {
			r.Manifest = &struct {
				Inner string `xml:",innerxml"`
			}{}
		},
		"bucket name not ARN": func(r *createJobRequest) {
			r.ManifestGenerator.S3JobManifestGenerator.SourceBucket = aws.String("abc")
		},
		"output without location": func(r *createJobRequest) {
			r.ManifestGenerator.S3JobManifestGenerator.EnableManifestOutput = aws.Bool(true)
		},
		"retired member": func(r *createJobRequest) { r.Inner += "<ExistingObjectReplication/>" },
	}
	for name, breakIt := range breakers {
		req := good()
		breakIt(&req)
		if createJobProblem(req) == "" {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDescribeJobReadsTheDocumentedResponse(t *testing.T) {
	shape := &s3controlShape{t: t}
	a := shapeAccountFor(t, shape, "")
	job, err := a.DescribeJob(t.Context(), "us-east-1", shapeAccount, "5b1c2a3d-0000-4000-8000-00000000abcd")
	if err != nil {
		t.Fatal(err)
	}
	want := Job{
		ID: "5b1c2a3d-0000-4000-8000-00000000abcd", ARN: "arn:aws:s3:us-east-1:111111111111:job/5b1c2a3d-0000-4000-8000-00000000abcd",
		Description: "s3repl backfill", Status: JobComplete, StatusUpdateReason: "Job complete", SuspendedCause: "ConfirmationRequired",
		TotalTasks: 300, Succeeded: 250, Failed: 50, ElapsedActive: 42 * time.Second,
		FailureReasons:  []JobFailure{{Code: "SomeTasksFailed", Reason: "50 tasks failed"}},
		RoleARN:         "arn:aws:iam::111111111111:role/s3repl-batch",
		ReportBucketARN: "arn:aws:s3:::acme-prod-orders", ReportPrefix: "s3repl-batch-reports", ReportEnabled: true,
		Created:    time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC),
		Terminated: time.Date(2026, 12, 3, 10, 5, 0, 0, time.UTC),
	}
	if fmt.Sprint(job) != fmt.Sprint(want) {
		t.Errorf("DescribeJob read\n%+v\nwant\n%+v", job, want)
	}
}

func TestUpdateJobStatusAndListJobs(t *testing.T) {
	shape := &s3controlShape{t: t}
	a := shapeAccountFor(t, shape, "")
	status, err := a.UpdateJobStatus(t.Context(), "us-east-1", shapeAccount, "job-one", JobReady, "confirmed in s3repl")
	if err != nil || status != JobReady {
		t.Fatalf("UpdateJobStatus: %q, %v", status, err)
	}
	jobs, err := a.ListJobs(t.Context(), "us-east-1", shapeAccount, JobActiveStatuses)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, j := range jobs {
		ids = append(ids, j.ID+"/"+j.Status+"/"+j.Operation)
	}
	if want := []string{"job-one/Suspended/S3ReplicateObject", "job-two/Active/S3PutObjectTagging"}; !slices.Equal(ids, want) {
		t.Errorf("ListJobs gave %v, want both pages %v", ids, want)
	}
	if jobs[0].TotalTasks != 300 {
		t.Errorf("progress of the first job: %+v", jobs[0])
	}
}

// With an endpoint override the SDK still puts the account id in front of the host,
// so an override by IP address cannot work; the README says so.
func TestEndpointOverrideGetsTheAccountInFrontOfTheHost(t *testing.T) {
	shape := &s3controlShape{t: t}
	a := shapeAccountFor(t, shape, "http://s3-control.localhost.example:4566")
	if _, err := a.DescribeJob(t.Context(), "us-east-1", shapeAccount, "job-one"); err != nil {
		t.Fatal(err)
	}
	if want := []string{shapeAccount + ".s3-control.localhost.example:4566"}; !slices.Equal(shape.dialed, want) {
		t.Errorf("dialed %v, want %v", shape.dialed, want)
	}
}
