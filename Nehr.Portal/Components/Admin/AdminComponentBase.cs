using Nehr.Portal.Components.Shared;

namespace Nehr.Portal.Components.Admin;

/// <summary>
/// The base of every admin and MOH page. The admin area's one rule for outcomes: an error is shown once, inline, where
/// the action is (next to its form, in its dialog, above the list it acted on) and stays until the next attempt; a
/// snackbar only confirms what succeeded, and fades. No red toast is left behind to pile up.
/// </summary>
public abstract class AdminComponentBase : CommandComponentBase
{
    protected override bool ErrorsInSnackbar => false;
}
