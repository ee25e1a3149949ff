package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Steps 1 and 2: the bucket of each side, with a panel on the highlighted one.

const (
	pageSourceBucket pageID = "source-bucket"
	pageDestBucket   pageID = "destination-bucket"
)

const newBucketValue = "\x00new-bucket"

type bucketPage struct {
	s    *shared
	side *sideChoice
	list picker
}

func newSourceBucketPage(s *shared) page {
	return &bucketPage{s: s, side: &s.source, list: newPicker("bucket name")}
}

func newDestBucketPage(s *shared) page {
	return &bucketPage{s: s, side: &s.destination, list: newPicker("bucket name")}
}

func (p *bucketPage) isSource() bool { return p.side.side == steps.SourceSide }

func (p *bucketPage) listSlot() slot { return slot{taskBuckets, p.side.profile} }

func (p *bucketPage) enter(bool) tea.Cmd {
	res, known := p.s.buckets[p.side.profile]
	if known {
		p.refreshItems()
	}
	if p.s.tasks.isRunning(p.listSlot()) || (known && !res.more) {
		return p.loadHighlightedSummary()
	}
	// the first page, or the rest of a listing that leaving the page stopped
	ctx, id := p.s.tasks.start(p.listSlot(), p.s.current)
	var from *steps.BucketBatch
	if known {
		from = &res.last
	}
	return tea.Batch(listBuckets(ctx, id, p.s.accounts[p.side.profile].acc, p.side.side, from), p.loadHighlightedSummary())
}

func (p *bucketPage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case bucketsMsg:
		return only(p.onBuckets(msg))
	case summaryMsg:
		if !p.s.storeSummary(msg) {
			return stay, nil
		}
		return only(p.readKeyAliases(msg.summary))
	case kmsKeysMsg:
		if p.s.tasks.finish(msg.task) {
			p.s.kmsKeyLists[msg.ref] = kmsKeysResult{choices: msg.choices, err: msg.err}
		}
		return stay, nil
	case dueMsg:
		if it, ok := p.list.selected(); ok && msg.what == taskSummary && it.value == msg.value {
			return only(p.loadSummary(msg.value))
		}
		return stay, nil
	}
	return p.s.listUpdate(&p.list, p, msg)
}

// onBuckets keeps a page of buckets, shows what is listed so far and asks for the
// next page: the first page is on screen while the others load.
func (p *bucketPage) onBuckets(msg bucketsMsg) tea.Cmd {
	if !p.s.tasks.current(msg.task) {
		return nil
	}
	res := p.s.buckets[msg.profile]
	if msg.err != nil {
		p.s.tasks.finish(msg.task)
		p.s.buckets[msg.profile] = bucketsResult{err: msg.err}
		return nil
	}
	res.buckets = append(res.buckets, msg.batch.Buckets...)
	res.more, res.last = !msg.batch.Done, msg.batch
	p.s.buckets[msg.profile] = res
	var next tea.Cmd
	if res.more {
		next = listBuckets(msg.ctx, msg.task, p.s.accounts[msg.profile].acc, p.side.side, &res.last)
	} else {
		p.s.tasks.finish(msg.task)
	}
	first := len(res.buckets) == len(msg.batch.Buckets)
	if p.side.chosen && p.side.profile == msg.profile {
		p.refreshItems()
	}
	if first {
		return tea.Batch(next, p.loadHighlightedSummary())
	}
	return next
}

// loadingNote is the running count while pages are still being listed.
func (p *bucketPage) loadingNote() string {
	if res := p.s.buckets[p.side.profile]; res.more {
		return plural(len(res.buckets), "bucket") + "… loading"
	}
	return ""
}

func (p *bucketPage) refreshItems() {
	all := p.s.buckets[p.side.profile].buckets
	if p.isSource() {
		items := make([]pickItem, len(all))
		for i, b := range all {
			items[i] = newPickItem(b.Name, b.Name, b.Region, "")
		}
		p.list.setItems(items)
		p.list.note = p.loadingNote()
		p.list.selectValue(p.side.bucket.Name)
		return
	}
	items := []pickItem{newPickItem(newBucketValue, "+ new bucket in "+p.s.region, "s3repl creates it", "")}
	for _, b := range steps.BucketsIn(all, p.s.region) {
		reason := ""
		if b.Name == p.s.source.bucket.Name {
			reason = "the source bucket"
		}
		items = append(items, newPickItem(b.Name, b.Name, "", reason))
	}
	p.list.setItems(items)
	p.list.note = joinNonEmpty(" · ", p.loadingNote(), p.otherRegionsNote())
	if p.s.newBucket {
		p.list.selectValue(newBucketValue)
	} else {
		p.list.selectValue(p.side.bucket.Name)
	}
}

func (p *bucketPage) loadHighlightedSummary() tea.Cmd {
	if it, ok := p.list.selected(); ok && it.value != newBucketValue {
		return p.loadSummary(it.value)
	}
	return nil
}

func (p *bucketPage) bucketRegion(name string) string {
	for _, b := range p.s.buckets[p.side.profile].buckets {
		if b.Name == name {
			return b.Region
		}
	}
	return ""
}

// loadSummary reads a bucket's summary unless it is known or being read; the read of
// a bucket the cursor has left is cancelled.
func (p *bucketPage) loadSummary(bucket string) tea.Cmd {
	return p.s.readSummary(p.side, bucket, p.bucketRegion(bucket), true)
}

func (p *bucketPage) afterMove() tea.Cmd {
	if it, ok := p.list.selected(); ok && it.value != newBucketValue {
		return p.s.due(taskSummary, it.value)
	}
	return nil
}

func (p *bucketPage) refresh() tea.Cmd {
	p.s.tasks.cancelSlot(p.listSlot())
	delete(p.s.buckets, p.side.profile)
	p.s.summaries = map[bucketRef]summaryResult{}
	return p.enter(false)
}

func (p *bucketPage) choose() (action, tea.Cmd) {
	it, ok := p.list.selected()
	if _, listed := p.s.buckets[p.side.profile]; !ok || !listed {
		return stay, nil // enter does not choose from what the page no longer shows
	}
	if p.isSource() {
		p.side.bucket = awsops.BucketSummary{Name: it.value, Region: p.bucketRegion(it.value)}
		return goTo(pageDestProfile), nil
	}
	switch {
	case it.value == newBucketValue:
		return goTo(pageNewBucket), nil
	case it.reason != "":
		return notice(it.title + " is " + it.reason + ": choose another bucket"), nil
	}
	if it.value != p.side.bucket.Name || p.s.newBucket {
		p.s.replicaKey = replicaKeyChoice{} // the key list starts on the new bucket's key
	}
	p.side.bucket = awsops.BucketSummary{Name: it.value, Region: p.s.region}
	p.s.newBucket = false
	return goTo(pageReplicaKey), nil
}

const wideLayout = 100 // from this width the side panel sits beside the list

func (p *bucketPage) setSize(width, height int) {
	if width >= wideLayout {
		p.list.resize(width*11/20, height-2)
		return
	}
	p.list.resize(width, max(3, height-2-narrowPanelHeight(height)))
}

func narrowPanelHeight(height int) int {
	if height < 14 {
		return 0
	}
	return 8
}

func (p *bucketPage) setTheme(th Theme) { p.list.filter.SetStyles(th.Input) }

func (p *bucketPage) keyHelp() help.KeyMap { return p.s.listHelp() }

func (p *bucketPage) typing() bool { return p.list.editing }

func (p *bucketPage) view() string {
	th := p.s.theme
	who := p.s.whoLine(p.side)
	var title string
	if p.isSource() {
		title = th.Heading.Render("Source bucket") + th.Muted.Render(" · "+who)
	} else {
		title = th.Heading.Render("Destination bucket in "+p.s.region) + th.Muted.Render(" · "+who)
	}
	res, loaded := p.s.buckets[p.side.profile]
	switch {
	case !loaded:
		return title + "\n" + p.s.spinnerLine("listing the buckets of "+profileLabel(p.side.profile)+"…")
	case res.err != nil:
		return title + "\n" + renderError(th, res.err, p.s.width) + "\n\n" + th.Muted.Render("r try again · esc choose another profile")
	case len(res.buckets) == 0 && res.more:
		return title + "\n" + p.s.spinnerLine("listing the buckets of "+profileLabel(p.side.profile)+"…")
	case len(res.buckets) == 0 && p.isSource():
		return title + "\n" + wrapText("This account has no buckets. Create the bucket to replicate first, or press esc to choose another profile.", p.s.width)
	}
	list := p.list.render(th)
	panel := p.highlightedPanel()
	if p.s.width >= wideLayout {
		return title + "\n" + lipgloss.JoinHorizontal(lipgloss.Top, padLines(list, p.list.width), " ", panel)
	}
	return title + "\n" + list + "\n" + panel
}

func (p *bucketPage) otherRegionsNote() string {
	all := p.s.buckets[p.side.profile].buckets
	other := len(all) - len(steps.BucketsIn(all, p.s.region))
	if other == 0 {
		return ""
	}
	return plural(other, "bucket") + " in other Regions not shown"
}

func (p *bucketPage) highlightedPanel() string {
	th, body := p.s.theme, p.s.height
	width, height := p.s.width-p.list.width-1, body-1 // beside the list
	if p.s.width < wideLayout {
		width, height = p.s.width, narrowPanelHeight(body)
	}
	if height < 3 {
		return ""
	}
	it, ok := p.list.selected()
	if !ok {
		return bucketPanel(th, nil, "", width, height)
	}
	if it.value == newBucketValue {
		return boxed(th, newBucketLines(th, p.s.region), width, height)
	}
	ref := bucketRef{p.side.profile, it.value}
	res, known := p.s.summaries[ref]
	switch {
	case known:
		res.keyAlias = p.keyAlias(res.summary)
		return bucketPanel(th, &res, "", width, height)
	case p.s.tasks.isRunning(summarySlot(ref)):
		return bucketPanel(th, nil, p.s.spinnerLine("reading "+it.value+"…"), width, height)
	}
	return bucketPanel(th, nil, "", width, height)
}

// keyAliasesOf is the slot of the listing of a Region's keys that names a bucket's
// default key by its alias; the replica key page's listing has a slot of its own.
func keyAliasesOf(ref kmsKeyListRef) slot {
	return slot{taskKMSKeys, "aliases " + ref.profile + "/" + ref.region}
}

// readKeyAliases lists the keys of a bucket's Region once, when the bucket encrypts
// with a KMS key S3 names by ARN, so that the panel shows the key by its alias.
func (p *bucketPage) readKeyAliases(sum steps.BucketSummary) tea.Cmd {
	key := sum.Encryption.KMSKeyID
	if key == "" || strings.HasPrefix(shortKey(key), "alias/") {
		return nil
	}
	ref := kmsKeyListRef{p.side.profile, sum.Region}
	if _, known := p.s.kmsKeyLists[ref]; known || p.s.tasks.isRunning(keyAliasesOf(ref)) {
		return nil
	}
	ctx, id := p.s.tasks.start(keyAliasesOf(ref), p.s.current)
	who := p.s.accounts[p.side.profile]
	return listKMSKeys(ctx, id, who.acc, ref, who.id.AccountID)
}

// keyAlias is the first alias of the bucket's default key, if known.
func (p *bucketPage) keyAlias(sum steps.BucketSummary) string {
	key := sum.Encryption.KMSKeyID
	if key == "" {
		return ""
	}
	for _, c := range p.s.kmsKeyLists[kmsKeyListRef{p.side.profile, sum.Region}].choices {
		if (c.Key.ARN == key || c.Key.KeyID == shortKey(key)) && len(c.Key.Aliases) > 0 {
			return c.Key.Aliases[0]
		}
	}
	return ""
}

func newBucketLines(th Theme, region string) []string {
	return []string{
		th.PanelTitle.Render("A new bucket in " + region),
		"s3repl creates it with:",
		"  • versioning enabled",
		"  • SSE-KMS default encryption with the replica key",
		"  • S3 Bucket Keys on",
		"  • bucket-owner-enforced object ownership",
	}
}
