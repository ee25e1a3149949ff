package ui

import (
	"context"
	"strings"
)

// taskID names one run of an asynchronous task. A slot holds at most one running
// task; starting another in the same slot cancels the first, and results carry
// their taskID so that a late answer from a cancelled run is dropped.
type taskID struct {
	slot string
	n    int
}

type runningTask struct {
	n      int
	owner  screen
	cancel context.CancelFunc
}

// tasks tracks the AWS work in flight, so that leaving a screen or quitting cancels
// it. What a screen shows as "loading" is whether its slot is running.
type tasks struct {
	root    context.Context
	next    int
	running map[string]runningTask
}

func newTasks(root context.Context) tasks {
	return tasks{root: root, running: map[string]runningTask{}}
}

// start begins a task in slot for the screen owner and returns its context.
func (t *tasks) start(slot string, owner screen) (context.Context, taskID) {
	if old, ok := t.running[slot]; ok {
		old.cancel()
	}
	t.next++
	ctx, cancel := context.WithCancel(t.root)
	t.running[slot] = runningTask{n: t.next, owner: owner, cancel: cancel}
	return ctx, taskID{slot: slot, n: t.next}
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

func (t *tasks) isRunning(slot string) bool {
	_, ok := t.running[slot]
	return ok
}

// cancelSlot cancels the task of a slot, if one runs.
func (t *tasks) cancelSlot(slot string) {
	if run, ok := t.running[slot]; ok {
		run.cancel()
		delete(t.running, slot)
	}
}

// cancelPrefix cancels the tasks of every slot that begins with prefix.
func (t *tasks) cancelPrefix(prefix string) {
	for slot := range t.running {
		if strings.HasPrefix(slot, prefix) {
			t.cancelSlot(slot)
		}
	}
}

func (t *tasks) busy() bool { return len(t.running) > 0 }

// cancelOthers cancels the tasks of every screen but keep.
func (t *tasks) cancelOthers(keep screen) {
	for slot, run := range t.running {
		if run.owner != keep {
			run.cancel()
			delete(t.running, slot)
		}
	}
}

func (t *tasks) cancelAll() {
	for slot, run := range t.running {
		run.cancel()
		delete(t.running, slot)
	}
}
