using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Nehr.Portal.Tests;

/// <summary>A fresh bUnit context per test, with MudBlazor's services and loose JS interop (MudBlazor calls JS freely).</summary>
public abstract class MudTestContext : BunitContext
{
    protected MudTestContext()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }
}
