using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Nehr.Integration.Tests;

public sealed class FrameworkWarningsTests
{
    [Fact]
    public void A_portal_that_logged_a_framework_warning_fails_its_test()
    {
        var portal = new PortalFactory();
        _ = portal.Server;
        portal.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Routing")
            .LogWarning("A warning as ASP.NET Core would log it.");

        var failure = Assert.Throws<InvalidOperationException>(portal.Dispose);
        Assert.Contains("A warning as ASP.NET Core would log it.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unordered_row_limit_throws_where_the_query_runs()
    {
        using var portal = new PortalFactory();
        await using var db = portal.CreateDbContext();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => db.Patients.Skip(1).Take(1).ToListAsync());
        Assert.Contains("RowLimitingOperationWithoutOrderByWarning", failure.Message, StringComparison.Ordinal);
    }
}
