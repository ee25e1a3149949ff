package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Steps 1 and 2: the profile and bucket of each side, and the destination Region.

const newBucketValue = "\x00new-bucket"

func (w *Wizard) side() *sidePicks {
	if w.screen <= scrSourceBucket {
		return &w.src
	}
	return &w.dst
}

func (w *Wizard) enterProfiles(s *sidePicks) tea.Cmd {
	s.pending = nil
	if w.profiles == nil {
		if w.tasks.isRunning("profiles") {
			return nil
		}
		_, id := w.tasks.start("profiles", w.screen)
		return listProfiles(id, w.deps.Profiles)
	}
	return w.showProfiles(true)
}

func (w *Wizard) onProfiles(msg profilesMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) {
		return nil
	}
	firstList := len(w.src.profiles.items) == 0 // not a refresh: place the cursors
	w.profiles = &msg
	return w.showProfiles(firstList)
}

// showProfiles fills both profile lists, and with placeCursors puts each cursor where
// the list starts: on the chosen profile, else for the source on the one the caller
// suggests and for the destination on a profile other than the source's. Otherwise
// the cursors stay where the user left them.
func (w *Wizard) showProfiles(placeCursors bool) tea.Cmd {
	w.refreshProfileItems()
	if placeCursors {
		for _, s := range []*sidePicks{&w.src, &w.dst} {
			if s.chosen {
				s.profiles.selectValue(s.profile)
			}
		}
		if !w.src.chosen {
			w.src.profiles.selectValue(w.deps.SourceProfile)
		}
		if !w.dst.chosen {
			selectFirstOther(&w.dst.profiles, w.src.profile)
		}
	}
	return w.resolveHighlighted()
}

// profileNames are the profiles to offer; the default credential chain when the
// shared files name none.
func (w *Wizard) profileNames() []string {
	if w.profiles == nil || w.profiles.err != nil {
		return nil
	}
	if len(w.profiles.profiles) == 0 {
		return []string{""}
	}
	return w.profiles.profiles
}

func (w *Wizard) refreshProfileItems() {
	for _, s := range []*sidePicks{&w.src, &w.dst} {
		var items []pickItem
		for _, name := range w.profileNames() {
			title := name
			if name == "" {
				title = "(default credentials)"
			}
			items = append(items, newPickItem(name, title, w.profileDetail(s, name), ""))
		}
		s.profiles.setItems(items) // keeps the cursor on its profile
	}
}

func (w *Wizard) profileDetail(s *sidePicks, profile string) string {
	same := ""
	if s.side == steps.DestinationSide && w.src.chosen && profile == w.src.profile {
		same = "same as source"
	}
	res, known := w.accounts[profile]
	switch {
	case w.tasks.isRunning("identity:" + profile):
		return joinNonEmpty(" · ", "resolving…", same)
	case !known:
		return same
	case res.err != nil:
		return "✗ " + awsops.KindOf(res.err).String()
	}
	return joinNonEmpty(" · ", "account "+res.id.AccountID, same)
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

func (w *Wizard) resolveHighlighted() tea.Cmd {
	p := w.currentPicker()
	if p == nil {
		return nil
	}
	if it, ok := p.selected(); ok {
		return w.resolve(it.value)
	}
	return nil
}

// resolve opens the profile's account and asks who it is, unless that is known or
// under way.
func (w *Wizard) resolve(profile string) tea.Cmd {
	slot := "identity:" + profile
	if _, known := w.accounts[profile]; known || w.tasks.isRunning(slot) {
		return nil
	}
	ctx, id := w.tasks.start(slot, w.screen)
	w.refreshProfileItems()
	return openAccount(ctx, id, w.deps.Open, profile, w.side().side)
}

func (w *Wizard) onIdentity(msg identityMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) {
		return nil
	}
	w.accounts[msg.profile] = accountResult{acc: msg.acc, id: msg.id, err: msg.err}
	w.refreshProfileItems()
	s := w.side()
	if (w.screen == scrSourceProfile || w.screen == scrDestProfile) && s.pending != nil && *s.pending == msg.profile {
		s.pending = nil
		if msg.err == nil {
			return w.pickProfile(s, msg.profile)
		}
	}
	return nil
}

func (w *Wizard) chooseProfile(s *sidePicks) tea.Cmd {
	it, ok := s.profiles.selected()
	if !ok {
		return nil
	}
	if res, known := w.accounts[it.value]; known && res.err == nil {
		return w.pickProfile(s, it.value)
	}
	delete(w.accounts, it.value) // a failed lookup is tried again
	profile := it.value
	s.pending = &profile
	return w.resolve(profile)
}

func (w *Wizard) pickProfile(s *sidePicks, profile string) tea.Cmd {
	s.profile, s.chosen = profile, true
	if s.side == steps.SourceSide {
		return w.goTo(scrSourceBucket)
	}
	return w.goTo(scrDestRegion)
}

func (w *Wizard) profilesBody(s *sidePicks) string {
	th := w.theme
	title := "Source: which AWS profile owns the bucket to replicate?"
	if s.side == steps.DestinationSide {
		title = "Destination: which AWS profile owns the bucket that receives the replicas?"
	}
	head := th.Heading.Render(title)
	switch {
	case w.profiles == nil:
		return head + "\n" + w.spinnerLine("reading the profiles of your AWS config and credentials files…")
	case w.profiles.err != nil:
		return head + "\n" + renderError(th, w.profiles.err, w.width)
	}
	body := head + "\n" + s.profiles.render(th) + "\n" + w.profileInfo(s)
	if s.side == steps.SourceSide && w.deps.Intro != "" {
		body += "\n\n" + th.Advice.Render(wrapText(w.deps.Intro, w.width))
	}
	return body
}

// profileInfo says what is known of the highlighted profile: its account, or why
// it cannot be used and what to do.
func (w *Wizard) profileInfo(s *sidePicks) string {
	th := w.theme
	it, ok := s.profiles.selected()
	if !ok {
		return ""
	}
	res, known := w.accounts[it.value]
	switch {
	case w.tasks.isRunning("identity:" + it.value):
		return "\n" + w.spinnerLine("resolving "+it.title+"…")
	case !known:
		return ""
	case res.err != nil:
		return "\n" + renderError(th, res.err, w.width)
	}
	return "\n" + th.OK.Render("✓ ") + "account " + res.id.AccountID + th.Muted.Render("  "+res.id.ARN)
}

func (w *Wizard) enterBuckets(s *sidePicks) tea.Cmd {
	if _, ok := w.buckets[s.profile]; ok {
		w.refreshBucketItems(s)
		return w.loadHighlightedSummary()
	}
	slot := "buckets:" + s.profile
	if w.tasks.isRunning(slot) {
		return nil
	}
	ctx, id := w.tasks.start(slot, w.screen)
	return listBuckets(ctx, id, w.accounts[s.profile].acc, s.side)
}

func (w *Wizard) onBuckets(msg bucketsMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) {
		return nil
	}
	w.buckets[msg.profile] = bucketsResult{buckets: msg.buckets, err: msg.err}
	for _, s := range []*sidePicks{&w.src, &w.dst} {
		if s.chosen && s.profile == msg.profile {
			w.refreshBucketItems(s)
		}
	}
	return w.loadHighlightedSummary()
}

func (w *Wizard) refreshBucketItems(s *sidePicks) {
	all := w.buckets[s.profile].buckets
	if s.side == steps.SourceSide {
		items := make([]pickItem, len(all))
		for i, b := range all {
			items[i] = newPickItem(b.Name, b.Name, b.Region, "")
		}
		s.buckets.setItems(items)
		s.buckets.selectValue(s.bucket.Name)
		return
	}
	items := []pickItem{newPickItem(newBucketValue, "+ new bucket in "+w.dest.region, "s3repl creates it", "")}
	for _, b := range steps.BucketsIn(all, w.dest.region) {
		reason := ""
		if b.Name == w.src.bucket.Name {
			reason = "the source bucket"
		}
		items = append(items, newPickItem(b.Name, b.Name, "", reason))
	}
	s.buckets.setItems(items)
	s.buckets.note = w.otherRegionsNote(s)
	if w.dest.newBucket {
		s.buckets.selectValue(newBucketValue)
	} else {
		s.buckets.selectValue(s.bucket.Name)
	}
}

func (w *Wizard) loadHighlightedSummary() tea.Cmd {
	if it, ok := w.side().buckets.selected(); ok && it.value != newBucketValue {
		return w.loadSummary(it.value)
	}
	return nil
}

func (w *Wizard) bucketRegion(s *sidePicks, name string) string {
	for _, b := range w.buckets[s.profile].buckets {
		if b.Name == name {
			return b.Region
		}
	}
	return ""
}

// loadSummary reads a bucket's summary unless it is known or being read; the read of
// a bucket the cursor has left is cancelled.
func (w *Wizard) loadSummary(bucket string) tea.Cmd {
	s := w.side()
	return w.readSummary(s, bucket, w.bucketRegion(s, bucket), true)
}

// readSummary reads a bucket's summary for the screen unless it is known or being
// read; cancelOthers cancels the reads of other buckets first.
func (w *Wizard) readSummary(s *sidePicks, bucket, region string, cancelOthers bool) tea.Cmd {
	key := summaryKey{s.profile, bucket}
	if _, known := w.summaries[key]; known || w.tasks.isRunning(summarySlot(key)) {
		return nil
	}
	if cancelOthers {
		w.tasks.cancelPrefix(summarySlots)
	}
	ctx, id := w.tasks.start(summarySlot(key), w.screen)
	return summarize(ctx, id, w.accounts[s.profile].acc, s.side, key, region)
}

func (w *Wizard) onSummary(msg summaryMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) {
		return nil
	}
	w.summaries[msg.key] = summaryResult{summary: msg.summary, err: msg.err}
	switch {
	case w.screen == scrRule && msg.key == (summaryKey{w.src.profile, w.src.bucket.Name}):
		w.proposeRuleDefaults()
	case w.screen == scrKey && msg.key == (summaryKey{w.dst.profile, w.dst.bucket.Name}) &&
		!w.key.moved && w.key.ref == "" && !w.key.create:
		w.selectBucketKey()
	}
	return nil
}

func (w *Wizard) chooseSourceBucket() tea.Cmd {
	it, ok := w.src.buckets.selected()
	if !ok || w.listing("buckets:"+w.src.profile) {
		return nil
	}
	w.src.bucket = awsops.BucketSummary{Name: it.value, Region: w.bucketRegion(&w.src, it.value)}
	return w.goTo(scrDestProfile)
}

func (w *Wizard) chooseDestBucket() tea.Cmd {
	it, ok := w.dst.buckets.selected()
	switch {
	case !ok || w.listing("buckets:"+w.dst.profile):
		return nil
	case it.value == newBucketValue:
		return w.goTo(scrDestNewBucket)
	case it.reason != "":
		w.notice = it.title + " is " + it.reason + ": choose another bucket"
		return nil
	}
	if it.value != w.dst.bucket.Name || w.dest.newBucket {
		w.key.ref, w.key.create = "", false // the key list starts on the new bucket's key
	}
	w.dst.bucket = awsops.BucketSummary{Name: it.value, Region: w.dest.region}
	w.dest.newBucket = false
	return w.goTo(scrKey)
}

func (w *Wizard) bucketsBody(s *sidePicks) string {
	th := w.theme
	who := w.whoLine(s)
	var title string
	if s.side == steps.SourceSide {
		title = th.Heading.Render("Source bucket") + th.Muted.Render(" · "+who)
	} else {
		title = th.Heading.Render("Destination bucket in "+w.dest.region) + th.Muted.Render(" · "+who)
	}
	res, loaded := w.buckets[s.profile]
	switch {
	case !loaded:
		return title + "\n" + w.spinnerLine("listing the buckets of "+profileLabel(s.profile)+"…")
	case res.err != nil:
		return title + "\n" + renderError(th, res.err, w.width) + "\n\n" + th.Muted.Render("r try again · esc choose another profile")
	case len(res.buckets) == 0 && s.side == steps.SourceSide:
		return title + "\n" + "This account has no buckets. Create the bucket to replicate first, or press esc to choose another profile."
	}
	list := s.buckets.render(th)
	panel := w.highlightedPanel(s)
	if w.width >= wideLayout {
		return title + "\n" + lipgloss.JoinHorizontal(lipgloss.Top, padLines(list, s.buckets.width), " ", panel)
	}
	return title + "\n" + list + "\n" + panel
}

func (w *Wizard) whoLine(s *sidePicks) string {
	if id := w.accounts[s.profile].id.AccountID; id != "" {
		return profileLabel(s.profile) + " · account " + id
	}
	return profileLabel(s.profile)
}

func (w *Wizard) otherRegionsNote(s *sidePicks) string {
	all := w.buckets[s.profile].buckets
	other := len(all) - len(steps.BucketsIn(all, w.dest.region))
	if other == 0 {
		return ""
	}
	return plural(other, "bucket") + " in other Regions not shown"
}

func (w *Wizard) highlightedPanel(s *sidePicks) string {
	body := w.bodyHeight()
	width, height := w.width-s.buckets.width-1, body-1 // beside the list
	if w.width < wideLayout {
		width, height = w.width, w.narrowPanelHeight(body)
	}
	if height < 3 {
		return ""
	}
	it, ok := s.buckets.selected()
	if !ok {
		return bucketPanel(w.theme, nil, "", width, height)
	}
	if it.value == newBucketValue {
		return boxed(w.theme, newBucketLines(w.theme, w.dest.region), width, height)
	}
	res, known := w.summaries[summaryKey{s.profile, it.value}]
	switch {
	case known:
		return bucketPanel(w.theme, &res, "", width, height)
	case w.tasks.isRunning(summarySlot(summaryKey{s.profile, it.value})):
		return bucketPanel(w.theme, nil, w.spinnerLine("reading "+it.value+"…"), width, height)
	}
	return bucketPanel(w.theme, nil, "", width, height)
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

func (w *Wizard) enterRegions() tea.Cmd {
	if _, ok := w.regions[w.dst.profile]; ok {
		w.refreshRegionItems()
		return nil
	}
	slot := "regions:" + w.dst.profile
	if w.tasks.isRunning(slot) {
		return nil
	}
	ctx, id := w.tasks.start(slot, w.screen)
	return listRegions(ctx, id, w.accounts[w.dst.profile].acc)
}

func (w *Wizard) onRegions(msg regionsMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) {
		return nil
	}
	w.regions[msg.profile] = regionsResult{list: msg.list, err: msg.err}
	w.refreshRegionItems()
	return nil
}

func (w *Wizard) refreshRegionItems() {
	res := w.regions[w.dst.profile]
	home := steps.ProfileRegion(w.accounts[w.dst.profile].acc)
	items := make([]pickItem, len(res.list.Regions))
	for i, r := range res.list.Regions {
		var notes []string
		if r == w.src.bucket.Region {
			notes = append(notes, "the source bucket's Region (same-Region replication)")
		}
		if r == home {
			notes = append(notes, "the profile's Region")
		}
		items[i] = newPickItem(r, r, strings.Join(notes, " · "), "")
	}
	w.dest.regions.setItems(items)
	switch {
	case w.dest.region != "":
		w.dest.regions.selectValue(w.dest.region)
	case home != "" && home != w.src.bucket.Region:
		w.dest.regions.selectValue(home)
	default:
		selectFirstOther(&w.dest.regions, w.src.bucket.Region)
	}
}

func (w *Wizard) chooseRegion() tea.Cmd {
	it, ok := w.dest.regions.selected()
	if !ok || w.listing("regions:"+w.dst.profile) {
		return nil
	}
	if w.dest.region != it.value {
		w.dest.region = it.value
		w.dst.bucket = awsops.BucketSummary{}
		w.key.ref, w.key.create = "", false
	}
	return w.goTo(scrDestBucket)
}

func (w *Wizard) regionsBody() string {
	th := w.theme
	title := th.Heading.Render("Destination Region: where the replicas are stored")
	res, ok := w.regions[w.dst.profile]
	switch {
	case !ok:
		return title + "\n" + w.spinnerLine("listing the Regions of "+profileLabel(w.dst.profile)+"…")
	case res.err != nil:
		return title + "\n" + renderError(th, res.err, w.width)
	}
	note := "the Regions enabled for account " + w.accounts[w.dst.profile].id.AccountID
	if !res.list.Live {
		note = res.list.Note
	}
	return title + "\n" + th.Muted.Render(note) + "\n" + w.dest.regions.render(th)
}
