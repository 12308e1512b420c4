using System.Net;
using Nehr.Core.Data.Demo;

namespace Nehr.Integration.Tests;

/// <summary>Choosing a language: one of the four only, and back to a page of this portal only.</summary>
public sealed class LanguageChoiceTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    public void Dispose() => _portal.Dispose();

    private async Task<HttpResponseMessage> ChooseAsync(HttpClient client, string language, string returnUrl)
    {
        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/patient");
        return await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["language"] = language, ["returnUrl"] = returnUrl,
        }));
    }

    [Theory]
    [InlineData("//evil.example/phish")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task Only_a_path_of_the_portal_is_followed_back(string returnUrl)
    {
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);

        using var response = await ChooseAsync(client, "ms", returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_language_that_is_not_one_of_the_four_is_refused_and_changes_nothing()
    {
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);

        using var response = await ChooseAsync(client, "fr", "/patient");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("en, zh, ms, ta", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\"", await client.GetStringAsync("/patient"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chosen_language_is_the_pages_language()
    {
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);

        using var response = await ChooseAsync(client, "zh", "/patient/history");
        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/patient/history"));

        Assert.Equal("/patient/history", response.Headers.Location?.OriginalString);
        Assert.Contains("<html lang=\"zh-Hans\"", page, StringComparison.Ordinal);
        Assert.Contains("谁查看了我的记录", page, StringComparison.Ordinal);
    }
}
