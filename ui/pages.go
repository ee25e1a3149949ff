package ui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
)

// A page is one screen of the wizard. The wizard keeps a stack of them: the page on
// top gets every key and every result of the tasks it started, and says with an
// action where the wizard goes next. Pages keep their own state (a list's cursor, a
// form), so going back shows them as they were left; what several pages need (the
// setup being built, what was read from AWS, the theme, the key bindings, the size)
// is in the shared struct they all point to.
//
// Adding a screen is one new file and one row in pageTable: the file declares the
// page's id, its type with these methods, its constructor, and the messages and
// commands of its own tasks; the row gives its step and that step's title. The
// page that leads to it returns goTo(itsID) from a key, and a new key binding, if it
// needs one, goes into keyBindings with the others. Nothing else changes: the
// header, the crumbs, esc, the quit guard and the tasks' cancelling follow from the
// table and the stack; page_example_test.go shows it. (Before pages, a screen after
// Apply took about 18 edits in 5 files: an enum constant placed for the order
// comparisons, stepNames, step, back, enter, screenKey, body, screenKeys,
// handleResult, layout, a field, NewWizard...)
type page interface {
	// enter runs when the page is shown: pushed on the stack, or uncovered by back
	// (returning). It starts what the page needs to read.
	enter(returning bool) tea.Cmd
	// update answers a key, a paste, or the result of one of the page's tasks.
	update(msg tea.Msg) (action, tea.Cmd)
	// view draws the page's body; it only reads what setSize and update computed.
	view() string
	// setSize gives the page the body's size, once per change of size or state.
	setSize(width, height int)
	// keyHelp is the keys the help line shows for the page in its current state.
	keyHelp() help.KeyMap
	// typing reports whether keys go to a text input (letters type, q does not quit).
	typing() bool
}

// Optional behaviours a page may have.
type (
	// leaver gives up the keyboard when another page is shown over it or back.
	leaver interface{ leave() }
	// writer pages may be writing to AWS: quitting asks first while they are.
	writer interface{ writing() bool }
	// keyOwner pages answer q and esc themselves (the status panel: q stops watching).
	keyOwner interface{ ownsKeys() bool }
	// themed pages style their own components (text inputs) when the theme changes.
	themed interface{ setTheme(Theme) }
)

// pageID names a page; each page's file declares its own.
type pageID string

// pageRow is a page in the table: its step in the header, and how to make it. The
// header names a step by its first row's title, and by the current page's own title
// while one of that step's pages is shown (step 7 is Verify, or Watch or Backfill,
// reached from it).
type pageRow struct {
	id        pageID
	step      int
	stepTitle string
	make      func(*shared) page
}

// pageTable lists every page. The header's steps come from it; nothing depends on
// the order of the rows.
var pageTable = []pageRow{
	{pageSourceProfile, 1, "Source", newSourceProfilePage},
	{pageSourceBucket, 1, "Source", newSourceBucketPage},
	{pageDestProfile, 2, "Destination", newDestProfilePage},
	{pageDestRegion, 2, "Destination", newRegionPage},
	{pageDestBucket, 2, "Destination", newDestBucketPage},
	{pageNewBucket, 2, "Destination", newNewBucketPage},
	{pageReplicaKey, 3, "Key", newReplicaKeyPage},
	{pageKeyAlias, 3, "Key", newKeyAliasPage},
	{pageRule, 4, "Rule", newRulePage},
	{pageReview, 5, "Review", newReviewPage},
	{pageApply, 6, "Apply", newApplyPage},
	{pageVerify, 7, "Verify", newVerifyPage},
	{pageWatch, 7, "Watch", newWatchPage},
	{pageBackfill, 7, "Backfill", newBackfillPage},
	{pageBackfillPlan, 7, "Backfill", newBackfillPlanPage},
	{pageBackfillPreview, 7, "Backfill", newBackfillPreviewPage},
	{pageBackfillRun, 7, "Backfill", newBackfillRunPage},
	{pageBackfillResult, 7, "Backfill", newBackfillResultPage},
}

// firstPage is where the wizard starts.
const firstPage = pageSourceProfile

func rowOf(id pageID) pageRow {
	for _, r := range pageTable {
		if r.id == id {
			return r
		}
	}
	panic("ui: no page " + string(id) + " in pageTable")
}

// stepTitles are the header's steps, numbered from 1, from the table.
func stepTitles() []string {
	var titles []string
	for _, r := range pageTable {
		for len(titles) < r.step {
			titles = append(titles, "")
		}
		if titles[r.step-1] == "" {
			titles[r.step-1] = r.stepTitle
		}
	}
	return titles
}

type actionKind int

const (
	actStay    actionKind = iota
	actGoTo               // push another page
	actReplace            // push another page in place of this one, which esc then skips
	actBack               // pop this page, showing the one under it again
	actQuit               // quit the wizard (asking first while a page is writing)
)

// action is what a page asks of the wizard after a message.
type action struct {
	kind   actionKind
	to     pageID
	notice string // shown on the status line until the next key
}

var stay = action{}

func goTo(id pageID) action              { return action{kind: actGoTo, to: id} }
func replaceWith(id pageID) action       { return action{kind: actReplace, to: id} }
func goBack() action                     { return action{kind: actBack} }
func quitWizard() action                 { return action{kind: actQuit} }
func notice(text string) action          { return action{notice: text} }
func only(cmd tea.Cmd) (action, tea.Cmd) { return stay, cmd }
