package ui

import (
	"context"
)

// taskKind is what a task does; a slot is a kind and what it works on.
type taskKind int

const (
	taskProfiles taskKind = iota
	taskIdentity          // of a profile
	taskBuckets           // of a profile
	taskSummary           // of a profile's bucket
	taskRegions           // of a profile
	taskKMSKeys           // of the destination's Region
	taskName              // is the new bucket's name free?
	taskPlan
	taskApply
	taskSave
	taskObjectKeys // the source keys of sampled objects
)

// slot holds at most one running task: starting another in the same slot cancels
// the first.
type slot struct {
	kind taskKind
	of   string
}

// taskID names one run of an asynchronous task. Results carry their taskID so that
// a late answer from a cancelled run is dropped.
type taskID struct {
	slot slot
	n    int
}

type runningTask struct {
	n      int
	owner  pageID
	cancel context.CancelFunc
}

// tasks tracks the AWS work in flight, so that leaving a page or quitting cancels
// it. What a page shows as "loading" is whether its slot is running.
type tasks struct {
	root    context.Context
	next    int
	running map[slot]runningTask
}

func newTasks(root context.Context) tasks {
	return tasks{root: root, running: map[slot]runningTask{}}
}

// start begins a task in slot for the page owner and returns its context.
func (t *tasks) start(sl slot, owner pageID) (context.Context, taskID) {
	if old, ok := t.running[sl]; ok {
		old.cancel()
	}
	t.next++
	ctx, cancel := context.WithCancel(t.root)
	t.running[sl] = runningTask{n: t.next, owner: owner, cancel: cancel}
	return ctx, taskID{slot: sl, n: t.next}
}

// finish reports whether id is the current run of its slot, and ends it.
func (t *tasks) finish(id taskID) bool {
	run, ok := t.running[id.slot]
	if !ok || run.n != id.n {
		return false
	}
	run.cancel()
	delete(t.running, id.slot)
	return true
}

// current reports whether id is the current run of its slot, leaving it running
// (a listing that goes on page by page).
func (t *tasks) current(id taskID) bool {
	run, ok := t.running[id.slot]
	return ok && run.n == id.n
}

func (t *tasks) isRunning(sl slot) bool {
	_, ok := t.running[sl]
	return ok
}

// cancelSlot cancels the task of a slot, if one runs.
func (t *tasks) cancelSlot(sl slot) {
	if run, ok := t.running[sl]; ok {
		run.cancel()
		delete(t.running, sl)
	}
}

// cancelKind cancels every task of a kind.
func (t *tasks) cancelKind(kind taskKind) {
	for sl := range t.running {
		if sl.kind == kind {
			t.cancelSlot(sl)
		}
	}
}

func (t *tasks) busy() bool { return len(t.running) > 0 }

// cancelOthers cancels the tasks of every page but keep.
func (t *tasks) cancelOthers(keep pageID) {
	for sl, run := range t.running {
		if run.owner != keep {
			run.cancel()
			delete(t.running, sl)
		}
	}
}

func (t *tasks) cancelAll() {
	for sl, run := range t.running {
		run.cancel()
		delete(t.running, sl)
	}
}
