// MudSelect (9.12) answers focus leaving it while its list is open (an option's mousedown moves focus to the option)
// with a focus() sent from the server, which lands one round trip later. On a slow connection that can be after the
// user has clicked into the next field and begun typing: the keystrokes go to the select, and its type-ahead changes
// the choice (an emergency override's reason among them). An option picked with the mouse leaves the focus where it
// was, so no focus() is sent; the click still picks the option.
document.addEventListener("mousedown", (e) => {
    if (e.target instanceof Element && e.target.closest(".mud-popover .mud-list-item")) {
        e.preventDefault();
    }
}, true);
