package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Step 3: the KMS key that encrypts the replicas.

const pageReplicaKey pageID = "replica-key"

const newKMSKeyValue = "\x00new-key"

type replicaKeyPage struct {
	s    *shared
	list picker
	// moved is set once the user moves the cursor on the page: then the cursor no
	// longer follows the destination bucket's key.
	moved bool
}

func newReplicaKeyPage(s *shared) page {
	return &replicaKeyPage{s: s, list: newPicker("alias or key id")}
}

var kmsKeysSlot = slot{kind: taskKMSKeys}

func (p *replicaKeyPage) listRef() kmsKeyListRef {
	return kmsKeyListRef{p.s.destination.profile, p.s.region}
}

func (p *replicaKeyPage) enter(bool) tea.Cmd {
	p.moved = false // r keeps the cursor; coming to the page places it
	return p.load()
}

// load lists the keys unless known. The cursor starts on the key the destination
// bucket uses, which may still be unread if the bucket was chosen quickly.
func (p *replicaKeyPage) load() tea.Cmd {
	var summary tea.Cmd
	if !p.s.newBucket {
		summary = p.s.readSummaryOnEntry(&p.s.destination)
	}
	if _, ok := p.s.kmsKeyLists[p.listRef()]; ok {
		p.refreshItems()
		return summary
	}
	if p.s.tasks.isRunning(kmsKeysSlot) {
		return summary
	}
	ctx, id := p.s.tasks.start(kmsKeysSlot, p.s.current)
	dest := p.s.accounts[p.s.destination.profile]
	return tea.Batch(summary, listKMSKeys(ctx, id, dest.acc, p.listRef(), dest.id.AccountID))
}

func (p *replicaKeyPage) update(msg tea.Msg) (action, tea.Cmd) {
	switch msg := msg.(type) {
	case kmsKeysMsg:
		if p.s.tasks.finish(msg.task) {
			p.s.kmsKeyLists[msg.ref] = kmsKeysResult{choices: msg.choices, err: msg.err}
			p.refreshItems()
		}
		return stay, nil
	case summaryMsg:
		if p.s.storeSummary(msg) && msg.ref == (bucketRef{p.s.destination.profile, p.s.destination.bucket.Name}) &&
			!p.moved && p.s.replicaKey.ref == "" && !p.s.replicaKey.create {
			p.selectBucketKey()
		}
		return stay, nil
	}
	return p.s.listUpdate(&p.list, p, msg)
}

func (p *replicaKeyPage) refreshItems() {
	items := []pickItem{newPickItem(newKMSKeyValue, "+ create a new key", "symmetric, customer managed, with an alias you choose", "")}
	for _, c := range p.s.kmsKeyChoices() {
		items = append(items, newPickItem(kmsKeyValue(c.Key), c.Label(), kmsKeyDetail(c), c.Problem))
	}
	p.list.setItems(items)
	switch {
	case p.s.replicaKey.create:
		p.list.selectValue(newKMSKeyValue)
	case p.s.replicaKey.ref != "":
		p.list.selectValue(p.s.replicaKey.ref)
	case !p.moved:
		p.selectBucketKey()
	}
}

// shortID shows the start of a key id, enough to tell keys apart.
func shortID(id string) string {
	if len(id) <= 13 {
		return id
	}
	return id[:8] + "…"
}

func kmsKeyValue(k awsops.KeyInfo) string {
	if k.ARN != "" {
		return k.ARN
	}
	return k.KeyID
}

func kmsKeyDetail(c steps.KeyChoice) string {
	var parts []string
	if len(c.Key.Aliases) > 1 {
		parts = append(parts, strings.Join(c.Key.Aliases[1:], ", "))
	}
	if len(c.Key.Aliases) > 0 {
		parts = append(parts, "key "+shortID(c.Key.KeyID))
	}
	if c.Key.MultiRegion {
		parts = append(parts, "multi-Region "+strings.ToLower(c.Key.MultiRegionRole))
	}
	parts = append(parts, c.Key.Description)
	return joinNonEmpty(" · ", parts...)
}

// selectBucketKey puts the cursor on the key an existing destination bucket already
// encrypts with, when it is usable.
func (p *replicaKeyPage) selectBucketKey() {
	sum, ok := p.s.summaries[bucketRef{p.s.destination.profile, p.s.destination.bucket.Name}]
	ref := sum.summary.Encryption.KMSKeyID
	if !ok || ref == "" || p.s.newBucket {
		return
	}
	for _, c := range p.s.kmsKeyChoices() {
		if c.Usable() && (c.Key.ARN == ref || c.Key.KeyID == shortKey(ref) || slices.Contains(c.Key.Aliases, ref)) {
			p.list.selectValue(kmsKeyValue(c.Key))
			return
		}
	}
}

func (p *replicaKeyPage) choose() (action, tea.Cmd) {
	it, ok := p.list.selected()
	switch {
	case !ok || p.s.tasks.isRunning(kmsKeysSlot):
		return stay, nil
	case it.value == newKMSKeyValue:
		return goTo(pageKeyAlias), nil
	case it.reason != "":
		return notice(it.title + " cannot be the replica key: " + it.reason), nil
	}
	p.s.replicaKey = replicaKeyChoice{ref: it.value, label: it.title}
	return goTo(pageRule), nil
}

func (p *replicaKeyPage) refresh() tea.Cmd {
	delete(p.s.kmsKeyLists, p.listRef())
	return p.load()
}

func (p *replicaKeyPage) afterMove() tea.Cmd {
	p.moved = true
	return nil
}

func (p *replicaKeyPage) setSize(width, height int) { p.list.resize(width, max(3, height-2)) }

func (p *replicaKeyPage) setTheme(th Theme) { p.list.filter.SetStyles(th.Input) }

func (p *replicaKeyPage) keyHelp() help.KeyMap { return p.s.listHelp() }

func (p *replicaKeyPage) typing() bool { return p.list.editing }

func (p *replicaKeyPage) view() string {
	th := p.s.theme
	title := th.Heading.Render("Replica key in "+p.s.region) + th.Muted.Render(" · "+p.s.whoLine(&p.s.destination))
	res, ok := p.s.kmsKeyLists[p.listRef()]
	switch {
	case !ok:
		return title + "\n" + p.s.spinnerLine("listing the KMS keys of "+p.s.region+"…")
	case res.err != nil:
		return title + "\n" + renderError(th, res.err, p.s.width) + "\n\n" + th.Muted.Render("r try again · esc back")
	}
	intro := "Replicas are encrypted with this key."
	if p.list.hasUnusable() {
		intro += " Keys marked " + strings.TrimSpace(unusableMark) + " cannot be used, for the reason shown."
	}
	head := title + "\n" + th.Muted.Render(wrapText(intro, p.s.width))
	return head + "\n" + listWithin(p.list, th, p.s.width, p.s.height-lineCount(head))
}
