package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/steps"
)

// Steps 2 to 4: a new destination bucket's name, the replica key, the rule options.

const newKeyValue = "\x00new-key"

func (w *Wizard) enterNewBucket() tea.Cmd {
	if w.dest.newName.Value() == "" {
		w.dest.newName.SetValue(suggestBucketName(w.src.bucket.Name))
		w.dest.newName.CursorEnd()
	}
	return tea.Batch(w.dest.newName.Focus(), w.nameChanged())
}

func suggestBucketName(source string) string {
	const suffix = "-replica"
	return strings.TrimRight(source[:min(len(source), 63-len(suffix))], ".-") + suffix
}

// localNameProblem is what is wrong with the new bucket name without asking AWS.
func (w *Wizard) localNameProblem(name string) string {
	return steps.NewBucketNameProblem(name, w.src.bucket.Name, w.buckets[w.dst.profile].buckets)
}

// nameChanged forgets the last availability answer and asks again once typing rests.
func (w *Wizard) nameChanged() tea.Cmd {
	name := w.dest.newName.Value()
	if w.dest.check.name == name && (w.dest.check.done || w.tasks.isRunning("name")) {
		return nil
	}
	w.dest.check, w.dest.submitted = nameCheck{name: name}, false
	w.tasks.cancelSlot("name")
	if w.localNameProblem(name) != "" {
		return nil
	}
	return due("name", name)
}

func (w *Wizard) checkName(name string) tea.Cmd {
	if w.screen != scrDestNewBucket || w.dest.newName.Value() != name || w.dest.check.done || w.tasks.isRunning("name") {
		return nil
	}
	ctx, id := w.tasks.start("name", w.screen)
	return checkNameTaken(ctx, id, w.accounts[w.dst.profile].acc, name)
}

func (w *Wizard) onNameTaken(msg nameTakenMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) || msg.name != w.dest.newName.Value() {
		return nil
	}
	w.dest.check = nameCheck{name: msg.name, problem: msg.problem, err: msg.err, done: true}
	if w.dest.submitted {
		return w.submitNewBucket()
	}
	return nil
}

func (w *Wizard) submitNewBucket() tea.Cmd {
	name := w.dest.newName.Value()
	check := w.dest.check
	switch local := w.localNameProblem(name); {
	case local != "":
		w.notice = "the name " + local
		return nil
	case !check.done:
		w.dest.submitted = true // goes on when the answer comes
		return w.checkName(name)
	case check.problem != "":
		w.notice = name + " " + check.problem
		return nil
	}
	w.dest.submitted = false
	w.dst.bucket = awsops.BucketSummary{Name: name, Region: w.dest.region}
	w.dest.newBucket = true
	return w.goTo(scrKey)
}

func (w *Wizard) newBucketBody() string {
	th := w.theme
	title := th.Heading.Render("New destination bucket in "+w.dest.region) + th.Muted.Render(" · "+w.whoLine(&w.dst))
	name := w.dest.newName.Value()
	var verdict string
	switch check, local := w.dest.check, w.localNameProblem(name); {
	case local != "":
		verdict = th.Error.Render("✗ ") + "the name " + local
	case w.tasks.isRunning("name"):
		verdict = w.spinnerLine("asking S3 whether the name is taken…")
	case !check.done:
		verdict = th.Muted.Render("…")
	case check.err != nil:
		verdict = th.Warning.Render("! could not check whether the name is free; the plan will tell") + "\n" + renderError(th, check.err, w.width)
	case check.problem != "":
		verdict = th.Error.Render("✗ ") + name + " " + check.problem
	default:
		verdict = th.OK.Render("✓ ") + name + " is free"
	}
	return title + "\n\n" + w.dest.newName.View() + "\n" + verdict + "\n\n" +
		strings.Join(newBucketLines(th, w.dest.region)[1:], "\n")
}

func (w *Wizard) enterKeys() tea.Cmd {
	// The cursor starts on the key the destination bucket uses, which may still be
	// unread if the bucket was chosen quickly.
	var summary tea.Cmd
	if !w.dest.newBucket {
		summary = w.readSummaryOnEntry(&w.dst)
	}
	k := keysKey{w.dst.profile, w.dest.region}
	if _, ok := w.keyLists[k]; ok {
		w.refreshKeyItems()
		return summary
	}
	if w.tasks.isRunning("keys") {
		return summary
	}
	ctx, id := w.tasks.start("keys", w.screen)
	return tea.Batch(summary, listKeys(ctx, id, w.accounts[w.dst.profile].acc, k, w.accounts[w.dst.profile].id.AccountID))
}

func (w *Wizard) onKeys(msg keysMsg) tea.Cmd {
	if !w.tasks.finish(msg.task) {
		return nil
	}
	w.keyLists[msg.key] = keysResult{choices: msg.choices, err: msg.err}
	w.refreshKeyItems()
	return nil
}

func (w *Wizard) keyChoices() []steps.KeyChoice {
	return w.keyLists[keysKey{w.dst.profile, w.dest.region}].choices
}

func (w *Wizard) refreshKeyItems() {
	items := []pickItem{newPickItem(newKeyValue, "+ create a new key", "symmetric, customer managed, with an alias you choose", "")}
	for _, c := range w.keyChoices() {
		items = append(items, newPickItem(keyValue(c.Key), c.Label(), keyDetail(c), c.Problem))
	}
	w.key.keys.setItems(items)
	switch {
	case w.key.create:
		w.key.keys.selectValue(newKeyValue)
	case w.key.ref != "":
		w.key.keys.selectValue(w.key.ref)
	case !w.key.moved:
		w.selectBucketKey()
	}
}

// shortID shows the start of a key id, enough to tell keys apart.
func shortID(id string) string {
	if len(id) <= 13 {
		return id
	}
	return id[:8] + "…"
}

func keyValue(k awsops.KeyInfo) string {
	if k.ARN != "" {
		return k.ARN
	}
	return k.KeyID
}

func keyDetail(c steps.KeyChoice) string {
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
func (w *Wizard) selectBucketKey() {
	sum, ok := w.summaries[summaryKey{w.dst.profile, w.dst.bucket.Name}]
	ref := sum.summary.Encryption.KMSKeyID
	if !ok || ref == "" || w.dest.newBucket {
		return
	}
	for _, c := range w.keyChoices() {
		if c.Usable() && (c.Key.ARN == ref || c.Key.KeyID == shortKey(ref) || slices.Contains(c.Key.Aliases, ref)) {
			w.key.keys.selectValue(keyValue(c.Key))
			return
		}
	}
}

func (w *Wizard) chooseKey() tea.Cmd {
	it, ok := w.key.keys.selected()
	switch {
	case !ok || w.listing("keys"):
		return nil
	case it.value == newKeyValue:
		return w.goTo(scrKeyAlias)
	case it.reason != "":
		w.notice = it.title + " cannot be the replica key: " + it.reason
		return nil
	}
	w.key.ref, w.key.label, w.key.create = it.value, it.title, false
	return w.goTo(scrRule)
}

func (w *Wizard) keysBody() string {
	th := w.theme
	title := th.Heading.Render("Replica key in "+w.dest.region) + th.Muted.Render(" · "+w.whoLine(&w.dst))
	res, ok := w.keyLists[keysKey{w.dst.profile, w.dest.region}]
	switch {
	case !ok:
		return title + "\n" + w.spinnerLine("listing the KMS keys of "+w.dest.region+"…")
	case res.err != nil:
		return title + "\n" + renderError(th, res.err, w.width) + "\n\n" + th.Muted.Render("r try again · esc back")
	}
	note := th.Muted.Render("Replicas are encrypted with this key. Greyed keys cannot be used, for the reason shown.")
	return title + "\n" + note + "\n" + w.key.keys.render(th)
}

func (w *Wizard) enterAlias() tea.Cmd {
	if w.key.alias.Value() == "" {
		w.key.alias.SetValue("alias/s3repl-" + strings.ReplaceAll(w.dst.bucket.Name, ".", "-"))
		w.key.alias.CursorEnd()
	}
	return w.key.alias.Focus()
}

func (w *Wizard) submitAlias() tea.Cmd {
	alias := w.key.alias.Value()
	if why := steps.NewAliasProblem(alias, w.keyChoices()); why != "" {
		w.notice = alias + ": " + why
		return nil
	}
	w.key.ref, w.key.label, w.key.create = alias, alias+" (new)", true
	return w.goTo(scrRule)
}

func (w *Wizard) aliasBody() string {
	th := w.theme
	title := th.Heading.Render("New replica key in "+w.dest.region) + th.Muted.Render(" · "+w.whoLine(&w.dst))
	alias := w.key.alias.Value()
	verdict := th.OK.Render("✓ ") + alias + " is free"
	if why := steps.NewAliasProblem(alias, w.keyChoices()); why != "" {
		verdict = th.Error.Render("✗ ") + why
	}
	about := "s3repl creates a symmetric, customer managed key in " + w.dest.region + " with this alias. " +
		"Its key policy keeps the account's administrators in control and lets the replication role encrypt with it."
	return title + "\n\n" + w.key.alias.View() + "\n" + verdict + "\n\n" + th.Muted.Render(wrapText(about, w.width))
}

func (w *Wizard) enterRule() tea.Cmd {
	w.proposeRuleDefaults()
	// The role proposed depends on the source bucket's replication, which may still
	// be unread if the bucket was chosen quickly.
	return tea.Batch(w.rule.focus(), w.readSummaryOnEntry(&w.src))
}

// readSummaryOnEntry reads the summary of the side's chosen bucket for the screen just
// entered, unless it is known: leaving the bucket list cancelled its read.
func (w *Wizard) readSummaryOnEntry(s *sidePicks) tea.Cmd {
	return w.readSummary(s, s.bucket.Name, s.bucket.Region, false)
}

// proposeRuleDefaults fills the rule form's defaults, keeping what the user changed.
func (w *Wizard) proposeRuleDefaults() {
	base := w.baseSetup()
	role := base.RoleName()
	if sum, ok := w.summaries[summaryKey{w.src.profile, w.src.bucket.Name}]; ok && sum.summary.ReplicationRole != "" {
		role = steps.RoleNameOf(sum.summary.ReplicationRole) // S3 allows one role per bucket
	}
	cross := w.accounts[w.src.profile].id.AccountID != w.accounts[w.dst.profile].id.AccountID
	w.rule.setDefaults(role, base.RuleID(), cross)
}

// baseSetup is the setup the choices of steps 1 to 3 make.
func (w *Wizard) baseSetup() steps.Setup {
	return steps.Setup{
		Source: steps.SourceSetup{Profile: w.src.profile, Region: w.src.bucket.Region, Bucket: w.src.bucket.Name},
		Destination: steps.DestinationSetup{
			Profile: w.dst.profile, Region: w.dest.region, Bucket: w.dst.bucket.Name,
			CreateBucket: w.dest.newBucket, KMSKey: w.key.ref, CreateKey: w.key.create,
		},
	}
}

func (w *Wizard) ruleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := w.keys
	switch {
	case key.Matches(msg, k.TypingUp) || !w.rule.typing() && key.Matches(msg, k.Up):
		return w.rule.move(-1)
	case key.Matches(msg, k.TypingDown) || !w.rule.typing() && key.Matches(msg, k.Down):
		return w.rule.move(1)
	case key.Matches(msg, k.Choose):
		return w.submitRule()
	case key.Matches(msg, k.Back):
		return w.goTo(w.screen.back())
	case w.rule.typing():
		return w.typeText(msg)
	case key.Matches(msg, k.Previous):
		w.rule.change(-1)
	case key.Matches(msg, k.Toggle):
		w.rule.change(1)
	}
	return nil
}

// submitRule checks the options and goes on to the review.
func (w *Wizard) submitRule() tea.Cmd {
	setup := w.baseSetup()
	problems := w.rule.fill(&setup)
	if len(problems) == 0 {
		if err := setup.Validate(); err != nil {
			problems = []string{err.Error()}
		}
	}
	w.rule.problems = problems
	if len(problems) > 0 {
		return nil
	}
	w.review.setup = setup
	return w.goTo(scrReview)
}

func (w *Wizard) ruleBody() string {
	title := w.theme.Heading.Render("Replication rule") + w.theme.Muted.Render(" · the defaults suit most setups; enter to review the changes")
	return title + "\n" + w.rule.render(w.theme, w.width)
}
