package steps

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Journal is a write-ahead log of every mutation Apply makes: an entry before each
// write (with the before and after documents) and one after it, so that a person can
// always see what was changed, and undo it by hand.
type Journal struct {
	mu   sync.Mutex
	path string
	file *os.File
	now  func() time.Time
}

// JournalEntry is one line of the journal (JSON Lines).
type JournalEntry struct {
	Time     time.Time       `json:"time"`
	Phase    string          `json:"phase"` // begin, done or failed
	Change   string          `json:"change"`
	Title    string          `json:"title"`
	Account  string          `json:"account"`
	Region   string          `json:"region"`
	Resource string          `json:"resource"`
	Action   Action          `json:"action"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// DefaultJournalDir is $XDG_STATE_HOME/s3repl/journal, or ~/.local/state/s3repl/journal.
func DefaultJournalDir() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "s3repl", "journal"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for the journal: give --journal DIR")
	}
	return filepath.Join(home, ".local", "state", "s3repl", "journal"), nil
}

// OpenJournal creates a new journal file in dir for one apply run.
func OpenJournal(dir string, now func() time.Time) (*Journal, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating journal directory: %w", err)
	}
	name := "apply-" + now().UTC().Format("20060102T150405.000000000Z") + ".jsonl"
	path := filepath.Join(dir, name)
	file, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating journal: %w", err)
	}
	return &Journal{path: path, file: file, now: now}, nil
}

// Path is the journal file's path.
func (j *Journal) Path() string { return j.path }

// Record appends an entry for a change and syncs it to disk before returning, so the
// entry exists even if the process dies during the write that follows.
func (j *Journal) Record(phase string, c Change, cause error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	entry := JournalEntry{
		Time: j.now().UTC(), Phase: phase, Change: c.ID, Title: c.Title, Account: c.Account,
		Region: c.Region, Resource: c.Resource, Action: c.Action,
	}
	if phase == "begin" {
		entry.Before, entry.After = docOrNil(c.Before), docOrNil(c.After)
	}
	if cause != nil {
		entry.Error = cause.Error()
	}
	line, err := json.Marshal(entry)
	if err != nil {
		return err
	}
	if _, err := j.file.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing journal: %w", err)
	}
	return j.file.Sync()
}

// Close closes the journal file.
func (j *Journal) Close() error { return j.file.Close() }

func docOrNil(doc string) json.RawMessage {
	if doc == "" {
		return nil
	}
	return rawOrNull(doc)
}
