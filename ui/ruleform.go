package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/steps"
)

type fieldKind int

const (
	fieldChoice fieldKind = iota
	fieldToggle
	fieldText
)

// Field ids of the rule form.
const (
	fScope        = "scope"
	fPrefix       = "prefix"
	fTags         = "tags"
	fStorage      = "storage"
	fDeleteMarker = "deleteMarkers"
	fReplicaMods  = "replicaModifications"
	fRTC          = "replicationTime"
	fMetrics      = "metrics"
	fOwner        = "ownerOverride"
	fRole         = "role"
	fRuleID       = "ruleID"
)

const (
	scopeWhole      = "whole bucket"
	scopePrefix     = "prefix"
	scopeTags       = "tags"
	scopePrefixTags = "prefix and tags"
	sameClass       = "same as source"
	// sourceKeyField begins the id of a further source key's row.
	sourceKeyField = "sourceKey:"
)

// scopeHas reports whether the scope filters by prefix, or by tags.
func scopeHas(scope, part string) bool { return scope == part || scope == scopePrefixTags }

type formField struct {
	id      string
	label   string
	explain string
	kind    fieldKind
	options []string // a choice's options as shown
	values  []string // what each option puts in the setup; nil: the options themselves
	choice  int
	on      bool
	input   textinput.Model
	// locked says why the value cannot change now, "" when it can.
	locked string
	// ref is the key ARN of a further source key's row (source.kmsKeys).
	ref string
}

func (f formField) value() string {
	switch f.kind {
	case fieldChoice:
		if f.values != nil {
			return f.values[f.choice]
		}
		return f.options[f.choice]
	case fieldToggle:
		return onOff(f.on)
	}
	return f.input.Value()
}

// ruleForm holds the rule options. Defaults fill text fields the user has not
// edited, so going back and changing a bucket updates them.
type ruleForm struct {
	fields   []formField
	cursor   int
	defaults map[string]string
	problems []string
	// editing is whether the text row under the cursor has the keyboard; before is
	// its value when the edit began, which esc puts back.
	editing bool
	before  string
}

func newRuleForm() ruleForm {
	// The example is in brackets so that without colour it does not read as a value.
	text := func(example string) textinput.Model {
		in := textinput.New()
		in.Prompt = ""
		in.Placeholder = "(e.g. " + example + ")"
		in.CharLimit = 1024
		return in
	}
	classNames, classValues := []string{sameClass}, []string{""}
	for _, c := range steps.ReplicaStorageClasses {
		classNames, classValues = append(classNames, c.Name), append(classValues, c.Value)
	}
	return ruleForm{defaults: map[string]string{}, fields: []formField{
		{id: fScope, label: "Scope", kind: fieldChoice, options: []string{scopeWhole, scopePrefix, scopeTags, scopePrefixTags},
			explain: "Which objects replicate: the whole bucket, those under a prefix, those carrying given tags, or those under a prefix that carry the tags."},
		{id: fPrefix, label: "Prefix", kind: fieldText, input: text("logs/"),
			explain: "Only keys that begin with this prefix replicate, e.g. logs/."},
		{id: fTags, label: "Tags", kind: fieldText, input: text("team=data, class=backup"),
			explain: "Only objects carrying all these tags replicate: key=value pairs separated by commas."},
		{id: fStorage, label: "Storage class", kind: fieldChoice, options: classNames, values: classValues,
			explain: "Storage class of the replicas; \"same as source\" keeps each object's class."},
		{id: fDeleteMarker, label: "Delete markers", kind: fieldToggle,
			explain: "Replicate delete markers, so a delete in the source hides the replica too (versions are never deleted)."},
		{id: fReplicaMods, label: "Replica mod sync", kind: fieldToggle,
			explain: "Sync metadata changes made on replicas back to the source (for two-way replication)."},
		{id: fRTC, label: "Time Control (RTC)", kind: fieldToggle,
			explain: "Replication Time Control: 99.99% of objects within 15 minutes, billed extra; turns metrics on."},
		{id: fMetrics, label: "Metrics", kind: fieldToggle,
			explain: "CloudWatch replication metrics and failure events (billed); they tell why an object failed."},
		{id: fOwner, label: "Owner override", kind: fieldToggle,
			explain: "Make the destination account the owner of the replicas; recommended across accounts."},
		{id: fRole, label: "Role", kind: fieldText, input: text("s3repl-SOURCE"),
			explain: "The IAM role in the source account that S3 assumes to replicate: a name (created, or extended if it exists), or an existing role's ARN."},
		{id: fRuleID, label: "Rule ID", kind: fieldText, input: text("s3repl-DESTINATION"),
			explain: "Name of the replication rule; the bucket's other rules are kept as they are."},
	}}
}

func (f *ruleForm) field(id string) *formField {
	for i := range f.fields {
		if f.fields[i].id == id {
			return &f.fields[i]
		}
	}
	panic("ruleForm: no field " + id)
}

func (f *ruleForm) visible(i int) bool {
	scope := f.field(fScope).value()
	switch f.fields[i].id {
	case fPrefix:
		return scopeHas(scope, scopePrefix)
	case fTags:
		return scopeHas(scope, scopeTags)
	}
	return true
}

// setDefaults fills in defaults, keeping what the user typed or changed.
func (f *ruleForm) setDefaults(role, ruleID string, crossAccount bool) {
	for id, value := range map[string]string{fRole: role, fRuleID: ruleID} {
		in := &f.field(id).input
		if in.Value() == "" || in.Value() == f.defaults[id] {
			in.SetValue(value)
			in.CursorEnd() // SetValue keeps the cursor where the last value had it
		}
		f.defaults[id] = value
	}
	owner := onOff(crossAccount)
	if prev, ok := f.defaults[fOwner]; !ok || prev == f.field(fOwner).value() {
		f.field(fOwner).on = crossAccount
	}
	f.defaults[fOwner] = owner
	f.applyLocks()
}

// applyLocks enforces the rules between options: no delete markers with tags, and
// RTC needs metrics.
func (f *ruleForm) applyLocks() {
	dm, metrics := f.field(fDeleteMarker), f.field(fMetrics)
	dm.locked, metrics.locked = "", ""
	if scopeHas(f.field(fScope).value(), scopeTags) {
		dm.on, dm.locked = false, "S3 does not allow delete-marker replication with a tag filter"
	}
	if f.field(fRTC).on {
		metrics.on, metrics.locked = true, "Replication Time Control needs metrics"
	}
}

func (f *ruleForm) current() *formField { return &f.fields[f.cursor] }

// move goes to the next visible field in direction, ending an edit: moving is
// never typing.
func (f *ruleForm) move(direction int) {
	for i := f.cursor + direction; i >= 0 && i < len(f.fields); i += direction {
		if f.visible(i) {
			f.commitEdit()
			f.cursor = i
			return
		}
	}
}

// moveTo goes to the first (direction -1) or last (1) visible field.
func (f *ruleForm) moveTo(direction int) {
	for range f.fields {
		before := f.cursor
		f.move(direction)
		if f.cursor == before {
			return
		}
	}
}

// onText reports whether the cursor is on a text row.
func (f *ruleForm) onText() bool { return f.current().kind == fieldText }

// startEdit gives the text row under the cursor the keyboard.
func (f *ruleForm) startEdit() tea.Cmd {
	c := f.current()
	f.editing, f.before = true, c.input.Value()
	c.input.CursorEnd()
	return c.input.Focus()
}

// commitEdit keeps what was typed.
func (f *ruleForm) commitEdit() {
	f.editing = false
	f.current().input.Blur()
}

// cancelEdit puts back the value the edit began with.
func (f *ruleForm) cancelEdit() {
	c := f.current()
	c.input.SetValue(f.before)
	c.input.CursorEnd()
	f.commitEdit()
	f.problems = nil
}

func (f *ruleForm) blur() { f.commitEdit() }

// lastVisible reports whether the cursor is on the last row shown.
func (f *ruleForm) lastVisible() bool {
	for i := f.cursor + 1; i < len(f.fields); i++ {
		if f.visible(i) {
			return false
		}
	}
	return true
}

// change cycles a choice or flips a toggle; direction is -1 for left.
func (f *ruleForm) change(direction int) {
	c := f.current()
	if c.locked != "" {
		return
	}
	switch c.kind {
	case fieldChoice:
		c.choice = (c.choice + direction + len(c.options)) % len(c.options)
	case fieldToggle:
		c.on = !c.on
	}
	f.applyLocks()
	f.problems = nil
}

// typing reports whether keys go to a text input: only while a row is edited.
func (f *ruleForm) typing() bool { return f.editing }

func (f *ruleForm) updateInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	c := f.current()
	c.input, cmd = c.input.Update(msg)
	f.problems = nil
	return cmd
}

// fill puts the options into the setup and returns what is wrong with them.
func (f *ruleForm) fill(s *steps.Setup) []string {
	var problems []string
	r := steps.RuleSetup{ID: strings.TrimSpace(f.field(fRuleID).value())}
	scope := f.field(fScope).value()
	if scopeHas(scope, scopePrefix) {
		r.Prefix = f.field(fPrefix).value()
		if r.Prefix == "" {
			problems = append(problems, "Prefix is empty: type one (enter on the Prefix row), or choose another scope")
		}
	}
	if scopeHas(scope, scopeTags) {
		tags, why := parseTags(f.field(fTags).value())
		if why != "" {
			problems = append(problems, "Tags: "+why)
		}
		r.Tags = tags
	}
	r.StorageClass = f.field(fStorage).value()
	s.Source.KMSKeys = f.sourceKeys()
	r.DeleteMarkers = f.field(fDeleteMarker).on
	r.ReplicaModifications = f.field(fReplicaMods).on
	r.ReplicationTime = f.field(fRTC).on
	r.Metrics = f.field(fMetrics).on
	owner := f.field(fOwner).on
	r.OwnerOverride = &owner
	s.Rule = r
	s.Role = roleSetup(f.field(fRole).value())
	return problems
}

// roleSetup reads the role field: an ARN names an existing role, anything else a
// role's name.
func roleSetup(value string) steps.RoleSetup {
	value = strings.TrimSpace(value)
	if strings.HasPrefix(value, "arn:") {
		return steps.RoleSetup{ARN: value}
	}
	return steps.RoleSetup{Name: value}
}

func parseTags(text string) (map[string]string, string) {
	tags := map[string]string{}
	for pair := range strings.SplitSeq(text, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Sprintf("%q is not key=value", strings.TrimSpace(pair))
		}
		tags[k] = strings.TrimSpace(v)
	}
	if len(tags) == 0 {
		return nil, "give at least one key=value, or choose another scope"
	}
	return tags, ""
}

// sourceKeys are the further source keys whose rows are on: source.kmsKeys.
func (f *ruleForm) sourceKeys() []string {
	var keys []string
	for _, field := range f.fields {
		if field.ref != "" && field.on {
			keys = append(keys, field.ref)
		}
	}
	return keys
}

// setSourceKeys offers a row per key the sampled objects are encrypted with, other
// than the bucket's default, before the role's row; a key offered before keeps its
// choice.
func (f *ruleForm) setSourceKeys(found []steps.ObjectKey) {
	was := map[string]bool{}
	var kept []formField
	for _, field := range f.fields {
		if field.ref != "" {
			was[field.ref] = field.on
			continue
		}
		kept = append(kept, field)
	}
	cur := f.current().id
	var rows []formField
	for _, k := range found {
		on, known := was[k.ARN]
		if !known {
			on = true // the objects fail without it
		}
		rows = append(rows, formField{
			id: sourceKeyField + k.ARN, ref: k.ARN, label: "Also decrypt", kind: fieldToggle, on: on,
			explain: fmt.Sprintf("%s in the rule's scope %s encrypted with key %s, not the bucket's default key: "+
				"S3 replicates them only if the role may decrypt with that key. On: s3repl grants it (source.kmsKeys in the setup file).",
				plural(k.Objects, "sampled object version"), isOrAre(k.Objects), k.ARN),
		})
	}
	at := len(kept)
	for i, field := range kept {
		if field.id == fRole {
			at = i
		}
	}
	f.fields = append(append(kept[:at:at], rows...), kept[at:]...)
	f.cursor = min(f.cursor, at+len(rows)) // a key row gone: the role's row, or the one that took its place
	for i, field := range f.fields {
		if field.id == cur {
			f.cursor = i
		}
	}
}

func isOrAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

const labelWidth = 22

// render draws the form in height lines at most, then the selected option's
// explanation, whole, any problems and extra (notes of the page): explanations are
// never cut, so only the selected one shows, and when the rows do not all fit they
// scroll around the cursor under a line that counts the ones hidden.
func (f ruleForm) render(th Theme, width, height int, extra ...string) string {
	bottom := f.bottom(th, width, extra)
	var rows []string
	at := 0
	for i, field := range f.fields {
		if !f.visible(i) {
			continue
		}
		if i == f.cursor {
			at = len(rows)
		}
		rows = append(rows, f.renderField(th, field, i == f.cursor, width))
	}
	room := max(3, height-lineCount(bottom))
	if len(rows) > room {
		room-- // the line that counts the hidden rows
		start := max(0, min(at-room/2, len(rows)-room))
		count := fmt.Sprintf("  rows %d–%d of %d", start+1, start+room, len(rows))
		if start > 0 {
			count += fmt.Sprintf(" · ↑ %d above", start)
		}
		if below := len(rows) - start - room; below > 0 {
			count += fmt.Sprintf(" · ↓ %d below", below)
		}
		rows = append(rows[start:start+room:start+room], th.Muted.Render(count))
	}
	if len(rows)+1+lineCount(bottom) <= height {
		rows = append(rows, "") // room to set the explanation apart
	}
	return strings.Join(rows, "\n") + "\n" + bottom
}

// bottom is what goes under the rows: problems, the selected option whole, and extra.
func (f ruleForm) bottom(th Theme, width int, extra []string) string {
	var lines []string
	for _, p := range f.problems {
		lines = append(lines, th.Error.Render("✗ ")+indent(wrapText(p, width-2), "  ")[2:])
	}
	c := f.fields[f.cursor]
	explain := c.explain
	if c.kind == fieldText && !f.editing {
		explain += " Enter to edit."
	}
	if v := c.input.Value(); c.kind == fieldText && !f.editing && ansi.StringWidth(v) > max(16, width-labelWidth-2) {
		lines = append(lines, wrapText(c.label+": "+v, width))
	}
	lines = append(lines, th.Muted.Render(wrapText(c.label+": "+explain, width)))
	if c.locked != "" {
		lines = append(lines, th.Warning.Render(wrapText("fixed: "+c.locked, width)))
	}
	return strings.Join(append(lines, extra...), "\n")
}

func (f ruleForm) renderField(th Theme, field formField, selected bool, width int) string {
	marker, label := "  ", th.Label
	if selected {
		marker, label = th.Cursor.Render("› "), th.Selected
	}
	value := fieldValue(th, field, selected, selected && f.editing, max(16, width-labelWidth-2))
	return marker + label.Render(fmt.Sprintf("%-*s", labelWidth-2, field.label)) + value
}

// fieldValue is a row's value; a text row's input only while it is edited. An
// empty text shows as "(empty)", never as an example that could read as a value.
func fieldValue(th Theme, field formField, selected, editing bool, width int) string {
	switch field.kind {
	case fieldChoice:
		if selected {
			return "‹ " + field.options[field.choice] + " ›"
		}
		return field.options[field.choice]
	case fieldToggle:
		box := "[ ] off"
		if field.on {
			box = "[x] on"
		}
		if field.ref != "" {
			box += "  key " + ansi.Truncate(shortKey(field.ref), max(8, width-10), "…")
		}
		if field.locked != "" {
			return th.Muted.Render(box + " (fixed)")
		}
		return box
	}
	if editing {
		field.input.SetWidth(width - 2)
		return field.input.View()
	}
	if v := field.input.Value(); v != "" {
		return ansi.Truncate(v, width, "…") // the selected row's is shown whole below
	}
	return th.Muted.Render("(empty)")
}
