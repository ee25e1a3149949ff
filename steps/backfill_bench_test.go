package steps_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// generatedReport serves a completion report of n tasks (one in ten failed) whose
// result files are produced row by row as they are read: nothing of the report is
// held in memory but the row being written.
type generatedReport struct {
	awsops.BatchJobs
	n int
}

func (g generatedReport) GetObject(_ context.Context, _, _, key string) (io.ReadCloser, error) {
	switch {
	case strings.HasSuffix(key, "manifest.json"):
		return io.NopCloser(strings.NewReader(`{"Format":"Report_CSV_20180820","ReportCreationDate":"2026-12-03T10:00:00.000Z","Results":[` +
			`{"TaskExecutionStatus":"succeeded","Bucket":"reports","MD5Checksum":"a","Key":"r/job-j/results/succeeded.csv"},` +
			`{"TaskExecutionStatus":"failed","Bucket":"reports","MD5Checksum":"b","Key":"r/job-j/results/failed.csv"}],` +
			`"ReportSchema":"Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"}`)), nil
	case strings.HasSuffix(key, "succeeded.csv"):
		return &rowReader{n: g.n - g.n/10, row: func(i int) string {
			return fmt.Sprintf("acme-prod-orders,orders/2025/%02d/%07d.csv,3HL4kqtJlcpXroDTDmJ.rmSpXd3d%05d,succeeded,,200,Successful\n", i%12+1, i, i%100000)
		}}, nil
	}
	reasons := []string{"SrcGetObjectNotPermitted", "DstPutObjectNotPermitted", "DstKmsKeyInvalidState"}
	return &rowReader{n: g.n / 10, row: func(i int) string {
		return fmt.Sprintf("acme-prod-orders,reports/2025/q%d/%07d.pdf,wK_TwugEWzepPOumjHCpQxZb%05d,failed,%s,403,\"Access Denied, by policy\"\n", i%4+1, i, i%100000, reasons[i%3])
	}}, nil
}

// rowReader repeats a block of 1,000 distinct rows until n rows are read: the rows
// cost nothing to produce, so the benchmark measures the reading.
type rowReader struct {
	n, i  int
	row   func(int) string
	block []byte
	off   int
}

func (r *rowReader) Read(p []byte) (int, error) {
	if r.block == nil {
		var b strings.Builder
		for i := range 1000 {
			b.WriteString(r.row(i))
		}
		r.block = []byte(b.String())
	}
	written := 0
	for written < len(p) && r.i < r.n {
		line := r.block[r.off:]
		if end := bytes.IndexByte(line, '\n'); end >= 0 {
			line = line[:end+1]
		}
		c := copy(p[written:], line)
		written += c
		if c < len(line) {
			r.off += c
			break
		}
		r.off += c
		r.i++
		if r.off == len(r.block) {
			r.off = 0
		}
	}
	if written == 0 {
		return 0, io.EOF
	}
	return written, nil
}

func (r *rowReader) Close() error { return nil }

// BenchmarkBackfillReport reads and groups a completion report; peak-heap-MB is the
// most heap in use seen while reading, which stays flat from 100,000 to 1,000,000
// tasks. The rows are a block of 1,000 served again and again.
func BenchmarkBackfillReport(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				var g steps.ReportGrouper
				var stats runtime.MemStats
				rows := 0
				_, err := awsops.ReadReport(b.Context(), generatedReport{n: n}, "us-east-1", "reports", "r", "j", func(t awsops.ReportTask) error {
					if rows++; rows%100_000 == 0 {
						runtime.ReadMemStats(&stats)
						peak = max(peak, stats.HeapInuse)
					}
					return g.Add(t)
				})
				if err != nil || g.Succeeded+g.Failed != int64(n) || len(g.Groups()) != 3 {
					b.Fatalf("%v: %d+%d tasks, %d groups", err, g.Succeeded, g.Failed, len(g.Groups()))
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
