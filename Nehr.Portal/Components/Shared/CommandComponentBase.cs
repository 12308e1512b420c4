using Microsoft.AspNetCore.Components;
using MudBlazor;
using Nehr.Core;
using Nehr.Core.Audit;
using Nehr.Portal.Services;

namespace Nehr.Portal.Components.Shared;

/// <summary>
/// The one base of every interactive page that runs commands: the signed-in person as the "who" of every call, a
/// busy flag for slow work, and one way to show a command's outcome. A broken rule or a refusal
/// (<see cref="DomainException"/>, <see cref="AccessRefusedException"/>: they changed nothing) is shown next to the
/// form it came from and in a snackbar; anything else is a fault, left to the circuit's error handling.
/// </summary>
public abstract class CommandComponentBase : ComponentBase
{
    [Inject]
    protected PortalUser User { get; set; } = default!;

    [Inject]
    protected ISnackbar Snackbar { get; set; } = default!;

    protected bool Busy { get; private set; }

    /// <summary>The message of the last failed command, shown next to the form it came from.</summary>
    protected string? Error { get; set; }

    protected Task<AuditContext> WhoAsync() => User.AuditContextAsync();

    /// <summary>
    /// Whether a failed command is also shown in a snackbar. An area that shows every error next to the action it
    /// came from (the admin area) turns it off, so that an error is never shown twice nor left behind as a toast.
    /// </summary>
    protected virtual bool ErrorsInSnackbar => true;

    /// <summary>Runs a command as the signed-in person; true when it succeeded (and <paramref name="success"/> was shown).</summary>
    protected Task<bool> RunAsync(Func<AuditContext, Task> command, string? success = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        return RunAsync(async () => await command(await WhoAsync()), success);
    }

    /// <summary>Runs a command through a portal service that knows the signed-in person itself.</summary>
    protected async Task<bool> RunAsync(Func<Task> command, string? success = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        Busy = true;
        Error = null;
        try
        {
            await command();
            if (success is not null)
            {
                Snackbar.Add(success, Severity.Success);
            }

            return true;
        }
        catch (DomainException e)
        {
            Error = e.Message;
            if (ErrorsInSnackbar)
            {
                Snackbar.Add(e.Message, Severity.Error);
            }

            return false;
        }
        finally
        {
            Busy = false;

            // Commands also come from child components' callbacks, which do not re-render this page by themselves.
            StateHasChanged();
        }
    }

    /// <summary>
    /// For a dialog that shows the outcome itself: runs the command and returns the message of a broken rule or a
    /// refusal, or null when it succeeded.
    /// </summary>
    protected static async Task<string?> ErrorOfAsync(Func<Task> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            await command();
            return null;
        }
        catch (DomainException e)
        {
            return e.Message;
        }
    }
}
