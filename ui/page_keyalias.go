package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// Step 3: the alias of a replica key s3repl creates.

const pageKeyAlias pageID = "key-alias"

type keyAliasPage struct {
	s     *shared
	input textinput.Model
}

func newKeyAliasPage(s *shared) page {
	return &keyAliasPage{s: s, input: newInput("alias/NAME", 256)}
}

func (p *keyAliasPage) enter(bool) tea.Cmd {
	if p.input.Value() == "" {
		p.input.SetValue("alias/s3repl-" + strings.ReplaceAll(p.s.destination.bucket.Name, ".", "-"))
		p.input.CursorEnd()
	}
	return p.input.Focus()
}

func (p *keyAliasPage) update(msg tea.Msg) (action, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, p.s.bindings.Back):
			return goBack(), nil
		case key.Matches(k, p.s.bindings.Choose):
			return p.submit()
		}
	}
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return only(cmd)
	}
	return stay, nil
}

func (p *keyAliasPage) submit() (action, tea.Cmd) {
	alias := p.input.Value()
	if why := steps.NewAliasProblem(alias, p.s.kmsKeyChoices()); why != "" {
		return notice(alias + ": " + why), nil
	}
	p.s.replicaKey = replicaKeyChoice{ref: alias, label: alias + " (new)", create: true}
	return replaceWith(pageRule), nil // esc on the rule goes back to the key list
}

func (p *keyAliasPage) leave() { p.input.Blur() }

func (p *keyAliasPage) setSize(width, _ int) { p.input.SetWidth(max(10, width-4)) }

func (p *keyAliasPage) setTheme(th Theme) { p.input.SetStyles(th.Input) }

func (p *keyAliasPage) keyHelp() help.KeyMap { return p.s.typingHelp() }

func (p *keyAliasPage) typing() bool { return true }

func (p *keyAliasPage) view() string {
	th := p.s.theme
	title := th.Heading.Render("New replica key in "+p.s.region) + th.Muted.Render(" · "+p.s.whoLine(&p.s.destination))
	alias := p.input.Value()
	verdict := th.OK.Render("✓ ") + alias + " is free"
	if why := steps.NewAliasProblem(alias, p.s.kmsKeyChoices()); why != "" {
		verdict = th.Error.Render("✗ ") + why
	}
	about := "s3repl creates a symmetric, customer managed key in " + p.s.region + " with this alias. " +
		"Its key policy keeps the account's administrators in control and lets the replication role encrypt with it."
	return title + "\n\n" + p.input.View() + "\n" + wrapText(verdict, p.s.width) + "\n\n" + th.Muted.Render(wrapText(about, p.s.width))
}
