namespace Nehr.Browser.Tests;

/// <summary>
/// A test of the shared portal and browser: the browser contexts it opened are closed when it ends, so that no page of
/// an earlier test keeps its circuit, its polling and its renderer alive for the rest of the run.
/// </summary>
public abstract class PortalTest(PortalFixture fixture) : IAsyncLifetime
{
    protected PortalFixture Fixture { get; } = fixture;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Fixture.CloseContextsAsync();
}
