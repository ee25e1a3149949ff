package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
	Phase    string          `json:"phase"` // begin, done, failed or unknown (the answer was lost)
	Change   string          `json:"change"`
	Title    string          `json:"title"`
	Account  string          `json:"account"`
	Region   string          `json:"region"`
	Resource string          `json:"resource"`
	Action   Action          `json:"action"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	Error    string          `json:"error,omitempty"`
	// Tags are the tags a created resource is given (the replica key's), so a rerun
	// can find it when the answer to its creation was lost.
	Tags map[string]string `json:"tags,omitempty"`
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
	return j.record(phase, c, cause, nil)
}

func (j *Journal) record(phase string, c Change, cause error, tags map[string]string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	entry := JournalEntry{
		Time: j.now().UTC(), Phase: phase, Change: c.ID, Title: c.Title, Account: c.Account,
		Region: c.Region, Resource: c.Resource, Action: c.Action, Tags: tags,
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

// Dir is the directory the journal is in, with the journals of earlier runs.
func (j *Journal) Dir() string { return filepath.Dir(j.path) }

// Close closes the journal file.
func (j *Journal) Close() error { return j.file.Close() }

func docOrNil(doc string) json.RawMessage {
	if doc == "" {
		return nil
	}
	return rawOrNull(doc)
}

// History reads the entries of every journal in dir (earlier runs' and this one's),
// oldest file first. Lines that cannot be read are skipped: a journal cut off by a
// crash ends in half a line.
func History(dir string) ([]JournalEntry, error) {
	files, err := filepath.Glob(filepath.Join(dir, "apply-*.jsonl"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files) // the names start with the run's time
	var entries []JournalEntry
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading journal %s: %w", path, err)
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			var e JournalEntry
			if len(bytes.TrimSpace(line)) > 0 && json.Unmarshal(line, &e) == nil {
				entries = append(entries, e)
			}
		}
	}
	return entries, nil
}
