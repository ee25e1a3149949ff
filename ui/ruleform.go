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
	scopeWhole  = "whole bucket"
	scopePrefix = "prefix"
	scopeTags   = "tags"
	sameClass   = "same as source"
)

type formField struct {
	id      string
	label   string
	explain string
	kind    fieldKind
	options []string
	choice  int
	on      bool
	input   textinput.Model
	// locked says why the value cannot change now, "" when it can.
	locked string
}

func (f formField) value() string {
	switch f.kind {
	case fieldChoice:
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
}

func newRuleForm() ruleForm {
	text := func(placeholder string) textinput.Model {
		in := textinput.New()
		in.Prompt = ""
		in.Placeholder = placeholder
		in.CharLimit = 1024
		return in
	}
	return ruleForm{defaults: map[string]string{}, fields: []formField{
		{id: fScope, label: "Scope", kind: fieldChoice, options: []string{scopeWhole, scopePrefix, scopeTags},
			explain: "Which objects replicate: the whole bucket, those under a prefix, or those carrying given tags."},
		{id: fPrefix, label: "Prefix", kind: fieldText, input: text("logs/"),
			explain: "Only keys that begin with this prefix replicate, e.g. logs/."},
		{id: fTags, label: "Tags", kind: fieldText, input: text("team=data, class=backup"),
			explain: "Only objects carrying all these tags replicate: key=value pairs separated by commas."},
		{id: fStorage, label: "Storage class", kind: fieldChoice, options: append([]string{sameClass}, steps.StorageClasses...),
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
		return scope == scopePrefix
	case fTags:
		return scope == scopeTags
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
	if f.field(fScope).value() == scopeTags {
		dm.on, dm.locked = false, "S3 does not allow delete-marker replication with a tag filter"
	}
	if f.field(fRTC).on {
		metrics.on, metrics.locked = true, "Replication Time Control needs metrics"
	}
}

func (f *ruleForm) current() *formField { return &f.fields[f.cursor] }

// move goes to the next visible field in direction, focusing text inputs.
func (f *ruleForm) move(direction int) tea.Cmd {
	for i := f.cursor + direction; i >= 0 && i < len(f.fields); i += direction {
		if f.visible(i) {
			f.current().input.Blur()
			f.cursor = i
			return f.focus()
		}
	}
	return nil
}

func (f *ruleForm) focus() tea.Cmd {
	if c := f.current(); c.kind == fieldText {
		return c.input.Focus()
	}
	return nil
}

func (f *ruleForm) blur() { f.current().input.Blur() }

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

// typing reports whether keys go to a text input.
func (f *ruleForm) typing() bool { return f.current().kind == fieldText }

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
	switch f.field(fScope).value() {
	case scopePrefix:
		r.Prefix = f.field(fPrefix).value()
		if r.Prefix == "" {
			problems = append(problems, "Prefix is empty: type one, or choose the whole bucket as scope")
		}
	case scopeTags:
		tags, why := parseTags(f.field(fTags).value())
		if why != "" {
			problems = append(problems, "Tags: "+why)
		}
		r.Tags = tags
	}
	if class := f.field(fStorage).value(); class != sameClass {
		r.StorageClass = class
	}
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

const labelWidth = 22

// inlineExplanations reports whether each option's explanation fits beside it; on
// narrower screens only the selected option's shows, below the form.
func inlineExplanations(width int) bool { return width >= 100 }

// valueWidth is the width of the value column.
func valueWidth(width int) int {
	if inlineExplanations(width) {
		return 34
	}
	return max(16, width-labelWidth-2)
}

// render draws the form, then the selected option's explanation and any problems.
func (f ruleForm) render(th Theme, width int) string {
	var lines []string
	inline := inlineExplanations(width)
	for i, field := range f.fields {
		if !f.visible(i) {
			continue
		}
		lines = append(lines, f.renderField(th, field, i == f.cursor, inline, width))
	}
	c := f.fields[f.cursor]
	lines = append(lines, "", th.Muted.Render(wrapText(c.explain, width)))
	if c.locked != "" {
		lines = append(lines, th.Warning.Render(wrapText("fixed: "+c.locked, width)))
	}
	for _, p := range f.problems {
		lines = append(lines, th.Error.Render("✗ ")+wrapText(p, width-2))
	}
	return strings.Join(lines, "\n")
}

func (f ruleForm) renderField(th Theme, field formField, selected, inline bool, width int) string {
	marker, label := "  ", th.Label
	if selected {
		marker, label = th.Cursor.Render("› "), th.Selected
	}
	value := fieldValue(th, field, selected, valueWidth(width))
	line := marker + label.Render(fmt.Sprintf("%-*s", labelWidth-2, field.label)) + value
	if inline {
		pad := max(1, valueWidth(width)-ansi.StringWidth(value))
		room := width - labelWidth - valueWidth(width) - 2
		line += strings.Repeat(" ", pad) + th.Muted.Render(ansi.Truncate(field.explain, room, "…"))
	}
	return ansi.Truncate(line, width, "…")
}

func fieldValue(th Theme, field formField, selected bool, width int) string {
	switch field.kind {
	case fieldChoice:
		if selected {
			return "‹ " + field.value() + " ›"
		}
		return field.value()
	case fieldToggle:
		box := "[ ] off"
		if field.on {
			box = "[x] on"
		}
		if field.locked != "" {
			return th.Muted.Render(box + " (fixed)")
		}
		return box
	}
	if selected {
		field.input.SetWidth(width - 2)
		return field.input.View()
	}
	if v := field.input.Value(); v != "" {
		return ansi.Truncate(v, width-2, "…")
	}
	return th.Muted.Render("(empty)")
}
