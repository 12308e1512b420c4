using System.Net;

namespace Nehr.Integration.Tests;

public sealed class HealthTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    [Fact]
    public async Task Liveness_and_readiness_answer_healthy_to_anyone_and_say_nothing_more()
    {
        using var client = _portal.NewClient();

        var live = await client.GetAsync("/health/live");
        var ready = await client.GetAsync("/health/ready");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.StatusCode, await live.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Without_its_database_the_portal_is_alive_but_not_ready()
    {
        using var client = _portal.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        _portal.LoseDatabase();

        var ready = await client.GetAsync("/health/ready");
        var live = await client.GetAsync("/health/live");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    public void Dispose() => _portal.Dispose();
}
