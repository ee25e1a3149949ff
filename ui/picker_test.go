package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func pickerOf(values ...string) picker {
	p := newPicker("")
	p.resize(40, 5)
	items := make([]pickItem, len(values))
	for i, v := range values {
		items[i] = newPickItem(v, v, "", "")
	}
	p.setItems(items)
	return p
}

func shownValues(p picker) []string {
	var out []string
	for _, i := range p.shown {
		out = append(out, p.items[i].value)
	}
	return out
}

func TestPickerFiltersNarrowingAndWidening(t *testing.T) {
	p := pickerOf("logs-a", "logs-b", "metrics", "LOGS-UPPER")
	p.startFilter()
	for _, step := range []struct {
		text string
		want []string
	}{
		{"log", []string{"logs-a", "logs-b", "LOGS-UPPER"}},
		{"logs-b", []string{"logs-b"}},
		{"logs", []string{"logs-a", "logs-b", "LOGS-UPPER"}}, // deleting widens again
		{"", []string{"logs-a", "logs-b", "metrics", "LOGS-UPPER"}},
		{"nothing", nil},
	} {
		p.filter.SetValue(step.text)
		p.refilter()
		if got := shownValues(p); !slices.Equal(got, step.want) {
			t.Fatalf("%q: shown %v, want %v", step.text, got, step.want)
		}
	}
	if !strings.Contains(p.countLine(), `no match for "nothing"`) {
		t.Fatalf("count line %q", p.countLine())
	}
}

func TestPickerKeepsSelectionAndScrolls(t *testing.T) {
	var values []string
	for i := range 20 {
		values = append(values, fmt.Sprintf("bucket-%02d", i))
	}
	p := pickerOf(values...)
	p.move(12)
	p.setItems(p.items) // a refresh keeps the selected row
	if it, _ := p.selected(); it.value != "bucket-12" {
		t.Fatalf("selected %s after refresh", it.value)
	}
	view := ansi.Strip(p.render(NewTheme(true)))
	if !strings.Contains(view, "› bucket-12") || strings.Contains(view, "bucket-00") {
		t.Fatalf("the selected row is not in view:\n%s", view)
	}
	if lines := strings.Count(view, "\n") + 1; lines != 5 {
		t.Fatalf("%d lines for a height of 5", lines)
	}
	p.page(1)
	if it, _ := p.selected(); it.value != "bucket-15" {
		t.Fatalf("page down went to %s", it.value)
	}
}

func TestPickerShowsWhyARowCannotBeChosen(t *testing.T) {
	p := newPicker("")
	p.resize(60, 4)
	p.setItems([]pickItem{newPickItem("k", "alias/aws/s3", "key 1234…", "AWS managed")})
	p = newPicker("")
	p.resize(60, 4)
	p.setItems([]pickItem{newPickItem("a", "alias/backup", "", ""), newPickItem("k", "alias/aws/s3", "key 1234…", "AWS managed")})
	// marked without colour too: NO_COLOR greys nothing
	if view := ansi.Strip(p.render(NewTheme(true))); !strings.Contains(view, "✗ alias/aws/s3") || !strings.Contains(view, "AWS managed · key 1234…") {
		t.Fatalf("view:\n%s", view)
	}
	if !p.hasUnusable() {
		t.Fatal("a row that cannot be chosen is not counted")
	}
	p.setItems([]pickItem{newPickItem("k", "alias/backup", "key 5678…", "")})
	if p.hasUnusable() {
		t.Fatal("every row can be chosen, yet the list says some cannot")
	}
}
