package ui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Step 2: the Region of the destination.

const pageDestRegion pageID = "destination-region"

type regionPage struct {
	s    *shared
	list picker
}

func newRegionPage(s *shared) page { return &regionPage{s: s, list: newPicker("Region")} }

func (p *regionPage) profile() string { return p.s.destination.profile }

func (p *regionPage) enter(bool) tea.Cmd {
	if _, ok := p.s.regions[p.profile()]; ok {
		p.refreshItems()
		return nil
	}
	sl := slot{taskRegions, p.profile()}
	if p.s.tasks.isRunning(sl) {
		return nil
	}
	ctx, id := p.s.tasks.start(sl, p.s.current)
	return listRegions(ctx, id, p.s.accounts[p.profile()].acc)
}

func (p *regionPage) update(msg tea.Msg) (action, tea.Cmd) {
	if msg, ok := msg.(regionsMsg); ok {
		if p.s.tasks.finish(msg.task) {
			p.s.regions[msg.profile] = regionsResult{list: msg.list, err: msg.err}
			p.refreshItems()
		}
		return stay, nil
	}
	return p.s.listUpdate(&p.list, p, msg)
}

func (p *regionPage) refreshItems() {
	res := p.s.regions[p.profile()]
	home := steps.ProfileRegion(p.s.accounts[p.profile()].acc)
	sourceRegion := p.s.source.bucket.Region
	items := make([]pickItem, len(res.list.Regions))
	for i, r := range res.list.Regions {
		notes := []string{steps.RegionName(r)}
		if r == sourceRegion {
			notes = append(notes, "same Region as the source bucket")
		}
		if r == home {
			notes = append(notes, "the profile's Region")
		}
		items[i] = newPickItem(r, r, joinNonEmpty(" · ", notes...), "")
	}
	p.list.setItems(items)
	switch {
	case p.s.region != "":
		p.list.selectValue(p.s.region)
	case home != "" && home != sourceRegion:
		p.list.selectValue(home)
	default:
		selectFirstOther(&p.list, sourceRegion)
	}
}

func (p *regionPage) choose() (action, tea.Cmd) {
	it, ok := p.list.selected()
	if !ok || p.s.tasks.isRunning(slot{taskRegions, p.profile()}) {
		return stay, nil
	}
	if p.s.region != it.value {
		p.s.region = it.value
		p.s.destination.bucket = awsops.BucketSummary{}
		p.s.replicaKey.ref, p.s.replicaKey.create = "", false
	}
	return goTo(pageDestBucket), nil
}

func (p *regionPage) refresh() tea.Cmd {
	delete(p.s.regions, p.profile())
	return p.enter(false)
}

func (p *regionPage) afterMove() tea.Cmd { return nil }

func (p *regionPage) setSize(width, height int) { p.list.resize(width, max(3, height-2)) }

func (p *regionPage) setTheme(th Theme) { p.list.filter.SetStyles(th.Input) }

func (p *regionPage) keyHelp() help.KeyMap { return p.s.listHelp() }

func (p *regionPage) typing() bool { return p.list.editing }

func (p *regionPage) view() string {
	th := p.s.theme
	title := th.Heading.Render("Destination Region: where the replicas are stored")
	res, ok := p.s.regions[p.profile()]
	switch {
	case !ok:
		return title + "\n" + p.s.spinnerLine("listing the Regions of "+profileLabel(p.profile())+"…")
	case res.err != nil:
		return title + "\n" + renderError(th, res.err, p.s.width)
	}
	note := "the Regions enabled for account " + p.s.accounts[p.profile()].id.AccountID
	if !res.list.Live {
		note = res.list.Note
	}
	head := title + "\n" + th.Muted.Render(wrapText(note, p.s.width))
	return head + "\n" + listWithin(p.list, th, p.s.width, p.s.height-lineCount(head))
}
