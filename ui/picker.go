package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	"github.com/charmbracelet/x/ansi"
)

// pickItem is one row of a picker.
type pickItem struct {
	value  string
	title  string
	detail string
	// reason says why the item cannot be chosen; it shows greyed with the reason.
	reason string
	// haystack is what the filter searches, lowercased once.
	haystack string
}

func newPickItem(value, title, detail, reason string) pickItem {
	return pickItem{value: value, title: title, detail: detail, reason: reason,
		haystack: strings.ToLower(title + " " + detail)}
}

// picker is a filterable list that renders only the rows in view, so its cost per
// keystroke and per frame does not grow with the number of items. It is a dumb
// component: the wizard feeds it keys and asks it to render.
type picker struct {
	items   []pickItem
	shown   []int // indices into items that match the filter
	cursor  int   // index into shown
	offset  int   // first row in view
	width   int
	height  int
	filter  textinput.Model
	term    string
	editing bool // the filter has the keyboard
	// note follows the count line, e.g. what the list leaves out.
	note string
}

func newPicker(placeholder string) picker {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = placeholder
	return picker{filter: in, width: 80, height: 12}
}

// setItems replaces the items, keeping the filter and, when it is still there, the
// selected value.
func (p *picker) setItems(items []pickItem) {
	keep, _ := p.selected()
	p.items = items
	p.term = "\x00" // forces a full refilter
	p.refilter()
	p.selectValue(keep.value)
}

// refilter applies the filter text. A term that extends the last one only narrows
// what is shown, so typing a name costs less with every key.
func (p *picker) refilter() {
	term := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	if term == p.term {
		return
	}
	candidates := p.shown
	if p.term == "\x00" || !strings.HasPrefix(term, p.term) {
		candidates = nil
	}
	p.shown = matching(p.items, candidates, term)
	p.term = term
	p.cursor, p.offset = 0, 0
}

func matching(items []pickItem, candidates []int, term string) []int {
	var out []int
	if candidates == nil {
		out = make([]int, 0, len(items))
		for i := range items {
			if term == "" || strings.Contains(items[i].haystack, term) {
				out = append(out, i)
			}
		}
		return out
	}
	for _, i := range candidates {
		if strings.Contains(items[i].haystack, term) {
			out = append(out, i)
		}
	}
	return out
}

func (p *picker) selected() (pickItem, bool) {
	if p.cursor < 0 || p.cursor >= len(p.shown) {
		return pickItem{}, false
	}
	return p.items[p.shown[p.cursor]], true
}

// selectValue moves the cursor to the item with value, if shown.
func (p *picker) selectValue(value string) {
	for i, idx := range p.shown {
		if p.items[idx].value == value {
			p.cursor = i
			p.scrollIntoView()
			return
		}
	}
}

func (p *picker) move(delta int) {
	if len(p.shown) == 0 {
		return
	}
	p.cursor = min(max(p.cursor+delta, 0), len(p.shown)-1)
	p.scrollIntoView()
}

func (p *picker) page(direction int) { p.move(direction * max(1, p.rows()-1)) }

func (p *picker) scrollIntoView() {
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if rows := p.rows(); p.cursor >= p.offset+rows {
		p.offset = p.cursor - rows + 1
	}
}

// resize fits the picker into width x height cells.
func (p *picker) resize(width, height int) {
	p.width, p.height = width, height
	p.filter.SetWidth(max(10, width-4))
	p.scrollIntoView()
}

// rows is how many items are in view: the height less the filter and count lines.
func (p *picker) rows() int {
	header := 0
	if p.showsFilter() {
		header = 1
	}
	return max(1, p.height-header-1)
}

func (p *picker) showsFilter() bool { return p.editing || p.filter.Value() != "" }

func (p *picker) startFilter() {
	p.editing = true
	p.filter.Focus()
}

// stopFilter gives the keyboard back to the list; clear also empties the filter.
func (p *picker) stopFilter(clear bool) {
	p.editing = false
	p.filter.Blur()
	if clear {
		p.filter.SetValue("")
		p.refilter()
	}
}

// render draws the filter line, the rows in view and a count line.
func (p picker) render(th Theme) string {
	var b strings.Builder
	if p.showsFilter() {
		b.WriteString(p.filter.View() + "\n")
	}
	rows := p.rows()
	end := min(p.offset+rows, len(p.shown))
	titleWidth := p.titleWidth(end)
	for i := p.offset; i < end; i++ {
		b.WriteString(p.renderRow(th, p.items[p.shown[i]], i == p.cursor, titleWidth))
		b.WriteByte('\n')
	}
	b.WriteString(th.Muted.Render(ansi.Truncate(joinNonEmpty(" · ", p.countLine(), p.note), p.width, "…")))
	return b.String()
}

// titleWidth is the width of the title column: the widest title in view, within
// reason, so details line up.
func (p picker) titleWidth(end int) int {
	widest := 0
	for i := p.offset; i < end; i++ {
		widest = max(widest, ansi.StringWidth(p.items[p.shown[i]].title))
	}
	return min(widest, max(12, p.width*3/5))
}

// unusableMark stands where the cursor would, on a row that cannot be chosen, so that
// the row says so without colour too (NO_COLOR greys nothing).
const unusableMark = "✗ "

// hasUnusable reports whether any row cannot be chosen.
func (p picker) hasUnusable() bool {
	for _, it := range p.items {
		if it.reason != "" {
			return true
		}
	}
	return false
}

func (p picker) renderRow(th Theme, it pickItem, selected bool, titleWidth int) string {
	marker, title := "  ", th.Item
	if selected {
		marker, title = th.Cursor.Render("› "), th.Selected
	}
	if it.reason != "" {
		title = th.Disabled
		if !selected {
			marker = th.Reason.Render(unusableMark)
		}
	}
	name := ansi.Truncate(it.title, titleWidth, "…")
	line := marker + title.Render(name)
	room := p.width - titleWidth - 4
	if room < 4 {
		return line
	}
	pad := strings.Repeat(" ", titleWidth-ansi.StringWidth(name)+2)
	switch {
	case it.reason != "":
		line += pad + th.Reason.Render(ansi.Truncate(joinNonEmpty(" · ", it.reason, it.detail), room, "…"))
	case it.detail != "":
		line += pad + th.Detail.Render(ansi.Truncate(it.detail, room, "…"))
	}
	return line
}

func (p picker) countLine() string {
	switch {
	case len(p.items) == 0:
		return "nothing to choose from"
	case len(p.shown) == 0:
		return fmt.Sprintf("no match for %q among %s", p.filter.Value(), plural(len(p.items), "item"))
	case len(p.shown) < len(p.items):
		return fmt.Sprintf("%d/%d of %s matching", p.cursor+1, len(p.shown), withThousands(len(p.items)))
	}
	return fmt.Sprintf("%d/%s", p.cursor+1, withThousands(len(p.items)))
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, s := range parts {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, sep)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return withThousands(n) + " " + noun + "s"
}

func withThousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
