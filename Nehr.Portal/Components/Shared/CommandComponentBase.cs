using Microsoft.AspNetCore.Components;
using MudBlazor;
using Nehr.Core;
using Nehr.Core.Audit;
using Nehr.Portal.Services;

namespace Nehr.Portal.Components.Admin;

/// <summary>
/// What admin pages share: the signed-in person as the "who" of every call, a busy flag for slow work, and one way
/// to run an action that shows its outcome (a refusal or a broken rule is shown, and changed nothing).
/// </summary>
public abstract class AdminComponentBase : ComponentBase
{
    [Inject]
    protected PortalUser User { get; set; } = default!;

    [Inject]
    protected ISnackbar Snackbar { get; set; } = default!;

    protected bool Busy { get; private set; }

    /// <summary>The message of the last failed action, shown next to the form it came from.</summary>
    protected string? Error { get; set; }

    protected Task<AuditContext> WhoAsync() => User.AuditContextAsync();

    protected async Task<bool> RunAsync(Func<AuditContext, Task> action, string? success = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        Busy = true;
        Error = null;
        try
        {
            await action(await WhoAsync());
            if (success is not null)
            {
                Snackbar.Add(success, Severity.Success);
            }

            return true;
        }
        catch (DomainException e)
        {
            Error = e.Message;
            Snackbar.Add(e.Message, Severity.Error);
            return false;
        }
        finally
        {
            Busy = false;

            // Actions also come from child components' callbacks, which do not re-render this page by themselves.
            StateHasChanged();
        }
    }
}
