package steps

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/s3repl/s3repl/awsops"
)

// BackfillJournal is the write-ahead log of a source bucket's Batch Replication
// jobs: one JSON Lines file per bucket beside apply's journals, appended to by every
// run, so a rerun finds the job an earlier run created (or may have created).
type BackfillJournal struct {
	mu   sync.Mutex
	path string
	now  func() time.Time
}

// Phases of a journaled CreateJob.
const (
	backfillBegin  = "begin"  // before CreateJob: the token
	backfillDone   = "done"   // after: the job id
	backfillFailed = "failed" // CreateJob refused
)

// BackfillJobEntry is one line of the backfill journal.
type BackfillJobEntry struct {
	Time    time.Time                     `json:"time"`
	Phase   string                        `json:"phase"`
	Token   string                        `json:"clientRequestToken"`
	JobID   string                        `json:"jobId,omitempty"`
	Objects BackfillObjects               `json:"objects,omitempty"`
	Request *awsops.ReplicationJobRequest `json:"request,omitempty"`
	Error   string                        `json:"error,omitempty"`
	// Refused is true when AWS answered CreateJob with an error: no job was made.
	// An error without an answer (network, timeout) may hide a job made.
	Refused bool `json:"refused,omitempty"`
}

// OpenBackfillJournal opens (creating) the journal of a source bucket in dir.
func OpenBackfillJournal(dir string, f BackfillFacts, now func() time.Time) (*BackfillJournal, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating journal directory: %w", err)
	}
	name := fmt.Sprintf("backfill-%s-%s-%s.jsonl", f.SourceAccount, f.SourceRegion, f.SourceBucket)
	return &BackfillJournal{path: filepath.Join(dir, name), now: now}, nil
}

// Path is the journal file's path.
func (j *BackfillJournal) Path() string { return j.path }

// Record appends an entry and syncs it to disk before returning.
func (j *BackfillJournal) Record(phase string, e BackfillJobEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.Time, e.Phase = j.now().UTC(), phase
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	file, err := os.OpenFile(j.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("writing the backfill journal: %w", err)
	}
	defer file.Close()
	if _, err := file.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing the backfill journal: %w", err)
	}
	return file.Sync()
}

// LastJob is what the journal says of the latest CreateJob: its token, and its job
// id when the answer was recorded. A token without a job id is a CreateJob whose
// outcome is unknown.
type LastJob struct {
	Token, JobID string
	Objects      BackfillObjects
}

// Last reads the latest CreateJob of the journal; a missing journal is none.
func (j *BackfillJournal) Last() (LastJob, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	file, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return LastJob{}, nil
	}
	if err != nil {
		return LastJob{}, err
	}
	defer file.Close()
	var last LastJob
	lines := bufio.NewScanner(file)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		var e BackfillJobEntry
		if json.Unmarshal(lines.Bytes(), &e) != nil {
			continue // a line cut short by a crash
		}
		switch e.Phase {
		case backfillBegin:
			last = LastJob{Token: e.Token, Objects: e.Objects}
		case backfillDone:
			last = LastJob{Token: e.Token, JobID: e.JobID, Objects: e.Objects}
		case backfillFailed:
			if e.Refused {
				last = LastJob{}
			}
		}
	}
	return last, lines.Err()
}
