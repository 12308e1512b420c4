using MudBlazor.Services;
using Nehr.Portal.Components;
using Nehr.Portal.Services;

namespace Nehr.Portal.Hosting;

internal static class PortalExtensions
{
    public static WebApplicationBuilder AddNehrPortal(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddScoped<PortalUser>();
        builder.Services.AddScoped<HomeService>();
        builder.Services.AddScoped<ClinicianService>();
        builder.Services.AddScoped<PatientService>();
        builder.Services.AddScoped<ProviderDirectory>();
        if (builder.Environment.IsDevelopment())
        {
            builder.Services.AddDatabaseDeveloperPageExceptionFilter();
        }

        return builder;
    }

    public static WebApplication UseNehrPortal(this WebApplication app)
    {
        app.UseNehrSecurityHeaders();
        app.UseNehrSignInRateLimit();
        if (app.Environment.IsDevelopment())
        {
            app.UseMigrationsEndPoint();
        }
        else
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapNehrPortal(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        app.MapPatientEndpoints();
        app.MapAdminEndpoints();
        app.MapNehrContribution();
        return app;
    }
}
