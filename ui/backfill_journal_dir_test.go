package ui

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/s3repl/s3repl/steps"
)

// The backfill's start and the watch's retry open the journal in commands, which
// run at the same time: without Deps' journal, every open must find the same
// temporary directory, so that a rerun finds the job the first one journaled.
func TestBackfillJournalDirSharedByConcurrentCommands(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	s := newShared(Deps{}, newTasks(context.Background()))
	facts := steps.BackfillFacts{SourceAccount: "111122223333", SourceRegion: "us-east-1", SourceBucket: "src"}
	const opens = 8
	paths := make([]string, opens)
	var wg sync.WaitGroup
	for i := range opens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := s.openBackfillJournal(facts)
			if err != nil {
				t.Error(err)
				return
			}
			paths[i] = j.Path()
		}()
	}
	wg.Wait()
	for _, p := range paths[1:] {
		if p != paths[0] {
			t.Fatalf("journal paths differ: %q and %q", paths[0], p)
		}
	}
	dirs, err := os.ReadDir(os.Getenv("TMPDIR"))
	must(t, err)
	if len(dirs) != 1 || filepath.Dir(paths[0]) != filepath.Join(os.Getenv("TMPDIR"), dirs[0].Name()) {
		t.Fatalf("want one journal directory holding %s, found %d", paths[0], len(dirs))
	}
}
