package ui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// Steps 1 and 2 begin with the profile that owns each side's bucket.

const (
	pageSourceProfile pageID = "source-profile"
	pageDestProfile   pageID = "destination-profile"
)

type profilePage struct {
	s    *shared
	side *sideChoice
	next pageID
	list picker
	// pending is the profile chosen while its identity is still being resolved.
	pending *string
	// placed is true while the destination's cursor is where the page put it: on a
	// profile other than the source's that works, as far as is known. It moves on
	// when that profile fails, until the user moves it.
	placed bool
}

func newSourceProfilePage(s *shared) page {
	return &profilePage{s: s, side: &s.source, next: pageSourceBucket, list: newPicker("profile")}
}

func newDestProfilePage(s *shared) page {
	return &profilePage{s: s, side: &s.destination, next: pageDestRegion, list: newPicker("profile")}
}

// other is the choice of the other side.
func (p *profilePage) other() *sideChoice {
	if p.side.side == steps.SourceSide {
		return &p.s.destination
	}
	return &p.s.source
}

func (p *profilePage) enter(bool) tea.Cmd {
	p.pending = nil
	if p.s.profiles == nil {
		if p.s.tasks.isRunning(slot{kind: taskProfiles}) {
			return nil
		}
		_, id := p.s.tasks.start(slot{kind: taskProfiles}, p.s.current)
		return listProfiles(id, p.s.deps.Profiles)
	}
	return p.show(true)
}

func (p *profilePage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case profilesMsg:
		if !p.s.tasks.finish(msg.task) {
			return stay, nil
		}
		firstList := len(p.list.items) == 0 // not a refresh: place the cursor
		p.s.profiles = &msg
		return only(p.show(firstList))
	case identityMsg:
		return p.onIdentity(msg)
	case dueMsg:
		if it, ok := p.list.selected(); ok && msg.what == taskIdentity && it.value == msg.value {
			return only(p.resolve(msg.value))
		}
		return stay, nil
	}
	return p.s.listUpdate(&p.list, p, msg)
}

// show fills the list, and with placeCursor puts the cursor where the list starts:
// on the chosen profile, else for the source on the one the caller suggests and for
// the destination on a profile other than the source's. Otherwise the cursor stays
// where the user left it.
func (p *profilePage) show(placeCursor bool) tea.Cmd {
	p.refreshItems()
	switch {
	case !placeCursor:
	case p.side.chosen:
		p.list.selectValue(p.side.profile)
	case p.side.side == steps.SourceSide:
		p.list.selectValue(p.s.deps.SourceProfile)
	default:
		p.placed = true
		p.placeOnWorkingOther()
	}
	if it, ok := p.list.selected(); ok {
		return p.resolve(it.value)
	}
	return nil
}

// profileNames are the profiles to offer; the default credential chain when the
// shared files name none.
func (p *profilePage) profileNames() []string {
	if p.s.profiles == nil || p.s.profiles.err != nil {
		return nil
	}
	if len(p.s.profiles.profiles) == 0 {
		return []string{""}
	}
	return p.s.profiles.profiles
}

func (p *profilePage) refreshItems() {
	var items []pickItem
	for _, name := range p.profileNames() {
		title := name
		if name == "" {
			title = "(default credentials)"
		}
		items = append(items, newPickItem(name, title, p.detail(name), ""))
	}
	p.list.setItems(items) // keeps the cursor on its profile
}

func (p *profilePage) detail(profile string) string {
	same := ""
	if p.side.side == steps.DestinationSide && p.s.source.chosen && profile == p.s.source.profile {
		same = "same as source"
	}
	res, known := p.s.accounts[profile]
	switch {
	case p.s.tasks.isRunning(slot{taskIdentity, profile}):
		return joinNonEmpty(" · ", "resolving…", same)
	case !known:
		return same
	case res.err != nil:
		return "✗ " + steps.ErrorKind(res.err)
	}
	return joinNonEmpty(" · ", "account "+res.id.AccountID, same)
}

// placeOnWorkingOther puts the destination's cursor on the first profile other than
// the source's that works; while none is known to, on the first not known to fail
// (which is then resolved), as the first alphabetically may be a broken one.
func (p *profilePage) placeOnWorkingOther() {
	source := p.s.source.profile
	untried := ""
	for _, idx := range p.list.shown {
		name := p.list.items[idx].value
		if name == source {
			continue
		}
		res, known := p.s.accounts[name]
		if known && res.err == nil {
			p.list.selectValue(name)
			return
		}
		if !known && untried == "" {
			untried = name
		}
	}
	if untried != "" {
		p.list.selectValue(untried)
		return
	}
	selectFirstOther(&p.list, source)
}

// selectFirstOther puts the cursor on the first row whose value is not other.
func selectFirstOther(p *picker, other string) {
	for _, idx := range p.shown {
		if p.items[idx].value != other {
			p.selectValue(p.items[idx].value)
			return
		}
	}
}

// resolve opens the profile's account and asks who it is, unless that is known or
// under way.
func (p *profilePage) resolve(profile string) tea.Cmd {
	sl := slot{taskIdentity, profile}
	if _, known := p.s.accounts[profile]; known || p.s.tasks.isRunning(sl) {
		return nil
	}
	ctx, id := p.s.tasks.start(sl, p.s.current)
	p.refreshItems()
	return openAccount(ctx, id, p.s.deps.Open, profile, p.side.side)
}

func (p *profilePage) onIdentity(msg identityMsg) (action, tea.Cmd) {
	if !p.s.tasks.finish(msg.task) {
		return stay, nil
	}
	p.s.accounts[msg.profile] = accountResult{acc: msg.acc, id: msg.id, err: msg.err}
	p.refreshItems()
	if p.pending != nil && *p.pending == msg.profile {
		p.pending = nil
		if msg.err == nil {
			return p.pick(msg.profile)
		}
	}
	if p.placed && msg.err != nil {
		p.placeOnWorkingOther()
		if it, ok := p.list.selected(); ok {
			return only(p.resolve(it.value))
		}
	}
	return stay, nil
}

func (p *profilePage) choose() (action, tea.Cmd) {
	it, ok := p.list.selected()
	if !ok {
		return stay, nil
	}
	if res, known := p.s.accounts[it.value]; known && res.err == nil {
		return p.pick(it.value)
	}
	delete(p.s.accounts, it.value) // a failed lookup is tried again
	profile := it.value
	p.pending = &profile
	return only(p.resolve(profile))
}

func (p *profilePage) pick(profile string) (action, tea.Cmd) {
	p.side.profile, p.side.chosen = profile, true
	return goTo(p.next), nil
}

// refresh resolves the profiles again (after `aws sso login`, say), except the one
// chosen on the other side, which later steps use.
func (p *profilePage) refresh() tea.Cmd {
	other := p.other()
	kept := map[string]accountResult{}
	if res, ok := p.s.accounts[other.profile]; ok && other.chosen {
		kept[other.profile] = res
	}
	p.s.profiles, p.s.accounts = nil, kept
	return p.enter(false)
}

func (p *profilePage) afterMove() tea.Cmd {
	p.placed = false // the user moved the cursor: it stays where they put it
	if it, ok := p.list.selected(); ok {
		if _, known := p.s.accounts[it.value]; !known {
			return p.s.due(taskIdentity, it.value)
		}
	}
	return nil
}

const profileInfoLines = 5

func (p *profilePage) setSize(width, height int) {
	p.list.resize(width, max(3, height-1-profileInfoLines))
}

func (p *profilePage) setTheme(th Theme) { p.list.filter.SetStyles(th.Input) }

func (p *profilePage) keyHelp() help.KeyMap { return p.s.listHelp() }

func (p *profilePage) typing() bool { return p.list.editing }

func (p *profilePage) view() string {
	th := p.s.theme
	title := "Source: which AWS profile owns the bucket to replicate?"
	if p.side.side == steps.DestinationSide {
		title = "Destination: which AWS profile owns the bucket that receives the replicas?"
	}
	head := th.Heading.Render(title)
	switch {
	case p.s.profiles == nil:
		return head + "\n" + p.s.spinnerLine("reading the profiles of your AWS config and credentials files…")
	case p.s.profiles.err != nil:
		return head + "\n" + renderError(th, p.s.profiles.err, p.s.width)
	}
	if warning := p.s.deps.ProfileWarning; warning != "" && p.side.side == steps.SourceSide {
		head += "\n" + wrapText(th.Warning.Render("warning: ")+warning, p.s.width)
	}
	info := p.info()
	var intro string
	if p.side.side == steps.SourceSide && p.s.deps.Intro != "" {
		intro = "\n\n" + th.Advice.Render(wrapText(p.s.deps.Intro, p.s.width))
	}
	// the list gives up rows for what is said of the highlighted profile, so that an
	// error and its fix are shown whole
	list := p.list
	if room := p.s.height - lineCount(head) - lineCount(info) - lineCount(intro) + 1; room < list.height {
		list.resize(p.s.width, max(3, room))
	}
	return head + "\n" + list.render(th) + "\n" + info + intro
}

// info says what is known of the highlighted profile: its account, or why it
// cannot be used and what to do.
func (p *profilePage) info() string {
	th := p.s.theme
	it, ok := p.list.selected()
	if !ok {
		return ""
	}
	res, known := p.s.accounts[it.value]
	switch {
	case p.s.tasks.isRunning(slot{taskIdentity, it.value}):
		return "\n" + p.s.spinnerLine("resolving "+it.title+"…")
	case !known:
		return ""
	case res.err != nil:
		return "\n" + renderError(th, res.err, p.s.width)
	}
	return "\n" + th.OK.Render("✓ ") + "account " + res.id.AccountID + th.Muted.Render("  "+res.id.ARN)
}
