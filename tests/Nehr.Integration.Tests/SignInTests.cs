using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;

namespace Nehr.Integration.Tests;

public sealed partial class SignInTests : IDisposable
{
    private readonly PortalFactory _portal = new();

    [Theory]
    [InlineData("/patient")]
    [InlineData("/clinician")]
    [InlineData("/admin/provider")]
    [InlineData("/admin/moh")]
    public async Task An_anonymous_request_to_an_area_is_sent_to_sign_in(string area)
    {
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(area);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        for (var i = 0; i < 4; i++)
        {
            var failed = await PostLoginAsync(client, DemoAccounts.HospitalDoctor, "wrong-password-" + i);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
            Assert.Contains("The email or password is incorrect.", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The fifth failure locks the account; from then on even the right password is refused.
        var fifth = await PostLoginAsync(client, DemoAccounts.HospitalDoctor, "wrong-password-4");
        var locked = await PostLoginAsync(client, DemoAccounts.HospitalDoctor, DemoAccounts.Password);

        Assert.Contains("Account/Lockout", fifth.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, locked.StatusCode);
        Assert.Contains("Account/Lockout", locked.Headers.Location!.ToString(), StringComparison.Ordinal);
        await using var scope = _portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.True(await users.IsLockedOutAsync((await users.FindByEmailAsync(DemoAccounts.HospitalDoctor))!));
    }

    [Fact]
    public async Task An_unknown_account_gets_the_same_answer_as_a_wrong_password()
    {
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var unknown = await PostLoginAsync(client, "nobody@nehr.demo", "Some-Passw0rd!");
        var wrong = await PostLoginAsync(client, DemoAccounts.Auditor, "Some-Passw0rd!");

        Assert.Equal(unknown.StatusCode, wrong.StatusCode);
        Assert.Contains("The email or password is incorrect.", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("The email or password is incorrect.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task There_is_no_self_registration_page()
    {
        using var client = _portal.CreateClient();

        var response = await client.GetAsync("/Account/Register");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_correct_password_signs_in_and_sets_an_http_only_cookie()
    {
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await PostLoginAsync(client, DemoAccounts.Patient, DemoAccounts.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("nehr.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Passwords_need_length_not_composition()
    {
        await using var scope = _portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var patient = (await users.FindByEmailAsync(DemoAccounts.Patient))!;

        var tooShort = await users.ChangePasswordAsync(patient, DemoAccounts.Password, "Sh0rt!pass");
        var passphrase = await users.ChangePasswordAsync(patient, DemoAccounts.Password, "correct horse battery staple");

        Assert.Contains(tooShort.Errors, e => e.Code == "PasswordTooShort");
        Assert.True(passphrase.Succeeded, string.Join("; ", passphrase.Errors.Select(e => e.Description)));
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/Account/Login");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        return await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    public void Dispose() => _portal.Dispose();
}
