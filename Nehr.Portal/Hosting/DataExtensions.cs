using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Notifications;

namespace Nehr.Portal.Hosting;

internal static class DataExtensions
{
    public static WebApplicationBuilder AddNehrData(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddNehrData(builder.Configuration, builder.Environment);
        builder.Services.AddNehrAccess(builder.Configuration);
        builder.Services.AddNehrNotifications(builder.Configuration);
        builder.Services.AddNehrAuditIntegrity(builder.Configuration);
        return builder;
    }

    /// <summary>Applies migrations and, when configured, loads the demo data before the portal takes requests.</summary>
    public static async Task InitializeNehrDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
    }
}
