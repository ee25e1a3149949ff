package simcloud

import (
	"crypto/md5"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// writeReport writes a job's completion report as S3 does [batch-ops-job-status,
// "Completion reports"; batch-ops-examples-reports]: under PREFIX/job-ID/ a
// manifest.json naming a result file for the succeeded tasks and one for the failed
// ones (only the failed ones with ReportScope FailedTasksOnly), each row Bucket, Key,
// VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage. For Batch
// Replication the ErrorCode of a failed task is the replication failure reason
// [replication-failure-codes]. Reports are encrypted with SSE-S3.
func (c *Cloud) writeReport(j *batchJob, now time.Time) {
	b := c.buckets[bucketNameOf(j.req.ReportBucketARN)]
	if b == nil {
		return
	}
	dir := awsops.ReportDir(j.req.ReportPrefix, j.id)
	var succeeded, failed strings.Builder
	sw, fw := csv.NewWriter(&succeeded), csv.NewWriter(&failed)
	for _, o := range j.outcomes {
		key := awsops.EscapeReportKey(o.task.key)
		if o.reason == "" {
			_ = sw.Write([]string{o.task.bucket, key, o.task.versionID, "succeeded", "", "200", "Successful"})
			continue
		}
		_ = fw.Write([]string{o.task.bucket, key, o.task.versionID, "failed", o.reason, httpStatusOf(o.reason), o.message})
	}
	sw.Flush()
	fw.Flush()
	manifest := awsops.ReportManifest{
		Format: awsops.ReportFormat, ReportCreationDate: now.UTC().Format("2006-01-02T15:04:05.000Z"),
		ReportSchema: awsops.ReportSchema,
	}
	files := []struct{ status, body string }{{"succeeded", succeeded.String()}, {"failed", failed.String()}}
	for _, f := range files {
		if f.body == "" || (f.status == "succeeded" && j.req.ReportFailedOnly) {
			continue
		}
		sum := md5.Sum([]byte(f.body))
		key := dir + "/results/" + hex.EncodeToString(sum[:]) + ".csv"
		c.writeObject(b, key, []byte(f.body))
		manifest.Results = append(manifest.Results, awsops.ReportResult{
			TaskExecutionStatus: f.status, Bucket: b.name, MD5Checksum: hex.EncodeToString(sum[:]), Key: key,
		})
	}
	doc, _ := json.Marshal(manifest)
	c.writeObject(b, dir+"/manifest.json", doc)
}

func httpStatusOf(reason string) string {
	switch {
	case strings.HasSuffix(reason, "NotPermitted"):
		return "403"
	case strings.HasSuffix(reason, "NotFound"):
		return "404"
	}
	return "400"
}

// writeObject stores an object S3 Batch Operations writes (manifest, report) as a
// PUT would: SSE-S3, owned by the bucket's account, and replicated like any other
// object when a rule covers its key.
func (c *Cloud) writeObject(b *bucket, key string, body []byte) {
	if b == nil {
		return
	}
	v := &objectVersion{key: key, body: body, sseAlgorithm: "AES256", owner: b.owner, lastModified: c.now()}
	c.store(b, v)
	c.scheduleReplication(b, v)
}
