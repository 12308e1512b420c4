using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Nehr.Portal.Tests;

/// <summary>
/// A fresh bUnit context per test, with MudBlazor's services and loose JS interop (MudBlazor calls JS freely).
/// MudBlazor's services can only be disposed asynchronously, so the context is disposed through IAsyncLifetime.
/// </summary>
public abstract class MudTestContext : BunitContext, IAsyncLifetime
{
    private bool _disposedAsync;

    protected MudTestContext()
    {
        Services.AddMudServices();
        // The record's components ask for their words (English unless the patient's own view asks for another language).
        Services.AddLocalization(options => options.ResourcesPath = "Resources");
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        _disposedAsync = true;
    }

    protected override void Dispose(bool disposing)
    {
        // xunit calls Dispose after DisposeAsync; by then everything is gone.
        if (!_disposedAsync)
        {
            base.Dispose(disposing);
        }
    }
}
