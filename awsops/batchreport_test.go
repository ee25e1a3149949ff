package awsops

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
)

// objectStore serves GetObject from a map; the other BatchJobs calls are not used.
type objectStore struct {
	BatchJobs
	objects map[string]string
}

func (s objectStore) GetObject(_ context.Context, _, bucket, key string) (io.ReadCloser, error) {
	body, ok := s.objects[bucket+"/"+key]
	if !ok {
		return nil, &OpError{Op: "s3:GetObject", Resource: bucket + "/" + key, Kind: KindNotFound, Code: "NoSuchKey"}
	}
	return io.NopCloser(strings.NewReader(body)), nil
}

func TestReadReportFollowsTheManifestToEachResultFile(t *testing.T) {
	store := objectStore{objects: map[string]string{
		"reports/s3repl/job-abc/manifest.json": `{"Format":"Report_CSV_20180820","ReportCreationDate":"2026-12-03T10:05:00.000Z",
"Results":[{"TaskExecutionStatus":"succeeded","Bucket":"reports","MD5Checksum":"x","Key":"s3repl/job-abc/results/1.csv"},
{"TaskExecutionStatus":"failed","Bucket":"reports","MD5Checksum":"y","Key":"s3repl/job-abc/results/2.csv"}],
"ReportSchema":"Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"}`,
		"reports/s3repl/job-abc/results/1.csv": "src,orders/a%20b.csv,v1,succeeded,,200,Successful\n",
		"reports/s3repl/job-abc/results/2.csv": "src,orders/c.csv,v2,failed,DstPutObjectNotPermitted,403,\"Access denied, by the key policy\"\n",
	}}
	var got []ReportTask
	manifest, err := ReadReport(t.Context(), store, "us-east-1", "reports", "s3repl/", "abc", func(task ReportTask) error {
		got = append(got, task)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(manifest.Results) != 2 {
		t.Errorf("manifest %+v", manifest)
	}
	want := []ReportTask{
		{Bucket: "src", Key: "orders/a b.csv", VersionID: "v1", TaskStatus: "succeeded", HTTPStatusCode: "200", ResultMessage: "Successful"},
		{Bucket: "src", Key: "orders/c.csv", VersionID: "v2", TaskStatus: "failed", ErrorCode: "DstPutObjectNotPermitted", HTTPStatusCode: "403", ResultMessage: "Access denied, by the key policy"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%+v\nwant\n%+v", got, want)
	}
	if got[0].Failed() || !got[1].Failed() {
		t.Error("Failed() is wrong")
	}
}

func TestReadReportWithoutItsManifestSaysWhichObject(t *testing.T) {
	_, err := ReadReport(t.Context(), objectStore{objects: map[string]string{}}, "us-east-1", "reports", "", "abc", func(ReportTask) error { return nil })
	if !IsNotFound(err) || !strings.Contains(err.Error(), "job-abc/manifest.json") {
		t.Errorf("err = %v", err)
	}
}
