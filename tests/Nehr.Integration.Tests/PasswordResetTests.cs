using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Audit;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;

namespace Nehr.Integration.Tests;

/// <summary>Password reset by e-mail, through the real forms: one outcome for every request, a link that works once.</summary>
public sealed partial class PasswordResetTests : IClassFixture<PortalFactory>
{
    private const string PublicUrl = "https://portal.nehr.example.sg";
    private readonly PortalFactory _portal;

    public PasswordResetTests(PortalFactory portal)
    {
        portal.Settings["Nehr:Security:SignInsPerMinute"] = "1000";
        portal.Settings["Nehr:PublicUrl"] = PublicUrl;
        _portal = portal;
    }

    [Fact]
    public async Task A_request_has_one_outcome_and_only_an_accounts_address_gets_a_link()
    {
        using var client = _portal.NewClient();
        var before = await OutboxCountAsync();
        int requestsBefore;
        await using (var db0 = _portal.CreateDbContext())
        {
            requestsBefore = await db0.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.PasswordResetRequested);
        }

        var known = await RequestAsync(client, DemoAccounts.PolyclinicNurse);
        var unknown = await RequestAsync(client, "nobody-here@nehr.demo");

        Assert.Equal(HttpStatusCode.Redirect, known.StatusCode);
        Assert.Equal(known.StatusCode, unknown.StatusCode);
        Assert.Equal(known.Headers.Location, unknown.Headers.Location);
        Assert.EndsWith("/Account/ForgotPasswordConfirmation", known.Headers.Location!.OriginalString, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        var messages = await db.OutboxMessages.OrderBy(m => m.Id).Skip(before).ToListAsync();
        var message = Assert.Single(messages);
        Assert.Equal(DemoAccounts.PolyclinicNurse, message.To);
        Assert.Equal(PasswordResets.Subject, message.Subject);
        Assert.Equal(requestsBefore + 2, await db.AuditEvents.CountAsync(e => e.EventType == AuditEventTypes.PasswordResetRequested));
    }

    [Fact]
    public async Task The_link_sets_a_new_password_once_and_the_old_one_stops_working()
    {
        using var client = _portal.NewClient();
        await RequestAsync(client, DemoAccounts.OutsideDentist);
        var link = await LastLinkToAsync(DemoAccounts.OutsideDentist);

        // The link is built on the configured public address, not on the Host the request named.
        Assert.StartsWith(PublicUrl + "/Account/ResetPassword?code=", link, StringComparison.Ordinal);
        var path = new Uri(link).PathAndQuery;
        var reset = await ResetAsync(client, path, DemoAccounts.OutsideDentist, "a new long passphrase for tests");
        var again = await ResetAsync(client, path, DemoAccounts.OutsideDentist, "another long passphrase here");

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.EndsWith("/Account/ResetPasswordConfirmation", reset.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains(InvalidLinkText, await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var fresh = _portal.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await PortalSignIn.PostPasswordAsync(fresh, DemoAccounts.OutsideDentist, DemoAccounts.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PortalSignIn.PostPasswordAsync(fresh, DemoAccounts.OutsideDentist, "a new long passphrase for tests")).StatusCode);
        await using var db = _portal.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.PasswordReset && e.ActorUserId != null));
    }

    [Fact]
    public async Task A_password_identity_refuses_changes_nothing_and_the_link_still_works()
    {
        using var client = _portal.NewClient();
        await RequestAsync(client, DemoAccounts.PolyclinicNurse);
        var link = new Uri(await LastLinkToAsync(DemoAccounts.PolyclinicNurse));
        var code = System.Text.Encoding.UTF8.GetString(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(
            Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query)["code"]!));
        var before = await _portal.DatabaseHashAsync();

        var refused = await _portal.WithAsync<PasswordResets, ResetOutcome>(r =>
            r.ResetAsync(DemoAccounts.PolyclinicNurse, code, "short", DemoWorld.As(null!)));

        Assert.False(refused.Succeeded);
        Assert.False(refused.IsInvalidLink);
        Assert.Contains(refused.PasswordErrors, e => e.Contains("12", StringComparison.Ordinal));
        Assert.Equal(before, await _portal.DatabaseHashAsync()); // no password, no stamp, no event
        var done = await _portal.WithAsync<PasswordResets, ResetOutcome>(r =>
            r.ResetAsync(DemoAccounts.PolyclinicNurse, code, "a new long passphrase for tests", DemoWorld.As(null!)));
        Assert.True(done.Succeeded);
    }

    [Fact]
    public async Task A_bad_link_gets_one_answer_for_a_known_and_an_unknown_address_and_changes_nothing()
    {
        using var client = _portal.NewClient();
        await RequestAsync(client, DemoAccounts.HospitalAdmin);
        var othersLink = new Uri(await LastLinkToAsync(DemoAccounts.HospitalAdmin)).PathAndQuery;
        var hash = await _portal.ClinicalDataHashAsync();

        var knownBadCode = await ResetAsync(client, "/Account/ResetPassword?code=" + Base64Url("not a code"), DemoAccounts.Auditor, "a new long passphrase for tests");
        var unknownBadCode = await ResetAsync(client, "/Account/ResetPassword?code=" + Base64Url("not a code"), "nobody-here@nehr.demo", "a new long passphrase for tests");
        var anotherAddress = await ResetAsync(client, othersLink, DemoAccounts.Auditor, "a new long passphrase for tests");

        foreach (var answer in new[] { knownBadCode, unknownBadCode, anotherAddress })
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains(InvalidLinkText, await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(hash, await _portal.ClinicalDataHashAsync());
    }

    private static string InvalidLinkText => WebUtility.HtmlEncode(Nehr.Portal.Components.Account.Pages.ResetPassword.InvalidLink["Error: ".Length..]);

    private async Task<int> OutboxCountAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.OutboxMessages.CountAsync();
    }

    private async Task<string> LastLinkToAsync(string email)
    {
        await using var db = _portal.CreateDbContext();
        var body = await db.OutboxMessages.Where(m => m.To == email && m.Subject == PasswordResets.Subject).OrderBy(m => m.Id).Select(m => m.Body).LastAsync();
        return Link().Match(body).Value;
    }

    private static async Task<HttpResponseMessage> RequestAsync(HttpClient client, string email)
    {
        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/Account/ForgotPassword");
        return await client.PostAsync("/Account/ForgotPassword", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "forgot-password",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
        }));
    }

    private static async Task<HttpResponseMessage> ResetAsync(HttpClient client, string linkPath, string email, string password)
    {
        var page = await client.GetStringAsync(linkPath);
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        var code = HiddenCode().Match(page).Groups[1].Value;
        return await client.PostAsync("/Account/ResetPassword", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "reset-password",
            ["__RequestVerificationToken"] = token,
            ["Input.Code"] = WebUtility.HtmlDecode(code),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        }));
    }

    private static string Base64Url(string text) => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(text));

    [GeneratedRegex(@"https?://\S+/Account/ResetPassword\?code=[A-Za-z0-9_-]+")]
    private static partial Regex Link();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("name=\"Input.Code\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenCode();
}
