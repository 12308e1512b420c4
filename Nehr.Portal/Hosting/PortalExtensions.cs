using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using MudBlazor.Services;
using Nehr.Portal.Components;
using Nehr.Portal.Services;

using Nehr.Portal.Hosting.NationalIdentity;

namespace Nehr.Portal.Hosting;

internal static class PortalExtensions
{
    public static WebApplicationBuilder AddNehrPortal(this WebApplicationBuilder builder)
    {
        // One display time zone for every page, notice, e-mail and file; a zone this machine does not know stops the start.
        Nehr.Core.LocalTime.Use(builder.Configuration["Nehr:DisplayTimeZone"] is { Length: > 0 } zone ? zone : Nehr.Core.LocalTime.DefaultZoneId);
        builder.AddNehrTrustedProxies();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false); // no "Server: Kestrel" banner
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.AddNehrLanguages();
        builder.Services.AddNehrSignInRateLimit();
        builder.Services.AddSingleton<PublicAddress>();
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
        app.UseForwardedHeaders();
        // Routing and authentication come after the security headers, so every answer carries them, the token
        // endpoint's too (OpenIddict answers it inside authentication); left to WebApplication they would come first.
        app.UseNehrSecurityHeaders();
        app.UseCookiePolicy();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        // After authentication: the account's language is a claim of the signed-in person.
        app.UseRequestLocalization();
        app.UseRateLimiter();
        if (app.Environment.IsDevelopment())
        {
            app.UseMigrationsEndPoint();
        }
        else
        {
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/Error",
                CreateScopeForErrors = true,
                // A request the server refused as malformed (e.g. a form without its antiforgery token) is the client's error.
                StatusCodeSelector = e => e switch
                {
                    BadHttpRequestException bad => bad.StatusCode,
                    AntiforgeryValidationException => StatusCodes.Status400BadRequest,
                    _ => StatusCodes.Status500InternalServerError,
                },
            });
            app.UseHsts();
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseNehrFhirErrors();

        // An error or status page shown in place of a failed form post renders as a GET: as a post it would check the
        // failed request's (missing) antiforgery token again and fail a second time.
        app.Use((context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method)
                && (context.Features.Get<IExceptionHandlerFeature>() is not null || context.Features.Get<IStatusCodeReExecuteFeature>() is not null))
            {
                context.Request.Method = HttpMethods.Get;
                context.Features.Set<IAntiforgeryValidationFeature>(null);
            }

            return next(context);
        });
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapNehrPortal(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        app.MapPatientEndpoints();
        app.MapNehrLanguages();
        app.MapAdminEndpoints();
        app.MapNehrHealth();
        app.MapNehrContribution();
        app.MapNehrNationalIdentity();
        return app;
    }
}
