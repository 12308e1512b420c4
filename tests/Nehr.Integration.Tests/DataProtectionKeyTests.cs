using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Nehr.Integration.Tests;

public sealed class DataProtectionKeyTests
{
    [Fact]
    public async Task The_key_ring_lives_in_the_database_so_another_instance_on_it_reads_what_the_first_protected()
    {
        using var first = new PortalFactory();
        _ = first.Server;
        var protectedText = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a session");
        await using (var db = first.CreateDbContext())
        {
            Assert.True(await db.DataProtectionKeys.AnyAsync());
        }

        using var second = new PortalFactory();
        second.ShareDatabaseWith(first);
        _ = second.Server;

        Assert.Equal("a session", second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedText));
    }
}
