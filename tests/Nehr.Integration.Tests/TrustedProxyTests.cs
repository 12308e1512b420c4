using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Audit;
using Nehr.Core.Data.Demo;

namespace Nehr.Integration.Tests;

/// <summary>Behind a load balancer: the client's address comes from X-Forwarded-For only when the balancer is trusted.</summary>
[Trait("Database", "ProviderIndependent")]
public sealed class TrustedProxyTests : IDisposable
{
    private const string Balancer = "10.0.0.5";
    private const string Client = "203.0.113.7";

    private readonly PortalFactory _portal = new();

    /// <summary>Every request arrives from the balancer's address, as it would behind one.</summary>
    private sealed class FromBalancer : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, Func<Task> rest) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(Balancer);
                return rest();
            });
            next(app);
        };
    }

    private async Task<string?> AuditedAddressOfAFailedSignInAsync()
    {
        using var behindBalancer = _portal.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddTransient<IStartupFilter, FromBalancer>()));
        using var client = behindBalancer.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = PortalFactory.BaseAddress });
        client.DefaultRequestHeaders.Add("X-Forwarded-For", Client);
        await PortalSignIn.PostPasswordAsync(client, DemoAccounts.Patient, "not the password at all");
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.AsNoTracking().Where(e => e.EventType == AuditEventTypes.SignInFailed)
            .OrderByDescending(e => e.Sequence).Select(e => e.ClientAddress).FirstAsync();
    }

    [Fact]
    public async Task The_forwarded_client_address_is_audited_when_the_balancer_is_trusted()
    {
        _portal.Settings[$"Nehr:Hosting:TrustedProxies:0"] = Balancer;

        Assert.Equal(Client, await AuditedAddressOfAFailedSignInAsync());
    }

    [Fact]
    public async Task A_forwarded_address_from_anyone_else_is_ignored()
    {
        _portal.Settings[$"Nehr:Hosting:TrustedProxies:0"] = "10.9.9.9";

        Assert.Equal(Balancer, await AuditedAddressOfAFailedSignInAsync());
    }

    [Fact]
    public void A_trusted_proxy_that_is_not_an_address_stops_the_portal_at_start_with_a_clear_message()
    {
        _portal.Settings[$"Nehr:Hosting:TrustedProxies:0"] = "balancer.example";

        var failure = Assert.ThrowsAny<Exception>(() => _portal.Server);
        Assert.Contains("'balancer.example', which is not an IP address", failure.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _portal.Dispose();
}
