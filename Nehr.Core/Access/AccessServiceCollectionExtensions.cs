using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Audit;
using Nehr.Core.Data;

namespace Nehr.Core.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>The gate, the restriction and override services and the audit trail.</summary>
    public static IServiceCollection AddNehrAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccessOptions>()
            .Bind(configuration.GetSection(AccessOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<Representatives.RepresentationOptions>()
            .Bind(configuration.GetSection(Representatives.RepresentationOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<Administration.RecertificationOptions>()
            .Bind(configuration.GetSection(Administration.RecertificationOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<AuditTrail>();
        // A writer per audit chain (up to AuditAppender.MaxWriters): one instance's batches commit side by side.
        services.AddSingleton(sp => new AuditAppender(
            sp.GetRequiredService<IDbContextFactory<NehrDbContext>>(), sp.GetRequiredService<AuditTrail>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AuditAppender>>(),
            Math.Max(1, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<NehrDataOptions>>().Value.AuditChains)));
        services.AddSingleton<Commands.Commands>();
        services.AddOptions<AnonymousEventOptions>()
            .Bind(configuration.GetSection(AnonymousEventOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<AnonymousEventGuard>();
        services.AddSingleton<AnonymousEventRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<AnonymousEventRecorder>());
        services.AddScoped<SecurityEvents>();
        services.AddScoped<Identity.PasswordResets>();
        services.AddScoped<Identity.PatientEnrolment>();
        services.AddScoped<Representatives.RepresentationService>();
        services.AddScoped<RecordGate>();
        services.AddScoped<PatientLookup>();
        services.AddScoped<RestrictionService>();
        services.AddScoped<EmergencyOverrideService>();
        services.AddScoped<AccessHistory>();
        services.AddScoped<AccessReportService>();
        services.AddScoped<Notifications.NoticeBoard>();
        services.AddScoped<Administration.ProviderAdministration>();
        services.AddScoped<Oversight.ReviewQueue>();
        services.Configure<Oversight.AuditSearchOptions>(configuration.GetSection(Oversight.AuditSearchOptions.Section));
        services.AddScoped<Oversight.AuditSearch>();
        services.AddScoped<Oversight.OversightDashboard>();
        services.AddOptions<Oversight.RegistrationOversightOptions>()
            .Bind(configuration.GetSection(Oversight.RegistrationOversightOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddScoped<Oversight.RegistrationOversight>();
        services.AddScoped<Oversight.CorrectiveActions>();
        services.AddOptions<Oversight.AlertOptions>()
            .Bind(configuration.GetSection(Oversight.AlertOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<AlertScanner>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertScanner>());
        services.AddScoped<Oversight.AlertCases>();
        services.AddScoped<Contribution.SystemOnboarding>();
        services.AddScoped<Contribution.ContributionReports>();
        services.AddScoped<Contribution.ContributionService>();
        return services;
    }
}
