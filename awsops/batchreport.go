package awsops

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// The completion report of a Batch Operations job, as S3 writes it
// [batch-ops-job-status, "Completion reports"; batch-ops-examples-reports]: under
// PREFIX/job-ID/ a manifest.json names the result CSV files, whose rows are
// Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage.
const (
	ReportFormat = "Report_CSV_20180820"
	ReportSchema = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"
)

// ReportManifest is a completion report's manifest.json.
type ReportManifest struct {
	Format             string         `json:"Format"`
	ReportCreationDate string         `json:"ReportCreationDate"`
	Results            []ReportResult `json:"Results"`
	ReportSchema       string         `json:"ReportSchema"`
}

// ReportResult names one result file: TaskExecutionStatus is succeeded or failed.
type ReportResult struct {
	TaskExecutionStatus string `json:"TaskExecutionStatus"`
	Bucket              string `json:"Bucket"`
	MD5Checksum         string `json:"MD5Checksum"`
	Key                 string `json:"Key"`
}

// ReportTask is one row of a result file. For Batch Replication, ErrorCode carries
// the replication failure reason of a failed task [replication-failure-codes].
type ReportTask struct {
	Bucket, Key, VersionID string
	TaskStatus             string // succeeded or failed
	ErrorCode              string
	HTTPStatusCode         string
	ResultMessage          string
}

// Failed reports whether the task failed.
func (t ReportTask) Failed() bool { return !strings.EqualFold(t.TaskStatus, "succeeded") }

// ReportDir is where S3 writes a job's completion report: PREFIX/job-ID.
func ReportDir(prefix, jobID string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return "job-" + jobID
	}
	return prefix + "/job-" + jobID
}

// ReadReport streams a job's completion report from bucket (a name, not an ARN):
// manifest.json, then each result file in turn, calling each for every row. Nothing
// is held but the row being read, so memory does not grow with the report.
func ReadReport(ctx context.Context, objects BatchJobs, region, bucket, prefix, jobID string, each func(ReportTask) error) (ReportManifest, error) {
	manifest, err := readReportManifest(ctx, objects, region, bucket, ReportDir(prefix, jobID)+"/manifest.json")
	if err != nil {
		return manifest, err
	}
	for _, result := range manifest.Results {
		if err := readResultFile(ctx, objects, region, result, each); err != nil {
			return manifest, err
		}
	}
	return manifest, nil
}

func readReportManifest(ctx context.Context, objects BatchJobs, region, bucket, key string) (ReportManifest, error) {
	var manifest ReportManifest
	body, err := objects.GetObject(ctx, region, bucket, key)
	if err != nil {
		return manifest, err
	}
	defer body.Close()
	if err := json.NewDecoder(body).Decode(&manifest); err != nil {
		return manifest, fmt.Errorf("the completion report's manifest s3://%s/%s is not what S3 writes: %w", bucket, key, err)
	}
	if manifest.Format != "" && manifest.Format != ReportFormat {
		return manifest, fmt.Errorf("the completion report s3://%s/%s has format %s; s3repl reads %s", bucket, key, manifest.Format, ReportFormat)
	}
	return manifest, nil
}

func readResultFile(ctx context.Context, objects BatchJobs, region string, result ReportResult, each func(ReportTask) error) error {
	bucket := strings.TrimPrefix(result.Bucket, "arn:aws:s3:::")
	body, err := objects.GetObject(ctx, region, bucket, result.Key)
	if err != nil {
		return err
	}
	defer body.Close()
	if err := ReadReportCSV(body, each); err != nil {
		return fmt.Errorf("reading s3://%s/%s: %w", bucket, result.Key, err)
	}
	return nil
}

// ReadReportCSV reads the rows of one result file.
func ReadReportCSV(r io.Reader, each func(ReportTask) error) error {
	rows := csv.NewReader(bufio.NewReaderSize(r, 256<<10))
	rows.FieldsPerRecord = -1
	rows.ReuseRecord = true
	for {
		record, err := rows.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(record) < 4 {
			return fmt.Errorf("line with %d fields; a completion report has %s", len(record), ReportSchema)
		}
		task := ReportTask{Bucket: record[0], Key: unescapeKey(record[1]), VersionID: record[2], TaskStatus: record[3]}
		if len(record) > 4 {
			task.ErrorCode = record[4]
		}
		if len(record) > 5 {
			task.HTTPStatusCode = record[5]
		}
		if len(record) > 6 {
			task.ResultMessage = record[6]
		}
		if err := each(task); err != nil {
			return err
		}
	}
}

// unescapeKey undoes the URL encoding S3 gives keys in reports.
func unescapeKey(key string) string {
	if !strings.Contains(key, "%") {
		return key
	}
	if plain, err := url.PathUnescape(key); err == nil {
		return plain
	}
	return key
}

// EscapeReportKey URL-encodes a key as S3 writes it in reports.
func EscapeReportKey(key string) string {
	return strings.ReplaceAll(url.PathEscape(key), "%2F", "/")
}
