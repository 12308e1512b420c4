// Keyboard for tab lists marked data-keyboard-tabs (the record's tabs, RecordTabs.razor), after the WAI-ARIA tabs
// pattern with manual activation: arrow keys, Home and End move the focus along the tabs at once, in the browser;
// Enter or Space opens the focused tab (each opening is an audited read, so moving along the tabs reads nothing).
document.addEventListener('keydown', event => {
  const tab = event.target instanceof Element ? event.target.closest('[role="tab"]') : null;
  const list = tab ? tab.closest('[role="tablist"][data-keyboard-tabs]') : null;
  if (!list) {
    return;
  }

  const tabs = [...list.querySelectorAll('[role="tab"]')];
  const at = tabs.indexOf(tab);
  const next = { ArrowRight: (at + 1) % tabs.length, ArrowLeft: (at - 1 + tabs.length) % tabs.length, Home: 0, End: tabs.length - 1 }[event.key];
  if (next !== undefined) {
    event.preventDefault();
    tabs[next].focus();
  }
});
