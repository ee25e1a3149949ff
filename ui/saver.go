package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// saver saves the setup as a file, from the review and the apply pages.
type saver struct {
	editing bool
	input   textinput.Model
	saved   string
	err     error
}

const saveLabel = "Save the setup as "

// startSave offers a file name and gives the input the keyboard.
func (s *shared) startSave() tea.Cmd {
	sv := &s.save
	if sv.input.Value() == "" {
		sv.input.SetValue(fmt.Sprintf("s3repl-%s-to-%s.yaml", s.source.bucket.Name, s.destination.bucket.Name))
		sv.input.CursorEnd()
	}
	sv.editing, sv.err = true, nil
	return sv.input.Focus()
}

// saveTakes gives the save its messages: its result, and the keys and pastes while the
// file name is typed. It reports whether it took msg; the page handles the rest.
func (s *shared) saveTakes(msg tea.Msg) (tea.Cmd, bool) {
	switch msg.(type) {
	case savedMsg:
		return s.saveUpdate(msg), true
	case tea.PasteMsg, tea.KeyPressMsg:
		if s.save.editing {
			return s.saveUpdate(msg), true
		}
	}
	return nil, false
}

// saveUpdate answers a key or paste while the file name is typed, and the result of
// the save.
func (s *shared) saveUpdate(msg tea.Msg) tea.Cmd {
	sv := &s.save
	switch msg := msg.(type) {
	case savedMsg:
		if !s.tasks.finish(msg.task) {
			return nil
		}
		sv.err = msg.err
		if msg.err == nil {
			sv.saved, sv.editing = msg.path, false
			sv.input.Blur()
		}
		return nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.bindings.Back):
			sv.editing = false
			sv.input.Blur()
			return nil
		case key.Matches(msg, s.bindings.Choose):
			_, id := s.tasks.start(slot{kind: taskSave}, s.current)
			return saveSetup(id, sv.input.Value(), s.setup)
		}
	}
	var cmd tea.Cmd
	sv.input, cmd = sv.input.Update(msg)
	return cmd
}

func (s *shared) saveLine() string {
	th, sv := s.theme, s.save
	switch {
	case sv.editing && sv.err != nil: // whole, wrapped: the fix is at its end
		return saveLabel + sv.input.View() + "\n" + th.Error.Render("✗ ") + indent(wrapText(sv.err.Error(), s.width-2), "  ")[2:]
	case sv.editing:
		return saveLabel + sv.input.View()
	case sv.saved != "":
		return th.OK.Render("✓ ") + indent(wrapText("saved "+sv.saved+th.Muted.Render(" · s3repl apply|verify|doctor -f "+sv.saved), s.width-2), "  ")[2:]
	}
	return ""
}
