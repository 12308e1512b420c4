namespace Nehr.Integration.Tests;

/// <summary>
/// Nehr:Security:RevalidateSeconds, how often an open staff circuit checks that its person may still be signed in:
/// a value that would leave a deactivated person their page for longer than the default, or make no sense, stops the
/// start with a message that names the setting.
/// </summary>
[Trait("Database", "ProviderIndependent")]
public sealed class RevalidationSettingTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    [Theory]
    [InlineData("0")]
    [InlineData("31")]
    [InlineData("3600")]
    public void A_revalidation_interval_out_of_range_stops_the_portal_at_start(string seconds)
    {
        _portal.Settings["Nehr:Security:RevalidateSeconds"] = seconds;

        var failure = Assert.ThrowsAny<Exception>(() => _portal.Server);
        Assert.Contains("Nehr:Security:RevalidateSeconds must be from 1 to 30", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_revalidation_interval_in_range_starts()
    {
        _portal.Settings["Nehr:Security:RevalidateSeconds"] = "5";

        Assert.NotNull(_portal.Server);
    }

    public void Dispose() => _portal.Dispose();
}
