using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Audit;
using Nehr.Core.Data.Demo;

namespace Nehr.Integration.Tests;

/// <summary>
/// A flood of requests that name nobody cannot grow the audit trail without bound (issue 17, finding 4: 3,847
/// anonymous requests had added 3,857 events); an auditor still sees every kind of attempt, where from and how many.
/// The token endpoint is limited per client id and address.
/// </summary>
public sealed class AuditFloodTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();

    public Task InitializeAsync()
    {
        _portal.Settings["Nehr:Contribution:TokenRequestsPerMinute"] = "5";
        return DemoWorld.LoadAsync(_portal);
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Three_hundred_anonymous_refusals_in_a_minute_write_twenty_events_and_one_count_of_the_rest()
    {
        var before = await EventCountAsync();
        using var client = _portal.NewClient();

        for (var i = 0; i < 300; i++)
        {
            using var refused = await client.GetAsync("/clinician");
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        }

        var duringTheMinute = await EventCountAsync() - before;
        // Once the minute is over the count is written (by the recorder's timer, which the clock's move fires, or here).
        _portal.Clock.Advance(TimeSpan.FromMinutes(1));
        await _portal.Services.GetRequiredService<AnonymousEventRecorder>().RecordAsync();
        await using var db = _portal.CreateDbContext();
        var counts = db.AuditEvents.Where(e => e.EventType == AuditEventTypes.EventsAggregated && e.Sequence > before);
        for (var wait = 0; wait < 50 && !await counts.AnyAsync(); wait++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(new AnonymousEventOptions().AnonymousPerAddressPerMinute, duringTheMinute);
        var count = Assert.Single(await counts.ToListAsync());
        Assert.StartsWith($"event={AuditEventTypes.ActionRefused}; count=280; ", count.Details, StringComparison.Ordinal);
        Assert.Contains("addresses=one", count.Details, StringComparison.Ordinal);
        Assert.True((await AuditTrail.VerifyAsync(db)).Intact);
    }

    [Fact]
    public async Task Token_requests_for_unknown_clients_are_counted_and_one_client_id_is_limited_per_address()
    {
        using var client = _portal.CreateClient();
        var before = await EventCountAsync();
        for (var i = 0; i < 60; i++)
        {
            using var unknown = await TokenAsync(client, $"nobody-{i}", "a guess");
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }

        var unknownEvents = await EventCountAsync() - before;
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await TokenAsync(client, DemoAccounts.SystemClientId, "a guess " + i));
        }

        using var otherClient = await TokenAsync(client, DemoAccounts.RegisterClientId, DemoAccounts.RegisterSecret);

        Assert.Equal(new AnonymousEventOptions().AnonymousPerAddressPerMinute, unknownEvents);
        Assert.All(answers.Take(5), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[5].StatusCode);
        Assert.True(answers[5].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("slow_down", await answers[5].Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
        answers.ForEach(a => a.Dispose());
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient client, string clientId, string secret) =>
        client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));

    private async Task<int> EventCountAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.CountAsync();
    }
}
