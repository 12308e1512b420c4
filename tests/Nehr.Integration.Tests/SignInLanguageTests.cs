using System.Net;

namespace Nehr.Integration.Tests;

/// <summary>Before sign-in: the language chosen on the sign-in page holds there and on the Singpass stand-in.</summary>
public sealed class SignInLanguageTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    public void Dispose() => _portal.Dispose();

    private async Task<HttpClient> ChosenAsync(string language)
    {
        var client = _portal.NewClient();
        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/Account/Login");
        using var response = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["language"] = language, ["returnUrl"] = "/Account/Login",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location?.OriginalString);
        return client;
    }

    [Fact]
    public async Task The_sign_in_page_offers_the_languages_and_shows_the_patients_part_in_the_one_chosen()
    {
        using var client = await ChosenAsync("ta");

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/Account/Login"));

        Assert.Contains("<html lang=\"ta\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"language-choice\"", page, StringComparison.Ordinal);
        Assert.Contains("NEHR தளத்தில் உள்நுழைக", page, StringComparison.Ordinal);
        Assert.Contains(">Singpass உடன் உள்நுழைக</a>", page, StringComparison.Ordinal);
        // The staff's part stays in English, and says so to a screen reader.
        Assert.Contains("aria-labelledby=\"staff-heading\" class=\"sign-in-section\" lang=\"en\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Singpass_stand_in_and_its_errors_are_in_the_language_chosen_before_sign_in()
    {
        using var client = await ChosenAsync("ms");
        using var start = await client.GetAsync("/Account/NationalIdentity/SignIn?returnUrl=%2F");
        var authorize = start.Headers.Location!;

        var page = WebUtility.HtmlDecode(await client.GetStringAsync(authorize));
        var requestUri = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorize.Query)["request_uri"].ToString();
        using var refused = await client.PostAsync("/dev-idp/authorize", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request_uri"] = requestUri, ["nric"] = "S123",
        }));
        var error = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());

        Assert.Contains("<html lang=\"ms\"", page, StringComparison.Ordinal);
        Assert.Contains("<h1>Log masuk dengan Singpass (pengganti pembangunan)</h1>", page, StringComparison.Ordinal);
        Assert.Contains(">Log masuk dengan NRIC/FIN ini</button>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("NRIC atau FIN mempunyai 9 aksara", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_no_record_page_after_Singpass_is_in_the_language_chosen_before_sign_in()
    {
        using var client = await ChosenAsync("ta");

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/Account/NoRecord"));

        Assert.Contains("<html lang=\"ta\"", page, StringComparison.Ordinal);
        Assert.Contains("உங்களுக்கு இன்னும் NEHR பதிவு இல்லை", page, StringComparison.Ordinal);
        Assert.Contains(">உள்நுழைவுக்குத் திரும்பு</a>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_printable_summary_is_in_the_patients_language_and_its_clinical_content_as_contributed()
    {
        using var client = await _portal.SignedInClientAsync(Nehr.Core.Data.Demo.DemoAccounts.Patient);
        var english = WebUtility.HtmlDecode(await client.GetStringAsync("/patient/summary"));
        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/patient");
        using (var chosen = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["language"] = "ms", ["returnUrl"] = "/patient/summary",
        })))
        {
            Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        }

        var malay = WebUtility.HtmlDecode(await client.GetStringAsync("/patient/summary"));

        Assert.Contains("Allergies and intolerances", english, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"ms\"", malay, StringComparison.Ordinal);
        Assert.Contains("Ringkasan pesakit: ", malay, StringComparison.Ordinal);
        Assert.Contains(">Alahan dan intoleransi</h2>", malay, StringComparison.Ordinal);
        Assert.Contains("Cetak dengan arahan Cetak pelayar anda", malay, StringComparison.Ordinal);
        Assert.DoesNotContain("Allergies and intolerances", malay, StringComparison.Ordinal);
        // What a provider sent (here the first allergy's substance) is shown as sent, in either language.
        var substance = System.Text.RegularExpressions.Regex.Match(english, "<li>([^<]{3,40})").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(substance));
        Assert.Contains(substance, malay, StringComparison.Ordinal);
    }
}
